"""Clearing: close a merchant's settlement cycle.

The clearing house proposes the cycle's figures; every replica recomputes them from its
own ledger. A cycle can be closed once it has begun: after its cut-off, or early (the
end-of-day batch close), in which case later payments that day belong to the next cycle.
Cycles close in order (the per-cycle totals that each payment and refund updated) and rejects the
transaction if any figure differs.  The settlement row then records them on chain.
"""

from __future__ import annotations

from typing import Any

from node.ledger import tx as f
from node.ledger.cycles import cycle_end, open_cycle, valid_cycle
from node.ledger.errors import Reason, Rejected
from node.ledger.rules import CNY, merchant, rule
from node.ledger.state import Ctx, Row

FIGURES = ("count", "refund_count", "gross", "refunds", "points", "fee", "net")


def fee_for(base: int, fee_bp: int) -> int:
    """Merchant fee in fen, rounded half up; no fee on a negative base."""
    return 0 if base <= 0 else (base * fee_bp + 5_000) // 10_000


def statement(cycle_row: Row | None, merchant_row: Row) -> dict[str, Any]:
    """The figures of one cycle from its running totals (same code for query and rule)."""
    c = cycle_row or {"count": 0, "refund_count": 0, "gross": 0, "refunds": 0, "points": {}}
    base = c["gross"] - c["refunds"]
    fee = fee_for(base, merchant_row["fee_bp"])
    return {
        "count": c["count"], "refund_count": c["refund_count"], "gross": c["gross"],
        "refunds": c["refunds"],
        "points": {b: v for b, v in sorted(c["points"].items()) if v},
        "fee": fee, "net": base - fee,
    }


@rule("settle", {"merchant", "cycle", *FIGURES})
def settle(ctx: Ctx, b: dict[str, Any]) -> None:
    ctx.require("clearing", what="settling a cycle")
    m = merchant(ctx, b["merchant"])
    mid = b["merchant"]
    ctx.merchant = mid
    cycle = b["cycle"]
    if not valid_cycle(cycle):
        raise Rejected(Reason.MALFORMED, "cycle must be a date as yyyymmdd")
    for k in ("count", "refund_count"):
        f.integer(b[k], k, 0, 10**12)
    for k in ("gross", "refunds", "fee"):
        f.amount(b[k], k, allow_zero=True)
    if type(b["net"]) is not int:
        raise Rejected(Reason.BAD_AMOUNT, "net must be an integer number of fen")
    if not isinstance(b["points"], dict):
        raise Rejected(Reason.MALFORMED, "points must map bank to fen")
    closed = m.get("closed_through", 0)
    current = open_cycle(ctx.time, m["cutoff_min"], ctx.params["utc_offset_min"], closed)
    if cycle > current:
        end = cycle_end(cycle, m["cutoff_min"], ctx.params["utc_offset_min"])
        raise Rejected(Reason.CYCLE_OPEN, f"cycle {cycle} of {mid} has not begun (ends {end})")
    key = f"{mid}|{cycle}"
    if ctx.get("settlements", key) is not None or cycle <= closed:
        raise Rejected(Reason.ALREADY_SETTLED,
                       f"cycle {cycle} of {mid} is already settled or closed")
    expected = statement(ctx.get("cycles", key), m)
    diffs = [k for k in FIGURES if b[k] != expected[k]]
    if diffs:
        detail = ", ".join(f"{k}: proposed {b[k]!r}, ledger {expected[k]!r}" for k in diffs)
        raise Rejected(Reason.SETTLEMENT_MISMATCH, f"figures differ from the ledger: {detail}")
    ctx.amount = expected["net"]
    base = expected["gross"] - expected["refunds"]
    ctx.post(f"merchant:{mid}", CNY, -base)
    ctx.post(f"merchant:{mid}:settled", CNY, expected["net"])
    ctx.post(f"bank:{m['acquirer']}:fees", CNY, expected["fee"])
    # closing the current cycle early (end-of-day batch close): later payments go to the next
    ctx.put("merchants", mid, {**m, "closed_through": cycle})
    ctx.put("settlements", key, {"merchant": mid, "cycle": cycle, "acquirer": m["acquirer"],
                                 "fee_bp": m["fee_bp"], "settled_at": ctx.time,
                                 "tx": ctx.tx.hex_id, **expected})
