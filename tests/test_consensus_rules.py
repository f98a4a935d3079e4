"""One test per PBFT rule, each written to fail if the rule is removed."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from node.config import Settings
from node.consensus import Config, Replica, certs, checkpoint
from node.consensus.certs import new_view_pre_prepares, valid_view_change
from node.consensus.messages import (
    Attest,
    Checkpoint,
    Commit,
    Forward,
    NewView,
    Prepare,
    PrePrepare,
    Status,
    Suspect,
    ViewChange,
    batch_digest,
)
from node.consensus.types import (
    Action,
    Arrived,
    Broadcast,
    Certified,
    ClientRequest,
    Event,
    Execute,
    Executed,
    FetchState,
    Persist,
    Received,
    Send,
    SetTimer,
    Started,
    TimerFired,
)
from node.consensus.viewchange import ADAPT_CAP, ADAPT_FACTOR, check_new_view
from node.ledger.tx import Tx, text_signatures_valid
from tests.support.sim import request_id
from tests.support.world import World

NOW = 1_795_478_500_000


# small checkpoints, window and batches, so that a handful of messages cross them; no limit
# on blocks in flight, so one primary can propose several at once
RULES = Settings(checkpoint_interval=4, window=8, max_batch=2, batch_delay_ms=5,
                 max_in_flight=0, max_pending=50_000)


class Cluster:
    def __init__(self, n: int = 4, **cfg: Any) -> None:
        w = World(validators=n, seed=42)
        self.keys = [w.keys[f"validator-{i}"] for i in range(n)]
        publics = tuple(k.public for k in self.keys)
        bind = {k: cfg.pop(k) for k in ("request_valid", "verify") if k in cfg}
        settings = replace(RULES, **cfg)
        self.cfgs = [Config(replica=i, publics=publics, key=self.keys[i],
                            request_id=request_id, settings=settings, **bind)
                     for i in range(n)]
        self.txs = [w.issue_tx(deposit=100)[0].encode().decode() for _ in range(8)]
        self.n = n

    def replica(self, i: int) -> Replica:
        return Replica(self.cfgs[i])

    def pp(self, seq: int, txs: list[str], view: int = 0, time: int = NOW,
           sender: int | None = None) -> PrePrepare:
        s = view % self.n if sender is None else sender
        return PrePrepare(s, "", view, seq, time, batch_digest(seq, time, txs),
                          tuple(txs)).signed(self.keys[s])  # type: ignore[return-value]

    def prepare(self, pp: PrePrepare, sender: int) -> Prepare:
        return Prepare(sender, "", pp.view, pp.seq, pp.batch_id).signed(
            self.keys[sender % self.n])  # type: ignore[return-value]

    def commit(self, pp: PrePrepare, sender: int) -> Commit:
        return Commit(sender, "", pp.view, pp.seq, pp.batch_id).signed(
            self.keys[sender])  # type: ignore[return-value]


def deliver(r: Replica, msg: Any, src: int | None = None) -> list[Action]:
    return r.step(Received(msg.sender if src is None else src, msg), NOW)


def sent(actions: list[Action], kind: type) -> list[Any]:
    return [a.msg for a in actions if isinstance(a, Broadcast | Send) and isinstance(a.msg, kind)]


def executes(actions: list[Action]) -> list[int]:
    return [a.seq for a in actions if isinstance(a, Execute)]


@pytest.fixture
def c() -> Cluster:
    return Cluster()


def test_backup_prepares_a_pre_prepare_from_the_primary_only(c: Cluster) -> None:
    r = c.replica(1)
    assert sent(deliver(r, c.pp(1, c.txs[:1], sender=2)), Prepare) == []
    assert len(sent(deliver(r, c.pp(1, c.txs[:1])), Prepare)) == 1


def test_conflicting_pre_prepare_for_the_same_slot_is_ignored(c: Cluster) -> None:
    r = c.replica(1)
    assert sent(deliver(r, c.pp(1, c.txs[:1])), Prepare)
    assert sent(deliver(r, c.pp(1, c.txs[1:2], time=NOW + 1)), Prepare) == []


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


def test_prepare_from_outside_the_membership_or_forged_is_not_counted(c: Cluster) -> None:
    r = c.replica(1)
    pp = c.pp(1, c.txs[:1])
    deliver(r, pp)
    outsider = Prepare(4, "", 0, 1, pp.batch_id).signed(c.keys[2])
    forged = Prepare(3, "", 0, 1, pp.batch_id).signed(c.keys[2])  # claims 3, signed by 2
    assert sent(deliver(r, outsider, src=4), Commit) == []
    assert sent(deliver(r, forged, src=3), Commit) == []
    assert sent(deliver(r, c.prepare(pp, 3)), Commit)


def test_primary_prepare_is_not_counted(c: Cluster) -> None:
    r = c.replica(1)
    pp = c.pp(1, c.txs[:1])
    deliver(r, pp)
    assert sent(deliver(r, Prepare(0, "", 0, 1, pp.batch_id).signed(c.keys[0])), Commit) == []


def test_duplicate_votes_count_once() -> None:
    c7 = Cluster(7)  # f = 2: prepared needs 4 backup PREPAREs, committed 5 COMMITs
    r = c7.replica(1)
    pp = c7.pp(1, c7.txs[:1])
    deliver(r, pp)
    for _ in range(3):
        assert sent(deliver(r, c7.prepare(pp, 2)), Commit) == []
    deliver(r, c7.prepare(pp, 3))
    assert sent(deliver(r, c7.prepare(pp, 4)), Commit)
    for _ in range(3):
        assert executes(deliver(r, c7.commit(pp, 2))) == []
    deliver(r, c7.commit(pp, 3))
    deliver(r, c7.commit(pp, 4))
    assert executes(deliver(r, c7.commit(pp, 5))) == [1]


def test_execution_strictly_in_sequence_order(c: Cluster) -> None:
    r = c.replica(1)
    p1, p2 = c.pp(1, c.txs[:1]), c.pp(2, c.txs[1:2], time=NOW + 1)
    got: list[int] = []
    for pp in (p2, p1):
        deliver(r, pp)
        deliver(r, c.prepare(pp, 2))
    for who in (0, 2):
        got += executes(deliver(r, c.commit(p2, who)))
    assert got == []  # seq 2 is committed but seq 1 is not
    for who in (0, 2):
        got += executes(deliver(r, c.commit(p1, who)))
    assert got == [1, 2]
    assert executes(deliver(r, c.commit(p1, 3))) == []  # never executed twice


def test_execute_carries_a_commit_certificate(c: Cluster) -> None:
    r = c.replica(1)
    pp = c.pp(1, c.txs[:1])
    deliver(r, pp)
    deliver(r, c.prepare(pp, 2))
    deliver(r, c.commit(pp, 0))
    ex = next(a for a in deliver(r, c.commit(pp, 2)) if isinstance(a, Execute))
    assert len({x.sender for x in ex.cert}) == 3
    assert all(x.batch_id == pp.batch_id and x.verify(c.keys[x.sender].public) for x in ex.cert)


def _checkpoint(c: Cluster, sender: int, seq: int, root: str = "ab" * 32) -> Checkpoint:
    return Checkpoint(sender, "", 0, seq, root).signed(c.keys[sender])  # type: ignore[return-value]


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


def _asks_behind(c: Cluster, seq: int) -> tuple[Replica, list[tuple[int, int]]]:
    """Replica 1 sees 2f+1 CHECKPOINTs at ``seq``, which it has not reached: what it asks
    its peers for (state transfer)."""
    r = c.replica(1)
    acts = []
    for s in (0, 2, 3):
        acts += deliver(r, _checkpoint(c, s, seq))
    return r, [(a.first, a.last) for a in acts if isinstance(a, FetchState)]


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


def _vc(c: Cluster, sender: int, view: int, executed: int = 0) -> ViewChange:
    return ViewChange(sender, "", view, executed, 0, (), (), (), ()).signed(c.keys[sender])  # type: ignore[return-value]


def _suspect(c: Cluster, sender: int, view: int, height: int = 0) -> Suspect:
    return Suspect(sender, "", view, height).signed(c.keys[sender])  # type: ignore[return-value]


def _timeout(c: Cluster, r: Replica, at: int) -> list[Action]:
    """``r``'s request timer fires at ``at`` and two peers suspect its view as well."""
    acts = r.step(TimerFired("request"), at)
    for peer in [p for p in range(4) if p != r.id][:2]:
        acts += r.step(Received(peer, _suspect(c, peer, r.view)), at)
    return acts


