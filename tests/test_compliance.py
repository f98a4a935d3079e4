"""Each compliance rule raises a case on a scenario made for it, and none on a clean day."""

from __future__ import annotations

import re
from dataclasses import asdict

from node.compliance import RULES, scan
from tests.support.world import World

HOUR = 3_600_000


def rules_hit(w: World) -> dict[str, list]:
    """The cases by rule; each one's facts must be worded completely by the screens."""
    from ui import texts

    out: dict[str, list] = {}
    for c in scan(w.store, w.genesis):
        out.setdefault(c.rule, []).append(c)
        assert c.facts.get("form") in texts.FINDINGS, c
        assert c.level in texts.STATUSES, c  # the level is worded too
        worded = texts.finding(asdict(c))
        assert not re.search(r"%[a-z_]", worded), worded  # every fact filled in
    return out


def attest(w: World, bank: str, amount: int) -> None:
    assert w.one(w.tx("attest_custody", {"bank": bank, "amount": amount}, w.clerk(bank))).ok


def clean_day(w: World) -> list[str]:
    cards = [w.issue(deposit=100_000), w.issue("JRB", deposit=80_000),
             w.issue(named=False, deposit=20_000)]
    for n in cards:
        w.now += HOUR // 4
        assert w.one(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}])).ok
    w.now += HOUR
    w.one(w.tx("top_up", {"card": cards[0], "amount": 30_000}, w.clerk()))
    w.now += 2 * HOUR
    assert w.one(w.pay_tx(cards[1], [{"sku": "RICE-5KG", "qty": 1}])).ok
    attest(w, "EHB", 200_000)
    attest(w, "JRB", 200_000)
    return cards


def test_clean_day_raises_nothing(world: World) -> None:
    clean_day(world)
    assert rules_hit(world) == {}


def test_every_rule_is_documented() -> None:
    assert all(r["doc"] for r in RULES.values())


def test_balance_cap_and_real_name(world: World) -> None:
    w = world
    a = w.issue(named=False, deposit=90_000)
    assert w.one(w.tx("top_up", {"card": a, "amount": 20_000}, w.clerk())).code == "balance_cap"
    sale, _cards = w.sell_tx([100_000] * 10, {"method": "transfer", "payer": "organisation",
                                               "reference": "TRF-1"})
    assert w.one(sale).code == "real_name_required"
    hit = rules_hit(w)
    assert hit["balance_cap"][0].subject == f"card:{a}" and len(hit["balance_cap"][0].txs) == 1
    assert hit["real_name"][0].level == "high"
    assert hit["real_name"][0].subject == "bank:EHB"
    assert hit["real_name"][0].facts == {"form": "real_name_sale", "amount": 1_000_000}


def test_structuring(world: World) -> None:
    from node.compliance import rule_structuring
    from node.ledger import Genesis

    w = world
    n = w.issue(deposit=500_000)
    w.one(w.tx("set_catalogue", {"merchant": "M001", "items": [
        {"sku": "GOLD-BAR", "name": "Gold bar", "price": 95_000, "points_banks": []}]},
        w.k("clearing-1")))
    for k in range(3):
        w.now += HOUR
        assert w.one(w.pay_tx(n, [{"sku": "GOLD-BAR", "qty": 1}], amount=95_000,
                              order=f"G{k}")).ok
    assert "structuring" not in rules_hit(w)  # far under the 10,000 CNY default
    watch = Genesis.from_dict(dict(w.genesis.raw,
                                   compliance={"structuring": {"threshold_fen": 100_000}}))
    cases = rule_structuring(w.store, watch)
    assert len(cases) == 1 and len(cases[0].txs) == 3 and cases[0].subject == f"card:{n}"


def test_bulk_cash_individual_and_organisation(world: World) -> None:
    w = world
    for _ in range(6):  # 6 x 1,000 CNY of anonymous cards from one bank in a day > 5,000
        w.issue(named=False, deposit=100_000)
    hit = rules_hit(w)
    assert [c.subject for c in hit["bulk_cash"]] == ["bank-anonymous:EHB"]


