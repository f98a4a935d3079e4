"""Seeded random transactions of every kind, mostly well-typed and often rightly signed,
applied to a real ledger.  Each must be decided (accepted, or refused with a reason): an
exception out of a rule would stop every replica at that block, so one client could halt
the chain."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

from node.ledger.rules import RULES
from tests.support.world import World

SKUS = ["TEA-250", "RICE-5KG", "MOON-BOX", "TV-65", "NOODLE-BEEF", "NOPE"]
TERMINALS = ["M001-T01", "M002-T01", "M001-T02", "M003-T01", "Z"]


class Junk:
    """Values for a transaction body: typed for the field most of the time, anything else
    otherwise."""

    def __init__(self, rng: random.Random, w: World, cards: list[str], ids: list[str]) -> None:
        self.rng, self.w, self.cards, self.ids = rng, w, cards, ids
        self.pub = w.new_key().public
        self.scalars: list[Any] = [None, True, False, 0, -1, 1, 50, 10**6, 2**62, -(2**62),
                                   "", "x", "M001", "EHB", "TEA-250", 20261124, "\u202e",
                                   "a" * 300, *cards, *ids]
        r = rng
        self.typed: dict[str, Callable[[], Any]] = {
            "card": lambda: r.choice([*cards, w.card_number("621483"), "123"]),
            "new_card": lambda: r.choice([w.card_number("621483"), cards[1], "1"]),
            "to_card": lambda: r.choice([*cards, w.card_number("621483"), "1"]),
            "reference": lambda: r.choice(["TRF-1", "", "no spaces", "x" * 40]),
            "bank": lambda: r.choice(["EHB", "JRB", "XXX"]),
            "acquirer": lambda: r.choice(["EHB", "JRB", "XXX"]),
            "amount": self.money, "deposit": self.money, "gross": self.money,
            "refunds": self.money, "fee": self.money, "net": self.money,
            "points": lambda: r.choice([self.money(), {"EHB": self.money()},
                                        {"JRB": self.money(), "EHB": 0}]),
            "count": lambda: r.choice([0, 1, 3]), "refund_count": lambda: r.choice([0, 1]),
            "cycle": lambda: r.choice([20261124, 20261125, 19700101, 99991231, 20260230]),
            "expires": lambda: w.now + r.choice([-1, 1, 10**9, 10**13]),
            "new_expires": lambda: w.now + r.choice([-1, 1, 10**9, 10**13]),
            "named": lambda: r.choice([True, False, 1]),
            "public_key": lambda: r.choice([self.pub, w.new_key().public, "00"]),
            "new_public_key": lambda: r.choice([self.pub, w.new_key().public, "00"]),
            "holder": lambda: r.choice(["Li", "", "\u202e", "a" * 200]),
            "id_hash": lambda: r.choice(["ab" * 32, "x"]),
            "pii": lambda: r.choice([w.sealed("EHB", "Li", "1"), {}, {"commitment": "ab" * 32},
                                     {**w.sealed("EHB", "Li", "2"), "bank": "x"}]),
            "items": lambda: [{"sku": r.choice(SKUS), "qty": r.choice([1, 2, 0, -1, 10**6]),
                               **({"price": self.money(), "name": "n", "points_ok": True}
                                  if r.random() < 0.3 else {})}
                              for _ in range(r.randint(0, 3))],
            "redeem": lambda: [{"bank": r.choice(["EHB", "JRB", "X"]), "cash": self.money(),
                                **({"points": self.money()} if r.random() < 0.5 else {})}
                               for _ in range(r.randint(0, 3))],
            "order": lambda: r.choice(["O1", "", "x" * 100]),
            "terminal": lambda: r.choice(TERMINALS),
            "merchant": lambda: r.choice(["M001", "M002", "M003", "M009", ""]),
            "payment": lambda: r.choice(ids),
            "name": lambda: r.choice(["Shop", "", "\u0007"]),
            "fee_bp": lambda: r.choice([0, 60, 10_001, -1]),
            "cutoff_min": lambda: r.choice([0, 1380, 1440, -1]),
            "hold": lambda: r.choice([True, False]),
            "contract": lambda: {k: r.choice([1, 100, 0, -1, 10**9, "x"]) for k in r.sample(
                ["points_per_yuan", "max_share_bp", "max_per_order", "eligible", "x"],
                r.randint(1, 4))},
            "case": lambda: r.choice(["ab" * 32, "x"]),
            "status": lambda: r.choice(["acknowledged", "closed", "open", "x"]),
            "rule": lambda: r.choice(["custody", "x"]),
            "note": lambda: "checked",
        }

    def money(self) -> int:
        return self.rng.choice([0, 1, 100, 4_800, 26_800, 50_000, 10**7, -5, 2**62, 10**12])

    def any(self, depth: int = 0) -> Any:
        r = self.rng.random()
        if depth < 2 and r < 0.15:
            return [self.any(depth + 1) for _ in range(self.rng.randint(0, 3))]
        if depth < 2 and r < 0.3:
            keys = self.rng.sample(["sku", "qty", "bank", "cash", "points", "id", "price"],
                                   self.rng.randint(0, 4))
            return {k: self.any(depth + 1) for k in keys}
        return self.rng.choice(self.scalars)

    def field(self, name: str) -> Any:
        make = self.typed.get(name)
        return make() if make is not None and self.rng.random() < 0.8 else self.any()


def test_random_transactions_are_always_decided() -> None:
    rng = random.Random(20261124)
    w = World(seed=3)
    cards = [w.issue(deposit=50_000) for _ in range(3)] + [w.issue("JRB", deposit=20_000)]
    w.one(w.tx("accrue_points", {"card": cards[0], "bank": "EHB", "points": 50_000},
               w.clerk()))
    pay = w.pay_tx(cards[0], [{"sku": "TEA-250", "qty": 1}])
    assert w.one(pay).ok
    junk = Junk(rng, w, cards, [pay.hex_id, "00" * 32, "zz"])
    people = [n for n in w.keys if not n.startswith(("validator", "seal-"))]
    prices = {g["sku"]: g["price"] for m in w.genesis.merchants for g in m["catalogue"]}
    decided: dict[tuple[str, str], int] = {}
    sold: list[str] = []  # well-formed sales accepted, for well-formed refunds
    kinds = sorted(RULES)
    for n in range(3_000):
        if n % 200 == 199:  # fresh cards: random freezes and closes use the old ones up
            cards.append(w.issue(deposit=50_000))
            for m in ("M001", "M002"):  # and random regulatory holds are lifted
                w.one(w.tx("set_merchant_hold", {"merchant": m, "hold": False},
                           w.k("regulator-1")))
        # payments and refunds weigh as much as every other kind together: they reach the
        # deepest rules (points, cycles, orders)
        kind = rng.choice(["pay"] * 6 + ["refund"] * 2 + kinds) if rng.random() < 0.5 \
            else rng.choice(kinds)
        if kind == "pay" and rng.random() < 0.2:  # a till's well-formed sale, random card
            sale = w.pay_tx(rng.choice(cards), [{"sku": rng.choice(SKUS[:3]),
                                                 "qty": rng.randint(1, 2)}])
            res = w.apply(sale).results[0]
            decided[(kind, res.code)] = decided.get((kind, res.code), 0) + 1
            if res.ok:
                sold.append(sale.hex_id)
            continue
        if kind == "refund" and sold and rng.random() < 0.3:  # part of an earlier sale back
            back = w.tx("refund", {"terminal": "M001-T01", "payment": rng.choice(sold),
                                   "amount": rng.choice([100, 4_800, 10**6])},
                        w.k("terminal-M001-T01"))
            res = w.apply(back).results[0]
            decided[(kind, res.code)] = decided.get((kind, res.code), 0) + 1
            continue
        rule = RULES[kind]
        fields = [*sorted(rule.required), *(f for f in sorted(rule.optional)
                                            if rng.random() < 0.5)]
        if rng.random() < 0.1:
            fields.remove(rng.choice(fields))
        if rng.random() < 0.1:
            fields.append("extra")
        body = {f: junk.field(f) for f in fields}
        if kind == "pay" and rng.random() < 0.6:  # the till's total, as a till computes it
            with contextlib.suppress(KeyError, TypeError):
                body["amount"] = sum(prices[i["sku"]] * i["qty"] for i in body["items"])
        if kind in ("pay", "refund") and rng.random() < 0.7:  # signed as a till would
            term = body.get("terminal") if body.get("terminal") in TERMINALS[:4] else "M001-T01"
            keys = [w.k(f"terminal-{term}")]
            card = body.get("card")
            if kind == "pay" and isinstance(card, str) and card in w.card_keys:
                keys.append(w.card_keys[card])
        else:
            keys = [w.k(rng.choice(people))]
        try:
            tx = w.tx(kind, body, *keys)
        except Exception:  # the builder refuses some values: no transaction
            continue
        result = w.apply(tx).results[0]  # raises if a rule fails with anything but a reason
        decided[(kind, result.code)] = decided.get((kind, result.code), 0) + 1
    # the run reaches deep: many distinct decisions, payments and refunds accepted
    assert len(decided) >= 70, sorted(decided)
    assert decided.get(("pay", "ok"), 0) > 0 and decided.get(("refund", "ok"), 0) > 0, \
        sorted(k for k in decided if k[1] == "ok")
