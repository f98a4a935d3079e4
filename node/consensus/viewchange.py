"""View change (Castro and Liskov, section 4.4) for the replica in replica.py.

* A replica whose request timer expires SUSPECTs the primary of its view and keeps
  working in it; once 2f+1 replicas (itself among them) suspect the same view within two
  timeouts it moves to view v+1 and broadcasts VIEW-CHANGE with its stable checkpoint proof
  and its prepared certificates above it (for a batch it executed, the commit certificate
  without the batch).  A faulty primary leaves 2f+1 correct replicas to suspect it; a
  replica that was paused or fell behind, alone or with f faulty peers, never leaves a view
  the others still commit in (a VIEW-CHANGE is a promise never to vote in that view again,
  so it could not safely come back), and one doing state transfer does not suspect at all.
* The request timeout adapts: at least ``ADAPT_FACTOR`` times the longest recent wait from
  a request's arrival to its execution (decaying), at most ``ADAPT_CAP`` times the
  configured one, so CPU contention alone does not replace a primary; it doubles on each
  consecutive view change without progress.
* A replica that sees VIEW-CHANGEs from f+1 others for views above its own joins the
  smallest of them (so one replica shouting a huge view number moves nobody).
* The new primary, holding 2f+1 valid VIEW-CHANGEs, sends NEW-VIEW: for every seq after
  the highest stable checkpoint and the decided batches above it (commit certificates;
  fetched by replicas without them) up to the highest prepared seq, the prepared batch of
  the highest view, or a null batch.  Backups recompute that list and accept only an exact
  match.  A NEW-VIEW proves its view by itself, so a lagging replica that is sent one
  joins that view directly.
"""

from __future__ import annotations

from collections import OrderedDict

from node.consensus import checkpoint
from node.consensus.certs import new_view_pre_prepares, valid_view_change
from node.consensus.core import (
    BATCH_TIMER,
    NEW_VIEW_TIMER,
    REQUEST_TIMER,
    Core,
    Slot,
    help_behind_peer,
    help_lagging_peer,
    tell_behind_peer,
)
from node.consensus.messages import (
    Commit,
    Forward,
    NewView,
    Prepare,
    PrePrepare,
    Suspect,
    ViewChange,
)
from node.consensus.types import Broadcast, CancelTimer, Config, Persist, Send, SetTimer

RESEND_TIMER = "view-change-resend"
FRESH_TIMEOUTS = 4  # a VIEW-CHANGE not said again for this many timeouts is stale


def start(r: Core, view: int) -> None:
    """Move to ``view`` and ask for it."""

    if view < r.view or (view == r.view and r.view_changing):
        return
    r.view = view
    r.view_changing = True
    r.vc.attempts += 1
    r.emit(Persist("view", view))
    r.emit(Persist("view_changing", True))
    r.emit(CancelTimer(REQUEST_TIMER))
    r.emit(CancelTimer(BATCH_TIMER))
    _ask(r)


def suspect(r: Core) -> None:
    """The request timer expired: say so, and keep the timer running (a suspicion counts
    for two timeouts; a replica still waiting says it again)."""

    if r.view_changing:
        return
    r.vc.suspects[r.id] = (r.view, r.now)
    r.emit(Broadcast(r.sign(Suspect(r.id, "", r.view, r.executed))))
    r.emit(SetTimer(REQUEST_TIMER, r.now + r.vc.timeout(r.cfg)))
    _count_suspects(r)


def on_suspect(r: Core, s: Suspect) -> None:
    tell_behind_peer(r, s.sender, s.height)
    if s.view < r.view:
        help_lagging_peer(r, s.sender)
        return
    r.vc.suspects[s.sender] = (s.view, r.now)
    _count_suspects(r)


def _count_suspects(r: Core) -> None:
    if r.view_changing:
        return
    fresh = r.now - 2 * r.vc.timeout(r.cfg)
    agree = {s for s, (v, at) in r.vc.suspects.items() if v == r.view and at >= fresh}
    # a peer that asked for a later view has left this one: it suspects it too
    agree |= {s for s, vc in _asking(r).items() if vc.view > r.view}
    if len(agree) >= r.cfg.quorum:
        start(r, r.view + 1)


def _asking(r: Core) -> dict[int, ViewChange]:
    """The VIEW-CHANGEs whose senders said them lately (within ``FRESH_TIMEOUTS``
    timeouts): a view change nobody is still asking for counts for nothing, so what a
    faulty validator once sent cannot add up with what another sends much later."""
    fresh = r.now - FRESH_TIMEOUTS * r.vc.timeout(r.cfg)
    return {s: vc for s, vc in r.vc.latest.items()
            if s == r.id or r.vc.seen.get(s, fresh - 1) >= fresh}


