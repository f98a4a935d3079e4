"""Four eyes (chain format 6): JRB takes unfreeze, close_card and its points contract from
two clerks; one proposes, another approves (the act runs then) or declines; a clerk alone,
the same clerk twice, another bank's clerk and a decided proposal are refused; the
regulator's own acts need no second clerk; a format-5 chain keeps one clerk."""

from __future__ import annotations

from node.ledger import queries as q
from tests.support.world import World


def code(w: World, kind: str, body: dict, signer: str) -> tuple[str, str]:  # type: ignore[type-arg]
    r = w.one(w.tx(kind, body, w.k(signer)))
    return r.code, r.message


def frozen_jrb_card(w: World) -> str:
    card = w.issue("JRB", deposit=20_000)
    assert code(w, "freeze", {"card": card}, "clerk-JRB-1")[0] == "ok"  # freezing: one clerk
    return card


def test_a_second_clerk_approves_and_the_act_runs(world: World) -> None:
    w = world
    card = frozen_jrb_card(w)
    got, message = code(w, "unfreeze", {"card": card}, "clerk-JRB-1")
    assert got == "second_clerk_required" and "propose it" in message
    prop = w.tx("propose", {"act": "unfreeze", "body": {"card": card},
                            "reason": "customer came with ID"}, w.k("clerk-JRB-1"))
    assert w.one(prop).ok
    assert w.store.get("cards", card)["status"] == "frozen"  # nothing yet
    pid = prop.hex_id
    assert code(w, "approve", {"proposal": pid}, "clerk-JRB-1")[0] == "same_clerk"
    assert code(w, "approve", {"proposal": pid}, "clerk-EHB-1")[0] == "unknown_proposal"
    assert code(w, "approve", {"proposal": pid}, "regulator-1")[0] == "unauthorized"
    assert code(w, "approve", {"proposal": "00" * 32}, "clerk-JRB-2")[0] == "unknown_proposal"
    assert code(w, "approve", {"proposal": pid}, "clerk-JRB-2")[0] == "ok"
    assert w.store.get("cards", card)["status"] == "active"
    assert code(w, "approve", {"proposal": pid}, "clerk-JRB-2")[0] == "proposal_decided"
    assert code(w, "decline", {"proposal": pid}, "clerk-JRB-2")[0] == "proposal_decided"
    row = q.proposals(w.store, "JRB")[0]
    assert (row["id"], row["act"], row["status"], row["reason"]) == (
        pid, "unfreeze", "approved", "customer came with ID")
    assert row["maker"] == w.k("clerk-JRB-1").public and \
        row["checker"] == w.k("clerk-JRB-2").public
    assert q.proposals(w.store, "EHB") == []
    # the card's history shows both steps
    kinds = [h["kind"] for h in q.card_history(w.store, card)]
    assert kinds[:2] == ["approve", "propose"]


def test_a_declined_or_failing_proposal_changes_nothing(world: World) -> None:
    w = world
    card = w.issue("JRB", deposit=20_000)
    prop = w.tx("propose", {"act": "close_card", "body": {"card": card}}, w.k("clerk-JRB-1"))
    assert w.one(prop).ok
    assert code(w, "decline", {"proposal": prop.hex_id, "reason": "wrong card"},
                "clerk-JRB-2")[0] == "ok"
    assert w.store.get("cards", card)["status"] == "active"
    assert q.proposals(w.store, "JRB")[0]["declined_because"] == "wrong card"
    # an act that fails when approved: the approval is refused, the proposal stays pending
    again = w.tx("propose", {"act": "unfreeze", "body": {"card": card}}, w.k("clerk-JRB-1"))
    assert w.one(again).ok
    got, _ = code(w, "approve", {"proposal": again.hex_id}, "clerk-JRB-2")
    assert got == "not_frozen"
    assert next(p for p in q.proposals(w.store, "JRB")
                if p["id"] == again.hex_id)["status"] == "pending"


def test_what_cannot_be_proposed_and_who_needs_no_second_clerk(world: World) -> None:
    w = world
    card = frozen_jrb_card(w)
    bad = [({"act": "freeze", "body": {"card": card}}, "clerk-JRB-1", "does not take"),
           ({"act": "unfreeze", "body": {"card": card}}, "clerk-EHB-1", "does not take"),
           ({"act": "unfreeze", "body": ["x"]}, "clerk-JRB-1", "must be an object"),
           ({"act": "unfreeze", "body": {"kard": card}}, "clerk-JRB-1", "missing field"),
           ({"act": "unfreeze", "body": {"card": card}}, "regulator-1", "clerk")]
    for body, signer, words in bad:
        got, message = code(w, "propose", body, signer)
        assert got in ("malformed", "unauthorized") and words in message, (body, message)
    # the regulator's own freeze and unfreeze are not the bank's: no second clerk
    other = w.issue("JRB", deposit=20_000)
    assert code(w, "freeze", {"card": other}, "regulator-1")[0] == "ok"
    assert code(w, "unfreeze", {"card": other}, "regulator-1")[0] == "ok"
    # JRB's points contract: from two clerks too; EHB's from one
    row = w.store.get("banks", "JRB")
    body = {"bank": "JRB", "contract": {**row["points_contract"], "expire_days": 30}}
    assert code(w, "set_points_contract", body, "clerk-JRB-1")[0] == "second_clerk_required"
    assert all(r.ok for r in w.apply(*w.by_the_bank("set_points_contract", body,
                                                    "JRB")).results)
    assert w.store.get("banks", "JRB")["points_contract"]["expire_days"] == 30
    ehb = w.store.get("banks", "EHB")["points_contract"]
    assert code(w, "set_points_contract", {"bank": "EHB", "contract": ehb,
                                           "reason": "yearly review"}, "clerk-EHB-1")[0] == "ok"
    assert w.store.get("banks", "EHB")["contract_reason"] == "yearly review"
    assert code(w, "set_points_contract", {"bank": "EHB", "contract": ehb, "reason": ""},
                "clerk-EHB-1")[0] == "bad_name"


def test_a_format_5_chain_keeps_one_clerk(world: World) -> None:
    w = world.at_format(5)
    card = frozen_jrb_card(w)
    got, message = code(w, "propose", {"act": "unfreeze", "body": {"card": card}},
                        "clerk-JRB-1")
    assert got == "malformed" and "chain format 6" in message
    assert code(w, "unfreeze", {"card": card}, "clerk-JRB-1")[0] == "ok"
    ehb = w.store.get("banks", "EHB")["points_contract"]
    got, message = code(w, "set_points_contract", {"bank": "EHB", "contract": ehb,
                                                   "reason": "why"}, "clerk-EHB-1")
    assert got == "malformed" and "chain format 6" in message
