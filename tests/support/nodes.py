"""Helpers for tests that run validator ``Node`` objects in one process: fresh signed
requests, waiting for a condition, committing blocks, stopping nodes, failing COMMITs."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.consortium import init
from node import codec, crypto
from node.cardfile import new_card_number
from node.consortium import Consortium
from node.ledger.builder import Builder
from node.service import Node
from tests.support import waiting
from tests.support.cluster import free_ports
from tests.support.world import World


def fresh_texts(n: int, forged: int = 0) -> list[str]:
    """Signed transaction texts this process has never decoded (a new world's keys), the
    last ``forged`` of them with a signature that does not verify."""
    w = World()
    out = [w.issue_tx(deposit=1_000 + i)[0].encode().decode() for i in range(n + forged)]
    for i in range(n, n + forged):
        wire = codec.decode(out[i].encode())
        sig = wire["sigs"][0][1]
        wire["sigs"][0][1] = sig[:-2] + ("00" if sig[-2:] != "00" else "11")
        out[i] = codec.encode(wire).decode()
    return out


@contextlib.contextmanager
def failing_commits(store: Any, times: int) -> Iterator[list[int]]:
    """The next ``times`` outermost transactions of this store fail at COMMIT (a full
    disk): SQLite rolls the whole transaction back."""
    real = store.db.atomic
    failed: list[int] = []

    @contextlib.contextmanager
    def atomic() -> Iterator[Any]:
        outer = not store.conn.in_transaction
        with real() as db:
            yield db
            if outer and len(failed) < times:
                failed.append(store.height())
                raise sqlite3.OperationalError("database or disk is full")

    store.db.atomic = atomic
    try:
        yield failed
    finally:
        store.db.atomic = real


def service_stale_s() -> float:
    from node.net import transport

    return float(transport.STALE_S)


async def until(cond: Any, timeout: float = 60, what: str = "the condition") -> None:
    """Until ``cond()`` holds (tests/support/waiting.py), as a TimeoutError."""
    try:
        await waiting.until(cond, timeout, what)
    except waiting.Timeout as exc:
        raise TimeoutError(str(exc)) from None


async def commit_blocks(nodes: list[Node], count: int, per_block: int) -> None:
    """``count`` blocks of fresh requests from height 0, submitted round-robin, each waited
    for on every node."""
    texts = fresh_texts(count * per_block)
    for k in range(count):
        for i, t in enumerate(texts[per_block * k: per_block * (k + 1)]):
            nodes[i % len(nodes)].submit(t)
        await until(lambda k=k: all(n.height > k for n in nodes), 20)


async def commit_more(nodes: list[Node]) -> None:
    """One fresh request per node, until every one of them has gone past the highest
    height any had."""
    h0 = max(n.height for n in nodes)
    for n, t in zip(nodes, fresh_texts(len(nodes)), strict=True):
        n.submit(t)
    await until(lambda: all(n.height > h0 for n in nodes), 20)


async def stop_all(nodes: list[Node]) -> None:
    for n in nodes:
        with contextlib.suppress(Exception):
            await n.stop()


def card_business(cons: Any) -> tuple[list[str], Callable[[int], list[str]]]:
    """Four card numbers, and the requests of batch k on them: the cards issued (k = 0),
    then topped up by 100 * k fen each (state each batch reads from the ones before)."""
    build, clerk = Builder(cons.genesis.chain_id), cons.key("clerk-EHB-1")
    bin6 = next(b["bin"] for b in cons.genesis.banks if b["id"] == "EHB")
    cards = [new_card_number(bin6) for _ in range(4)]

    def business(batch: int) -> list[str]:
        now = int(time.time() * 1000)
        if batch == 0:
            txs = [build.make("issue_card", {"card": c, "bank": "EHB", "named": False,
                                             "public_key": crypto.generate().public,
                                             "expires": now + 86_400_000, "deposit": 1_000},
                              now, clerk) for c in cards]
        else:
            txs = [build.make("top_up", {"card": c, "amount": 100 * batch}, now, clerk)
                   for c in cards]
        return [t.encode().decode() for t in txs]

    return cards, business


NODE_PASS = "node-test"


def local_consortium(home: Path, passphrase: str) -> Consortium:
    """Four validators on free loopback ports, a genesis a minute old, a cheap key KDF."""
    hosts = ",".join(f"127.0.0.1:{p}" for p in free_ports(4))
    return init(home, passphrase, hosts=hosts, genesis_time=int(time.time() * 1000) - 60_000,
                kdf_n=2**10)


async def leave_one_behind(nodes: list[Node], business: Callable[[int], list[str]],
                           batches: int) -> None:
    """Validators 0-2 commit ``batches`` batches of ``business`` while the last is down (the
    peers then drop what they queued for it); it starts, and new requests show it that it
    is behind."""
    for n in nodes[:3]:
        await n.start()
    for k in range(batches):
        for i, t in enumerate(business(k)):
            nodes[i % 3].submit(t)
        await until(lambda k=k: all(n.height > k for n in nodes[:3]), 20)
    await asyncio.sleep(service_stale_s() + 0.5)  # not a wait: queued frames must age
    await nodes[3].start()
    for i, t in enumerate(fresh_texts(6)):
        nodes[i % 3].submit(t)
        await asyncio.sleep(0.05)  # not a wait: requests paced, one per step


def run_nodes(nodes: list[Node], scenario: Callable[[], Any], timeout: float = 60) -> None:
    """``scenario()`` within ``timeout``, then every node stopped in the same loop (stopping
    them in a second ``asyncio.run`` left the first one to cancel their tasks at its close,
    which once hung a test for minutes)."""
    async def main() -> None:
        try:
            await asyncio.wait_for(scenario(), timeout)
        finally:
            await stop_all(nodes)

    asyncio.run(main())
