"""Points in dated lots (chain format 5): oldest first, refunds back to their lots, expiry
at a day's close; and each bank's choice of goods and cap per terminal."""

from __future__ import annotations

from typing import Any

from node.ledger import queries as q
from node.ledger.cycles import cycle_of_day
from tests.support.world import World

DAY = 86_400_000


def code(w: World, tx: Any) -> str:
    return w.one(tx).code


def lots(w: World, bank: str, number: str) -> list[list[int]]:
    row = w.store.get("accounts", f"pts:{bank}:{number}") or {}
    return [list(x) for x in row.get("lots") or []]


def today(w: World) -> int:
    return (w.now + 480 * 60_000) // DAY


def contract(w: World, bank: str = "EHB", **changes: Any) -> None:
    row = w.store.get("banks", bank)
    assert row is not None
    c = {k: v for k, v in {**row["points_contract"], **changes}.items() if v is not None}
    assert code(w, w.tx("set_points_contract", {"bank": bank, "contract": c},
                        w.clerk(bank))) == "ok"


def grant(w: World, number: str, points: int, bank: str = "EHB") -> None:
    assert code(w, w.tx("accrue_points", {"card": number, "bank": bank, "points": points},
                        w.clerk(bank))) == "ok"


def day_of_close(w: World) -> int:
    """Yesterday's date (yyyymmdd): the last day that has closed."""
    return cycle_of_day(today(w) - 1)


def test_redemption_takes_the_oldest_lots_and_a_refund_puts_them_back(world: World) -> None:
    w = world
    contract(w, earn={})  # no earning: only the granted lots below
    n = w.issue(deposit=300_000)
    d1 = today(w)
    grant(w, n, 1_000)
    w.now += DAY
    grant(w, n, 3_000)
    w.now += DAY
    grant(w, n, 500)
    assert lots(w, "EHB", n) == [[d1, 1_000], [d1 + 1, 3_000], [d1 + 2, 500]]
    # 20 CNY of a mooncake box by EHB points (100 points a CNY): 2,000 points, two lots
    r = w.one(w.pay_tx(n, [{"sku": "MOON-BOX", "qty": 1}], redeem=[{"bank": "EHB",
                                                                    "cash": 2_000}]))
    assert r.ok
    assert lots(w, "EHB", n) == [[d1 + 1, 2_000], [d1 + 2, 500]]
    pay = w.store.get("payments", r.id)
    assert pay is not None and pay["redeemed_lots"] == {"EHB": [[d1, 1_000], [d1 + 1, 1_000]]}
    # the whole payment refunded: its 24,800 fen of card cash, then the 2,000 of points
    assert code(w, w.tx("refund", {"terminal": "M001-T01", "payment": r.id, "amount": 26_800},
                        w.k("terminal-M001-T01"))) == "ok"
    assert lots(w, "EHB", n) == [[d1, 1_000], [d1 + 1, 3_000], [d1 + 2, 500]]
    assert w.points("EHB", n) == 4_500


def test_a_partial_refund_returns_the_last_taken_points_first(world: World) -> None:
    w = world
    contract(w, earn={})
    n = w.issue(deposit=300_000)
    d1 = today(w)
    grant(w, n, 1_000)
    w.now += DAY
    grant(w, n, 3_000)
    r = w.one(w.pay_tx(n, [{"sku": "MOON-BOX", "qty": 1}],
                       redeem=[{"bank": "EHB", "cash": 2_000}]))
    assert r.ok and lots(w, "EHB", n) == [[d1 + 1, 2_000]]
    # the whole card cash (24,800) and 1,200 fen of the points come back
    assert code(w, w.tx("refund", {"terminal": "M001-T01", "payment": r.id, "amount": 26_000},
                        w.k("terminal-M001-T01"))) == "ok"
    # the 1,000 points taken last (from d1 + 1) come back first, then 200 of d1's
    assert lots(w, "EHB", n) == [[d1, 200], [d1 + 1, 3_000]]
    assert w.points("EHB", n) == 3_200


