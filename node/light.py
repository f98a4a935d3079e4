"""A light node: what a merchant's till runs instead of a copy of the ledger.

It holds no transaction and no state, only the chain's headers, each checked before it is
kept: the header's height and chain, its link to the header before it (back to the genesis
block this node computes itself), its commit certificate (2f+1 COMMITs of the validators in
genesis over the header's transaction root: ordered) and its result certificate (f+1
ATTESTs of the header's hash: every field of it, the state and results roots included, is
what execution gave).  A header is kept once both are there.  A header that fails is
refused, counted in ``rejected_blocks``, and the validator that sent it is left for
another.

Everything else is asked of the validators, as the till's identity, so each validator
applies the till's scope (node/access.py) and the answer is proved:

* a query's result is taken once f+1 validators signed the same result
  (``protocol.reply_digest``): at least one of them is honest.  Answers at different
  heights may differ; the node asks again, a few times, before it says they disagree;
* a receipt proves itself against genesis (node/receipt.py): one validator's is checked;
* a submission goes to one validator, which answers with its decision once the
  transaction is executed (or refuses it); a lost answer leaves the outcome unknown, as at
  any client, and the receipt tells.

So the till's folder holds the headers, its outbox and journal: no cardholder's details and
no other merchant's sales.  A till folder still holding a full copy of the ledger (from an
earlier version) has it removed at start.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import sqlite3
from pathlib import Path
from typing import Any

from node import codec, crypto, protocol, receipt
from node.consensus import results
from node.consensus.certs import cert_problem
from node.consensus.messages import BadMessage
from node.consortium import Consortium
from node.errors import NO_DECISION, Busy, ClientError, Refused
from node.ledger import Ledger
from node.ledger.effects import block_hash
from node.net import tasks
from node.net.client import Client
from node.observer import OFFLINE_NOT_SENT
from node.store import Store

log = logging.getLogger("cardchain.light")
HEADERS_PER_ASK = 100
KEEP_HEADERS = 1_000  # the latest headers kept: the next one links to the last; receipts
                      # prove themselves against genesis, so older ones are not needed
ASK_TIMEOUT_S = 3.0   # for one validator's answer to a query
AGREE_TRIES = 4       # rounds of asking before the answers are said to disagree
AGREE_PAUSE_S = 0.15  # between rounds (a block executing on some validators only)


class HeaderError(ValueError):
    """A header or certificate that does not hold against genesis."""


def genesis_block_hash(cons: Consortium) -> str:
    """The hash of block 0, computed from the genesis file alone."""
    store = Store(":memory:")
    try:
        return Ledger(store, cons.genesis).head().hash
    finally:
        store.close()


def check_header(publics: list[str], chain: str, height: int, prev: str,
                 header_text: str, cert_text: str, attest_text: str) \
        -> tuple[str, dict[str, Any]]:
    """(hash, header) of block ``height`` if its header follows ``prev`` and its commit and
    result certificates hold against ``publics``; HeaderError naming what fails
    otherwise."""
    try:
        header = codec.decode(header_text.encode("utf-8"))
        cert = codec.decode(cert_text.encode("utf-8"))
    except (codec.EncodingError, AttributeError) as exc:
        raise HeaderError(f"block {height}: not canonical JSON ({exc})") from exc
    if not isinstance(header, dict) or not isinstance(cert, dict):
        raise HeaderError(f"block {height}: header and certificate must be objects")
    if header.get("chain") != chain or header.get("height") != height:
        raise HeaderError(f"block {height}: a header of another chain or height")
    if header.get("prev") != prev:
        raise HeaderError(f"block {height}: does not follow block {height - 1}")
    problem, _ = cert_problem(publics, height, str(header.get("tx_root")), cert)
    if problem is not None:
        raise HeaderError(f"block {height}: {problem}")
    bhash = block_hash(header)
    try:
        attests = results.decode_attests(attest_text)
    except (BadMessage, AttributeError, TypeError) as exc:
        raise HeaderError(f"block {height}: its result certificate is malformed") from exc
    problem = results.attest_problem(tuple(publics), height, bhash, attests)
    if problem is not None:
        raise HeaderError(f"block {height}: {problem}")
    return bhash, header


def agreed(chain: str, publics: list[str], name: str, args: dict[str, Any],
           replies: dict[int, dict[str, Any]], need: int) -> tuple[bool, Any]:
    """(True, result) if ``need`` distinct validators signed the same result of this query
    among ``replies`` (validator id -> its reply); unsigned or badly signed replies count
    for nothing."""
    by_result: dict[bytes, set[int]] = {}
    results: dict[bytes, Any] = {}
    for vid, reply in replies.items():
        signed = reply.get("signed")
        if not isinstance(signed, dict) or signed.get("validator") != vid or \
                not 0 <= vid < len(publics) or type(signed.get("height")) is not int:
            continue
        result = reply.get("result")
        try:
            digest = protocol.reply_digest(chain, name, args, signed["height"], result)
        except codec.EncodingError:
            continue
        if not crypto.verify(publics[vid], digest, str(signed.get("sig"))):
            continue
        key = codec.digest(result)
        by_result.setdefault(key, set()).add(vid)
        results[key] = result
        if len(by_result[key]) >= need:
            return True, results[key]
    return False, None


class LightEndpoint:
    """What the app's Session calls: submissions and queries go to the validators; new
    headers are published to ``subscribers`` as block events."""

    def __init__(self, node: LightNode) -> None:
        self.node = node
        self.subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    async def call(self, identity: str, req: dict[str, Any]) -> dict[str, Any]:
        req = dict(req)
        op = req.pop("op", None)
        progress = req.pop("on_progress", None)
        if op == "submit":
            return await self.node.submit(req["tx"], int(req.get("wait_ms", 30_000)),
                                          progress)
        if op == "status":
            return {"status": self.node.status()}
        if op == "query":
            name = str(req.pop("q", ""))
            if name == "receipt":
                return {"result": await self.node.receipt(str(req.get("id")))}
            if name == "tx":
                return {"result": await self.node.decision(str(req.get("id")))}
            return {"result": await self.node.ask(name, req)}
        raise Refused(f"unknown op {op!r}")

    def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self.subscribers):
            if queue.full():
                self.subscribers.discard(queue)
            else:
                queue.put_nowait(event)

    def close(self) -> None:
        self.subscribers.clear()


class LightNode:
    def __init__(self, cons: Consortium, identity: str, data_dir: Path) -> None:
        self.cons, self.genesis, self.identity = cons, cons.genesis, identity
        self.data_dir = Path(data_dir)
        vals = self.genesis.validators
        self.publics = [str(v["public_key"]) for v in vals]
        self.need = (len(vals) - 1) // 3 + 1  # f+1 signed answers
        self.db = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        self.conn: sqlite3.Connection | None = None
        self.endpoint = LightEndpoint(self)
        self.height, self.head_hash = 0, ""
        self.client: Client | None = None  # the validator followed
        self.upstream = -1
        self.askers: dict[int, Client] = {}
        self.connected = asyncio.Event()
        self.rejected_blocks = 0
        self.tasks: list[asyncio.Task[None]] = []

    async def on_db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        await self.on_db(self._open)
        self.tasks.append(asyncio.create_task(self._follow(), name="follow-headers"))

    async def stop(self) -> None:
        await tasks.stop(self.tasks)
        self.tasks.clear()
        for c in [self.client, *self.askers.values()]:
            if c is not None:
                await c.close()
        self.askers.clear()
        self.endpoint.close()
        await self.on_db(lambda: self.conn and self.conn.close())
        self.db.shutdown()

    def _open(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for old in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):  # a full copy: not here
            if (self.data_dir / old).exists():
                log.warning("removing %s: a till keeps no copy of the ledger", old)
                (self.data_dir / old).unlink()
        self.conn = sqlite3.connect(self.data_dir / "headers.db", check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS headers (height INTEGER PRIMARY KEY, "
                          "hash TEXT NOT NULL, header TEXT NOT NULL, cert TEXT NOT NULL, "
                          "attest TEXT NOT NULL)")
        row = self.conn.execute("SELECT height, hash FROM headers ORDER BY height DESC "
                                "LIMIT 1").fetchone()
        self.height, self.head_hash = row if row else (0, genesis_block_hash(self.cons))

    def status(self, stages_s: int | None = None) -> dict[str, Any]:
        return {"identity": self.identity, "observer": True, "light": True,
                "height": self.height, "hash": self.head_hash, "upstream": self.upstream,
                "rejected_blocks": self.rejected_blocks, "peers": {}}

    # --- following the headers ------------------------------------------------------------

    async def _connect(self, i: int) -> Client:
        v = self.genesis.validators[i]
        c = Client(self.cons.home, self.identity, self.cons.keys)
        try:
            await c.connect(v["host"], v["port"], timeout=2)
        except BaseException:
            await c.close()
            raise
        return c

    async def _follow(self) -> None:
        n = len(self.publics)
        while True:
            self.upstream = (self.upstream + 1) % n
            try:
                self.client = await self._connect(self.upstream)
                await self.client.subscribe()
            except (OSError, TimeoutError, ClientError):
                self.connected.clear()
                await asyncio.sleep(0.5 if self.upstream == n - 1 else 0)
                continue
            self.connected.set()
            try:
                while True:
                    await self._catch_up(self.client)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(2.0):
                            await self.client.events.get()
            except (ClientError, OSError, ConnectionError, HeaderError) as exc:
                log.info("left validator %s: %s", self.upstream, exc)
                self.connected.clear()
                await self.client.close()
            except Exception:  # a reply no check foresaw: that validator is left, never
                log.exception("left validator %s", self.upstream)  # the node
                self.rejected_blocks += 1
                self.connected.clear()
                await self.client.close()

    async def _catch_up(self, client: Client) -> None:
        while True:
            got = await client.query("headers", first=self.height + 1, limit=HEADERS_PER_ASK)
            if not isinstance(got, list) or not got or not isinstance(got[0], list) or \
                    (len(got[0]) == 4 and got[0][3] is None):
                return  # nothing new, or the next one's result certificate is not in yet
            try:
                kept = await self.on_db(self._keep, got, self.height, self.head_hash)
            except HeaderError as exc:
                self.rejected_blocks += 1
                log.warning("validator %s sent a header that fails: %s", self.upstream, exc)
                raise
            for h, hash_, header, view in kept:
                self.height, self.head_hash = h, hash_
                self.endpoint.publish({"op": "block", "height": h, "hash": hash_,
                                       "view": view, "ntx": header.get("ntx"),
                                       "time": header.get("time")})

    def _keep(self, got: list[Any], height: int, prev: str) \
            -> list[tuple[int, str, dict[str, Any], int]]:
        """On the database thread: the headers checked in order and stored; the first that
        fails stops it (HeaderError), the ones before it are kept."""
        assert self.conn is not None
        kept: list[tuple[int, str, dict[str, Any], int]] = []
        rows: list[tuple[int, str, str, str, str]] = []
        try:
            for item in got:
                if not isinstance(item, list) or len(item) != 4:
                    raise HeaderError("a headers reply item is not [height, header, "
                                      "certificate, result certificate]")
                h, text, cert, attest = item
                if attest is None:
                    break  # its ATTESTs are a message delay behind: the next event
                if h != height + 1 or not isinstance(text, str) or not isinstance(cert, str):
                    raise HeaderError(f"expected block {height + 1}'s header")
                prev, header = check_header(self.publics, self.genesis.chain_id, h, prev,
                                            text, cert, attest)
                kept.append((h, prev, header, int(codec.decode(cert.encode())["view"])))
                rows.append((h, prev, text, cert, attest))
                height = h
        finally:
            with self.conn:
                self.conn.executemany("INSERT OR REPLACE INTO headers VALUES "
                                      "(?, ?, ?, ?, ?)", rows)
                if rows:
                    self.conn.execute("DELETE FROM headers WHERE height <= ?",
                                      (rows[-1][0] - KEEP_HEADERS,))
        return kept

    # --- asking the validators --------------------------------------------------------------

    async def _asker(self, i: int) -> Client:
        c = self.askers.get(i)
        if c is None or not c.is_open():
            if c is not None:
                await c.close()
            c = self.askers[i] = await self._connect(i)
        return c

    async def _ask_one(self, i: int, name: str, args: dict[str, Any]) -> dict[str, Any]:
        c = await self._asker(i)
        return await c.call("query", timeout=ASK_TIMEOUT_S, q=name, signed=True, **args)

    async def ask(self, name: str, args: dict[str, Any]) -> Any:
        """The result f+1 validators signed for this query, as this identity may see it."""
        replies: dict[int, dict[str, Any]] = {}
        refusals: dict[str, int] = {}
        for attempt in range(AGREE_TRIES):
            if attempt:
                await asyncio.sleep(AGREE_PAUSE_S)
            replies, refusals = {}, {}
            pending = {asyncio.ensure_future(self._ask_one(i, name, args)): i
                       for i in range(len(self.publics))}
            try:  # the first f+1 that agree answer: a slow or stopped validator is not waited
                while pending:
                    done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for fut in done:
                        i = pending.pop(fut)
                        exc = fut.exception()
                        if exc is None:
                            replies[i] = fut.result()
                        elif isinstance(exc, Refused) and not isinstance(exc, Busy):
                            refusals[str(exc)] = refusals.get(str(exc), 0) + 1
                        elif isinstance(exc, (ClientError, OSError, TimeoutError)):
                            self.askers.pop(i, None)
                    ok, result = agreed(self.genesis.chain_id, self.publics, name, args,
                                        replies, self.need)
                    if ok:
                        return result
                    for why, count in refusals.items():
                        if count >= self.need:  # f+1 refuse alike: one of them is honest
                            raise Refused(why)
            finally:
                for fut in pending:
                    fut.cancel()
        if not replies and not refusals:
            raise ClientError("no validator answered")
        raise ClientError(f"the validators' answers to {name!r} do not agree; try again")

    async def receipt(self, tx_id: str) -> dict[str, Any]:
        """A receipt checked against genesis (it proves itself); one validator's suffices."""
        last: Exception = ClientError("no validator answered")
        for i in range(len(self.publics)):
            try:
                doc = (await (await self._asker(i)).call(
                    "query", timeout=ASK_TIMEOUT_S, q="receipt", id=tx_id))["result"]
                receipt.verify(doc, self.genesis)
                return dict(doc)
            except Refused as exc:
                last = exc
            except receipt.ReceiptError as exc:
                self.rejected_blocks += 1
                last = ClientError(f"validator {i} sent a receipt that fails: {exc}")
            except (ClientError, OSError, TimeoutError) as exc:
                self.askers.pop(i, None)
                last = exc if isinstance(exc, ClientError) else ClientError(str(exc))
        raise last

    async def decision(self, tx_id: str) -> dict[str, Any] | None:
        """A transaction's decision, read from its receipt (which proves it; the
        validators' own decision rows differ in which COMMITs their certificate holds),
        or None if no validator has it decided."""
        try:
            doc = await self.receipt(tx_id)
        except Refused as exc:
            if NO_DECISION in str(exc):
                return None
            raise
        facts = receipt.verify(doc, self.genesis)
        if not facts["result_proved"]:
            raise ClientError("this chain's receipts do not prove a result")
        return protocol.Decision(tx_id, facts["code"], facts["message"], facts["height"],
                                 facts["index"], facts["block"], facts["time"],
                                 doc["certificate"]).to_wire()

    async def submit(self, tx: Any, wait_ms: int, progress: Any) -> dict[str, Any]:
        """The validators' decision on a transaction; Busy or Refused if it was not ordered,
        TimeoutError if its outcome is unknown (only its receipt can tell)."""
        text = codec.text_of(tx) if isinstance(tx, dict) else str(tx)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_ms / 1000
        unknown = False
        while True:
            left = deadline - loop.time()
            try:
                await asyncio.wait_for(self.connected.wait(), max(left, 0.0))
            except TimeoutError:
                if unknown:
                    raise TimeoutError("no validator answered in time") from None
                raise Refused(OFFLINE_NOT_SENT) from None
            client, upstream = self.client, self.upstream
            assert client is not None

            def relay(msg: dict[str, Any], upstream: int = upstream) -> None:
                if progress is not None:
                    progress({"stage": msg["stage"], "view": msg.get("view"),
                              "seq": msg.get("seq"), "validator": upstream})

            try:
                reply = await client.send(protocol.Submit(text, max(int(left * 1000), 0)),
                                          timeout=left + 5, on_progress=relay)
                return {"receipt": reply["receipt"]}
            except Busy as exc:
                pause = exc.pause_s()
                if loop.time() + pause >= deadline:
                    raise
                if progress is not None:
                    progress({"stage": "busy", "retry_in_ms": int(pause * 1000),
                              "validator": upstream})
            except Refused:
                raise
            except (ClientError, OSError) as exc:  # it may have reached a validator
                unknown = True
                pause = 0.2
                if loop.time() + pause >= deadline:
                    raise TimeoutError(str(exc)) from exc
            await asyncio.sleep(pause)


__all__ = ["HeaderError", "LightEndpoint", "LightNode", "agreed", "check_header"]
