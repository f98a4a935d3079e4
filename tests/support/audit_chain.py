"""A certified chain of a few hundred blocks with every transaction kind, for the audit's
mutation fuzz: built on a World (one ledger, commit certificates signed by the validators'
keys), with a result certificate on every block, checkpoint proofs every 50 blocks and the
replica's persisted records in ``meta``, as a validator's file holds them."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path
from typing import Any

from node import codec
from node.consensus.messages import Attest, Checkpoint
from node.consensus.results import encode_attests
from node.ledger.rules import RULES
from tests.support.world import World, two_bank_day

CHECKPOINT_EVERY = 50


def build_chain(path: Path, blocks: int = 240, seed: int = 7) -> World:
    from tests.test_ledger_fuzz import Junk

    rng = random.Random(seed)
    w = World(seed=seed)
    w.certify = True
    two_bank_day(w)
    cards = [w.issue(deposit=50_000) for _ in range(3)] + [w.issue("JRB", deposit=20_000)]
    pay = w.pay_tx(cards[0], [{"sku": "TEA-250", "qty": 1}])
    assert w.one(pay).ok
    junk = Junk(rng, w, cards, [pay.hex_id, "00" * 32])
    people = [n for n in w.keys if not n.startswith("validator")]
    kinds = sorted(RULES)
    prices = {g["sku"]: g["price"] for m in w.genesis.merchants for g in m["catalogue"]}
    while w.ledger.height < blocks:
        txs = []
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["pay", "pay", "top_up", *kinds])
            rule = RULES[kind]
            body: dict[str, Any] = {f: junk.field(f) for f in sorted(rule.required)}
            if kind == "pay":
                with contextlib.suppress(KeyError, TypeError):
                    body["amount"] = sum(prices[i["sku"]] * i["qty"] for i in body["items"])
            keys = [w.k(rng.choice(people))]
            if kind in ("pay", "refund"):
                keys = [w.k("terminal-M001-T01")]
                card = body.get("card")
                if kind == "pay" and isinstance(card, str) and card in w.card_keys:
                    keys.append(w.card_keys[card])
            with contextlib.suppress(Exception):
                txs.append(w.tx(kind, body, *keys))
        if txs:
            w.apply(*txs)
    _certify(w)
    w.store.conn.execute(f"VACUUM INTO '{path}'")
    return w


def _certify(w: World) -> None:
    """Result certificates, checkpoint proofs and the replica's records, all signed."""
    store, n = w.store, len(w.genesis.validators)
    f = (n - 1) // 3
    items = []
    for h in range(1, store.height() + 1):
        b = store.block(h)
        assert b is not None
        items.append((h, encode_attests([Attest(i, "", h, b.hash).signed(
            w.keys[f"validator-{i}"]) for i in range(f + 1)])))
    store.set_attest(items)  # type: ignore[arg-type]
    last = 0
    with store.db.atomic():
        for seq in range(CHECKPOINT_EVERY, store.height() + 1, CHECKPOINT_EVERY):
            b = store.block(seq)
            assert b is not None
            proof = [Checkpoint(i, "", 0, seq, b.state_root).signed(
                w.keys[f"validator-{i}"]).encode().decode() for i in range(2 * f + 1)]
            store.save_proof(seq, proof)
            last = seq
    stable = [c for (c,) in store.conn.execute("SELECT proof FROM checkpoints WHERE seq = ?",
                                               (last,))]
    store.set_meta("pbft:stable", stable[0] if stable else "[]")
    store.set_meta("pbft:view", codec.encode(0).decode())
