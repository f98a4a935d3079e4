"""Ledger apply throughput: signed payments applied in blocks on one node.

Prints JSON.  Transactions are built and signed before the timed window; inside it every
signature is verified (two per payment: terminal and card) and every block is committed
to SQLite (WAL, synchronous=FULL).

    python bench/ledger_apply.py [--payments 100000] [--block 500] [--cards 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cryptography

from node.ledger import Genesis, Ledger
from node.store import Store
from tests.support.world import World


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=100_000)
    ap.add_argument("--block", type=int, default=500)
    ap.add_argument("--cards", type=int, default=2_000)
    ap.add_argument("--no-earning", action="store_true",
                    help="the banks' contracts without earning terms (the A/B for them)")
    ap.add_argument("--chain-format", type=int, default=None,
                    help="run on a consortium of this older chain format (the A/B for a "
                         "format's new rules)")
    ap.add_argument("--prune-effects", action="store_true",
                    help="afterwards, time dropping every block's effects, 100 rows a call")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        w = World(db)
        if args.chain_format is not None:  # the same consortium, an older format's rules
            w.genesis = Genesis.from_dict(dict(w.genesis.raw, version=args.chain_format))
            w.store.close()
            db.unlink()
            w.store = Store(db)
            w.ledger = Ledger(w.store, w.genesis)
        if args.no_earning:
            w.apply(*[w.tx("set_points_contract", {"bank": b["id"], "contract": {
                k: v for k, v in b["points_contract"].items() if k != "earn"}},
                w.clerk(b["id"])) for b in w.genesis.banks])
        cards = []
        for start in range(0, args.cards, args.block):
            batch = [w.issue_tx(deposit=500_000) for _ in range(min(args.block,
                                                                    args.cards - start))]
            w.apply(*[t for t, _ in batch])
            cards += [n for _, n in batch]
        t_sign = time.perf_counter()
        blocks = []
        for start in range(0, args.payments, args.block):
            blocks.append([w.pay_tx(cards[(start + i) % len(cards)],
                                    [{"sku": "TEA-250", "qty": 1}], order=f"O{start + i}")
                           for i in range(min(args.block, args.payments - start))])
        sign_s = time.perf_counter() - t_sign
        ledger: Ledger = w.ledger
        now = w.now
        verify_s = apply_s = 0.0
        accepted = 0
        t0 = time.perf_counter()
        for txs in blocks:
            now += 2 * args.block  # 1 s per 500: small blocks stay within the expiry
            a = time.perf_counter()
            ok = [tx.signatures_valid() for tx in txs]
            b = time.perf_counter()
            res = ledger.apply_block(txs, now, sig_ok=ok)
            c = time.perf_counter()
            verify_s += b - a
            apply_s += c - b
            accepted += sum(r.ok for r in res.results)
        total = time.perf_counter() - t0
        store: Store = w.store
        assert accepted == args.payments, f"only {accepted} of {args.payments} accepted"
        assert store.integrity_check() == "ok"
        db_bytes = os.path.getsize(db)
        prune = prune_effects(store) if args.prune_effects else None
        print(json.dumps({
            "benchmark": "ledger_apply",
            "payments": args.payments, "block_size": args.block, "cards": args.cards,
            "earning": not args.no_earning, "chain_format": w.genesis.chain_format,
            "accepted": accepted,
            "seconds": round(total, 3),
            "payments_per_s": round(args.payments / total),
            "signature_check_s": round(verify_s, 3),
            "execute_and_commit_s": round(apply_s, 3),
            "us_per_payment_signatures": round(verify_s / args.payments * 1e6, 1),
            "us_per_payment_rest": round(apply_s / args.payments * 1e6, 1),
            "presign_s": round(sign_s, 3),
            "db_bytes": db_bytes,
            **({"prune_effects": prune} if prune else {}),
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                        "sqlite": sqlite3.sqlite_version,
                        "cryptography": cryptography.__version__,
                        "platform": platform.platform()},
        }, indent=1))


def prune_effects(store: Store) -> dict[str, object]:
    """What a validator's pruning costs: every block's effects dropped, as it drops them at
    a stable checkpoint (the most rows a call, one SQLite transaction each)."""
    from node.store.store import PRUNE_ROWS

    rows, size = store.query("SELECT COUNT(*), SUM(LENGTH(results) + LENGTH(writes)) "
                             "FROM effects")[0]
    calls = []
    while True:
        t = time.perf_counter()
        with store.db.atomic():
            gone = store.prune_effects(0, PRUNE_ROWS)
        calls.append((gone, round((time.perf_counter() - t) * 1000, 1)))
        if gone == 0:
            break
    return {"rows": rows, "bytes": size, "rows_per_call": PRUNE_ROWS,
            "calls_rows_ms": calls}


if __name__ == "__main__":
    main()
