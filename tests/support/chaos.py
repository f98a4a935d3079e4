"""A schedule of faults under load against real validators, and the checker.

    python -m tests.support.chaos --seed S --minutes M [--rate R]
    make chaos SEED=S MINUTES=M

After cards are issued, each episode puts one fault (tests/support/nemesis.py) on one
validator, at most f = 1 at a time (the Byzantine one is always the same validator):
kill, pause, restart, wipe, disk (full), isolate (every link cut), flap (links cut and
mended every 0.3-2 s), delay (150 ms each way) or byzantine (its keys driven by the
harness); it is held 3-15 s, healed, and the cluster given time to recover.  Load: a
payment or a top-up at ``rate`` per second, each to a random validator and to another on
an error (its id stays the same: it is charged once).

The checker: after each healed fault, commits resume on 2f+1 validators within
``RESUME_S`` and every validator is past the height before the heal or moving; every honest
validator's RSS stays under ``RSS_CEILING_MIB``; at the end every node reaches the same
height with the same block hashes, the audit re-executes every node's chain without a
finding (every balance recomputed from the accepted transactions), and every acknowledged
receipt is on chain with outcome "ok" on every node.  A failure prints its replay command.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node import audit
from node.net.client import Client, ClientError
from tests.support.cluster import processes_mentioning
from tests.support.nemesis import ChaosCluster, byzantine
from tests.support.waiting import Timeout, apoll

FAULTS = ("kill", "pause", "restart", "wipe", "disk", "isolate", "flap", "delay", "byzantine")
RESUME_S = 30.0  # commits resume within this after a fault is healed
CONVERGE_S = 180.0  # every validator at one height this long after the last heal
RSS_CEILING_MIB = 400.0  # an honest validator's resident memory, whatever a peer sends
CARDS = 40


@dataclass
class Run:
    seed: int
    seconds: float
    rate: float
    faults: tuple[str, ...] | None = None  # None: drawn at random; else each once, in order
    events: list[str] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)  # tx id -> height, receipt "ok"
    failures: list[str] = field(default_factory=list)
    max_rss: dict[int, float] = field(default_factory=dict)
    submitted: int = 0
    episodes: int = 0
    cluster: ChaosCluster | None = None  # once run: its homes, for a further look
    allowed: tuple[str, ...] = FAULTS  # what a random schedule draws from
    acked_at_heal: int = 0

    def replay(self) -> str:
        only = "" if self.allowed == FAULTS else f" FAULTS={','.join(self.allowed)}"
        return (f"make chaos SEED={self.seed} MINUTES={self.seconds / 60:g} "
                f"RATE={self.rate:g}{only}")


class Clients:
    """One client per validator, connected again after its validator went away."""

    def __init__(self, c: ChaosCluster) -> None:
        self.c = c
        self.by_node: dict[int, Client] = {}
        self.locks = {i: asyncio.Lock() for i in range(c.n)}

    async def get(self, i: int) -> Client | None:
        async with self.locks[i]:  # one connection attempt at a time, shared by all
            cl = self.by_node.get(i)
            if cl is not None and cl._writer is not None and not cl._writer.is_closing():
                return cl
            if cl is not None:
                del self.by_node[i]
                with contextlib.suppress(Exception):
                    await cl.close()
            try:
                cl = await self.c.client(i, timeout=2)
            except (OSError, TimeoutError, ClientError, ConnectionError):
                return None
            self.by_node[i] = cl
            return cl

    async def close(self) -> None:
        for cl in self.by_node.values():
            with contextlib.suppress(Exception):
                await cl.close()


async def _load(run: Run, c: ChaosCluster, clients: Clients, cards: list[Any],
                stop: asyncio.Event, rng: random.Random) -> None:
    tasks: set[asyncio.Task[None]] = set()
    clerk = c.keys["clerk-EHB-1"]

    async def one(tx: Any) -> None:
        for _ in range(6):
            cl = await clients.get(rng.randrange(c.n))
            if cl is None:
                await asyncio.sleep(0.5)  # not a wait: a client's pause before its retry
                continue
            try:
                r = await cl.submit(tx, wait_ms=15_000)
            except (ClientError, TimeoutError, OSError, ConnectionError):
                await asyncio.sleep(0.2)  # not a wait: a client's pause before its retry
                continue
            if r.get("code") == "ok" and isinstance(r.get("height"), int):
                run.acked[str(r["id"])] = int(r["height"])
            return

    k = 0
    while not stop.is_set():
        number, key = cards[k % len(cards)]
        if (k // len(cards)) % 2 == 0:
            tx = c.pay(number, key, f"chaos-{run.seed}-{k}")
        else:
            tx = c.builder.make("top_up", {"card": number, "amount": 4_800},
                                int(time.time() * 1000), clerk)
        k += 1
        run.submitted += 1
        if len(tasks) < 400:
            t = asyncio.create_task(one(tx))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        await asyncio.sleep(1 / run.rate)  # not a wait: the load's pace
    if tasks:
        await asyncio.wait(tasks, timeout=30)


async def _heights(c: ChaosCluster, clients: Clients, nodes: list[int],
                   key: str = "height") -> dict[int, int]:
    """``key`` of each validator's status (its height by default), for those that answer."""
    out = {}
    for i in nodes:
        cl = await clients.get(i)
        if cl is None:
            continue
        with contextlib.suppress(ClientError, TimeoutError, OSError, ConnectionError):
            out[i] = int((await cl.status())[key])
    return out