def test_one_huge_view_number_moves_nobody_but_f_plus_1_do(c: Cluster) -> None:
    r = c.replica(1)
    deliver(r, _vc(c, 2, 10**9))  # past FAR_AHEAD_VIEWS: not even kept
    assert r.view == 0 and not r.view_changing and 2 not in r.vc.latest
    deliver(r, _vc(c, 2, 900))
    assert r.view == 0 and not r.view_changing
    acts = deliver(r, _vc(c, 3, 5))
    assert r.view == 5 and r.view_changing  # the smallest view of the f+1
    assert sent(acts, ViewChange)[0].view == 5


def test_view_changes_nobody_still_asks_for_add_up_to_nothing(c: Cluster) -> None:
    """Found by the chaos run: a validator driven Byzantine for a while sent VIEW-CHANGE
    for view 2^62+1; minutes later another one did the same, and the f+1 rule moved every
    honest replica to a view near 2^62.  A VIEW-CHANGE counts only while its sender says
    it again (every timeout while it waits); a stale one joins with nothing."""
    r = c.replica(1)
    deliver(r, _vc(c, 2, 7))
    later = NOW + 5 * r.vc.timeout(r.cfg)
    r.step(Received(3, _vc(c, 3, 7)), later)
    assert r.view == 0 and not r.view_changing  # 2's is stale by now
    r.step(Received(2, _vc(c, 2, 7)), later + 10)  # said again: both fresh
    assert r.view == 7 and r.view_changing


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


