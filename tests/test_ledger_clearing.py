"""Consortium set-up and clearing transactions."""

from __future__ import annotations

from typing import Any

from node import crypto
from node.ledger import queries as q
from node.ledger.cycles import cycle_end, cycle_of
from tests.support.world import World, two_bank_day

DAY = 20261124


def code(w: World, kind: str, body: dict[str, Any], signer: str) -> str:
    return w.one(w.tx(kind, body, w.k(signer))).code


def test_register_merchant_terminal_catalogue(world: World) -> None:
    w = world
    m = {"merchant": "M100", "name": "Tea House 茶馆", "acquirer": "JRB", "fee_bp": 55,
         "cutoff_min": 1380}
    assert code(w, "register_merchant", m, "clerk-EHB-1") == "unauthorized"
    assert code(w, "register_merchant", {**m, "acquirer": "NOPE"}, "clearing-1") \
        == "unknown_bank"
    assert code(w, "register_merchant", {**m, "fee_bp": 10_001}, "clearing-1") == "malformed"
    assert code(w, "register_merchant", {**m, "name": "bad\x07"}, "clearing-1") == "bad_name"
    assert code(w, "register_merchant", m, "clearing-1") == "ok"
    assert code(w, "register_merchant", m, "clearing-1") == "merchant_exists"
    key = crypto.generate()
    t = {"terminal": "M100-T01", "merchant": "M100", "public_key": key.public}
    assert code(w, "register_terminal", {**t, "merchant": "M999"}, "clearing-1") \
        == "unknown_merchant"
    assert code(w, "register_terminal", t, "regulator-1") == "unauthorized"
    assert code(w, "register_terminal", t, "clerk-EHB-1") == "unauthorized"  # not its acquirer
    assert code(w, "register_terminal", t, "clearing-1") == "ok"
    # the acquiring bank's clerk onboards its own merchants and their terminals
    m2 = {**m, "merchant": "M101", "acquirer": "EHB"}
    assert code(w, "register_merchant", m2, "clerk-JRB-1") == "unauthorized"
    assert code(w, "register_merchant", m2, "clerk-EHB-1") == "ok"
    t2 = {"terminal": "M101-T01", "merchant": "M101", "public_key": crypto.generate().public}
    assert code(w, "register_terminal", t2, "clerk-JRB-1") == "unauthorized"
    assert code(w, "register_terminal", t2, "clerk-EHB-1") == "ok"
    assert code(w, "register_terminal", t, "clearing-1") == "terminal_exists"
    used = {**t, "terminal": "M100-T02", "public_key": w.k("terminal-M001-T01").public}
    assert code(w, "register_terminal", used, "clearing-1") == "key_in_use"
    items = [{"sku": "OOLONG", "name": "Oolong 乌龙", "price": 3000, "points_banks": ["JRB"]}]
    cat = {"merchant": "M100", "items": items}
    assert code(w, "set_catalogue", {**cat, "items": [{**items[0], "price": 0}]},
                "clearing-1") == "bad_amount"
    assert code(w, "set_catalogue", {**cat, "items": [{**items[0], "points_banks": ["X"]}]},
                "clearing-1") == "unknown_bank"
    assert code(w, "set_catalogue", {**cat, "items": items * 2}, "clearing-1") == "malformed"
    # goods in categories (chain format 6): a name, checked like one
    assert code(w, "set_catalogue", {**cat, "items": [{**items[0], "category": ""}]},
                "clearing-1") == "bad_name"
    assert code(w, "set_catalogue", {**cat, "items": [{**items[0], "category": "Tea 茶"}]},
                "clearing-1") == "ok"
    assert w.store.get("catalogues", "M100")["items"][0]["category"] == "Tea 茶"
    assert code(w, "set_catalogue", cat, "clearing-1") == "ok"
    # the new terminal sells from the new catalogue
    n = w.issue(deposit=10_000)
    w.keys["terminal-M100-T01"] = key
    assert w.one(w.pay_tx(n, [{"sku": "OOLONG", "qty": 1}], terminal="M100-T01",
                            amount=3_000)).ok