async def _episode(run: Run, c: ChaosCluster, clients: Clients, fault: str, victim: int,
                   hold: float, rng: random.Random) -> None:
    t0 = time.monotonic()
    run.events.append(f"{t0:.1f} {fault} validator-{victim} for {hold:.1f} s")
    stop = asyncio.Event()
    helper: asyncio.Task[None] | None = None
    begin: dict[str, Callable[[int], object]] = {
        "kill": c.kill, "pause": c.pause, "wipe": c.wipe, "disk": c.fill_disk,
        "isolate": c.isolate, "delay": lambda i: c.delay(i, 0.15),
        "restart": lambda i: (c.terminate(i), c.start(i))}
    if fault in begin:
        begin[fault](victim)
    elif fault == "flap":
        async def flap() -> None:
            while not stop.is_set():
                c.isolate(victim, True)
                await asyncio.sleep(rng.uniform(0.3, 2))  # not a wait: the link cut
                c.isolate(victim, False)
                await asyncio.sleep(rng.uniform(0.3, 2))  # not a wait: the link mended
        helper = asyncio.create_task(flap())
    elif fault == "byzantine":
        c.kill(victim)
        stats: dict[str, Any] = {}
        helper = asyncio.create_task(byzantine(c, victim, stop, stats))
    before = await _heights(c, clients, [i for i in range(c.n) if i != victim])
    await asyncio.sleep(hold)  # not a wait: how long the fault lasts
    if fault in ("isolate", "delay", "byzantine", "pause") and len(before) >= 2:
        # with one validator faulty the others must go on committing meanwhile
        during = await _heights(c, clients, list(before))
        if sum(during.get(i, 0) > h for i, h in before.items()) < 2:
            run.failures.append(f"no commits while {fault} on validator-{victim}: "
                                f"{before} -> {during}")
    stop.set()
    if helper is not None:
        await asyncio.gather(helper, return_exceptions=True)
    if fault in ("kill", "wipe", "byzantine"):
        c.start(victim)
    elif fault == "pause":
        c.resume(victim)
    elif fault == "disk":
        c.free_disk(victim)
    c.heal()
    await _resumed(run, c, clients, f"{fault} on validator-{victim}")