def test_request_timeout_starts_view_change_and_timeouts_double(c: Cluster) -> None:
    r = c.replica(1)
    acts = r.step(ClientRequest(c.txs[0]), NOW)
    fwd = sent(acts, Forward)
    assert len(fwd) == 1 and sent(r.step(ClientRequest(c.txs[0]), NOW), Forward) == []
    t1 = next(a.at for a in acts if isinstance(a, SetTimer) and a.name == "request")
    acts = _timeout(c, r, t1)
    assert r.view == 1 and sent(acts, ViewChange)
    # alone, it does not race ahead: the next view's timer waits for 2f+1 asking
    assert not any(isinstance(a, SetTimer) and a.name == "new-view" for a in acts)
    r.step(Received(2, _vc(c, 2, 1)), t1)
    acts = r.step(Received(3, _vc(c, 3, 1)), t1)
    d1 = next(a.at for a in acts if isinstance(a, SetTimer) and a.name == "new-view") - t1
    acts = r.step(TimerFired("new-view"), t1 + d1)
    r.step(Received(2, _vc(c, 2, 2)), t1 + d1)
    acts = r.step(Received(3, _vc(c, 3, 2)), t1 + d1)
    d2 = next(a.at for a in acts if isinstance(a, SetTimer) and a.name == "new-view") - t1 - d1
    assert r.view == 2 and d2 == 2 * d1


def test_primary_keeps_at_most_max_in_flight_batches_unexecuted() -> None:
    c = Cluster(max_in_flight=1, max_batch=4)
    p = c.replica(0)
    p.step(ClientRequest(c.txs[0]), NOW)
    first = sent(p.step(TimerFired("batch"), NOW + 5), PrePrepare)
    assert [len(x.batch) for x in first] == [1]
    p.step(ClientRequest(c.txs[1]), NOW + 6)
    p.step(ClientRequest(c.txs[2]), NOW + 7)
    assert sent(p.step(TimerFired("batch"), NOW + 12), PrePrepare) == []  # one in flight
    ids = (request_id(c.txs[0]),)
    after = sent(p.step(Executed(1, "00" * 32, ids), NOW + 20), PrePrepare)  # type: ignore[arg-type]
    assert [len(x.batch) for x in after] == [2]  # what gathered meanwhile, in one batch


