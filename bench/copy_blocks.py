"""State-transfer copy throughput: the database work of a node that is behind, alone.

Prints JSON.  A chain of N payments (and the card issues before them) is executed on one
store in blocks of ``--block``; then a second store with the same genesis copies every block
from its effects (``copy_run`` and ``Store.copy_blocks``, what a catching-up validator's
database thread does) in runs of ``--run`` blocks, one SQLite transaction each (a run ends
at a checkpoint in a real catch-up: 50 blocks by default).  Timed: building the rows and
checking the roots (Python), and writing them with the COMMIT (SQLite); and the bytes
written per transaction (WAL frames and checkpoints: a page dirtied by a random index
insert is written whole).  No network, no
certificate checks: what bounds a catch-up once those run beside it.

    python bench/copy_blocks.py [--payments 40000] [--block 13] [--run 50] [--cards 2000]
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

from node.ledger import Ledger
from node.ledger.effects import Effects, Fetched, copy_run
from node.store import Store
from tests.support.world import World


def fetched(store: Store, height: int) -> Fetched:
    """A block as state transfer receives it: its texts, effects and header fields."""
    b = store.block(height)
    assert b is not None
    wires = tuple(t.wire.decode() for t in store.block_txs(height))
    results, writes = store.query("SELECT results, writes FROM effects WHERE height = ?",
                                  (height,))[0]
    return Fetched(height, b.time, b.view, b.cert or b"", wires, b.tx_root,
                   Effects(results, writes))


def written() -> int:
    """Bytes this process has written so far (WAL frames, checkpoints): deterministic, where
    the wall time of a run on a shared 2-core machine scatters by 15 %."""
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("wchar"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=40_000)
    ap.add_argument("--block", type=int, default=13, help="payments per block (a catch-up "
                    "at 450/s offered saw ~13)")
    ap.add_argument("--run", type=int, default=50, help="blocks per SQLite transaction")
    ap.add_argument("--cards", type=int, default=2_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        w = World(Path(tmp) / "source.db")
        cards = []
        for start in range(0, args.cards, 500):
            batch = [w.issue_tx(deposit=500_000) for _ in range(min(500, args.cards - start))]
            w.apply(*[t for t, _ in batch])
            cards += [n for _, n in batch]
        now = w.now
        for start in range(0, args.payments, args.block):
            txs = [w.pay_tx(cards[(start + i) % len(cards)], [{"sku": "TEA-250", "qty": 1}],
                            order=f"O{start + i}")
                   for i in range(min(args.block, args.payments - start))]
            now += 100
            w.ledger.apply_block(txs, now, sig_ok=[True] * len(txs))
        src = w.store
        top = src.height()
        blocks = [fetched(src, h) for h in range(1, top + 1)]
        ntx = sum(len(b.wires) for b in blocks)

        dst = Store(Path(tmp) / "copy.db")
        Ledger(dst, w.genesis)  # genesis state, as a new validator has it
        build_s = write_s = 0.0
        w0 = written()
        t0 = time.perf_counter()
        for i in range(0, len(blocks), args.run):
            run = blocks[i:i + args.run]
            a = time.perf_counter()
            head = dst.head()
            assert head is not None
            copy = copy_run(w.genesis.chain_id, head, run, len(w.genesis.validators))
            b = time.perf_counter()
            with dst.db.atomic():
                dst.copy_blocks(copy)
            c = time.perf_counter()
            build_s += b - a
            write_s += c - b
        total = time.perf_counter() - t0
        wrote = written() - w0
        last = src.block(top)
        got = dst.block(top)
        assert last is not None and got is not None and got.state_root == last.state_root
        assert got.hash == last.hash, "the copy's head differs from the source's"
        print(json.dumps({
            "benchmark": "copy_blocks", "payments": args.payments, "transactions": ntx,
            "blocks": top, "block_size": args.block, "run_blocks": args.run,
            "seconds": round(total, 3), "tx_per_s": round(ntx / total),
            "us_per_tx_build": round(build_s / ntx * 1e6, 1),
            "us_per_tx_write": round(write_s / ntx * 1e6, 1),
            "written_bytes_per_tx": round(wrote / ntx),
            "db_bytes": os.path.getsize(Path(tmp) / "copy.db"),
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                        "sqlite": sqlite3.sqlite_version, "platform": platform.platform()},
        }, indent=1))


if __name__ == "__main__":
    main()
