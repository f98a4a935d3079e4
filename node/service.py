"""The Node: glues the PBFT replica, the ledger, the store and the network on one loop.

* Each step of the replica is carried out by the driver the simulator runs too
  (driver.py): its ``Persist`` actions are written in one SQLite transaction before
  anything of that step is sent; this Node is the driver's ports (links, timers, the
  executor, the result-certificate writer).
* SQLite lives on one dedicated thread (the connection belongs to it); blocks are executed
  there, in order, by an executor task, so the loop (and a Qt window on it later) never
  waits for a commit.
* Every request's signatures are checked when it arrives (a client's submission or a
  peer's Forward), before the replica may queue, forward or PREPARE it; the answer stays on
  the decoded transaction this node keeps (``Requests``, requests.py), so the PRE-PREPARE
  and the execution look it up instead of decoding or checking again.  A PRE-PREPARE with
  many requests this node has not seen is checked on threads first (the signature library
  releases the GIL).  Blocks fetched by state transfer carry a commit certificate: 2f+1
  replicas, f+1 of them honest, checked their signatures before voting, so they are
  executed without checking again (the audit re-checks everything).
* Clients use the same TLS port: submit and await a receipt, query (signed replies on
  request), subscribe to blocks (endpoint.py).  Prometheus reads metrics.py's port.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from node import codec, recovery, tls
from node.attest_writer import AttestWriter
from node.config import REPLY_BLOCKS, Settings
from node.consensus import Config, Replica
from node.consensus import messages as m
from node.consensus.certs import encode_cert
from node.consensus.results import encode_attests
from node.consensus.types import (
    Certified,
    ClientRequest,
    Event,
    Execute,
    Executed,
    FetchState,
    Persist,
    Received,
    Started,
    TimerFired,
)
from node.consortium import Consortium
from node.driver import Driver, Ready, ready
from node.endpoint import Endpoint
from node.health import Admission, LoopHealth
from node.ledger import BlockResult, Ledger
from node.ledger.tx import Tx
from node.metrics import serve_metrics
from node.net.transport import PeerLink, Server
from node.peer_frames import ByReference, pbft_frame, ref_frame
from node.precheck import PreCheck
from node.records import write_records
from node.requests import Requests
from node.stages import Stages
from node.store import Store, blocks_from_wire
from node.timers import LoopTimers, now_ms
from node.transfer import FETCHED_RUN, PART_WAIT_S, StateTransfer

log = logging.getLogger("cardchain.node")
BLOCKS_FRAME = b'{"blocks":'  # how a canonical {"t": "blocks", ...} frame begins
ADMIT_WAIT = 0.4  # of the request timeout: how long admitted requests should wait at most


class Node(StateTransfer):
    def __init__(self, cons: Consortium, identity: str, data_dir: Path,
                 settings: Settings | None = None) -> None:
        self.cons = cons
        self.genesis = cons.genesis
        self.identity = identity
        self.settings = settings or Settings()
        self.data_dir = Path(data_dir)
        self.key = cons.key(identity)
        vals = self.genesis.validators
        names = {f"validator-{v['id']}": v for v in vals}
        if identity not in names:
            raise ValueError(f"{identity} is not a validator of this consortium")
        self.id = int(names[identity]["id"])
        self.signer = (self.id, self.key)  # query replies signed for light nodes (light.py)
        self.host, self.port = names[identity]["host"], int(names[identity]["port"])
        self.publics = tuple(v["public_key"] for v in vals)
        self.replica: Replica | None = None
        self.ledger: Ledger | None = None
        self.store: Store | None = None
        self.links: dict[int, PeerLink] = {}
        self.server: Server | None = None
        self.db = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        self.exec_queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[Ready] = asyncio.Queue()
        self.driver = Driver(self, lambda a, exc: log.error(
            "carrying out %s failed: %r", type(a).__name__, exc, exc_info=exc))
        self.exec_idle = asyncio.Event()  # the executor waits for work (``idle``)
        self.tasks: list[asyncio.Task[None]] = []
        self.height = -1
        self.head_hash = ""
        self.stats = {"bad_peer_frames": 0, "blocks": 0, "fetched_blocks": 0, "refused": 0,
                      "copied_blocks": 0, "fetch_continued": 0, "effects_pruned": 0,
                      "unasked_replies": 0}
        self.asked: dict[int, dict[int, int]] = {}  # peer -> {first: last} asked for lately
        self.serving: dict[int, int] = {}  # peer -> its fetches being served
        self.health = LoopHealth(self.stats)
        self.timers = LoopTimers(lambda name: self.step(TimerFired(name)), self.stats)
        self.requests = Requests()  # decoded once: see the module's docstring
        self.stages = Stages()  # the latency budget (stages.py)
        self.by_reference = ByReference(self.requests, self._send_frame, self.stats)
        self.prechecks = PreCheck(self.requests, self.settings.verify_threads,
                                  self.settings.inline_verify_below, self.stats,
                                  lambda src, pp: self.step(Received(src, pp)))
        # a request should wait well under the request timer before it is ordered
        self.admission = Admission(self.settings.max_pending, self.settings.max_batch // 4,
                                   ADMIT_WAIT * self.settings.request_timeout_ms / 1000)
        self.view_since = 0  # wall-clock ms of the last view change this node saw
        self.attests = AttestWriter(self.on_db, lambda: self.store, self._attested)
        self.degraded: str | None = None  # why database writes fail, while they do

    # --- database thread ------------------------------------------------------------------

    async def on_db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    def _open(self) -> dict[str, Any]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # SQLite commits without syncing; this node syncs what its durability policy
        # names before it acts on it (blocks_written, records.py)
        self.store = Store(self.data_dir / "ledger.db", synchronous="NORMAL")
        self.ledger = Ledger(self.store, self.genesis)
        with self.store.db.atomic():  # written by earlier versions, never read
            self.store.conn.execute("DELETE FROM meta WHERE key LIKE 'pbft:commit:%'")
        rows = self.store.query("SELECT key, value FROM meta WHERE key LIKE 'pbft:%'")
        self.height = self.ledger.height
        self.head_hash = self.ledger.head().hash
        return {k[5:]: codec.loads(v) for k, v in rows}

    def _persist(self, items: list[Persist]) -> None:
        assert self.store is not None
        self.stats["effects_pruned"] += write_records(self.store, items, self.settings)

    def blocks_written(self) -> None:
        """Blocks were committed (database thread): synced under "full" before any use."""
        assert self.store is not None
        if self.settings.durability == "full":
            self.store.sync()

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        persisted = await self.on_db(self._open)
        cfg = Config(replica=self.id, publics=self.publics, key=self.key,
                     request_id=self.requests.id_of, request_valid=self.requests.valid,
                     settings=self.settings)
        self.replica = Replica(cfg, executed=self.height, persisted=persisted)
        recovered = await self.on_db(recovery.restore, self.replica, self.store)
        home = self.cons.home
        ca, pw = home / "tls" / "ca.pem", self.cons.keys.password
        cert, keyf = home / "tls" / f"{self.identity}.crt", self.cons.keys.path(self.identity)
        client_ctx = tls.client_context(ca, cert, keyf, pw)
        dial = {i: (h, p) for i, h, p in self.settings.peer_addresses}
        for v in self.genesis.validators:
            if v["id"] != self.id:
                host, port = dial.get(v["id"], (v["host"], v["port"]))
                link = PeerLink(v["id"], host, port, client_ctx,
                                (f"validator-{v['id']}", v["public_key"]))
                self.links[v["id"]] = link
                link.start()
        self.endpoint = Endpoint(self)
        validators = {f"validator-{v['id']}": (v["id"], v["public_key"])
                      for v in self.genesis.validators}
        clients = {n: p for n, p in json.loads((home / "identities.json").read_text()).items()
                   if not n.startswith("validator-")}
        self.server = Server(self.host, self.port, tls.server_context(ca, cert, keyf, pw),
                             validators, clients, self.on_peer_frame, self.endpoint.session)
        await self.server.start()
        self.metrics = await serve_metrics(self.settings.metrics, self, self.tasks)
        self.tasks.append(asyncio.create_task(self._executor(), name="executor"))
        self.tasks.append(asyncio.create_task(self._drain_outbox(), name="outbox"))
        self.tasks.append(self.health.start())
        self.step(Started())  # peers hear how far it got: an idle network tells it nothing
        log.info("%s listening on %s:%s at height %s (stable checkpoint %s, %s blocks above "
                 "it recovered)", self.identity, self.host, self.port, self.height,
                 self.replica.low, recovered)

    async def stop(self) -> None:
        for t in self.tasks:  # (the metrics endpoint's among them)
            t.cancel()
        self.timers.cancel_all()
        for link in self.links.values():
            await link.stop()
        if self.server:
            await self.server.stop()
        self.health.stop()
        self.prechecks.stop()
        if hasattr(self, "endpoint"):
            self.endpoint.close()
        await self.attests.stop()  # a stop keeps what it has
        await self.on_db(lambda: self.store and self.store.close())
        self.db.shutdown()

    # --- the replica's events and actions ----------------------------------------------------

    def step(self, event: Event) -> None:
        assert self.replica is not None
        before = (self.replica.view, self.replica.view_changing)
        actions = self.replica.step(event, now_ms())
        after = (self.replica.view, self.replica.view_changing)
        if after != before:
            r = self.replica
            log.info("view %s%s (primary %s; on %s: executed %s, ordered %s, next %s, "
                     "%s pending, %s queued, %s in flight)", after[0],
                     " changing" if after[1] else "", r.primary, type(event).__name__,
                     r.executed, r.ordered, r.next_seq, len(r.pending), len(r.queue),
                     len(r.in_flight))
            if after[0] != before[0]:
                self.view_since = now_ms()
        if actions:
            self.outbox.put_nowait(ready(actions))

    async def _drain_outbox(self) -> None:
        """Carry out each step in order: its votes are durable before anything of it is
        sent.  The steps that queued while the last write was syncing are written in one
        transaction (group commit: one sync for all of them), then carried out in order."""
        while True:
            steps = [await self.outbox.get()]
            while not self.outbox.empty():
                steps.append(self.outbox.get_nowait())
            try:
                records = [p for r in steps for p in r.persist]
                if records:
                    t = self.loop.time()
                    await self.until_written(self._persist, records)
                    self.stages.persisted(self.loop.time() - t)
                for r in steps:
                    try:
                        self.driver.carry_out(r)  # (the executor steps what it executes)
                    except Exception:
                        log.exception("carrying out a step failed")
            except Exception:  # the write failed: nothing of these steps goes out
                log.exception("writing a step's records failed")
            finally:
                for _ in steps:
                    self.outbox.task_done()

    async def idle(self) -> None:
        """Returns once every step's actions so far are carried out, every block handed to
        the executor is executed and every database write queued so far is done (what
        tests wait on, instead of time)."""
        while True:
            await self.outbox.join()
            await self.exec_idle.wait()
            await self.on_db(lambda: None)  # the database thread runs its jobs in order
            if self.outbox.empty() and self.exec_queue.empty() and self.exec_idle.is_set():
                return

    # --- the driver's ports (driver.py) ---------------------------------------------------

    def _send_frame(self, to: int, data: bytes, keep: bool = False) -> None:
        if link := self.links.get(to):  # a view change's messages are kept past a budget
            link.send(data, keep=keep)

    def send(self, to: int, msg: m.Msg) -> None:
        self._send_frame(to, pbft_frame(msg), isinstance(msg, m.ViewChange | m.NewView))

    def broadcast(self, msg: m.Msg) -> None:
        # its own PRE-PREPARE by reference: the backups hold its requests (peer_frames.py)
        own = isinstance(msg, m.PrePrepare) and msg.sender == self.id and bool(msg.batch)
        data = ref_frame(msg, self.requests.leaf) if isinstance(msg, m.PrePrepare) and own \
            else pbft_frame(msg)
        if isinstance(msg, m.ViewChange | m.NewView | m.Suspect):
            log.info("sending %s for view %s (%s bytes)", msg.KIND, msg.view, len(data))
        elif isinstance(msg, m.PrePrepare | m.Prepare):
            self._tell_ordered(msg)
        elif isinstance(msg, m.Commit):
            self.stages.prepared(msg.seq)
        keep = isinstance(msg, m.ViewChange | m.NewView)
        for link in self.links.values():
            link.send(data, keep=keep)

    def arm(self, name: str, at: int) -> None:
        self.timers.arm(name, at)

    def disarm(self, name: str) -> None:
        self.timers.disarm(name)

    def execute(self, a: Execute) -> Event | None:
        self.stages.committed(a.seq)
        self.exec_queue.put_nowait(("ordered", a))  # the executor steps its Executed
        return None

    def fetch(self, a: FetchState) -> None:
        self._ask_blocks(a.peer, a.first, a.last)

    def certified(self, a: Certified) -> None:
        self.attests.save([(a.seq, encode_attests(a.attests))])

    def _attested(self, items: list[tuple[int, str]]) -> None:
        for h, _ in items:
            self.endpoint.attested(h)

    def _tell_ordered(self, msg: m.PrePrepare | m.Prepare) -> None:
        """This replica accepted a PRE-PREPARE (it sends it as primary, or its PREPARE as a
        backup): the batch's requests now have a sequence number."""
        assert self.replica is not None
        slot = self.replica.slots.get(msg.seq)
        pp = msg if isinstance(msg, m.PrePrepare) else (slot.pp if slot else None)
        if pp is not None:
            ids = [i for i in map(self.requests.id_of, pp.batch) if i is not None]
            self.stages.proposed(pp.seq, ids)
            if self.endpoint.progress:
                self.endpoint.ordered(ids, pp.view, pp.seq)

    def submit(self, text: str, progress: Any = None, *, wait_ms: int = 0) -> None:
        """A client request; the endpoint relays its progress (``ordered``) itself and
        waits for it (``wait_ms`` is for an observer, which forwards and retries)."""
        rid = self.requests.id_of(text)
        if rid is not None:
            self.admission.admitted(rid)
            self.stages.admitted(rid)
        self.step(ClientRequest(text))

    def busy(self) -> int | None:
        """None, or in how many ms a client should try again: the replica holds as many
        pending requests as it admits."""
        r = self.replica
        if r is not None and len(r.pending) >= self.admission.bound():
            self.stats["refused"] += 1
            return self.admission.refused()
        return None

    def on_peer_frame(self, src: int, data: bytes) -> None:
        try:
            # a state-transfer reply (the largest frames: MBs of blocks and effects) is
            # parsed plainly: each block proves itself by its certificate, so its bytes
            # need not be canonical, and checking that (parse, then encode again) cost the
            # loop 2.6 times a plain parse
            obj = codec.loads(data) if data.startswith(BLOCKS_FRAME) else codec.decode(data)
            kind = obj.get("t") if isinstance(obj, dict) else None
            if kind == "pbft":
                self._received(src, m.from_obj(obj["m"], 0, self.requests.adopt))
            elif kind in ("pp-ref", "need", "requests"):
                for pp in self.by_reference.on_frame(src, kind, obj):
                    self._received(src, pp)
            elif kind == "fetch":
                first, last = int(obj["first"]), int(obj["last"])
                self._fetch_asked(src, first, last, obj.get("effects") is True)
            elif kind == "blocks":
                blocks = list(obj["blocks"][:REPLY_BLOCKS])
                part = obj.get("part") is True
                last = self._take_reply(src, blocks, part)
                if last is None:
                    self.stats["unasked_replies"] += 1
                    return
                blocks = blocks_from_wire(blocks)
                self._receive_blocks(blocks, part)
                if not part:
                    self._continue_fetch(src, blocks, bool(obj.get("more")), last)
            else:
                raise m.BadMessage(f"unknown frame kind {kind!r}")
        except (m.BadMessage, codec.EncodingError, KeyError, TypeError, ValueError,
                RecursionError) as exc:  # (a plain parse of nesting too deep)
            self.stats["bad_peer_frames"] += 1
            log.debug("bad frame from %s: %s", src, exc)

    def _received(self, src: int, msg: m.Msg) -> None:
        if isinstance(msg, m.ViewChange | m.NewView):
            log.info("received %s for view %s from %s", msg.KIND, msg.view, src)
        if not (isinstance(msg, m.PrePrepare) and self._check_first(src, msg)):
            self.step(Received(src, msg))

    def _check_first(self, src: int, pp: m.PrePrepare) -> bool:
        """True if ``pp`` is checked off the loop before the replica sees it (precheck.py)."""
        return self.prechecks.defer(self.replica, src, pp)

    # --- execution ------------------------------------------------------------------------

    async def _executor(self) -> None:
        held: tuple[str, Any] | None = None
        while True:
            if held is None and self.exec_queue.empty():
                self.exec_idle.set()
            kind, item = held or await self.exec_queue.get()
            self.exec_idle.clear()
            held = None
            try:
                if kind == "ordered":
                    if item.seq == self.height + 1:
                        await self._execute(item)
                    continue
                run = list(item)  # consecutive replies are written together; a reply's
                waiting = kind == "fetched-part"  # parts wait for its last one
                while waiting or sum(len(b) for b, _ in run) < FETCHED_RUN:
                    if self.exec_queue.empty() and not waiting:
                        break
                    try:
                        async with asyncio.timeout(PART_WAIT_S):
                            nxt = await self.exec_queue.get()
                    except TimeoutError:
                        break
                    if nxt[0] not in ("fetched", "fetched-part"):
                        held = nxt
                        break
                    run.extend(nxt[1])
                    waiting = nxt[0] == "fetched-part"
                await self._execute_fetched(run)
            except Exception:
                log.exception("executing a block failed")

    async def _execute(self, ex: Execute) -> None:
        txs = [self.requests.get(t) for t in ex.batch]
        cert = encode_cert(ex.view, ex.time, ex.batch_id, ex.cert)
        # every request of an ordered batch was checked by this replica before it voted (or
        # is vouched for by the certificates of a NEW-VIEW): not again here, where a
        # request decoded anew (evicted from ``requests`` by a flood of others) would cost
        # two signature checks on the database thread.  The simulator's executions still
        # check, and fail any honest replica that ordered a forged request.
        res: BlockResult = await self.until_written(self._apply, txs, ex,
                                                    [True] * len(txs), cert)
        self._executed(res, ex, cert)

    async def until_written(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` on the database thread until it succeeds.  A failed write (disk
        full, I/O error, database locked) is retried with back-off, 50 ms doubling to 5 s;
        meanwhile ``degraded`` names the cause, ``status`` reports it and clients are
        refused with it.  Once the write succeeds the node carries on by itself: no step,
        vote or block is skipped, and nothing of a failed write stays (one SQLite
        transaction)."""
        pause = 0.05
        while True:
            try:
                out = await self.on_db(fn, *args)
            except sqlite3.Error as exc:
                if self.degraded is None:
                    log.error("a database write failed (%s): retrying until it succeeds",
                              exc)
                self.degraded = f"the validator cannot write to its database: {exc}"
                await asyncio.sleep(pause)
                pause = min(2 * pause, 5.0)
                continue
            if self.degraded is not None:
                log.info("database writes succeed again")
                self.degraded = None
            return out

    def _executed(self, res: BlockResult, ex: Execute, cert: bytes, *,
                  fetched: bool = False) -> None:
        """Block ``ex.seq`` is on disk.  A block this replica ordered is attested to its
        peers (its result certificate); a fetched one came with its own."""
        self.height, self.head_hash = res.height, res.hash
        self.stats["blocks"] += 1
        ids = tuple(r.id for r in res.results)
        self.admission.executed(ids)
        self.requests.done(ex.batch)
        self.stages.executed(ex.seq)
        self.step(Executed(ex.seq, res.state_root, ids, "" if fetched else res.hash))
        self.endpoint.block_done(res, ex.view, cert)

    def _apply(self, txs: list[Tx], ex: Execute, sig_ok: list[bool] | None,
               cert: bytes) -> BlockResult:
        """Execute a block (on the database thread); the result certificates waiting to be
        stored go in its SQLite transaction."""
        assert self.ledger is not None and self.store is not None
        head = self.ledger.head()
        attests = self.attests.take()
        try:
            with self.store.db.atomic():
                self.store.write_attests(attests)
                res = self.ledger.apply_block(txs, max(ex.time, head.time), view=ex.view,
                                              proposer=ex.view % len(self.publics),
                                              cert=cert, sig_ok=sig_ok)
            if not self.store.conn.in_transaction:  # (a fetched run commits it later)
                self.blocks_written()
        except BaseException:
            self.attests.unsaved.extendleft(reversed(attests))  # stored by the next one
            # the COMMIT may fail after the ledger took the block as written: its caches
            # go back to what is on disk
            self.ledger = Ledger(self.store, self.genesis)
            raise
        if attests:  # (on the database thread: the loop tells the waiters)
            self.loop.call_soon_threadsafe(self._attested, attests)
        return res

    def status(self, stages_s: int | None = None) -> dict[str, Any]:
        r = self.replica
        assert r is not None
        return {"identity": self.identity, "id": self.id, "height": self.height,
                "hash": self.head_hash, "view": r.view, "primary": r.primary,
                "view_changing": r.view_changing, "stable": r.low,
                "peers": {str(i): link.connected for i, link in self.links.items()},
                "pending": len(r.pending), "admission_bound": self.admission.bound(),
                "retry_pause_ms": int(self.admission.pause * 1000),
                "max_stall_us": int(self.health.max_stall_ms * 1000),
                "view_since": self.view_since, "degraded": self.degraded,
                "stages": self.stages.summary(stages_s), **self.stats}
