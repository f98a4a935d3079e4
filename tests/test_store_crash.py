"""SIGKILL while a block is being written: on reopen the state is the last whole block's."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from node.ledger import Ledger
from node.store import Store, schema
from tests.support.invariants import check_store, replay_into
from tests.support.world import World

WRITER = Path(__file__).parent / "support" / "crash_writer.py"
STATE_TABLES = list(schema.STATE_TABLES)


def state_dump(store: Store) -> dict[str, list[tuple[str, str]]]:
    return {t: [tuple(r) for r in store.query(f"SELECT key, data FROM {t} ORDER BY key")]
            for t in STATE_TABLES}


def verify_reopened(db: Path, world: World) -> int:
    store = Store(db)
    assert store.integrity_check() == "ok"
    ledger = Ledger(store, world.genesis)  # reopens at the last whole block
    check_store(store, world.genesis)
    fresh = Store(":memory:")
    replay_into(store, world.genesis, fresh)
    # the crashed file's state equals a clean re-execution of its whole blocks
    assert state_dump(store) == state_dump(fresh)
    height = ledger.height
    store.close()
    return height


def setup(tmp_path: Path) -> tuple[World, Path, Path]:
    db = tmp_path / "node.db"
    w = World(db)
    keys = tmp_path / "keys.json"
    w.save_keys(keys)
    w.store.close()
    return w, db, keys


def test_kill_in_the_middle_of_writing_a_block(tmp_path: Path) -> None:
    w, db, keys = setup(tmp_path)
    proc = subprocess.run([sys.executable, str(WRITER), str(keys), str(db), "mid", "4"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.split() == ["1", "2", "3"]
    assert verify_reopened(db, w) == 3
    # the node carries on from there: block 4 can be written again
    store = Store(db)
    w2 = World(store.path, keys=w.keys)
    w2.now = store.head().time + 1  # type: ignore[union-attr]
    assert w2.apply().height == 4
    w2.store.close()
    store.close()


def test_kill_at_random_moments_under_load(tmp_path: Path) -> None:
    w, db, keys = setup(tmp_path)
    rng = random.Random(20261124)
    last = 0
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, str(WRITER), str(keys), str(db), "loop"],
                                stdout=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            seen = 0
            assert proc.stdout is not None
            while seen < last + 3 and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                seen = int(line)
            time.sleep(rng.uniform(0.0, 0.25))  # not a wait: when the kill lands
        finally:
            proc.kill()
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
        assert proc.returncode == -9
        height = verify_reopened(db, w)
        assert height >= last + 3
        last = height