def test_points_contract_changes_offers(world: World) -> None:
    w = world
    contract = {"points_per_cny": 50, "max_share_bp": 10_000, "max_fen_per_order": 100_000}
    assert code(w, "set_points_contract", {"bank": "EHB", "contract": contract},
                "clerk-JRB-1") == "unauthorized"
    assert code(w, "set_points_contract", {"bank": "EHB", "contract": {
        **contract, "max_share_bp": 10_001}}, "clerk-EHB-1") == "malformed"
    assert code(w, "set_points_contract", {"bank": "EHB", "contract": contract},
                "clerk-EHB-1") == "ok"
    n = w.issue(deposit=10_000)
    w.one(w.tx("accrue_points", {"card": n, "bank": "EHB", "points": 100_000}, w.clerk()))
    offer = q.redemption_offer(w.store, w.genesis, "M001-T01", n,
                               [{"sku": "RICE-5KG", "qty": 1}])
    assert offer["offers"][0]["max_cash"] == 8_990
    assert offer["offers"][0]["points"] == 4_495  # 8,990 fen at 50 points per CNY


def _business(w: World) -> tuple[str, str]:
    _, p1, p2 = two_bank_day(w)
    return p1, p2


def test_statement_figures_match_an_independent_recomputation(world: World) -> None:
    w = world
    _business(w)
    s = q.cycle_statement(w.store, w.genesis, "M001", DAY)
    # recompute from the raw transactions stored in blocks
    gross = refunds = count = rcount = 0
    for (kind, body, code_) in [(r[0], r[1], r[2]) for r in w.store.query(
            "SELECT kind, wire, code FROM txs WHERE merchant = 'M001'")]:
        from node import codec
        tx = codec.decode(body)
        if code_ != "ok":
            continue
        if kind == "pay":
            count += 1
            gross += tx["body"]["amount"]
        elif kind == "refund":
            rcount += 1
            refunds += tx["body"]["amount"]
    assert (s["count"], s["gross"], s["refund_count"], s["refunds"]) == \
        (count, gross, rcount, refunds)
    assert s["points"] == {"EHB": 2_000, "JRB": 1_000}
    assert s["fee"] == ((gross - refunds) * 60 + 5_000) // 10_000
    assert s["net"] == gross - refunds - s["fee"]


def test_settlement_is_recomputed_and_checked(world: World) -> None:
    w = world
    _business(w)
    body = q.settle_body(w.store, w.genesis, "M001", DAY)
    later = q.settle_body(w.store, w.genesis, "M001", DAY + 1)
    assert code(w, "settle", later, "clearing-1") == "cycle_open"  # not begun yet
    w.now = cycle_end(DAY, 1380, 480)
    assert cycle_of(w.now, 1380, 480) == DAY + 1
    assert code(w, "settle", body, "clerk-EHB-1") == "unauthorized"
    for field, delta in [("gross", 1), ("net", -1), ("fee", 1), ("count", 1)]:
        tampered = {**body, field: body[field] + delta}
        assert code(w, "settle", tampered, "clearing-1") == "settlement_mismatch"
    assert code(w, "settle", {**body, "points": {"EHB": 2_000}}, "clearing-1") \
        == "settlement_mismatch"
    assert code(w, "settle", {**body, "cycle": 20261131}, "clearing-1") == "malformed"
    assert code(w, "settle", body, "clearing-1") == "ok"
    assert code(w, "settle", body, "clearing-1") == "already_settled"
    merchant = w.store.get("accounts", "merchant:M001")
    settled = w.store.get("accounts", "merchant:M001:settled")
    assert merchant is not None and merchant["balance"] == 0
    assert settled is not None and settled["balance"] == body["net"]
    assert q.cycle_statement(w.store, w.genesis, "M001", DAY)["settled"]
    assert q.sum_of_balances(w.store)["CNY"] == 0


def test_cycles_follow_the_cutoff() -> None:
    # M001 closes at 23:00 China time; 22:59 belongs to the day, 23:00 to the next
    end = cycle_end(DAY, 1380, 480)
    assert cycle_of(end - 1, 1380, 480) == DAY
    assert cycle_of(end, 1380, 480) == 20261125
    assert cycle_of(end - 86_400_000, 1380, 480) == DAY
    assert cycle_end(20261231, 0, 480) + 1 > cycle_end(20261230, 0, 480)


