"""Payments, points redemption and refunds: accepted and rejected for each reason."""

from __future__ import annotations

from typing import Any

from node import crypto
from node.ledger import queries as q
from node.ledger.tx import Tx
from tests.support.world import BASKET, World


def code(w: World, tx: Tx) -> str:
    return w.one(tx).code


def funded(w: World, deposit: int = 300_000, *, named: bool = True,
           ehb: int = 0, jrb: int = 0) -> str:
    n = w.issue(deposit=deposit, named=named)
    for bank, pts in (("EHB", ehb), ("JRB", jrb)):
        if pts:
            assert code(w, w.tx("accrue_points", {"card": n, "bank": bank, "points": pts},
                                w.clerk(bank))) == "ok"
    return n


def test_pay_moves_money_to_the_merchant(world: World) -> None:
    w = world
    n = funded(w)
    assert code(w, w.pay_tx(n)) == "ok"
    assert w.balance(n) == 300_000 - 18_590
    assert w.store.get("accounts", "merchant:M001")["balance"] == 18_590  # type: ignore[index]
    assert set(q.sum_of_balances(w.store).values()) == {0}  # every asset balances


def test_pay_rejections(world: World) -> None:
    w = world
    n = funded(w, 10_000)
    anon = funded(w, 100_000, named=False)
    term = w.k("terminal-M001-T01")
    card_key = w.card_keys[n]
    base = w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}]).body

    def pay(body: dict[str, Any], *keys: crypto.SigningKey) -> str:
        return code(w, w.tx("pay", body, *(keys or (term, card_key))))

    assert pay(base, term) == "unauthorized"              # card did not sign
    assert pay(base, card_key) == "unauthorized"          # terminal did not sign
    assert pay(base, w.k("terminal-M002-T01"), card_key) == "unauthorized"
    assert pay({**base, "terminal": "M009-T01"}) == "unknown_terminal"
    assert pay({**base, "amount": 4_799}) == "amount_mismatch"
    assert pay({**base, "amount": 0}) == "bad_amount"
    assert pay({**base, "items": [{"sku": "NOPE", "qty": 1}]}) == "unknown_sku"
    assert pay({**base, "items": [{"sku": "TEA-250", "qty": 0}]}) == "malformed"
    assert pay({**base, "items": []}) == "malformed"
    assert pay({**base, "order": "bad order id!"}) == "malformed"
    assert pay({**base, "items": [{"sku": "MOON-BOX", "qty": 1}], "amount": 26_800}) \
        == "insufficient_funds"
    # spending 10,000 CNY or more with an anonymous card is no real-name matter from chain
    # format 5 (the rule governs buying cards: tests/test_ledger_sales.py); it is short
    tv = w.pay_tx(anon, [{"sku": "TV-65", "qty": 1}])
    assert code(w, tv) == "insufficient_funds"
    # points the card does not have, a bank without points for the goods, over the limit
    assert pay({**base, "redeem": [{"bank": "EHB", "cash": 100}]}) == "insufficient_points"
    milk = {**base, "items": [{"sku": "MILK-12", "qty": 1}], "amount": 5_990,
            "redeem": [{"bank": "EHB", "cash": 1}]}
    assert pay(milk) == "points_not_accepted"
    assert pay({**base, "redeem": [{"bank": "XYZ", "cash": 1}]}) == "unknown_bank"
    assert pay({**base, "redeem": [{"bank": "EHB", "cash": 1}, {"bank": "EHB", "cash": 1}]}) \
        == "malformed"
    assert w.balance(n) == 10_000  # nothing above changed anything


def test_merchant_on_regulatory_hold_cannot_take_payments(world: World) -> None:
    w = world
    n = funded(w)
    reg = w.k("regulator-1")
    hold = w.tx("set_merchant_hold", {"merchant": "M001", "hold": True}, reg)
    assert code(w, w.tx("set_merchant_hold", {"merchant": "M001", "hold": True},
                        w.k("clearing-1"))) == "unauthorized"
    assert code(w, hold) == "ok"
    assert code(w, w.pay_tx(n)) == "merchant_not_active"
    assert code(w, w.tx("set_merchant_hold", {"merchant": "M001", "hold": False}, reg)) == "ok"
    assert code(w, w.pay_tx(n)) == "ok"


