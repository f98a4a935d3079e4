"""The client endpoint: one TLS session per terminal, clerk, clearing house or regulator.

Requests and replies are frames of canonical JSON carrying the client's ``rid``:

* ``{"op": "submit", "tx": {<transaction>}, "wait_ms": 30000}`` -> ``{"receipt": {...}}`` once
  the transaction is decided (accepted or rejected, with height, position, code, message and
  block hash).  Resubmitting a decided transaction returns the same receipt; a different
  transaction under an id that was already decided is an error.
  A validator at its admission bound answers ``{"ok": false, "refused": true, "busy":
  true, "retry_after_ms": N}`` at once: nothing was ordered, and the client retries after
  about N ms (a decided transaction's receipt is still returned).  Every error reply to a
  request the node did not act on carries ``"refused": true``; "not decided in time" does
  not (the transaction may still be decided).
* ``{"op": "query", "q": ...}`` -> role-scoped answers (a clerk sees its bank's cards, a
  terminal its merchant, the regulator everything).
* ``{"op": "status"}``; ``{"op": "subscribe"}`` -> a ``{"op": "block"}`` frame per block.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from node import access, protocol, receipt
from node.access import role_of
from node.errors import NO_DECISION, NOT_DECIDED, Busy, ClientError, Refused, error_reply
from node.ledger import BlockResult
from node.ledger.errors import Rejected
from node.ledger.tx import MAX_TX_TEXT, wire_id
from node.net.framing import pack, read_obj
from node.requests import Requests

if TYPE_CHECKING:
    from node.crypto import SigningKey
    from node.ledger.genesis import Genesis
    from node.store import Store


class Host(Protocol):
    """What the endpoint serves from: a validator (service.py) or an observer."""

    store: Store | None
    genesis: Genesis
    degraded: str | None  # why this node cannot take transactions now, if it cannot
    requests: Requests  # the transactions it decoded
    signer: tuple[int, SigningKey] | None  # a validator's id and key: it signs replies

    def status(self, stages_s: int | None = None) -> dict[str, Any]: ...

    async def on_db(self, fn: Any, *args: Any) -> Any: ...

    def busy(self) -> int | None:
        """None, or in how many ms a client should try again (the node is full)."""

    def submit(self, text: str, progress: Any = None, *, wait_ms: int = 0) -> None: ...

log = logging.getLogger("cardchain.endpoint")
# how long a receipt query waits for its block's result certificate (f+1 ATTESTs normally
# arrive one message delay after execution) before it answers without it
ATTEST_WAIT_S = 5.0


class Endpoint:
    def __init__(self, node: Host) -> None:
        self.node = node
        self.waiters: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self.subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self.progress: dict[str, list[Callable[[dict[str, Any]], None]]] = {}
        self.attest_waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._reader: sqlite3.Connection | None = None

    # --- sessions -------------------------------------------------------------------------

    async def session(self, name: str, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        role = role_of(name)
        tasks: set[asyncio.Task[None]] = set()

        async def reply(obj: dict[str, Any]) -> None:
            writer.write(pack(obj))
            await writer.drain()

        def interim(obj: dict[str, Any]) -> None:
            """A submission's progress, written at once: a task per message (to wait for
            the drain) cost the validators more than the message did (bench/cluster.py
            committed 13-20 % more without progress).
            The final reply still waits for the drain, so a slow client holds at most one
            such message per request it waits for."""
            if not writer.is_closing():
                writer.write(pack(obj))

        async def handle(req: dict[str, Any]) -> None:
            rid = req.get("rid")
            try:
                result = await self._dispatch(role, req, reply, interim=interim)
                await reply({"rid": rid, "ok": True, **result})
            # "refused": the node did not act on the request (a client may say so for
            # sure); a timeout or an internal error leaves a submission's outcome open
            except Refused as exc:  # (Busy too)
                await reply({"rid": rid, **error_reply(exc)})
            except Rejected as exc:
                await reply({"rid": rid, **error_reply(Refused(exc.message, exc.reason.value))})
            except TimeoutError:
                await reply({"rid": rid, **error_reply(ClientError(NOT_DECIDED))})
            except Exception:  # our bug: log it, tell the client, keep the node up
                log.exception("request %r failed", req.get("op"))
                await reply({"rid": rid, **error_reply(ClientError("internal error (logged)"))})

        try:
            while True:
                req = await read_obj(reader)
                t = asyncio.create_task(handle(req))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
        finally:
            for t in tasks:
                t.cancel()

    async def call(self, identity: str, req: dict[str, Any]) -> dict[str, Any]:
        """The request a client sends over TLS, made in-process by the app that bundles
        this node, with the same role scoping; errors raise Refused (Busy) or Rejected."""
        if req.get("op") == "subscribe":
            raise Refused("subscribe in-process with Endpoint.subscribers")
        req = dict(req)
        progress = req.pop("on_progress", None)  # a callable, for in-process callers only
        return await self._dispatch(role_of(identity), req, None, progress)

    async def _dispatch(self, role: tuple[str, str], req: dict[str, Any], reply: Any,
                        progress: Callable[[dict[str, Any]], None] | None = None,
                        interim: Callable[[dict[str, Any]], None] | None = None) \
            -> dict[str, Any]:
        access.allow_op(role[0], req.get("op"))  # every operation is in access.py's tables
        # typed, or refused with the reason; a frame from the wire was checked canonical,
        # so its transaction's decoded object is kept (``Requests.adopt``)
        request = protocol.parse(req, None if reply is None else self.node.requests.adopt)
        if isinstance(request, protocol.Submit):
            if progress is None and request.progress and interim is not None:
                rid, send = req.get("rid"), interim

                def to_client(stage: dict[str, Any]) -> None:
                    """Interim replies to a remote client that asked for the progress."""
                    send({"rid": rid, **stage})

                progress = to_client
            return {"receipt": await self.submit(request.tx, request.wait_ms, progress)}
        if isinstance(request, protocol.Status):
            return {"status": self.node.status(request.stages_s)}
        if isinstance(request, protocol.Query):
            try:
                if access.allowed(role[0], request.name).handler is None:  # the receipt
                    return {"result": await self.receipt(str(request.args.get("id")), role)}
                if request.args.get("signed") is True and self.node.signer is not None:
                    return dict(await self.node.on_db(self._signed_query, role, request))
                return {"result": await self.node.on_db(self._query, role, request)}
            except (ValueError, TypeError, sqlite3.InterfaceError,
                    sqlite3.ProgrammingError) as exc:  # a query's arguments (read-only): say so
                log.info("query %r refused: %s", request.name, exc)
                raise Refused(f"bad query arguments: {exc}") from exc
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)  # Subscribe
        self.subscribers.add(queue)
        try:
            while True:
                await reply(await queue.get())
        finally:
            self.subscribers.discard(queue)

    # --- submit and receipts ----------------------------------------------------------------

    def _receipt(self, tx_id: str) -> tuple[dict[str, Any], bytes] | None:
        """A decided transaction's receipt (on the database thread)."""
        store = self.node.store
        assert store is not None
        return _receipt_of(tx_id, store.query(RECEIPT_SQL, (tx_id,)))

    def _receipt_now(self, tx_id: str) -> tuple[dict[str, Any], bytes] | None:
        """The receipt look-up a submission starts with, on the event loop's own read-only
        connection (WAL readers do not wait for the writer): it must not queue behind block
        commits on the database thread."""
        if self._reader is None:
            store = self.node.store
            assert store is not None
            self._reader = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
        return _receipt_of(tx_id, self._reader.execute(RECEIPT_SQL, (tx_id,)).fetchall())

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    async def submit(self, text: str, wait_ms: int,
                     progress: Callable[[dict[str, Any]], None] | None = None) \
            -> dict[str, Any]:
        """A transaction's text (a protocol.Submit's, its type checked there): its receipt
        once decided, or Refused (Busy) if nothing was ordered."""
        if len(text) > MAX_TX_TEXT:
            raise Refused(f"a transaction's text is at most {MAX_TX_TEXT} characters")
        degraded = self.node.degraded
        if degraded:  # nothing ordered: the client may send it to another validator
            raise Refused(f"{degraded}; send it to another validator")
        retry_after = self.node.busy()
        if retry_after is not None:
            # before decoding or checking anything: under overload clients retry, and
            # decoding each retry (and checking its two signatures) on this loop starved
            # the consensus messages it carries.  A retry of a decided one gets its receipt.
            data = text.encode("utf-8", "replace")
            tx_id = wire_id(data)
            if tx_id is None:  # no transaction at all: its real error, not "busy"
                self.node.requests.get(text)
            found = self._receipt_now(tx_id) if tx_id is not None else None
            if found is not None and bytes(found[1]) == data:
                return found[0]
            raise Busy(retry_after)
        tx = self.node.requests.get(text)  # Rejected -> a clear error to the client
        canonical = tx.encode()
        found = self._receipt_now(tx.hex_id)
        if found is not None:
            receipt, wire = found
            if wire != canonical:
                raise Refused("another transaction with this id was already decided")
            return receipt
        if not tx.signatures_valid():  # no validator orders it: refused here, at once
            return decision(tx.hex_id, "bad_signature",
                            "a signature does not verify; nothing was sent to the network")
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(tx.hex_id, []).append(fut)
        if progress is not None:
            self.progress.setdefault(tx.hex_id, []).append(progress)
        try:
            self.node.submit(canonical.decode("utf-8"), progress, wait_ms=wait_ms)
            # the receipt comes with the block's certificate: no database round trip
            return await asyncio.wait_for(asyncio.shield(fut), wait_ms / 1000)
        finally:
            lst = self.waiters.get(tx.hex_id, [])
            with contextlib.suppress(ValueError):
                lst.remove(fut)
            if not lst:
                self.waiters.pop(tx.hex_id, None)
            cbs = self.progress.get(tx.hex_id, [])
            with contextlib.suppress(ValueError):
                cbs.remove(progress)  # type: ignore[arg-type]
            if not cbs:
                self.progress.pop(tx.hex_id, None)

    async def receipt(self, tx_id: str, role: tuple[str, str]) -> dict[str, Any]:
        """The verifiable receipt of a decided transaction (node/receipt.py), if ``role``
        may see it (access.may_see_tx).  A block whose result certificate is not stored yet
        is waited for a little (``ATTEST_WAIT_S``); then the client is told to ask again (a
        receipt without it would prove no result)."""
        built = await self.node.on_db(self._build_receipt, tx_id, role)
        if built.get("outcome") is not None and built.get("attest") is None:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            waiters = self.attest_waiters.setdefault(built["height"], [])
            waiters.append(fut)
            try:
                await asyncio.wait_for(fut, ATTEST_WAIT_S)
            except TimeoutError:
                raise Refused(f"block {built['height']}'s result certificate is not "
                                  "gathered yet: ask again in a moment") from None
            finally:
                if fut in waiters:
                    waiters.remove(fut)
                if not waiters:
                    self.attest_waiters.pop(built["height"], None)
            built = await self.node.on_db(self._build_receipt, tx_id, role)
        return built

    def _build_receipt(self, tx_id: str, role: tuple[str, str]) -> dict[str, Any]:
        assert self.node.store is not None
        access.may_see_tx(access.Ask(self.node.store, self.node.genesis, role[0], role[1],
                                     {"q": "receipt", "id": tx_id}, lambda _i: None), tx_id)
        found = self._receipt(tx_id)
        if found is None:
            raise Refused(NO_DECISION)
        return receipt.build(self.node.store, found[0]["height"], found[0]["pos"])

    def attested(self, height: int) -> None:
        """Block ``height``'s result certificate is stored."""
        for fut in self.attest_waiters.pop(height, []):
            if not fut.done():
                fut.set_result(None)
        self._publish({"op": "attested", "height": height})

    def _publish(self, event: dict[str, Any]) -> None:
        for queue in list(self.subscribers):
            if queue.full():
                self.subscribers.discard(queue)  # a subscriber that cannot keep up is cut off
            else:
                queue.put_nowait(event)

    def refuse(self, tx_id: str, message: str) -> None:
        """The network refused this request without ordering it (an observer's forward):
        whoever waits for its receipt hears why, at once."""
        for fut in self.waiters.get(tx_id, []):
            if not fut.done():
                fut.set_exception(Refused(message))

    def ordered(self, tx_ids: list[str], view: int, seq: int) -> None:
        """The node saw these requests assigned sequence number ``seq`` in ``view``."""
        for i in tx_ids:
            for cb in self.progress.get(i, []):
                cb({"stage": "ordered", "view": view, "seq": seq})

    def block_done(self, res: BlockResult, view: int, cert: bytes | None = None) -> None:
        certificate = None if cert is None else cert.decode()
        for pos, r in enumerate(res.results):
            for fut in self.waiters.get(r.id, []):
                if not fut.done() and r.code != "duplicate":
                    fut.set_result(decision(r.id, r.code, r.message, height=res.height,
                                            pos=pos, block=res.hash, time=res.time,
                                            certificate=certificate))
        self._publish({"op": "block", "height": res.height, "hash": res.hash, "view": view,
                       "ntx": len(res.results), "time": res.time})

    # --- queries (on the database thread) -----------------------------------------------------

    def _query(self, role: tuple[str, str], request: protocol.Query) -> Any:
        """On the database thread: the query, as access.py allows it to this role."""
        assert self.node.store is not None

        def receipt(tx_id: str) -> dict[str, Any] | None:
            found = self._receipt(tx_id)
            return None if found is None else found[0]

        return access.run(access.Ask(self.node.store, self.node.genesis, role[0], role[1],
                                     request.as_request(), receipt))


    def _signed_query(self, role: tuple[str, str], request: protocol.Query) -> dict[str, Any]:
        """On the database thread: the query's result, the height it holds at and this
        validator's signature over both (protocol.reply_digest)."""
        assert self.node.store is not None and self.node.signer is not None
        result = self._query(role, request)
        height = self.node.store.height()
        vid, key = self.node.signer
        digest = protocol.reply_digest(self.node.genesis.chain_id, request.name, request.args,
                                       height, result)
        return {"result": result,
                "signed": {"validator": vid, "height": height, "sig": key.sign(digest)}}


RECEIPT_SQL = ("SELECT t.height, t.pos, t.code, t.message, t.wire, b.hash, b.time, b.cert "
               "FROM txs t JOIN blocks b ON b.height = t.height "
               "WHERE t.id = ? AND t.consumes = 1")


def _receipt_of(tx_id: str, rows: list[Any]) -> tuple[dict[str, Any], bytes] | None:
    if not rows:
        return None
    h, pos, code, message, wire, block_hash, block_time, cert = rows[0]
    return decision(tx_id, code, message, height=h, pos=pos, block=block_hash,
                    time=block_time, certificate=None if cert is None else cert.decode()), wire


def decision(tx_id: str, code: str, message: str, *, height: int | None = None,
             pos: int | None = None, block: str | None = None, time: int | None = None,
             certificate: str | None = None) -> dict[str, Any]:
    """A ``protocol.Decision`` as it goes on the wire."""
    return protocol.Decision(tx_id, code, message, height, pos, block, time,
                             certificate).to_wire()

