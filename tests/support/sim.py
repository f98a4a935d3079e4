"""A deterministic PBFT network simulator on virtual time.

All replicas live in one process; every message is encoded to bytes when sent and decoded
when delivered.  The network is seeded: delay, drop, duplication, reordering (random
delays), partitions.  Replicas crash and restart with their disk kept or wiped.  Each
replica executes real ledger transactions on its own in-memory SQLite store.  Invariants
are checked after every event (see ``Checker``).
"""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from node import crypto, recovery
from node.config import Settings
from node.consensus import Config, Replica, results
from node.consensus import messages as m
from node.consensus.certs import certified_block, encode_cert
from node.consensus.messages import Commit
from node.consensus.types import (
    Action,
    Arrived,
    Certified,
    ClientRequest,
    Event,
    Execute,
    Executed,
    FetchState,
    Persist,
    Received,
    Started,
    TimerFired,
)
from node.driver import Driver, ready
from node.ledger import Ledger
from node.ledger.tx import Tx
from node.requests import Requests
from node.store import Store
from tests.support.world import T0, World


class SafetyViolation(AssertionError):
    pass


class LivenessViolation(AssertionError):
    pass


@lru_cache(maxsize=1 << 18)
def cached_verify(public: str, digest: bytes, sig: str) -> bool:
    return crypto.verify(public, digest, sig)


# the simulated validators share one process, and so one table of decoded requests (a
# request's signatures are checked once per run, not once per simulated validator)
REQUESTS = Requests(limit=1 << 18)
request_id = REQUESTS.id_of
request_valid = REQUESTS.valid


@dataclass
class Net:
    drop: float = 0.0
    dup: float = 0.0
    delay: tuple[int, int] = (1, 10)
    groups: list[set[int]] | None = None   # partition: only nodes in one group talk
    cut: set[tuple[int, int]] = field(default_factory=set)  # directed links down

    def connected(self, a: int, b: int) -> bool:
        if (a, b) in self.cut:
            return False
        if self.groups is None:
            return True
        return any(a in g and b in g for g in self.groups)


@dataclass
class Node:
    id: int
    replica: Replica
    store: Store
    ledger: Ledger
    disk: dict[str, Any] = field(default_factory=dict)
    alive: bool = True
    timers: dict[str, int] = field(default_factory=dict)
    honest: bool = True
    ok_ids: set[str] = field(default_factory=set)
    outbound: Callable[[Node, Action], list[Action]] | None = None
    exec_free: int = 0  # with slow execution: when this node's executor is next free

    def persist(self, items: tuple[Persist, ...]) -> None:
        """As the validator stores them: JSON, deletions included."""
        for a in items:
            if a.value is None:
                self.disk.pop(a.key, None)
            else:
                self.disk[a.key] = json.loads(json.dumps(a.value))


@dataclass
class SimPorts:
    """The driver's ports on the simulated network, clock and executor of one replica."""

    sim: Sim
    node: Node

    def send(self, to: int, msg: m.Msg) -> None:
        self.sim.send(self.node.id, to, msg.encode())

    def broadcast(self, msg: m.Msg) -> None:
        data = msg.encode()
        for j in range(self.sim.n):
            if j != self.node.id:
                self.sim.send(self.node.id, j, data)

    def arm(self, name: str, at: int) -> None:
        self.node.timers[name] = at
        self.sim.push(at, "timer", (self.node.id, name, at))

    def disarm(self, name: str) -> None:
        self.node.timers.pop(name, None)

    def execute(self, a: Execute) -> Event | None:
        sim, node = self.sim, self.node
        if node.id in sim.exec_delay:
            lo, hi = sim.exec_delay[node.id]
            at = max(sim.now + sim.exec_rng.randint(lo, hi), node.exec_free)
            node.exec_free = at
            sim.push(at, "exec", (node, a))
            return None
        return sim.execute(node, a.seq, a.view, a.time, a.batch, a.batch_id, a.cert)

    def fetch(self, a: FetchState) -> None:
        self.sim.push(self.sim.now + self.sim.rng.randint(*self.sim.net.delay), "fetch",
                      (self.node, a.peer, a.first, a.last))

    def certified(self, a: Certified) -> None:
        self.sim.certify(self.node, a)


