"""A till's payments, charged once whatever fails.

Each payment is signed once, written to the terminal's durable outbox (app/outbox.py) and
to its journal *before* it is sent, and then has exactly one of these outcomes:

* ``committed`` / ``refused``: the network decided it (its receipt);
* ``pending``: the outcome is unknown (no decision heard in time, the connection lost, the
  app killed).  ``resolve`` looks it up and, if it was never decided, resubmits the same
  bytes, until it is decided; a validator answers a decided transaction with its receipt,
  so this never charges twice, and the order id is unique on chain (``duplicate_order``);
* ``offline``: taken while no validator was reachable, within genesis' offline floor limits
  (per payment, per card per day; none or 0 turns it off), and submitted in order once the
  network returns.  One refused then is "declined after offline acceptance";
* ``not_sent``: the network refused it unordered: nothing was charged.

No Qt here: the POS window (ui/pos.py) shows these states; tests drive them directly.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from app.api import Api
from app.courier import Courier, Outcome, Stage, outcome_of
from app.flows import pay_body
from app.outbox import Entry, Outbox
from app.reconcile import journal_append
from app.session import SessionError
from node.crypto import SigningKey
from node.ledger.tx import Tx

RESOLVE_WAIT_MS = 10_000


class OfflineRefused(SessionError):
    """The network is unreachable and this payment is over the offline floor limits."""

    def __init__(self, message: str, limit: int, left: int) -> None:
        super().__init__(message)
        self.limit, self.left = limit, left


def chain_part(body: dict[str, Any]) -> int:
    """What a payment asks of the chain (points and the card): the order less the cash paid
    at the till."""
    return int(body["amount"]) - int(body.get("cash_tendered") or 0)


class Till:
    def __init__(self, session: Api, journal: Path | None,
                 outbox: Outbox | None = None) -> None:
        """The till of ``session``'s terminal (the window's Session, or the command line's
        Remote); ``journal``: the till's own record of what it sent, if it keeps one."""
        self.session = session
        self.terminal = session.entity
        self.journal = journal
        self.outbox = outbox or Outbox(session.outbox_path)
        self.courier = Courier(session, self.outbox)
        self.pay_wait_ms = 30_000  # how long a payment waits for its decision at the till
        self.cashier: str | None = None  # who is signed in at the till (app/shifts.py)

    def close(self) -> None:
        self.outbox.close()

    # --- offline acceptance ----------------------------------------------------------------

    def offline_limits(self) -> tuple[int, int]:
        limits = self.session.genesis.limits
        return int(limits.get("offline_per_payment", 0)), \
            int(limits.get("offline_per_card_day", 0))

    def offline_check(self, card: str, amount: int) -> None:
        """Raise OfflineRefused unless this payment may be taken without the network."""
        per_payment, per_day = self.offline_limits()
        if per_payment <= 0 or per_day <= 0:
            raise OfflineRefused("the network is unreachable and this consortium takes no "
                                 "payment offline", 0, 0)
        start = int(dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0,
                                                    microsecond=0).timestamp() * 1000)
        left = max(0, per_day - self.outbox.offline_spent(card, start))
        if amount > per_payment or amount > left:
            raise OfflineRefused("over the offline limit", per_payment, left)

    # --- paying ------------------------------------------------------------------------------

    def sign(self, card: str, card_key: SigningKey, items: list[dict[str, Any]],
             offer: dict[str, Any], banks: list[str], order: str | None = None,
             cash_tendered: int = 0) -> Tx:
        """The payment for the basket at the validators' own offer, signed by this
        terminal and the card; a new order id unless the cashier gives one; part of it
        paid in cash at the till when ``cash_tendered``."""
        order = order or f"{self.terminal}-{secrets.token_hex(4).upper()}"
        return self.session.make("pay", pay_body(self.terminal, card, order, items, offer,
                                                 banks, cash_tendered), card_key)

    def pending_order(self, order: str) -> Entry | None:
        """The undecided payment this terminal recorded for ``order``, if any."""
        return self.outbox.pending_order(self.terminal, order)

    async def pay(self, tx: Tx, on_stage: Stage | None = None) -> Outcome:
        """Record, then send; the outcome.  Offline (no validator reachable) the payment is
        taken within the floor limits (``offline_check`` first) and sent later."""
        stage = on_stage or (lambda _s, _d: None)
        offline = not self.session.online()
        if offline:
            self.offline_check(tx.body["card"], chain_part(tx.body))
        entry = self.outbox.add(tx, offline=offline)
        if self.journal is not None:
            journal_append(self.journal, tx, self.terminal, offline=offline,
                           cashier=self.cashier)
        stage("signed", {"order": tx.body["order"]})
        if offline:
            return Outcome("offline", entry)
        return await self.courier.send(tx, entry, self.pay_wait_ms, stage)

    # --- what is undecided ---------------------------------------------------------------------

    def pending(self) -> list[Entry]:
        return [e for e in self.outbox.pending() if e.kind == "pay"]

    @staticmethod
    def outbox_items(entry: Entry) -> list[dict[str, Any]]:
        """The basket a recorded payment was signed for."""
        items = Tx.decode(entry.wire.encode("utf-8")).body.get("items")
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def recent(self, limit: int = 200) -> list[Outcome]:
        return [outcome_of(e) for e in self.outbox.recent(limit) if e.kind == "pay"]

    async def resolve(self, entry: Entry, on_stage: Stage | None = None) -> Outcome:
        """Look an undecided payment up; resubmit the same bytes if the network has not
        decided it.  Offline, it stays as it is."""
        return await self.courier.resend(entry, RESOLVE_WAIT_MS, on_stage)
