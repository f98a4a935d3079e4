"""Child process for the crash tests: applies blocks to a SQLite file until it is killed.

usage: crash_writer.py KEYS DB MODE [HEIGHT]
  MODE "loop": apply blocks of 300 transactions forever, printing each committed height.
  MODE "mid":  at block HEIGHT, SIGKILL itself after the block's rows are written but
               before SQLite's COMMIT (the middle of writing a block).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from node.store import Store
from tests.support.world import World


def main() -> None:
    keys_path, db, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    kill_at = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    w = World(db, keys=World.load_keys(Path(keys_path)))
    w.now = max(w.now, w.store.head().time + 1)  # type: ignore[union-attr]
    if mode == "mid":
        original = Store._write_txs

        def write_then_die(self: Store, txs: list) -> None:  # type: ignore[type-arg]
            original(self, txs)
            if txs and txs[0].height == kill_at:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

        Store._write_txs = write_then_die  # type: ignore[method-assign]
    cards: list[str] = []
    while True:
        txs = []
        for _ in range(100):
            t, n = w.issue_tx(deposit=50_000)
            txs.append(t)
            cards.append(n)
        for n in cards[-200:-100]:
            txs.append(w.pay_tx(n, [{"sku": "TEA-250", "qty": 1}]))
            txs.append(w.tx("top_up", {"card": n, "amount": 100}, w.clerk()))
        res = w.apply(*txs)
        print(res.height, flush=True)


if __name__ == "__main__":
    main()
