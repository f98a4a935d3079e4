"""GUI responsiveness: a window (the regulator's by default, its own observer node
executing every block; ``--window terminal-M001-T01`` for a till on its light node) while
4 validator processes commit payments from a load generator.  Measures the time from
launching `cardchain app` to a usable window (shown, node caught up with the chain), the
longest stall of the window's event loop (a 5 ms Qt timer's lateness) under the load, and
how long a till's light node takes to get a points offer f+1 validators signed, for a card
presented at the till, every 200 ms of the run ("offer_ms").  Prints JSON.

    python bench/gui_responsiveness.py [--rate 1000] [--seconds 20] [--window IDENTITY]

Targets (issue 6): stall under 100 ms, start under 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.flows import my_card_query
from node.light import LightNode
from node.net.client import ClientError
from tests.support.cluster import LocalCluster, env_passphrase, wait_connected

ROOT = Path(__file__).resolve().parent.parent


async def offers(c: LocalCluster, card: tuple[str, Any], stop: asyncio.Event,
                 out: list[float]) -> None:
    """A till's light node asks for a points offer every 200 ms, the card signing each."""
    node = LightNode(c.cons, "terminal-M001-T01", c.root / "bench-till")
    await node.start()
    try:
        await asyncio.wait_for(node.connected.wait(), 20)
        items = [{"sku": "TEA-250", "qty": 1}, {"sku": "MOON-BOX", "qty": 1}]
        while not stop.is_set():
            t = time.perf_counter()
            await node.ask("offer", {"items": items, "banks": ["EHB"], **my_card_query(
                card[0], card[1], int(time.time() * 1000), "offer")})
            out.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.2)
    finally:
        await node.stop()


async def load(c: LocalCluster, rate: int, seconds: int, app_ready: Path,
               window: str) -> dict[str, object]:
    clients = [await c.client(i) for i in range(c.n)]
    await wait_connected(clients)
    total = rate * seconds
    n_cards = total // 20 + 1  # an anonymous card holds 1,000 CNY at most
    cards = await c.issue_cards(clients, n_cards)
    pays = [c.pay(*cards[k % len(cards)], f"G{k}") for k in range(total)]
    # launch the app now that the chain has some history, and time it
    env = {**env_passphrase(), "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM",
                                                                 "offscreen")}
    log_path = os.environ.get("GUI_BENCH_LOG")  # the app's log, to look into a run
    app_log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    t_launch = time.time()
    app = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "app", "--home",
         str(c.cons.home / "nodes" / window), "--measure", str(app_ready),
         "--quit-after", str(seconds + 3), "--lang", "en"],
        env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=app_log)
    deadline = time.monotonic() + 60
    while not app_ready.exists():
        if time.monotonic() > deadline or app.poll() is not None:
            app.kill()
            raise RuntimeError("the app did not become usable")
        await asyncio.sleep(0.05)
    ready = json.loads(app_ready.read_text())
    codes: dict[str, int] = {}

    async def one(k: int) -> None:
        try:
            r = await clients[k % c.n].submit(pays[k], wait_ms=60_000)
            codes[r["code"]] = codes.get(r["code"], 0) + 1
        except (ClientError, TimeoutError):
            codes["error"] = codes.get("error", 0) + 1

    offer_ms: list[float] = []
    stop = asyncio.Event()
    asker = asyncio.create_task(offers(c, cards[0], stop, offer_ms))
    start = time.perf_counter()
    tasks = []
    for k in range(total):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    stop.set()
    await asker
    offer_ms.sort()
    heights = [(await cl.status())["height"] for cl in clients]
    for cl in clients:
        await cl.close()
    try:
        app.wait(timeout=60)
    except subprocess.TimeoutExpired:
        app.kill()
        raise
    measured = json.loads(app_ready.read_text())
    return {
        "benchmark": "gui_responsiveness", "window": window,
        "offered_per_s": rate, "seconds": seconds, "results": codes,
        "committed_per_s": round(codes.get("ok", 0) / wall, 1),
        "launch_to_usable_s": round(ready["usable_at"] - t_launch, 2),
        "max_stall_ms": measured["max_stall_ms"], "p99_stall_ms": measured["p99_stall_ms"],
        "stall_samples": measured["ticks"], "app_height": measured["height"],
        "gc_longest_pass_ms": measured["gc_max_ms"],
        "gc_passes_over_20ms": measured["gc_passes_over_20ms"],
        "window_thread_when_late": measured.get("late_in", []),
        "validator_heights": heights,
        "offer_ms": {"n": len(offer_ms),
                     **({"p50": round(offer_ms[len(offer_ms) // 2], 1),
                         "p99": round(offer_ms[len(offer_ms) * 99 // 100], 1),
                         "max": round(offer_ms[-1], 1)} if offer_ms else {})},
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--window", default="regulator-1",
                    help="whose window: regulator-1, clerk-EHB-1, terminal-M001-T01")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        c = LocalCluster(Path(tmp), n=4, env={})
        c.start_all()
        try:
            out = asyncio.run(load(c, args.rate, args.seconds, Path(tmp) / "app.json",
                                   args.window))
        finally:
            c.stop_all()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