def test_rapid_top_up_then_spending(world: World) -> None:
    w = world
    n = w.issue(deposit=1_000)
    w.now += HOUR
    w.one(w.tx("top_up", {"card": n, "amount": 100_000}, w.clerk()))
    w.now += 5 * 60_000
    assert w.one(w.pay_tx(n, [{"sku": "MOON-BOX", "qty": 3}])).ok  # 804 of 1,000 CNY
    assert rules_hit(w)["rapid_spend"][0].subject == f"card:{n}"


def test_refund_ratio_stands_out(world: World) -> None:
    w = world
    n = w.issue(deposit=400_000)
    for term, sku in (("M002-T01", "BOOK-ATLAS"), ("M003-T01", "NOODLE-BEEF")):
        for k in range(3):
            assert w.one(w.pay_tx(n, [{"sku": sku, "qty": 1}], terminal=term,
                                  order=f"{term}-{k}")).ok
    p = w.one(w.pay_tx(n, [{"sku": "MOON-BOX", "qty": 1}], order="M"))
    w.one(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}], order="T"))
    assert w.one(w.tx("refund", {"terminal": "M001-T01", "payment": p.id, "amount": 26_800},
                      w.k("terminal-M001-T01"))).ok
    hit = rules_hit(w)["refund_ratio"]
    assert [c.subject for c in hit] == ["merchant:M001"] and len(hit[0].txs) == 1


def test_odd_hours(world: World) -> None:
    w = world
    n = w.issue(deposit=10_000)
    w.now += 17 * HOUR  # 01:00 the next night, local time
    assert w.one(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}])).ok
    assert rules_hit(w)["odd_hours"][0].subject == "merchant:M001"


def test_custody_levels(world: World) -> None:
    w = world
    for _ in range(3):
        w.issue(deposit=100_000)
    attest(w, "EHB", 50_000)  # 16.7% of 300,000 fen outstanding
    assert rules_hit(w)["custody"][0].level == "critical"
    attest(w, "EHB", 105_000)  # 35%
    assert rules_hit(w)["custody"][0].level == "warning"
    attest(w, "EHB", 150_000)
    assert "custody" not in rules_hit(w)


def test_regulator_acknowledges_and_closes_cases_on_chain(world: World) -> None:
    w = world
    a = w.issue(named=False, deposit=90_000)
    w.one(w.tx("top_up", {"card": a, "amount": 20_000}, w.clerk()))
    case = scan(w.store, w.genesis)[0]
    reg = w.k("regulator-1")
    body = {"case": case.id, "status": "acknowledged", "rule": case.rule, "note": "looking"}
    assert w.one(w.tx("case_update", body, w.clerk())).code == "unauthorized"
    assert w.one(w.tx("case_update", {**body, "status": "lost"}, reg)).code == "malformed"
    assert w.one(w.tx("case_update", body, reg)).ok
    assert scan(w.store, w.genesis)[0].status == "acknowledged"
    assert w.one(w.tx("case_update", {**body, "status": "closed"}, reg)).ok
    assert scan(w.store, w.genesis)[0].status == "closed"
    assert w.one(w.tx("case_update", {**body, "status": "acknowledged"}, reg)).code == \
        "malformed"


def test_settings_come_from_genesis() -> None:
    from app.consortium import build_genesis, identity_names, parse_hosts, seal_key_names
    from node import crypto
    from node.compliance import settings

    pub = {n: crypto.generate().public for n in identity_names(4) + seal_key_names()}
    g = build_genesis(pub, parse_hosts(None, 4), 0)
    raw = dict(g.raw, compliance={"odd_hours": {"from_hour": 1}})
    from node.ledger import Genesis

    g2 = Genesis.from_dict(raw)
    assert settings(g2, "odd_hours")["from_hour"] == 1
    assert settings(g2, "odd_hours")["to_hour"] == 5


def test_a_refused_opening_deposit_is_no_case_against_a_card(world: World) -> None:
    """A card issued with a deposit over its cap was never issued: a clerk's slip."""
    w = world
    t, _number = w.issue_tx(named=False, deposit=100_001)
    assert w.one(t).code == "balance_cap"
    assert "balance_cap" not in rules_hit(w)
