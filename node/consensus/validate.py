"""Message validation, one rule per message kind: PROCESS, STASH or DISCARD.

PROCESS: act on it now.  STASH: it is for a view or a height this replica has not reached
(keep it, bounded, and look again when the view or the watermark moves).  DISCARD: bad
signature, unknown sender, wrong primary, old view, below the low watermark, or too far
ahead to be worth keeping.  Signatures are checked last, only for messages that would be
kept, so a flood of junk costs no signature checks.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import Enum
from typing import Protocol

from node.consensus.certs import signed_by
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
)
from node.consensus.types import Config


class Verdict(Enum):
    PROCESS = "process"
    STASH = "stash"
    DISCARD = "discard"


class ReplicaView(Protocol):
    cfg: Config
    view: int
    view_changing: bool
    low: int  # h, the last stable checkpoint
    executed: int
    attests: dict[int, dict[int, Attest]]
    certified: set[int]


FAR_AHEAD_VIEWS = 1_000  # a future-view message further ahead than this is dropped


def _ordering(r: ReplicaView, m: PrePrepare | Prepare | Commit) -> Verdict:
    cfg = r.cfg
    if m.seq <= r.low:
        return Verdict.DISCARD
    if m.view < r.view:
        return Verdict.DISCARD
    if isinstance(m, PrePrepare) and m.sender != cfg.primary(m.view):
        return Verdict.DISCARD
    if isinstance(m, Prepare) and m.sender == cfg.primary(m.view):
        return Verdict.DISCARD  # the primary's PRE-PREPARE stands for its PREPARE
    if m.view > r.view + FAR_AHEAD_VIEWS or m.seq > r.low + 4 * cfg.settings.window:
        return Verdict.DISCARD
    if m.view > r.view or r.view_changing or m.seq > r.low + cfg.settings.window:
        return Verdict.STASH
    return Verdict.PROCESS


def classify(r: ReplicaView, src: int, m: Msg) -> Verdict:
    cfg = r.cfg
    if not 0 <= m.sender < cfg.n or m.sender == cfg.replica or m.sender != src:
        return Verdict.DISCARD
    if isinstance(m, PrePrepare | Prepare | Commit):
        verdict = _ordering(r, m)
    elif isinstance(m, Checkpoint):
        verdict = Verdict.DISCARD if m.seq <= r.low or m.seq % cfg.settings.checkpoint_interval \
            else Verdict.PROCESS
    elif isinstance(m, ViewChange):
        ok = 1 <= m.view <= r.view + FAR_AHEAD_VIEWS
        verdict = Verdict.PROCESS if ok else Verdict.DISCARD
    elif isinstance(m, NewView):
        ok = m.view >= r.view and m.view >= 1 and m.sender == cfg.primary(m.view)
        verdict = Verdict.PROCESS if ok else Verdict.DISCARD
    elif isinstance(m, Status):
        verdict = Verdict.PROCESS
    elif isinstance(m, Suspect):  # an older view's: the sender lags (given our NEW-VIEW)
        verdict = Verdict.PROCESS if m.view <= r.view else Verdict.DISCARD
    elif isinstance(m, Attest):
        # its signature is checked when a certificate counts it (results.py): most ATTESTs
        # arrive after their block is certified and are never checked at all
        fresh = r.executed - cfg.settings.window < m.seq <= r.executed + cfg.settings.window \
            and m.seq not in r.certified and m.sender not in r.attests.get(m.seq, {})
        return Verdict.PROCESS if fresh else Verdict.DISCARD
    elif isinstance(m, Forward):
        return Verdict.PROCESS  # carries a client request; the ledger checks it
    else:
        return Verdict.DISCARD
    if verdict is not Verdict.DISCARD and not signed_by(cfg, m):
        return Verdict.DISCARD
    return verdict


class Stash:
    """Messages kept for later, bounded per sender and in total, by count and by encoded
    bytes (the oldest dropped first: a peer's own first, then the biggest sender's)."""

    def __init__(self, per_peer: int, total: int, peer_bytes: int = 16 << 20,
                 total_bytes: int = 48 << 20) -> None:
        self.per_peer = per_peer
        self.total = total
        self.peer_bytes = peer_bytes
        self.total_bytes = total_bytes
        self._by_peer: dict[int, OrderedDict[bytes, tuple[Msg, int]]] = {}
        self._peer_size: dict[int, int] = {}
        self._size = 0
        self.bytes = 0
        self.dropped = 0

    def __len__(self) -> int:
        return self._size

    def peer_size(self, peer: int) -> int:
        return len(self._by_peer.get(peer, ()))

    def peer_bytes_held(self, peer: int) -> int:
        return self._peer_size.get(peer, 0)

    def add(self, m: Msg) -> None:
        size = len(m.encode())
        if size > self.peer_bytes:
            self.dropped += 1
            return
        q = self._by_peer.setdefault(m.sender, OrderedDict())
        key = m.digest()
        if key in q:
            return
        while q and (len(q) >= self.per_peer
                     or self._peer_size.get(m.sender, 0) + size > self.peer_bytes):
            self._drop(m.sender)
        while self._size >= self.total or self.bytes + size > self.total_bytes:
            self._drop(max(self._by_peer, key=lambda p: self._peer_size.get(p, 0)))
        q[key] = (m, size)
        self._size += 1
        self.bytes += size
        self._peer_size[m.sender] = self._peer_size.get(m.sender, 0) + size

    def _drop(self, peer: int) -> None:
        _, (_, size) = self._by_peer[peer].popitem(last=False)
        self._size -= 1
        self.bytes -= size
        self._peer_size[peer] -= size
        self.dropped += 1

    def drain(self) -> list[Msg]:
        out = [m for q in self._by_peer.values() for m, _ in q.values()]
        self._by_peer.clear()
        self._peer_size.clear()
        self._size = 0
        self.bytes = 0
        return out
