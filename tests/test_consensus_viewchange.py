"""View changes, suspicions and the request timer, one test per rule."""

from __future__ import annotations

from node.consensus import Replica, certs, checkpoint
from node.consensus.certs import new_view_pre_prepares
from node.consensus.core import ADAPT_CAP, ADAPT_FACTOR
from node.consensus.messages import (
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
    Broadcast,
    ClientRequest,
    Executed,
    FetchState,
    Received,
    SetTimer,
    TimerFired,
)
from node.consensus.viewchange import check_new_view
from tests.support.rules import (
    NOW,
    Cluster,
    _new_view,
    _prepared_and_executed,
    _suspect,
    _timeout,
    _vc,
    deliver,
    executes,
    sent,
)
from tests.support.sim import request_id


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
    wire = nv.encode().decode()  # a transaction is in it as the object it is
    assert c.txs[0] not in wire  # block 1's batch is not in it at all
    assert c.txs[1] in wire  # batch 2's is: re-proposed
    r3 = c.replica(3)
    acts = deliver(r3, nv)
    assert r3.view == 1 and not r3.view_changing and r3.next_seq == 3
    assert [(a.peer, a.first) for a in acts if isinstance(a, FetchState)] == [(1, 1)]
    assert [a.msg.seq for a in acts if isinstance(a, Broadcast)
            and isinstance(a.msg, Prepare)] == [2]


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


def test_a_peer_that_once_asked_for_a_higher_view_counts_for_the_view_it_joins(
        c: Cluster) -> None:
    """Seed 24 of tests/test_nemesis.py: validator 3's key, driven Byzantine, asked for
    view 3; restarted honest, it changed to view 2 with the others while the primary of
    view 1 was paused. Its VIEW-CHANGE for view 2 was ignored (a higher one was on record
    for it), so view 2 lacked its third VIEW-CHANGE until the primary came back. The
    latest a peer asks for is what counts."""
    r = c.replica(2)  # the primary of view 2
    deliver(r, _vc(c, 3, 3))  # what the Byzantine episode sent with validator 3's key
    out = deliver(r, _vc(c, 0, 2))  # f+1 ask for views above: r joins the lower, view 2
    assert r.view == 2 and r.view_changing and sent(out, ViewChange)
    assert sent(deliver(r, _vc(c, 3, 2)), NewView)  # 0, 2 and 3: view 2 forms
    assert not r.view_changing