def test_a_replica_holds_at_most_max_pending_requests() -> None:
    c = Cluster(max_pending=2, max_batch=8)
    r = c.replica(1)
    for t in c.txs[:2]:
        assert sent(r.step(ClientRequest(t), NOW), Forward)
    assert sent(r.step(ClientRequest(c.txs[2]), NOW), Forward) == []  # refused: full
    assert len(r.pending) == 2 and request_id(c.txs[2]) not in r.pending
    # a peer's Forward is taken even when full: its sender holds the request, and a primary
    # that dropped it would be replaced for it (a view-change storm under overload)
    deliver(r, Forward(2, "", c.txs[3]))
    assert request_id(c.txs[3]) in r.pending


def test_primary_batches_by_size_and_by_time(c: Cluster) -> None:
    p = c.replica(0)
    acts = p.step(ClientRequest(c.txs[0]), NOW)
    assert sent(acts, PrePrepare) == [] and any(
        isinstance(a, SetTimer) and a.name == "batch" for a in acts)
    pps = sent(p.step(ClientRequest(c.txs[1]), NOW), PrePrepare)
    assert len(pps) == 1 and len(pps[0].batch) == 2  # max_batch reached
    p.step(ClientRequest(c.txs[2]), NOW)
    pps = sent(p.step(TimerFired("batch"), NOW + 5), PrePrepare)
    assert len(pps) == 1 and len(pps[0].batch) == 1 and pps[0].seq == 2


def _new_view(c: Cluster, view: int, senders: list[int]) -> NewView:
    vcs = tuple(_vc(c, s, view) for s in senders)
    primary = view % c.n
    return NewView(primary, "", view, vcs, ()).signed(c.keys[primary])  # type: ignore[return-value]


def test_new_view_needs_2f_plus_1_view_changes(c: Cluster) -> None:
    assert check_new_view(c.cfgs[1], _new_view(c, 1, [0, 2])) is None
    assert check_new_view(c.cfgs[1], _new_view(c, 1, [0, 2, 2])) is None  # duplicate sender
    assert check_new_view(c.cfgs[1], _new_view(c, 1, [0, 2, 3])) == (0, 0)
    r = c.replica(2)
    deliver(r, _new_view(c, 1, [0, 2]))
    assert r.view == 0
    deliver(r, _new_view(c, 1, [0, 2, 3]))
    assert r.view == 1 and not r.view_changing


def test_new_view_must_re_propose_prepared_batches(c: Cluster) -> None:
    pp = c.pp(1, c.txs[:1])
    prepares = (c.prepare(pp, 2), c.prepare(pp, 3))
    vc0 = ViewChange(0, "", 1, 0, 0, (), (pp,), prepares, ()).signed(c.keys[0])
    vcs = (vc0, _vc(c, 2, 1), _vc(c, 3, 1))
    good = PrePrepare(1, "", 1, 1, pp.time, pp.batch_id, pp.batch).signed(c.keys[1])
    null = PrePrepare(1, "", 1, 1, 0, batch_digest(1, 0, ()), ()).signed(c.keys[1])
    ok = NewView(1, "", 1, vcs, (good,)).signed(c.keys[1])
    bad = NewView(1, "", 1, vcs, (null,)).signed(c.keys[1])
    assert check_new_view(c.cfgs[2], ok) == (0, 0)  # type: ignore[arg-type]
    assert check_new_view(c.cfgs[2], bad) is None  # type: ignore[arg-type]


def test_bad_signatures_are_discarded(c: Cluster) -> None:
    r = c.replica(1)
    pp = c.pp(1, c.txs[:1])
    assert sent(deliver(r, replace(pp, sig="00" * 64)), Prepare) == []
    assert sent(deliver(r, pp), Prepare)


def _forged(text: str) -> str:
    tx = Tx.decode(text.encode("utf-8"))
    return Tx(tx.chain, tx.kind, tx.body, tx.nonce, tx.expires,
              tuple((pub, "11" * 64) for pub, _ in tx.sigs)).encode().decode("utf-8")


