"""`cardchain demo`: a scripted day of business on a fresh demo consortium.

Creates the consortium with `init`, opens one node's ledger and applies the day block by
block: cards issued by two banks, top-ups, points granted by both banks, payments at three
merchants (one paid partly with points from both banks), a refund, a frozen card, a lost
card replaced, a card closed, attempts the rules refuse, and each merchant's cycle settled
after its cut-off.  It prints every decision, the balances and the statements.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.consortium import DEMO_PASSPHRASE, init
from app.demo_backends import ClusterBackend, LocalBackend, current_cycle
from app.flows import card_sale
from app.holder import holder_fields
from app.runner import free_ports
from app.statement_export import yuan
from node import crypto
from node.cardfile import CardFile, new_card_number, new_pin
from node.ledger import Tx
from node.ledger.builder import Builder
from node.ledger.cycles import cycle_of_day

T0 = 1_795_478_400_000  # 2026-11-24 08:00 China time: the demo's business day
MIN = 60_000
YEAR = 365 * 86_400_000


# the demo's cardholders: made-up ID numbers (checksums valid) and phone numbers
DEMO_HOLDERS: dict[str, tuple[str, str]] = {
    "Wang Fang 王芳": ("110101199003074514", "13800138000"),
    "Zhang Wei 张伟": ("31010419851120281X", "13900139000"),
    "Chen Jing 陈静": ("440305199207153428", "13700137000"),
}


def clock(ms: int) -> str:
    local = (ms // MIN + 480) % 1440
    return f"{local // 60:02d}:{local % 60:02d}"


class Day:
    def __init__(self, home: Path, out: Callable[[str], None] = print, *,
                 cluster: bool = False) -> None:
        self.out = out
        if cluster:
            hosts = ",".join(f"127.0.0.1:{p}" for p in free_ports(4))
            self.cons = init(home, DEMO_PASSPHRASE, hosts=hosts,
                             genesis_time=int(time.time() * 1000) - 60_000)
            self.backend: LocalBackend | ClusterBackend = ClusterBackend(self.cons)
        else:
            self.cons = init(home, DEMO_PASSPHRASE, genesis_time=T0)
            self.backend = LocalBackend(self.cons)
        self.genesis = self.cons.genesis
        self.builder = Builder(self.genesis.chain_id)
        self.now = T0 if self.backend.scripted_clock else int(time.time() * 1000)
        # each merchant's open cycle: on the wall clock, between two merchants' cut-offs
        # they differ (M001 closes at 23:00, M003 at 23:30)
        self.cycles = {m["id"]: 20261124 if self.backend.scripted_clock else current_cycle(
            self.cons, m, self.now) for m in self.genesis.merchants}
        self.cards_dir = home / "cards"
        self.cards_dir.mkdir(exist_ok=True)
        self.card_keys: dict[str, crypto.SigningKey] = {}
        self.pins: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.k = {n: self.cons.key(n) for n in self.cons.keys.names()}

    # --- helpers ---------------------------------------------------------------------------

    def at(self, hh: int, mm: int) -> None:
        if self.backend.scripted_clock:
            self.now = T0 + ((hh - 8) * 60 + mm) * MIN
        else:
            self.now = int(time.time() * 1000)

    def block(self, title: str, *txs: Tx) -> list[bool]:
        decisions = self.backend.apply(list(txs), self.now)
        heights = sorted({d[0] for d in decisions})
        where = f"block {heights[0]}" if len(heights) == 1 else \
            f"blocks {heights[0]}-{heights[-1]}"
        self.out(f"[{clock(self.now)}] {where}: {title}")
        for _, kind, code, message in decisions:
            verdict = "accepted" if code == "ok" else f"REJECTED {code}: {message}"
            self.out(f"          {kind:<18} {verdict}")
        return [d[2] == "ok" for d in decisions]

    def tx(self, kind: str, body: dict[str, Any], *signers: str | crypto.SigningKey) -> Tx:
        keys = [self.k[s] if isinstance(s, str) else s for s in signers]
        return self.builder.make(kind, body, self.now, *keys)

    def issue(self, label: str, bank: str, *, named: bool, deposit: int) -> tuple[Tx, str]:
        bin6 = next(b["bin"] for b in self.genesis.banks if b["id"] == bank)
        number = new_card_number(bin6)
        pin = new_pin()
        cf, key = CardFile.create(number, bank, pin)
        cf.save(self.cards_dir / f"{number}.card.json")
        self.card_keys[number], self.pins[number], self.names[number] = key, pin, label
        body: dict[str, Any] = {"card": number, "bank": bank, "public_key": key.public,
                                "named": named, "expires": self.now + 3 * YEAR,
                                "deposit": deposit}
        if named:  # sealed for the bank and the regulator (app/holder.py)
            id_number, phone = DEMO_HOLDERS[label]
            body.update(holder_fields(self.cons, bank, label, id_number, phone))
        return self.tx("issue_card", body, f"clerk-{bank}-1"), number

    def pay(self, number: str, terminal: str, items: list[dict[str, Any]], order: str,
            redeem: list[dict[str, Any]] | None = None) -> Tx:
        offer = self.backend.offer(terminal, number, items, [], self.card_keys[number],
                                   self.now)
        body: dict[str, Any] = {"terminal": terminal, "card": number, "order": order,
                                "items": items, "amount": offer["total"]}
        if redeem:
            body["redeem"] = redeem
        return self.tx("pay", body, f"terminal-{terminal}", self.card_keys[number])

    # --- the day ---------------------------------------------------------------------------

    def run(self) -> None:
        where = ("one in-process ledger (scripted clock)" if self.backend.scripted_clock else
                 f"{len(self.genesis.validators)} validator processes talking PBFT over TLS "
                 "on 127.0.0.1 (wall clock; the cycle is closed early)")
        self.out(f"CardChain demo day — chain {self.genesis.chain_id} on {where}, genesis "
                 f"{self.genesis.hash.hex()[:16]}…\n")
        self.at(8, 30)
        t1, alice = self.issue("Wang Fang 王芳", "EHB", named=True, deposit=300_000)
        t2, bob = self.issue("Zhang Wei 张伟", "EHB", named=True, deposit=80_000)
        t3, anon = self.issue("anonymous gift card", "EHB", named=False, deposit=50_000)
        t4, chen = self.issue("Chen Jing 陈静", "JRB", named=True, deposit=200_000)
        self.block("bank clerks issue four cards", t1, t2, t3, t4)
        self.at(9, 0)
        self.block(
            "points granted and top-ups (one over the anonymous cap)",
            self.tx("accrue_points", {"card": alice, "bank": "EHB", "points": 40_000},
                    "clerk-EHB-1"),
            self.tx("accrue_points", {"card": alice, "bank": "JRB", "points": 30_000},
                    "clerk-JRB-1"),
            self.tx("accrue_points", {"card": chen, "bank": "JRB", "points": 12_000},
                    "clerk-JRB-1"),
            self.tx("top_up", {"card": bob, "amount": 20_000, "payment": {
                "method": "debit_card", "payer": "person"}}, "clerk-EHB-1"),
            self.tx("top_up", {"card": anon, "amount": 60_000, "payment": {
                "method": "cash", "payer": "person"}}, "clerk-EHB-1"),
        )
        self.at(9, 10)
        yesterday = cycle_of_day((self.now + self.genesis.params["utc_offset_min"] * 60_000)
                                 // 86_400_000 - 1)
        self.block("each bank's points expiry step for yesterday (EHB's points live 365 days, "
                   "JRB's 180: none is that old)",
                   *[self.tx("expire_points", {"bank": b, "cycle": yesterday},
                             f"clerk-{b}-1") for b in ("EHB", "JRB")])
        self.at(9, 20)
        transfer = {"method": "transfer", "payer": "organisation",
                    "reference": "TRF-LOTUS-HR-0001"}
        gifts, _made = card_sale(self.cons, "EHB", self.now, [100_000] * 10, transfer)
        buyer, _made = card_sale(self.cons, "EHB", self.now, [100_000] * 10, transfer,
                                 buyer=("Lotus HR dept. 莲花人事部", "91310000MA1FL0001X"))
        cash, _made = card_sale(self.cons, "EHB", self.now, [100_000] * 5,
                                {"method": "cash", "payer": "organisation"})
        self.block("a company buys ten 1,000 CNY gift cards: refused without the buyer's "
                   "registration and, for 5,000 CNY, in cash; sold by bank transfer with the "
                   "buyer registered",
                   self.tx("sell_cards", gifts, "clerk-EHB-1"),
                   self.tx("sell_cards", cash, "clerk-EHB-1"),
                   self.tx("sell_cards", buyer, "clerk-EHB-1"))
        jrb = dict(self.backend.contracts()["JRB"])
        jrb["terminals"] = {"M001-T01": {"skus": ["TEA-250", "OIL-1L", "MILK-12"],
                                         "max_fen_per_order": 5_000}}
        contract = {"bank": "JRB", "contract": jrb}
        proposal = self.tx("propose", {"act": "set_points_contract", "body": contract,
                                       "reason": "milk at Lotus"}, "clerk-JRB-1")
        self.block("JRB chooses the goods its points pay for at Lotus till M001-T01 (milk "
                   "too), at most 50 CNY an order: JRB takes contract changes from two "
                   "clerks, so one sent alone is refused, one proposes, a second approves",
                   self.tx("set_points_contract", contract, "clerk-JRB-1"), proposal,
                   self.tx("approve", {"proposal": proposal.hex_id}, "clerk-JRB-2"))
        self.at(10, 15)
        basket = [{"sku": "TEA-250", "qty": 2}, {"sku": "RICE-5KG", "qty": 1},
                  {"sku": "OIL-1L", "qty": 1}, {"sku": "MILK-12", "qty": 1}]
        offer = self.backend.offer("M001-T01", alice, basket, None, self.card_keys[alice],
                                   self.now)
        self.out(f"          till offer for a {yuan(offer['total'])} CNY basket:")
        for o in offer["offers"]:
            self.out(f"            {o['bank']}: up to {yuan(o['max_cash'])} CNY for "
                     f"{o['points']} points on {', '.join(o['skus'])}")
        combo = [{"bank": c["bank"], "cash": c["cash"]} for c in offer["combination"]]
        self.out(f"            both banks together: {yuan(offer['total'] - offer['cash_due'])}"
                 f" CNY by points, {yuan(offer['cash_due'])} CNY from the card")
        pay_alice = self.pay(alice, "M001-T01", basket, "LOTUS-0001", combo)
        self.block("payments at the till",
                   pay_alice,
                   self.pay(bob, "M001-T02", [{"sku": "MOON-BOX", "qty": 1}], "LOTUS-0002"),
                   self.pay(chen, "M002-T01", [{"sku": "BOOK-ATLAS", "qty": 1},
                                               {"sku": "BOOK-NOVEL", "qty": 2}], "BOOK-0001",
                            [{"bank": "JRB", "cash": 4_000}]),
                   # cards of one bank at the other's merchants: the banks net it tonight
                   self.pay(bob, "M002-T01", [{"sku": "BOOK-NOVEL", "qty": 1}], "BOOK-0002"),
                   self.pay(chen, "M001-T02", [{"sku": "TEA-250", "qty": 1}], "LOTUS-0005"),
                   self.pay(anon, "M003-T01", [{"sku": "NOODLE-BEEF", "qty": 2},
                                               {"sku": "TEA-POT", "qty": 1}], "NOODLE-0001"))
        self.at(11, 0)
        self.block("refused: a television over the anonymous card's balance, a basket over "
                   "the balance",
                   self.pay(anon, "M001-T01", [{"sku": "TV-65", "qty": 1}], "LOTUS-0003"),
                   self.pay(bob, "M001-T01", [{"sku": "MOON-BOX", "qty": 4}], "LOTUS-0004"))
        self.at(12, 30)
        self.block("a customer returns the peanut oil (part refund)",
                   self.tx("refund", {"terminal": "M001-T01", "payment": pay_alice.hex_id,
                                      "amount": 3_250, "order": "LOTUS-0001-R1"},
                           "terminal-M001-T01"))
        self.at(14, 0)
        self.block("bank freezes Zhang Wei's card on a phone call",
                   self.tx("freeze", {"card": bob}, "clerk-EHB-1"))
        self.at(14, 5)
        self.block("a payment with the frozen card is refused",
                   self.pay(bob, "M003-T01", [{"sku": "DUMPLING-12", "qty": 1}], "NOODLE-0002"))
        self.at(15, 0)
        new_alice_tx, new_alice = self._replacement(alice)
        self.block("Zhang Wei's card unfrozen; Wang Fang reports her card lost",
                   self.tx("unfreeze", {"card": bob}, "clerk-EHB-1"), new_alice_tx)
        self.at(16, 20)
        self.block("the replacement card pays; the lost one is refused",
                   self.pay(new_alice, "M003-T01", [{"sku": "NOODLE-BEEF", "qty": 1},
                                                    {"sku": "DUMPLING-12", "qty": 1}],
                            "NOODLE-0003", [{"bank": "EHB", "cash": 1_000}]),
                   self.pay(alice, "M003-T01", [{"sku": "TEA-POT", "qty": 1}], "NOODLE-0004"))
        self.at(16, 40)
        anon_lost = {"card": anon, "new_card": new_card_number(
            next(b["bin"] for b in self.genesis.banks if b["id"] == "EHB")),
            "new_public_key": crypto.generate().public, "new_expires": self.now + 3 * YEAR}
        self.block("Wang Fang moves 100 CNY to Zhang Wei's card (both named, both EHB); "
                   "the anonymous card cannot be reported lost",
                   self.tx("transfer", {"card": new_alice, "to_card": bob, "amount": 10_000},
                           "clerk-EHB-1"),
                   self.tx("report_lost", anon_lost, "clerk-EHB-1"))
        self.at(18, 0)
        self.block("the anonymous card is closed and its balance refunded",
                   self.tx("close_card", {"card": anon}, "clerk-EHB-1"))
        self.at(23, 45)
        settles = [self.tx("settle", self._settle_body(m["id"]), "clearing-1")
                   for m in self.genesis.merchants]
        tampered = self._settle_body("M001")
        tampered["net"] += 100
        self.block("a tampered statement: every replica recomputes it and refuses",
                   self.tx("settle", tampered, "clearing-1"))
        self.block("clearing house closes each merchant's cycle", *settles)
        self.at(23, 50)
        money = []
        for m in self.genesis.merchants:
            s = self.backend.statement(m["id"], self.cycles[m["id"]])
            ref = f"{m['acquirer']}-{m['id']}-{s['cycle']}"
            if s["net"] or s["count"] or s["refund_count"]:  # closed out even at zero
                money.append(self.tx("payout", {"merchant": m["id"], "cycle": s["cycle"],
                                                "amount": s["net"], "reference": ref},
                                     f"clerk-{m['acquirer']}-1"))
            for bank, cash in sorted(s["points"].items()):
                money.append(self.tx("settle_points", {
                    "bank": bank, "merchant": m["id"], "cycle": s["cycle"], "amount": cash,
                    "reference": f"{bank}-PTS-{m['id']}"}, f"clerk-{bank}-1"))
        self.block("acquirers pay each merchant its net; banks settle what their points paid",
                   *money)
        self.at(23, 55)
        day = sorted(set(self.cycles.values()))
        nets = [self.tx("interbank", {"cycle": c, "payer": r["payer"], "payee": r["payee"],
                                      "amount": r["net"],
                                      "reference": f"NET-{r['payer']}-{r['payee']}-{c}"},
                        f"clerk-{r['payer']}-1")
                for c in day for r in self.backend.netting(c) if r["payer"]]
        if nets:
            self.block("banks settle what their cards spent at each other's merchants "
                       "(netting)", *nets)
        self.report()

    def _settle_body(self, merchant: str) -> dict[str, Any]:
        s = self.backend.statement(merchant, self.cycles[merchant])
        keys = ("count", "refund_count", "gross", "refunds", "points", "fee", "net")
        return {"merchant": merchant, "cycle": self.cycles[merchant], **{k: s[k] for k in keys}}

    def _replacement(self, number: str) -> tuple[Tx, str]:
        bank = self.backend.card(number)["bank"]
        bin6 = next(b["bin"] for b in self.genesis.banks if b["id"] == bank)
        new = new_card_number(bin6)
        pin = new_pin()
        cf, key = CardFile.create(new, bank, pin)
        cf.save(self.cards_dir / f"{new}.card.json")
        self.card_keys[new], self.pins[new] = key, pin
        self.names[new] = self.names[number] + " (replacement)"
        body = {"card": number, "new_card": new, "new_public_key": key.public,
                "new_expires": self.now + 3 * YEAR}
        return self.tx("report_lost", body, f"clerk-{bank}-1"), new

    def report(self) -> None:
        self.out("\nCards at the end of the day")
        self.out(f"  {'card':<21}{'holder':<34}{'status':<9}{'balance CNY':>13}"
                 f"{'EHB pts':>9}{'JRB pts':>9}")
        for number, label in self.names.items():
            info = self.backend.card(number)
            self.out(f"  {number:<21}{label:<34}{info['status']:<9}{yuan(info['balance']):>13}"
                     f"{info['points']['EHB']:>9}{info['points']['JRB']:>9}")
        for m in self.genesis.merchants:
            s = self.backend.statement(m["id"], self.cycles[m["id"]])
            self.out(f"\nStatement {s['merchant']} {s['name']} — cycle {s['cycle']} "
                     f"({'settled on chain' if s['settled'] else 'open'})")
            rows = [(f"payments ({s['count']})", s["gross"]),
                    (f"refunds ({s['refund_count']})", -s["refunds"])]
            rows += [(f"of which paid by {bank} points", fen)
                     for bank, fen in s["points"].items()]
            rows += [(f"fee at {s['fee_bp']} bp", -s["fee"]), ("net settlement", s["net"])]
            for label, fen in rows:
                self.out(f"  {label:<32}{yuan(fen):>12} CNY")
            if s.get("paid"):
                self.out(f"  paid out by {s['acquirer']}, reference {s['paid']['reference']}")
            for bank, p in sorted((s.get("points_paid") or {}).items()):
                self.out(f"  {bank} settled its points, reference {p['reference']}")
        for c in sorted(set(self.cycles.values())):
            self.out(f"\nInterbank netting, cycle {c}")
            for r in self.backend.netting(c):
                self.out(f"  {r['bank_a']} owed {r['bank_b']} {yuan(r['a_owes_b'])} CNY, "
                         f"{r['bank_b']} owed {r['bank_a']} {yuan(r['b_owes_a'])} CNY: "
                         + ("settled" if r["settled"] else
                            f"{r['payer']} pays {r['payee']} {yuan(r['net'])} CNY"))
        summary = self.backend.summary()
        self.out(f"\nDouble entry: sum of all balances per asset = {json.dumps(summary['sums'])}")
        self.out(f"Chain head: height {summary['height']}, hash {summary['hash'][:16]}…, "
                 f"state root {summary['state_root'][:16]}…")
        for i, (h, hsh) in enumerate(summary.get("nodes", [])):
            self.out(f"  validator-{i}: height {h}, hash {hsh[:16]}…")
        self.out(f"SQLite integrity check: {summary['integrity']}")


def run_demo(out_dir: Path, out: Callable[[str], None] = print, *,
             cluster: bool = False, keep_running: bool = False) -> Day:
    """The scripted day.  With ``keep_running`` the validators stay up for the caller (the
    desktop demo), who stops them with ``day.backend.close()``."""
    home = Path(out_dir) / "consortium"
    if home.exists():
        if not (home / "genesis.json").exists():
            raise SystemExit(f"{home} exists and is not a demo consortium; not touching it")
        shutil.rmtree(home)
    home.mkdir(parents=True)
    day = Day(home, out, cluster=cluster)
    try:
        day.run()
    except BaseException:
        day.backend.close()
        raise
    if not keep_running:
        day.backend.close()
    out(f"\nConsortium, keys and card files in {home} (demo passphrase: {DEMO_PASSPHRASE!r};"
        " card PINs are sealed in keys/demo-pins.json)")
    pins = crypto.seal(json.dumps(day.pins).encode(), DEMO_PASSPHRASE)
    (home / "keys" / "demo-pins.json").write_text(json.dumps(pins, indent=1) + "\n")
    return day


def load_demo_pins(home: Path, passphrase: str = DEMO_PASSPHRASE) -> dict[str, str]:
    blob = json.loads((Path(home) / "keys" / "demo-pins.json").read_text())
    return dict(json.loads(crypto.unseal(blob, passphrase)))


__all__ = ["Day", "load_demo_pins", "run_demo"]
