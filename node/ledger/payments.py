"""Payment rules: pay (terminal and card sign; optional points redemption) and refund."""

from __future__ import annotations

from typing import Any

from node.ledger import lots
from node.ledger import points as pts
from node.ledger import tx as f
from node.ledger.cycles import open_cycle
from node.ledger.errors import Reason, Rejected
from node.ledger.rules import (
    CNY,
    active_terminal,
    card,
    card_acct,
    check_cap,
    contracts,
    mask,
    points_balances,
    pts_acct,
    rule,
    usable_card,
)
from node.ledger.state import Ctx, Row


def _cycle_row(ctx: Ctx, merchant_id: str, m: Row) -> tuple[str, Row]:
    cycle = open_cycle(ctx.time, m["cutoff_min"], ctx.params["utc_offset_min"],
                       m.get("closed_through", 0))
    key = f"{merchant_id}|{cycle}"
    row = ctx.get("cycles", key) or {
        "merchant": merchant_id, "cycle": cycle, "count": 0, "gross": 0,
        "refund_count": 0, "refunds": 0, "points": {},
    }
    return key, row


def issuer_cash(ctx: Ctx, cyc: Row, issuer: str, cash: int) -> dict[str, int]:
    """A cycle's card cash by issuing bank, after ``cash`` more (less, for a refund) of
    ``issuer``'s cards; the issuer's ``in_flight`` (spent at merchants, not yet paid out to
    them: still its prepaid liability) moves by as much."""
    by = dict(cyc.get("issuers") or {})
    by[issuer] = by.get(issuer, 0) + cash
    brow = ctx.get("banks", issuer) or {}
    ctx.put("banks", issuer, {**brow, "in_flight": int(brow.get("in_flight", 0)) + cash})
    return by


def _redeem_requests(raw: Any) -> list[tuple[str, int]]:
    if not isinstance(raw, list) or len(raw) > 8:
        raise Rejected(Reason.MALFORMED, "redeem must be a list of at most 8 {bank, cash}")
    out: list[tuple[str, int]] = []
    for r in raw:
        if not isinstance(r, dict):
            raise Rejected(Reason.MALFORMED, "each redemption is {bank, cash}")
        f.check_body(r, {"bank", "cash"}, set())
        if not isinstance(r["bank"], str):
            raise Rejected(Reason.UNKNOWN_BANK, "bank must be a bank id")
        if any(r["bank"] == b for b, _ in out):
            raise Rejected(Reason.MALFORMED, f"bank {r['bank']} is listed twice")
        out.append((r["bank"], f.amount(r["cash"], "points cash value")))
    return out


def _tendered(ctx: Ctx, b: dict[str, Any], due: int, total: int) -> int:
    """Cash the customer paid at the till for part of the order (split tender, chain
    format 6): at most what is left after points, and never the whole order (then there
    is nothing for the chain); the chain carries the rest."""
    if "cash_tendered" not in b:
        return 0
    if ctx.chain_format < 6:
        raise Rejected(Reason.MALFORMED, "cash paid at the till needs chain format 6")
    tendered = f.amount(b["cash_tendered"], "cash tendered")
    if tendered > due:
        raise Rejected(Reason.AMOUNT_MISMATCH,
                       f"cash tendered {tendered} fen is more than the {due} fen left after "
                       "points")
    if tendered >= total:
        raise Rejected(Reason.AMOUNT_MISMATCH,
                       f"cash tendered {tendered} fen pays the whole order: it needs no card")
    return tendered


