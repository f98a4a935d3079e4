"""Refunds line by line (chain format 6): the goods coming back go on chain, no line comes
back more often than it was bought, the amount is what those goods cost in that payment;
a chain of an earlier format keeps refunding by amount only."""

from __future__ import annotations

from typing import Any

from node.ledger import queries as q
from node.ledger.tx import Tx
from tests.support.world import World

TEA, MOON = 4_800, 26_800  # their catalogue prices at M001


def refund(w: World, payment: str, amount: int, lines: Any = None) -> Tx:
    body: dict[str, Any] = {"terminal": "M001-T01", "payment": payment, "amount": amount}
    if lines is not None:
        body["lines"] = lines
    return w.tx("refund", body, w.k("terminal-M001-T01"))


def decided(w: World, tx: Tx) -> tuple[str, str]:
    r = w.one(tx)
    return r.code, r.message


def test_goods_come_back_line_by_line_never_twice(world: World) -> None:
    w = world
    card = w.issue(deposit=100_000)
    pay = w.pay_tx(card, [{"sku": "TEA-250", "qty": 2}, {"sku": "MOON-BOX", "qty": 1}])
    assert w.one(pay).ok
    before = w.balance(card)
    assert decided(w, refund(w, pay.hex_id, TEA, [{"sku": "TEA-250", "qty": 1}]))[0] == "ok"
    assert w.balance(card) == before + TEA
    row = next(r for r in q.refundable(w.store, "M001") if r["id"] == pay.hex_id)
    assert row["refunded_lines"] == {"TEA-250": 1} and row["left"] == 2 * TEA + MOON - TEA
    assert [x[:2] for x in row["lines"]] == [["TEA-250", 2], ["MOON-BOX", 1]]
    # every refusal, nothing moved
    bad = [([{"sku": "TEA-250", "qty": 2}], 2 * TEA, "refund_too_large", "only 1 of TEA-250"),
           ([{"sku": "TEA-250", "qty": 1}], TEA + 1, "amount_mismatch", "cost 4800 fen"),
           ([{"sku": "RICE-5KG", "qty": 1}], 8_990, "unknown_sku", "no line 'RICE-5KG'"),
           ([{"sku": "TEA-250", "qty": 1}, {"sku": "TEA-250", "qty": 1}], 2 * TEA,
            "malformed", "listed twice"),
           ([{"sku": "TEA-250", "qty": 0}], 0 + 1, "malformed", "quantity returned"),
           ([{"sku": "TEA-250", "qty": "1"}], TEA, "malformed", "quantity returned"),
           ([{"sku": "TEA-250"}], TEA, "malformed", "missing field"),
           ([], TEA, "malformed", "list of 1 to 100"), ("TEA-250", TEA, "malformed",
                                                        "list of 1 to 100"),
           (["TEA-250"], TEA, "malformed", "each line is")]
    for lines, amount, want, words in bad:
        got, message = decided(w, refund(w, pay.hex_id, amount, lines))
        assert (got, words in message) == (want, True), (lines, got, message)
    assert w.balance(card) == before + TEA
    # the rest comes back: the payment is refunded whole
    assert decided(w, refund(w, pay.hex_id, TEA + MOON, [{"sku": "MOON-BOX", "qty": 1},
                                                     {"sku": "TEA-250", "qty": 1}]))[0] == "ok"
    row = next(r for r in q.refundable(w.store, "M001") if r["id"] == pay.hex_id)
    assert row["left"] == 0 and row["refunded_lines"] == {"TEA-250": 2, "MOON-BOX": 1}
    assert decided(w, refund(w, pay.hex_id, 100))[0] == "refund_too_large"
    assert w.balance(card) == before + 2 * TEA + MOON


def test_an_amount_refund_still_works_and_caps_the_lines(world: World) -> None:
    w = world
    card = w.issue(deposit=100_000)
    pay = w.pay_tx(card, [{"sku": "TEA-250", "qty": 2}])
    assert w.one(pay).ok
    assert decided(w, refund(w, pay.hex_id, 5_000))[0] == "ok"  # a goodwill amount, no goods
    # one tea (4,800) is more than the 4,600 left: the amount still caps a line refund
    assert decided(w, refund(w, pay.hex_id, TEA, [{"sku": "TEA-250", "qty": 1}]))[0] \
        == "refund_too_large"


def test_a_format_5_chain_refunds_by_amount_only(world: World) -> None:
    w = world.at_format(5)
    card = w.issue(deposit=100_000)
    pay = w.pay_tx(card, [{"sku": "TEA-250", "qty": 2}])
    assert w.one(pay).ok
    got, message = decided(w, refund(w, pay.hex_id, TEA, [{"sku": "TEA-250", "qty": 1}]))
    assert got == "malformed" and "chain format 6" in message
    assert decided(w, refund(w, pay.hex_id, TEA))[0] == "ok"
    row = next(r for r in q.refundable(w.store, "M001") if r["id"] == pay.hex_id)
    assert row["refunded_lines"] == {}
    # goods in categories came with format 6 too: a format-5 catalogue change has none
    items = [{"sku": "OOLONG", "name": "Oolong", "price": 3000, "points_banks": [],
              "category": "Tea"}]
    r = w.one(w.tx("set_catalogue", {"merchant": "M001", "items": items}, w.k("clearing-1")))
    assert r.code == "malformed" and "category" in r.message
