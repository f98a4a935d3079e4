"""Card transactions: each accepted in its normal case and rejected for each reason."""

from __future__ import annotations

from typing import Any

import pytest

from node import crypto
from node.cardfile import new_card_number
from node.ledger.errors import Rejected
from node.ledger.tx import Tx
from tests.support.world import YEAR_MS, World


def code(w: World, tx: Tx) -> str:
    return w.one(tx).code


def test_issue_named_with_deposit(world: World) -> None:
    n = world.issue(deposit=100_000)
    row = world.store.get("cards", n)
    assert row is not None and row["named"] and row["status"] == "active"
    assert row["holder"] is None and set(row["pii"]) == {"commitment", "bank", "regulator"}
    assert world.balance(n) == 100_000


def test_issue_anonymous(world: World) -> None:
    n = world.issue(named=False)
    row = world.store.get("cards", n)
    assert row is not None and not row["named"] and row["holder"] is None


def test_issue_rejections(world: World) -> None:
    w = world
    # wrong signer: the other bank's clerk, and a terminal
    t, _ = w.issue_tx("EHB")
    assert code(w, Tx(t.chain, t.kind, t.body, t.nonce, t.expires).signed_by(w.clerk("JRB"))) \
        == "unauthorized"
    t, _ = w.issue_tx("EHB")
    assert code(w, Tx(t.chain, t.kind, t.body, t.nonce, t.expires).signed_by(
        w.k("terminal-M001-T01"))) == "unauthorized"
    # deposit over the caps
    assert code(w, w.issue_tx(deposit=500_001)[0]) == "balance_cap"
    assert code(w, w.issue_tx(named=False, deposit=100_001)[0]) == "balance_cap"
    # bad deposits
    for bad, reason in [(0, "bad_amount"), (-5, "bad_amount"), (10**12 + 1, "bad_amount")]:
        assert code(w, w.issue_tx(deposit=bad)[0]) == reason
    # card number: other bank's BIN, bad Luhn, wrong length, duplicate
    key = crypto.generate()
    base = {"bank": "EHB", "public_key": key.public, "named": False,
            "expires": w.now + YEAR_MS}
    other_bin = new_card_number("622917")
    assert code(w, w.tx("issue_card", {**base, "card": other_bin}, w.clerk())) \
        == "bad_card_number"
    good = new_card_number("621483")
    bad_luhn = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert code(w, w.tx("issue_card", {**base, "card": bad_luhn}, w.clerk())) \
        == "bad_card_number"
    assert code(w, w.tx("issue_card", {**base, "card": good[:-2]}, w.clerk())) \
        == "bad_card_number"
    existing = w.issue()
    assert code(w, w.tx("issue_card", {**base, "card": existing}, w.clerk())) == "card_exists"
    # unknown bank, bad key, expiry in the past, named without holder, anonymous with holder
    assert code(w, w.tx("issue_card", {**base, "card": good, "bank": "NOPE"}, w.clerk())) \
        == "unknown_bank"
    assert code(w, w.tx("issue_card", {**base, "card": good, "public_key": "p256:00"},
                        w.clerk())) == "malformed"
    assert code(w, w.tx("issue_card", {**base, "card": good, "expires": w.now - 1}, w.clerk())) \
        == "malformed"
    assert code(w, w.tx("issue_card", {**base, "card": good, "named": True}, w.clerk())) \
        == "malformed"
    assert code(w, w.tx("issue_card", {**base, "card": good, "holder": "X"}, w.clerk())) \
        == "malformed"
    # the card key is already someone's key
    assert code(w, w.tx("issue_card", {**base, "card": good,
                                       "public_key": w.card_keys[existing].public},
                        w.clerk())) == "key_in_use"


