"""Clearing: close a merchant's settlement cycle, then pay it out.

The clearing house proposes the cycle's figures; every replica recomputes them from its
own ledger. A cycle can be closed once it has begun: after its cut-off, or early (the
end-of-day batch close), in which case later payments that day belong to the next cycle.
Cycles close in order (the per-cycle totals that each payment and refund updated) and rejects the
transaction if any figure differs.  The settlement row then records them on chain.

Then the money moves (chain format 4), each a transaction recorded on the settlement row:
the merchant's acquirer pays the merchant the settled net by bank transfer (``payout``:
the merchant's settled account back to zero, the acquirer's ``paid_out`` up by as much),
and each bank whose points paid part of the cycle's sales reimburses the acquirer the
cash it owes for them (``settle_points``: the bank's points payable back to zero for that
cycle).  A payout or points settlement whose amount is not the settled one is refused, and
each is made once.
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
    if ctx.chain_format >= 5:  # in order: a later close would leave its takings stuck
        earlier = ctx.st.scan("cycles", "merchant = ? AND cycle > ? AND cycle < ?",
                              (mid, closed, cycle),
                              lambda r: r["merchant"] == mid and closed < r["cycle"] < cycle)
        left = [r["cycle"] for _k, r in earlier if r["count"] or r["refund_count"]]
        if left:
            raise Rejected(Reason.EARLIER_CYCLE_OPEN,
                           f"cycle {left[0]} of {mid} has payments and is not settled: "
                           "settle it first")
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
    row = {"merchant": mid, "cycle": cycle, "acquirer": m["acquirer"], "fee_bp": m["fee_bp"],
           "settled_at": ctx.time, "tx": ctx.tx.hex_id, **expected}
    if ctx.chain_format >= 4:  # card cash by issuer, for the interbank netting at payout
        row["issuers"] = dict((ctx.get("cycles", key) or {}).get("issuers") or {})
    ctx.put("settlements", key, row)


def _settled(ctx: Ctx, b: dict[str, Any]) -> tuple[str, Row, Row]:
    """(key, merchant row, settlement row) of the cycle a payout names; refused before
    chain format 4, for a malformed cycle or reference, or a cycle not settled."""
    if ctx.chain_format < 4:
        raise Rejected(Reason.MALFORMED, "payouts on chain need chain format 4")
    m = merchant(ctx, b["merchant"])
    ctx.merchant = b["merchant"]
    if not valid_cycle(b["cycle"]):
        raise Rejected(Reason.MALFORMED, "cycle must be a date as yyyymmdd")
    f.ident(b["reference"], "bank transfer reference")
    key = f"{b['merchant']}|{b['cycle']}"
    row = ctx.get("settlements", key)
    if row is None:
        raise Rejected(Reason.NOT_SETTLED,
                       f"cycle {b['cycle']} of {b['merchant']} is not settled yet")
    return key, m, row


@rule("payout", {"merchant", "cycle", "amount", "reference"})
def payout(ctx: Ctx, b: dict[str, Any]) -> None:
    """The acquirer pays the merchant a settled cycle's net (by bank transfer); a net of
    zero or less is closed out as it is (chain format 5).  Either way the issuers' card
    cash of the cycle stops being in flight."""
    key, m, row = _settled(ctx, b)
    ctx.require("clerk", m["acquirer"], "paying a merchant out")
    amount = b["amount"]
    if type(amount) is not int or abs(amount) > f.MAX_AMOUNT:
        raise Rejected(Reason.BAD_AMOUNT, "payout amount must be an integer number of fen")
    if amount <= 0 and (ctx.chain_format < 5 or amount != row["net"]):
        # from chain format 5 a cycle whose refunds came to its sales or more is closed
        # out the same way: nothing paid (0), or what the merchant pays back (negative)
        f.amount(amount, "payout amount")
    ctx.amount = amount
    if row.get("paid") is not None:
        raise Rejected(Reason.ALREADY_PAID, f"cycle {b['cycle']} of {b['merchant']} was paid "
                                            f"out by transaction {row['paid']['tx']}")
    if amount != row["net"]:
        raise Rejected(Reason.PAYOUT_MISMATCH,
                       f"the settled net of cycle {b['cycle']} is {row['net']} fen, not "
                       f"{amount}")
    acquirer = m["acquirer"]
    ctx.post(f"merchant:{b['merchant']}:settled", CNY, -amount)
    ctx.post(f"bank:{acquirer}:paid_out", CNY, amount)
    # each issuer's card cash stops being in flight: the acquirer's own cards' is moved
    # from its float at once, another issuer's it owes the acquirer (``interbank``)
    for issuer, cash in sorted((row.get("issuers") or {}).items()):
        if not cash:
            continue
        brow = ctx.get("banks", issuer) or {}
        ctx.put("banks", issuer, {**brow, "in_flight": int(brow.get("in_flight", 0)) - cash})
        if issuer == acquirer:
            ctx.post(f"bank:{issuer}:float", CNY, cash)
            ctx.post(f"bank:{acquirer}:paid_out", CNY, -cash)
            continue
        nkey = f"{b['cycle']}|{issuer}|{acquirer}"
        n = ctx.get("netting", nkey) or {"cycle": b["cycle"], "payer": issuer,
                                         "payee": acquirer, "owed": 0, "settled": 0}
        ctx.put("netting", nkey, {**n, "owed": n["owed"] + cash})
    ctx.put("settlements", key, {**row, "paid": {
        "tx": ctx.tx.hex_id, "reference": b["reference"], "at": ctx.time, "amount": amount}})


@rule("settle_points", {"bank", "merchant", "cycle", "amount", "reference"})
def settle_points(ctx: Ctx, b: dict[str, Any]) -> None:
    """A bank reimburses the acquirer the cash its points paid of a settled cycle."""
    key, m, row = _settled(ctx, b)
    bank_id = b["bank"]
    if bank_id not in ctx.bank_ids:
        raise Rejected(Reason.UNKNOWN_BANK, f"no bank {bank_id!r}")
    ctx.bank = bank_id
    ctx.require("clerk", bank_id, "settling points")
    amount = f.amount(b["amount"], "points settlement amount")
    ctx.amount = amount
    owed = int(row["points"].get(bank_id, 0))
    done = dict(row.get("points_paid") or {})
    if bank_id in done:
        raise Rejected(Reason.ALREADY_PAID, f"{bank_id} settled its points for cycle "
                                            f"{b['cycle']} of {b['merchant']} already")
    if amount != owed:
        raise Rejected(Reason.PAYOUT_MISMATCH,
                       f"{bank_id} owes {owed} fen for points in cycle {b['cycle']} of "
                       f"{b['merchant']}, not {amount}")
    ctx.post(f"bank:{bank_id}:points_payable", CNY, amount)
    ctx.post(f"bank:{m['acquirer']}:paid_out", CNY, -amount)
    done[bank_id] = {"tx": ctx.tx.hex_id, "reference": b["reference"], "at": ctx.time,
                     "amount": amount}
    ctx.put("settlements", key, {**row, "points_paid": done})


def net_position(ctx: Ctx, cycle: int, a: str, b: str) -> tuple[Row, Row, int]:
    """What ``a`` owes ``b`` (and ``b`` owes ``a``) for a cycle's paid-out card cash, and
    the net still to settle from ``a`` to ``b`` (negative: ``b`` pays)."""
    def row(p: str, q: str) -> Row:
        return ctx.get("netting", f"{cycle}|{p}|{q}") or {
            "cycle": cycle, "payer": p, "payee": q, "owed": 0, "settled": 0}

    ab, ba = row(a, b), row(b, a)
    return ab, ba, (ab["owed"] - ab["settled"]) - (ba["owed"] - ba["settled"])


@rule("interbank", {"cycle", "payer", "payee", "amount", "reference"})
def interbank(ctx: Ctx, b: dict[str, Any]) -> None:
    """Two banks settle a cycle's net position: what the payer's cards spent at merchants
    the payee acquires (and paid out), less the other way round; both gross legs move on
    the books, the net by bank transfer."""
    if ctx.chain_format < 4:
        raise Rejected(Reason.MALFORMED, "interbank netting needs chain format 4")
    cycle, payer, payee = b["cycle"], b["payer"], b["payee"]
    if not valid_cycle(cycle):
        raise Rejected(Reason.MALFORMED, "cycle must be a date as yyyymmdd")
    for bank_id in (payer, payee):
        if bank_id not in ctx.bank_ids:
            raise Rejected(Reason.UNKNOWN_BANK, f"no bank {bank_id!r}")
    if payer == payee:
        raise Rejected(Reason.MALFORMED, "a bank does not settle with itself")
    ctx.bank = payer
    ctx.require("clerk", payer, "settling with another bank")
    f.ident(b["reference"], "bank transfer reference")
    amount = f.amount(b["amount"], "net amount")
    ctx.amount = amount
    ab, ba, net = net_position(ctx, cycle, payer, payee)
    if net <= 0:
        raise Rejected(Reason.PAYOUT_MISMATCH,
                       f"{payer} owes {payee} nothing for cycle {cycle}" if net == 0 else
                       f"{payee} owes {payer} {-net} fen for cycle {cycle}: it pays")
    if amount != net:
        raise Rejected(Reason.PAYOUT_MISMATCH,
                       f"the net position of {payer} to {payee} in cycle {cycle} is {net} "
                       f"fen, not {amount}")
    for leg, (p, q) in ((ab, (payer, payee)), (ba, (payee, payer))):
        due = leg["owed"] - leg["settled"]
        if due:
            ctx.post(f"bank:{p}:float", CNY, due)
            ctx.post(f"bank:{q}:paid_out", CNY, -due)
        ctx.put("netting", f"{cycle}|{p}|{q}", {**leg, "settled": leg["owed"], "last": {
            "tx": ctx.tx.hex_id, "reference": b["reference"], "at": ctx.time}})