def test_expiry_at_day_close_takes_only_lots_past_the_period(world: World) -> None:
    w = world
    contract(w, earn={}, expire_days=2)
    a = w.issue(deposit=100_000)
    b = w.issue(deposit=100_000)
    d1 = today(w)
    grant(w, a, 700)
    grant(w, b, 10)
    w.now += DAY
    grant(w, a, 300)
    pool = w.store.get("accounts", "bank:EHB:points_pool")["balance"]  # type: ignore[index]
    # the day d1 + 1 has not closed: nothing of d1 is two days old at its close
    w.now += DAY
    assert code(w, w.tx("expire_points", {"bank": "EHB", "cycle": day_of_close(w)},
                        w.k("clearing-1"))) == "ok"
    assert lots(w, "EHB", a) == [[d1, 700], [d1 + 1, 300]]
    # at the close of d1 + 2 the lots of d1 expire, those of d1 + 1 stay
    w.now += DAY
    r = w.one(w.tx("expire_points", {"bank": "EHB", "cycle": day_of_close(w)}, w.clerk()))
    assert r.ok, r
    assert lots(w, "EHB", a) == [[d1 + 1, 300]] and w.points("EHB", a) == 300
    assert lots(w, "EHB", b) == [] and w.points("EHB", b) == 0
    assert w.store.get("accounts", "bank:EHB:points_pool")["balance"] == pool + 710  # type: ignore[index]
    rec = w.store.get("points_expiries", f"EHB|{day_of_close(w)}")
    assert rec is not None and (rec["points"], rec["cards"], rec["days"]) == (710, 2, 2)
    assert set(q.sum_of_balances(w.store).values()) == {0}
    # the card's history shows it; the bank's day counters count it
    hist = q.card_history(w.store, a, banks=w.genesis.bank_ids)
    assert hist[0]["kind"] == "expire_points" and hist[0]["points"] == {"EHB": -700}
    day = q.points_statement(w.store, "EHB", day_of_close(w))
    assert day["expired"] == 710
    # each day once, in order; not before it closes; the bank's or the clearing house's
    again = w.tx("expire_points", {"bank": "EHB", "cycle": day_of_close(w)}, w.clerk())
    assert code(w, again) == "already_settled"
    assert code(w, w.tx("expire_points", {"bank": "EHB", "cycle": cycle_of_day(today(w))},
                        w.clerk())) == "cycle_open"
    assert code(w, w.tx("expire_points", {"bank": "EHB", "cycle": 20991231},
                        w.k("terminal-M001-T01"))) == "unauthorized"
    assert code(w, w.tx("expire_points", {"bank": "JRB", "cycle": day_of_close(w)},
                        w.clerk())) == "unauthorized"
    assert code(w, w.tx("expire_points", {"bank": "XXX", "cycle": day_of_close(w)},
                        w.clerk())) == "unknown_bank"
    assert code(w, w.tx("expire_points", {"bank": "EHB", "cycle": 20261301},
                        w.clerk())) == "malformed"


def test_expiry_in_the_same_block_as_the_earning_sees_it(world: World) -> None:
    """The step reads committed rows and this block's writes alike."""
    w = world
    contract(w, earn={}, expire_days=1)
    a = w.issue(deposit=100_000)
    grant(w, a, 100)
    w.now += 2 * DAY
    g = w.tx("accrue_points", {"card": a, "bank": "EHB", "points": 5}, w.clerk())
    x = w.tx("expire_points", {"bank": "EHB", "cycle": day_of_close(w)}, w.clerk())
    res = w.apply(g, x)
    assert [r.code for r in res.results] == ["ok", "ok"]
    assert w.points("EHB", a) == 5 and lots(w, "EHB", a) == [[today(w), 5]]


