"""A validator's protocol records: written before anything of their step is sent, several
steps' records in one transaction (group commit), as if written in order."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from node.config import Settings
from node.consensus.types import Persist
from node.driver import Ready
from node.service import Node


def test_steps_queued_during_a_sync_are_written_in_one_transaction_then_sent_in_order(
        cons: Any, tmp_path: Path) -> None:
    """Group commit: the steps that queued while a write was syncing are made durable in one
    SQLite transaction, as if written in order (a key's last record wins, a later deletion
    deletes), and none of their messages goes out before that write is done."""
    node = Node(cons, "validator-1", tmp_path / "v1", Settings())
    writes: list[list[str]] = []
    events: list[str] = []
    real_persist = node._persist

    def persist(items: list[Persist]) -> None:
        writes.append([p.key for p in items])
        events.append(f"write {len(writes)}")
        real_persist(items)

    node._persist = persist  # type: ignore[method-assign]
    node.driver.carry_out = lambda r: events.append(  # type: ignore[method-assign]
        f"send {r.persist[0].key if r.persist else '-'}") or []
    steps = [Ready(persist=(Persist("vote:0:1", "a"), Persist("view", 0))),
             Ready(),  # a step without records waits its turn all the same
             Ready(persist=(Persist("vote:0:1", None), Persist("vote:0:2", "b"))),
             Ready(persist=(Persist("view", 1),))]

    async def run() -> None:
        node.loop = asyncio.get_running_loop()
        await node.on_db(node._open)
        for r in steps:
            node.outbox.put_nowait(r)
        drain = asyncio.create_task(node._drain_outbox())
        await node.outbox.join()
        drain.cancel()
        assert node.store is not None
        rows = dict(await node.on_db(node.store.query,
                                     "SELECT key, value FROM meta WHERE key LIKE 'pbft:%'"))
        assert rows == {"pbft:vote:0:2": '"b"', "pbft:view": "1"}

    try:
        asyncio.run(run())
    finally:
        node.db.shutdown()
    assert len(writes) == 1 and sorted(writes[0]) == sorted(
        ["vote:0:1", "view", "vote:0:1", "vote:0:2", "view"])
    assert events == ["write 1", "send vote:0:1", "send -", "send vote:0:1", "send view"]
