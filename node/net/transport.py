"""Peer links and the listening server.

Every validator dials every other validator and uses that connection to send; what it
receives arrives on the connections the others dialled. Each outbound link has a bounded
queue (oldest frames dropped past a byte budget, except those sent with ``keep`` — a
VIEW-CHANGE or NEW-VIEW, which under load is bigger than the budget and would otherwise be
dropped by the next small frame before it is written — and frames older than a few seconds
dropped when the connection comes back: consensus recovers lost messages, and a peer that
was down catches up by state transfer instead of being flooded with stale requests and
votes) and reconnects with exponential backoff. The server identifies each connection by
its TLS certificate: a validator whose certificate name and key match genesis is a peer,
any other identity of the consortium is a client, anything else is dropped. A malformed or
oversize frame closes that one connection and is logged; it never reaches the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable

from node import tls
from node.net import tasks
from node.net.framing import PEER_MAX_FRAME, FrameError, read_frame

log = logging.getLogger("cardchain.net")

QUEUE_BYTES = 4 << 20  # a few seconds of traffic at full load
STALE_S = 2.0          # frames queued longer than this before a (re)connection are dropped


class PeerLink:
    """The sending side of the connection to one peer."""

    def __init__(self, peer: int, host: str, port: int, ctx: ssl.SSLContext,
                 expect: tuple[str, str]) -> None:
        self.peer, self.host, self.port, self.ctx, self.expect = peer, host, port, ctx, expect
        # (monotonic time queued, frame, kept past the byte budget)
        self.queue: deque[tuple[float, bytes, bool]] = deque()
        self.queued_bytes = 0  # of the frames the budget may drop
        self.kept_bytes = 0  # of the frames kept past it (view changes, block replies)
        self.wake = asyncio.Event()
        self.connected = False
        self.dropped = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"peer-link-{self.peer}")

    async def stop(self) -> None:
        if self._task:
            await tasks.stop([self._task])

    def send(self, data: bytes, *, keep: bool = False) -> None:
        self.queue.append((time.monotonic(), data, keep))
        if keep:
            self.kept_bytes += len(data)
        else:
            self.queued_bytes += len(data)
            while self.queued_bytes > QUEUE_BYTES and self._drop_oldest_droppable():
                pass
        self.wake.set()

    def _pop(self) -> bytes:
        _, data, keep = self.queue.popleft()
        if keep:
            self.kept_bytes -= len(data)
        else:
            self.queued_bytes -= len(data)
        return data

    def _drop_oldest_droppable(self) -> bool:
        """Drop the oldest frame the budget may drop, never the newest one."""
        for i in range(len(self.queue) - 1):
            _, data, keep = self.queue[i]
            if not keep:
                del self.queue[i]
                self.queued_bytes -= len(data)
                self.dropped += 1
                return True
        return False

    def _drop_oldest(self) -> None:
        self._pop()
        self.dropped += 1

    def drop_stale(self) -> None:
        old = time.monotonic() - STALE_S
        while self.queue and self.queue[0][0] < old:
            self._drop_oldest()

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            writer = None
            closed: asyncio.Future[bytes] | None = None
            try:
                async with asyncio.timeout(5):
                    reader, writer = await asyncio.open_connection(self.host, self.port,
                                                                   ssl=self.ctx)
                who = tls.peer_identity(writer.get_extra_info("ssl_object"))
                if who != self.expect:
                    log.warning("peer %s presented %s, expected %s: dropped",
                                self.peer, who and who[0], self.expect[0])
                    raise ConnectionError("wrong peer certificate")
                self.connected = True
                self.drop_stale()
                log.debug("link to %s connected", self.peer)
                backoff = 0.05
                # the peer never writes on this connection: a read that returns means it
                # closed it (its process stopped or died).  Seen at once, not at the next
                # write: the first frames written to a peer that had died were lost (a
                # restarted validator missed the answers to its STATUS).
                closed = asyncio.ensure_future(reader.read(1))
                closed.add_done_callback(lambda _f: self.wake.set())
                while True:
                    if not self.queue:
                        self.wake.clear()
                        if not closed.done():
                            await self.wake.wait()
                    if closed.done():
                        raise ConnectionError("the peer closed the connection")
                    chunk = []
                    while self.queue and len(chunk) < 512:
                        chunk.append(self._pop())
                    writer.write(b"".join(chunk))
                    await writer.drain()
            except asyncio.CancelledError:
                raise
            except (TimeoutError, OSError, ConnectionError, ssl.SSLError) as exc:
                log.debug("link to %s: %s", self.peer, exc)
            finally:
                self.connected = False
                if closed is not None:
                    if closed.done() and not closed.cancelled():
                        closed.exception()  # a reset: seen, not left unretrieved
                    closed.cancel()
                if writer is not None:
                    writer.close()
                    with contextlib.suppress(Exception):
                        await writer.wait_closed()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 0.5)


PeerHandler = Callable[[int, bytes], None]
ClientHandler = Callable[[str, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    def __init__(self, host: str, port: int, ctx: ssl.SSLContext,
                 validators: dict[str, tuple[int, str]], clients: dict[str, str],
                 on_peer: PeerHandler, on_client: ClientHandler) -> None:
        self.host, self.port, self.ctx = host, port, ctx
        self.validators = validators  # name -> (replica id, public key)
        self.clients = clients        # name -> public key
        self.on_peer, self.on_client = on_peer, on_client
        self.bad_frames = 0
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port,
                                                  ssl=self.ctx, reuse_address=True)

    async def stop(self) -> None:
        if self._server:
            self._server.close()
        for t in list(self._conns):
            t.cancel()
        if self._server:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._conns.add(task)
        try:
            who = tls.peer_identity(writer.get_extra_info("ssl_object"))
            if who is None:
                self.refused += 1
                return
            name, public = who
            if name in self.validators and self.validators[name][1] == public:
                log.debug("peer %s connected", name)
                await self._peer_loop(self.validators[name][0], reader)
            elif name in self.clients and self.clients[name] == public:
                await self.on_client(name, reader, writer)
            else:
                self.refused += 1
                log.warning("refused a connection presenting %r", name)
        except FrameError as exc:
            self.bad_frames += 1
            log.warning("closed a connection: %s", exc)
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            if task is not None:
                self._conns.discard(task)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()

    async def _peer_loop(self, peer: int, reader: asyncio.StreamReader) -> None:
        while True:
            data = await read_frame(reader, PEER_MAX_FRAME)
            self.on_peer(peer, data)