async def _resumed(run: Run, c: ChaosCluster, clients: Clients, after: str) -> None:
    """Within RESUME_S of the heal, 2f+1 validators commit past the highest height before
    it, and every validator is past it or on its way (a wiped one fetches the whole chain,
    which takes longer than that: it must be moving, and reach the others by the end)."""
    run.acked_at_heal = run.submitted
    start = await _heights(c, clients, list(range(c.n)))
    deadline = time.monotonic() + RESUME_S
    top = max(start.values(), default=0)
    quorum = 2 * ((c.n - 1) // 3) + 1
    now: dict[int, int] = {}
    while time.monotonic() < deadline:
        await asyncio.sleep(1)  # not a wait: progress is measured over whole seconds
        now = await _heights(c, clients, list(range(c.n)))
        for i, h in now.items():
            start.setdefault(i, h)  # a validator still starting at the heal: from here
        moving = [i for i, h in now.items() if h > top or h > start[i]]
        if sum(h > top for h in now.values()) >= quorum and len(moving) == c.n:
            return
    run.failures.append(f"commits did not resume on 2f+1 validators, or one is not moving, "
                        f"within {RESUME_S:.0f} s after {after} (height {top} before; "
                        f"{run.submitted - run.acked_at_heal} submitted since the heal): "
                        f"{await _states(c, clients)}")


async def _states(c: ChaosCluster, clients: Clients) -> dict[int, str]:
    """What each validator says of itself: height, view (* changing), primary, pending."""
    out = {}
    for i in range(c.n):
        cl = await clients.get(i)
        try:
            st = await cl.status() if cl is not None else None
        except (ClientError, TimeoutError, OSError, ConnectionError) as exc:
            st, out[i] = None, f"no status: {exc}"
        if st is not None:
            out[i] = (f"h{st['height']} v{st['view']}{'*' if st['view_changing'] else ''} "
                      f"p{st['primary']} pending {st['pending']}"
                      f"{' ' + str(st['degraded']) if st['degraded'] else ''}")
    return out


async def _watch_rss(run: Run, c: ChaosCluster, stop: asyncio.Event,
                     byzantine_now: set[int]) -> None:
    while not stop.is_set():
        for i in list(c.procs):
            if i in byzantine_now:
                continue
            rss = c.rss_mib(i)
            run.max_rss[i] = max(run.max_rss.get(i, 0.0), rss)
            if rss > RSS_CEILING_MIB:
                run.failures.append(f"validator-{i} RSS {rss:.0f} MiB > {RSS_CEILING_MIB}")
        await asyncio.sleep(0.5)  # not a wait: memory sampled twice a second


async def _schedule(run: Run, c: ChaosCluster, clients: Clients, rng: random.Random,
                    byzantine_now: set[int]) -> None:
    end = time.monotonic() + run.seconds
    todo = list(run.faults) if run.faults is not None else None
    # one validator is the Byzantine one for the whole run: PBFT tolerates f faulty
    # validators, and one that was Byzantine does not become correct by being restarted
    # (what it sent stays with its peers); the other faults hit any validator
    traitor = rng.randrange(c.n)
    while time.monotonic() < end if todo is None else todo:
        fault = todo.pop(0) if todo is not None else rng.choice(run.allowed)
        victim = traitor if fault == "byzantine" else rng.randrange(c.n)
        hold = rng.uniform(3, 6) if todo is not None else rng.uniform(3, 15)
        if fault == "byzantine":
            byzantine_now.add(victim)
        try:
            await _episode(run, c, clients, fault, victim, hold, rng)
        finally:
            byzantine_now.discard(victim)
        run.episodes += 1
        # the next fault only once every validator is level again: a validator still
        # fetching the chain after a wipe is a faulty one, and f = 1
        await _converged(run, c, clients)
        await asyncio.sleep(rng.uniform(1, 4))  # not a wait: calm between two faults


def check_chains(run: Run, c: ChaosCluster) -> None:
    """With every validator stopped: same blocks everywhere, each chain re-executed clean,
    every acknowledged receipt on chain, "ok", at its height, on every node."""
    chains = []
    for i in range(c.n):
        db = c.home(i) / "ledger.db"
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            chains.append(dict(conn.execute("SELECT height, hash FROM blocks").fetchall()))
            for tx_id, height in run.acked.items():
                row = conn.execute("SELECT height, code FROM txs WHERE id = ? AND consumes = 1",
                                   (tx_id,)).fetchone()
                if row is None or tuple(row) != (height, "ok"):
                    run.failures.append(f"acknowledged {tx_id[:16]} at {height} is "
                                        f"{row} on validator-{i}")
                    break
        report = audit.audit(db, c.cons.genesis, workers=0)
        if not report.ok:
            run.failures.append(f"audit of validator-{i}: {report.problems[:3]}")
    if any(ch != chains[0] for ch in chains):
        heights = [max(ch, default=0) for ch in chains]
        run.failures.append(f"chains differ (heights {heights})")


Scenario = Callable[[Run, ChaosCluster, Clients, random.Random, set[int]], Awaitable[None]]


async def chaos(root: Path, run: Run, scenario: Scenario | None = None) -> Run:
    """Cards issued, load started, ``scenario`` (the random or listed schedule by default)
    played while RSS is watched; then healed, converged, stopped and checked."""
    rng = random.Random(run.seed)
    c = ChaosCluster(root)
    await c.start_relays()
    clients = Clients(c)
    stop_load, stop_watch = asyncio.Event(), asyncio.Event()
    byzantine_now: set[int] = set()
    try:
        c.start_all()
        first = [cl for i in range(c.n) if (cl := await _wait_client(clients, i))]
        cards = await c.issue_cards(first, CARDS, deposit=90_000)
        load = asyncio.create_task(_load(run, c, clients, cards, stop_load, rng))
        watch = asyncio.create_task(_watch_rss(run, c, stop_watch, byzantine_now))
        try:
            await (scenario or _schedule)(run, c, clients, rng, byzantine_now)
        finally:
            stop_load.set()
            await load
        c.heal()
        await _converged(run, c, clients)
        stop_watch.set()
        await watch
    finally:
        for i in list(c.paused):
            c.resume(i)
        for i in list(c.procs):
            c.free_disk(i)
        await clients.close()
        c.stop_all()
        await c.stop_relays()
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in left:  # clients given up on mid-connect: their readers
            t.cancel()
        await asyncio.gather(*left, return_exceptions=True)
    run.cluster = c
    check_chains(run, c)
    return run


async def _wait_client(clients: Clients, i: int, timeout: float = 30) -> Client | None:
    try:
        return await apoll(lambda: clients.get(i), lambda cl: cl is not None,
                           timeout=timeout, every=0.3)
    except Timeout:
        return None


async def _converged(run: Run, c: ChaosCluster, clients: Clients) -> None:
    try:
        await apoll(lambda: _heights(c, clients, list(range(c.n))),
                    lambda hs: len(hs) == c.n and len(set(hs.values())) == 1,
                    timeout=CONVERGE_S, every=0.5)
    except Timeout as exc:
        run.failures.append(f"heights did not converge within {CONVERGE_S:.0f} s: {exc}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.support.chaos")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--faults", default="", help="comma-separated: draw only these "
                    f"(of {', '.join(FAULTS)})")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    run = Run(seed, args.minutes * 60, args.rate)
    if args.faults:
        run.allowed = tuple(f for f in args.faults.split(",") if f in FAULTS)
    tmp = tempfile.mkdtemp(prefix="cardchain-chaos-")
    t0 = time.monotonic()
    asyncio.run(chaos(Path(tmp), run))
    left = processes_mentioning(tmp)
    for e in run.events:
        print(e)
    print(f"seed {seed}: {run.episodes} faults in {time.monotonic() - t0:.0f} s, "
          f"{run.submitted} submitted, {len(run.acked)} acknowledged, max RSS MiB "
          f"{ {i: round(v) for i, v in sorted(run.max_rss.items())} }")
    if left:
        run.failures.append(f"processes left running: {left}")
    if run.failures:
        print("FAILED:\n  " + "\n  ".join(run.failures[:20]))
        print(f"the validators' homes and logs are kept in {tmp}")
        print(f"replay: {run.replay()}")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
