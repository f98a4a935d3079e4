"""Faults against real validator processes on loopback, as a Jepsen nemesis injects them.

* ``Relay``: the TCP path from one validator to another (TLS passes through it unread).
  Cut, it closes every connection and refuses new ones; delayed, it holds each chunk.  With
  a relay on every directed link, partitions are real: a validator dials its peers at the
  relays' ports (``CARDCHAIN_PEER_ADDRESSES``), and every process keeps its own address.
* ``ChaosCluster``: a ``LocalCluster`` behind relays, with the process faults: kill,
  pause, restart, wipe (the database deleted), and a full disk (``RLIMIT_FSIZE`` set on the
  running process with prlimit: its next write past the current size fails, as on a full
  filesystem; lifted, the space is back).
* ``byzantine``: a validator's real keys driven by the harness: far-future PRE-PREPAREs of
  1 MiB, CHECKPOINTs at thousands of distinct heights, SUSPECTs and VIEW-CHANGEs for huge
  views, FETCHes whose replies it never reads, replies nobody asked for, frames announced
  at 120 MiB, and junk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import ssl
from pathlib import Path
from typing import Any

from node import tls
from node.consensus.messages import Checkpoint, PrePrepare, Suspect, ViewChange, batch_digest
from node.net.framing import PEER_MAX_FRAME, pack
from node.peer_frames import pbft_frame
from tests.support.cluster import FAST, LocalCluster


class Relay:
    """Bytes from validator ``src`` to validator ``dst``, which listens on ``target``."""

    def __init__(self, src: int, dst: int, target: int) -> None:
        self.src, self.dst, self.target = src, dst, target
        self.cut = False
        self.delay = 0.0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.set_cut(True)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def set_cut(self, cut: bool) -> None:
        self.cut = cut
        if cut:
            for t in list(self._conns):
                t.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        up: asyncio.StreamWriter | None = None
        try:
            if self.cut:
                return
            assert task is not None
            self._conns.add(task)
            up_reader, up = await asyncio.open_connection("127.0.0.1", self.target)
            pumps = [asyncio.ensure_future(self._pump(reader, up)),
                     asyncio.ensure_future(self._pump(up_reader, writer))]
            try:
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for p in pumps:
                    p.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._conns.discard(task)
            for w in (writer, up):
                if w is not None:
                    w.close()

    async def _pump(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await r.read(1 << 16):
                if self.delay:
                    await asyncio.sleep(self.delay)  # not a wait: the link's added latency
                w.write(data)
                await w.drain()


class ChaosCluster(LocalCluster):
    """Validators whose links to each other all pass through relays in this process."""

    def __init__(self, root: Path, n: int = 4, env: dict[str, str] | None = None) -> None:
        super().__init__(root, n, {**FAST, **(env or {})})
        self.relays: dict[tuple[int, int], Relay] = {}
        self.paused: set[int] = set()

    async def start_relays(self) -> None:
        for a in range(self.n):
            for b in range(self.n):
                if a != b:
                    relay = Relay(a, b, self.addr(b)[1])
                    await relay.start()
                    self.relays[(a, b)] = relay

    async def stop_relays(self) -> None:
        for relay in self.relays.values():
            await relay.stop()

    def start(self, i: int) -> None:
        peers = ",".join(f"{b}=127.0.0.1:{self.relays[(i, b)].port}"
                         for b in range(self.n) if b != i)
        base = self.env
        self.env = {**base, "CARDCHAIN_PEER_ADDRESSES": peers}
        try:
            super().start(i)
        finally:
            self.env = base

    # --- links ------------------------------------------------------------------------------

    def isolate(self, i: int, cut: bool = True) -> None:
        """Every link to and from validator ``i`` cut (or mended)."""
        for (a, b), relay in self.relays.items():
            if i in (a, b):
                relay.set_cut(cut)

    def delay(self, i: int, seconds: float) -> None:
        for (a, b), relay in self.relays.items():
            if i in (a, b):
                relay.delay = seconds

    def heal(self) -> None:
        for relay in self.relays.values():
            relay.set_cut(False)
            relay.delay = 0.0

    # --- processes --------------------------------------------------------------------------

    def pid(self, i: int) -> int:
        return self.procs[i].pid

    def pause(self, i: int) -> None:
        os.kill(self.pid(i), signal.SIGSTOP)
        self.paused.add(i)

    def resume(self, i: int) -> None:
        os.kill(self.pid(i), signal.SIGCONT)
        self.paused.discard(i)

    def terminate(self, i: int) -> None:
        p = self.procs.pop(i)
        p.terminate()
        p.wait(timeout=20)

    def wipe(self, i: int) -> None:
        """Killed, its ledger deleted (it rebuilds from its peers when started)."""
        self.kill(i)
        for f in self.home(i).glob("ledger.db*"):
            os.remove(f)

    def fill_disk(self, i: int) -> None:
        """Its files may grow no further than the largest of them now plus 32 KiB."""
        biggest = max((f.stat().st_size for f in self.home(i).glob("ledger.db*")), default=0)
        limit = biggest + (32 << 10)
        resource.prlimit(self.pid(i), resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    def free_disk(self, i: int) -> None:
        if i in self.procs:
            resource.prlimit(self.pid(i), resource.RLIMIT_FSIZE,
                             (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    def rss_mib(self, i: int) -> float:
        try:
            for line in Path(f"/proc/{self.pid(i)}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except (OSError, KeyError):
            pass
        return 0.0


# --- a Byzantine validator with real keys ------------------------------------------------------


def _ctx(c: LocalCluster, identity: str) -> ssl.SSLContext:
    home = c.cons.home
    return tls.client_context(home / "tls" / "ca.pem", home / "tls" / f"{identity}.crt",
                              c.cons.keys.path(identity), c.cons.keys.password)


def attack_frames(c: LocalCluster, me: int, view: int, height: int) -> list[bytes]:
    """One round of what a Byzantine validator sends each honest peer: everything signed
    with its real key (so it passes the signature checks and reaches the bounds)."""
    key = c.keys[f"validator-{me}"]
    filler = c.issue()[0].encode().decode()
    batch = (filler,) * max(1, (1 << 20) // len(filler))  # ~1 MiB of requests
    out: list[bytes] = []
    n = c.n
    for k in range(1, 9):  # far-future views in which it is primary: stashed, bounded
        v = view + k * n + (me - view) % n
        pp = PrePrepare(me, "", v, height + k, 1, batch_digest(height + k, 1, batch), batch)
        out.append(pbft_frame(pp.signed(key)))
    for k in range(2_000):  # checkpoints at distinct far heights: one kept per sender
        cp = Checkpoint(me, "", view, (height // 10 + 10_000 + k) * 10, "ab" * 32)
        out.append(pbft_frame(cp.signed(key)))
    for v in (view, view + 1, 2**62):
        out.append(pbft_frame(Suspect(me, "", v, height).signed(key)))
        vc = ViewChange(me, "", v + 1, height, 0, (), (), (), ())
        out.append(pbft_frame(vc.signed(key)))
    for k in range(200):  # fetches it never reads the replies of
        out.append(pack({"t": "fetch", "first": 1 + k, "last": 10_000, "effects": True}))
    blocks = [{"height": height + 1, "cert": "c", "txs": [filler] * 2_000}]
    out.append(pack({"t": "blocks", "blocks": blocks, "more": False}, PEER_MAX_FRAME))
    out.append(pack({"t": "pbft", "m": {"kind": "nonsense"}}))
    return out


async def byzantine(c: LocalCluster, me: int, stop: asyncio.Event,
                    stats: dict[str, Any]) -> None:
    """Validator ``me``'s keys attack its peers until ``stop``: it listens on its own
    address and never reads (replies pile up on the peers' side), and dials each peer
    with rounds of ``attack_frames``, ending each connection with a 120 MiB frame header."""
    home = c.cons.home
    server_ctx = tls.server_context(home / "tls" / "ca.pem",
                                    home / "tls" / f"validator-{me}.crt",
                                    c.cons.keys.path(f"validator-{me}"), c.cons.keys.password)
    held: list[asyncio.StreamWriter] = []

    async def never_read(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        held.append(w)

    server = await asyncio.start_server(never_read, *c.addr(me), ssl=server_ctx,
                                        reuse_address=True)
    ctx = _ctx(c, f"validator-{me}")
    try:
        while not stop.is_set():
            for peer in range(c.n):
                if peer == me or stop.is_set():
                    continue
                try:
                    st = await _status_of(c, peer)
                    frames = attack_frames(c, me, int(st["view"]), int(st["height"]))
                    _, w = await asyncio.wait_for(
                        asyncio.open_connection(*c.addr(peer), ssl=ctx), 5)
                    for f in frames:
                        w.write(f)
                        await asyncio.wait_for(w.drain(), 10)
                    w.write((120 << 20).to_bytes(4, "big") + b"x" * 1024)
                    await asyncio.wait_for(w.drain(), 10)
                    w.close()
                    stats["rounds"] = stats.get("rounds", 0) + 1
                except (OSError, TimeoutError, ssl.SSLError, ConnectionError, KeyError):
                    stats["failed"] = stats.get("failed", 0) + 1
                await asyncio.sleep(0.2)  # not a wait: the Byzantine rounds' pace
    finally:
        server.close()
        for w in held:
            w.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)


async def _status_of(c: LocalCluster, i: int) -> dict[str, Any]:
    cl = await c.client(i, timeout=5)
    try:
        return await cl.status()
    finally:
        await cl.close()
