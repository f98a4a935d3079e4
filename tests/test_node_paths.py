"""Runtime paths of the validator that the cluster tests do not reach by themselves:
a PRE-PREPARE full of requests this node never saw (checked on the verify threads before
the replica sees it), a state transfer whose SQLite COMMIT fails (nothing of the run is
kept, the ledger's caches go back to what is on disk, and the next try succeeds), the
collector's timing, and a request timer that fires late because the loop was stopped."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from node import codec, health, service
from node.config import Settings
from node.consensus import messages as m
from node.consensus.types import Received, SetTimer, TimerFired
from node.ledger.errors import Rejected
from node.ledger.tx import from_text
from node.service import Node
from tests.support.nodes import (
    card_business,
    commit_blocks,
    commit_more,
    failing_commits,
    fresh_texts,
    leave_one_behind,
    run_nodes,
    service_stale_s,
    until,
)


def test_a_preprepare_of_unseen_requests_is_checked_on_the_verify_threads(cons: Any,
                                                                          tmp_path: Path,
                                                                          monkeypatch: Any
                                                                          ) -> None:
    node = Node(cons, "validator-1", tmp_path / "v1", Settings(inline_verify_below=16))
    threads: list[str] = []
    real = service.check_signatures

    def recording(texts: list[str]) -> None:
        threads.append(threading.current_thread().name)
        real(texts)

    monkeypatch.setattr(service, "check_signatures", recording)
    handed: list[tuple[Any, list[bool]]] = []
    many = fresh_texts(19, forged=1)
    node.step = lambda ev: handed.append(  # type: ignore[method-assign]
        (ev, [from_text(t).signatures_known() for t in many]))
    pp = m.PrePrepare(sender=0, sig="", view=0, seq=1, time=1, batch_id="b", batch=tuple(many))
    # the current view's primary (0) sent it: only its PRE-PREPAREs get this
    node.replica = SimpleNamespace(view=0, cfg=SimpleNamespace(  # type: ignore[assignment]
        primary=lambda view: view % 4))

    async def deliver() -> None:
        assert node._check_first(0, pp) is True  # deferred: not handed over yet
        assert handed == []
        await asyncio.gather(*list(node.tasks))

    try:
        asyncio.run(deliver())
        assert len(handed) == 1
        ev, known = handed[0]
        assert isinstance(ev, Received) and ev.msg is pp and ev.src == 0
        assert all(known)  # every verdict was ready when the replica got the message
        assert threads and all(n.startswith("verify") for n in threads)
        assert [from_text(t).signatures_valid() for t in many] == [True] * 19 + [False]
        # requests already checked (seen as Forwards) or few unseen ones: no detour
        assert node._check_first(0, pp) is False
        few = m.PrePrepare(sender=0, sig="", view=0, seq=2, time=1, batch_id="c",
                           batch=tuple(fresh_texts(16)))
        assert node._check_first(0, few) is False
    finally:
        node.verifier.shutdown()
        node.db.shutdown()



@pytest.mark.parametrize("path", ["copied", "executed"])
def test_a_state_transfer_whose_commit_fails_keeps_nothing_and_recovers(
        cons: Any, tmp_path: Path, path: str) -> None:
    """Validators 0-2 commit blocks while validator-3 is down; validator-3 starts, fetches
    them, and its first write of a fetched run fails at COMMIT.  Nothing of that run may
    stay, and the blocks must still bring it to the same head as the others: executed again
    by a later fetch, or, when it copied their effects, executed at once instead."""
    # checkpoints every 2 blocks: the others discard what validator-3 missed, so it must
    # fetch the blocks (state transfer) rather than take part in their ordering
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(4)]
    lag = nodes[3]
    name = "_copy_run" if path == "copied" else "_apply_run"
    real_run = getattr(lag, name)
    # per run: blocks, blocks applied, height before and after, heights whose COMMIT failed
    runs: list[tuple[int, int, int, int, list[int]]] = []

    def first_run_fails(run: list[Any], *more: Any) -> Any:
        assert lag.store is not None
        before = lag.store.height()
        if runs:
            out = real_run(run, *more)
            runs.append((len(run), len(out or ()), before, lag.store.height(), []))
            return out
        with failing_commits(lag.store, 1) as failed:
            out = real_run(run, *more)
        runs.append((len(run), len(out or ()), before, lag.store.height(), failed))
        return out

    setattr(lag, name, first_run_fails)
    if path == "executed":
        async def never_copy(blocks: list[Any]) -> bool:
            return False

        lag._copy_fetched = never_copy  # type: ignore[method-assign]

    # the fetched blocks change state the next ones read: four cards issued, then topped up
    # block after block (a cache left from the rolled-back run would decide them otherwise)
    cards, business = card_business(cons)

    async def scenario() -> None:
        await leave_one_behind(nodes, business, 6)
        try:
            await until(lambda: lag.height >= nodes[0].height
                        and len(runs) >= (2 if path == "executed" else 1), 30)
        except TimeoutError:
            raise AssertionError(f"runs {runs}, heights {[n.height for n in nodes]}, "
                                 f"{lag.status()}") from None
        assert lag.store is not None
        store = lag.store
        balances = [(await lag.on_db(store.get, "accounts", f"card:{c}") or {}).get("balance")
                    for c in cards]
        assert balances == [1_000 + 100 * (1 + 2 + 3 + 4 + 5)] * 4, balances

    run_nodes(nodes, scenario)
    blocks, applied, before, after, failed = runs[0]
    assert failed == [before + blocks]  # the run was written, then its COMMIT failed
    assert applied == 0 and after == before  # ... and nothing of it stayed
    if path == "executed":
        assert sum(r[1] for r in runs[1:]) > 0  # a later fetch applied the blocks
        assert lag.stats["copied_blocks"] == 0
    else:  # the run whose copy failed was executed instead (blocks fetched after it may
        #     be copied again: how many is a matter of timing)
        assert lag.stats["fetched_blocks"] >= blocks
    assert lag.head_hash == nodes[0].head_hash and lag.height == nodes[0].height



def test_collector_passes_are_timed_and_made_rare(cons: Any, tmp_path: Path) -> None:
    """The node reports its longest collector pass (a stall of its loop) and counts full
    passes; a validator process collects rarely (tune_gc)."""
    import gc

    node = Node(cons, "validator-2", tmp_path / "v2", Settings())
    try:
        node.health.gc_timing("start", {"generation": 0})
        node.health.gc_timing("stop", {"generation": 0})  # short and young: not recorded
        assert "gc_longest_ms" not in node.stats
        node.health.gc_timing("start", {"generation": 2})
        time.sleep(0.02)
        node.health.gc_timing("stop", {"generation": 2})
        assert node.stats["gc_full_passes"] == 1 and node.stats["gc_longest_ms"] >= 20
    finally:
        node.verifier.shutdown()
        node.db.shutdown()
    before = gc.get_threshold()
    try:
        health.tune_gc()
        assert gc.get_threshold() == (50_000, 20, 100)
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


_FAULTS_PER_ROUND = """
import resource, sys
from node import health
tuned = health.tune_malloc() if sys.argv[1] == "tuned" else None
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
blocks = [bytearray(1 << 20) for _ in range(40)]
del blocks
f0 = faults()
for _ in range(10):  # 40 MiB in 1 MiB pieces, freed: a few state-transfer replies' worth
    blocks = [bytearray(1 << 20) for _ in range(40)]
    del blocks
