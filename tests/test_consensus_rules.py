"""The normal case of PBFT, one test per rule, each written to fail if the rule is removed."""

from __future__ import annotations

from dataclasses import replace

from node.consensus import Replica
from node.consensus.messages import (
    Commit,
    Forward,
    Prepare,
    PrePrepare,
)
from node.consensus.types import (
    ClientRequest,
    Execute,
    Executed,
    SetTimer,
    TimerFired,
)
from tests.support.rules import (
    NOW,
    Cluster,
    _forged,
    _prepared_and_executed,
    deliver,
    executes,
    sent,
)
from tests.support.sim import request_id, request_valid


def test_backup_prepares_a_pre_prepare_from_the_primary_only(c: Cluster) -> None:
    r = c.replica(1)
    assert sent(deliver(r, c.pp(1, c.txs[:1], sender=2)), Prepare) == []
    assert len(sent(deliver(r, c.pp(1, c.txs[:1])), Prepare)) == 1


def test_conflicting_pre_prepare_for_the_same_slot_is_ignored(c: Cluster) -> None:
    r = c.replica(1)
    assert sent(deliver(r, c.pp(1, c.txs[:1])), Prepare)
    assert sent(deliver(r, c.pp(1, c.txs[1:2], time=NOW + 1)), Prepare) == []


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


def test_bad_signatures_are_discarded(c: Cluster) -> None:
    r = c.replica(1)
    pp = c.pp(1, c.txs[:1])
    assert sent(deliver(r, replace(pp, sig="00" * 64)), Prepare) == []
    assert sent(deliver(r, pp), Prepare)


def test_requests_with_forged_signatures_are_never_ordered() -> None:
    """A commit certificate vouches for the signatures of its batch (state transfer and
    observers rely on it): a replica queues, forwards and PREPAREs checked requests only."""
    c = Cluster(request_valid=request_valid)
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


def test_a_replica_never_votes_for_another_batch_at_a_height_it_executed(c: Cluster) -> None:
    disk, ex = _prepared_and_executed(c, c.replica(2))
    r = Replica(c.cfgs[2], executed=1, persisted={**disk, "view": 1})
    r.recover([ex])
    other = c.pp(1, c.txs[3:4], view=1)
    assert sent(deliver(r, other), Prepare) == []
    assert sent(deliver(r, c.pp(1, c.txs[:1], view=1)), Prepare)


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