def test_a_named_card_carries_its_holder_sealed_never_in_clear(world: World) -> None:
    w = world
    t, n = w.issue_tx()
    clear = {**t.body, "holder": "Li Lei 李雷"}  # the name in clear beside the sealed details
    assert code(w, w.tx("issue_card", clear, w.clerk())) == "malformed"
    bare = {k: v for k, v in t.body.items() if k != "pii"}
    assert code(w, w.tx("issue_card", bare, w.clerk())) == "malformed"
    anon = {**t.body, "named": False}  # an anonymous card carries no details at all
    assert code(w, w.tx("issue_card", anon, w.clerk())) == "malformed"
    assert w.store.get("cards", n) is None
    good = t.body["pii"]["bank"]
    bad_envelopes = [None, "x", {}, {**good, "extra": 1}, {**good, "epk": "05" + "11" * 32},
                     {**good, "nonce": good["nonce"][:-2]}, {**good, "ct": good["ct"].upper()},
                     {**good, "ct": "ab" * 3000}, {**good, "ct": "abc"}]
    for bad in bad_envelopes:
        body = {**t.body, "pii": {**t.body["pii"], "bank": bad}}
        assert code(w, w.tx("issue_card", body, w.clerk())) == "malformed", bad
    for pii in [[], {"commitment": "00" * 32}, {**t.body["pii"], "commitment": "XY" * 32}]:
        assert code(w, w.tx("issue_card", {**t.body, "pii": pii}, w.clerk())) == "malformed"
    assert w.one(t).ok and w.store.get("cards", n)["pii"] == t.body["pii"]  # type: ignore


def test_top_up_and_rejections(world: World) -> None:
    w = world
    named = w.issue(deposit=400_000)
    anon = w.issue(named=False, deposit=90_000)
    assert code(w, w.tx("top_up", {"card": named, "amount": 100_000}, w.clerk())) == "ok"
    assert w.balance(named) == 500_000
    assert code(w, w.tx("top_up", {"card": named, "amount": 1}, w.clerk())) == "balance_cap"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 10_001}, w.clerk())) == "balance_cap"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 10_000}, w.clerk())) == "ok"
    for bad in [0, -1, "100", 10**12 + 1, True]:
        assert code(w, w.tx("top_up", {"card": anon, "amount": bad}, w.clerk())) == "bad_amount"
    # a float cannot even form a transaction: no id, nothing reaches a block
    with pytest.raises(Rejected) as err:
        w.tx("top_up", {"card": anon, "amount": 1.5}, w.clerk())
    assert err.value.reason == "bad_amount" and "floats are not allowed" in err.value.message
    wire = w.tx("top_up", {"card": anon, "amount": 150}, w.clerk()).encode()
    with pytest.raises(Rejected) as err:
        Tx.decode(wire.replace(b'"amount":150', b'"amount":1.5'))
    assert err.value.reason == "bad_amount"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 1}, w.clerk("JRB"))) \
        == "unauthorized"
    unknown = new_card_number("621483")
    assert code(w, w.tx("top_up", {"card": unknown, "amount": 1}, w.clerk())) == "unknown_card"
    assert code(w, w.tx("top_up", {"card": "123", "amount": 1}, w.clerk())) == "bad_card_number"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 1, "extra": 1}, w.clerk())) \
        == "malformed"
    assert code(w, w.tx("close_card", {"card": anon}, w.clerk())) == "ok"
    assert code(w, w.tx("top_up", {"card": anon, "amount": 1}, w.clerk())) == "card_closed"
    assert w.balance(anon) == 0