print(tuned, (faults() - f0) / 10)
"""


def test_a_validator_keeps_freed_memory_instead_of_faulting_it_back() -> None:
    """With glibc, memory freed at the heap's top was handed back to the OS and faulted
    in again, page by zeroed page, by the next reply of the same size; tuned, it is kept.
    Without glibc's mallopt the tuning says it did nothing."""
    import platform
    import subprocess
    import sys

    def run(mode: str) -> tuple[str, float]:
        out = subprocess.run([sys.executable, "-c", _FAULTS_PER_ROUND, mode], check=True,
                             capture_output=True, text=True, timeout=60,
                             cwd=Path(__file__).resolve().parent.parent).stdout.split()
        return out[0], float(out[1])

    tuned, tuned_faults = run("tuned")
    if platform.libc_ver()[0] != "glibc":
        assert tuned == "False"
        return
    _, plain_faults = run("plain")
    assert tuned == "True"
    assert plain_faults > 5_000 and tuned_faults < plain_faults / 5, (plain_faults,
                                                                      tuned_faults)


class _OpaqueHandle:
    """A timer handle that cannot say when it is due, as qasync's (Qt's loop) are."""

    def __init__(self, handle: asyncio.TimerHandle) -> None:
        self._handle = handle

    def cancel(self) -> None:
        self._handle.cancel()


