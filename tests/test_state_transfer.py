"""State transfer by copying effects (chain format 2): a validator that is behind copies
the certified blocks' effects up to a checkpoint whose proof came with them, and ends with
exactly the rows executing them would have written; effects or a proof that do not hold
are not copied (the blocks are executed instead); a chain of format 1 is executed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from node import codec, transfer
from node.config import Settings
from node.ledger import Genesis
from node.service import Node
from node.store import schema
from tests.support.nodes import (
    NODE_PASS,
    card_business,
    leave_one_behind,
    local_consortium,
    run_nodes,
    service_stale_s,
    until,
)


def rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a validator's ledger holds, but each block's certificate, view and
    proposer (which COMMITs certify a block, and in which view, differs between nodes)."""
    with sqlite3.connect(db) as conn:
        out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
               for t in [*schema.STATE_TABLES, "txs", "postings", "effects"]}
        out["blocks"] = conn.execute(
            "SELECT height, hash, prev_hash, tx_root, state_root, time, ntx, header "
            "FROM blocks ORDER BY height").fetchall()
    return out


def fall_behind_and_catch_up(nodes: list[Node], blocks: int = 8) -> None:
    """Validators 0-2 commit ``blocks`` blocks (with checkpoints every 2, they discard what
    validator-3 missed); validator-3 then starts and catches up."""
    lag = nodes[3]

    async def scenario() -> None:
        # cards issued, then topped up: postings and state
        await leave_one_behind(nodes, card_business(nodes[0].cons)[1], blocks)
        await until(lambda: lag.height >= nodes[0].height, 30)
        for n in nodes:
            await n.idle()

    run_nodes(nodes, scenario)


