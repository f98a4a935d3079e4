"""Reconciliation: a till's own journal against the chain, for one settlement cycle.

The till appends a line to its journal for every payment or refund it sends (before it
knows the outcome).  ``reconcile`` reports each difference: on the till but not on chain
(or decided as rejected), on chain but not on the till, and amounts that differ.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.ledger.tx import Tx


def journal_append(path: Path, tx: Tx, terminal: str, *, offline: bool = False,
                   cashier: str | None = None) -> None:
    """What the till records as it sends: id, type, order and signed amount (and whether
    it was taken offline, to be sent once the network returns, and the cashier signed in:
    app/shifts.py)."""
    body = tx.body
    if tx.kind == "pay":  # the chain's part (cash paid at the till is not on chain)
        cash = int(body.get("cash_tendered") or 0)
        entry = {"tx": tx.hex_id, "type": "payment", "amount": body["amount"] - cash}
        if cash:
            entry["cash"] = cash
    elif tx.kind == "refund":
        entry = {"tx": tx.hex_id, "type": "refund", "amount": -body["amount"]}
    else:
        return
    entry.update({"order": body.get("order"), "terminal": terminal,
                  "sent": int(time.time() * 1000)})
    if offline:
        entry["offline"] = True
    if cashier:
        entry["cashier"] = cashier
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read_journal(path: Path) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            if not isinstance(e, dict) or not {"tx", "type", "amount"} <= set(e):
                raise ValueError("missing fields")
        except ValueError as exc:
            raise ValueError(f"journal line {n} is not a journal entry: {exc}") from exc
        out.append(e)
    return out


@dataclass
class Reconciliation:
    matched: int = 0
    till_only: list[dict[str, Any]] = field(default_factory=list)
    chain_only: list[dict[str, Any]] = field(default_factory=list)
    amount_differs: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    declined_offline: list[dict[str, Any]] = field(default_factory=list)
    other_cycle: int = 0

    @property
    def clean(self) -> bool:
        """Till and chain agree.  A sale the chain refused while the till waited online is
        no difference (``rejected``: the cashier was told and took no money); one refused
        after the till accepted it offline is (``declined_offline``: goods went out)."""
        return not (self.till_only or self.chain_only or self.amount_differs
                    or self.declined_offline)

    def as_dict(self) -> dict[str, Any]:
        return {"clean": self.clean, "matched": self.matched,
                "on_till_not_on_chain": self.till_only,
                "on_chain_not_on_till": self.chain_only,
                "amounts_differ": self.amount_differs,
                "rejected_on_chain": self.rejected,
                "declined_after_offline_acceptance": self.declined_offline,
                "in_other_cycles": self.other_cycle}


def reconcile(journal: list[dict[str, Any]], lines: list[dict[str, Any]],
              lookup: Callable[[str], dict[str, Any] | None],
              terminal: str | None = None,
              window: tuple[int, int] | None = None) -> Reconciliation:
    """``lines``: the chain's statement lines of the cycle; ``lookup(id)``: the chain's
    receipt for a transaction id (None if never decided).  With ``window`` (ms, end
    exclusive), journal entries sent outside it and not in the cycle's lines belong to
    other cycles: they are not reported as missing or refused here."""
    rec = Reconciliation()
    chain = {x["tx"]: x for x in lines if terminal is None or x["terminal"] == terminal}
    seen: set[str] = set()
    for e in journal:
        if terminal is not None and e.get("terminal") not in (None, terminal):
            continue
        if window is not None and e["tx"] not in chain and \
                not window[0] <= int(e.get("sent", 0)) < window[1]:
            rec.other_cycle += 1
            seen.add(e["tx"])
            continue
        tx_id = e["tx"]
        seen.add(tx_id)
        on_chain = chain.get(tx_id)
        if on_chain is not None:
            if on_chain["amount"] != e["amount"]:
                rec.amount_differs.append({"tx": tx_id, "order": e.get("order"),
                                           "till": e["amount"], "chain": on_chain["amount"]})
            else:
                rec.matched += 1
            continue
        receipt = lookup(tx_id)
        if receipt is None:
            rec.till_only.append({"tx": tx_id, "order": e.get("order"), "amount": e["amount"]})
        elif receipt.get("code") != "ok":
            line = {"tx": tx_id, "order": e.get("order"), "amount": e["amount"],
                    "reason": receipt.get("code")}
            (rec.declined_offline if e.get("offline") else rec.rejected).append(line)
        else:
            rec.other_cycle += 1
    for tx_id, x in chain.items():
        if tx_id not in seen:
            rec.chain_only.append({"tx": tx_id, "order": x.get("order"), "amount": x["amount"]})
    return rec