class _QtLikeLoop(asyncio.SelectorEventLoop):
    def call_later(self, delay: float, callback: Any, *args: Any,  # type: ignore[override]
                   context: Any = None) -> _OpaqueHandle:
        return _OpaqueHandle(super().call_later(delay, callback, *args, context=context))


@pytest.mark.parametrize("loop_factory", [None, _QtLikeLoop], ids=["asyncio", "qt-like"])
def test_a_request_timer_fired_late_by_a_stalled_loop_waits_once(
        cons: Any, tmp_path: Path, loop_factory: Any) -> None:
    """The loop stopped past the request timer's deadline: the frames that arrived
    meanwhile are read before the replica may blame the primary; fired late a second time
    (or a timer that does not blame a peer), it goes through.  Also on a loop whose timer
    handles cannot say when they are due (qasync's, which a window's node runs on)."""
    node = Node(cons, "validator-3", tmp_path / "v3", Settings())
    fired: list[Any] = []
    node.step = lambda ev: fired.append(ev)  # type: ignore[method-assign]

    async def run() -> None:
        loop = asyncio.get_running_loop()
        node._act(SetTimer("request", service.now_ms() + 10))
        node._act(SetTimer("batch", service.now_ms() + 10))
        time.sleep(0.25)  # the loop is stopped past both deadlines
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert [e.name for e in fired] == ["batch"]
        assert node.stats["timers_deferred"] == 1 and "request" in node.timers
        t = loop.time()
        time.sleep(0.5)  # stopped again well past the second deadline: no more waiting
        for _ in range(200):
            if len(fired) >= 2:
                break
            await asyncio.sleep(0.01)
        assert [e.name for e in fired] == ["batch", "request"] and loop.time() - t >= 0.5
        # re-armed afresh, a timer that fires on time goes through at once
        node._act(SetTimer("request", service.now_ms() + 20))
        await asyncio.sleep(0.1)
        assert [e.name for e in fired][-1] == "request" and len(fired) == 3
        assert node.stats["timers_deferred"] == 1
        # a timer already due when it is set fires at once, on time
        node._act(SetTimer("request", service.now_ms() - 1))
        await asyncio.sleep(0.1)
        assert len(fired) == 4 and node.stats["timers_deferred"] == 1

    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(run())
        assert all(isinstance(e, TimerFired) for e in fired)
    finally:
        node.verifier.shutdown()
        node.db.shutdown()

