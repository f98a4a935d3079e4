"""Catch-up: one validator is stopped while the other three commit N payments, then it is
started again and fetches the missed blocks (each proved by its commit certificate, which
also vouches for its transactions' signatures; every block executed).  Prints JSON: transactions
caught up per second.

    python bench/catch_up.py [--behind 30000] [--rate 900] [--retry hint|fixed] [--repeat 3]
                             [--alternate CARDCHAIN_FETCH_AHEAD=0]

While the three others commit, each payment is retried like a till would: for up to 30 s,
after the pause a busy validator names (``--retry fixed``: every 0.2 s, as before).

``--alternate VAR=VALUE`` (with ``--repeat``) restarts the validator with that variable set
every second time: two settings compared on the same load, alternately, with a median each.

Target (issue 7): 20,000 transactions/s or more for a node 100,000 transactions behind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node.net.client import Busy, ClientError
from tests.support.cluster import LocalCluster, wait_connected

RETRY_FOR_S = 30.0


async def bench(c: LocalCluster, behind: int, rate: int, retry: str,
                repeat: int = 1, alternate: str | None = None) -> dict[str, object]:
    clients = [await c.client(i) for i in range(3)]
    await wait_connected(clients)
    cards = await c.issue_cards(clients, behind // 20 + 1)
    pays = [c.pay(*cards[k % len(cards)], f"C{k}") for k in range(behind)]
    c.kill(3)
    print(f"validator-3 stopped; submitting {behind} payments", file=sys.stderr, flush=True)
    ok = 0
    failed: dict[str, int] = {}
    busy_replies = 0

    async def one(k: int) -> None:
        # retried like a till: until 30 s after the first attempt, on "busy" after the pause
        # the validator names (or a fixed 0.2 s: --retry fixed), otherwise after 0.2 s
        nonlocal ok, busy_replies
        give_up = time.perf_counter() + RETRY_FOR_S
        attempt = 0
        while True:
            try:
                r = await clients[(k + attempt) % 3].submit(
                    pays[k], wait_ms=20_000, retry_busy=False)
                ok += r["code"] == "ok"
                if r["code"] != "ok":
                    failed[r["code"]] = failed.get(r["code"], 0) + 1
                return
            except (ClientError, TimeoutError) as exc:
                busy = "busy" in str(exc)
                busy_replies += busy
                pause = 0.2
                if isinstance(exc, Busy) and retry == "hint":
                    pause = exc.pause_s()
                if time.perf_counter() + pause > give_up:
                    why = "busy" if busy else type(exc).__name__
                    failed[why] = failed.get(why, 0) + 1
                    return
                attempt += 1
                await asyncio.sleep(pause)

    start = time.perf_counter()
    tasks = []
    for k in range(behind):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    load_s = time.perf_counter() - start
    target = (await clients[0].status())["height"]
    print(f"{ok} committed ({failed or 'none failed'}), height {target}; restarting "
          "validator-3", file=sys.stderr, flush=True)
    for cl in clients:
        await cl.close()
    saved = c.home(3).with_name("validator-3.saved")  # its files as they were when stopped
    shutil.copytree(c.home(3), saved)
    runs = []
    plain = dict(c.env)
    var, _, value = (alternate or "").partition("=")
    for r in range(repeat):
        if r:
            c.kill(3)
            shutil.rmtree(c.home(3))
            shutil.copytree(saved, c.home(3))
        alt = alternate if alternate and r % 2 else None  # every second restart
        c.env = {**plain, var: value} if alt else plain
        runs.append({**await catch_up_once(c, target, ok), "env": alt})
    c.env = plain
    keys = ("tx_per_s", "transfer_tx_per_s")
    figures = {k: [run[k] for run in runs] for k in keys}
    if alternate:  # a median for each setting
        figures = {f"{k} ({label})": [run[k] for run in runs if (run["env"] is None) == base]
                   for k in keys for label, base in (("as is", True), (alternate, False))}
    return {"benchmark": "catch_up", "payments_behind": ok, "not_committed": failed,
            "load": {"seconds": round(load_s, 1), "busy_replies": busy_replies,
                     "retry": retry, "retry_for_s": RETRY_FOR_S},
            "blocks_behind": runs[0]["blocks_behind"],
            **{k: v for k, v in runs[0].items() if repeat == 1},
            **({"runs": runs, "median": {k: statistics.median(v) for k, v in figures.items()}}
               if repeat > 1 else {}),
            "note": "catch_up_s: from restarting the stopped validator to its height equal "
                    "to the others' (includes its start-up: process, keys, TLS, peers); "
                    "transfer: from its first fetched block on disk to the last"
                    + ("; each run restarts it from the same copy of its files"
                       if repeat > 1 else ""),
            "machine": {"cores": os.cpu_count(), "python": platform.python_version()}}


async def catch_up_once(c: LocalCluster, target: int, ok: int) -> dict[str, object]:
    """Start the stopped validator and time it to the others' height."""
    db = c.home(3) / "ledger.db"

    def height() -> int:  # read from its database: a catching-up node is busy
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT MAX(height) FROM blocks").fetchone()[0])

    h0 = height()
    c.start(3)
    t0 = time.perf_counter()
    t_first = None  # when the first fetched block is on disk: the node is up
    while (h := height()) < target:
        if t_first is None and h > h0:
            t_first = time.perf_counter()
        await asyncio.sleep(0.02)
    took = time.perf_counter() - t0
    t_first = t_first or time.perf_counter()
    transfer = ok / max(1e-3, time.perf_counter() - t_first)
    # how the restarted validator got its blocks: copied from their effects, or executed
    late = await c.client(3)
    st = await late.status()
    await late.close()
    how = {k: st.get(k, 0) for k in ("copied_blocks", "fetched_blocks", "fetch_continued")}
    print(f"caught up in {took:.2f} s: {ok / took:.1f} tx/s", file=sys.stderr, flush=True)
    return {"blocks_behind": target - h0, "catch_up_s": round(took, 2),
            "tx_per_s": round(ok / took, 1), "start_up_s": round(t_first - t0, 2),
            "restarted_validator": how, "transfer_tx_per_s": round(transfer, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--behind", type=int, default=30_000)
    ap.add_argument("--rate", type=int, default=900)
    ap.add_argument("--retry", choices=("hint", "fixed"), default="hint",
                    help="on busy, wait as long as the validator says, or a fixed 0.2 s")
    ap.add_argument("--alternate", metavar="VAR=VALUE",
                    help="with --repeat: every second restart with this variable set")
    ap.add_argument("--repeat", type=int, default=1,
                    help="catch up this many times, each from the same copy of the stopped "
                         "validator's files (one load phase; the median is printed)")
    args = ap.parse_args()
    if args.alternate and ("=" not in args.alternate or args.repeat < 2):
        ap.error("--alternate takes VAR=VALUE and needs --repeat 2 or more")
    with tempfile.TemporaryDirectory() as tmp:
        c = LocalCluster(Path(tmp), n=4, env={})
        c.start_all()
        try:
            out = asyncio.run(bench(c, args.behind, args.rate, args.retry, args.repeat,
                                    args.alternate))
            print(json.dumps(out, indent=1))
        finally:
            c.stop_all()


if __name__ == "__main__":
    main()
