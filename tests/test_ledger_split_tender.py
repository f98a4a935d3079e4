"""Split tender (chain format 6): the customer pays part of an order in cash at the till;
the chain carries the rest (points, then the card), the merchant's statement counts the
chain's part only, a refund gives back at most that part, and a chain of an earlier
format refuses cash on chain."""

from __future__ import annotations

from node.ledger import queries as q
from tests.support.world import World

TEA, MOON = 4_800, 26_800


def test_cash_pays_part_the_card_the_rest(world: World) -> None:
    w = world
    card = w.issue(deposit=100_000)
    before = w.balance(card)
    pay = w.pay_tx(card, [{"sku": "TEA-250", "qty": 1}, {"sku": "MOON-BOX", "qty": 1}],
                   cash_tendered=10_000)
    assert w.one(pay).ok
    assert w.balance(card) == before - (TEA + MOON - 10_000)
    p = w.store.get("payments", pay.hex_id)
    assert (p["total"], p["cash"], p["tendered"]) == (TEA + MOON - 10_000,) * 2 + (10_000,)
    assert [x[:2] for x in p["lines"]] == [["TEA-250", 1], ["MOON-BOX", 1]]
    # the statement counts the chain's part, and its lines add up to it
    line = next(x for x in q.statement_lines(w.store, "M001", p["cycle"])
                if x["tx"] == pay.hex_id)
    assert line["amount"] == TEA + MOON - 10_000
    s = q.cycle_statement(w.store, w.genesis, "M001", p["cycle"])
    assert sum(x["amount"] for x in q.statement_lines(w.store, "M001", p["cycle"])) \
        == s["gross"] - s["refunds"]
    # a refund gives back at most the chain's part; the cash goes back from the drawer
    r = w.one(w.tx("refund", {"terminal": "M001-T01", "payment": pay.hex_id,
                              "amount": TEA + MOON}, w.k("terminal-M001-T01")))
    assert r.code == "refund_too_large"
    r = w.one(w.tx("refund", {"terminal": "M001-T01", "payment": pay.hex_id,
                              "amount": TEA + MOON - 10_000}, w.k("terminal-M001-T01")))
    assert r.ok and w.balance(card) == before


def test_cash_cannot_cover_more_than_is_due(world: World) -> None:
    w = world
    card = w.issue(deposit=100_000)
    before = w.balance(card)
    for tendered, want in ((TEA + 1, "amount_mismatch"), (0, "bad_amount"),
                           (-5, "bad_amount"), ("100", "bad_amount")):
        r = w.one(w.pay_tx(card, [{"sku": "TEA-250", "qty": 1}], cash_tendered=tendered))
        assert r.code == want, (tendered, r)
    assert w.balance(card) == before
    # all of it in cash: no card payment at all
    r = w.one(w.pay_tx(card, [{"sku": "TEA-250", "qty": 1}], cash_tendered=TEA))
    assert r.code == "amount_mismatch" and "needs no card" in r.message
    assert w.balance(card) == before
    # points and cash together, the card nothing: the chain carries the points
    w.one(w.tx("accrue_points", {"card": card, "bank": "EHB", "points": 10_000}, w.clerk()))
    pay = w.pay_tx(card, [{"sku": "TEA-250", "qty": 1}], redeem=[{"bank": "EHB", "cash": 1}],
                   cash_tendered=TEA - 1)
    assert w.one(pay).ok and w.balance(card) == before
    assert w.store.get("payments", pay.hex_id)["total"] == 1


def test_a_format_5_chain_takes_no_cash_on_chain(world: World) -> None:
    w = world.at_format(5)
    card = w.issue(deposit=100_000)
    r = w.one(w.pay_tx(card, [{"sku": "TEA-250", "qty": 1}], cash_tendered=1_000))
    assert r.code == "malformed" and "chain format 6" in r.message
