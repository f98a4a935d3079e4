"""Checkpoints, state transfer, the stash and what survives a restart, one test per rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from node.consensus import Config, Replica, checkpoint
from node.consensus.certs import new_view_pre_prepares, valid_view_change
from node.consensus.messages import (
    Attest,
    Commit,
    Prepare,
    Status,
    Suspect,
    ViewChange,
)
from node.consensus.types import (
    Action,
    Arrived,
    Broadcast,
    Certified,
    ClientRequest,
    Event,
    Executed,
    FetchState,
    Persist,
    Received,
    Started,
    TimerFired,
)
from tests.support.rules import (
    NOW,
    RULES,
    Cluster,
    _asks_behind,
    _checkpoint,
    _prepared_and_executed,
    _suspect,
    _timeout,
    _vc,
    deliver,
    executes,
    sent,
)
from tests.support.sim import request_id


def test_vote_is_persisted_before_it_is_sent(c: Cluster) -> None:
    acts = deliver(c.replica(1), c.pp(1, c.txs[:1]))
    persist = next(i for i, a in enumerate(acts) if isinstance(a, Persist))
    send = next(i for i, a in enumerate(acts) if isinstance(a, Broadcast))
    assert persist < send and acts[persist].key == "vote:0:1"


def test_restarted_replica_never_votes_for_another_batch(c: Cluster) -> None:
    first = c.pp(1, c.txs[:1])
    r = Replica(c.cfgs[1], persisted={"vote:0:1": first.batch_id})
    assert sent(deliver(r, c.pp(1, c.txs[1:2], time=NOW + 1)), Prepare) == []
    assert sent(deliver(r, first), Prepare)


def test_checkpoint_becomes_stable_at_2f_plus_1_and_collects_garbage(c: Cluster) -> None:
    r = c.replica(1)
    r.executed = r.ordered = 3
    r.slots[3] = r._slot(3)
    r.step(Executed(4, "ab" * 32, ()), NOW)  # own checkpoint
    deliver(r, _checkpoint(c, 2, 4))
    assert r.low == 0 and 3 in r.slots
    deliver(r, _checkpoint(c, 3, 4))
    assert r.low == 4 and 3 not in r.slots and len(r.stable_proof) == 3


def test_stable_checkpoint_ahead_triggers_state_transfer(c: Cluster) -> None:
    r = c.replica(1)
    acts = []
    for s in (0, 2, 3):
        acts += deliver(r, _checkpoint(c, s, 8))
    fetch = [a for a in acts if type(a).__name__ == "FetchState"]
    assert fetch and fetch[0].first == 1 and fetch[0].last >= 8


def test_state_transfer_asks_for_the_next_chunk_before_the_last_one_is_done() -> None:
    r, asks = _asks_behind(Cluster(fetch_chunk=4, checkpoint_interval=40, window=80), 40)
    assert asks == [(1, 4)]  # a chunk at a time
    for seq in range(1, 5):
        acts = r.step(Executed(seq, "00" * 32, ()), NOW)
        asks = [(a.first, a.last) for a in acts if isinstance(a, FetchState)]
        assert asks == ([(5, 8)] if seq == 3 else []), seq  # at half of the chunk


def test_state_transfer_asks_for_the_next_chunk_once_the_last_one_arrived() -> None:
    """A reply copied from its effects is written in one go: waiting for half of it to be
    executed left the database idle for a round trip per chunk.  Once a chunk has arrived
    whole the next is asked for, at most two chunks beyond what is executed."""
    r, asks = _asks_behind(Cluster(fetch_chunk=4, checkpoint_interval=40, window=80), 40)
    assert asks == [(1, 4)]

    def asked(event: Event) -> list[tuple[int, int]]:
        return [(a.first, a.last) for a in r.step(event, NOW) if isinstance(a, FetchState)]

    assert asked(Arrived(3)) == []  # cut short: the runtime asks for the rest of it
    assert asked(Arrived(4)) == [(5, 8)]
    assert asked(Arrived(4)) == []  # news of nothing new
    assert asked(Arrived(8)) == []  # two chunks beyond executed: no more
    assert [asked(Executed(s, "00" * 32, ())) for s in (1, 2, 3, 4)] == [[], [], [], [(9, 12)]]
    assert asked(Arrived(12)) == []
    seen = []
    for s in range(5, 41):  # the rest arrive block by block and execute
        seen += asked(Arrived(s)) + asked(Executed(s, "00" * 32, ()))
        assert r.fetching is None or r.fetch_next - 1 - r.executed <= 2 * 4
    assert seen == [(a, a + 3) for a in range(13, 41, 4)]  # each asked for once, in order
    assert r.fetching is None and asked(Arrived(44)) == []  # the transfer is over


def test_a_state_transfer_that_progresses_keeps_its_peer() -> None:
    """Each block executed from a chunk restarts the fetch timer: a chunk of large blocks
    can take longer than the timer, and asking the next peer then (from the same height)
    had every peer send the same blocks, each checked again."""
    r, asks = _asks_behind(Cluster(fetch_chunk=100, checkpoint_interval=50, window=200), 100)
    assert asks == [(1, 100)]
    timeout = r.vc.timeout(r.cfg)
    for seq in range(1, 4):
        at = NOW + seq * timeout * 3 // 4
        acts = r.step(Executed(seq, "00" * 32, ()), at)
        assert r.timers["fetch"] == at + timeout
        acts += r.step(TimerFired("fetch"), at)  # the one set before: stale now
        assert not [a for a in acts if isinstance(a, FetchState)]
    acts = r.step(TimerFired("fetch"), NOW + 4 * timeout)  # no progress: the next peer
    assert [(a.peer, a.first) for a in acts if isinstance(a, FetchState)] == [(2, 4)]


def test_state_transfer_chunks_end_on_checkpoints() -> None:
    """A peer serving effects sends blocks up to a checkpoint with its proof: chunks that
    end there follow one another without overlapping (a chunk too short to reach one, or
    the last one, ends where it would)."""
    r, asks = _asks_behind(Cluster(fetch_chunk=12, checkpoint_interval=5, window=80), 30)
    assert asks == [(1, 10)]  # not (1, 12)
    seen = []
    for seq in range(1, 31):
        acts = r.step(Executed(seq, "00" * 32, ()), NOW)
        seen += [(a.first, a.last) for a in acts if isinstance(a, FetchState)]
    assert seen == [(11, 20), (21, 30)]
    short = Cluster(fetch_chunk=3, checkpoint_interval=5, window=80).replica(1)
    short.executed = 5
    checkpoint.ask(short, 0, 6, 40)
    assert short.fetch_next == 9  # 6-8: no checkpoint within reach


def test_watermarks_stash_ahead_and_drop_below(c: Cluster) -> None:
    r = c.replica(1)
    far = c.pp(9, c.txs[:1])  # window 8 above h = 0
    assert sent(deliver(r, far), Prepare) == []
    assert len(r.stash) == 1
    checkpoint.stabilise(r, 4, ())
    assert len(r.stash) == 0 and 9 in r.slots  # replayed once h moved
    assert sent(deliver(r, c.pp(3, c.txs[1:2])), Prepare) == []  # below h


def test_stash_is_bounded_per_peer_and_in_total(c: Cluster) -> None:
    r = Replica(Config(replica=1, publics=c.cfgs[1].publics, key=c.keys[1],
                       request_id=request_id,
                       settings=replace(RULES, stash_per_peer=50, stash_total=120)))
    for sender in (0, 2, 3):
        for v in range(1, 300):
            deliver(r, Prepare(sender, "", v, 1, "ab" * 32).signed(c.keys[sender]))
    assert len(r.stash) <= 120
    assert all(r.stash.peer_size(p) <= 50 for p in range(4))
    assert r.stash.dropped > 0


def test_the_stash_is_bounded_in_bytes_per_peer_and_in_total() -> None:
    """Issue 24, finding 4: 20 far-future PRE-PREPAREs of 20 MB each took a validator from
    411 to 662 MiB (256 messages a peer, whatever their size).  Now a peer's stash holds at
    most ``stash_peer_bytes`` and all of them ``stash_total_bytes``; a message bigger than a
    peer's budget is not kept at all."""
    c = Cluster(stash_peer_bytes=200_000, stash_total_bytes=300_000, window=8)
    r = c.replica(1)
    big = [c.txs[0]] * 100  # ~60 KB of batch
    for view in range(1, 21):  # future views: stashed
        deliver(r, c.pp(1, big, view=view, sender=view % 4) if view % 4 != 1 else
                c.pp(1, big, view=view + 1))
    assert 0 < r.stash.bytes <= 300_000
    assert all(r.stash.peer_bytes_held(p) <= 200_000 for p in range(4))
    assert r.stash.dropped > 0
    huge = c.pp(1, [c.txs[0]] * 400, view=4)  # past one peer's whole budget
    before = r.stash.bytes
    deliver(r, huge)
    assert r.stash.bytes <= before and r.stash.dropped > 0


