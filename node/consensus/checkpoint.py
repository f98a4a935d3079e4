"""Checkpoints and state transfer for the replica in replica.py.

* Every ``K`` executed blocks a replica signs CHECKPOINT(seq, state root); 2f+1 matching
  make it stable (``stabilise``): h moves up and the log below it is discarded.
* A replica that (re)starts broadcasts STATUS (its view and height), and again whenever
  it then executes nothing for a while (a request timeout, doubling up to
  ``status_interval_ms``); a peer that executed more answers with its own, and one in a
  later view with its NEW-VIEW.
* CHECKPOINTs are kept by height up to ``horizon`` (four windows above h, or above what
  this replica executed when state transfer took it further); beyond it only each
  sender's highest, so no peer can fill memory with
  checkpoints at distinct heights.  f+1 senders beyond the horizon mean an honest replica
  got that far: the replica fetches up to the lowest of the f+1 highest.
* A stable checkpoint, or a STATUS, above what this replica executed means it is behind:
  it asks a peer for the blocks (``fetch``), in chunks that end on checkpoints, the next
  chunk asked for as soon as the last one arrived (``arrived``: checked and written while
  the next is served), at most two chunks beyond what is executed; or, without such news,
  once half of the last one is executed.  Each executed block restarts the fetch timer; a
  peer that does not answer within it is replaced by the next one.
"""

from __future__ import annotations

from node.consensus import certs, durable
from node.consensus.core import Core, help_lagging_peer, tell_behind_peer
from node.consensus.messages import Checkpoint, Status
from node.consensus.types import Broadcast, CancelTimer, FetchState, Persist, SetTimer

FETCH_TIMER = "fetch"
STATUS_TIMER = "status"


def horizon(r: Core) -> int:
    """The highest height whose CHECKPOINTs are kept one by one."""
    return max(r.low, r.executed) + 4 * r.cfg.settings.window


def on_checkpoint(r: Core, cp: Checkpoint) -> None:
    if cp.sender != r.id and cp.view < r.view:
        help_lagging_peer(r, cp.sender)
    if cp.seq <= r.low:
        return
    if cp.seq > horizon(r):
        _far(r, cp)
        return
    by_root = r.checkpoints.setdefault(cp.seq, {})
    if any(cp.sender in v for v in by_root.values()):
        return
    votes = by_root.setdefault(cp.state_root, {})
    votes[cp.sender] = cp
    if len(votes) < r.cfg.quorum:
        return
    if r.executed >= cp.seq and r.own_roots.get(cp.seq) == cp.state_root:
        stabilise(r, cp.seq, tuple(votes.values()))
    elif r.executed < cp.seq:
        peers = [s for s in votes if s != r.id]
        fetch(r, peers[0] if peers else cp.sender, cp.seq)


def _far(r: Core, cp: Checkpoint) -> None:
    old = r.far.get(cp.sender)
    if old is not None and old.seq >= cp.seq:
        return
    r.far[cp.sender] = cp
    ahead = sorted(r.far.values(), key=lambda c: c.seq, reverse=True)
    if len(ahead) > r.cfg.f:
        target = ahead[r.cfg.f].seq
        fetch(r, next(c.sender for c in ahead if c.sender != r.id), target)


def _take_near(r: Core) -> None:
    """The horizon moved: checkpoints kept beyond it that it now covers are kept by height."""
    near = [c for c in r.far.values() if c.seq <= horizon(r)]
    if near:
        r.far = {p: c for p, c in r.far.items() if c.seq > horizon(r)}
        for c in near:
            on_checkpoint(r, c)


def announce(r: Core, wait: int | None = None) -> None:
    """Just (re)started: every peer hears how far this replica got (``on_status``), and
    again whenever it then executes nothing for a while: a request timeout at first,
    doubling up to ``status_interval_ms``.  A STATUS or its answer may be lost (a peer's
    link to a restarted replica may still be writing to the process that died), and on an
    idle network nothing else would tell a replica that it is behind."""
    r.status_mark = r.executed
    r.status_wait = r.cfg.settings.request_timeout_ms if wait is None else wait
    r.emit(Broadcast(r.sign(Status(r.id, "", r.view, r.executed))))
    r.emit(SetTimer(STATUS_TIMER, r.now + r.status_wait))


def status_timer(r: Core) -> None:
    if r.executed == r.status_mark:
        announce(r, min(2 * r.status_wait, r.cfg.settings.status_interval_ms))
    else:  # under way: checkpoints tell peers as much, and STATUS would only add traffic
        r.status_mark = r.executed
        r.emit(SetTimer(STATUS_TIMER, r.now + r.cfg.settings.status_interval_ms))


