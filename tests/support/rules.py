"""The PBFT rules tests' cluster of replicas driven by hand, and their helpers."""


from __future__ import annotations

from dataclasses import replace
from typing import Any

from node.config import Settings
from node.consensus import Config, Replica
from node.consensus.messages import (
    Checkpoint,
    Commit,
    NewView,
    Prepare,
    PrePrepare,
    Suspect,
    ViewChange,
    batch_digest,
)
from node.consensus.types import (
    Action,
    Broadcast,
    Execute,
    FetchState,
    Persist,
    Received,
    Send,
    TimerFired,
)
from node.ledger.tx import Tx
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


def _checkpoint(c: Cluster, sender: int, seq: int, root: str = "ab" * 32) -> Checkpoint:
    return Checkpoint(sender, "", 0, seq, root).signed(c.keys[sender])  # type: ignore[return-value]


def _asks_behind(c: Cluster, seq: int) -> tuple[Replica, list[tuple[int, int]]]:
    """Replica 1 sees 2f+1 CHECKPOINTs at ``seq``, which it has not reached: what it asks
    its peers for (state transfer)."""
    r = c.replica(1)
    acts = []
    for s in (0, 2, 3):
        acts += deliver(r, _checkpoint(c, s, seq))
    return r, [(a.first, a.last) for a in acts if isinstance(a, FetchState)]


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


def _new_view(c: Cluster, view: int, senders: list[int]) -> NewView:
    vcs = tuple(_vc(c, s, view) for s in senders)
    primary = view % c.n
    return NewView(primary, "", view, vcs, ()).signed(c.keys[primary])  # type: ignore[return-value]


def _forged(text: str) -> str:
    tx = Tx.decode(text.encode("utf-8"))
    return Tx(tx.chain, tx.kind, tx.body, tx.nonce, tx.expires,
              tuple((pub, "11" * 64) for pub, _ in tx.sigs)).encode().decode("utf-8")


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