def test_checkpoints_beyond_the_horizon_keep_one_per_sender() -> None:
    """Issue 24, finding 4: 60,000 CHECKPOINTs at distinct far-future heights added 53 MiB
    that stayed.  Beyond four windows above h only each sender's highest is kept; f+1
    senders there make the replica fetch up to the lowest of their f+1 highest."""
    c = Cluster(checkpoint_interval=4, window=8)
    r = c.replica(1)
    for seq in range(40, 40 + 4 * 5_000, 4):
        deliver(r, _checkpoint(c, 3, seq))
    assert len(r.checkpoints) == 0 and [cp.seq for cp in r.far.values()] == [20_036]
    assert r.fetching is None  # one sender alone is never followed
    acts = deliver(r, _checkpoint(c, 2, 400))
    assert r.fetching == (3, 400) and any(isinstance(a, FetchState) for a in acts)
    assert len(r.far) == 2
    for seq in range(4, 33, 4):  # within the horizon: kept by height, as before
        deliver(r, _checkpoint(c, 0, seq))
    assert sorted(r.checkpoints) == list(range(4, 33, 4))


def test_a_prepared_certificate_is_persisted_before_its_commit_is_sent(c: Cluster) -> None:
    r = c.replica(1)
    pp = c.pp(1, c.txs[:1])
    deliver(r, pp)
    acts = deliver(r, c.prepare(pp, 2))
    keys = [a.key for a in acts if isinstance(a, Persist)]
    commit_at = next(i for i, a in enumerate(acts) if isinstance(a, Broadcast)
                     and isinstance(a.msg, Commit))
    persist_at = next(i for i, a in enumerate(acts) if isinstance(a, Persist))
    assert keys == ["prepared:1"] and persist_at < commit_at