def test_a_node_behind_copies_effects_and_holds_the_rows_execution_writes(
        cons: Any, tmp_path: Path) -> None:
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(4)]
    fall_behind_and_catch_up(nodes)
    lag = nodes[3]
    assert lag.stats["copied_blocks"] >= 6, lag.stats
    assert lag.head_hash == nodes[0].head_hash
    copied, executed = rows(tmp_path / "v3" / "ledger.db"), rows(tmp_path / "v0" / "ledger.db")
    assert copied["postings"] and copied["accounts"] and copied["effects"]
    assert copied == executed
    # it keeps the proofs it copied up to, and can serve the same effects in turn; and the
    # result certificates that came with the blocks (a name clash once made storing them
    # raise after every copied run: the rest of the reply was never executed)
    with sqlite3.connect(tmp_path / "v3" / "ledger.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] >= 3
        certified = conn.execute("SELECT COUNT(*) FROM blocks WHERE attest IS NOT NULL "
                                 "AND height <= 6").fetchone()[0]
    with sqlite3.connect(tmp_path / "v0" / "ledger.db") as conn:
        assert certified == conn.execute("SELECT COUNT(*) FROM blocks WHERE attest IS NOT "
                                         "NULL AND height <= 6").fetchone()[0] >= 5


def test_a_reply_in_many_small_frames_is_held_until_its_last_part_and_copied(
        cons: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24, finding 5: validator frames may no longer be 128 MiB, so a reply goes out
    in parts.  With parts of a few hundred bytes (a block each) the node behind still
    copies whole runs up to each proof, and every frame sent fits ``PART_BYTES`` plus one
    block."""
    monkeypatch.setattr(transfer, "PART_BYTES", 300)
    sizes: list[int] = []
    real = transfer.reply_parts

    def parts(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        out = real(blocks)
        sizes.extend(len(p) for p in out)
        return out

    monkeypatch.setattr(transfer, "reply_parts", parts)
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(4)]
    fall_behind_and_catch_up(nodes)
    lag = nodes[3]
    assert lag.head_hash == nodes[0].head_hash
    assert lag.stats["copied_blocks"] >= 6, lag.stats
    assert sizes and max(sizes) == 1  # a block per frame: the blocks are ~1 KB each


def test_a_reply_nobody_asked_for_is_dropped_unread(cons: Any, tmp_path: Path) -> None:
    """A peer pushing "blocks" frames nobody asked for (or the same reply again) fills no
    queue: they are dropped before their certificates are checked."""
    node = Node(cons, "validator-1", tmp_path / "v1", Settings())
    try:
        frame = codec.encode({"t": "blocks", "blocks": [{"height": 1, "txs": []}],
                              "more": False})
        for _ in range(1_000):
            node.on_peer_frame(2, frame)
        assert node.stats["unasked_replies"] == 1_000 and node.exec_queue.empty()
        node.asked = {2: {1: 4}}
        node._receive_blocks = lambda blocks, part: None  # type: ignore[method-assign,assignment]
        node.on_peer_frame(2, frame)
        node.on_peer_frame(2, frame)  # once only
        assert node.stats["unasked_replies"] == 1_001
    finally:
        node.prechecks.pool.shutdown()
        node.db.shutdown()


def tamper_results(b: dict[str, Any]) -> None:
    results = json.loads(b["results"])
    results[0][3] = "a message no validator wrote"
    b["results"] = json.dumps(results)


def tamper_writes(b: dict[str, Any]) -> None:
    writes = json.loads(b["writes"])
    if writes:
        writes[0][2] = None  # the first written row deleted instead
    else:
        writes.append(["cards", "6200000000000000000", None])  # a row deleted
    b["writes"] = json.dumps(writes)


def tamper_proof(b: dict[str, Any]) -> None:
    if "proof" in b:
        b["proof"] = b["proof"][:1]  # one CHECKPOINT instead of 2f+1


@pytest.mark.parametrize("tamper", [tamper_results, tamper_writes, tamper_proof])
def test_effects_or_proofs_that_do_not_hold_are_not_copied(cons: Any, tmp_path: Path,
                                                           tamper: Any) -> None:
    """Every validator serving the node that is behind alters the effects of each block it
    sends (or the checkpoint proofs): the blocks are executed instead, to the same rows."""
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(4)]
    for n in nodes[:3]:
        real = n._fetch_range

        def altered(first: int, last: int, effects: bool, real: Any = real) -> Any:
            out = real(first, last, effects)
            for b in out:
                if "results" in b:
                    tamper(b)
            return out

        n._fetch_range = altered  # type: ignore[method-assign]
    fall_behind_and_catch_up(nodes)
    lag = nodes[3]
    assert lag.stats["copied_blocks"] == 0 and lag.stats["fetched_blocks"] >= 6, lag.stats
    assert lag.head_hash == nodes[0].head_hash
    assert rows(tmp_path / "v3" / "ledger.db") == rows(tmp_path / "v0" / "ledger.db")


def test_a_chain_of_format_1_is_executed_and_keeps_its_state_roots(tmp_path: Path) -> None:
    """A consortium created before chain format 2 keeps hashing writes and result codes
    one by one; its nodes fetch blocks without effects and execute them."""
    cons = local_consortium(tmp_path / "cons", NODE_PASS)
    raw = dict(cons.genesis.raw, version=1)
    Genesis.from_dict(raw).save(cons.home / "genesis.json")
    from node.consortium import Consortium

    old = Consortium.open(cons.home, NODE_PASS)
    assert old.genesis.chain_format == 1
    nodes = [Node(old, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(4)]
    fall_behind_and_catch_up(nodes, blocks=6)
    assert nodes[3].stats["copied_blocks"] == 0 and nodes[3].stats["fetched_blocks"] >= 4
    assert nodes[3].head_hash == nodes[0].head_hash
    held = rows(tmp_path / "v3" / "ledger.db")
    assert held["effects"] == [] and held == rows(tmp_path / "v0" / "ledger.db")


def test_a_reply_with_effects_runs_to_a_checkpoint_but_never_past_its_cap(
        monkeypatch: Any) -> None:
    """Past its byte budget a reply goes on to the next checkpoint with a proof, and stops
    there (the blocks after it come in the next reply, with their own proof); it never
    grows past EFFECTS_REPLY_MAX, even when no proof lies ahead (a chain whose proofs have
    gaps is then served in parts and executed)."""
    from node.store import store as store_module
    from tests.support.world import World

    w = World()
    w.certify = True
    for _ in range(12):
        w.issue()
    fake_proof = ["a CHECKPOINT text"]
    with w.store.db.atomic():
        for seq in (5, 10):
            w.store.save_proof(seq, fake_proof)
    heights = [b["height"] for b in w.store.blocks_with_certs(1, 200, 1, effects=True)]
    assert heights == [1, 2, 3, 4, 5]  # to the first proof; 6-10 come with the next one
    assert [b["height"] for b in w.store.blocks_with_certs(6, 200, 1, True)] == [6, 7, 8, 9, 10]
    # a range that ends short of a checkpoint is served on to it, with its proof (the
    # blocks up to it are then copied, not executed)
    ends = [(b["height"], "proof" in b) for b in w.store.blocks_with_certs(6, 2, 10**9, True)]
    assert ends == [(6, False), (7, False), (8, False), (9, False), (10, True)]
    assert [b["height"] for b in w.store.blocks_with_certs(6, 2, 10**9)] == [6, 7]
    # past the last proof, the byte budget rules again
    assert [b["height"] for b in w.store.blocks_with_certs(11, 200, 1, True)] == [11]
    assert all("results" in b for b in w.store.blocks_with_certs(1, 200, 1, True))
    monkeypatch.setattr(store_module, "EFFECTS_REPLY_MAX", 1)
    assert [b["height"] for b in w.store.blocks_with_certs(1, 200, 1, True)] == [1]


def test_a_format_1_chain_written_by_the_previous_version_replays_to_the_same_roots() -> None:
    """tests/data/format1_chain.json was written by the code before chain format 2 (commit
    352bf41): a seeded world's card issues and payments, a duplicate among them.  Executed
    again now, every block has the same state root and hash, and no effects are kept."""
    from node.ledger import Ledger
    from node.ledger.tx import Tx
    from node.store import Store

    saved = json.loads((Path(__file__).parent / "data" / "format1_chain.json").read_text())
    genesis = Genesis.from_dict(saved["genesis"])
    assert genesis.chain_format == 1
    ledger = Ledger(Store(":memory:"), genesis)
    for texts, time in saved["blocks"]:
        ledger.apply_block([Tx.decode(t.encode()) for t in texts], time)
    blocks = [ledger.store.block(h) for h in range(ledger.height + 1)]
    assert [b.state_root for b in blocks if b] == saved["roots"]
    assert [b.hash for b in blocks if b] == saved["hashes"]
    assert ledger.store.query("SELECT COUNT(*) FROM effects")[0][0] == 0


def test_effects_older_than_the_window_are_pruned_and_those_blocks_served_to_execute() -> None:
    """Each stable checkpoint drops the effects (and proofs) of blocks older than the
    window before the head's time, a bounded number of rows at a time; such blocks are
    served without effects (the node behind executes them), the newer ones with."""
    from tests.support.world import World

    w = World()
    w.certify = True
    for _ in range(12):
        w.issue()  # blocks 1-12, a second apart
    with w.store.db.atomic():
        for seq in (5, 10):
            w.store.save_proof(seq, ["a CHECKPOINT text"])

    def kept() -> list[int]:
        return [h for (h,) in w.store.query("SELECT height FROM effects ORDER BY height")]

    before = kept()
    assert before[-12:] == list(range(1, 13))
    with w.store.db.atomic():  # blocks 8-12 lie within 4.5 s of block 12
        assert w.store.prune_effects(4_500, limit=3) == 3
    assert kept() == before[3:]
    with w.store.db.atomic():
        assert w.store.prune_effects(4_500) == len(before) - 3 - 5
        assert w.store.prune_effects(4_500) == 0
    assert kept() == [8, 9, 10, 11, 12]
    assert [s for (s,) in w.store.query("SELECT seq FROM checkpoints")] == [10]
    old = w.store.blocks_with_certs(1, 200, 10**9, effects=True)
    # up to the cutoff only: the blocks after it come in the next reply, with their effects
    # (served in one reply with the pruned ones they were all executed)
    assert [b["height"] for b in old] == list(range(1, 8)) and \
        not [b for b in old if "results" in b or "proof" in b]
    new = w.store.blocks_with_certs(8, 200, 10**9, effects=True)
    assert all("results" in b for b in new) and [b["height"] for b in new if "proof" in b] == [10]
    assert w.store.block(1) is not None and w.store.block_txs(1)  # the chain stays whole


def test_a_node_behind_the_effects_window_executes_and_ends_with_the_same_rows(
        cons: Any, tmp_path: Path) -> None:
    """Validators keeping almost no effects serve the blocks a restarted validator missed
    without them: it executes them, and holds the same chain and state as the others."""
    keep = Settings(checkpoint_interval=2, keep_effects_hours=1e-9)  # ~0: only the newest
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", keep) for i in range(4)]
    fall_behind_and_catch_up(nodes)
    lag = nodes[3]
    # the pruned blocks are executed; the newest few, whose effects are kept, may be copied
    assert lag.stats["fetched_blocks"] >= 6, lag.stats
    assert nodes[0].stats["effects_pruned"] >= 6
    assert lag.head_hash == nodes[0].head_hash
    held, served = rows(tmp_path / "v3" / "ledger.db"), rows(tmp_path / "v0" / "ledger.db")
    assert len(served["effects"]) < len(served["blocks"]) // 2
    held.pop("effects"), served.pop("effects")
    assert held == served


def test_a_validator_restarted_on_an_idle_network_catches_up(cons: Any, tmp_path: Path) -> None:
    """No request after the restart: nothing but its own STATUS tells it that it is behind
    (it stayed behind until new requests came and the next checkpoint formed)."""
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(4)]
    business = card_business(cons)[1]

    async def scenario() -> None:
        for n in nodes[:3]:
            await n.start()
        for k in range(6):
            for i, t in enumerate(business(k)):
                nodes[i % 3].submit(t)
            await until(lambda k=k: all(n.height > k for n in nodes[:3]), 20)
        await asyncio.sleep(service_stale_s() + 0.5)  # not a wait: queued frames must age
        await nodes[3].start()
        await until(lambda: nodes[3].height >= nodes[0].height, 10)

    run_nodes(nodes, scenario)
    assert nodes[3].head_hash == nodes[0].head_hash


def test_copied_rows_leave_the_ledger_cache_whichever_side_is_larger() -> None:
    from node.ledger.state import Overlay

    class Disk:
        def get(self, table: str, key: str) -> dict[str, Any] | None:
            return {"k": key}

    st = Overlay(Disk())  # type: ignore[arg-type]
    for k in ("a", "b", "c"):
        st.get("accounts", k)
    st.forget({("accounts", "a"): "{}"})  # fewer copied rows than cached ones
    assert set(st.cache) == {("accounts", "b"), ("accounts", "c")}
    st.forget({("accounts", "b"): "{}", **{("payments", str(i)): "{}" for i in range(10)}})
    assert set(st.cache) == {("accounts", "c")}  # more copied rows than cached ones