@rule("pay", {"terminal", "card", "order", "items", "amount"}, {"redeem", "cash_tendered"})
def pay(ctx: Ctx, b: dict[str, Any]) -> None:
    terminal, m = active_terminal(ctx, b["terminal"])
    merchant_id = terminal["merchant"]
    number = b["card"]
    crow = usable_card(ctx, number)
    ctx.card = number
    ctx.bank = crow["bank"]
    ctx.require_key(crow["public_key"], f"card {mask(number)}")
    order = f.ident(b["order"], "order id")
    order_key = f"{merchant_id}|{order}"
    if ctx.chain_format >= 3:  # one merchant order, at most one accepted payment
        held = ctx.get("orders", order_key)
        if held is not None:
            raise Rejected(Reason.DUPLICATE_ORDER,
                           f"order {order} of merchant {merchant_id} is already paid by "
                           f"transaction {held['payment']}")
    declared = f.amount(b["amount"], "order amount")
    ctx.amount = declared
    catalogue = ctx.get("catalogues", merchant_id)
    lines = pts.price_lines(catalogue["items"] if catalogue else [], b["items"])
    total = sum(x.total for x in lines)
    if declared != total:
        raise Rejected(Reason.AMOUNT_MISMATCH,
                       f"the order totals {total} fen at catalogue prices, not {declared}")
    if ctx.chain_format < 5 and not crow["named"] \
            and total >= ctx.limits["real_name_threshold"]:
        # before chain format 5 the real-name threshold was (wrongly) applied to spending;
        # it belongs to the purchase of cards (node/ledger/sales.py)
        raise Rejected(Reason.REAL_NAME_REQUIRED,
                       f"purchases of {ctx.limits['real_name_threshold']} fen or more need "
                       "a named card")
    requests = _redeem_requests(b.get("redeem", []))
    cons = contracts(ctx)
    if ctx.chain_format >= 5 and requests:  # each bank's own choice at this terminal
        lines, cons = pts.at_terminal(lines, cons, b["terminal"])
    redemptions = pts.allocate(lines, requests, cons,
                               points_balances(ctx, number) if requests else {})
    points_cash = sum(r.cash for r in redemptions)
    tendered = _tendered(ctx, b, total - points_cash, total)
    cash = total - points_cash - tendered
    # the chain's part of the order: the card's and the points'; cash stays in the drawer
    total -= tendered
    ctx.amount = total
    balance = ctx.balance(card_acct(number))
    if cash > balance:
        raise Rejected(Reason.INSUFFICIENT_FUNDS,
                       f"card {mask(number)} holds {balance} fen; {cash} fen is due")
    ctx.post(card_acct(number), CNY, -cash)
    ctx.post(f"merchant:{merchant_id}", CNY, total)
    used: dict[str, lots.Lots] = {}  # the lots each bank's redemption took (format 5)
    for r in redemptions:
        used[r.bank] = lots.debit(ctx, r.bank, number, r.points)
        lots.pool(ctx, r.bank, r.points, "redeemed")
        ctx.post(f"bank:{r.bank}:points_payable", CNY, -r.cash)
    key, cyc = _cycle_row(ctx, merchant_id, m)
    by_bank = dict(cyc["points"])
    for r in redemptions:
        by_bank[r.bank] = by_bank.get(r.bank, 0) + r.cash
    new_cyc = {**cyc, "count": cyc["count"] + 1, "gross": cyc["gross"] + total,
               "points": by_bank}
    if ctx.chain_format >= 4:  # the card cash each issuer's cards spent (interbank netting)
        new_cyc["issuers"] = issuer_cash(ctx, cyc, crow["bank"], cash)
    ctx.put("cycles", key, new_cyc)
    payment = {
        "merchant": merchant_id, "terminal": b["terminal"], "card": number, "order": order,
        "total": total, "cash": cash, "cycle": cyc["cycle"], "time": ctx.time,
        "redeemed": [[r.bank, r.points, r.cash] for r in redemptions],
        "refunded": 0, "refunded_cash": 0, "refunded_points": {},
        "lines": [[x.sku, x.qty, x.total] for x in lines],
    }
    if tendered:
        payment["tendered"] = tendered
    if ctx.chain_format >= 5 and used:
        payment["redeemed_lots"] = used
    # the issuer's points for the card cash, in this same transaction (chain format 4)
    earned = lots.earn_points(ctx, number, crow, cash, merchant_id, category=m.get("category"))
    if earned:
        payment["earned"] = [crow["bank"], earned, 0]  # bank, points, taken back so far
    ctx.put("payments", ctx.tx.hex_id, payment)
    if ctx.chain_format >= 3:
        ctx.put("orders", order_key, {"merchant": merchant_id, "payment": ctx.tx.hex_id})


def _current_card(ctx: Ctx, number: str) -> tuple[str, Row]:
    """A refund goes to the card that replaced a lost one."""
    row = card(ctx, number)
    for _ in range(100):
        if row["status"] != "lost" or row["replaced_by"] is None:
            break
        number = row["replaced_by"]
        row = card(ctx, number)
    if row["status"] == "closed":
        raise Rejected(Reason.CARD_CLOSED, f"card {mask(number)} is closed; refund in cash")
    return number, row


MAX_REFUND_LINES = 100


