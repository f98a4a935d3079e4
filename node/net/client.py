"""A client of a node's endpoint (used by the CLI, tests, benchmarks and the desktop app).

Its errors are node/errors.py's (re-exported here): ``Refused`` and ``Busy`` from the
node's answer, ``ClientError`` when no answer came."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from node import protocol, tls
from node.crypto import KeyStore
from node.errors import Busy, ClientError, Refused, error_of

__all__ = ["Busy", "Client", "ClientError", "Refused"]
from node.ledger.tx import Tx
from node.net.framing import FrameError, pack, read_obj


class Client:
    def __init__(self, home: Path, identity: str, keys: KeyStore) -> None:
        self.home, self.identity, self.keys = Path(home), identity, keys
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._progress: dict[int, Callable[[dict[str, Any]], None]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader_task: asyncio.Task[None] | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self, host: str, port: int, timeout: float = 5.0) -> None:
        ctx = tls.client_context(self.home / "tls" / "ca.pem",
                                 self.home / "tls" / f"{self.identity}.crt",
                                 self.keys.path(self.identity), self.keys.password)
        async with asyncio.timeout(timeout):
            reader, self._writer = await asyncio.open_connection(host, port, ssl=ctx)
        self._reader_task = asyncio.create_task(self._read(reader))

    @classmethod
    async def connect_when_up(cls, home: Path, identity: str, keys: KeyStore, host: str,
                              port: int, *, timeout: float = 20.0) -> Client:
        """Connect to a node that may still be starting: retry until it answers ``status``
        or ``timeout`` seconds pass (then the last error is raised)."""
        deadline = time.monotonic() + timeout
        while True:
            c = cls(home, identity, keys)
            try:
                await c.connect(host, port, timeout=2)
                await c.status()
                return c
            except (OSError, TimeoutError, ClientError):
                await c.close()
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
            except BaseException:  # cancelled: its reader goes with it
                await asyncio.shield(c.close())
                raise

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                msg = await read_obj(reader)
                if "stage" in msg:  # progress of a request still under way
                    cb = self._progress.get(msg.get("rid", -1))  # type: ignore[arg-type]
                    if cb is not None:
                        cb(msg)
                    continue
                fut = self._waiting.pop(msg.get("rid", -1), None)  # type: ignore[arg-type]
                if fut is not None and not fut.done():
                    fut.set_result(msg)
                elif msg.get("op") in ("block", "attested"):
                    self.events.put_nowait(msg)
        except (asyncio.IncompleteReadError, ConnectionError, FrameError, OSError):
            pass
        finally:
            for fut in self._waiting.values():
                if not fut.done():
                    fut.set_exception(ClientError("connection to the node closed"))
            self._waiting.clear()

    def is_open(self) -> bool:
        """Connected, and the connection not closing."""
        return self._writer is not None and not self._writer.is_closing()

    async def call(self, op: str, timeout: float = 60.0,
                   on_progress: Callable[[dict[str, Any]], None] | None = None,
                   **kw: Any) -> dict[str, Any]:
        """One request and its reply; ``on_progress`` gets the node's interim messages
        (a submission's "ordered" stage) and asks for them."""
        if not self.is_open():
            raise ClientError("not connected")
        rid = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[rid] = fut
        if on_progress is not None:
            self._progress[rid] = on_progress
            kw["progress"] = True
        self._writer.write(pack({"rid": rid, "op": op, **kw}))
        try:
            await self._writer.drain()
            async with asyncio.timeout(timeout):  # (never swallows a cancellation)
                reply = await fut
        finally:
            self._progress.pop(rid, None)
        if not reply.get("ok"):
            raise error_of(reply)
        return reply

    async def send(self, request: protocol.Request, *, timeout: float = 60.0,
                   on_progress: Callable[[dict[str, Any]], None] | None = None) \
            -> dict[str, Any]:
        """A typed request (node/protocol.py); its reply, or the error it stands for."""
        wire = protocol.to_wire(request)
        return await self.call(wire.pop("op"), timeout=timeout, on_progress=on_progress,
                               **wire)

    async def submit(self, tx: Tx, wait_ms: int = 30_000, *,
                     retry_busy: bool = True) -> dict[str, Any]:
        """The receipt once ``tx`` is decided.  A busy validator is asked again after the
        pause it names, within ``wait_ms`` (unless ``retry_busy`` is off); then ``Busy``
        says that nothing was ordered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_ms / 1000
        text = tx.encode().decode("utf-8")
        while True:
            left = max(0, int((deadline - loop.time()) * 1000))
            try:
                reply = await self.send(protocol.Submit(text, left),
                                        timeout=left / 1000 + 5)
                return dict(reply["receipt"])
            except Busy as exc:
                pause = exc.pause_s()
                if not retry_busy or loop.time() + pause >= deadline:
                    raise
                await asyncio.sleep(pause)

    async def query(self, q: str, **kw: Any) -> Any:
        return (await self.send(protocol.Query(q, kw)))["result"]

    async def status(self, stages_s: int | None = None) -> dict[str, Any]:
        return dict((await self.send(protocol.Status(stages_s), timeout=10))["status"])

    async def subscribe(self) -> None:
        if self._writer is None:
            raise ClientError("not connected")
        self._writer.write(pack({"rid": 0, "op": "subscribe"}))
        await self._writer.drain()

    async def close(self) -> None:
        if self._reader_task:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader_task
        if self._writer:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