def test_early_close_moves_later_payments_to_the_next_cycle(world: World) -> None:
    w = world
    n = w.issue(deposit=100_000)
    assert w.one(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}], order="A")).ok
    body = q.settle_body(w.store, w.genesis, "M001", DAY)
    assert code(w, "settle", body, "clearing-1") == "ok"  # before the 23:00 cut-off
    late = w.one(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}], order="B"))
    assert late.ok
    assert w.store.get("payments", late.id)["cycle"] == DAY + 1  # type: ignore[index]
    assert q.cycle_statement(w.store, w.genesis, "M001", DAY)["count"] == 1
    assert q.cycle_statement(w.store, w.genesis, "M001", DAY + 1)["count"] == 1
    assert code(w, "settle", body, "clearing-1") == "already_settled"


def _balance(w: World, account: str) -> int:
    row = w.store.get("accounts", account)
    return 0 if row is None else int(row["balance"])


def test_a_settled_cycle_is_paid_out_and_its_points_settled_once(world: World) -> None:
    w = world
    _business(w)
    body = q.settle_body(w.store, w.genesis, "M001", DAY)
    net = body["net"]
    pay = {"merchant": "M001", "cycle": DAY, "amount": net, "reference": "EHB-TRF-0001"}
    assert code(w, "payout", pay, "clerk-EHB-1") == "not_settled"  # before the close
    w.now = cycle_end(DAY, 1380, 480)
    assert code(w, "settle", body, "clearing-1") == "ok"
    owed_ehb, owed_jrb = -_balance(w, "bank:EHB:points_payable"), \
        -_balance(w, "bank:JRB:points_payable")
    # refused: another bank pays, the clearing house pays, another amount, no reference
    assert code(w, "payout", pay, "clerk-JRB-1") == "unauthorized"  # M001's acquirer: EHB
    assert code(w, "payout", pay, "clearing-1") == "unauthorized"
    assert code(w, "payout", {**pay, "amount": net + 1}, "clerk-EHB-1") == "payout_mismatch"
    assert code(w, "payout", {**pay, "amount": net - 1}, "clerk-EHB-1") == "payout_mismatch"
    assert code(w, "payout", {**pay, "reference": "no spaces"}, "clerk-EHB-1") == "malformed"
    assert code(w, "payout", {**pay, "cycle": DAY + 1}, "clerk-EHB-1") == "not_settled"
    assert code(w, "payout", pay, "clerk-EHB-1") == "ok"
    assert code(w, "payout", pay, "clerk-EHB-1") == "already_paid"
    assert _balance(w, "merchant:M001:settled") == 0  # the merchant payable back to zero
    # each bank reimburses what its points paid of the cycle, once
    pts = {"bank": "JRB", "merchant": "M001", "cycle": DAY, "amount": 1_000,
           "reference": "JRB-PTS-0001"}
    assert code(w, "settle_points", pts, "clerk-EHB-1") == "unauthorized"
    assert code(w, "settle_points", {**pts, "amount": 999}, "clerk-JRB-1") == "payout_mismatch"
    assert code(w, "settle_points", {**pts, "bank": "XXX"}, "clerk-JRB-1") == "unknown_bank"
    assert code(w, "settle_points", pts, "clerk-JRB-1") == "ok"
    assert code(w, "settle_points", pts, "clerk-JRB-1") == "already_paid"
    assert code(w, "settle_points", {**pts, "bank": "EHB", "amount": 2_000,
                                     "reference": "EHB-PTS-1"}, "clerk-EHB-1") == "ok"
    # M001's points are paid; what the banks still owe is M002's cycle (500 fen of EHB's)
    assert -_balance(w, "bank:JRB:points_payable") == owed_jrb - 1_000 == 0
    assert -_balance(w, "bank:EHB:points_payable") == owed_ehb - 2_000 == 500
    # the acquirer paid the net, got the points' part back and, its own cards' cash being
    # on its float, is left holding its fee
    assert _balance(w, "bank:EHB:paid_out") == -body["fee"] == -_balance(w, "bank:EHB:fees")
    s = q.cycle_statement(w.store, w.genesis, "M001", DAY)
    assert s["paid"]["amount"] == net and s["paid"]["reference"] == "EHB-TRF-0001"
    assert set(s["points_paid"]) == {"EHB", "JRB"}
    assert q.sum_of_balances(w.store)["CNY"] == 0


