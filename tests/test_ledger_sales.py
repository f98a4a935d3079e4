"""The prepaid-card rules applied to the acts they govern (chain format 5): the buyer's
real-name registration for cards worth 10,000 CNY or more in one go, bank transfer above
the cash limits for card purchases and top-ups, anonymous cards not reported lost."""

from __future__ import annotations

from typing import Any

from node.ledger import queries as q
from tests.support.world import World

TRANSFER = {"method": "transfer", "payer": "organisation", "reference": "TRF-20261205-1"}
ORG_CASH = {"method": "cash", "payer": "organisation"}


def code(w: World, tx: Any) -> str:
    return w.one(tx).code


def cards_of(w: World) -> int:
    return len(w.store.query("SELECT key FROM cards"))


def test_ten_thousand_yuan_of_cards_in_one_go_needs_the_buyers_registration(
        world: World) -> None:
    w = world
    before = cards_of(w)
    sale, numbers = w.sell_tx([100_000] * 10, TRANSFER)
    r = w.one(sale)
    assert r.code == "real_name_required" and "1000000 fen" in r.message
    assert cards_of(w) == before  # nothing of the sale stays
    # just under the threshold needs no registration
    sale, numbers = w.sell_tx([100_000] * 9 + [99_999], TRANSFER)
    assert code(w, sale) == "ok"
    # with the buyer's sealed details it is sold; the sale records how it was paid
    sale, numbers = w.sell_tx([100_000] * 10, TRANSFER, buyer="110101199001011234")
    r = w.one(sale)
    assert r.ok, r
    rec = w.store.get("sales", r.id)
    assert rec is not None and rec["total"] == 1_000_000 and rec["payment"] == TRANSFER
    assert rec["buyer"]["pii"]["commitment"] and "Han" not in str(rec)
    for n in numbers:
        card = w.store.get("cards", n)
        assert card is not None and card["named"] is False and card["sale"] == r.id
        assert w.balance(n) == 100_000
    assert set(q.sum_of_balances(w.store).values()) == {0}


def test_organisations_and_people_pay_by_bank_transfer_above_the_cash_limits(
        world: World) -> None:
    w = world
    sale, _ = w.sell_tx([100_000] * 5, ORG_CASH)
    assert code(w, sale) == "bank_transfer_required"
    sale, _ = w.sell_tx([100_000] * 4 + [99_999], ORG_CASH)
    assert code(w, sale) == "ok"
    person = {"method": "cash", "payer": "person"}
    sale, _ = w.sell_tx([100_000] * 50, person, buyer="110101199001011234")
    assert code(w, sale) == "bank_transfer_required"
    sale, _ = w.sell_tx([100_000] * 50, {"method": "debit_card", "payer": "person"},
                        buyer="110101199001011234")
    assert code(w, sale) == "ok"
    # an opening deposit is a purchase too
    t, _n = w.issue_tx(deposit=500_000)
    t = w.tx("issue_card", {**t.body, "payment": ORG_CASH}, w.clerk())
    assert code(w, t) == "bank_transfer_required"
    t, _n = w.issue_tx(deposit=500_000)
    assert code(w, w.tx("issue_card", {**t.body, "payment": TRANSFER}, w.clerk())) == "ok"


def test_a_top_up_records_its_payment_and_the_cash_limit_holds_at_consensus(
        world: World) -> None:
    w = world
    n = w.issue()
    top = {"card": n, "amount": 500_000}
    assert code(w, w.tx("top_up", {**top, "payment": ORG_CASH}, w.clerk())) \
        == "cash_top_up_limit"
    assert w.balance(n) == 0
    for bad in ({"method": "credit_card", "payer": "person"},
                {"method": "transfer", "payer": "organisation"},        # no reference
                {"method": "cash", "payer": "person", "reference": "X"},
                {"method": "cash", "payer": "company"}, {"method": "cash"}, "cash"):
        assert code(w, w.tx("top_up", {**top, "payment": bad}, w.clerk())) == "malformed", bad
    r = w.one(w.tx("top_up", {**top, "payment": TRANSFER}, w.clerk()))
    assert r.ok and w.balance(n) == 500_000
    # one that names none is a person's cash: 50,000 CNY is far above any card's cap, so
    # a person's top-up in cash is within the limit
    m = w.issue()
    assert code(w, w.tx("top_up", {"card": m, "amount": 20_000}, w.clerk())) == "ok"


def test_sales_are_checked_in_form(world: World) -> None:
    w = world
    sale, numbers = w.sell_tx([100_000, 100_000], TRANSFER)
    body = sale.body

    def with_(**changes: Any) -> str:
        return code(w, w.tx("sell_cards", {**body, **changes}, w.clerk()))

    first = body["cards"][0]
    assert with_(cards=[]) == "malformed"
    assert with_(cards=[first] * 2) == "malformed"
    assert with_(cards=[{**first, "deposit": 100_001}]) == "balance_cap"
    assert with_(cards=[{**first, "deposit": 0}]) == "bad_amount"
    assert with_(cards=[{**first, "named": True}]) == "malformed"
    assert with_(cards=[{**first, "card": "6229170000000000000"}]) in ("bad_card_number",)
    assert with_(buyer={"id_hash": "00" * 32}) == "malformed"
    assert with_(bank="JRB") == "unauthorized"
    assert code(w, w.tx("sell_cards", body, w.clerk("JRB"))) == "unauthorized"
    assert all(w.store.get("cards", n) is None for n in numbers)
    assert code(w, sale) == "ok"
    assert code(w, w.tx("sell_cards", body, w.clerk())) == "card_exists"


def test_anonymous_cards_are_not_reported_lost_named_ones_are(world: World) -> None:
    w = world
    for named, expect in ((False, "anonymous_card"), (True, "ok")):
        n = w.issue(named=named, deposit=10_000)
        _t, new = w.issue_tx()
        lost = w.tx("report_lost", {"card": n, "new_card": new, "new_public_key":
                                    w.card_keys[new].public, "new_expires": w.now + 10**9},
                    w.clerk())
        assert code(w, lost) == expect


def format4(w: World) -> World:
    """The same world on a chain of format 4 (created before these rules)."""
    return w.at_format(4)


def test_a_format_4_chain_keeps_its_rules(world: World) -> None:
    w = format4(world)
    anon = w.issue(named=False, deposit=50_000)
    # the old check on spending stays for the chain it was written on
    assert code(w, w.pay_tx(anon, [{"sku": "TV-65", "qty": 1}])) == "real_name_required"
    sale, _ = w.sell_tx([1_000], TRANSFER)
    assert code(w, sale) == "malformed"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 100, "payment": TRANSFER},
                        w.clerk())) == "malformed"
    assert code(w, w.tx("expire_points", {"bank": "EHB", "cycle": 20261101}, w.clerk())) \
        == "malformed"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 100}, w.clerk())) == "ok"
    assert code(w, w.tx("freeze", {"card": anon, "reason": "lost"}, w.clerk())) == "malformed"
