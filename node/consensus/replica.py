"""A PBFT replica (Castro and Liskov) as a pure state machine.

``step(event, now) -> list[Action]``: no clock, sockets or disk; time is an input.

Rules, in the paper's terms:

* Requests reach every replica: the replica a client submitted to passes each new request
  on to all the others once, so every backup's request timer watches the primary.
  The primary orders pending requests in batches (``max_batch``, or after
  ``batch_delay_ms``) with PRE-PREPARE(view, seq, time, batch); ``h < seq <= h + L``.
* A backup accepts one PRE-PREPARE per (view, seq) from the view's primary and PREPAREs it.
  A slot is *prepared* with the PRE-PREPARE and 2f matching PREPAREs from distinct backups;
  the replica then COMMITs.  It is *committed-local* with 2f+1 matching COMMITs; blocks are
  executed strictly in sequence order, each with its commit certificate.
* Every ``K`` executed blocks a replica signs CHECKPOINT(seq, state root); 2f+1 matching
  make it stable: h moves up and the log below is discarded.  A stable checkpoint above
  what this replica executed means it is behind: it asks a peer for the blocks (state
  transfer), which the runtime verifies by their certificates and executes (checkpoint.py).
* After executing a block a replica signs ATTEST(seq, header hash); f+1 matching make the
  block's result certificate, which receipts carry (results.py).
* A request pending longer than the timeout makes a replica suspect the primary; 2f+1
  suspicions start a view change (viewchange.py).
* Before a vote is sent it is persisted (``Persist``), so a restarted replica never votes
  twice for different batches in the same view and slot.  The stable checkpoint's proof is
  persisted too, and the runtime hands a restarting replica the commit certificates of the
  blocks it executed above it (they are stored with the blocks), and each prepared
  certificate is persisted before its COMMIT is sent: a restarted replica's VIEW-CHANGE
  still carries what it prepared or executed, so a new view cannot put another batch at a
  height that may have committed.  All of it is dropped once a checkpoint above is stable.
"""

from __future__ import annotations

from collections.abc import Sequence

from node.consensus import checkpoint, durable, results, viewchange
from node.consensus.certs import batch_ids, well_formed
from node.consensus.core import (
    BATCH_TIMER,
    NEW_VIEW_TIMER,
    REQUEST_TIMER,
    STALE_TIMER_SLACK_MS,
    Core,
    Slot,
)
from node.consensus.messages import (
    Attest,
    Checkpoint,
    Commit,
    Forward,
    Msg,
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
    CancelTimer,
    ClientRequest,
    Event,
    Execute,
    Executed,
    Persist,
    Received,
    SetTimer,
    Started,
    TimerFired,
)
from node.consensus.validate import Verdict, classify

EXEC_STALL_TIMEOUTS = 3  # request timeouts without execution before ordered blocks are fetched