def test_state_transfer_replies_keep_to_their_size_budget_and_are_continued(
        cons: Any, tmp_path: Path) -> None:
    """Under full load 200 blocks are ~70 MB, past any frame: a reply stops at its byte
    budget and says there is more, and the fetching node asks for the rest at once. With a
    budget of one byte every reply is one block."""
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}",
                  Settings(checkpoint_interval=2, fetch_bytes=1)) for i in range(4)]
    lag = nodes[3]

    async def scenario() -> None:
        for n in nodes[:3]:
            await n.start()
        await commit_blocks(nodes[:3], 6, 4)
        await asyncio.sleep(service_stale_s() + 0.5)
        await lag.start()
        for i, t in enumerate(fresh_texts(6)):
            nodes[i % 3].submit(t)
            await asyncio.sleep(0.05)
        await until(lambda: lag.height >= nodes[0].height, 30)
        assert nodes[0].store is not None
        one = await nodes[0].on_db(nodes[0].store.blocks_with_certs, 1, 200, 1)
        every = await nodes[0].on_db(nodes[0].store.blocks_with_certs, 1, 200)
        assert len(one) == 1 and len(every) == nodes[0].height
        # with effects a reply goes on to the next checkpoint (every 2 blocks), whose
        # proof vouches for them
        to_proof = await nodes[0].on_db(nodes[0].store.blocks_with_certs, 1, 200, 1, True)
        assert [b["height"] for b in to_proof] == [1, 2] and "proof" in to_proof[-1]
        assert all("results" in b and "writes" in b for b in to_proof)

    run_nodes(nodes, scenario)
    assert lag.stats["fetch_continued"] > 0
    assert lag.stats["fetched_blocks"] + lag.stats["copied_blocks"] >= 6
    assert lag.head_hash == nodes[0].head_hash


def test_a_reply_cut_short_is_continued_with_another_chunk_asked_of_the_same_peer(
        cons: Any, tmp_path: Path) -> None:
    """With the next chunk asked for as soon as one arrives, two ranges can be open with one
    peer: a reply cut short by its size budget is continued to the end of its own range (the
    node once remembered only the last range it asked for, and left such a gap to the fetch
    timer)."""
    node = Node(cons, "validator-3", tmp_path / "v3")
    sent: list[dict[str, Any]] = []

    class Link:
        def send(self, data: bytes, keep: bool = False) -> None:
            sent.append(codec.loads(data[4:]))

    node.links = {1: Link()}  # type: ignore[dict-item]
    try:
        node._ask_blocks(1, 1, 50)
        node._ask_blocks(1, 51, 100)

        def reply(heights: range, more: bool) -> None:
            blocks = [{"height": h} for h in heights]
            last = node._take_reply(1, blocks, False)
            assert last is not None
            node._continue_fetch(1, blocks, more, last)

        reply(range(1, 21), True)
        reply(range(51, 61), True)
        reply(range(21, 51), False)  # the rest
        assert [(f["first"], f["last"]) for f in sent] == [(1, 50), (51, 100), (21, 50),
                                                           (61, 100)]
        assert node.stats["fetch_continued"] == 2
        assert node._take_reply(1, [{"height": 21}], False) is None  # answered once only
    finally:
        node.verifier.shutdown()
        node.db.shutdown()


def test_persisted_votes_and_certificates_below_the_stable_checkpoint_are_deleted(
        cons: Any, tmp_path: Path) -> None:
    """The meta table gained two rows per block for ever; now what lies at or below the
    stable checkpoint goes when the checkpoint moves, and the commit records earlier
    versions wrote (never read) go at start."""
    from node.store import Store

    (tmp_path / "v0").mkdir()
    old = Store(tmp_path / "v0" / "ledger.db")
    old.set_meta("pbft:commit:0:1", '"ab"')
    old.close()
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings(checkpoint_interval=2))
             for i in range(3)]

    keys: list[str] = []

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        await commit_blocks(nodes, 6, 2)
        await until(lambda: nodes[0].replica is not None and nodes[0].replica.low >= 4, 20)
        await asyncio.sleep(0.2)  # the step's writes are carried out after it
        store = nodes[0].store
        assert store is not None
        keys.extend(r[0] for r in await nodes[0].on_db(
            store.query, "SELECT key FROM meta WHERE key LIKE 'pbft:%'"))

    run_nodes(nodes, scenario)
    low = nodes[0].replica.low  # type: ignore[union-attr]
    seqs = [int(k.split(":")[-1]) for k in keys if k.startswith(("pbft:vote:", "pbft:prepared:"))]
    assert "pbft:stable" in keys and not [k for k in keys if k.startswith("pbft:commit:")]
    assert all(s > low for s in seqs), (low, sorted(seqs))


