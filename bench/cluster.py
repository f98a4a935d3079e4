"""Cluster benchmark: N validator processes on loopback with TLS, load generators
submitting signed payments at an offered rate.  Prints JSON: committed payments/s, latency
p50/p95/p99 from submission to receipt, per-node CPU (and per committed payment), and each
validator's latency budget by stage ("stages_us").

    python bench/cluster.py [--validators 4] [--rate 500] [--seconds 20] [--cards 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cryptography

from app.consortium import DEMO_PASSPHRASE
from node import codec
from node.net.client import ClientError
from tests.support.cluster import LocalCluster, wait_connected

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def bench(args: argparse.Namespace, c: LocalCluster) -> dict[str, object]:
    clients = [await c.client(i) for i in range(c.n)]
    await wait_connected(clients)
    total = args.rate * args.seconds
    n_cards = max(args.cards, total // 20 + 1)  # an anonymous card holds 1,000 CNY at most
    cards = await c.issue_cards(clients, n_cards)
    t_sign = time.perf_counter()
    # the canonical texts only: a 10-minute run holds 600,000 of them
    pays = [c.pay(*cards[k % len(cards)], f"B{k}").encode().decode() for k in range(total)]
    sign_s = time.perf_counter() - t_sign
    height0 = (await clients[0].status())["height"]
    cpu0 = {i: cpu_seconds(p.pid) for i, p in c.procs.items()}
    own0 = os.times()
    latencies: list[float] = []
    codes: dict[str, int] = {}

    to_ordered: list[float] = []

    done_at: list[tuple[float, float]] = []  # (sent, receipt) of each request
    alive = list(range(c.n))

    async def one(k: int) -> None:
        t = time.perf_counter()

        def ordered(_msg: dict[str, object]) -> None:
            to_ordered.append((time.perf_counter() - t) * 1000)

        try:  # the node reports when the request got its sequence number
            reply = await clients[alive[k % len(alive)]].call(
                "submit", timeout=65, tx=codec.embed(pays[k]), wait_ms=60_000,
                on_progress=ordered)
            r = reply["receipt"]
        except (ClientError, TimeoutError):
            codes["error"] = codes.get("error", 0) + 1
            return
        latencies.append((time.perf_counter() - t) * 1000)
        done_at.append((t, time.perf_counter()))
        codes[r["code"]] = codes.get(r["code"], 0) + 1

    start = time.perf_counter()
    tasks = []
    killed_at = None
    rss: list[dict[str, float]] = []  # per validator, every --memory-every seconds

    async def sample_memory() -> None:
        while args.memory_every:
            rss.append({"t_s": round(time.perf_counter() - start),
                        **{f"validator-{i}": round(rss_mib(p.pid), 1)
                           for i, p in c.procs.items() if p.poll() is None}})
            await asyncio.sleep(args.memory_every)

    sampler = asyncio.create_task(sample_memory())
    for k in range(total):
        due = start + k / args.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if args.kill_primary and killed_at is None and k >= total // 2:
            primary = (await clients[0].status())["primary"]
            c.kill(primary)  # SIGKILL, mid-run
            killed_at = time.perf_counter()
            alive.remove(primary)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    sampler.cancel()
    resume_s = None
    if killed_at is not None:  # the first receipt of a request sent after the kill
        after = [done for sent, done in done_at if sent > killed_at]
        resume_s = round(min(after) - killed_at, 3) if after else None
        clients = [cl for i, cl in enumerate(clients) if i in alive]
    cpu_s = {i: cpu_seconds(p.pid) - cpu0[i] for i, p in c.procs.items()}
    cpu = {f"validator-{i}": round(s / wall * 100, 1) for i, s in cpu_s.items()}
    own = os.times()
    cpu["load_generator"] = round((own.user + own.system - own0.user - own0.system)
                                  / wall * 100, 1)
    extra: dict[str, object] = {} if killed_at is None else {
        "primary_killed_at_s": round(killed_at - start, 2), "commits_resumed_after_s": resume_s}
    if rss:  # growth from the first sample after a minute (warm caches) to the last
        base = next((r for r in rss if r["t_s"] >= 60), rss[0])
        extra["rss_mib"] = {"samples": rss, "from_t_s": base["t_s"], "growth_percent": {
            k: round((rss[-1][k] - base[k]) / base[k] * 100, 1)
            for k in base if k != "t_s" and k in rss[-1]}}
    # the latency budget over the timed window (not the cards' issuance before it)
    status = [await cl.status(stages_s=max(1, round(wall))) for cl in clients]
    for cl in clients:
        await cl.close()
    ok = codes.get("ok", 0)
    blocks = max(s["height"] for s in status) - height0  # ordered in the timed window
    return {
        "benchmark": "cluster", "validators": c.n, "offered_per_s": args.rate,
        "seconds": args.seconds, "submitted": total, "results": codes,
        "committed_per_s": round(ok / wall, 1), "wall_s": round(wall, 2),
        "latency_ms": {"p50": round(pct(latencies, 50), 1), "p95": round(pct(latencies, 95), 1),
                       "p99": round(pct(latencies, 99), 1),
                       "max": round(max(latencies), 1) if latencies else None,
                       "mean": round(statistics.fmean(latencies), 1) if latencies else None},
        **extra,
        "to_ordered_ms": {"p50": round(pct(to_ordered, 50), 1),
                          "p99": round(pct(to_ordered, 99), 1)},
        "cpu_percent": cpu, "presign_s": round(sign_s, 2),
        # each validator's CPU time over the timed window per committed payment; meaningful
        # at saturation, where blocks are large (at low rates the per-block cost dominates)
        "cpu_us_per_payment": {f"validator-{i}": round(s / ok * 1e6, 1) if ok else None
                               for i, s in cpu_s.items()},
        # CPU per block and per payment: at a low offered rate blocks are small, and what
        # each block costs whatever its size (votes, their signatures, fsyncs) dominates
        "blocks": blocks, "payments_per_block": round(ok / blocks, 1) if blocks else None,
        "max_loop_stall_ms": {s["identity"]: s["max_stall_us"] / 1000 for s in status},
        "gc_longest_ms": {s["identity"]: s.get("gc_longest_ms", 0) for s in status},
        "gc_full_passes": {s["identity"]: s.get("gc_full_passes", 0) for s in status},
        "timers_deferred": {s["identity"]: s.get("timers_deferred", 0) for s in status},
        # where the time goes on each validator (node/stages.py), over the timed window (its
        # last ~4,000 samples at most): a request's queue wait at the validator a client
        # sent it to, then each block's PREPARE and COMMIT quorums, its execution, and each
        # write of the votes
        "stages_us": {s["identity"]: s.get("stages", {}) for s in status},
        "heights": [s["height"] for s in status], "views": [s["view"] for s in status],
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version, "cryptography": cryptography.__version__},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--validators", type=int, default=4)
    ap.add_argument("--rate", type=int, default=500)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--cards", type=int, default=2000)
    ap.add_argument("--memory-every", type=float, default=0,
                    help="sample each validator's resident memory every N seconds")
    ap.add_argument("--kill-primary", action="store_true",
                    help="SIGKILL the primary halfway and time until commits resume")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        c = LocalCluster(Path(tmp), n=args.validators, env={})
        c.start_all()
        try:
            print(json.dumps(asyncio.run(bench(args, c)), indent=1))
        finally:
            c.stop_all()
    assert DEMO_PASSPHRASE


if __name__ == "__main__":
    main()
