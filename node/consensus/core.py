"""A replica's state and what every part of the protocol does with it.

`Core` holds what a PBFT replica knows (views, slots, checkpoints, requests, timers) and
the few operations every part uses: emit an action, sign a message, who is primary, help a
peer that is behind. The protocol's parts are functions over a `Core` (checkpoint.py,
viewchange.py, results.py) and the normal case is `Replica` (replica.py), which implements
the hooks the parts call back (`_propose`, `_on_pre_prepare`, `_accept_pre_prepare`,
`replay_stash`). No part imports another's caller, so the modules form no cycle.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from node.consensus import durable
from node.consensus.messages import (
    Attest,
    Checkpoint,
    Commit,
    Msg,
    NewView,
    Prepare,
    PrePrepare,
    Status,
    ViewChange,
)
from node.consensus.types import Action, CancelTimer, Config, Execute, Send, SetTimer
from node.consensus.validate import Stash

MAX_BACKOFF = 5
ADAPT_FACTOR = 3  # the request timeout is at least this many times the observed wait...
ADAPT_CAP = 8     # ...and at most this many times the configured one (a slow primary's
#                   delays raise it only this far)
BATCH_TIMER = "batch"
REQUEST_TIMER = "request"
NEW_VIEW_TIMER = "new-view"
# a timer firing this much before its deadline is one that was moved later (clocks of the
# runtime's timers and of ``now`` may differ by a little, never by this much)
STALE_TIMER_SLACK_MS = 50


@dataclass
class Slot:
    pp: PrePrepare | None = None
    prepares: dict[int, Prepare] = field(default_factory=dict)
    commits: dict[int, Commit] = field(default_factory=dict)
    sent_commit: bool = False
    committed: bool = False


@dataclass
class ViewChangeState:
    attempts: int = 0                                   # consecutive changes, no progress
    latest: dict[int, ViewChange] = field(default_factory=dict)  # per sender, highest view
    last_new_view: NewView | None = None
    helped: dict[tuple[int, str], int] = field(default_factory=dict)  # (peer, what) -> time
    suspects: dict[int, tuple[int, int]] = field(default_factory=dict)  # sender -> (view, at)
    seen: dict[int, int] = field(default_factory=dict)  # sender -> when its VIEW-CHANGE came
    observed: int = 0  # ms: the longest recent wait from a request's arrival to execution

    def timeout(self, cfg: Config) -> int:
        base = cfg.settings.request_timeout_ms
        adapted = max(base, min(ADAPT_FACTOR * self.observed, ADAPT_CAP * base))
        return adapted * 2 ** min(self.attempts, MAX_BACKOFF)

    def progress(self) -> None:
        self.attempts = 0

    def observe(self, waited: int) -> None:
        """A block executed whose longest-waiting request waited ``waited`` ms; older
        observations fade by 1/16 per block."""
        self.observed = max(waited, self.observed - self.observed // 16)


class Core:
    def __init__(self, cfg: Config, *, executed: int = 0,
                 persisted: dict[str, object] | None = None) -> None:
        """``persisted``: what this replica's ``Persist`` actions wrote.  A runtime that
        restarts a replica then hands it its blocks in ``to_recover()`` (``recover``)."""
        self.cfg = cfg
        self.id = cfg.replica
        disk = persisted or {}
        self.view = int(disk.get("view", 0))  # type: ignore[arg-type]
        self.votes: dict[tuple[int, int], str] = {
            (int(k.split(":")[1]), int(k.split(":")[2])): str(v)
            for k, v in disk.items() if k.startswith("vote:")}
        self.view_changing = bool(disk.get("view_changing", False))
        # h, the last stable checkpoint, and its proof (kept across restarts)
        self.low, self.stable_proof = durable.read_stable(disk.get("stable"), executed)
        self.executed = executed         # highest block executed by the runtime
        self.ordered = executed          # highest seq handed to the runtime
        self.next_seq = executed + 1     # primary: next seq to propose
        self.last_time = 0
        self.slots: dict[int, Slot] = {}
        self.early: dict[tuple[int, int], Slot] = {}   # votes that arrived before their PP
        # persisted keys found obsolete at start are deleted on the first step
        self.prepared_certs, self._stale = durable.read_prepared(disk, self.low)
        # blocks ordered here (or recovered at start) above h, with their commit certificates
        self.committed: dict[int, Execute] = {}
        self.checkpoints: dict[int, dict[str, dict[int, Checkpoint]]] = {}
        self.far: dict[int, Checkpoint] = {}  # per sender, its highest beyond the horizon
        self.own_roots: dict[int, str] = {}
        # result certificates (results.py): ATTESTs by height, this replica's own header
        # hashes, and the heights already certified
        self.attests: dict[int, dict[int, Attest]] = {}
        self.own_blocks: dict[int, str] = {}
        self.certified: set[int] = set()
        self.pending: OrderedDict[str, str] = OrderedDict()   # id -> tx, not yet executed
        self.since: dict[str, int] = {}                       # pending id -> when it came
        self.in_flight: set[str] = set()                      # ids in a live PRE-PREPARE
        self.queue: OrderedDict[str, str] = OrderedDict()     # pending, not in flight
        self.forwarded: set[str] = set()
        self.done: OrderedDict[str, int] = OrderedDict()      # recently executed ids
        s = cfg.settings
        self.stash = Stash(s.stash_per_peer, s.stash_total, s.stash_peer_bytes,
                           s.stash_total_bytes)
        self.vc = ViewChangeState()
        self.timers: dict[str, int] = {}
        self.fetching: tuple[int, int] | None = None
        self.fetch_next = 0  # the first block of a state transfer not asked for yet
        self.fetch_arrived = 0  # the last block of the transfer's replies so far
        self.status_mark = -1  # the height at the last STATUS timer (checkpoint.py)
        self.status_wait = cfg.settings.request_timeout_ms
        self.exec_mark = -1  # the height at the last request timeout that found it stalled
        self.exec_waits = 0
        self._out: list[Action] = []
        self.now = 0
        self._resumed = False

    @property
    def primary(self) -> int:
        return self.cfg.primary(self.view)

    @property
    def is_primary(self) -> bool:
        return self.primary == self.id and not self.view_changing

    def emit(self, a: Action) -> None:
        if isinstance(a, SetTimer):
            self.timers[a.name] = a.at
        elif isinstance(a, CancelTimer):
            if a.name not in self.timers:
                return
            del self.timers[a.name]
        self._out.append(a)

    def sign(self, m: Msg) -> Msg:
        return m.signed(self.cfg.key)

    # --- hooks: the normal case (replica.py) ------------------------------------------------

    def replay_stash(self) -> None:
        raise NotImplementedError

    def _propose(self, *, force: bool) -> None:
        raise NotImplementedError

    def _on_pre_prepare(self, pp: PrePrepare, *, vouched: bool = False) -> None:
        raise NotImplementedError

    def _accept_pre_prepare(self, pp: PrePrepare) -> None:
        raise NotImplementedError


# --- helping peers that are behind ----------------------------------------------------------


def may_help(r: Core, peer: int, what: str) -> bool:
    """Help a peer at most once per request timeout for the same thing (messages get lost,
    so once ever is not enough; every time would let a peer make us flood)."""
    key = (peer, what)
    last = r.vc.helped.get(key)
    if last is not None and r.now - last < r.cfg.settings.request_timeout_ms:
        return False
    if len(r.vc.helped) > 10_000:
        r.vc.helped.clear()
    r.vc.helped[key] = r.now
    return True


def help_lagging_peer(r: Core, peer: int) -> None:
    """A peer still in an older view gets our NEW-VIEW (once per peer and view)."""
    nv = r.vc.last_new_view
    if nv is None or nv.view != r.view or not may_help(r, peer, f"nv{nv.view}"):
        return
    r.emit(Send(peer, nv))


def help_behind_peer(r: Core, peer: int, their_stable: int) -> None:
    """A peer whose stable checkpoint is below ours gets our proof, so it can fetch the
    blocks it misses (once per peer and checkpoint)."""
    if their_stable >= r.low or not r.stable_proof or not may_help(r, peer, f"cp{r.low}"):
        return
    for cp in r.stable_proof:
        r.emit(Send(peer, cp))


def tell_behind_peer(r: Core, peer: int, their_height: int) -> None:
    """A peer that executed less than this replica hears how far it got, so it knows whom
    to fetch from (at most once per request timeout)."""
    if their_height < r.executed and may_help(r, peer, "status"):
        r.emit(Send(peer, r.sign(Status(r.id, "", r.view, r.executed))))