def test_a_busy_validator_refuses_a_submission_before_checking_its_signatures(
        cons: Any, tmp_path: Path) -> None:
    """Overloaded, a validator answers "busy" to every submission, and clients retry: two
    signature checks per retry on its event loop starved the consensus messages, and the
    view changes that followed made it busier still."""
    from node.endpoint import ClientError, Endpoint
    from node.ledger import tx as tx_module

    node = Node(cons, "validator-1", tmp_path / "v1", Settings())
    busy = [True]
    node.busy = lambda: busy[0]  # type: ignore[method-assign]
    node.submit = lambda text, progress=None: None  # type: ignore[method-assign]
    forged = fresh_texts(0, forged=1)[0]

    async def run() -> None:
        await node.on_db(node._open)
        ep = Endpoint(node)
        try:
            with pytest.raises(ClientError, match="busy"):
                await ep.submit(forged, 100)
            assert forged not in tx_module._TEXTS  # refused undecoded, unchecked
            with pytest.raises(Rejected):  # not a transaction at all: said so, busy or not
                await ep.submit('{"not": "a transaction"}', 100)
            # a retry of a decided transaction gets its receipt, busy or not (looked up by
            # the id its text gives, without decoding it)
            decided = {from_text(forged).hex_id: ({"id": "the receipt"}, forged.encode())}
            real = ep._receipt_now
            ep._receipt_now = decided.get  # type: ignore[method-assign,assignment]
            assert await ep.submit(forged, 100) == {"id": "the receipt"}
            with pytest.raises(ClientError, match="busy"):  # same id, another text
                await ep.submit(forged.replace('"sigs":[', '"sigs":[ '), 100)
            ep._receipt_now = real  # type: ignore[method-assign]
            tx_module._TEXTS.pop(forged, None)
            assert not from_text(forged).signatures_known()
            busy[0] = False
            receipt = await ep.submit(forged, 100)
            assert receipt["code"] == "bad_signature"
        finally:
            ep.close()

    run_nodes([node], run)


def test_admission_shrinks_while_requests_wait_too_long_and_recovers() -> None:
    """Requests executed within the target keep the full bound (a burst at light load is
    admitted); when they wait longer the bound shrinks in proportion, down to the floor,
    and grows back once waits fall."""
    now = [0.0]
    adm = health.Admission(cap=400, floor=100, target_s=0.4, clock=lambda: now[0])

    def block(ids: range, wait: float) -> None:
        for i in ids:
            adm.admitted(str(i))
        now[0] += wait
        adm.executed(str(i) for i in ids)

    block(range(0, 300), 0.1)
    assert adm.bound() == 400
    for k in range(1, 30):  # saturated: every request waits 1.6 s
        block(range(300 * k, 300 * k + 300), 1.6)
    assert adm.wait == pytest.approx(1.6) and adm.bound() == 100  # down to the floor
    for k in range(30, 40):  # fewer admitted: waits back to 0.2 s
        block(range(300 * k, 300 * k + 100), 0.2)
    assert 100 < adm.bound() < 400  # climbing back
    for k in range(40, 80):
        block(range(300 * k, 300 * k + 100), 0.2)
    assert adm.bound() == 400
    adm.executed(["never admitted here"])  # a peer's request: no sample
    assert adm.bound() == 400