def test_requests_with_forged_signatures_are_never_ordered() -> None:
    """A commit certificate vouches for the signatures of its batch (state transfer and
    observers rely on it): a replica queues, forwards and PREPAREs checked requests only."""
    c = Cluster(request_valid=text_signatures_valid)
    fake = _forged(c.txs[0])
    primary = c.replica(0)
    acts = primary.step(ClientRequest(fake), NOW)
    assert not sent(acts, Forward) and not primary.pending
    assert not sent(primary.step(TimerFired("batch"), NOW + 10), PrePrepare)
    backup = c.replica(1)
    assert sent(deliver(backup, Forward(2, "", fake)), Forward) == [] and not backup.pending
    assert sent(deliver(backup, c.pp(1, [c.txs[1], fake])), Prepare) == []
    assert sent(deliver(backup, c.pp(1, [c.txs[1]], time=NOW + 1)), Prepare)
    assert sent(primary.step(ClientRequest(c.txs[2]), NOW), Forward)


def test_commit_certificate_checks(c: Cluster) -> None:
    from node.consensus.certs import valid_commit_cert

    pp = c.pp(1, c.txs[:1])
    cert = (c.commit(pp, 0), c.commit(pp, 1), c.commit(pp, 2))
    cfg = c.cfgs[3]
    assert valid_commit_cert(cfg, cert, 1, pp.batch_id)
    assert not valid_commit_cert(cfg, cert[:2], 1, pp.batch_id)            # too few
    assert not valid_commit_cert(cfg, (*cert[:2], cert[0]), 1, pp.batch_id)  # duplicate
    assert not valid_commit_cert(cfg, cert, 2, pp.batch_id)                 # other height
    assert not valid_commit_cert(cfg, cert, 1, "cd" * 32)                   # other batch
    forged = replace(cert[2], sig=cert[1].sig)
    assert not valid_commit_cert(cfg, (*cert[:2], forged), 1, pp.batch_id)  # bad signature


def test_request_timer_counts_commits_as_progress_and_waits_for_own_executor(
        c: Cluster) -> None:
    """Castro and Liskov restart the request timer when a request executes.  Under load a
    backup's executor can lag behind what the cluster commits: a commit restarts the timer
    too, and a timer that fires while committed batches wait for this replica's own
    executor re-arms instead of starting a view change (the primary is ordering)."""
    r = c.replica(1)
    r.step(ClientRequest(c.txs[2]), NOW)  # a request that is not in the batch below
    pp = c.pp(1, c.txs[:1])
    deliver(r, pp)
    deliver(r, c.prepare(pp, 2))
    deliver(r, c.commit(pp, 0))
    later = NOW + 700
    acts = r.step(Received(2, c.commit(pp, 2)), later)
    assert executes(acts) == [1]
    assert any(isinstance(a, SetTimer) and a.name == "request" and a.at > later + 500
               for a in acts)  # restarted by the commit
    acts = r.step(TimerFired("request"), later + 1_000)  # batch 1 not executed yet
    assert r.view == 0 and not sent(acts, ViewChange)
    assert any(isinstance(a, SetTimer) and a.name == "request" for a in acts)
    # once executed and still nothing for the pending request: the primary is suspected
    ids = tuple(i for i in (request_id(c.txs[0]),) if i is not None)
    r.step(Executed(1, "00" * 32, ids), later + 1_000)
    acts = _timeout(c, r, later + 4_000)
    assert r.view == 1 and sent(acts, ViewChange)