def test_freeze_unfreeze_and_regulatory_hold(world: World) -> None:
    w = world
    n = w.issue(deposit=10_000)
    reg = w.k("regulator-1")
    assert code(w, w.tx("unfreeze", {"card": n}, w.clerk())) == "not_frozen"
    assert code(w, w.tx("freeze", {"card": n}, w.clerk("JRB"))) == "unauthorized"
    assert code(w, w.tx("freeze", {"card": n}, w.clerk())) == "ok"
    assert code(w, w.tx("freeze", {"card": n}, w.clerk())) == "card_not_active"
    assert code(w, w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}])) == "card_not_active"
    assert code(w, w.tx("unfreeze", {"card": n}, w.clerk("JRB"))) == "unauthorized"
    assert code(w, w.tx("unfreeze", {"card": n}, w.clerk())) == "ok"
    # the regulator's hold can only be lifted by the regulator
    assert code(w, w.tx("freeze", {"card": n}, reg)) == "ok"
    assert code(w, w.tx("unfreeze", {"card": n}, w.clerk())) == "regulatory_hold"
    assert code(w, w.tx("close_card", {"card": n}, w.clerk())) == "regulatory_hold"
    assert code(w, w.tx("unfreeze", {"card": n}, reg)) == "ok"
    assert code(w, w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}])) == "ok"


def test_report_lost_moves_balance_and_points(world: World) -> None:
    w = world
    n = w.issue(deposit=50_000)
    assert code(w, w.tx("accrue_points", {"card": n, "bank": "JRB", "points": 700},
                        w.clerk("JRB"))) == "ok"
    new = new_card_number("621483")
    key = crypto.generate()
    w.card_keys[new] = key
    body = {"card": n, "new_card": new, "new_public_key": key.public,
            "new_expires": w.now + YEAR_MS}
    assert code(w, w.tx("report_lost", body, w.clerk("JRB"))) == "unauthorized"
    assert code(w, w.tx("report_lost", {**body, "new_card": n}, w.clerk())) == "card_exists"
    assert code(w, w.tx("report_lost", body, w.clerk())) == "ok"
    assert w.balance(n) == 0 and w.balance(new) == 50_000
    assert w.points("JRB", n) == 0 and w.points("JRB", new) == 700
    assert w.store.get("cards", n)["replaced_by"] == new  # type: ignore[index]
    assert code(w, w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}])) == "card_not_active"
    assert code(w, w.pay_tx(new, [{"sku": "TEA-250", "qty": 1}])) == "ok"
    new2 = new_card_number("621483")
    assert code(w, w.tx("report_lost", {**body, "new_card": new2}, w.clerk())) \
        == "card_not_active"


def test_close_refunds_balance_and_returns_points(world: World) -> None:
    w = world
    n = w.issue(deposit=12_345)
    w.one(w.tx("accrue_points", {"card": n, "bank": "EHB", "points": 99}, w.clerk()))
    assert code(w, w.tx("close_card", {"card": n}, w.clerk("JRB"))) == "unauthorized"
    assert code(w, w.tx("close_card", {"card": n}, w.clerk())) == "ok"
    assert w.balance(n) == 0 and w.points("EHB", n) == 0
    assert w.store.get("accounts", "bank:EHB:float")["balance"] == 0  # type: ignore[index]
    assert code(w, w.tx("close_card", {"card": n}, w.clerk())) == "card_not_active"


def test_accrue_points_rules(world: World) -> None:
    w = world
    n = w.issue()
    assert code(w, w.tx("accrue_points", {"card": n, "bank": "JRB", "points": 10},
                        w.clerk("JRB"))) == "ok"
    assert code(w, w.tx("accrue_points", {"card": n, "bank": "JRB", "points": 10},
                        w.clerk("EHB"))) == "unauthorized"
    assert code(w, w.tx("accrue_points", {"card": n, "bank": "JRB", "points": 0},
                        w.clerk("JRB"))) == "malformed"
    assert code(w, w.tx("accrue_points", {"card": n, "bank": "XXX", "points": 5},
                        w.clerk("JRB"))) == "unknown_bank"
    assert w.points("JRB", n) == 10


def test_an_anonymous_card_is_not_reported_lost_a_named_one_is(world: World) -> None:
    w = world
    anon, named = w.issue(named=False, deposit=50_000), w.issue(deposit=50_000)
    key = crypto.generate()

    def lost(number: str) -> Tx:
        return w.tx("report_lost", {"card": number, "new_card": new_card_number("621483"),
                                    "new_public_key": key.public,
                                    "new_expires": w.now + YEAR_MS}, w.clerk())

    r = w.one(lost(anon))
    assert r.code == "anonymous_card" and "only a named card" in r.message
    assert w.store.get("cards", anon)["status"] == "active"  # type: ignore[index]
    assert w.one(lost(named)).ok


