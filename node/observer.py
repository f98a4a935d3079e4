"""An observer: a full copy of the ledger that does not vote.

It connects to the validators as a client (with its own certificate), follows new blocks,
checks each block's commit certificate against the genesis validator keys before executing
it (the certificate also vouches for the transactions' signatures: validators check them
before they vote), serves the same role-scoped queries as a validator and forwards
submissions to the validators (a merchant's POS or the regulator's laptop runs one).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from pathlib import Path
from typing import Any

from node import protocol, tls
from node.consensus import Config, results
from node.consensus.certs import certified_block
from node.consensus.types import Execute
from node.consortium import Consortium
from node.endpoint import Endpoint
from node.ledger import BlockResult, Ledger
from node.ledger.tx import Tx
from node.net import tasks
from node.net.client import Busy, Client, ClientError, Refused
from node.net.transport import Server
from node.requests import Requests, id_of
from node.store import Store, blocks_from_wire

log = logging.getLogger("cardchain.observer")
FETCH_BLOCKS = 8
UNATTESTED_KEPT = 1_000  # recent blocks whose result certificate is still asked for
FORWARD_MARGIN_S = 0.5
OFFLINE_NOT_SENT = ("the network is unreachable: nothing was sent; retry when the status "
                    "bar shows the node following a validator")
BUSY_NOT_SENT = ("the network is busy: the validators did not take the transaction, so "
                 "nothing was ordered; try again in a moment")


class Observer:
    def __init__(self, cons: Consortium, identity: str, data_dir: Path,
                 listen: tuple[str, int] | None = None, *,
                 cache_rows: int | None = None) -> None:
        self.cache_rows = cache_rows
        self.cons, self.genesis, self.identity = cons, cons.genesis, identity
        self.data_dir = Path(data_dir)
        self.listen = listen
        self.key = cons.key(identity)
        self.signer = None  # an observer's answers are its own: it signs none
        publics = tuple(v["public_key"] for v in self.genesis.validators)
        self.cfg = Config(replica=-1, publics=publics, key=self.key, request_id=id_of)
        self.db = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        self.requests = Requests()
        self.store: Store | None = None
        self.degraded: str | None = None  # the validators refuse for it when they cannot
        self.ledger: Ledger | None = None
        self.endpoint = Endpoint(self)
        self.client: Client | None = None
        self.server: Server | None = None
        self.height = -1
        self.head_hash = ""
        self.tasks: list[asyncio.Task[None]] = []
        self.rejected_blocks = 0
        self.upstream = -1
        self.connected = asyncio.Event()
        self.unattested: set[int] = set()  # recent blocks whose result certificate is due

    async def on_db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    def _open(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.data_dir / "ledger.db")
        self.ledger = Ledger(self.store, self.genesis, cache_rows=self.cache_rows)
        self.height, self.head_hash = self.ledger.height, self.ledger.head().hash

    async def start(self) -> None:
        await self.on_db(self._open)
        self.tasks.append(asyncio.create_task(self._follow(), name="follow"))
        if self.listen is not None:
            home = self.cons.home
            ctx = tls.server_context(home / "tls" / "ca.pem", home / "tls" / f"{self.identity}.crt",
                                     self.cons.keys.path(self.identity), self.cons.keys.password)
            import json

            clients = json.loads((home / "identities.json").read_text())
            self.server = Server(self.listen[0], self.listen[1], ctx, {}, clients,
                                 lambda _s, _d: None, self.endpoint.session)
            await self.server.start()

    async def stop(self) -> None:
        # every task ends before the loop goes away (a client left behind printed "Task was
        # destroyed" at exit)
        await tasks.stop(self.tasks)
        self.tasks.clear()
        if self.server:
            await self.server.stop()
        if self.client:
            await self.client.close()
        self.endpoint.close()
        await self.on_db(lambda: self.store and self.store.close())
        self.db.shutdown()

    # --- following the chain ------------------------------------------------------------------

    async def _connect(self) -> Client:
        vals = self.genesis.validators
        while True:
            for k in range(len(vals)):
                i = (self.upstream + 1 + k) % len(vals)
                c = Client(self.cons.home, self.identity, self.cons.keys)
                try:
                    await c.connect(vals[i]["host"], vals[i]["port"], timeout=3)
                    await c.subscribe()
                    self.upstream = i
                    return c
                except (OSError, TimeoutError, ClientError):
                    await c.close()
                except asyncio.CancelledError:  # stopped while connecting
                    await c.close()
                    raise
            await asyncio.sleep(0.5)

    async def _follow(self) -> None:
        while True:
            self.client = await self._connect()
            self.connected.set()
            try:
                while True:
                    await self._catch_up()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(2.0):
                            await self.client.events.get()
            except (ClientError, OSError, ConnectionError) as exc:
                log.info("lost validator %s: %s", self.upstream, exc)
                self.connected.clear()
                await self.client.close()

    async def _catch_up(self) -> None:
        assert self.client is not None
        while True:
            # a few blocks per reply: decoding a big reply on the event loop (shared with a
            # window) and the garbage collector's passes over it would stall both
            blocks = blocks_from_wire(await self.client.query(
                "fetch_blocks", first=self.height + 1, limit=FETCH_BLOCKS))
            if not blocks:
                await self._fetch_attests()
                return
            for b in blocks:
                if not await self._apply(b):
                    raise ClientError("a block failed its certificate check")

    async def _fetch_attests(self) -> None:
        """Result certificates of the latest blocks that came without one (a block is
        served as soon as it is executed; its ATTESTs follow a message delay later)."""
        assert self.client is not None
        wanted = sorted(self.unattested)[-200:]
        if not wanted:
            return
        got = await self.client.query("attests", heights=wanted)
        if isinstance(got, dict) and got:
            good = await self.on_db(self._store_attests, got)
            for h in good:
                self.unattested.discard(h)
                self.endpoint.attested(h)

    def _store_attests(self, got: dict[str, Any]) -> list[int]:
        """On the database thread: the ones that hold for this node's own headers."""
        assert self.store is not None
        good = []
        for key, text in got.items():
            try:
                h = int(key)
                block = self.store.block(h)
                ok = block is not None and isinstance(text, str) and \
                    results.valid_text(self.cfg, h, block.hash, text)
            except (ValueError, TypeError):
                ok = False
            if ok:
                good.append(h)
        self.store.set_attest([(h, got[str(h)]) for h in good])
        return good

    async def _apply(self, b: dict[str, Any]) -> bool:
        # checking the certificate, decoding and executing all run on the database thread:
        # the event loop (shared with a window in the desktop app) only hands blocks over
        done = await self.on_db(self._verify_and_execute, b, self.height)
        if done is None:
            self.rejected_blocks += 1
            log.warning("block from validator %s failed verification", self.upstream)
            return False
        res, view, attested = done
        self.height, self.head_hash = res.height, res.hash
        self.endpoint.block_done(res, view, b["cert"].encode())
        if attested:
            self.endpoint.attested(res.height)
        elif self.genesis.chain_format >= 3:
            self.unattested.add(res.height)
            while len(self.unattested) > UNATTESTED_KEPT:
                self.unattested.discard(min(self.unattested))
        return True

    def _verify_and_execute(self, b: dict[str, Any], height: int) \
            -> tuple[BlockResult, int, bool] | None:
        try:
            h, cert = int(b["height"]), b["cert"].encode()
            batch = tuple(str(t) for t in b["txs"])
            ex = certified_block(self.cfg, h, cert, batch) if h == height + 1 else None
            txs = [Tx.decode(t.encode()) for t in batch] if ex else []
        except Exception:
            ex = None
        if ex is None:
            return None
        res = self._execute(txs, ex, cert)
        attest = b.get("attest")
        attested = isinstance(attest, str) and \
            results.valid_text(self.cfg, res.height, res.hash, attest)
        if attested:
            assert self.store is not None
            self.store.set_attest([(res.height, attest)])
        return res, ex.view, attested

    def _execute(self, txs: list[Tx], ex: Execute, cert: bytes) -> BlockResult:
        assert self.ledger is not None
        head = self.ledger.head()
        # the certificate vouches for the signatures too: a validator PREPAREs a batch only
        # after checking every signature in it, and 2f+1 did (the audit re-checks them)
        return self.ledger.apply_block(txs, max(ex.time, head.time), view=ex.view,
                                       proposer=ex.view % self.cfg.n, cert=cert,
                                       sig_ok=[True] * len(txs))

    # --- what the endpoint needs ----------------------------------------------------------------

    def submit(self, text: str, progress: Any = None, *, wait_ms: int = 30_000) -> None:
        """Forward to a validator; its "ordered" message is relayed to ``progress``."""
        self.tasks.append(asyncio.get_running_loop().create_task(
            self._forward(text, progress, wait_ms)))
        self.tasks = [t for t in self.tasks if not t.done()]

    async def _forward(self, text: str, progress: Any, wait_ms: int) -> None:
        """Until a validator takes the request, within ``wait_ms``.  A busy validator is
        asked again after the pause it names (told to ``progress`` as a "busy" stage); a
        refusal reaches the endpoint's waiters at once.  If every attempt was refused, the
        request was never ordered and the endpoint says so; once an attempt's outcome is
        unknown (a connection lost, no decision in time) only its receipt can tell."""
        loop = asyncio.get_running_loop()
        # the verdict must reach the endpoint before its own wait for the receipt ends
        deadline = loop.time() + wait_ms / 1000 - min(FORWARD_MARGIN_S, wait_ms / 4000)
        tx_id = self.requests.id_of(text)
        unknown = False
        while True:
            left = deadline - loop.time()
            try:
                await asyncio.wait_for(self.connected.wait(), max(left, 0.0))
            except TimeoutError:  # no validator to send it to, all along the wait
                if not unknown and tx_id is not None:
                    self.endpoint.refuse(tx_id, OFFLINE_NOT_SENT)
                return
            try:
                assert self.client is not None
                await self.client.send(protocol.Submit(text, max(int(left * 1000), 0)),
                                       timeout=left + 5,
                                       on_progress=progress and self._relay(progress))
                return
            except Busy as exc:
                pause = exc.pause_s()
                if loop.time() + pause >= deadline:
                    if not unknown and tx_id is not None:
                        self.endpoint.refuse(tx_id, BUSY_NOT_SENT)
                    return
                if progress is not None:
                    progress({"stage": "busy", "retry_in_ms": int(pause * 1000),
                              "validator": self.upstream})
            except Refused as exc:
                if tx_id is not None:
                    self.endpoint.refuse(tx_id, str(exc))
                return
            except (ClientError, TimeoutError, OSError):
                unknown = True  # it may have reached a validator: only a receipt tells
                pause = 0.2
                if loop.time() + pause >= deadline:
                    return  # the endpoint's wait ends with "may still be decided"
            await asyncio.sleep(pause)

    def _relay(self, progress: Any) -> Any:
        upstream = self.upstream

        def relay(msg: dict[str, Any]) -> None:
            progress({"stage": msg["stage"], "view": msg.get("view"), "seq": msg.get("seq"),
                      "validator": upstream})

        return relay

    def busy(self) -> int | None:
        return None  # the validators decide; they refuse when they are full

    def status(self, stages_s: int | None = None) -> dict[str, Any]:
        """(An observer orders nothing: it has no latency budget, ``stages_s`` aside.)"""
        return {"identity": self.identity, "observer": True, "height": self.height,
                "hash": self.head_hash, "upstream": self.upstream,
                "rejected_blocks": self.rejected_blocks, "peers": {}}


__all__ = ["Observer"]
