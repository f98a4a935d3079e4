"""Byzantine behaviours for the simulator: they rewrite what a replica sends.

Each returns an ``outbound(node, action) -> actions`` hook for ``Node.outbound``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from node.consensus import messages as m
from node.consensus.messages import (
    Commit,
    NewView,
    Prepare,
    PrePrepare,
    ViewChange,
    batch_digest,
)
from node.consensus.types import Action, Broadcast, Send
from node.ledger.tx import Tx
from tests.support.sim import Node, Sim

Hook = Callable[[Node, Action], list[Action]]


def _others(sim: Sim, me: int) -> list[int]:
    return [j for j in range(sim.n) if j != me]


def equivocate(sim: Sim, rng: random.Random) -> Hook:
    """As primary, send one PRE-PREPARE to some replicas and a different one to others."""

    def hook(node: Node, a: Action) -> list[Action]:
        if not (isinstance(a, Broadcast) and isinstance(a.msg, PrePrepare)):
            return [a]
        pp = a.msg
        batch = pp.batch[:-1] if pp.batch else ()
        time = pp.time + 1
        alt = replace(pp, time=time, batch=batch,
                      batch_id=batch_digest(pp.seq, time, batch)).signed(node.replica.cfg.key)
        others = _others(sim, node.id)
        rng.shuffle(others)
        half = len(others) // 2
        return [Send(j, pp) for j in others[:half]] + [Send(j, alt) for j in others[half:]]

    return hook


def forged_request(sim: Sim, rng: random.Random) -> str | None:
    """A submitted request with its signature replaced: only a check of the request's own
    signatures tells it from the real one."""
    if not sim.submitted:
        return None
    tx = Tx.decode(rng.choice(list(sim.submitted.values())).encode("utf-8"))
    fake = Tx(tx.chain, tx.kind, tx.body, tx.nonce + 1, tx.expires,
              tuple((pub, "11" * 64) for pub, _ in tx.sigs))
    return fake.encode().decode("utf-8")


def forge(sim: Sim, rng: random.Random) -> Hook:
    """Bad signatures, messages signed by us but claiming another sender, and dropping; as
    primary, PRE-PREPAREs (correctly signed by us) that order a forged request, which is
    also forwarded to everyone."""

    def hook(node: Node, a: Action) -> list[Action]:
        if not isinstance(a, Broadcast | Send):
            return [a]
        msg = a.msg
        out: list[Action] = []
        fake = forged_request(sim, rng)
        if isinstance(msg, PrePrepare) and fake is not None:
            batch = (*msg.batch, fake)
            out.append(Broadcast(m.Forward(node.id, "", fake)))
            out.append(Broadcast(replace(msg, batch=batch, batch_id=batch_digest(
                msg.seq, msg.time, batch)).signed(node.replica.cfg.key)))
        bad_sig = replace(msg, sig=("00" * 64) if msg.sig != "00" * 64 else "11" * 64)
        out.append(Broadcast(bad_sig))
        other = rng.choice(_others(sim, node.id))
        out.append(Broadcast(replace(msg, sender=other).signed(node.replica.cfg.key)))
        if rng.random() < 0.5:
            out.append(a)
        return out

    return hook


def flood(sim: Sim, rng: random.Random, per_message: int = 20) -> Hook:
    """Floods of far-future views and heights, a huge-view VIEW-CHANGE, replays, junk."""
    sent: list[m.Msg] = []

    def hook(node: Node, a: Action) -> list[Action]:
        if not isinstance(a, Broadcast | Send):
            return [a]
        key = node.replica.cfg.key
        r = node.replica
        out: list[Action] = [a]
        sent.append(a.msg)
        for _ in range(per_message):
            kind = rng.random()
            if kind < 0.4:
                v = r.view + rng.randint(1, 50)
                s = r.low + rng.randint(1, 4 * r.cfg.settings.window)
                msg: m.Msg = (Prepare if rng.random() < 0.5 else Commit)(
                    node.id, "", v, s, "ab" * 32).signed(key)
            elif kind < 0.5:
                msg = ViewChange(node.id, "", 10**9 + rng.randint(0, 10**6), 0, 0, (), (),
                                 (), ()).signed(key)
            elif kind < 0.6:
                msg = NewView(node.id, "", r.view + 1, (), ()).signed(key)
            else:
                msg = rng.choice(sent)  # a replay
            out.append(Broadcast(msg))
        for j in _others(sim, node.id):
            sim.send(node.id, j, rng.randbytes(rng.randint(1, 64)))
            sim.send(node.id, j, b'{"kind":"prepare","sender":' + str(node.id).encode() + b"}")
        return out

    return hook


def twins(sim: Sim, i: int) -> None:
    """Run a second replica holding replica ``i``'s key: both receive and both send."""
    twin = sim._make_node(i)
    twin.honest = False
    sim.nodes[i].honest = False
    original_feed = sim.feed

    def feed(node: Node, event: object) -> None:
        original_feed(node, event)  # type: ignore[arg-type]
        if node is sim.nodes[i] and twin.alive:
            original_feed(twin, event)  # type: ignore[arg-type]

    sim.feed = feed  # type: ignore[method-assign]
    sim.twin = twin  # type: ignore[attr-defined]


def collude_f_plus_one(sim: Sim) -> None:
    """Negative control: f+1 = 2 of 4 Byzantine (the primary 0 and replica 1) send
    batch A to replica 2 and batch B to replica 3 with both of their votes.  PBFT cannot
    survive this; the checker must report a safety violation."""
    assert sim.n == 4
    for b in (0, 1):
        sim.nodes[b].honest = False
        sim.nodes[b].alive = False
    texts = list(sim.submitted.values())[:2]
    k0, k1 = sim.keys["validator-0"], sim.keys["validator-1"]
    t = sim.now
    for target, tx in ((2, texts[0]), (3, texts[1])):
        bid = batch_digest(1, t, (tx,))
        pp = PrePrepare(0, "", 0, 1, t, bid, (tx,)).signed(k0)
        votes = [pp, Prepare(1, "", 0, 1, bid).signed(k1), Commit(0, "", 0, 1, bid).signed(k0),
                 Commit(1, "", 0, 1, bid).signed(k1)]
        for msg in votes:
            sim.push(t + 1, "deliver", (target, msg.sender, msg.encode()))