def test_a_replica_restarted_mid_view_change_asks_for_the_view_again(c: Cluster) -> None:
    """Its view and view-change flag are on disk, its VIEW-CHANGE and timers are not: on
    its first event it broadcasts VIEW-CHANGE for that view again and keeps asking (peers
    that finished the view change answer with their NEW-VIEW)."""
    r = Replica(c.cfgs[3], executed=2, persisted={"view": 1, "view_changing": True})
    acts = r.step(ClientRequest(c.txs[0]), NOW)
    vcs = sent(acts, ViewChange)
    assert len(vcs) == 1 and vcs[0].view == 1 and vcs[0].executed == 2
    assert r.view == 1 and r.view_changing
    assert any(isinstance(a, SetTimer) and a.name == "view-change-resend" for a in acts)
    assert sent(r.step(ClientRequest(c.txs[1]), NOW + 1), ViewChange) == []  # once
    # a replica restarted outside a view change says nothing
    assert sent(Replica(c.cfgs[2], executed=2).step(ClientRequest(c.txs[0]), NOW),
                ViewChange) == []


def _prepared_and_executed(c: Cluster, r: Replica) -> tuple[dict[str, Any], Execute]:
    """Block 1 ordered and executed, batch 2 prepared only; returns what was persisted."""
    disk: dict[str, Any] = {}
    acts: list[Action] = []
    p1, p2 = c.pp(1, c.txs[:1]), c.pp(2, c.txs[1:2])
    peer = 3 if r.id == 2 else 2
    for pp in (p1, p2):
        acts += deliver(r, pp) + deliver(r, c.prepare(pp, peer))
    acts += deliver(r, c.commit(p1, 0)) + deliver(r, c.commit(p1, peer))
    for a in acts:
        if isinstance(a, Persist):
            disk[a.key] = a.value
    ex = next(a for a in acts if isinstance(a, Execute))
    return disk, ex


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


def test_a_replica_behind_the_decided_batches_of_a_new_view_fetches_them(c: Cluster) -> None:
    """Block 1 is decided (replica 1's VIEW-CHANGE carries its commit certificate, not its
    batch): the NEW-VIEW re-proposes only batch 2, and replica 3, which never saw block 1,
    asks replica 1 for it by state transfer and votes for batch 2 in the new view."""
    disk, ex = _prepared_and_executed(c, c.replica(1))
    r1 = Replica(c.cfgs[1], executed=1, persisted=disk)
    r1.recover([ex])
    r1.step(ClientRequest(c.txs[5]), NOW)
    vc = sent(_timeout(c, r1, NOW + 5_000), ViewChange)[0]
    vcs = (vc, _vc(c, 0, 1), _vc(c, 2, 1))
    _, decided, pps = new_view_pre_prepares(c.cfgs[1], 1, vcs)
    assert decided == 1 and [p.seq for p in pps] == [2]
    nv = NewView(1, "", 1, vcs, tuple(p.signed(c.keys[1]) for p in pps)).signed(c.keys[1])
    wire = nv.encode().decode()
    def inside(t: str) -> str:  # a transaction's text as a JSON string inside a message
        return json.dumps(t, ensure_ascii=False)[1:-1]

    assert inside(c.txs[0]) not in wire  # block 1's batch is not in it at all
    assert inside(c.txs[1]) in wire  # batch 2's is: re-proposed
    r3 = c.replica(3)
    acts = deliver(r3, nv)
    assert r3.view == 1 and not r3.view_changing and r3.next_seq == 3
    assert [(a.peer, a.first) for a in acts if isinstance(a, FetchState)] == [(1, 1)]
    assert [a.msg.seq for a in acts if isinstance(a, Broadcast)
            and isinstance(a.msg, Prepare)] == [2]


def test_a_replica_never_votes_for_another_batch_at_a_height_it_executed(c: Cluster) -> None:
    disk, ex = _prepared_and_executed(c, c.replica(2))
    r = Replica(c.cfgs[2], executed=1, persisted={**disk, "view": 1})
    r.recover([ex])
    other = c.pp(1, c.txs[3:4], view=1)
    assert sent(deliver(r, other), Prepare) == []
    assert sent(deliver(r, c.pp(1, c.txs[:1], view=1)), Prepare)


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


