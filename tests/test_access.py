"""Who may read what: one table of operations and queries (node/access.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from app.flows import my_card_query
from node import access
from node.access import AccessError, allow_op, allowed, role_of
from tests.support.world import World


def test_every_operation_and_query_is_declared_with_known_roles() -> None:
    assert set(access.OPS) == {"submit", "status", "subscribe", "query"}
    for name, q in access.QUERIES.items():
        assert q.roles and q.roles <= access.ROLES, name
        assert q.handler is not None or name == "receipt", name  # the endpoint's own
        assert q.roles == access.ROLES or q.refusal, name  # a refused role is told why


@pytest.mark.parametrize(("identity", "op"), [
    ("validator-0", "status"), ("validator-0", "query"), ("nobody", "submit"),
    ("regulator-1", "delete"), ("regulator-1", None),
])
def test_an_operation_outside_the_table_or_role_is_refused(identity: str, op: object) -> None:
    with pytest.raises(AccessError):
        allow_op(role_of(identity)[0], op)


def test_a_query_is_refused_to_a_role_it_does_not_list_with_its_reason() -> None:
    with pytest.raises(AccessError, match="for the regulator"):
        allowed("terminal", "compliance")
    with pytest.raises(AccessError, match="only a terminal"):
        allowed("clerk", "offer")
    with pytest.raises(AccessError, match="unknown query"):
        allowed("regulator", "everything")
    assert allowed("regulator", "compliance").handler is not None
    assert allowed("terminal", "receipt").handler is None


def _ask(w: World, identity: str, req: dict[str, Any]) -> access.Ask:
    kind, who = role_of(identity)
    return access.Ask(w.store, w.genesis, kind, who, req, lambda _i: {"found": True})


def test_a_transaction_is_seen_by_its_merchant_its_banks_and_the_regulator(
        world: World) -> None:
    w = world
    card = w.issue("JRB", deposit=100_000)  # a JRB card paid at M001 (acquired by EHB)
    pay = w.pay_tx(card, terminal="M001-T01")
    assert w.one(pay).ok
    seen = {}
    for who in ("regulator-1", "clearing-1", "clerk-EHB-1", "clerk-JRB-1",
                "terminal-M001-T01", "terminal-M001-T02", "terminal-M002-T01",
                "terminal-M003-T01"):
        try:
            access.run(_ask(w, who, {"q": "tx", "id": pay.hex_id}))
            seen[who] = True
        except AccessError:
            seen[who] = False
    assert seen == {"regulator-1": True, "clearing-1": True, "clerk-EHB-1": True,
                    "clerk-JRB-1": True, "terminal-M001-T01": True, "terminal-M001-T02": True,
                    "terminal-M002-T01": False, "terminal-M003-T01": False}
    issue = w.store.query("SELECT id FROM txs WHERE kind = 'issue_card' AND card = ?",
                          (card,))[0][0]
    for who, ok in [("clerk-JRB-1", True), ("clerk-EHB-1", False), ("clearing-1", False),
                    ("terminal-M001-T01", False), ("regulator-1", True)]:
        if ok:
            access.may_see_tx(_ask(w, who, {}), issue)
        else:
            with pytest.raises(AccessError):
                access.may_see_tx(_ask(w, who, {}), issue)


def test_a_points_offer_needs_the_card_present(world: World) -> None:
    w = world
    card, other = w.issue(deposit=100_000), w.issue(deposit=100_000)
    key, now = w.card_keys[card], int(time.time() * 1000)
    items = [{"sku": "TEA-250", "qty": 1}]
    signed = my_card_query(card, key, now, "offer")
    got = access.run(_ask(w, "terminal-M001-T01", {"q": "offer", "items": items, **signed}))
    assert got["total"] > 0
    for bad in [{"card": card},  # unsigned: any till could read any card's points
                {**signed, "card": other},  # signed by another card
                my_card_query(card, key, now),  # signed for another purpose
                my_card_query(card, key, now - access.CARD_PROOF_MS - 1, "offer"),  # stale
                {**signed, "sig": signed["sig"][:-2] + "00"}, {**signed, "time": str(now)}]:
        with pytest.raises(AccessError):
            access.run(_ask(w, "terminal-M001-T01", {"q": "offer", "items": items, **bad}))