def test_the_retry_pause_follows_the_refusals_per_admitted_request() -> None:
    """A refused client is told to wait long enough that about two refusals come per
    admitted request: many clients refused for each one let in, the pause grows (up to 5 s);
    no refusals, it halves back to a quarter of a second; never shorter than the wait."""
    now = [0.0]
    adm = health.Admission(cap=400, floor=100, target_s=0.4, clock=lambda: now[0])

    def second(refusals: int, admissions: int) -> int:
        for i in range(admissions):
            adm.admitted(f"{now[0]}:{i}")
        pauses = [adm.refused() for _ in range(refusals)]
        now[0] += 1.0
        return max(pauses, default=0)

    assert second(1, 10) == 250  # the first second: nothing measured yet
    assert second(80, 10) == 250  # 80 refusals for 10 admitted: grows from the next second
    grown = second(80, 10)
    assert grown == 500  # x sqrt(80 / 20)
    assert second(80, 10) == 1000 and second(200, 10) == 2000
    for _ in range(5):
        top = second(400, 1)
    assert top == 5000  # bounded
    second(0, 10)  # a second of refusals below the aim: it comes down, halving without any
    for _ in range(8):
        second(0, 10)
    assert second(1, 10) == 250
    adm.wait = 1.2  # the last admitted requests waited longer than the pause
    assert adm.refused() == 1200


def test_a_node_answers_busy_at_its_admission_bound(cons: Any, tmp_path: Path) -> None:
    node = Node(cons, "validator-2", tmp_path / "v2", Settings(max_pending=400, max_batch=400))
    try:
        node.replica = type("R", (), {"pending": dict.fromkeys(range(150))})()  # type: ignore[assignment]
        assert not node.busy()  # waits within the target: up to max_pending
        node.admission.limit = 150.0  # lowered by long waits
        assert node.busy()
    finally:
        node.verifier.shutdown()
        node.db.shutdown()


def test_a_state_transfer_reply_larger_than_a_client_frame_is_sent(cons: Any,
                                                                   tmp_path: Path) -> None:
    """A reply of large blocks with their effects runs on to a checkpoint and can pass the
    8 MiB of a client's frame: it went out in none, and the node that asked waited for
    ever (every peer failed the same way).  Between validators it goes out whole."""
    from node.net.framing import MAX_FRAME, PEER_MAX_FRAME

    big = "x" * (MAX_FRAME + 1024)
    sent = _served(cons, tmp_path, 1, [
        {"height": 1, "cert": "c", "txs": [big], "results": "r", "writes": "w"}])
    assert len(sent) == 1 and MAX_FRAME < len(sent[0]) - 4 <= PEER_MAX_FRAME


def _served(cons: Any, tmp_path: Path, last: int, blocks: list[dict[str, Any]]) -> list[bytes]:
    """The frames a validator sends a peer that asked for blocks 1..``last``, when its
    store gives ``blocks``."""
    node = Node(cons, "validator-1", tmp_path / "v1", Settings())
    node._fetch_range = lambda first, last, effects: blocks  # type: ignore[method-assign]
    sent: list[bytes] = []

    class Link:
        def send(self, data: bytes, keep: bool = False) -> None:
            sent.append(data)

    node.links = {0: Link()}  # type: ignore[dict-item]

    async def run() -> None:
        await node.on_db(node._open)
        await node._serve_fetch(0, 1, last, True)

    run_nodes([node], run)
    return sent


def test_a_long_reply_goes_out_in_parts_none_past_a_validator_frame(cons: Any,
                                                                       tmp_path: Path) -> None:
    """Issue 24, finding 5: a reply running on to a checkpoint was one frame of up to 48 MiB
    (frames could be 128 MiB).  Now it goes out in parts of about PART_BYTES; each part
    but the last says so, and no frame passes PEER_MAX_FRAME (16 MiB)."""
    from node import codec
    from node.net.framing import PEER_MAX_FRAME
    from node.transfer import PART_BYTES

    assert PEER_MAX_FRAME <= 16 << 20
    block = "y" * (3 << 20)
    sent = _served(cons, tmp_path, 12, [
        {"height": h, "cert": "c", "txs": [block], "results": "r", "writes": "w"}
        for h in range(1, 13)])
    frames = [codec.loads(d[4:]) for d in sent]
    assert len(frames) >= 6 and all(len(d) - 4 <= PART_BYTES + (4 << 20) for d in sent)
    assert [f.get("part", False) for f in frames] == [True] * (len(frames) - 1) + [False]
    heights = [b["height"] for f in frames for b in f["blocks"]]
    assert heights == list(range(1, 13))


