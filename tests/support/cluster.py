"""Real validator processes on 127.0.0.1 for cluster tests: start, kill, restart, clean up."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.consortium import DEMO_PASSPHRASE, init
from app.runner import free_ports, spawn_node
from node import crypto
from node.cardfile import new_card_number
from node.consortium import Consortium
from node.ledger.builder import Builder
from node.ledger.tx import Tx
from node.net.client import Client
from tests.support.waiting import apoll, poll

FAST = {"CARDCHAIN_REQUEST_TIMEOUT_MS": "1500",
        "CARDCHAIN_LOG_LEVEL": os.environ.get("CARDCHAIN_LOG_LEVEL", "INFO"),
        "CARDCHAIN_CHECKPOINT_INTERVAL": "10",
        "CARDCHAIN_WINDOW": "40"}


class LocalCluster:
    def __init__(self, root: Path, n: int = 4, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.env = FAST if env is None else env
        ports = free_ports(n)
        hosts = ",".join(f"127.0.0.1:{p}" for p in ports)
        self.cons: Consortium = init(root / "cons", DEMO_PASSPHRASE, validators=n,
                                     hosts=hosts, genesis_time=int(time.time() * 1000) - 60_000,
                                     kdf_n=2**10)
        self.n = n
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.builder = Builder(self.cons.genesis.chain_id)
        self.keys = {name: self.cons.key(name) for name in self.cons.keys.names()}

    def home(self, i: int) -> Path:
        return self.cons.home / "nodes" / f"validator-{i}"

    def start(self, i: int) -> None:
        self.procs[i] = spawn_node(self.home(i), DEMO_PASSPHRASE,
                                   log_file=self.home(i) / "node.log", env=self.env)

    def start_all(self) -> None:
        for i in range(self.n):
            self.start(i)

    def kill(self, i: int) -> None:
        p = self.procs.pop(i)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)

    def stop_all(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs.clear()

    def addr(self, i: int) -> tuple[str, int]:
        v = self.cons.genesis.validators[i]
        return v["host"], int(v["port"])

    async def client(self, i: int, identity: str = "clerk-EHB-1",
                     timeout: float = 20.0) -> Client:
        return await Client.connect_when_up(self.cons.home, identity, self.cons.keys,
                                            *self.addr(i), timeout=timeout)

    # --- transactions -----------------------------------------------------------------------

    def issue(self, deposit: int = 100_000) -> tuple[Tx, str, crypto.SigningKey]:
        number, key = new_card_number("621483"), crypto.generate()
        now = int(time.time() * 1000)
        tx = self.builder.make("issue_card", {
            "card": number, "bank": "EHB", "public_key": key.public, "named": False,
            "expires": now + 10**10, "deposit": deposit}, now, self.keys["clerk-EHB-1"])
        return tx, number, key

    async def issue_cards(self, clients: list[Client], n: int, deposit: int = 100_000) \
            -> list[tuple[str, crypto.SigningKey]]:
        """``n`` anonymous cards issued through the given clients, 200 at a time (a
        validator holds a few hundred pending requests before it says "busy")."""
        cards: list[tuple[str, crypto.SigningKey]] = []
        for start in range(0, n, 200):
            batch = [self.issue(deposit=deposit) for _ in range(min(200, n - start))]
            rs = await asyncio.gather(*[clients[k % len(clients)].submit(t)
                                        for k, (t, _, _) in enumerate(batch)])
            assert all(r["code"] == "ok" for r in rs), rs[0]
            cards += [(number, key) for _, number, key in batch]
        return cards

    def pay(self, number: str, key: crypto.SigningKey, order: str) -> Tx:
        now = int(time.time() * 1000)
        body: dict[str, Any] = {"terminal": "M001-T01", "card": number, "order": order,
                                "items": [{"sku": "TEA-250", "qty": 1}], "amount": 4800}
        return self.builder.make("pay", body, now, self.keys["terminal-M001-T01"], key)


@contextlib.contextmanager
def running_cluster(root: Path, **kw: Any) -> Iterator[LocalCluster]:
    """A started cluster; afterwards every validator is stopped (a paused one resumed
    first) and no process mentioning ``root`` may be left: not the nodes, not their
    signature-checking workers (forked; a SIGKILLed node used to leave them blocked)."""
    c = LocalCluster(root, **kw)
    c.start_all()
    try:
        yield c
    finally:
        for p in c.procs.values():
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(signal.SIGCONT)
        c.stop_all()
    left = poll(lambda: processes_mentioning(str(root)), lambda x: not x, timeout=10)
    assert not left, f"processes left running: {left}"


async def wait_connected(clients: list[Client], timeout: float = 20.0) -> None:
    """Until every node reports links to all the others these clients reach (the cluster,
    or what runs of it, is ready; a link to a stopped validator reports it down)."""
    def connected(sts: list[dict[str, Any]]) -> bool:
        live = {str(s["id"]) for s in sts}
        return all(all(up for j, up in s["peers"].items() if j in live) for s in sts)

    await apoll(lambda: _statuses(clients), connected, timeout=timeout, every=0.1)


async def wait_heights_equal(clients: list[Client], at_least: int,
                             timeout: float = 30.0) -> list[dict[str, Any]]:
    def level(sts: list[dict[str, Any]]) -> bool:
        hs = {s["height"] for s in sts}
        return len(hs) == 1 and min(hs) >= at_least

    return await apoll(lambda: _statuses(clients), level, timeout=timeout, every=0.2)


async def _statuses(clients: list[Client]) -> list[dict[str, Any]]:
    return [await c.status() for c in clients]


def env_passphrase() -> dict[str, str]:
    return {**os.environ, "CARDCHAIN_PASSPHRASE": DEMO_PASSPHRASE}


def processes_mentioning(text: str) -> list[int]:
    """Pids of processes whose command line contains ``text`` (from /proc, no pgrep)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmd:
                out.append(int(d.name))
    return out


async def connect_all(c: LocalCluster, ids: list[int] | None = None) -> list[Client]:
    """Clients of the given validators (all by default), once they are linked together."""
    cs = [await c.client(i) for i in (ids if ids is not None else range(c.n))]
    await wait_connected(cs)
    return cs


async def close_all(clients: list[Client]) -> None:
    for cl in clients:
        await cl.close()


async def block_hashes(clients: list[Client]) -> list[list[list[object]]]:
    return [await cl.query("blocks", **{"from": 0}) for cl in clients]