def resume(r: Core) -> None:
    """A replica restarted in the middle of a view change (its view and ``view_changing``
    are on disk, its timers and its VIEW-CHANGE were not) asks for that view again.
    Otherwise it waits silently: peers that finished the view change answer a VIEW-CHANGE
    with their NEW-VIEW, but they have nothing to answer, and an idle network sends it
    nothing else (found by the simulator's slow_exec class, seed 192)."""
    if r.view_changing and r.id not in r.vc.latest:
        _ask(r)


def _ask(r: Core) -> None:
    """Broadcast this replica's VIEW-CHANGE for its current view and keep asking."""
    view = r.view
    pps: list[PrePrepare] = []
    prepares: list[Prepare] = []
    commits: list[Commit] = []
    for s in sorted(set(r.prepared_certs) | set(r.committed)):
        if not r.low < s <= r.low + r.cfg.settings.window:
            continue
        ex = r.committed.get(s)
        if ex is not None:  # executed: its commit certificate (kept across a restart),
            # without the batch: it is decided, and it is what made a VIEW-CHANGE under
            # load megabytes long (every batch since the stable checkpoint)
            pps.append(PrePrepare(r.cfg.primary(ex.view), "", ex.view, s, ex.time,
                                  ex.batch_id, ()))
            commits.extend(ex.cert)
        else:
            pp, ps = r.prepared_certs[s]
            pps.append(pp)
            prepares.extend(ps)
    vc = r.sign(ViewChange(r.id, "", view, r.executed, r.low, r.stable_proof, tuple(pps),
                           tuple(prepares), tuple(commits)))
    assert isinstance(vc, ViewChange)
    r.vc.latest[r.id] = vc
    r.emit(Broadcast(vc))
    r.emit(SetTimer(RESEND_TIMER, r.now + r.cfg.settings.request_timeout_ms))
    _arm_new_view_timer(r)
    _maybe_new_view(r)


def resend(r: Core) -> None:
    """Still waiting for a view: say so again (messages get lost; a peer already in this
    view answers with its NEW-VIEW, peers behind join once f+1 ask)."""
    own = r.vc.latest.get(r.id)
    if not r.view_changing or own is None or own.view != r.view:
        return
    r.emit(Broadcast(own))
    r.emit(SetTimer(RESEND_TIMER, r.now + r.cfg.settings.request_timeout_ms))


def _arm_new_view_timer(r: Core) -> None:
    """Castro and Liskov 4.5.2: the timer for the next view change starts only once 2f+1
    replicas ask for this view, so one replica cannot race ahead through views alone."""

    if not r.view_changing or NEW_VIEW_TIMER in r.timers:
        return
    asking = sum(1 for v in r.vc.latest.values() if v.view == r.view)
    if asking >= r.cfg.quorum:
        r.emit(SetTimer(NEW_VIEW_TIMER, r.now + r.vc.timeout(r.cfg)))


def on_view_change(r: Core, vc: ViewChange) -> None:
    help_behind_peer(r, vc.sender, vc.stable_seq)
    tell_behind_peer(r, vc.sender, vc.executed)
    if vc.view < r.view or (vc.view == r.view and not r.view_changing):
        help_lagging_peer(r, vc.sender)
        return
    # the latest view a peer asks for is what counts, lower or higher than what it asked
    # before: an honest replica only moves up, and one that once asked for a higher view
    # (faulty then, or its key misused) must still count for the view the others form
    old = r.vc.latest.get(vc.sender)
    if old is None or old.view != vc.view:
        if not valid_view_change(r.cfg, vc):
            return
        r.vc.latest[vc.sender] = vc
    r.vc.seen[vc.sender] = r.now  # (a replica still asking says it again every timeout)
    above = sorted(v.view for s, v in _asking(r).items() if s != r.id and v.view > r.view)
    if len(above) >= r.cfg.f + 1:
        start(r, above[0])
    else:
        _count_suspects(r)
    _arm_new_view_timer(r)
    _maybe_new_view(r)