def test_a_transfer_moves_balance_between_named_cards_of_one_issuer(world: World) -> None:
    w = world
    a, b = w.issue(deposit=300_000), w.issue(deposit=100_000)
    jrb, anon = w.issue("JRB", deposit=100_000), w.issue(named=False, deposit=10_000)

    def transfer(src: str, dst: str, amount: Any, signer: Any = None) -> str:
        return code(w, w.tx("transfer", {"card": src, "to_card": dst, "amount": amount},
                            signer or w.clerk()))

    assert transfer(a, b, 50_000) == "ok"
    assert (w.balance(a), w.balance(b)) == (250_000, 150_000)
    assert transfer(a, b, 250_001) == "insufficient_funds"
    assert transfer(b, a, 250_001) == "insufficient_funds"
    assert transfer(a, b, 350_001) == "insufficient_funds"
    w.one(w.tx("top_up", {"card": b, "amount": 300_000}, w.clerk()))  # b at 450,000
    assert transfer(a, b, 50_001) == "balance_cap"  # the named card's cap: 500,000
    assert transfer(a, b, 50_000) == "ok"
    assert transfer(a, jrb, 1_000) == "transfer_not_allowed"  # another issuer
    assert transfer(a, jrb, 1_000, w.clerk("JRB")) == "unauthorized"
    assert transfer(a, a, 1_000) == "transfer_not_allowed"
    assert transfer(a, anon, 1_000) == "anonymous_card"
    assert transfer(anon, a, 1_000) == "anonymous_card"
    assert transfer(a, b, 0) == "bad_amount" and transfer(a, b, -5) == "bad_amount"
    assert transfer(a, "123", 1) == "bad_card_number"
    assert transfer(a, new_card_number("621483"), 1) == "unknown_card"
    assert transfer(a, b, 1, w.k("terminal-M001-T01")) == "unauthorized"
    w.one(w.tx("freeze", {"card": b}, w.clerk()))
    assert transfer(a, b, 1_000) == "card_not_active"
    assert transfer(b, a, 1_000) == "card_not_active"
    assert w.balance(a) + w.balance(b) == 300_000 + 100_000 + 300_000  # nothing made or lost
    # both cards' histories show the transfers: the receiving one too
    from node.ledger import queries as q

    sent = [h for h in q.card_history(w.store, a) if h["kind"] == "transfer" and h["code"] == "ok"]
    got = [h for h in q.card_history(w.store, b) if h["kind"] == "transfer"
           and h["message"].startswith("received")]
    assert len(sent) == len(got) == 2 and {h["id"] for h in sent} == {h["id"] for h in got}
    assert all(h["amount"] == 50_000 and a[-4:] in h["message"] for h in got)


def test_a_reason_goes_on_chain_with_freeze_close_and_lost(world: World) -> None:
    w = world
    n = w.issue(deposit=10_000)

    def act(kind: str, **body: Any) -> str:
        return code(w, w.tx(kind, {"card": n, **body}, w.clerk()))

    assert act("freeze", reason="") == "bad_name"
    assert act("freeze", reason="x\u0007") == "bad_name"
    assert act("freeze", reason="Called in: card left at a shop") == "ok"
    assert w.store.get("cards", n)["reason"] == "Called in: card left at a shop"  # type: ignore[index]
    assert act("unfreeze") == "ok"  # no reason given: the freeze's does not stay
    assert "reason" not in w.store.get("cards", n)  # type: ignore[operator]
    assert act("close_card", reason="Cardholder moved away") == "ok"
    assert w.store.get("cards", n)["reason"] == "Cardholder moved away"  # type: ignore[index]