def test_lots_follow_a_lost_card_and_earning_is_taken_back_newest_first(world: World) -> None:
    w = world
    n = w.issue(deposit=300_000)
    d1 = today(w)
    grant(w, n, 1_000)
    w.now += DAY
    p = w.one(w.pay_tx(n, [{"sku": "RICE-5KG", "qty": 1}]))  # earns 89 EHB points today
    assert p.ok and lots(w, "EHB", n) == [[d1, 1_000], [d1 + 1, 89]]
    assert code(w, w.tx("refund", {"terminal": "M001-T01", "payment": p.id, "amount": 8_990},
                        w.k("terminal-M001-T01"))) == "ok"
    assert lots(w, "EHB", n) == [[d1, 1_000]]
    day = q.points_statement(w.store, "EHB", cycle_of_day(today(w)))
    assert (day["earned"], day["taken_back"]) == (89, 89)
    _t, new = w.issue_tx()
    lost = w.tx("report_lost", {"card": n, "new_card": new, "new_public_key":
                                w.card_keys[new].public, "new_expires": w.now + 10 * DAY},
                w.clerk())
    assert code(w, lost) == "ok"
    assert lots(w, "EHB", new) == [[d1, 1_000]] and lots(w, "EHB", n) == []


# --- eligible goods per terminal (the bank's contract) ------------------------------------

def test_a_banks_terminal_rule_decides_its_goods_and_cap_there(world: World) -> None:
    w = world
    n = w.issue(deposit=300_000)
    grant(w, n, 50_000)
    milk = [{"sku": "MILK-12", "qty": 1}]
    # the catalogue accepts no points for milk
    assert code(w, w.pay_tx(n, milk, redeem=[{"bank": "EHB", "cash": 100}])) \
        == "points_not_accepted"
    contract(w, terminals={"M001-T01": {"skus": ["MILK-12"], "max_fen_per_order": 500}})
    assert code(w, w.pay_tx(n, milk, redeem=[{"bank": "EHB", "cash": 600}])) \
        == "points_over_limit"
    assert code(w, w.pay_tx(n, milk, redeem=[{"bank": "EHB", "cash": 500}])) == "ok"
    # tea is in the catalogue for EHB points, but not in EHB's choice at this terminal
    tea = [{"sku": "TEA-250", "qty": 1}]
    assert code(w, w.pay_tx(n, tea, redeem=[{"bank": "EHB", "cash": 100}])) \
        == "points_not_accepted"
    # JRB named no terminal: the catalogue still decides for its points
    grant(w, n, 10_000, "JRB")
    assert code(w, w.pay_tx(n, tea, redeem=[{"bank": "JRB", "cash": 100}])) == "ok"
    # the other terminal of the same merchant keeps the catalogue's choice for EHB
    assert code(w, w.pay_tx(n, tea, terminal="M001-T02",
                            redeem=[{"bank": "EHB", "cash": 100}])) == "ok"
    # the till's offer is computed by the same code
    offer = q.redemption_offer(w.store, w.genesis, "M001-T01", n, milk + tea)
    ehb = next(o for o in offer["offers"] if o["bank"] == "EHB")
    assert tuple(ehb["skus"]) == ("MILK-12",) and ehb["max_cash"] == 500
    # and so is the till's catalogue: which goods show as payable by which bank's points
    here = {g["sku"]: g["points_banks"] for g in
            q.catalogue(w.store, "M001", w.genesis, "M001-T01")["items"]}
    assert here["MILK-12"] == ["EHB"] and "EHB" not in here["TEA-250"] and \
        "JRB" in here["TEA-250"]
    there = {g["sku"]: g["points_banks"] for g in
             q.catalogue(w.store, "M001", w.genesis, "M001-T02")["items"]}
    assert there["MILK-12"] == [] and "EHB" in there["TEA-250"]


def test_terminal_rules_are_checked_in_form(world: World) -> None:
    w = world
    row = w.store.get("banks", "EHB")
    assert row is not None
    for bad in ({"M001-T01": {"skus": ["A"]}}, {"M001-T01": {"skus": "A", "max_fen_per_order": 1}},
                {"bad id!": {"skus": [], "max_fen_per_order": 1}},
                {"M001-T01": {"skus": ["A", "A"], "max_fen_per_order": 1}},
                {"M001-T01": {"skus": [], "max_fen_per_order": -1}}, []):
        c = {**row["points_contract"], "terminals": bad}
        r = w.one(w.tx("set_points_contract", {"bank": "EHB", "contract": c}, w.clerk()))
        assert r.code in ("malformed", "bad_amount"), (bad, r)
