"""What a client of a node is told when its request got no decision.

One hierarchy for both ends: the node's endpoint raises `Refused` and `Busy`; the client
library (node/net/client.py) raises the same classes from the node's answer, and a plain
`ClientError` when no answer came (not connected, the connection lost).
"""

from __future__ import annotations

import random
from typing import Any


class ClientError(RuntimeError):
    """No decision for the request: no answer, or a refusal (``Refused``)."""


class Refused(ClientError):
    """The node did not act on the request: a malformed request, a query this role may
    not ask, a transaction that can never be ordered.  ``code`` is the ledger's reason
    code when the ledger refused it."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class Busy(Refused):
    """A validator at its admission bound: nothing was ordered; try again after about
    ``retry_after_ms``."""

    def __init__(self, retry_after_ms: int,
                 message: str = "the network is busy: retry shortly") -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms

    def pause_s(self) -> float:
        """The pause to take before asking again: the named one, times 0.5-1.5 (clients
        refused together do not all come back together)."""
        return self.retry_after_ms / 1000 * random.uniform(0.5, 1.5)


NOT_DECIDED = "not decided in time"
NO_DECISION = "no decided transaction with that id"  # a receipt asked for too early


def error_reply(exc: Exception) -> dict[str, Any]:
    """The fields of a failed reply (beside ``rid``): a refusal says so (``refused``), with
    the ledger's code or the pause a busy validator names; anything else leaves the
    outcome open (a timeout, the node's own fault)."""
    out: dict[str, Any] = {"ok": False, "error": str(exc)}
    if isinstance(exc, Refused):
        out["refused"] = True
        if exc.code is not None:
            out["code"] = exc.code
    if isinstance(exc, Busy):
        out.update(busy=True, retry_after_ms=exc.retry_after_ms)
    return out


def error_of(reply: dict[str, Any]) -> ClientError:
    """The exception a failed reply stands for (``error_reply``'s inverse)."""
    error = str(reply.get("error"))
    if reply.get("refused") is not True:
        return ClientError(error)  # no decision in time, or the node's own fault
    if reply.get("busy") is True:
        after = reply.get("retry_after_ms")
        return Busy(after if type(after) is int and after >= 0 else 1_000, error)
    code = reply.get("code")
    return Refused(error, code if isinstance(code, str) else None)
