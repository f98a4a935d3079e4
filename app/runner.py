"""Running nodes: one headless node, a local cluster of processes, and `status`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import logging.handlers
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from app import cycles
from app.remote import connect
from node.config import Settings
from node.consortium import Consortium
from node.health import tune_gc, tune_malloc
from node.net.client import Client, ClientError
from node.observer import Observer
from node.procs import die_with_parent
from node.service import Node


def free_ports(n: int) -> list[int]:
    """n loopback ports that are free right now (for local clusters and tests)."""
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def node_identity(home: Path) -> str:
    try:
        return str(json.loads((home / "node.json").read_text())["identity"])
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"cardchain: error: {home} is not a node folder (no node.json)") \
            from exc


LOG_BYTES = 10 * 2**20  # a node's log file rolls over at 10 MiB ...
LOG_BACKUPS = 5         # ... keeping five old ones: a flood of bad connections cannot fill
                        # the disk


def node_logging(level: str, log_file: Path | None, max_bytes: int = LOG_BYTES,
                 backups: int = LOG_BACKUPS) -> None:
    """Log to ``log_file`` (rolled over by size) or, without one, to standard error."""
    fmt = "%(asctime)s %(name)s %(levelname)s %(message)s"
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(log_file, maxBytes=max_bytes,
                                             backupCount=backups, encoding="utf-8")
        if log_file is not None else logging.StreamHandler()]
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), format=fmt,
                        handlers=handlers, force=True)


def run_node(home: Path, passphrase: str, args: argparse.Namespace) -> int:
    log_file = getattr(args, "log_file", None)
    node_logging(str(args.log_level), Path(log_file) if log_file else None)
    identity = node_identity(home)
    cons = Consortium.open(home.parent.parent, passphrase)

    validators = {f"validator-{v['id']}" for v in cons.genesis.validators}
    if identity.startswith("terminal-"):
        print(f"{identity} is a till: its light node runs inside its window (`cardchain app "
              f"--home {home}`); `cardchain node` runs validators and the full observers of "
              "the banks, the clearing house and the regulator", file=sys.stderr)
        return 2
    listen = None
    if getattr(args, "listen", None):
        host, _, port = args.listen.rpartition(":")
        listen = (host, int(port))

    settings = Settings.from_env()  # a bad value stops here with its name (ConfigError)
    if getattr(args, "keep_effects_hours", None) is not None:
        settings = dataclasses.replace(settings, keep_effects_hours=args.keep_effects_hours)
    if getattr(args, "metrics", None):  # a validator's Prometheus endpoint
        settings = dataclasses.replace(settings, metrics=args.metrics)

    async def main() -> None:
        if identity in validators:
            node: Node | Observer = Node(cons, identity, home, settings)
            tune_gc()  # this process is the validator: its collector policy is ours to set
            tune_malloc()  # and so is its allocator's
        else:
            node = Observer(cons, identity, home, listen)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await node.start()
        await stop.wait()
        logging.getLogger("cardchain.node").info("stopping")
        await node.stop()

    asyncio.run(main())
    return 0


def spawn_node(home: Path, passphrase: str, *, log_file: Path | None = None,
               env: dict[str, str] | None = None,
               listen: str | None = None) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, **(env or {}), "CARDCHAIN_PASSPHRASE": passphrase}
    # the child runs in the project's folder: every path it is given must not depend on ours
    home = home.resolve()
    log_file = log_file.resolve() if log_file else None
    # the node writes (and rolls over) its own log; what the interpreter itself prints on a
    # crash goes beside it
    extra = ["--listen", listen] if listen else []
    if log_file:
        extra += ["--log-file", str(log_file)]
    with open(log_file.with_suffix(".stderr") if log_file else os.devnull, "ab") as out:
        # the child holds its own copy of the file; this process keeps none open
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "node", "--home", str(home), *extra],
            env=full_env, stdout=out, stderr=subprocess.STDOUT,
            cwd=str(Path(__file__).resolve().parent.parent), preexec_fn=die_with_parent)


QUICK_EXIT_S = 10.0  # a validator that dies this soon after its start ...
QUICK_EXITS = 5      # ... this many times in a row is left stopped: it would only crash-loop


def run_cluster(home: Path, passphrase: str, args: argparse.Namespace) -> int:
    home = home.resolve()
    cons = Consortium.open(home, passphrase)
    Settings.from_env()  # a bad CARDCHAIN_* value stops here, not in every validator
    homes = [home / "nodes" / f"validator-{v['id']}" for v in cons.genesis.validators]
    procs: dict[int, subprocess.Popen[bytes]] = {}
    started: dict[int, float] = {}
    quick: dict[int, int] = {}
    for i, v in enumerate(cons.genesis.validators):
        procs[i] = spawn_node(homes[i], passphrase, log_file=homes[i] / "node.log")
        started[i], quick[i] = time.monotonic(), 0
        print(f"validator-{v['id']} on {v['host']}:{v['port']} (log: {homes[i] / 'node.log'})")
    print("running; Ctrl-C stops every node")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and procs:
        time.sleep(0.2)
        for i, p in list(procs.items()):
            if p.poll() is None or stopping:
                continue
            # supervise: restart a node that died, unless it cannot even start
            quick[i] = quick[i] + 1 if time.monotonic() - started[i] < QUICK_EXIT_S else 0
            log_file = homes[i] / "node.log"
            if quick[i] >= QUICK_EXITS:
                print(f"validator-{i} exited with code {p.returncode} {QUICK_EXITS} times "
                      f"within {QUICK_EXIT_S:.0f} s of starting; left stopped (see "
                      f"{log_file} and {log_file.with_suffix('.stderr')})")
                del procs[i]
                continue
            print(f"validator-{i} exited with code {p.returncode}; restarting it")
            time.sleep(1.0)
            procs[i] = spawn_node(homes[i], passphrase, log_file=log_file)
            started[i] = time.monotonic()
    if not procs:
        print("no validator left running")
        return 1
    for p in procs.values():
        if p.poll() is None:
            p.terminate()
    for p in procs.values():
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    print("all nodes stopped")
    return 0


async def cluster_status(cons: Consortium, identity: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for v in cons.genesis.validators:
        c = Client(cons.home, identity, cons.keys)
        try:
            await c.connect(v["host"], v["port"], timeout=3)
            out.append(await c.status())
        except (TimeoutError, OSError, ClientError) as exc:
            out.append({"identity": f"validator-{v['id']}", "error": str(exc) or "no answer"})
        finally:
            await c.close()
    return out


def run_status(home: Path, passphrase: str, args: argparse.Namespace) -> int:
    cons = Consortium.open(home, passphrase)
    rows = asyncio.run(cluster_status(cons, args.identity))
    print(f"{'node':<14}{'height':>8}{'view':>6}{'primary':>9}  peers")
    for r in rows:
        if "error" in r:
            print(f"{r['identity']!s:<14}  unreachable: {r['error']}")
            continue
        peers = r.get("peers", {})
        up = ",".join(str(k) for k, ok in peers.items() if ok)  # type: ignore[union-attr]
        changing = "*" if r.get("view_changing") else ""
        print(f"{r['identity']!s:<14}{r['height']!s:>8}{str(r['view']) + changing:>6}"
              f"{r['primary']!s:>9}  connected to {up or 'none'}")
        if r.get("degraded"):
            print(f"{'':<14}  DEGRADED: {r['degraded']}")
    if getattr(args, "stages", False):
        print_stages(rows)
    cycles = asyncio.run(open_cycles(cons, args.identity, int(time.time() * 1000)))
    if cycles:
        print(f"\n{'merchant':<14}{'open cycle':>11}  closes (local time)")
        for merchant, cycle, closes in cycles:
            print(f"{merchant:<14}{cycle:>11}  {closes}")
    return 0


STAGES = ("queue", "prepare", "commit", "execute", "persist")


def print_stages(rows: list[dict[str, object]]) -> None:
    """Each validator's latency budget (node/stages.py), p50 / p99 in milliseconds."""
    print(f"\n{'ms, p50 / p99':<14}" + "".join(f"{s:>15}" for s in STAGES))
    for r in rows:
        stages = r.get("stages")
        if not isinstance(stages, dict):
            continue
        cells = [f"{v['p50_us'] / 1000:.1f} / {v['p99_us'] / 1000:.1f}"
                 if isinstance(v := stages.get(s), dict) else "-" for s in STAGES]
        print(f"{r['identity']!s:<14}" + "".join(f"{c:>15}" for c in cells))


async def open_cycles(cons: Consortium, identity: str, now: int) \
        -> list[tuple[str, int, str]]:
    """(merchant, open cycle, when it closes) for each merchant ``identity`` may see, from
    the first validator that answers; empty when none does or the role sees no merchants."""
    try:
        c = await connect(cons, identity)
    except ClientError:
        return []
    try:
        merchants = await c.query("merchants")
    except (ClientError, OSError, TimeoutError):  # (Refused: this role sees no list)
        return []
    finally:
        await c.close()
    out = []
    for m in merchants:
        cycle = cycles.current(m, cons.genesis, now)
        closes = cycles.local_time(cons.genesis, cycles.closes_at(m, cons.genesis, cycle))
        out.append((str(m["merchant"]), cycle, closes))
    return out