def test_points_from_two_banks_in_one_payment(world: World) -> None:
    w = world
    n = funded(w, 300_000, ehb=50_000, jrb=50_000)
    items = [{"sku": "TEA-250", "qty": 2}, {"sku": "RICE-5KG", "qty": 1},
             {"sku": "OIL-1L", "qty": 1}, {"sku": "MILK-12", "qty": 1}]
    offer = q.redemption_offer(w.store, w.genesis, "M001-T01", n, items)
    by_bank = {o["bank"]: o for o in offer["offers"]}
    # EHB: 100 points per CNY, 30% of eligible goods (tea 9,600 + rice 8,990), cap 200 CNY
    assert by_bank["EHB"]["eligible_fen"] == 18_590
    assert by_bank["EHB"]["max_cash"] == 18_590 * 3000 // 10_000 == 5_577
    # JRB: 200 points per CNY, 20% of eligible goods (tea 9,600 + oil 3,250), cap 100 CNY
    assert by_bank["JRB"]["max_cash"] == 12_850 * 2000 // 10_000 == 2_570
    assert by_bank["JRB"]["points"] == 2_570 * 2 == 5_140
    combo = [{"bank": c["bank"], "cash": c["cash"]} for c in offer["combination"]]
    assert {c["bank"] for c in combo} == {"EHB", "JRB"}
    points_cash = sum(c["cash"] for c in combo)
    res = w.one(w.pay_tx(n, items, redeem=combo))
    assert res.ok, res
    total = offer["total"]
    assert w.balance(n) == 300_000 - (total - points_cash)
    # the card's issuer (EHB) gives 1 point per CNY of the card cash (demo contract)
    earned = (total - points_cash) * 1 // 100
    assert w.points("EHB", n) == 50_000 - offer["combination"][0]["points"] + earned
    assert w.points("JRB", n) == 50_000 - offer["combination"][1]["points"]
    pay_row = w.store.get("payments", res.id)
    assert pay_row is not None and pay_row["total"] == total
    assert pay_row["cash"] == total - points_cash
    # the offer is what execution accepts: one fen more than the offer is refused
    n2 = funded(w, 300_000, ehb=50_000)
    over = w.pay_tx(n2, items, redeem=[{"bank": "EHB", "cash": 5_578}])
    assert code(w, over) == "points_over_limit"
    assert code(w, w.pay_tx(n2, items, redeem=[{"bank": "EHB", "cash": 5_577}])) == "ok"
    assert q.sum_of_balances(w.store) == {"CNY": 0, "PTS:EHB": 0, "PTS:JRB": 0}


def test_points_limit_per_order_and_balance(world: World) -> None:
    w = world
    n = funded(w, 300_000, ehb=1_000)       # 1,000 points = 10 CNY
    items = [{"sku": "MOON-BOX", "qty": 3}]  # 80,400 fen, all eligible
    offer = q.redemption_offer(w.store, w.genesis, "M001-T01", n, items)
    assert offer["offers"][0]["max_cash"] == 1_000  # limited by the balance
    n2 = funded(w, 300_000, ehb=10**6)
    offer2 = q.redemption_offer(w.store, w.genesis, "M001-T01", n2, items)
    assert offer2["offers"][0]["max_cash"] == 20_000  # max_fen_per_order
    assert code(w, w.pay_tx(n2, items, redeem=[{"bank": "EHB", "cash": 20_001}])) \
        == "points_over_limit"


