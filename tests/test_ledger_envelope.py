"""Rules every transaction passes through: signatures, chain, expiry, replay, shape."""

from __future__ import annotations

import pytest

from node import crypto
from node.ledger import LedgerError
from node.ledger.errors import Rejected
from node.ledger.tx import Tx
from tests.support.world import World


def test_bad_signature_is_decided_but_does_not_burn_the_id(world: World) -> None:
    w = world
    n = w.issue()
    good = w.tx("top_up", {"card": n, "amount": 500}, w.clerk())
    pub, sig = good.sigs[0]
    forged = Tx(good.chain, good.kind, good.body, good.nonce, good.expires,
                ((pub, sig[:-2] + ("00" if sig[-2:] != "00" else "11")),))
    assert w.one(forged).code == "bad_signature"
    assert w.balance(n) == 0
    # the genuine transaction with the same id still executes once ...
    assert w.one(good).ok and w.balance(n) == 500
    # ... and only once: a replay, in a later block or the same block, is a duplicate
    assert w.one(good).code == "duplicate"
    other = w.tx("top_up", {"card": n, "amount": 7}, w.clerk())
    res = w.apply(other, other)
    assert [r.code for r in res.results] == ["ok", "duplicate"]
    assert w.balance(n) == 507


def test_unsigned_and_wrong_key_signatures(world: World) -> None:
    w = world
    n = w.issue()
    t = w.tx("top_up", {"card": n, "amount": 1})
    assert w.one(t).code == "bad_signature"
    stranger = crypto.generate()
    assert w.one(w.tx("top_up", {"card": n, "amount": 1}, stranger)).code == "unauthorized"


def test_expiry(world: World) -> None:
    w = world
    n = w.issue()
    late = w.tx("top_up", {"card": n, "amount": 1}, w.clerk(), expires_in=500)
    assert w.apply(late, advance=1_000).results[0].code == "expired"
    far = w.tx("top_up", {"card": n, "amount": 1}, w.clerk(), expires_in=2 * 86_400_000)
    assert w.one(far).code == "expiry_too_far"
    assert w.balance(n) == 0


def test_wrong_chain_and_unknown_kind(world: World) -> None:
    w = world
    n = w.issue()
    t = Tx("another-chain", "top_up", {"card": n, "amount": 1}, 1, w.now + 60_000)
    assert w.one(t.signed_by(w.clerk())).code == "wrong_chain"
    assert w.one(w.tx("mint_money", {"amount": 1}, w.clerk())).code == "malformed"
    assert w.one(w.tx("top_up", {"card": n}, w.clerk())).code == "malformed"


def test_envelope_parsing_errors_are_precise() -> None:
    with pytest.raises(Rejected, match="envelope fields"):
        Tx.from_wire({"chain": "c"})
    with pytest.raises(Rejected, match="nonce"):
        Tx.from_wire({"chain": "c", "kind": "k", "body": {}, "nonce": -1, "expires": 0,
                      "sigs": []})
    with pytest.raises(Rejected, match="signature"):
        Tx.from_wire({"chain": "c", "kind": "k", "body": {}, "nonce": 1, "expires": 0,
                      "sigs": [["only-one"]]})
    with pytest.raises(Rejected, match="not UTF-8"):
        Tx.decode(b'{"body":{"name":"\xff"}}')


def test_block_time_cannot_go_backwards(world: World) -> None:
    w = world
    w.apply()
    with pytest.raises(LedgerError, match="before the previous block"):
        w.ledger.apply_block([], w.now - 1)
    height = w.ledger.height
    w.apply()
    assert w.ledger.height == height + 1


def test_rejected_transactions_are_recorded_with_reason(world: World) -> None:
    w = world
    n = w.issue()
    r = w.one(w.tx("top_up", {"card": n, "amount": 10**13}, w.clerk()))
    rows = w.store.query("SELECT code, message, card FROM txs WHERE id = ?", (r.id,))
    assert rows[0][0] == "bad_amount" and "above the limit" in rows[0][1]
    assert rows[0][2] == n
