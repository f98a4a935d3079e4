"""What a user's tools ask of the network, whichever way they reach it.

`Api` is the one client interface of app/: the desktop app's `Session` (its own node in
the same process) and the command line's `Remote` (a validator over mutually
authenticated TLS) both are one, so a flow written against it, such as the till's
payment (app/till.py), runs the same in the window and on the command line. Its errors
are app/session.py's: `SessionError` for a refused or unanswered query, `NotSent` for a
transaction the network refused unordered, `Undecided` when no decision was heard.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from node.consortium import Consortium
from node.ledger.builder import Builder
from node.ledger.genesis import Genesis
from node.ledger.tx import Tx
from node.protocol import Decision

OnStage = Callable[[dict[str, Any]], None]


class Api(Protocol):
    identity: str
    entity: str  # the bank, terminal or merchant the identity acts for
    genesis: Genesis

    @property
    def outbox_path(self) -> Path:
        """Where this identity's signed, undecided transactions are kept."""

    def now(self) -> int: ...

    def make(self, kind: str, body: dict[str, Any], *more_keys: Any) -> Tx: ...

    async def query(self, q: str, **kw: Any) -> Any: ...

    async def submit(self, tx: Tx, wait_ms: int = 30_000,
                     on_stage: OnStage | None = None) -> Decision: ...

    def online(self) -> bool: ...


def key_names(cons: Consortium) -> dict[str, str]:
    """Public key -> who holds it: the consortium's public list of identities
    (identities.json), else what genesis says the key is (a bank's clerk, a terminal, the
    regulator, the clearing house, a validator)."""
    g = cons.genesis.raw
    names: dict[str, str] = {}
    for b in g.get("banks", []):
        names.update({k: f"clerk of {b['id']}" for k in b.get("clerks", [])})
    for m in g.get("merchants", []):
        names.update({t["public_key"]: t["id"] for t in m.get("terminals", [])})
    for role in ("regulator", "clearing_house"):
        names.update({k: str(g[role]["id"]) for k in g.get(role, {}).get("keys", [])})
    for v in g.get("validators", []):
        names[v["public_key"]] = f"validator-{v['id']}"
    listed = cons.home / "identities.json"
    with contextlib.suppress(OSError, ValueError):
        names.update({str(k): str(n) for n, k in json.loads(listed.read_text("utf-8")).items()})
    return names


class Signer:
    """An identity's clock and key: transactions built and signed as it (both APIs')."""

    def __init__(self, cons: Consortium, identity: str) -> None:
        self.key = cons.key(identity)
        self.builder = Builder(cons.genesis.chain_id)
        self._names = key_names(cons)

    def signer_name(self, publics: Sequence[str]) -> str:
        """Who signed a transaction, by name ("clerk-EHB-1", "M001-T01"); "" if no key is
        known."""
        return ", ".join(n for n in (self._names.get(p) for p in publics) if n)

    @staticmethod
    def now() -> int:
        return int(time.time() * 1000)

    def make(self, kind: str, body: dict[str, Any], *more_keys: Any) -> Tx:
        return self.builder.make(kind, body, self.now(), self.key, *more_keys)