def test_refunds(world: World) -> None:
    w = world
    n = funded(w, 100_000, ehb=10_000)
    items = [{"sku": "RICE-5KG", "qty": 1}]
    pay = w.one(w.pay_tx(n, items, redeem=[{"bank": "EHB", "cash": 2_000}]))
    assert pay.ok
    after_pay = w.balance(n)
    term = w.k("terminal-M001-T01")

    def refund(amount: object, key: crypto.SigningKey = term, payment: str = pay.id,
               terminal: str = "M001-T01") -> str:
        return code(w, w.tx("refund", {"terminal": terminal, "payment": payment,
                                       "amount": amount}, key))

    assert refund(9_000) == "refund_too_large"
    assert refund(0) == "bad_amount"
    assert refund(100, w.k("terminal-M003-T01"), terminal="M003-T01") == "unknown_payment"
    assert refund(100, w.clerk()) == "unauthorized"
    assert refund(100, payment="ab" * 32) == "unknown_payment"
    assert refund(100, payment="not-hex") == "malformed"
    # cash first: 6,990 fen were paid from the card
    assert refund(6_000) == "ok"
    assert w.balance(n) == after_pay + 6_000
    # then the points part goes back as points
    assert refund(2_990) == "ok"
    assert w.balance(n) == after_pay + 6_990
    assert w.points("EHB", n) == 10_000
    assert refund(1) == "refund_too_large"
    assert q.sum_of_balances(w.store) == {"CNY": 0, "PTS:EHB": 0}


def test_refund_goes_to_replacement_card_and_respects_cap(world: World) -> None:
    w = world
    n = funded(w, 100_000, named=False)
    pay = w.one(w.pay_tx(n, [{"sku": "MOON-BOX", "qty": 1}]))
    assert w.one(w.tx("top_up", {"card": n, "amount": 26_800}, w.clerk())).ok
    r = w.one(w.tx("refund", {"terminal": "M001-T01", "payment": pay.id, "amount": 100},
                   w.k("terminal-M001-T01")))
    assert r.code == "balance_cap"
    assert w.balance(n) == 100_000
    assert BASKET  # the shared basket fixture stays importable


def test_the_state_cache_holds_what_is_read_and_never_a_stale_row(world: World) -> None:
    """Rows written but never read (one payment record per payment) stay out of the cache,
    so it does not grow with the chain; every cached row equals the committed one."""
    w = world
    n = funded(w)
    pay = w.pay_tx(n)
    assert code(w, pay) == "ok"
    assert code(w, w.pay_tx(n, order="second")) == "ok"
    cache = w.ledger.st.cache
    assert ("payments", pay.hex_id) not in cache
    assert ("accounts", f"card:{n}") in cache
    for (table, key), row in cache.items():
        assert row == w.store.get(table, key), (table, key)


def test_a_merchant_order_takes_one_accepted_payment(world: World) -> None:
    """duplicate_order: a retry signed anew, a second terminal of the same merchant, the
    same order at another merchant (allowed), and a refused attempt (holds nothing)."""
    w = world
    n = funded(w)
    short = funded(w, 1_000)
    assert code(w, w.pay_tx(short, order="A-1")) == "insufficient_funds"
    first = w.pay_tx(n, order="A-1")
    assert code(w, first) == "ok"  # the refused attempt held nothing
    again = w.one(w.pay_tx(n, order="A-1"))  # the till signed the same sale again
    assert again.code == "duplicate_order" and first.hex_id in again.message
    other_till = w.one(w.pay_tx(n, order="A-1", terminal="M001-T02"))
    assert other_till.code == "duplicate_order"
    assert code(w, w.pay_tx(n, [{"sku": "BOOK-ATLAS", "qty": 1}], order="A-1",
                            terminal="M002-T01")) == "ok"  # another merchant's order A-1
    atlas = next(g["price"] for m in w.genesis.merchants for g in m["catalogue"]
                 if g["sku"] == "BOOK-ATLAS")
    assert w.balance(n) == 300_000 - 18_590 - atlas  # charged once per order


EARN = {"points_per_cny": 100, "max_share_bp": 3_000, "max_fen_per_order": 20_000,
        "earn": {"per_cny": 10, "merchants": {"M002": 20}, "top_up_per_cny": 1,
                 "daily_cap": 1_500}}