def _lines_back(ctx: Ctx, raw: Any, p: Row, amount: int) -> dict[str, int]:
    """Per-line refund (chain format 6): the goods coming back, each a line of the payment
    and no more of it than was bought less what earlier refunds returned; the amount must
    be what they cost in that payment.  The payment's returned quantities after it."""
    if ctx.chain_format < 6:
        raise Rejected(Reason.MALFORMED, "refunds by line need chain format 6")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_REFUND_LINES:
        raise Rejected(Reason.MALFORMED,
                       f"lines must be a list of 1 to {MAX_REFUND_LINES} {{sku, qty}}")
    bought = {sku: (int(qty), int(total)) for sku, qty, total in p.get("lines") or []}
    back = dict(p.get("refunded_lines") or {})
    seen: set[str] = set()
    value = 0
    for r in raw:
        if not isinstance(r, dict):
            raise Rejected(Reason.MALFORMED, "each line is {sku, qty}")
        f.check_body(r, {"sku", "qty"}, set())
        sku = r["sku"]
        if not isinstance(sku, str) or sku not in bought:
            raise Rejected(Reason.UNKNOWN_SKU, f"the payment has no line {sku!r}")
        if sku in seen:
            raise Rejected(Reason.MALFORMED, f"line {sku} is listed twice")
        seen.add(sku)
        qty = f.integer(r["qty"], "quantity returned", 1, 1_000_000)
        have, total = bought[sku]
        if back.get(sku, 0) + qty > have:
            raise Rejected(Reason.REFUND_TOO_LARGE,
                           f"only {have - back.get(sku, 0)} of {sku} left to return")
        back[sku] = back.get(sku, 0) + qty
        value += total // have * qty
    if value != amount:
        raise Rejected(Reason.AMOUNT_MISMATCH,
                       f"the goods returned cost {value} fen in that payment, not {amount}")
    return back


@rule("refund", {"terminal", "payment", "amount"}, {"order", "lines"})
def refund(ctx: Ctx, b: dict[str, Any]) -> None:
    terminal, m = active_terminal(ctx, b["terminal"])
    merchant_id = terminal["merchant"]
    pay_id = f.hex64(b["payment"], "payment id")
    if "order" in b:
        f.ident(b["order"], "order id")
    amount = f.amount(b["amount"], "refund amount")
    ctx.amount = amount
    p = ctx.get("payments", pay_id)
    if p is None or p["merchant"] != merchant_id:
        raise Rejected(Reason.UNKNOWN_PAYMENT, f"merchant {merchant_id} has no payment {pay_id}")
    left = p["total"] - p["refunded"]
    if amount > left:
        raise Rejected(Reason.REFUND_TOO_LARGE,
                       f"only {left} fen of that payment is left to refund")
    lines_back = _lines_back(ctx, b["lines"], p, amount) if "lines" in b else None
    number, crow = _current_card(ctx, p["card"])
    ctx.card = number
    ctx.bank = crow["bank"]
    r_cash = min(amount, p["cash"] - p["refunded_cash"])
    check_cap(ctx, crow, number, ctx.balance(card_acct(number)) + r_cash)
    rest = amount - r_cash
    refunded_points = dict(p["refunded_points"])
    key, cyc = _cycle_row(ctx, merchant_id, m)
    by_bank = dict(cyc["points"])
    ctx.post(f"merchant:{merchant_id}", CNY, -amount)
    ctx.post(card_acct(number), CNY, r_cash)
    for bank_id, points, cash in p["redeemed"]:
        done = refunded_points.get(bank_id, 0)
        x = min(rest, cash - done)
        if x <= 0:
            continue
        back = points * (done + x) // cash - points * done // cash
        rest -= x
        refunded_points[bank_id] = done + x
        by_bank[bank_id] = by_bank.get(bank_id, 0) - x
        ctx.post(f"bank:{bank_id}:points_payable", CNY, x)
        lots.pool(ctx, bank_id, -back, "returned")
        # the points go back to the lots they were taken from (format 5)
        before = points * done // cash
        lots.credit(ctx, bank_id, number, back, lots=lots.returned_lots(
            (p.get("redeemed_lots") or {}).get(bank_id, []), before, before + back)
            if ctx.chain_format >= 5 else None)
    new_p = {**p, "refunded": p["refunded"] + amount,
             "refunded_cash": p["refunded_cash"] + r_cash, "refunded_points": refunded_points}
    if lines_back is not None:
        new_p["refunded_lines"] = lines_back
    if p.get("earned") and p["cash"] > 0:  # what the refunded cash earned goes back
        bank_id, got, back = p["earned"]
        due = got * new_p["refunded_cash"] // p["cash"] - back
        take = max(0, min(due, ctx.balance(pts_acct(bank_id, number))))  # (never negative)
        if take:  # off the newest lots
            lots.debit(ctx, bank_id, number, take, newest=True)
            lots.pool(ctx, bank_id, take, "taken_back")
        new_p["earned"] = [bank_id, got, back + due]
    ctx.put("payments", pay_id, new_p)
    ctx.put("refunds", ctx.tx.hex_id, {
        "merchant": merchant_id, "terminal": b["terminal"], "payment": pay_id, "card": number,
        "amount": amount, "cash": r_cash, "order": b.get("order"), "cycle": cyc["cycle"],
        "time": ctx.time, **({"lines": b["lines"]} if lines_back is not None else {})})
    new_cyc = {**cyc, "refund_count": cyc["refund_count"] + 1,
               "refunds": cyc["refunds"] + amount, "points": by_bank}
    if ctx.chain_format >= 4:
        new_cyc["issuers"] = issuer_cash(ctx, cyc, crow["bank"], -r_cash)
    ctx.put("cycles", key, new_cyc)
