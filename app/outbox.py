"""A client's durable outbox: every signed transaction is written here before it is sent.

One SQLite file in the identity's node folder (``outbox.db``), written with
``synchronous=FULL``: a transaction recorded here survives the process being killed at any
point after ``add`` returned.  Its states:

* ``pending``: signed, maybe sent, outcome unknown.  It is resubmitted as the same bytes
  (never signed anew) until a receipt says what happened; a validator returns the receipt
  of a transaction it already decided, so resubmitting can never charge twice.
* ``decided``: a receipt came back (``code`` "ok" or the refusal reason, with its height).
* ``not_sent``: the network refused it without ordering it (malformed, expired, ...), so it
  can never be decided; nothing was charged.

A payment also records its merchant order: a till or the CLI asks ``pending_order`` before
it signs a new payment for an order, and resubmits the pending one instead.  Payments taken
while no validator was reachable (offline acceptance, within genesis' floor limits) are
flagged ``offline``.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.ledger.tx import Tx
from node.protocol import Decision

PENDING, DECIDED, NOT_SENT = "pending", "decided", "not_sent"
FILE = "outbox.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    merchant_order TEXT,
    card TEXT,
    amount INTEGER,
    wire TEXT NOT NULL,
    created INTEGER NOT NULL,
    state TEXT NOT NULL,
    offline INTEGER NOT NULL DEFAULT 0,
    code TEXT,
    message TEXT,
    height INTEGER,
    tries INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, created);
CREATE INDEX IF NOT EXISTS outbox_order ON outbox(merchant_order, state);
"""


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    order: str | None
    card: str | None
    amount: int | None
    wire: str
    created: int
    state: str
    offline: bool
    code: str | None
    message: str | None
    height: int | None
    tries: int

    @property
    def accepted(self) -> bool:
        return self.state == DECIDED and self.code == "ok"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "order": self.order, "card": self.card,
                "amount": self.amount, "state": self.state, "offline": self.offline,
                "code": self.code, "message": self.message, "height": self.height,
                "tries": self.tries, "created": self.created}


_COLS = ("id, kind, merchant_order, card, amount, wire, created, state, offline, code, "
         "message, height, tries")


def now_ms() -> int:
    return int(time.time() * 1000)


class Outbox:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(_SCHEMA)

    @classmethod
    def for_identity(cls, home: Path, identity: str) -> Outbox:
        """The outbox of ``identity`` in consortium folder ``home``."""
        return cls(Path(home) / "nodes" / identity / FILE)

    def close(self) -> None:
        self.conn.close()

    # --- writing -----------------------------------------------------------------------

    def add(self, tx: Tx, *, offline: bool = False) -> Entry:
        """Record a signed transaction before it is sent (durable when this returns)."""
        body = tx.body
        order = body.get("order") if tx.kind == "pay" else None
        merchant_order = None if order is None else f"{body.get('terminal')}|{order}"
        amount = body.get("amount") if type(body.get("amount")) is int else None
        if amount is not None and type(body.get("cash_tendered")) is int:
            amount -= body["cash_tendered"]  # the chain's part: cash stays at the till
        t = now_ms()
        with self.conn:
            self.conn.execute(
                "INSERT OR IGNORE INTO outbox (id, kind, merchant_order, card, amount, wire, "
                "created, state, offline, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (tx.hex_id, tx.kind, merchant_order, body.get("card"), amount,
                 tx.encode().decode("utf-8"), t, PENDING, int(offline), t))
        entry = self.get(tx.hex_id)
        assert entry is not None
        return entry

    def tried(self, tx_id: str) -> None:
        with self.conn:
            self.conn.execute("UPDATE outbox SET tries = tries + 1, updated = ? WHERE id = ?",
                              (now_ms(), tx_id))

    def decided(self, tx_id: str, decision: Decision) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE outbox SET state = ?, code = ?, message = ?, height = ?, updated = ? "
                "WHERE id = ?", (DECIDED, decision.code, decision.message, decision.height,
                                 now_ms(), tx_id))

    def not_sent(self, tx_id: str, message: str) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE outbox SET state = ?, message = ?, updated = ? WHERE id = ? "
                "AND state = ?", (NOT_SENT, message, now_ms(), tx_id, PENDING))

    # --- reading -----------------------------------------------------------------------

    def _rows(self, where: str, params: tuple[Any, ...] = ()) -> list[Entry]:
        rows = self.conn.execute(f"SELECT {_COLS} FROM outbox {where}", params).fetchall()
        return [Entry(r[0], r[1], None if r[2] is None else r[2].split("|", 1)[1], r[3], r[4],
                      r[5], r[6], r[7], bool(r[8]), r[9], r[10], r[11], r[12]) for r in rows]

    def get(self, tx_id: str) -> Entry | None:
        found = self._rows("WHERE id = ?", (tx_id,))
        return found[0] if found else None

    def pending(self) -> list[Entry]:
        """Undecided transactions, oldest first (the order they are resubmitted in)."""
        return self._rows("WHERE state = ? ORDER BY created, id", (PENDING,))

    def pending_order(self, terminal: str, order: str) -> Entry | None:
        """The undecided payment for this terminal's order, if any."""
        found = self._rows("WHERE merchant_order = ? AND state = ? ORDER BY created",
                           (f"{terminal}|{order}", PENDING))
        return found[0] if found else None

    def recent(self, limit: int = 200) -> list[Entry]:
        return self._rows("ORDER BY created DESC, id LIMIT ?", (limit,))

    def offline_spent(self, card: str, since: int) -> int:
        """What payments accepted offline from ``card`` since ``since`` (ms) add up to,
        not counting those refused on chain or never sent."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM outbox WHERE offline = 1 AND card = ? "
            "AND created >= ? AND NOT (state = ? AND code != 'ok') AND state != ?",
            (card, since, DECIDED, NOT_SENT)).fetchone()
        return int(row[0])