def on_status(r: Core, st: Status) -> None:
    """A peer that executed more is asked for the blocks; a peer behind is told how far
    this replica got, and given the NEW-VIEW of a view it has not joined (each at most once
    per request timeout)."""
    if st.height > r.executed:
        fetch(r, st.sender, st.height)
    tell_behind_peer(r, st.sender, st.height)
    if st.view < r.view:
        help_lagging_peer(r, st.sender)


def fetch(r: Core, peer: int, upto: int) -> None:
    """Ask ``peer`` for every block it has from ours on (each carries its certificate), at
    least up to ``upto``."""
    if r.executed >= upto or (r.fetching and r.fetching[1] >= upto):
        return
    r.fetching = (peer, upto)
    r.fetch_arrived = r.executed
    ask(r, peer, r.executed + 1, upto)


def ask(r: Core, peer: int, first: int, upto: int) -> None:
    """One chunk of a state transfer: up to ``fetch_chunk`` blocks from ``first``."""
    last = min(upto + r.cfg.settings.window, first + r.cfg.settings.fetch_chunk - 1)
    # ending on a checkpoint when it can: a peer serves on to one, with its proof (see
    # Store.blocks_with_certs), so the next chunk never overlaps the reply
    if last - last % r.cfg.settings.checkpoint_interval >= first:
        last -= last % r.cfg.settings.checkpoint_interval
    r.fetch_next = last + 1
    r.emit(FetchState(peer, first, last))
    r.emit(SetTimer(FETCH_TIMER, r.now + r.vc.timeout(r.cfg)))


def executed(r: Core, seq: int) -> None:
    """Block ``seq`` was executed: the transfer under way is done, goes on, or is alive."""
    _take_near(r)
    if r.fetching is None:
        return
    if seq >= r.fetching[1]:
        r.fetching = None
        r.emit(CancelTimer(FETCH_TIMER))
    elif r.fetch_next <= r.fetching[1] and (seq >= r.fetch_next - r.cfg.settings.fetch_chunk // 2
                                            or _may_ask_ahead(r)):
        # half of the last chunk executed (or all of it arrived): ask for the next one now,
        # so the transfer never waits for a round trip (or for the fetch timer)
        ask(r, r.fetching[0], r.fetch_next, r.fetching[1])
    else:  # the peer answers; a chunk of large blocks can outlast the timer, and asking
        # the next peer then fetched them all twice
        r.emit(SetTimer(FETCH_TIMER, r.now + r.vc.timeout(r.cfg)))


def arrived(r: Core, height: int) -> None:
    """A reply of the transfer under way reached ``height``: once the whole chunk asked for
    last is here, the next one is asked for while this one is checked and written."""
    if r.fetching is None or height <= r.fetch_arrived:
        return
    r.fetch_arrived = height
    if r.fetch_next <= r.fetching[1] and _may_ask_ahead(r):
        ask(r, r.fetching[0], r.fetch_next, r.fetching[1])


def _may_ask_ahead(r: Core) -> bool:
    """The last chunk asked for arrived whole, and with the next one asked for no more than
    two chunks' worth of blocks would be asked for and not executed (one being written, one
    on its way: what a node holds in replies stays bounded)."""
    return r.fetch_arrived >= r.fetch_next - 1 and \
        r.fetch_next - 1 - r.executed <= r.cfg.settings.fetch_chunk


def fetch_timer(r: Core) -> None:
    """No block from the peer within the timer: ask the next replica."""
    if r.fetching is None:
        return
    peer, upto = r.fetching
    r.fetching = None
    if r.executed < upto:
        nxt = (peer + 1) % r.cfg.n
        fetch(r, nxt if nxt != r.id else (nxt + 1) % r.cfg.n, upto)


def stabilise(r: Core, seq: int, proof: tuple[Checkpoint, ...]) -> None:
    if seq <= r.low:
        return
    r.low = seq
    r.stable_proof = proof
    certs.forget_batches(r.cfg, seq)
    r.emit(Persist("stable", durable.stable_record(proof)))
    for s in [s for s in r.slots if s <= seq]:
        del r.slots[s]
    for s in [s for s in r.committed if s <= seq]:
        del r.committed[s]
    for k in [k for k in r.early if k[1] <= seq]:
        del r.early[k]
    for s in [s for s in r.prepared_certs if s <= seq]:
        del r.prepared_certs[s]
        r.emit(Persist(f"prepared:{s}", None))
    for s in [s for s in r.checkpoints if s < seq]:
        del r.checkpoints[s]
    for s in [s for s in r.own_roots if s < seq]:
        del r.own_roots[s]
    _take_near(r)
    for k in [k for k in r.votes if k[1] <= seq]:
        del r.votes[k]  # nothing at or below h is voted on again
        r.emit(Persist(f"vote:{k[0]}:{k[1]}", None))
    r.replay_stash()
    r._propose(force=False)