def _maybe_new_view(r: Core) -> None:
    if not r.view_changing or r.cfg.primary(r.view) != r.id:
        return
    vcs = sorted((v for v in r.vc.latest.values() if v.view == r.view), key=lambda v: v.sender)
    if len(vcs) < r.cfg.quorum:
        return
    vcs = vcs[: r.cfg.quorum]
    min_s, decided, pps = new_view_pre_prepares(r.cfg, r.view, vcs)
    signed = tuple(r.sign(pp) for pp in pps)
    nv = r.sign(NewView(r.id, "", r.view, tuple(vcs), signed))  # type: ignore[arg-type]
    assert isinstance(nv, NewView)
    r.emit(Broadcast(nv))
    _install(r, nv, min_s, decided)


def check_new_view(cfg: Config, nv: NewView) -> tuple[int, int] | None:
    """(min-s, decided) if ``nv`` is a valid NEW-VIEW, else None."""
    senders = {vc.sender for vc in nv.view_changes}
    if len(senders) != len(nv.view_changes) or len(senders) < cfg.quorum:
        return None
    if any(vc.view != nv.view or not valid_view_change(cfg, vc) for vc in nv.view_changes):
        return None
    min_s, decided, expected = new_view_pre_prepares(cfg, nv.view, nv.view_changes)
    if len(expected) != len(nv.pre_prepares):
        return None
    primary_key = cfg.publics[cfg.primary(nv.view)]
    for want, got in zip(expected, nv.pre_prepares, strict=True):
        if (got.sender, got.view, got.seq, got.time, got.batch_id, got.batch) != \
                (want.sender, want.view, want.seq, want.time, want.batch_id, want.batch):
            return None
        if not cfg.verify(primary_key, got.digest(), got.sig):
            return None
    return min_s, decided


def on_new_view(r: Core, nv: NewView) -> None:
    if nv.view < r.view or (nv.view == r.view and not r.view_changing):
        return
    checked = check_new_view(r.cfg, nv)
    if checked is None:
        return
    _install(r, nv, *checked)


def _install(r: Core, nv: NewView, min_s: int, decided: int) -> None:

    r.view = nv.view
    r.view_changing = False
    r.vc.last_new_view = nv
    r.emit(Persist("view", nv.view))
    r.emit(Persist("view_changing", False))
    r.emit(CancelTimer(NEW_VIEW_TIMER))
    r.emit(CancelTimer(RESEND_TIMER))
    r.slots = {s: slot for s, slot in r.slots.items() if s <= r.ordered}
    r.early = {k: v for k, v in r.early.items() if k[0] >= nv.view}
    r.in_flight = set()
    r.queue = OrderedDict(r.pending)  # the new primary proposes whatever is still pending
    r.forwarded = set()
    for vc in nv.view_changes:  # the stable checkpoint's proof, for when we catch up
        if vc.stable_seq == min_s:
            for cp in vc.checkpoint_proof:
                checkpoint.on_checkpoint(r, cp)
            break
    if decided > r.executed:  # the decided batches this replica lacks, by state transfer
        donor = next(vc.sender for vc in nv.view_changes if vc.stable_seq == decided or any(
            c.commits and c.pre_prepare.seq == decided for c in vc.certificates()))
        checkpoint.fetch(r, donor if donor != r.id else r.primary, decided)
    top = max([decided, r.ordered, *(pp.seq for pp in nv.pre_prepares)])
    r.next_seq = top + 1
    for pp in nv.pre_prepares:
        if pp.seq <= r.low:
            continue
        if pp.seq <= r.ordered:
            r.slots[pp.seq] = Slot()  # executed already: vote again, never re-execute
        if r.id == r.primary:
            r.emit(Persist(f"vote:{pp.view}:{pp.seq}", pp.batch_id))
            r.votes[(pp.view, pp.seq)] = pp.batch_id
            r._accept_pre_prepare(pp)
        else:
            r._on_pre_prepare(pp, vouched=True)  # checked against the VIEW-CHANGEs' certs
    if r.pending:
        r.emit(SetTimer(REQUEST_TIMER, r.now + r.vc.timeout(r.cfg)))
        if r.id != r.primary:
            for rid, tx in list(r.pending.items())[: r.cfg.settings.max_batch * 4]:
                r.forwarded.add(rid)
                r.emit(Send(r.primary, Forward(r.id, "", tx)))
    r.replay_stash()
    r._propose(force=True)
    if r.id == r.primary and r.fetching is not None and r.pending:
        # primary while still fetching what was decided (it was wiped or far behind): it
        # cannot propose yet, so it joins its backups' suspicion at once (found by the
        # chaos run: a wiped validator became primary and the backups, timers backed off,
        # needed 20 s to replace it)
        suspect(r)


__all__ = ["check_new_view", "on_new_view", "on_suspect",
           "on_view_change", "start", "suspect"]
