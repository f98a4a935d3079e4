"""Fault classes for the simulator.  Each ``run_<class>(seed, n)`` builds a seeded
network, injects its faults, heals them and checks agreement, validity, no double commit,
stash bounds (after every event) and liveness (after healing).

Every class runs under the simulator's stress settings (``SIM_STRESS``) and under the
production defaults (``Settings()``): ``PROFILES``.

Replay a failing seed with: ``python -m tests.support.scenarios CLASS SEED [N [PROFILE]]``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable

from node.config import Settings
from tests.support import adversary
from tests.support.sim import SIM_STRESS, LivenessViolation, Net, Sim

SECOND = 1_000
PROFILES = {"stress": SIM_STRESS, "production": Settings()}
_profile = ["stress"]  # the profile the scenarios of this process run under


def use_profile(name: str) -> None:
    _profile[0] = name


def _sim(seed: int, n: int, net: Net | None, txs: int) -> Sim:
    return Sim(seed, n=n, txs=txs, net=net, settings=PROFILES[_profile[0]])


def _base(seed: int, n: int, net: Net | None = None, txs: int = 12) -> tuple[Sim, random.Random]:
    rng = random.Random(seed * 7919 + n)
    return _sim(seed, n, net, txs), rng


def run_clean(seed: int, n: int = 4) -> Sim:
    sim, _ = _base(seed, n, Net(delay=(1, rng_delay(seed))))
    sim.settle(sim.now)
    return sim


def rng_delay(seed: int) -> int:
    return 5 + seed % 40


def run_lossy(seed: int, n: int = 4) -> Sim:
    r = random.Random(seed)
    net = Net(drop=r.uniform(0.02, 0.25), dup=r.uniform(0.0, 0.3), delay=(1, r.randint(5, 80)))
    sim, _ = _base(seed, n, net)
    sim.run(sim.now + 15 * SECOND)
    net.drop = net.dup = 0.0
    sim.settle(sim.now)
    return sim


def run_partition(seed: int, n: int = 4) -> Sim:
    sim, rng = _base(seed, n, Net(delay=(1, 20)))
    start = sim.now + rng.randint(0, 400)
    kind = rng.choice(["isolate-primary", "minority", "split", "links"])
    everyone = list(range(n))
    f = (n - 1) // 3
    if kind == "isolate-primary":
        groups = [{0}, set(everyone[1:])]
    elif kind == "minority":
        out = set(rng.sample(everyone, f))
        groups = [out, set(everyone) - out]
    elif kind == "split":  # no side has a quorum: nothing may commit until it heals
        half = set(rng.sample(everyone, n // 2))
        groups = [half, set(everyone) - half]
    else:
        groups = None
    end = start + rng.randint(2, 10) * SECOND
    if groups is not None:
        sim.at(start, lambda: setattr(sim.net, "groups", groups))
        sim.at(end, lambda: setattr(sim.net, "groups", None))
    else:  # cut links one by one, then restore them one by one
        links = [(a, b) for a in everyone for b in everyone if a != b]
        rng.shuffle(links)
        links = links[: rng.randint(1, len(links) // 2)]
        for k, link in enumerate(links):
            sim.at(start + k * 200, lambda lk=link: sim.net.cut.add(lk))
        for k, link in enumerate(links):
            sim.at(end + k * 200, lambda lk=link: sim.net.cut.discard(lk))
        end += len(links) * 200
    sim.run(end + 1)
    sim.settle(end + 1)
    return sim


def run_crash(seed: int, n: int = 4) -> Sim:
    sim, rng = _base(seed, n, Net(delay=(1, 20)), txs=15)
    victim = 0 if rng.random() < 0.5 else rng.randrange(n)
    wipe = rng.random() < 0.4
    down = sim.now + rng.randint(0, 600)
    up = down + rng.randint(1, 8) * SECOND
    sim.at(down, lambda: sim.crash(victim))
    sim.at(up, lambda: sim.restart(victim, wipe=wipe))
    # more traffic after the restart, so the restarted replica has to catch up
    sim.world.now = up
    extra = sim.world.issue_tx("EHB", deposit=1_000)[0]
    sim.submit_at(up + 500, extra)
    sim.run(up + 1)
    sim.settle(up + 1)
    return sim


def run_byzantine(seed: int, n: int = 4) -> Sim:
    sim, rng = _base(seed, n, Net(delay=(1, 20)))
    mode = ["equivocate", "twins", "forge", "flood"][seed % 4]
    f = (n - 1) // 3
    bad = [0, *rng.sample(range(1, n), f - 1)]  # the first primary is always one of them
    if mode == "twins":
        for b in bad:
            adversary.twins(sim, b)
    else:
        for b in bad:
            node = sim.nodes[b]
            node.honest = False
            node.outbound = {"equivocate": adversary.equivocate, "forge": adversary.forge,
                             "flood": adversary.flood}[mode](sim, rng)
    sim.run(sim.now + 10 * SECOND)
    sim.settle(sim.now)
    return sim


def run_slow_exec(seed: int, n: int = 4) -> Sim:
    """Executors that lag behind what the cluster commits (a node executes on its database
    thread): some replicas take up to twice the request timeout per block, on a lossy
    network, and one may crash and come back."""
    r = random.Random(seed)
    net = Net(drop=r.uniform(0.0, 0.1), delay=(1, r.randint(5, 40)))
    sim, rng = _base(seed, n, net, txs=15)
    for i in rng.sample(range(n), rng.randint(1, n)):
        sim.exec_delay[i] = (0, rng.choice([50, 400, 1_600]))
    end = sim.now + 10 * SECOND
    if rng.random() < 0.5:
        victim = rng.randrange(n)
        down = sim.now + rng.randint(0, 4 * SECOND)
        sim.at(down, lambda: sim.crash(victim))
        sim.at(down + rng.randint(500, 3 * SECOND),
               lambda: sim.restart(victim, wipe=False))
    sim.run(end)
    net.drop = 0.0
    sim.settle(end)
    return sim


def run_restarts(seed: int, n: int = 4) -> Sim:
    """Restarts with the disk kept, as an operator's rolling upgrade does: every replica
    restarts once or twice at random moments, one of them stays down long enough to fall
    behind, and the first primary may then crash for good."""
    r = random.Random(seed)
    net = Net(drop=r.uniform(0.0, 0.05), delay=(1, r.randint(5, 40)))
    sim, rng = _base(seed, n, net, txs=15)
    start = sim.now
    lagging = rng.randrange(n)
    down = start + rng.randint(0, 3 * SECOND)
    sim.at(down, lambda: sim.crash(lagging))
    sim.at(down + rng.randint(1, 4) * SECOND, lambda: sim.restart(lagging, wipe=False))
    for i in range(n):
        for _ in range(rng.randint(1, 2)):
            sim.at(start + rng.randint(0, 8 * SECOND),
                   lambda i=i: sim.restart(i, wipe=False))
    end = start + 10 * SECOND
    if rng.random() < 0.5:
        sim.at(start + rng.randint(4, 9) * SECOND, lambda: sim.crash(0))
    sim.world.now = end
    sim.submit_at(end + 200, sim.world.issue_tx("EHB", deposit=1_000)[0])
    sim.run(end)
    net.drop = 0.0
    sim.settle(end)
    return sim


def steady_load(sim: Sim, start: int, end: int, every_ms: int, cards: int = 6) -> None:
    """Cards issued at ``start``, then a payment every ``every_ms`` until ``end``."""
    w = sim.world
    w.now = start
    numbers = []
    for k in range(cards):
        tx, number = w.issue_tx("EHB" if k % 2 else "JRB", deposit=10_000_000)
        numbers.append(number)
        sim.submit_at(start, tx)
    t, k = start + 500, 0
    while t < end:
        w.now = t
        sim.submit_at(t, w.pay_tx(numbers[k % cards], [{"sku": "TEA-250", "qty": 1}]))
        t, k = t + every_ms, k + 1


def run_pause(seed: int, n: int = 4) -> Sim:
    """A backup paused (SIGSTOP) under steady load for longer than many request timeouts,
    then resumed: it catches up and stays in its peers' view, so the cluster keeps all of
    its fault tolerance (one more backup crashed later costs no view change)."""
    rng = random.Random(seed)
    sim = _sim(seed, n, Net(delay=(1, rng.randint(2, 30))), 0)
    start = sim.now
    steady_load(sim, start, start + 40 * SECOND, rng.choice([50, 100, 200]))
    paused = rng.randrange(1, n)
    other = rng.choice([i for i in range(1, n) if i != paused])
    at = start + rng.randint(2, 6) * SECOND
    sim.at(at, lambda: sim.pause(paused))
    sim.at(at + rng.randint(10, 20) * SECOND, lambda: sim.resume(paused))
    sim.at(start + 32 * SECOND, lambda: sim.crash(other))
    sim.run(start + 40 * SECOND)
    sim.settle(sim.now, bound_ms=30 * SECOND)
    views = {x.id: (x.replica.view, x.replica.view_changing) for x in sim.nodes if x.alive}
    if any(v != (0, False) for v in views.values()):
        raise LivenessViolation(f"a view changed without a faulty primary: {views}")
    return sim


CLASSES: dict[str, Callable[[int, int], Sim]] = {
    "clean": run_clean,
    "lossy": run_lossy,
    "partition": run_partition,
    "crash": run_crash,
    "byzantine": run_byzantine,
    "slow_exec": run_slow_exec,
    "restarts": run_restarts,
}
# run on their own (slower per seed): ``python -m tests.support.scenarios pause SEED``
EXTRA: dict[str, Callable[[int, int], Sim]] = {"pause": run_pause}


def replay_command(cls: str, seed: int, n: int, profile: str = "stress") -> str:
    tail = "" if profile == "stress" else f" {profile}"
    return f"python -m tests.support.scenarios {cls} {seed} {n}{tail}"


if __name__ == "__main__":
    cls, seed = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    use_profile(sys.argv[4] if len(sys.argv) > 4 else "stress")
    s = {**CLASSES, **EXTRA}[cls](seed, n)
    print(f"{cls} seed {seed} n={n} {_profile[0]}: ok, {s.events} events, heights "
          f"{[x.ledger.height for x in s.nodes]}, views {[x.replica.view for x in s.nodes]}")