def test_a_link_sees_its_peer_close_the_connection_before_writing_to_it(
        cons: Any, tmp_path: Path) -> None:
    """A peer that stops (or dies) closes the connection: the link sees it at once and
    reconnects, instead of writing its next frames into the dead connection, where the
    first of them were lost (a restarted validator missed the answers to its STATUS)."""
    # a long request timeout: no STATUS goes to the stopped peer within the test's wait
    opts = Settings(request_timeout_ms=10_000)
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", opts) for i in range(2)]

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        link = nodes[0].links[1]
        await until(lambda: link.connected, 10)
        await nodes[1].stop()  # its server closes the connection; nothing is sent to it
        await until(lambda: not link.connected, 3)

    run_nodes(nodes, scenario)


def test_a_state_transfer_reply_is_parsed_without_the_canonical_check(
        cons: Any, tmp_path: Path) -> None:
    """A blocks reply (MBs) is parsed plainly: its blocks prove themselves by their
    certificates.  Every other peer frame must still be canonical."""
    node = Node(cons, "validator-1", tmp_path / "v1", Settings())
    got: list[Any] = []
    node._receive_blocks = lambda blocks, part: got.append(blocks)  # type: ignore[method-assign,assignment]
    node._continue_fetch = lambda *a: None  # type: ignore[method-assign]
    node.asked = {2: {7: 7}}
    try:
        loose = b'{"blocks":  [{"height": 7, "txs": []}], "t": "blocks", "more": false}'
        node.on_peer_frame(2, loose)  # spaces and key order no encoder of ours writes
        assert got == [[{"height": 7, "txs": []}]]
        assert node.stats["bad_peer_frames"] == 0
        node.on_peer_frame(2, b'{"t":  "fetch", "first": 1, "last": 2}')
        assert node.stats["bad_peer_frames"] == 1  # not canonical: refused
        for bad in (b'{"blocks": [1, 2', b'{"blocks":' + b"[" * 100_000 + b"]" * 100_000,
                    b'{"blocks": 5, "t": "blocks"}'):
            node.on_peer_frame(2, bad)  # malformed, nested too deep, not a list
        assert node.stats["bad_peer_frames"] == 4 and len(got) == 1
    finally:
        node.verifier.shutdown()
        node.db.shutdown()


@pytest.mark.parametrize("what", ["votes", "block"])
def test_a_validator_whose_writes_fail_says_so_and_resumes_by_itself(
        cons: Any, tmp_path: Path, what: str) -> None:
    """Its database writes fail for a while (a full disk): the validator reports itself
    degraded, refuses clients with the cause, and once writes succeed again carries on by
    itself to the others' head; no step, vote or block of it is skipped."""
    from node.endpoint import ClientError

    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]
    sick = nodes[1]
    seen: list[str | None] = []
    refused: list[str] = []

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        await commit_blocks(nodes, 2, 2)
        assert sick.store is not None
        real = sick._persist if what == "votes" else sick._apply
        calls = [0]

        def fail_three(*args: Any) -> Any:  # the next three writes fail at COMMIT
            calls[0] += 1
            assert sick.store is not None
            with failing_commits(sick.store, 1 if calls[0] <= 3 else 0):
                return real(*args)

        setattr(sick, "_persist" if what == "votes" else "_apply", fail_three)
        async def watch() -> None:  # what the validator says while its writes fail
            while True:
                cause = sick.status().get("degraded")
                if cause and not refused:
                    seen.append(cause)
                    try:
                        await sick.endpoint.submit(fresh_texts(1)[0], 1_000)
                    except ClientError as exc:
                        refused.append(str(exc))
                await asyncio.sleep(0.01)

        watching = asyncio.get_running_loop().create_task(watch())
        for i, t in enumerate(fresh_texts(6)):
            nodes[i % 4].submit(t)
        await until(lambda: calls[0] > 3, 30)
        await commit_more(nodes)  # the others and the sick one, to the same head
        watching.cancel()
        assert sick.status().get("degraded") is None
        top = max(n.height for n in nodes)
        await until(lambda: all(n.height == top for n in nodes), 30)
        assert len({n.head_hash for n in nodes}) == 1

    run_nodes(nodes, scenario)
    assert seen and "cannot write to its database" in str(seen[0])
    assert refused and "send it to another validator" in refused[0]


