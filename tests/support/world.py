"""An in-process consortium for ledger tests: keys in memory, one store, a manual clock."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app import holder as holders
from app.consortium import build_genesis, identity_names, parse_hosts, seal_key_names
from node import crypto
from node.cardfile import new_card_number
from node.ledger import BlockResult, Genesis, Ledger, Tx, TxResult
from node.ledger.builder import Builder
from node.ledger.tx import luhn_complete
from node.store import Store

# 2026-11-24 08:00 China time
T0 = 1_795_478_400_000
YEAR_MS = 365 * 86_400_000
BASKET = [{"sku": "TEA-250", "qty": 2}, {"sku": "RICE-5KG", "qty": 1}]  # 18,590 fen


class World:
    def __init__(self, path: Path | str = ":memory:", *, validators: int = 4,
                 keys: dict[str, crypto.SigningKey] | None = None,
                 seed: int | None = None) -> None:
        self.rng = random.Random(seed) if seed is not None else None
        self.keys: dict[str, crypto.SigningKey] = keys or {
            n: self.new_key() for n in identity_names(validators) + seal_key_names()
        }
        pubs = {n: k.public for n, k in self.keys.items()}
        self.genesis = build_genesis(pubs, parse_hosts(None, validators), T0)
        self.store = Store(path)
        self.ledger = Ledger(self.store, self.genesis)
        self.builder = Builder(self.genesis.chain_id, rng=self.rng)
        self.now = T0 + 60_000
        self.card_keys: dict[str, crypto.SigningKey] = {}
        self.certify = False
        self.blocks: list[tuple[list[Tx], int]] = []
        self.orders = 0

    def new_key(self) -> crypto.SigningKey:
        """A fresh key; derived from the seed when the world is seeded (simulations)."""
        if self.rng is None:
            return crypto.generate()
        secret = self.rng.randrange(1, 2**255)
        return crypto.key_from_der(ec.derive_private_key(secret, ec.SECP256R1()).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))

    def card_number(self, bin6: str) -> str:
        if self.rng is None:
            return new_card_number(bin6)
        return luhn_complete(bin6 + "".join(str(self.rng.randrange(10)) for _ in range(12)))

    def save_keys(self, path: Path) -> None:
        """Test-only: dump the consortium's keys unencrypted so a child process can sign."""
        Path(path).write_text(json.dumps(
            {n: crypto.key_to_der(k).hex() for n, k in self.keys.items()}))

    @staticmethod
    def load_keys(path: Path) -> dict[str, crypto.SigningKey]:
        raw = json.loads(Path(path).read_text())
        return {n: crypto.key_from_der(bytes.fromhex(h)) for n, h in raw.items()}

    # --- building ------------------------------------------------------------------------

    def k(self, name: str) -> crypto.SigningKey:
        return self.keys[name]

    def tx(self, kind: str, body: dict[str, Any], *signers: crypto.SigningKey,
           expires_in: int | None = None) -> Tx:
        t = self.builder.make(kind, body, self.now, *signers)
        if expires_in is not None:
            t = Tx(t.chain, t.kind, t.body, t.nonce, self.now + expires_in)
            t = t.signed_by(*signers)
        return t

    def apply(self, *txs: Tx, advance: int = 1_000) -> BlockResult:
        # as a node sees them: decoded from their canonical text (a rule's message may
        # quote a body value, whose key order is the text's)
        txs = tuple(Tx.decode(t.encode()) for t in txs)
        self.now += advance
        self.blocks.append((list(txs), self.now))
        cert = self.certificate(list(txs), self.now) if self.certify else None
        return self.ledger.apply_block(list(txs), self.now, cert=cert)

    def certificate(self, txs: list[Tx], time: int) -> bytes:
        """A commit certificate signed by 2f+1 of this world's validators (the form the
        consensus runtime stores), so audits and receipts work on World-built chains."""
        from node.consensus.certs import encode_cert
        from node.consensus.messages import Commit, batch_digest

        height = self.ledger.height + 1
        texts = [t.encode().decode() for t in txs]
        bid = batch_digest(height, time, texts)
        n = len(self.genesis.validators)
        commits = [Commit(i, "", 0, height, bid).signed(self.keys[f"validator-{i}"])
                   for i in range(2 * ((n - 1) // 3) + 1)]
        return encode_cert(0, time, bid, commits)

    def one(self, tx: Tx) -> TxResult:
        return self.apply(tx).results[0]

    # --- common transactions --------------------------------------------------------------

    def clerk(self, bank: str = "EHB") -> crypto.SigningKey:
        return self.k(f"clerk-{bank}-1")

    def by_the_bank(self, kind: str, body: dict[str, Any], bank: str) -> list[Tx]:
        """A bank's act as its clerks send it: directly, or (the bank takes it from two
        clerks, chain format 6) proposed by one clerk and approved by the other."""
        entry = next(b for b in self.genesis.raw["banks"] if b["id"] == bank)
        if kind not in (entry.get("four_eyes") or []) or self.genesis.chain_format < 6:
            return [self.tx(kind, body, self.clerk(bank))]
        proposal = self.tx("propose", {"act": kind, "body": body}, self.clerk(bank))
        return [proposal, self.tx("approve", {"proposal": proposal.hex_id},
                                  self.k(f"clerk-{bank}-2"))]

    def issue_tx(self, bank: str = "EHB", *, named: bool = True, deposit: int | None = None,
                 holder: str = "Li Lei 李雷") -> tuple[Tx, str]:
        bin6 = next(b["bin"] for b in self.genesis.banks if b["id"] == bank)
        number = self.card_number(bin6)
        key = self.new_key()
        self.card_keys[number] = key
        body: dict[str, Any] = {"card": number, "bank": bank, "public_key": key.public,
                                "named": named, "expires": self.now + 3 * YEAR_MS}
        if named:
            body["id_hash"] = crypto.sha256(number.encode()).hex()
            body["pii"] = self.sealed(bank, holder, number)
        if deposit is not None:
            body["deposit"] = deposit
        return self.tx("issue_card", body, self.clerk(bank)), number

    def sell_tx(self, deposits: list[int], payment: dict[str, Any] | None = None, *,
                bank: str = "EHB", buyer: str | None = None) -> tuple[Tx, list[str]]:
        """One buyer buys anonymous cards with these values in one go (``buyer``: the
        buyer's ID number, registered sealed; ``payment`` by default a person's cash)."""
        bin6 = next(b["bin"] for b in self.genesis.banks if b["id"] == bank)
        cards = []
        for deposit in deposits:
            number = self.card_number(bin6)
            key = self.new_key()
            self.card_keys[number] = key
            cards.append({"card": number, "public_key": key.public,
                          "expires": self.now + 3 * YEAR_MS, "deposit": deposit})
        body: dict[str, Any] = {"bank": bank, "cards": cards,
                                "payment": payment or {"method": "cash", "payer": "person"}}
        if buyer is not None:
            body["buyer"] = {"id_hash": crypto.sha256(buyer.encode()).hex(),
                             "pii": self.sealed(bank, "Han Meimei 韩梅梅", buyer)}
        return self.tx("sell_cards", body, self.clerk(bank)), [c["card"] for c in cards]

    def sealed(self, bank: str, name: str, id_number: str) -> dict[str, Any]:
        """A named card's sealed details (app/holder.py); a seeded world's are derived from
        the ID number (the rules check their form only) so that its transactions, and the
        random draws after them, repeat."""
        if self.rng is None:
            return holders.seal(self.genesis, bank, holders.Holder(name, id_number, "", "00"))
        epk = str(self.genesis.seal_key("regulator")).partition(":")[2]

        def fake(who: str) -> dict[str, str]:
            h = crypto.sha256(f"{who}:{id_number}".encode()).hex()
            return {"epk": epk, "nonce": h[:24], "ct": h * 2}

        return {"commitment": fake("c")["ct"][:64], "bank": fake("bank"),
                "regulator": fake("regulator")}

    def issue(self, bank: str = "EHB", **kw: Any) -> str:
        t, number = self.issue_tx(bank, **kw)
        r = self.one(t)
        assert r.ok, r
        return number

    def pay_tx(self, number: str, items: list[dict[str, Any]] | None = None, *,
               terminal: str = "M001-T01", redeem: list[dict[str, Any]] | None = None,
               amount: int | None = None, order: str | None = None,
               cash_tendered: int | None = None) -> Tx:
        """A payment; each gets an order id of its own unless ``order`` names one (a
        merchant order takes at most one accepted payment); ``cash_tendered``: paid in cash
        at the till (chain format 6)."""
        if order is None:
            self.orders += 1
            order = f"ORD-{self.orders}"
        items = items if items is not None else BASKET
        if amount is None:
            cat = {g["sku"]: g for m in self.genesis.merchants for g in m["catalogue"]}
            amount = sum(cat[i["sku"]]["price"] * i["qty"] for i in items)
        body: dict[str, Any] = {"terminal": terminal, "card": number, "order": order,
                                "items": items, "amount": amount}
        if redeem:
            body["redeem"] = redeem
        if cash_tendered is not None:
            body["cash_tendered"] = cash_tendered
        return self.tx("pay", body, self.k(f"terminal-{terminal}"), self.card_keys[number])

    def at_format(self, version: int) -> World:
        """The same consortium on a chain of an earlier format (made before its rules),
        from an empty ledger."""
        self.genesis = Genesis.from_dict(dict(self.genesis.raw, version=version))
        self.store = Store(":memory:")
        self.ledger = Ledger(self.store, self.genesis)
        return self

    def balance(self, number: str) -> int:
        row = self.store.get("accounts", f"card:{number}")
        return 0 if row is None else int(row["balance"])

    def points(self, bank: str, number: str) -> int:
        row = self.store.get("accounts", f"pts:{bank}:{number}")
        return 0 if row is None else int(row["balance"])


def two_bank_day(w: World) -> tuple[str, str, str]:
    """A card pays at M001 with points from both banks, pays again, gets that second
    payment refunded, and pays at M002 with EHB points.  Returns (card, pay 1, pay 2)."""
    a = w.issue(deposit=300_000)
    w.one(w.tx("accrue_points", {"card": a, "bank": "EHB", "points": 20_000}, w.clerk()))
    w.one(w.tx("accrue_points", {"card": a, "bank": "JRB", "points": 20_000}, w.clerk("JRB")))
    items = [{"sku": "TEA-250", "qty": 2}, {"sku": "RICE-5KG", "qty": 1},
             {"sku": "OIL-1L", "qty": 1}]
    p1 = w.one(w.pay_tx(a, items, redeem=[{"bank": "EHB", "cash": 2_000},
                                          {"bank": "JRB", "cash": 1_000}], order="O1"))
    p2 = w.one(w.pay_tx(a, [{"sku": "MILK-12", "qty": 3}], order="O2"))
    assert p1.ok and p2.ok
    assert w.one(w.tx("refund", {"terminal": "M001-T01", "payment": p2.id, "amount": 5_990,
                                 "order": "O2-R"}, w.k("terminal-M001-T01"))).ok
    assert w.one(w.pay_tx(a, [{"sku": "BOOK-ATLAS", "qty": 1}], terminal="M002-T01",
                          redeem=[{"bank": "EHB", "cash": 500}])).ok
    return a, p1.id, p2.id