def test_a_restarted_replica_still_vouches_for_what_it_prepared_and_executed(
        c: Cluster) -> None:
    """Restarted with its disk and its stored block 1, replica 1's VIEW-CHANGE carries block
    1's commit certificate (not its batch) and batch 2's prepared certificate, so the new
    view starts after block 1, which is decided, and re-proposes batch 2 (without them it
    would put null batches there: another block at a height that executed, found by the
    simulator's restarts class)."""
    disk, ex = _prepared_and_executed(c, c.replica(1))
    r = Replica(c.cfgs[1], executed=1, persisted=disk)
    assert list(r.to_recover()) == [1]
    r.recover([ex])
    r.step(ClientRequest(c.txs[5]), NOW)
    vc = sent(_timeout(c, r, NOW + 5_000), ViewChange)[0]
    assert valid_view_change(r.cfg, vc)
    certs = {x.pre_prepare.seq: x for x in vc.certificates()}
    assert len(certs[1].commits) == 3 and not certs[1].prepares
    assert certs[1].pre_prepare.batch == () and certs[1].pre_prepare.batch_id == ex.batch_id
    assert len(certs[2].prepares) == 2 and not certs[2].commits
    others = [_vc(c, s, 1) for s in (2, 3)]
    min_s, decided, pps = new_view_pre_prepares(r.cfg, 1, [vc, *others])
    assert (min_s, decided) == (0, 1)
    assert [(p.seq, p.batch) for p in pps] == [(2, tuple(c.txs[1:2]))]
    # a commit certificate that does not match its batch is refused
    bad = replace(vc, commits=tuple(replace(x, batch_id="cd" * 32) for x in vc.commits))
    assert not valid_view_change(r.cfg, bad.signed(c.keys[1]))  # type: ignore[arg-type]


def test_the_stable_checkpoint_survives_a_restart_and_old_votes_are_dropped(
        c: Cluster) -> None:
    r = c.replica(1)
    disk: dict[str, Any] = {}
    acts = deliver(r, c.pp(1, c.txs[:1]))
    r.executed = r.ordered = 3
    acts += r.step(Executed(4, "ab" * 32, ()), NOW)
    acts += deliver(r, _checkpoint(c, 2, 4)) + deliver(r, _checkpoint(c, 3, 4))
    for a in acts:
        if isinstance(a, Persist):
            if a.value is None:
                disk.pop(a.key, None)
            else:
                disk[a.key] = a.value
    assert "stable" in disk and not [k for k in disk if k.startswith(("vote:", "prepared:"))]
    again = Replica(c.cfgs[1], executed=4, persisted=disk)
    assert again.low == 4 and len(again.stable_proof) == 3
    assert list(again.to_recover()) == []


def test_unreadable_or_obsolete_records_on_disk_are_dropped_not_fatal(c: Cluster) -> None:
    disk, _ = _prepared_and_executed(c, c.replica(1))
    disk.update({"prepared:7": "junk", "stable": ["junk"]})
    r = Replica(c.cfgs[1], executed=1, persisted=disk)
    assert r.low == 0 and sorted(r.prepared_certs) == [1, 2]
    acts = r.step(ClientRequest(c.txs[5]), NOW)
    assert Persist("prepared:7", None) in acts
    assert not [a for a in acts if isinstance(a, Persist) and a.key.startswith("prepared:")
                and a.key != "prepared:7"]


