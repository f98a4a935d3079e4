"""Hypothesis stateful test: random sequences of transactions in random blocks.

After every step: postings balance per transaction and overall, no negative card or points
balance, every points account's dated lots make its balance, named/anonymous caps hold, no
id applied twice.  At the end, the stored blocks
replayed into a fresh database give the same block hash and state root at every height.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
)

from node import crypto
from node.cardfile import new_card_number
from node.ledger import queries as q
from node.ledger.cycles import cycle_end, cycle_of_day, open_cycle
from node.ledger.tx import Tx
from node.store import Store
from tests.support.invariants import check_store, replay_into
from tests.support.world import YEAR_MS, World

SKUS = ["TEA-250", "RICE-5KG", "OIL-1L", "MILK-12", "MOON-BOX", "TEA-250", "RICE-5KG", "TV-65"]
AMOUNTS = st.one_of(st.integers(1, 120_000), st.integers(1, 120_000), st.integers(-5, 0),
                    st.integers(400_000, 600_000), st.just(10**12 + 1))
PAYMENTS = st.one_of(st.none(), st.sampled_from([
    {"method": "cash", "payer": "organisation"}, {"method": "cash", "payer": "person"},
    {"method": "debit_card", "payer": "person"},
    {"method": "transfer", "payer": "organisation", "reference": "TRF-1"}]))
DEPOSITS = st.one_of(st.none(), st.integers(20_000, 100_000), st.integers(20_000, 100_000),
                     AMOUNTS)


class LedgerMachine(RuleBasedStateMachine):
    cards = Bundle("cards")
    payments = Bundle("payments")

    def __init__(self) -> None:
        super().__init__()
        self.w = World()
        self.pending: list[Tx] = []
        self.sent: list[Tx] = []
        # short points lives, and EHB's own choice of goods at one terminal
        for bank, extra in (("EHB", {"expire_days": 1, "terminals": {"M001-T01": {
                "skus": ["TEA-250", "MILK-12"], "max_fen_per_order": 1_500}}}),
                            ("JRB", {"expire_days": 2})):
            row = self.w.store.get("banks", bank)
            assert row is not None
            acts = self.w.by_the_bank("set_points_contract", {"bank": bank, "contract": {
                **row["points_contract"], **extra}}, bank)
            assert all(r.ok for r in self.w.apply(*acts).results)

    def _add(self, tx: Tx) -> Tx:
        self.pending.append(tx)
        self.sent.append(tx)
        return tx

    @rule()
    def flush(self) -> None:
        self.w.apply(*self.pending, advance=60_000)
        self.pending = []

    def _flush_and_check(self, tx: Tx) -> bool:
        """Apply what is pending now; True if ``tx`` was accepted in that block."""
        res = self.w.apply(*self.pending, advance=60_000)
        self.pending = []
        return any(r.id == tx.hex_id and r.ok for r in res.results)

    @rule(target=cards, named=st.booleans(), bank=st.sampled_from(["EHB", "JRB"]),
          deposit=DEPOSITS)
    def issue(self, named: bool, bank: str, deposit: int | None) -> Any:
        tx, number = self.w.issue_tx(bank, named=named, deposit=deposit)
        self._add(tx)
        return number if self._flush_and_check(tx) else multiple()

    @rule(card=cards, amount=AMOUNTS, payment=PAYMENTS)
    def top_up(self, card: str, amount: int, payment: dict[str, Any] | None) -> None:
        bank = "EHB" if card.startswith("621483") else "JRB"
        body: dict[str, Any] = {"card": card, "amount": amount}
        if payment is not None:
            body["payment"] = payment
        self._add(self.w.tx("top_up", body, self.w.clerk(bank)))

    @rule(target=cards, deposits=st.lists(st.one_of(st.integers(1, 100_000),
                                                    st.just(100_000)), min_size=1,
                                          max_size=12),
          payment=PAYMENTS, buyer=st.booleans())
    def sell(self, deposits: list[int], payment: dict[str, Any] | None, buyer: bool) -> Any:
        tx, numbers = self.w.sell_tx(deposits, payment,
                                     buyer="110101199001011234" if buyer else None)
        self._add(tx)
        ok = self._flush_and_check(tx)
        event(f"sale {'accepted' if ok else 'refused'}")
        return multiple(*numbers) if ok else multiple()

    @rule()
    def next_day(self) -> None:
        self.flush()
        self.w.now += 86_400_000

    @rule(bank=st.sampled_from(["EHB", "JRB"]), by_clearing=st.booleans())
    def expire(self, bank: str, by_clearing: bool) -> None:
        """The expiry step for yesterday (refused when already run for it)."""
        off = self.w.genesis.params["utc_offset_min"]
        day = cycle_of_day((self.w.now + off * 60_000) // 86_400_000 - 1)
        key = self.w.k("clearing-1") if by_clearing else self.w.clerk(bank)
        tx = self._add(self.w.tx("expire_points", {"bank": bank, "cycle": day}, key))
        res = self.w.apply(*self.pending, advance=60_000)
        self.pending = []
        got = [r for r in res.results if r.id == tx.hex_id]
        event("expiry took points" if got and got[0].ok and (self.w.store.get(
            "points_expiries", f"{bank}|{day}") or {}).get("points") else "expiry took none")

    @rule(card=cards, to=cards, amount=AMOUNTS)
    def transfer(self, card: str, to: str, amount: int) -> None:
        bank = "EHB" if card.startswith("621483") else "JRB"
        self._add(self.w.tx("transfer", {"card": card, "to_card": to, "amount": amount},
                            self.w.clerk(bank)))

    @rule(card=cards, bank=st.sampled_from(["EHB", "JRB"]), points=st.integers(1, 30_000))
    def accrue(self, card: str, bank: str, points: int) -> None:
        self._add(self.w.tx("accrue_points", {"card": card, "bank": bank, "points": points},
                            self.w.clerk(bank)))

    @rule(target=payments, card=cards,
          items=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1,
                         max_size=4, unique_by=lambda t: t[0]),
          redeem=st.lists(st.tuples(st.sampled_from(["EHB", "JRB"]),
                                    st.one_of(st.integers(1, 3_000), st.integers(1, 30_000))),
                          max_size=2, unique_by=lambda t: t[0]),
          terminal=st.sampled_from(["M001-T01", "M001-T02"]),
          cash=st.one_of(st.none(), st.none(), st.integers(1, 30_000)))
    def pay(self, card: str, items: list[tuple[str, int]], redeem: list[tuple[str, int]],
            terminal: str, cash: int | None) -> Any:
        """A basket, points from up to two banks, now and then part of it in cash at the
        till (split tender)."""
        body = [{"sku": s, "qty": q} for s, q in items]
        red = [{"bank": b, "cash": c} for b, c in redeem]
        tx = self._add(self.w.pay_tx(card, body, terminal=terminal, redeem=red or None,
                                     cash_tendered=cash))
        return tx if self._flush_and_check(tx) else multiple()

    @rule(payment=payments, amount=st.integers(1, 40_000))
    def refund(self, payment: Tx, amount: int) -> None:
        self._add(self.w.tx("refund", {"terminal": payment.body["terminal"],
                                       "payment": payment.hex_id, "amount": amount},
                            self.w.k(f"terminal-{payment.body['terminal']}")))

    @rule(payment=payments, data=st.data(), off=st.sampled_from([0, 0, 0, 1, -1]))
    def refund_lines(self, payment: Tx, data: st.DataObject, off: int) -> None:
        """Some of the payment's goods back (chain format 6), now and then at a wrong
        amount; a line may be asked back more often than it was bought."""
        items = payment.body["items"]
        picks = data.draw(st.lists(st.tuples(st.sampled_from(range(len(items))),
                                             st.integers(1, 3)),
                                   min_size=1, max_size=len(items), unique_by=lambda t: t[0]))
        prices = {it["sku"]: it["price"] for m in self.w.genesis.merchants
                  for it in m["catalogue"]}
        lines = [{"sku": items[i]["sku"], "qty": q} for i, q in picks]
        amount = sum(prices[x["sku"]] * x["qty"] for x in lines) + off
        self._add(self.w.tx("refund", {"terminal": payment.body["terminal"],
                                       "payment": payment.hex_id, "amount": max(1, amount),
                                       "lines": lines},
                            self.w.k(f"terminal-{payment.body['terminal']}")))

    @rule(card=cards, by_regulator=st.booleans())
    def freeze(self, card: str, by_regulator: bool) -> None:
        bank = "EHB" if card.startswith("621483") else "JRB"
        key = self.w.k("regulator-1") if by_regulator else self.w.clerk(bank)
        self._add(self.w.tx("freeze", {"card": card}, key))

    @rule(card=cards, by_regulator=st.booleans(), one_clerk=st.booleans())
    def unfreeze(self, card: str, by_regulator: bool, one_clerk: bool) -> None:
        """By the regulator, or by the bank (JRB takes it from two clerks: sent by one
        alone, it is refused)."""
        bank = "EHB" if card.startswith("621483") else "JRB"
        if by_regulator or one_clerk:
            key = self.w.k("regulator-1") if by_regulator else self.w.clerk(bank)
            self._add(self.w.tx("unfreeze", {"card": card}, key))
            return
        for tx in self.w.by_the_bank("unfreeze", {"card": card}, bank):
            self._add(tx)

    @rule(target=cards, card=consumes(cards))
    def report_lost(self, card: str) -> Any:
        bin6 = card[:6]
        bank = "EHB" if bin6 == "621483" else "JRB"
        new = new_card_number(bin6)
        key = crypto.generate()
        self.w.card_keys[new] = key
        self._add(self.w.tx("report_lost", {"card": card, "new_card": new,
                                            "new_public_key": key.public,
                                            "new_expires": self.w.now + YEAR_MS},
                            self.w.clerk(bank)))
        return new if self._flush_and_check(self.pending[-1]) else multiple()

    @rule(target=payments, card=cards,
          redeem_ehb=st.one_of(st.just(0), st.just(0), st.integers(1, 1_500)))
    def shop(self, card: str, redeem_ehb: int) -> Any:
        """A small everyday purchase, optionally with a few EHB points."""
        red = [{"bank": "EHB", "cash": redeem_ehb}] if redeem_ehb else None
        tx = self._add(self.w.pay_tx(card, [{"sku": "TEA-250", "qty": 1}], redeem=red))
        return tx if self._flush_and_check(tx) else multiple()

    @rule(card=consumes(cards))
    def close(self, card: str) -> None:
        bank = "EHB" if card.startswith("621483") else "JRB"
        for tx in self.w.by_the_bank("close_card", {"card": card}, bank):
            self._add(tx)

    @rule()
    def close_the_day(self) -> None:
        """Past every merchant's cut-off: each cycle not settled yet (with sales or
        refunds, or the open one) is settled in order, closed out by its acquirer, its
        points settled by each bank, and the banks net each day; every one of those is
        accepted, and what it pays is then zero."""
        self.flush()
        w = self.w
        off = w.genesis.params["utc_offset_min"]
        due: dict[str, list[int]] = {}
        for m in w.genesis.merchants:
            row = w.store.get("merchants", m["id"])
            assert row is not None
            closed = row.get("closed_through", 0)
            active = {r["cycle"] for _k, r in w.store.scan("cycles", "merchant = ?", (m["id"],))
                      if r["cycle"] > closed}
            due[m["id"]] = sorted(active | {open_cycle(w.now, row["cutoff_min"], off,
                                                       closed)})
        w.now = max(cycle_end(cs[-1], w.store.get("merchants", m)["cutoff_min"], off)  # type: ignore
                    for m, cs in due.items()) + 1
        for m, cs in due.items():
            acquirer = w.store.get("merchants", m)["acquirer"]  # type: ignore[index]
            for c in cs:
                body = q.settle_body(w.store, w.genesis, m, c)
                assert w.one(w.tx("settle", body, w.k("clearing-1"))).ok
                # closed out at its net even when refunds outweigh the sales
                assert w.one(w.tx("payout", {"merchant": m, "cycle": c, "amount": body["net"],
                                             "reference": "P"}, w.clerk(acquirer))).ok
                for bank, cash in body["points"].items():
                    if cash > 0:
                        assert w.one(w.tx("settle_points", {
                            "bank": bank, "merchant": m, "cycle": c, "amount": cash,
                            "reference": "S"}, w.clerk(bank))).ok
            assert q.balance(w.store, f"merchant:{m}:settled") == 0
        for c in {c for cs in due.values() for c in cs}:
            for pos in q.netting(w.store, c):
                if pos["payer"]:
                    assert w.one(w.tx("interbank", {
                        "cycle": c, "payer": pos["payer"], "payee": pos["payee"],
                        "amount": pos["net"], "reference": "N"}, w.clerk(pos["payer"]))).ok
            assert all(p["settled"] for p in q.netting(w.store, c))
        # nothing is in flight any more: each issuer's liability is its cards' balances
        for r in q.issuers(w.store, w.genesis):
            assert r["outstanding"] == q.cards_balance(w.store, r["bank"])

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def replay(self, data: Any) -> None:
        self.pending.append(data.draw(st.sampled_from(self.sent)))

    @invariant()
    def ledger_invariants(self) -> None:
        check_store(self.w.store, self.w.genesis)

    def teardown(self) -> None:
        if self.pending:
            self.flush()
        check_store(self.w.store, self.w.genesis)
        replay_into(self.w.store, self.w.genesis, Store(":memory:"))


LedgerMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("CARDCHAIN_PROPERTY_EXAMPLES", "150")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerProperties = LedgerMachine.TestCase
