"""A signed transaction's way to its decision, charged once whatever fails.

The transaction is in the identity's durable outbox (app/outbox.py) before it is sent.
`Courier.send` sends it through an `Api` (app/api.py) and records what came of it; an
outcome left open is sent again later as the same bytes (`resend`), never re-signed: a
validator answers a decided transaction with its receipt. The till (app/till.py) and the
command line both deliver their transactions this way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.api import Api
from app.outbox import DECIDED, NOT_SENT, Entry, Outbox
from app.session import NotSent, Undecided
from node.ledger.tx import Tx
from node.protocol import Decision

Stage = Callable[[str, dict[str, Any]], None]  # (stage name, details) as a transaction goes


@dataclass(frozen=True)
class Outcome:
    """Where a transaction stands: ``state`` is committed, refused, pending, offline or
    not_sent; ``receipt`` once decided; ``entry`` its outbox record."""

    state: str
    entry: Entry
    receipt: Decision | None = None
    message: str = ""

    @property
    def declined_offline(self) -> bool:
        return self.entry.offline and self.state in ("refused", "not_sent")


def outcome_of(entry: Entry, receipt: Decision | None = None) -> Outcome:
    if entry.state == DECIDED:
        code = entry.code or (receipt.code if receipt is not None else None)
        return Outcome("committed" if code == "ok" else "refused", entry, receipt,
                       entry.message or "")
    if entry.state == NOT_SENT:
        return Outcome("not_sent", entry, None, entry.message or "")
    return Outcome("offline" if entry.offline else "pending", entry)


class Courier:
    def __init__(self, api: Api, outbox: Outbox) -> None:
        self.api, self.outbox = api, outbox

    async def send(self, tx: Tx, entry: Entry, wait_ms: int,
                   stage: Stage | None = None) -> Outcome:
        """Send ``tx`` (recorded as ``entry``) and record the outcome: decided (its
        receipt), refused unordered (``not_sent``: nothing was charged), or open
        (``pending``; offline when it never left)."""
        say = stage or (lambda _s, _d: None)
        say("sent", {})

        def progress(p: dict[str, Any]) -> None:
            say(str(p.get("stage")), p)

        self.outbox.tried(tx.hex_id)
        try:
            receipt = await self.api.submit(tx, wait_ms, on_stage=progress)
        except Undecided as exc:
            return Outcome("pending", self._entry(entry), None, str(exc))
        except NotSent as exc:
            if not self.api.online():  # it never left: it waits to be sent
                return Outcome("offline" if entry.offline else "pending",
                               self._entry(entry), None, str(exc))
            self.outbox.not_sent(tx.hex_id, str(exc))
            return outcome_of(self._entry(entry))
        self.outbox.decided(tx.hex_id, receipt)
        return outcome_of(self._entry(entry), receipt)

    async def resend(self, entry: Entry, wait_ms: int, stage: Stage | None = None) -> Outcome:
        """An undecided transaction looked up, and sent again as the same bytes if the
        network has not decided it.  Offline, it stays as it is."""
        if not self.api.online():
            return outcome_of(entry)
        found = await self.api.query("tx", id=entry.id)
        if found is not None:
            decided = Decision.parse(found)
            self.outbox.decided(entry.id, decided)
            return outcome_of(self._entry(entry), decided)
        return await self.send(Tx.decode(entry.wire.encode("utf-8")), entry, wait_ms, stage)

    def _entry(self, entry: Entry) -> Entry:
        return self.outbox.get(entry.id) or entry