def test_a_restarted_replica_says_how_far_it_got_and_peers_ahead_answer(c: Cluster) -> None:
    """An idle network tells a restarted replica nothing: it broadcasts STATUS; a peer that
    executed more answers with its own (once per request timeout), and the replica fetches
    from it."""
    late = c.replica(3)
    late.executed = 2
    [hello] = sent(late.step(Started(), NOW), Status)
    assert (hello.view, hello.height) == (0, 2)
    ahead = c.replica(1)
    ahead.executed = 9
    [answer] = sent(deliver(ahead, hello), Status)
    assert (answer.sender, answer.height) == (1, 9)
    assert sent(deliver(ahead, hello), Status) == []  # not again within the timeout
    assert sent(ahead.step(Received(3, hello), NOW + c.cfgs[1].settings.request_timeout_ms), Status)
    acts = deliver(late, answer)
    assert [(a.peer, a.first) for a in acts if isinstance(a, FetchState)] == [(1, 3)]
    level = c.replica(2)
    level.executed = 2
    assert sent(deliver(level, hello), Status) == []  # as far: nothing to say
    # its STATUS or the answer may be lost (a peer's link may still write to the process
    # that died): while it executes nothing it says it again, a request timeout later,
    # then twice as long, up to the status interval
    cfg, t, waits = c.cfgs[3], NOW, []
    for _ in range(5):
        acts = late.step(TimerFired("status"), t := late.timers["status"])
        assert [s.height for s in sent(acts, Status)] == [2]
        waits.append(late.timers["status"] - t)
    assert waits == [2_000, 4_000, 5_000, 5_000, 5_000] and cfg.settings.request_timeout_ms == 1_000
    late.step(Executed(3, "00" * 32, ()), t + 1)
    assert sent(late.step(TimerFired("status"), late.timers["status"]), Status) == []


def test_a_result_certificate_takes_f_plus_1_valid_attests_for_its_own_header(
        c: Cluster) -> None:
    """Executing a block sends this replica's ATTEST; a peer's forged one, or one for
    another header, is never counted; the first valid matching one completes the
    certificate (f+1 = 2 at n = 4), and later ones are not even checked."""
    r = c.replica(1)
    mine, other = "ab" * 32, "cd" * 32
    acts = r.step(Executed(1, "00" * 32, (), mine), NOW)
    [own] = sent(acts, Attest)
    assert own.sender == 1 and own.block == mine and own.verify(c.keys[1].public)

    def certified(actions: list[Action]) -> list[Certified]:
        return [a for a in actions if isinstance(a, Certified)]

    forged = Attest(2, "11" * 64, 1, mine)
    assert certified(deliver(r, forged)) == []  # checked when counted, and dropped
    assert certified(deliver(r, Attest(3, "", 1, other).signed(c.keys[3]))) == []
    got = certified(deliver(r, Attest(0, "", 1, mine).signed(c.keys[0])))
    assert len(got) == 1 and got[0].block_hash == mine
    assert [a.sender for a in got[0].attests] == [0, 1]
    assert certified(deliver(r, Attest(2, "", 1, mine).signed(c.keys[2]))) == []  # done


def test_a_suspicion_from_a_replica_behind_gets_it_told_how_far_we_got(c: Cluster) -> None:
    r = c.replica(2)
    r.executed = r.ordered = 5
    [st] = sent(deliver(r, _suspect(c, 3, 0, height=2)), Status)
    assert st.height == 5


def test_ordered_blocks_the_runtime_never_executes_are_fetched(c: Cluster) -> None:
    """Found by the chaos run: a runtime that lost an ordered block (its executor dropped
    it after a failed run) left the replica waiting for its own executor for good (a
    replica with ordered > executed neither suspects nor fetches).  After three request
    timeouts without execution it fetches the ordered blocks with their certificates."""
    r = c.replica(1)
    r.step(ClientRequest(c.txs[2]), NOW)
    pp = c.pp(1, c.txs[:1])
    deliver(r, pp)
    deliver(r, c.prepare(pp, 2))
    deliver(r, c.commit(pp, 0))
    assert executes(deliver(r, c.commit(pp, 2))) == [1] and r.ordered == 1 > r.executed
    asks = []
    for _ in range(3):
        acts = r.step(TimerFired("request"), r.timers["request"])
        assert not sent(acts, Suspect) and r.view == 0
        asks += [(a.peer, a.first, a.last) for a in acts if isinstance(a, FetchState)]
    assert [(p, f) for p, f, _ in asks] == [(0, 1)] and asks[0][2] >= 1
