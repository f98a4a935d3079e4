"""A validator's own paths, each with a test that fails without it: signature checks off
the loop, timers on a stalled loop, the collector and the allocator, admission and
"busy", persisted votes, failing writes."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from node import health, precheck, service
from node.config import Settings
from node.consensus import messages as m
from node.consensus.types import Received, TimerFired
from node.ledger.errors import Rejected
from node.service import Node
from tests.support.nodes import (
    commit_blocks,
    commit_more,
    failing_commits,
    fresh_texts,
    run_nodes,
    until,
)


def test_a_preprepare_of_unseen_requests_is_checked_on_the_verify_threads(cons: Any,
                                                                          tmp_path: Path,
                                                                          monkeypatch: Any
                                                                          ) -> None:
    node = Node(cons, "validator-1", tmp_path / "v1", Settings(inline_verify_below=16))
    threads: list[str] = []
    real = precheck.check_signatures

    def recording(txs: list[Any]) -> None:
        threads.append(threading.current_thread().name)
        real(txs)

    monkeypatch.setattr(precheck, "check_signatures", recording)
    handed: list[tuple[Any, list[bool]]] = []
    many = fresh_texts(19, forged=1)
    node.step = lambda ev: handed.append(  # type: ignore[method-assign]
        (ev, [node.requests.get(t).signatures_known() for t in many]))
    pp = m.PrePrepare(sender=0, sig="", view=0, seq=1, time=1, batch_id="b", batch=tuple(many))
    # the current view's primary (0) sent it: only its PRE-PREPAREs get this
    node.replica = SimpleNamespace(view=0, cfg=SimpleNamespace(  # type: ignore[assignment]
        primary=lambda view: view % 4))

    async def deliver() -> None:
        assert node._check_first(0, pp) is True  # deferred: not handed over yet
        assert handed == []
        await asyncio.gather(*list(node.prechecks.tasks))

    try:
        asyncio.run(deliver())
        assert len(handed) == 1
        ev, known = handed[0]
        assert isinstance(ev, Received) and ev.msg is pp and ev.src == 0
        assert all(known)  # every verdict was ready when the replica got the message
        assert threads and all(n.startswith("verify") for n in threads)
        assert [node.requests.get(t).signatures_valid() for t in many] == [True] * 19 + [False]
        # requests already checked (seen as Forwards) or few unseen ones: no detour
        assert node._check_first(0, pp) is False
        few = m.PrePrepare(sender=0, sig="", view=0, seq=2, time=1, batch_id="c",
                           batch=tuple(fresh_texts(16)))
        assert node._check_first(0, few) is False
    finally:
        node.prechecks.pool.shutdown()
        node.db.shutdown()


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
        time.sleep(0.02)  # not a wait: a collector pass that lasts 20 ms
        node.health.gc_timing("stop", {"generation": 2})
        assert node.stats["gc_full_passes"] == 1 and node.stats["gc_longest_ms"] >= 20
    finally:
        node.prechecks.pool.shutdown()
        node.db.shutdown()
    before = gc.get_threshold()
    try:
        health.tune_gc()  # what exists is left out of passes, and passes come rarer
        young, _middle, full = gc.get_threshold()
        assert gc.get_freeze_count() > 0
        assert young >= 10 * before[0] and full > before[2], (before, gc.get_threshold())
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
        node.arm("request", service.now_ms() + 10)
        node.arm("batch", service.now_ms() + 10)
        time.sleep(0.25)  # not a wait: the loop is stopped past both deadlines
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert [e.name for e in fired] == ["batch"]
        assert node.stats["timers_deferred"] == 1 and "request" in node.timers
        t = loop.time()
        time.sleep(0.5)  # not a wait: stopped again well past the second deadline
        await until(lambda: len(fired) >= 2, 2)
        assert [e.name for e in fired] == ["batch", "request"] and loop.time() - t >= 0.5
        # re-armed afresh, a timer that fires on time goes through at once
        node.arm("request", service.now_ms() + 20)
        await until(lambda: len(fired) >= 3, 2)
        assert [e.name for e in fired][-1] == "request" and len(fired) == 3
        assert node.stats["timers_deferred"] == 1
        # a timer already due when it is set fires at once, on time
        node.arm("request", service.now_ms() - 1)
        await until(lambda: len(fired) >= 4, 2)
        assert len(fired) == 4 and node.stats["timers_deferred"] == 1

    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(run())
        assert all(isinstance(e, TimerFired) for e in fired)
    finally:
        node.prechecks.pool.shutdown()
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
        await nodes[0].idle()  # the step's writes are carried out after it
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
    from node.endpoint import Endpoint
    from node.errors import ClientError
    from node.ledger.tx import Tx

    node = Node(cons, "validator-1", tmp_path / "v1", Settings())
    busy = [True]
    node.busy = lambda: 1_000 if busy[0] else None  # type: ignore[method-assign]
    node.submit = lambda text, progress=None: None  # type: ignore[method-assign]
    forged = fresh_texts(0, forged=1)[0]

    async def run() -> None:
        await node.on_db(node._open)
        ep = Endpoint(node)
        try:
            with pytest.raises(ClientError, match="busy"):
                await ep.submit(forged, 100)
            assert forged not in node.requests  # refused undecoded, unchecked
            with pytest.raises(Rejected):  # not a transaction at all: said so, busy or not
                await ep.submit('{"not": "a transaction"}', 100)
            # a retry of a decided transaction gets its receipt, busy or not (looked up by
            # the id its text gives, without decoding it)
            decided = {Tx.decode(forged.encode()).hex_id: ({"id": "the receipt"}, forged.encode())}
            real = ep._receipt_now
            ep._receipt_now = decided.get  # type: ignore[method-assign,assignment]
            assert await ep.submit(forged, 100) == {"id": "the receipt"}
            with pytest.raises(ClientError, match="busy"):  # same id, another text
                await ep.submit(forged.replace('"sigs":[', '"sigs":[ '), 100)
            ep._receipt_now = real  # type: ignore[method-assign]
            assert not node.requests.get(forged).signatures_known()
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
        assert node.busy() is None  # waits within the target: up to max_pending
        node.admission.limit = 150.0  # lowered by long waits
        assert node.busy() is not None
    finally:
        node.prechecks.pool.shutdown()
        node.db.shutdown()


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


@pytest.mark.parametrize("what", ["votes", "block"])
def test_a_validator_whose_writes_fail_says_so_and_resumes_by_itself(
        cons: Any, tmp_path: Path, what: str) -> None:
    """Its database writes fail for a while (a full disk): the validator reports itself
    degraded, refuses clients with the cause, and once writes succeed again carries on by
    itself to the others' head; no step, vote or block of it is skipped."""
    from node.errors import ClientError

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
                await asyncio.sleep(0.01)  # not a wait: the watcher samples the status

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
        assert node.stats["pre_prepares_dropped"] == 1 and node.prechecks.checking[0] == 2

    run_nodes([node], run)