def test_a_cycle_end_to_end_across_two_banks_and_three_merchants(world: World) -> None:
    w = world
    a, j = w.issue("EHB", deposit=400_000), w.issue("JRB", deposit=400_000)
    for card, bank in ((a, "EHB"), (a, "JRB"), (j, "JRB"), (j, "EHB")):
        w.one(w.tx("accrue_points", {"card": card, "bank": bank, "points": 20_000},
                   w.clerk(bank)))
    both = [{"bank": "EHB", "cash": 1_000}, {"bank": "JRB", "cash": 500}]
    tea = [{"sku": "TEA-250", "qty": 2}, {"sku": "MOON-BOX", "qty": 1}]
    sales = [w.pay_tx(a, tea, redeem=both, order="E1"),  # EHB card at EHB's M001
             w.pay_tx(j, tea, redeem=both, order="E2"),  # JRB card at EHB's M001
             w.pay_tx(a, [{"sku": "BOOK-ATLAS", "qty": 2}], terminal="M002-T01",
                      order="E3"),  # EHB card at JRB's M002
             w.pay_tx(j, [{"sku": "NOODLE-BEEF", "qty": 3}], terminal="M003-T01",
                      order="E4")]  # JRB card at EHB's M003
    assert all(w.one(t).ok for t in sales)
    assert w.one(w.tx("refund", {"terminal": "M001-T01", "payment": sales[1].hex_id,
                                 "amount": 9_600}, w.k("terminal-M001-T01"))).ok
    outstanding = {r["bank"]: r["outstanding"] for r in q.issuers(w.store, w.genesis)}
    assert outstanding == {b: q.cards_balance(w.store, b) + w.store.get("banks", b)["in_flight"]
                           for b in ("EHB", "JRB")}  # type: ignore[index]
    w.now = cycle_end(DAY, 0, 480) + 86_400_000  # every merchant's cycle is over
    acq = {"M001": "EHB", "M002": "JRB", "M003": "EHB"}
    for m, bank in acq.items():
        body = q.settle_body(w.store, w.genesis, m, DAY)
        assert code(w, "settle", body, "clearing-1") == "ok"
        assert code(w, "payout", {"merchant": m, "cycle": DAY, "amount": body["net"],
                                  "reference": f"PO-{m}"}, f"clerk-{bank}-1") == "ok"
        for pbank, cash in body["points"].items():
            assert code(w, "settle_points", {"bank": pbank, "merchant": m, "cycle": DAY,
                                             "amount": cash, "reference": f"PT-{m}"},
                        f"clerk-{pbank}-1") == "ok"
    # the netting: each bank's cards spent at the other's merchants, one net transfer
    [pos] = q.netting(w.store, DAY)
    payer, payee, net = pos["payer"], pos["payee"], pos["net"]
    assert net == abs(pos["a_owes_b"] - pos["b_owes_a"]) > 0 and not pos["settled"]
    assert q.netting(w.store, DAY, "EHB") == [pos]
    nb = {"cycle": DAY, "payer": payer, "payee": payee, "amount": net, "reference": "NET-1"}
    assert code(w, "interbank", {**nb, "payer": payee, "payee": payer}, f"clerk-{payee}-1") \
        == "payout_mismatch"  # the other way round: the payee does not pay
    assert code(w, "interbank", nb, f"clerk-{payee}-1") == "unauthorized"
    assert code(w, "interbank", {**nb, "amount": net + 1}, f"clerk-{payer}-1") \
        == "payout_mismatch"
    assert code(w, "interbank", nb, f"clerk-{payer}-1") == "ok"
    assert code(w, "interbank", nb, f"clerk-{payer}-1") == "payout_mismatch"  # nothing left
    assert q.netting(w.store, DAY)[0]["settled"]
    # every payable back at zero; the custody liability is the cards' balances
    for m in acq:
        assert _balance(w, f"merchant:{m}") == _balance(w, f"merchant:{m}:settled") == 0
    for b in ("EHB", "JRB"):
        assert _balance(w, f"bank:{b}:points_payable") == 0
        assert _balance(w, f"bank:{b}:paid_out") == -_balance(w, f"bank:{b}:fees")
        cards = q.cards_balance(w.store, b)
        assert -_balance(w, f"bank:{b}:float") == cards
        row = next(r for r in q.issuers(w.store, w.genesis) if r["bank"] == b)
        assert row["outstanding"] == cards
    assert q.sum_of_balances(w.store)["CNY"] == 0
    # the regulator's line over time: the deposits on the sales day, the payouts after
    hist = q.outstanding_history(w.store, w.genesis, w.now, days=30)
    # from the day before genesis (the chain began on DAY)
    assert [h["day"] for h in hist] == [DAY - 1, DAY, DAY + 1]
    assert hist[0] == {"day": DAY - 1, "EHB": 0, "JRB": 0}
    assert hist[1] == {"day": DAY, **outstanding}  # spending and refunds leave it alone
    assert hist[2] == {"day": DAY + 1, **{b: q.cards_balance(w.store, b)
                                          for b in ("EHB", "JRB")}}  # paid out: gone
    assert len(q.outstanding_history(w.store, w.genesis, w.now, days=2)) == 2


