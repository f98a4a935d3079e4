"""Data access on a big ledger: a regulator's query page, a merchant's daily statement, the
compliance scan and the full audit, each timed.  Prints JSON.

    python bench/data_access.py [--transactions 1000000] [--db PATH]

Builds (or reuses, with --db) a ledger of signed transactions over about ten business days:
named cards issued and topped up, payments at the three demo merchants, some refunds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node import compliance
from node.audit import audit
from node.ledger import queries as q
from node.ledger.cycles import cycle_of
from tests.support.world import World

BLOCK = 500
ITEMS = {"M001-T01": "TEA-250", "M002-T01": "BOOK-NOVEL", "M003-T01": "NOODLE-BEEF"}


def build(w: World, total: int) -> int:
    rng = random.Random(7)
    cards: list[str] = []
    payments: list[tuple[str, str]] = []
    made = 0
    step = max(1, 10 * 86_400_000 // max(1, total // BLOCK))  # ~ten days of blocks
    while made < total:
        w.now += step  # transactions are built at the block's time (they expire)
        txs = []
        if len(cards) < 20_000:
            for _ in range(100):
                t, n = w.issue_tx(deposit=400_000)
                txs.append(t)
                cards.append(n)
        while len(txs) < BLOCK and made + len(txs) < total:
            r = rng.random()
            n = rng.choice(cards[:-100] or cards)
            if r < 0.08:
                txs.append(w.tx("top_up", {"card": n, "amount": 50_000}, w.clerk()))
            elif r < 0.10 and payments:
                pid, term = payments[rng.randrange(len(payments))]
                txs.append(w.tx("refund", {"terminal": term, "payment": pid, "amount": 100},
                                w.k(f"terminal-{term}")))
            else:
                term = rng.choice(list(ITEMS))
                tx = w.pay_tx(n, [{"sku": ITEMS[term], "qty": 1}], terminal=term,
                              order=f"B{made + len(txs)}")
                txs.append(tx)
                payments.append((tx.hex_id, term))
        res = w.apply(*txs, advance=1_000)
        made += len(txs)
        if res.height % 200 == 0:
            print(f"built {made} transactions", file=sys.stderr, flush=True)
    return made


def timed(fn, *args, repeat: int = 5):  # type: ignore[no-untyped-def]
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t)
    return out, best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--transactions", type=int, default=1_000_000)
    ap.add_argument("--db", help="reuse or keep the ledger at this path")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = Path(args.db) if args.db else Path(tmp.name) / "big.db"
    keys_file = db.with_suffix(".keys.json")
    fresh = not db.exists()
    keys = None if fresh else World.load_keys(keys_file)
    w = World(db, keys=keys, seed=11 if fresh else None)
    t_build = time.perf_counter()
    w.certify = True
    if fresh:
        w.store.conn.execute("PRAGMA synchronous=OFF")
        build(w, args.transactions)
        w.save_keys(keys_file)
    build_s = time.perf_counter() - t_build
    store, g = w.store, w.genesis
    n_tx = store.query("SELECT COUNT(*) FROM txs")[0][0]
    head = store.head()
    assert head is not None
    day = cycle_of(head.time - 86_400_000, 1380, 480)
    page, page_s = timed(q.transactions, store, {"merchant": "M001", "kind": "pay",
                                                 "time_from": head.time - 3 * 86_400_000})
    card = page["items"][0]["card"]
    _, card_s = timed(q.transactions, store, {"card": card})
    _, deep_s = timed(lambda: q.transactions(store, {"merchant": "M002"}, offset=50_000))
    cursor = q.transactions(store, {"merchant": "M002"}, offset=49_900)["next"]
    _, cursor_s = timed(lambda: q.transactions(store, {"merchant": "M002"}, after=cursor))

    def statement() -> int:
        s = q.cycle_statement(store, g, "M001", day)
        return len(q.statement_lines(store, "M001", day)) + s["count"]

    lines, stmt_s = timed(statement, repeat=3)
    cases, scan_s = timed(lambda: compliance.scan(store, g), repeat=1)
    t = time.perf_counter()
    report = audit(db, g)
    audit_s = time.perf_counter() - t
    print(json.dumps({
        "benchmark": "data_access", "transactions": n_tx, "blocks": head.height,
        "build_s": round(build_s, 1), "db_mb": round(os.path.getsize(db) / 2**20),
        "query_page_ms": {"merchant_3_days": round(page_s * 1000, 2),
                          "card": round(card_s * 1000, 2),
                          "offset_50000": round(deep_s * 1000, 2),
                          "cursor_at_50000": round(cursor_s * 1000, 2)},
        "statement_ms": round(stmt_s * 1000, 1), "statement_lines": lines,
        "compliance_scan_s": round(scan_s, 2), "cases": len(cases or []),
        "audit_s": round(audit_s, 1), "audit_ok": report.ok,
        "audit_problems": report.problems[:3],
        "audit_transactions": report.transactions, "cores": os.cpu_count(),
    }, indent=1))


if __name__ == "__main__":
    main()