# The simulator's stress settings: checkpoints, windows, batches and state-transfer chunks
# small enough that a dozen transactions cross several checkpoints, fill the window and
# need several fetches; scenarios also run at production defaults (``Settings()``).
SIM_STRESS = Settings(checkpoint_interval=4, window=16, max_batch=8, batch_delay_ms=2,
                      request_timeout_ms=800, max_in_flight=1, fetch_chunk=4,
                      max_pending=50_000)


class Sim:
    def __init__(self, seed: int, *, n: int = 4, txs: int = 12, net: Net | None = None,
                 settings: Settings = SIM_STRESS) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.n = n
        self.net = net or Net()
        self.settings = settings
        self.now = T0 + 1_000
        self.queue: list[tuple[int, int, str, tuple[Any, ...]]] = []
        self.counter = 0
        self.world = World(validators=n, seed=seed)  # keys, genesis and a transaction factory
        self.keys = self.world.keys
        self.genesis = self.world.genesis
        self.publics = tuple(v["public_key"] for v in self.genesis.validators)
        self.nodes = [self._make_node(i) for i in range(n)]
        self.heights: dict[int, str] = {}
        self.certified: dict[int, int] = {}  # replica -> result certificates it stored
        self.submitted: dict[str, str] = {}
        self.decided: dict[str, set[int]] = {}
        self.undecodable = 0
        # replica id -> (min, max) ms each ordered block waits for its executor, in order
        # (the node executes on its database thread, behind the loop); none: at once
        self.exec_delay: dict[int, tuple[int, int]] = {}
        self.exec_rng = random.Random(seed * 31 + 7)  # leaves the main draws as they were
        self.events = 0
        self._plan_transactions(txs)

    # --- set-up ---------------------------------------------------------------------------

    def cfg(self, i: int) -> Config:
        return Config(replica=i, publics=self.publics, key=self.keys[f"validator-{i}"],
                      request_id=request_id, verify=cached_verify,
                      request_valid=request_valid, settings=self.settings)

    def _make_node(self, i: int, disk: dict[str, Any] | None = None,
                   store: Store | None = None) -> Node:
        store = store or Store(":memory:")
        ledger = Ledger(store, self.genesis)
        replica = Replica(self.cfg(i), executed=ledger.height, persisted=disk)
        recovery.restore(replica, store)
        return Node(i, replica, store, ledger, dict(disk or {}))

    def _plan_transactions(self, count: int) -> None:
        """Cards issued and funded, then payments; submitted at random times."""
        w = self.world
        w.now = self.now
        t = self.now
        cards = []
        for k in range(max(1, count // 3)):
            tx, number = w.issue_tx("EHB" if k % 2 else "JRB", deposit=50_000)
            cards.append(number)
            t += self.rng.randint(0, 40)
            self.submit_at(t, tx)
        for k in range(count - len(cards)):
            t += self.rng.randint(0, 40)
            w.now = t
            self.submit_at(t + 200, w.pay_tx(cards[k % len(cards)],
                                             [{"sku": "TEA-250", "qty": 1}], order=f"O{k}"))

    def submit_at(self, at: int, tx: Tx) -> None:
        text = tx.encode().decode("utf-8")
        self.submitted[tx.hex_id] = text
        self.push(at, "client", (text,))

    # --- event queue ----------------------------------------------------------------------

    def push(self, at: int, kind: str, payload: tuple[Any, ...]) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (at, self.counter, kind, payload))

    def send(self, src: int, dst: int, data: bytes) -> None:
        if not self.net.connected(src, dst) or self.rng.random() < self.net.drop:
            return
        copies = 2 if self.rng.random() < self.net.dup else 1
        for _ in range(copies):
            self.push(self.now + self.rng.randint(*self.net.delay), "deliver", (dst, src, data))

    def run(self, until: int) -> None:
        while self.queue and self.queue[0][0] <= until:
            at, _, kind, payload = heapq.heappop(self.queue)
            self.now = max(self.now, at)
            self.events += 1
            getattr(self, f"_on_{kind}")(*payload)
            self.check_step()
        self.now = max(self.now, until)

    def _on_client(self, text: str) -> None:
        for node in self.nodes:
            if node.alive:
                self.feed(node, ClientRequest(text))

    def _on_retry(self) -> None:
        for tid, text in self.submitted.items():
            if len(self.decided.get(tid, ())) < len(self.honest_live()):
                self._on_client(text)

    def _on_deliver(self, dst: int, src: int, data: bytes) -> None:
        node = self.nodes[dst]
        if not node.alive:
            return
        try:
            msg = m.decode(data)
        except m.BadMessage:
            self.undecodable += 1
            return
        self.feed(node, Received(src, msg))

    def _on_timer(self, i: int, name: str, at: int) -> None:
        node = self.nodes[i]
        if node.alive and node.timers.get(name) == at:
            del node.timers[name]
            self.feed(node, TimerFired(name))

    def _on_exec(self, node: Node, a: Execute) -> None:
        if not node.alive or self.nodes[node.id] is not node:
            return  # crashed (or restarted) meanwhile: its executor's queue was lost
        ev = self.execute(node, a.seq, a.view, a.time, a.batch, a.batch_id, a.cert)
        if ev is not None:
            self.feed(node, ev)

    def _on_call(self, fn: Callable[[], None]) -> None:
        fn()

    def at(self, when: int, fn: Callable[[], None]) -> None:
        self.push(when, "call", (fn,))

    # --- the runtime: the node's driver (node/driver.py) with the simulator's ports ---------

    def feed(self, node: Node, event: Event) -> None:
        """Step ``event`` and what it leads to at once, each step carried out by the same
        driver a validator runs: persist first (to the node's disk), then the rest."""
        work = [(event, node.replica)]
        driver = Driver(SimPorts(self, node))
        while work:
            ev, replica = work.pop(0)
            actions = replica.step(ev, self.now)
            if node.outbound:  # a Byzantine replica rewrites what it sends
                actions = [x for a in actions for x in node.outbound(node, a)]
            r = ready(actions)
            node.persist(r.persist)
            work.extend((follow, replica) for follow in driver.carry_out(r))

    def certify(self, node: Node, a: Certified) -> None:
        """A result certificate: f+1 valid ATTESTs for the header every honest replica
        computed at that height (checked against the agreed hash once one is known)."""
        if not node.honest:
            return
        problem = results.attest_problem(node.replica.cfg, a.seq, a.block_hash,
                                         list(a.attests))
        if problem is not None:
            raise SafetyViolation(f"result certificate at {a.seq} on {node.id}: {problem}")
        agreed = self.heights.get(a.seq)
        if agreed is not None and agreed != a.block_hash:
            raise SafetyViolation(f"result certificate at {a.seq} certifies another header")
        node.store.set_attest([(a.seq, results.encode_attests(a.attests))])
        self.certified[node.id] = self.certified.get(node.id, 0) + 1

    def execute(self, node: Node, seq: int, view: int, time: int, batch: tuple[str, ...],
                batch_id: str, cert: tuple[Commit, ...]) -> Event | None:
        if seq <= node.ledger.height:
            return None
        if seq != node.ledger.height + 1:
            if node.honest:
                raise SafetyViolation(f"replica {node.id} skipped to {seq}")
            return None
        txs = [Tx.decode(t.encode("utf-8")) for t in batch]
        head_time = node.ledger.head().time
        cert_bytes = encode_cert(view, time, batch_id, cert)
        res = node.ledger.apply_block(txs, max(time, head_time), view=view,
                                      proposer=view % self.n, cert=cert_bytes)
        self.record(node, seq, res.hash, res.results)
        return Executed(seq, res.state_root, tuple(r.id for r in res.results), res.hash)

    def _on_fetch(self, a: Node, peer: int, first: int, last: int) -> None:
        """State transfer: blocks with certificates from ``peer``, verified, executed."""
        p = self.nodes[peer]
        if not (a.alive and p.alive and self.net.connected(peer, a.id)):
            return
        if min(last, p.ledger.height) >= first:  # as the node does when a reply comes in
            self.feed(a, Arrived(min(last, p.ledger.height)))
        for h in range(max(first, a.ledger.height + 1), min(last, p.ledger.height) + 1):
            block = p.store.block(h)
            assert block is not None
            if block.cert is None:
                return
            batch = tuple(r.wire.decode() for r in p.store.block_txs(h))
            ex = certified_block(a.replica.cfg, h, block.cert, batch)
            if ex is None:
                return
            if h != a.ledger.height + 1:
                # a chunk asked for ahead arrived before the one before it was complete (its
                # peer had fewer blocks): like the node, ignore it; it is asked for again
                return
            ev = self.execute(a, h, ex.view, ex.time, batch, ex.batch_id, ex.cert)
            if ev is not None:
                self.feed(a, ev)

    # --- faults ---------------------------------------------------------------------------

    def crash(self, i: int) -> None:
        self.nodes[i].alive = False
        self.nodes[i].timers.clear()

    def pause(self, i: int) -> None:
        """SIGSTOP: the replica neither hears nor acts; its state and timers are kept."""
        self.nodes[i].alive = False

    def resume(self, i: int) -> None:
        """SIGCONT: the timers that fell due while paused fire at once, oldest first
        (what was sent to it meanwhile was lost, as a peer's link drops stale frames)."""
        node = self.nodes[i]
        node.alive = True
        for name, at in sorted(node.timers.items(), key=lambda kv: kv[1]):
            if at <= self.now:
                self.push(self.now, "timer", (i, name, at))

    def restart(self, i: int, *, wipe: bool) -> None:
        old = self.nodes[i]
        if wipe:
            node = self._make_node(i)
        else:
            node = self._make_node(i, disk=old.disk, store=old.store)
            node.ok_ids = old.ok_ids
        node.honest, node.outbound = old.honest, old.outbound
        self.nodes[i] = node
        if not wipe:
            node.ok_ids = old.ok_ids
        self.feed(node, Started())  # as the runtime does once it is up

    # --- invariants -----------------------------------------------------------------------

    def honest_live(self) -> list[Node]:
        return [x for x in self.nodes if x.honest and x.alive]

    def record(self, node: Node, seq: int, block_hash: str, results: Any) -> None:
        if not node.honest:
            return
        seen = self.heights.setdefault(seq, block_hash)
        if seen != block_hash:
            raise SafetyViolation(f"agreement: height {seq} differs on replica {node.id}")
        for r in results:
            if r.code == "bad_signature":  # honest replicas vote only for checked requests
                raise SafetyViolation(f"validity: {r.id} with a forged signature was ordered")
            if r.ok:
                if r.id not in self.submitted:
                    raise SafetyViolation(f"validity: {r.id} was never submitted")
                tx = Tx.decode(self.submitted[r.id].encode("utf-8"))
                if not tx.sigs or not all(cached_verify(p, tx.id, s) for p, s in tx.sigs):
                    raise SafetyViolation(f"validity: {r.id} committed without valid signatures")
                if r.id in node.ok_ids:
                    raise SafetyViolation(f"{r.id} committed twice on replica {node.id}")
                node.ok_ids.add(r.id)
            self.decided.setdefault(r.id, set()).add(node.id)

    def check_step(self) -> None:
        for node in self.nodes:
            st = node.replica.stash
            if len(st) > st.total or st.bytes > st.total_bytes or any(
                    st.peer_size(p) > st.per_peer or st.peer_bytes_held(p) > st.peer_bytes
                    for p in range(self.n)):
                raise SafetyViolation(f"stash bound exceeded on replica {node.id}")
            if len(node.replica.far) > self.n:
                raise SafetyViolation(f"far checkpoints unbounded on replica {node.id}")

    def check_liveness(self) -> None:
        for node in self.honest_live():
            missing = [t for t in self.submitted if node.id not in self.decided.get(t, ())]
            if missing:
                state = "; ".join(
                    f"r{x.id}: view {x.replica.view}{'*' if x.replica.view_changing else ''}"
                    f" height {x.ledger.height} low {x.replica.low} pending "
                    f"{len(x.replica.pending)}{'' if x.alive else ' (down)'}"
                    for x in self.nodes)
                raise LivenessViolation(
                    f"replica {node.id} has not decided {len(missing)} of "
                    f"{len(self.submitted)} transactions [{state}]")

    def settle(self, heal_at: int, bound_ms: int = 120_000) -> None:
        """Run past the faults, retrying clients, then require every transaction decided."""
        t = heal_at
        while t < heal_at + bound_ms:
            self.push(t, "retry", ())
            t += 2_000
        end = heal_at + bound_ms
        while self.now < end:
            self.run(min(end, self.now + 2_000))
            if all(len(self.decided.get(tid, ())) >= len(self.honest_live())
                   for tid in self.submitted):
                break
        self.check_liveness()