def test_interbank_names_two_known_banks(world: World) -> None:
    w = world
    nb = {"cycle": DAY, "payer": "EHB", "payee": "XYZ", "amount": 1, "reference": "N-1"}
    assert code(w, "interbank", nb, "clerk-EHB-1") == "unknown_bank"
    assert code(w, "interbank", {**nb, "payee": "EHB"}, "clerk-EHB-1") == "malformed"
    assert code(w, "interbank", {**nb, "payee": "JRB", "cycle": 20261399}, "clerk-EHB-1") \
        == "malformed"
    assert code(w, "interbank", {**nb, "payee": "JRB", "amount": 0}, "clerk-EHB-1") \
        == "bad_amount"


def test_cycles_are_settled_in_order(world: World) -> None:
    """Settling a later cycle first would leave an earlier one's takings stuck (chain
    format 5 refuses it)."""
    w = world
    a = w.issue(deposit=100_000)
    assert w.one(w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}])).ok  # in cycle DAY
    w.now = cycle_end(DAY, 1380, 480) + 3_600_000  # into the next cycle
    assert w.one(w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}])).ok
    w.now = cycle_end(DAY + 1, 1380, 480) + 60_000
    later = q.settle_body(w.store, w.genesis, "M001", DAY + 1)
    assert code(w, "settle", later, "clearing-1") == "earlier_cycle_open"
    first = q.settle_body(w.store, w.genesis, "M001", DAY)
    assert code(w, "settle", first, "clearing-1") == "ok"
    assert code(w, "settle", later, "clearing-1") == "ok"


def test_a_cycle_whose_refunds_outweigh_its_sales_is_closed_out(world: World) -> None:
    w = world
    a = w.issue(deposit=100_000)
    p = w.one(w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}]))
    w.now = cycle_end(DAY, 1380, 480) + 60_000
    first = q.settle_body(w.store, w.genesis, "M001", DAY)
    assert code(w, "settle", first, "clearing-1") == "ok"
    assert code(w, "payout", {"merchant": "M001", "cycle": DAY, "amount": first["net"],
                              "reference": "PO-1"}, "clerk-EHB-1") == "ok"
    assert code(w, "refund", {"terminal": "M001-T01", "payment": p.id, "amount": 4_800},
                "terminal-M001-T01") == "ok"  # the next day
    w.now = cycle_end(DAY + 1, 1380, 480) + 60_000
    body = q.settle_body(w.store, w.genesis, "M001", DAY + 1)
    assert body["net"] == -4_800
    assert code(w, "settle", body, "clearing-1") == "ok"
    po = {"merchant": "M001", "cycle": DAY + 1, "reference": "PO-2"}
    assert code(w, "payout", {**po, "amount": 0}, "clerk-EHB-1") == "bad_amount"
    assert code(w, "payout", {**po, "amount": -4_799}, "clerk-EHB-1") == "bad_amount"
    assert code(w, "payout", {**po, "amount": -4_800}, "clerk-EHB-1") == "ok"
    assert _balance(w, "merchant:M001:settled") == 0  # the merchant paid it back
    row = next(r for r in q.issuers(w.store, w.genesis) if r["bank"] == "EHB")
    assert row["outstanding"] == q.cards_balance(w.store, "EHB")  # nothing in flight