def test_points_are_earned_in_the_payment_and_taken_back_by_its_refund(world: World) -> None:
    w = world
    for bad in [{"per_cny": -1}, {"per_cny": "10"}, {"nope": 1}, {"merchants": {"M 1": 5}},
                {"daily_cap": -5}, []]:
        r = w.one(w.tx("set_points_contract", {"bank": "EHB", "contract": {
            **EARN, "earn": bad}}, w.clerk()))
        assert r.code == "malformed", bad
    assert w.one(w.tx("set_points_contract", {"bank": "EHB", "contract": EARN},
                      w.clerk())).ok
    n = w.issue(deposit=300_000)  # the deposit earns 1 point per CNY: 3,000, capped
    assert w.points("EHB", n) == 1_500
    w.now += 86_400_000  # the next day: a fresh cap
    tea = w.one(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}]))  # 4,800 fen at M001: 480
    assert tea.ok and w.points("EHB", n) == 1_500 + 480
    book = w.one(w.pay_tx(n, [{"sku": "BOOK-ATLAS", "qty": 1}], terminal="M002-T01"))
    assert book.ok and w.points("EHB", n) == 1_500 + 480 + 1_020  # 12,800 at 20: capped
    assert w.store.get("payments", tea.id)["earned"] == ["EHB", 480, 0]  # type: ignore
    # a refund of half the tea's cash takes back half of what it earned
    r = w.one(w.tx("refund", {"terminal": "M001-T01", "payment": tea.id, "amount": 2_400},
                   w.k("terminal-M001-T01")))
    assert r.ok and w.points("EHB", n) == 3_000 - 240
    assert w.one(w.tx("refund", {"terminal": "M001-T01", "payment": tea.id, "amount": 2_400},
                      w.k("terminal-M001-T01"))).ok
    assert w.points("EHB", n) == 3_000 - 480
    # points paid part: earning is on the card cash only; another bank's card earns
    # nothing from EHB's contract
    j = w.issue("JRB", deposit=100_000)
    assert w.one(w.pay_tx(j, [{"sku": "TEA-250", "qty": 1}])).ok and w.points("EHB", j) == 0
    assert q.sum_of_balances(w.store)["PTS:EHB"] == 0  # granted from the pool, not made


def test_a_merchant_category_earns_its_own_rate_a_merchant_its_own_first(world: World) -> None:
    w = world
    contract = {**EARN, "earn": {"per_cny": 10, "categories": {"restaurant": 30},
                                 "merchants": {"M003": 50}}}
    assert w.one(w.tx("set_points_contract", {"bank": "EHB", "contract": contract},
                      w.clerk())).ok
    assert w.store.get("merchants", "M003")["category"] == "restaurant"  # type: ignore
    n = w.issue(deposit=100_000)
    noodles = [{"sku": "NOODLE-BEEF", "qty": 1}]  # 2,800 fen at the restaurant M003
    assert w.one(w.pay_tx(n, noodles, terminal="M003-T01")).ok
    assert w.points("EHB", n) == 2_800 * 50 // 100  # the merchant's own rate first
    del contract["earn"]["merchants"]
    assert w.one(w.tx("set_points_contract", {"bank": "EHB", "contract": contract},
                      w.clerk())).ok
    assert w.one(w.pay_tx(n, noodles, terminal="M003-T01")).ok
    assert w.points("EHB", n) == 1_400 + 2_800 * 30 // 100  # then its category's
    for bad in [{"categories": {"bad cat": 1}}, {"categories": {"x": -1}}, {"categories": []}]:
        assert w.one(w.tx("set_points_contract", {"bank": "EHB", "contract": {
            **EARN, "earn": bad}}, w.clerk())).code == "malformed", bad
    m = {"merchant": "M200", "name": "Tea 茶", "acquirer": "EHB", "fee_bp": 50,
         "cutoff_min": 1380}
    assert w.one(w.tx("register_merchant", {**m, "category": "no spaces"},
                      w.k("clearing-1"))).code == "malformed"
    assert w.one(w.tx("register_merchant", {**m, "category": "tea"}, w.k("clearing-1"))).ok
    assert w.store.get("merchants", "M200")["category"] == "tea"  # type: ignore[index]