def test_fetches_a_peer_never_reads_cannot_grow_a_validators_memory(
        cons: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A peer that asks for blocks again and again and never reads the replies: a few are
    served, then the replies waiting in its link reach their byte bound and further asks
    are refused (it would ask again on its fetch timer); the others keep committing."""
    from node import transfer

    monkeypatch.setattr(transfer, "REPLY_BYTES_MAX", 20_000)
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]
    served = nodes[0]
    kept: list[int] = []

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        await commit_blocks(nodes, 3, 2)
        await nodes[3].stop()  # its link from validator-0 now holds whatever is sent
        link = served.links[3]
        ask = codec.encode({"t": "fetch", "first": 1, "last": 3, "effects": True})
        for _ in range(300):
            served.on_peer_frame(3, ask)
            await asyncio.sleep(0)
        await until(lambda: not served.serving.get(3), 10)
        kept.append(link.kept_bytes)
        await commit_more(nodes[:3])

    run_nodes(nodes, scenario)
    reply = kept[0] / max(1, 300 - served.stats["fetches_refused"])
    assert served.stats["fetches_refused"] > 250
    assert kept[0] <= 20_000 + transfer.SERVED_MAX * reply  # the bound, and replies under way


def test_only_the_primary_gets_its_requests_checked_off_the_loop_two_at_a_time(
        cons: Any, tmp_path: Path) -> None:
    """A PRE-PREPARE of many requests this node has not seen is checked on the verify
    threads before the replica sees it; a peer that is not the view's primary, or a future
    view's, gets no such work done for it (the replica refuses or stashes the message
    unchecked), and a primary has two at a time at most: a Byzantine peer cannot queue
    signature checks without bound."""
    from node import crypto
    from node.cardfile import new_card_number
    from node.consensus.messages import PrePrepare, batch_digest
    from node.ledger.builder import Builder

    node = Node(cons, "validator-1", tmp_path / "v1", Settings(inline_verify_below=2))
    build, clerk, now = Builder(cons.genesis.chain_id), cons.key("clerk-EHB-1"), \
        int(time.time() * 1000)
    txs = tuple(build.make("issue_card", {
        "card": new_card_number("621483"), "bank": "EHB", "public_key": crypto.generate().public,
        "named": False, "expires": now + 10**10, "deposit": 100}, now, clerk).encode().decode()
        for _ in range(30))

    def pp(sender: int, view: int = 0, seq: int = 1) -> PrePrepare:
        batch = txs[5 * seq: 5 * seq + 5]  # requests nobody checked yet
        return PrePrepare(sender, "", view, seq, 1, batch_digest(seq, 1, batch), batch)

    async def run() -> None:
        await node.start()
        assert node.replica is not None and node.replica.view == 0
        assert not node._check_first(2, pp(2))  # not the primary of view 0
        assert not node._check_first(0, pp(0, view=4))  # a future view: stashed
        assert not node._check_first(3, pp(0))  # relayed by another peer
        assert node._check_first(0, pp(0, seq=1)) and node._check_first(0, pp(0, seq=2))
        assert node._check_first(0, pp(0, seq=3))  # a third at once: dropped
        assert node.stats["pre_prepares_dropped"] == 1 and node.checking[0] == 2

    run_nodes([node], run)