def test_a_timer_cancelled_or_moved_later_that_still_fires_is_ignored(c: Cluster) -> None:
    """A node carries out a step's actions after the step, so a timer the replica already
    cancelled (or moved later) can still fire.  A replica that has just joined a view change
    must not take that for its own timeout and move on to the next view alone."""
    r = c.replica(3)
    r.step(ClientRequest(c.txs[0]), NOW)  # arms the request timer
    assert "request" in r.timers
    deliver(r, _vc(c, 1, 1))
    deliver(r, _vc(c, 2, 1))  # f+1 others ask for view 1: it joins (and cancels the timer)
    assert r.view == 1 and r.view_changing and "request" not in r.timers
    assert sent(r.step(TimerFired("request"), NOW + 5_000), ViewChange) == []
    assert r.view == 1
    # moved later: an early firing is ignored, the one at the new deadline acts
    q = c.replica(2)
    q.step(ClientRequest(c.txs[0]), NOW)
    first = q.timers["request"]
    q.step(Executed(1, "00" * 32, ()), first - 100)  # progress re-arms it later
    later = q.timers["request"]
    assert later > first + 100
    q.step(TimerFired("request"), first)
    assert q.view == 0 and q.timers["request"] == later
    _timeout(c, q, later)
    assert q.view == 1 and q.view_changing


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


def test_batches_at_or_below_a_stable_checkpoint_are_not_kept_for_view_changes(
        c: Cluster) -> None:
    """The shortcut for batches found well formed keeps their texts; a backup kept the last
    1,024 batches whole, far more than a view change can bring back (memory grew by tens
    of MB under load).  Once a checkpoint is stable, what is at or below it goes."""
    r = c.replica(1)
    pps = [c.pp(seq, c.txs[2 * seq - 2:2 * seq]) for seq in range(1, 5)]
    for pp in pps:
        assert sent(deliver(r, pp), Prepare)
    keys = [(request_id, pp.seq, pp.time, pp.batch_id) for pp in pps]
    assert all(k in certs._WELL_FORMED for k in keys)
    checkpoint.stabilise(r, 3, ())
    assert [k for k in keys if k in certs._WELL_FORMED] == keys[3:]
    assert not [k for k in certs._WELL_FORMED if k[0] == request_id and k[1] <= 3]


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


def test_a_lone_suspicion_keeps_the_replica_voting_in_its_view(c: Cluster) -> None:
    """A replica whose request timer fires (it was paused, or fell behind) SUSPECTs the
    primary and keeps working in its view: it still PREPAREs.  One faulty peer joining its
    suspicion (f+1) moves it nowhere; 2f+1 suspicions of the same view start the view
    change, and suspicions older than two timeouts no longer count."""
    r = c.replica(1)
    r.step(ClientRequest(c.txs[0]), NOW)
    t = r.timers["request"]
    acts = r.step(TimerFired("request"), t)
    [mine] = sent(acts, Suspect)
    assert (mine.view, mine.height) == (0, 0) and r.view == 0 and not r.view_changing
    assert "request" in r.timers  # it says so again if nothing happens
    deliver(r, _suspect(c, 3, 0))  # f+1 with a faulty peer: still in view 0
    assert r.view == 0 and not r.view_changing
    assert sent(deliver(r, c.pp(1, c.txs[:1])), Prepare)  # and still voting
    late = t + 2 * r.vc.timeout(r.cfg) + 1  # its own suspicion has gone stale
    r.step(Received(2, _suspect(c, 2, 0)), late)
    assert r.view == 0 and not r.view_changing
    r.step(TimerFired("request"), late)  # suspects again, with 2; 3's is stale by now
    assert r.view == 0 and not r.view_changing
    acts = r.step(Received(3, _suspect(c, 3, 0)), late)
    assert r.view == 1 and r.view_changing and sent(acts, ViewChange)


def test_a_peer_that_asked_for_a_later_view_counts_as_suspecting_this_one(
        c: Cluster) -> None:
    r = c.replica(2)
    r.step(ClientRequest(c.txs[0]), NOW)
    deliver(r, _vc(c, 1, 1))  # replica 1 left view 0
    r.step(TimerFired("request"), r.timers["request"])
    assert r.view == 0
    acts = r.step(Received(3, _suspect(c, 3, 0)), r.now)
    assert r.view == 1 and sent(acts, ViewChange)


