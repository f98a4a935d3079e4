"""Each durability policy keeps its promise (docs/OPERATIONS.md, "Durability").

A validator's store is copied twice at one moment while it takes payments, on its database
thread between two writes: as a kill -9 leaves it (every file as the OS holds it) and as a
power cut leaves it (the write-ahead log cut back to its length at the store's last sync;
SQLite's own checkpoints, which sync too, are switched off for the run). Each copy is
opened as the validator would open it after a restart.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from node import codec
from node.config import Settings
from node.consensus.durable import read_stable
from node.service import Node
from node.store import Store
from tests.support.nodes import commit_blocks, fresh_texts, run_nodes, until

Copy = tuple[dict[str, str], int]  # the votes (pbft records) and the height


def _votes(store: Store) -> dict[str, str]:
    return dict(store.query("SELECT key, value FROM meta WHERE key LIKE 'pbft:%'"))


def _copies(node: Node, synced: dict[str, int], out: Path) -> Copy:
    """On the node's database thread: its live votes and height, and the two copies."""
    store = node.store
    assert store is not None
    wal = Path(store.path + "-wal")
    for name, cut in (("killed", None), ("power_cut", synced.get(store.path, 0))):
        d = out / name
        d.mkdir()
        shutil.copyfile(store.path, d / "ledger.db")
        if wal.exists():
            data = wal.read_bytes()
            (d / "ledger.db-wal").write_bytes(data if cut is None else data[:cut])
    return _votes(store), store.height()


def _reopened(d: Path) -> Copy:
    store = Store(d / "ledger.db")
    try:
        assert store.integrity_check() == "ok"
        return _votes(store), store.height()
    finally:
        store.close()


@pytest.mark.parametrize("durability", ["full", "votes", "none"])
def test_each_policy_keeps_what_it_promises_through_a_kill_and_a_power_cut(
        cons: Any, tmp_path: Path, monkeypatch: Any, durability: str) -> None:
    synced: dict[str, int] = {}  # store path -> its log's length at its last sync
    real_sync = Store.sync

    def sync(store: Store) -> None:
        real_sync(store)
        wal = store.path + "-wal"
        if os.path.exists(wal):
            synced[store.path] = os.path.getsize(wal)

    monkeypatch.setattr(Store, "sync", sync)
    settings = Settings(durability=durability, checkpoint_interval=2, window=8)
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", settings) for i in range(4)]
    live: list[Copy] = []

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        store = nodes[1].store
        assert store is not None
        await nodes[1].on_db(store.conn.execute, "PRAGMA wal_autocheckpoint=0")
        await commit_blocks(nodes, 5, 2)
        # the moment of the cut: with payments in flight, between two of its writes
        for i, t in enumerate(fresh_texts(8)):
            nodes[i % 4].submit(t)
        await asyncio.sleep(0)  # not a wait: lets the loop hand the requests on
        live.append(await nodes[1].on_db(_copies, nodes[1], synced, tmp_path))
        await until(lambda: all(n.height >= 6 for n in nodes), 20)

    run_nodes(nodes, scenario)
    votes, height = live[0]
    assert height >= 5 and votes  # the copies were taken with votes and blocks on disk
    # a process killed loses nothing, whatever the policy
    assert _reopened(tmp_path / "killed") == (votes, height)
    cut_votes, cut_height = _reopened(tmp_path / "power_cut")
    if durability == "full":
        assert (cut_votes, cut_height) == (votes, height)
    elif durability == "votes":
        assert cut_votes == votes  # never a vote lost ...
        assert cut_height <= height  # ... the last blocks perhaps, fetched again
        stable = cut_votes.get("pbft:stable")
        if stable is not None:  # a stable checkpoint kept has its blocks
            seq, _proof = read_stable(codec.loads(stable), executed=2**62)
            assert seq <= cut_height
    else:  # "none": a consistent database, perhaps without the last votes and blocks
        assert cut_height <= height