class Replica(Core):
    def to_recover(self) -> range:
        """The heights whose blocks (with their commit certificates) a restarted replica
        needs back: what it executed above its stable checkpoint, within the window."""
        return range(self.low + 1, min(self.executed, self.low + self.cfg.settings.window) + 1)

    def recover(self, blocks: Sequence[Execute]) -> None:
        """Blocks this replica executed before a restart, as stored with their commit
        certificates; checked by the runtime (``certs.certified_block``)."""
        for e in blocks:
            if e.seq in self.to_recover():
                self.committed[e.seq] = e

    # --- driver ---------------------------------------------------------------------------

    def step(self, event: Event, now: int) -> list[Action]:
        self.now = now
        self._out = []
        if not self._resumed:  # the first event after (re)start
            self._resumed = True
            for key in self._stale:
                self.emit(Persist(key, None))
            self._stale = []
            viewchange.resume(self)
        if isinstance(event, Received):
            self._receive(event.src, event.msg)
        elif isinstance(event, ClientRequest):
            self._request(event.tx, forward=True)
        elif isinstance(event, Started):
            checkpoint.announce(self)
        elif isinstance(event, TimerFired):
            at = self.timers.get(event.name)
            # a runtime carries out a step's actions after the step (a node after writing its
            # votes), so a timer this replica already cancelled or moved later can still
            # fire: acting on it moved a replica that had just joined a view change on to the
            # next view, alone (a stall under load once the primary was killed)
            if at is not None and now + STALE_TIMER_SLACK_MS >= at:
                del self.timers[event.name]
                self._timer(event.name)
        elif isinstance(event, Executed):
            self._executed(event)
        elif isinstance(event, Arrived):
            checkpoint.arrived(self, event.height)
        out, self._out = self._out, []
        return out

    def _receive(self, src: int, m: Msg) -> None:
        verdict = classify(self, src, m)
        if verdict is Verdict.STASH:
            self.stash.add(m)
        elif verdict is Verdict.PROCESS:
            self._process(m)

    def _process(self, m: Msg) -> None:
        if isinstance(m, PrePrepare):
            self._on_pre_prepare(m)
        elif isinstance(m, Prepare):
            self._on_prepare(m)
        elif isinstance(m, Commit):
            self._on_commit(m)
        elif isinstance(m, Checkpoint):
            checkpoint.on_checkpoint(self, m)
        elif isinstance(m, ViewChange):
            viewchange.on_view_change(self, m)
        elif isinstance(m, NewView):
            viewchange.on_new_view(self, m)
        elif isinstance(m, Forward):
            self._request(m.tx, forward=False)
        elif isinstance(m, Status):
            checkpoint.on_status(self, m)
        elif isinstance(m, Attest):
            results.on_attest(self, m)
        elif isinstance(m, Suspect):
            viewchange.on_suspect(self, m)

    def replay_stash(self) -> None:
        for m in self.stash.drain():
            self._receive(m.sender, m)

    def _timer(self, name: str) -> None:
        if name == BATCH_TIMER:
            self._propose(force=True)
        elif name == REQUEST_TIMER:
            if self.pending and not self.view_changing and (
                    self.ordered > self.executed or self.fetching is not None):
                # committed batches wait for this replica's own executor, or it is fetching
                # blocks it missed: the delay is its own, and suspecting would not help
                self._executor_stalled()
                self.emit(SetTimer(REQUEST_TIMER, self.now + self.vc.timeout(self.cfg)))
            elif self.pending:
                viewchange.suspect(self)
        elif name == NEW_VIEW_TIMER:
            if self.view_changing:
                viewchange.start(self, self.view + 1)
        elif name == viewchange.RESEND_TIMER:
            viewchange.resend(self)
        elif name == checkpoint.FETCH_TIMER:
            checkpoint.fetch_timer(self)
        elif name == checkpoint.STATUS_TIMER:
            checkpoint.status_timer(self)

    def _executor_stalled(self) -> None:
        """Ordered blocks and no execution for ``EXEC_STALL_TIMEOUTS`` request timeouts: the
        runtime lost one (a failed run of fetched blocks, say).  They are fetched, each with
        its commit certificate, instead of waited for for good."""
        if self.fetching is not None or self.ordered <= self.executed:
            self.exec_waits = 0
            return
        self.exec_waits = self.exec_waits + 1 if self.exec_mark == self.executed else 1
        self.exec_mark = self.executed
        if self.exec_waits >= EXEC_STALL_TIMEOUTS:
            self.exec_waits = 0
            peer = next(p for p in (self.primary, (self.id + 1) % self.cfg.n) if p != self.id)
            checkpoint.fetch(self, peer, self.ordered)

    # --- requests and batching -----------------------------------------------------------

    def _request(self, tx: str, *, forward: bool) -> None:
        rid = self.cfg.request_id(tx)
        if rid is None or rid in self.done or rid in self.pending:
            return
        if self.cfg.request_valid is not None and not self.cfg.request_valid(tx):
            return  # a forged request: never queued, forwarded or proposed
        if forward and len(self.pending) >= self.cfg.settings.max_pending:
            return  # full: the runtime tells clients to retry (see Node.busy).  A peer's
            #         Forward is always taken: its sender holds the request and would start
            #         a view change if the primary dropped it (each replica admits at most
            #         max_pending of its own clients' requests, so n * max_pending bounds it)
        self.pending[rid] = tx
        self.since[rid] = self.now
        if rid not in self.in_flight:
            self.queue[rid] = tx
        if forward and rid not in self.forwarded:
            # every replica gets the request, so every backup's timer watches the primary
            self.forwarded.add(rid)
            self.emit(Broadcast(Forward(self.id, "", tx)))  # unsigned: the tx signs itself
        if REQUEST_TIMER not in self.timers and not self.view_changing:
            self.emit(SetTimer(REQUEST_TIMER, self.now + self.vc.timeout(self.cfg)))
        self._propose(force=False)

    def _propose(self, *, force: bool) -> None:
        if not self.is_primary:
            return
        cfg = self.cfg
        while self.next_seq <= self.low + cfg.settings.window:
            if not self.queue:
                return
            if len(self.queue) < cfg.settings.max_batch and not force:
                if BATCH_TIMER not in self.timers:
                    self.emit(SetTimer(BATCH_TIMER, self.now + cfg.settings.batch_delay_ms))
                return
            if (cfg.settings.max_in_flight and len(self.queue) < cfg.settings.max_batch
                    and self.next_seq - 1 - self.executed >= cfg.settings.max_in_flight):
                return  # the next execution proposes what has gathered (see _executed)
            force = False
            chosen = [self.queue.popitem(last=False)]
            size = len(chosen[0][1])
            while self.queue and len(chosen) < cfg.settings.max_batch:
                text = next(iter(self.queue.values()))
                if size + len(text) > cfg.settings.max_batch_bytes:
                    break
                size += len(text)
                chosen.append(self.queue.popitem(last=False))
            seq = self.next_seq
            self.next_seq += 1
            time = max(self.now, self.last_time + 1)
            texts = tuple(t for _, t in chosen)
            pp = PrePrepare(self.id, "", self.view, seq, time, batch_digest(seq, time, texts),
                            texts)
            pp = self.sign(pp)  # type: ignore[assignment]
            self.emit(Persist(f"vote:{self.view}:{seq}", pp.batch_id))
            self.votes[(self.view, seq)] = pp.batch_id
            self.emit(Broadcast(pp))
            self._accept_pre_prepare(pp)
        self.emit(CancelTimer(BATCH_TIMER))

    # --- ordering -------------------------------------------------------------------------

    def _slot(self, seq: int) -> Slot:
        s = self.slots.get(seq)
        if s is None:
            s = self.slots[seq] = Slot()
        return s

    def _on_pre_prepare(self, pp: PrePrepare, *, vouched: bool = False) -> None:
        """``vouched``: a NEW-VIEW's re-proposal of a batch from a prepared or commit
        certificate (2f+1 replicas, f+1 of them honest, checked its requests)."""
        slot = self._slot(pp.seq)
        if slot.pp is not None:
            return  # one PRE-PREPARE per (view, seq): a conflicting one is ignored
        if not well_formed(self.cfg, pp) or pp.time > self.now + self.cfg.settings.max_time_skew_ms:
            return
        if len(pp.batch) > 1 and sum(map(len, pp.batch)) > self.cfg.settings.max_batch_bytes:
            return  # past the batch budget: no PREPARE (the request timer replaces a
            #         primary that keeps proposing such batches)
        valid = self.cfg.request_valid
        if valid is not None and not vouched and not all(valid(t) for t in pp.batch):
            return  # a request in it is forged: no PREPARE; the request timer replaces the
            #         primary if it keeps proposing it
        voted = self.votes.get((pp.view, pp.seq))
        if voted is not None and voted != pp.batch_id:
            return  # never vote for two batches in one view and slot
        mine = self.committed.get(pp.seq)
        if mine is not None and mine.batch_id != pp.batch_id:
            return  # never vote for another batch at a height this replica executed
        self.emit(Persist(f"vote:{pp.view}:{pp.seq}", pp.batch_id))
        self.votes[(pp.view, pp.seq)] = pp.batch_id
        p = self.sign(Prepare(self.id, "", pp.view, pp.seq, pp.batch_id))
        self.emit(Broadcast(p))
        self._accept_pre_prepare(pp)
        self._on_prepare(p)  # type: ignore[arg-type]

    def _accept_pre_prepare(self, pp: PrePrepare) -> None:
        slot = self._slot(pp.seq)
        slot.pp = pp
        self.last_time = max(self.last_time, pp.time)
        self.next_seq = max(self.next_seq, pp.seq + 1)
        ids = batch_ids(self.cfg, pp.batch) or ()
        self.in_flight.update(ids)
        for i in ids:
            self.queue.pop(i, None)
        early = self.early.pop((pp.view, pp.seq), None)
        if early is not None:
            for p in early.prepares.values():
                self._on_prepare(p)
            for c in early.commits.values():
                self._on_commit(c)
        self._check_prepared(pp.seq)

    def _on_prepare(self, p: Prepare) -> None:
        slot = self.slots.get(p.seq)
        if slot is None or slot.pp is None or slot.pp.view != p.view:
            self.early.setdefault((p.view, p.seq), Slot()).prepares.setdefault(p.sender, p)
            return
        if p.sender == self.cfg.primary(p.view):
            return
        slot.prepares.setdefault(p.sender, p)  # a duplicate vote counts once
        self._check_prepared(p.seq)

    def _on_commit(self, c: Commit) -> None:
        slot = self.slots.get(c.seq)
        if slot is None or slot.pp is None or slot.pp.view != c.view:
            self.early.setdefault((c.view, c.seq), Slot()).commits.setdefault(c.sender, c)
            return
        slot.commits.setdefault(c.sender, c)
        self._check_committed(c.seq)

    def _prepares_for(self, slot: Slot) -> list[Prepare]:
        assert slot.pp is not None
        return [p for p in slot.prepares.values() if p.batch_id == slot.pp.batch_id]

    def _check_prepared(self, seq: int) -> None:
        slot = self.slots[seq]
        if slot.pp is None or slot.sent_commit:
            return
        prepares = self._prepares_for(slot)
        if len(prepares) < 2 * self.cfg.f:
            return
        pp, votes = slot.pp, tuple(prepares[: 2 * self.cfg.f])
        self.prepared_certs[seq] = (pp, votes)
        self.emit(Persist(f"prepared:{seq}", durable.prepared_record(pp, votes)))
        slot.sent_commit = True
        c = self.sign(Commit(self.id, "", slot.pp.view, seq, slot.pp.batch_id))
        self.emit(Broadcast(c))
        self._on_commit(c)  # type: ignore[arg-type]

    def _check_committed(self, seq: int) -> None:
        slot = self.slots[seq]
        if slot.pp is None or slot.committed or not slot.sent_commit:
            return
        if sum(c.batch_id == slot.pp.batch_id for c in slot.commits.values()) \
                < self.cfg.quorum:
            return
        slot.committed = True
        self._execute_ready()

    def _execute_ready(self) -> None:
        while True:
            slot = self.slots.get(self.ordered + 1)
            if slot is None or not slot.committed or slot.pp is None:
                return
            pp = slot.pp
            cert = tuple(c for c in slot.commits.values() if c.batch_id == pp.batch_id)
            self.ordered += 1
            ex = Execute(pp.seq, pp.view, pp.time, pp.batch, pp.batch_id,
                         cert[: self.cfg.quorum])
            self.committed[pp.seq] = ex
            self.emit(ex)
            if self.pending and not self.view_changing:
                # a committed batch is the primary's progress (Castro and Liskov restart the
                # timer on execution; executing can lag behind committing under load)
                self.emit(SetTimer(REQUEST_TIMER, self.now + self.vc.timeout(self.cfg)))

    # --- execution (checkpoints and state transfer: checkpoint.py) -------------------------

    def _executed(self, e: Executed) -> None:
        if e.seq <= self.executed:
            return
        self.executed = e.seq
        self.ordered = max(self.ordered, e.seq)
        self.next_seq = max(self.next_seq, e.seq + 1)
        waited = 0
        for i in e.tx_ids:
            came = self.since.pop(i, None)
            if came is not None:
                waited = max(waited, self.now - came)
            self.pending.pop(i, None)
            self.queue.pop(i, None)
            self.in_flight.discard(i)
            self.forwarded.discard(i)
            self.done[i] = e.seq
        while len(self.done) > 20 * self.cfg.settings.stash_total:
            self.done.popitem(last=False)
        self.vc.progress()
        self.vc.observe(waited)
        if self.pending and not self.view_changing:
            self.emit(SetTimer(REQUEST_TIMER, self.now + self.vc.timeout(self.cfg)))
        else:
            self.emit(CancelTimer(REQUEST_TIMER))
        checkpoint.executed(self, e.seq)
        if self.cfg.settings.max_in_flight and self.queue and self.is_primary \
                and not self.view_changing:
            self._propose(force=True)  # what waited for the pipeline to drain
        results.executed(self, e.seq, e.block_hash)
        if e.seq % self.cfg.settings.checkpoint_interval == 0:
            self.own_roots[e.seq] = e.state_root
            cp = self.sign(Checkpoint(self.id, "", self.view, e.seq, e.state_root))
            self.emit(Broadcast(cp))
            checkpoint.on_checkpoint(self, cp)  # type: ignore[arg-type]
        self._execute_ready()
        self._propose(force=False)