def test_a_suspicion_from_a_replica_behind_gets_it_told_how_far_we_got(c: Cluster) -> None:
    r = c.replica(2)
    r.executed = r.ordered = 5
    [st] = sent(deliver(r, _suspect(c, 3, 0, height=2)), Status)
    assert st.height == 5


def test_a_replica_fetching_blocks_does_not_suspect(c: Cluster) -> None:
    r = c.replica(3)
    r.step(ClientRequest(c.txs[0]), NOW)
    deliver(r, Status(1, "", 0, 30).signed(c.keys[1]))
    assert r.fetching is not None
    acts = r.step(TimerFired("request"), r.timers["request"])
    assert sent(acts, Suspect) == [] and "request" in r.timers


def test_the_request_timeout_follows_the_observed_wait_within_a_cap(c: Cluster) -> None:
    """A backup that saw requests wait 900 ms before execution (CPU shared, long batches)
    waits ADAPT_FACTOR times that before suspecting; never more than ADAPT_CAP times the
    configured timeout; and the observation fades as blocks execute faster."""
    r = c.replica(1)
    base = r.cfg.settings.request_timeout_ms
    assert r.vc.timeout(r.cfg) == base
    r.step(ClientRequest(c.txs[0]), NOW)
    r.step(Executed(1, "00" * 32, (request_id(c.txs[0]),)), NOW + 900)  # type: ignore[arg-type]
    assert r.vc.timeout(r.cfg) == max(base, ADAPT_FACTOR * 900)
    r.step(ClientRequest(c.txs[1]), NOW + 1_000)
    r.step(Executed(2, "00" * 32, (request_id(c.txs[1]),)), NOW + 100_000)  # type: ignore[arg-type]
    assert r.vc.timeout(r.cfg) == ADAPT_CAP * base
    for h in range(3, 200):
        r.step(Executed(h, "00" * 32, ()), NOW + 100_000 + h)
    assert r.vc.timeout(r.cfg) == base


def test_batches_are_cut_by_bytes_and_a_batch_past_the_budget_gets_no_prepare() -> None:
    """Issue 24, finding 5: frames between validators are 16 MiB at most, so a PRE-PREPARE
    (and a VIEW-CHANGE carrying the batches prepared and not executed) must stay small: the
    primary cuts a batch at ``max_batch_bytes`` of request text (one request at least) and
    a backup refuses one of several requests past it."""
    c = Cluster(max_batch=8, max_batch_bytes=2 * len(Cluster().txs[0]) + 10)
    p = c.replica(0)
    for t in c.txs[:5]:
        p.step(ClientRequest(t), NOW)
    pps = sent(p.step(TimerFired("batch"), NOW + 5), PrePrepare)
    assert [len(x.batch) for x in pps] and all(len(x.batch) <= 2 for x in pps)
    b = c.replica(1)
    assert sent(deliver(b, c.pp(1, c.txs[:3])), Prepare) == []  # three: past the budget
    assert sent(deliver(b, c.pp(2, c.txs[:2])), Prepare)


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


def test_a_primary_installed_while_still_fetching_suspects_its_own_view(c: Cluster) -> None:
    """Found by the chaos run: a wiped validator became primary while it still fetched the
    decided blocks; it could not propose, and its backups, their timers backed off, took
    20 s to replace it.  Such a primary suspects its own view at once."""
    disk, ex = _prepared_and_executed(c, c.replica(2))
    r2 = Replica(c.cfgs[2], executed=1, persisted=disk)
    r2.recover([ex])
    r2.step(ClientRequest(c.txs[5]), NOW)
    vc2 = sent(_timeout(c, r2, NOW + 5_000), ViewChange)[0]  # block 1 decided
    p = c.replica(1)  # the primary of view 1, which executed nothing
    p.step(ClientRequest(c.txs[5]), NOW)
    acts = deliver(p, vc2) + deliver(p, _vc(c, 3, 1))
    assert p.view == 1 and not p.view_changing and p.fetching is not None
    assert any(isinstance(a, FetchState) for a in acts)
    assert [s.view for s in sent(acts, Suspect)] == [1]
