"""Full-chain audit: trust nothing in a node's database but the genesis file.

For every block: the header's hash, its link to the previous block, the Merkle root of its
transactions, its commit certificate (2f+1 validator signatures over height, time and that
root), and every transaction signature (in worker processes, on every core).  The whole
chain is re-executed from genesis into a scratch database, from the certified transactions
alone, and every row the node stored for each block (block, transactions, postings,
effects, result certificate) is compared with what re-execution wrote; then the state
tables, checkpoint proofs and metadata (node/audit_rows.py).  The report names the first
height where anything differs, or the table and key of a state row with the height that
last wrote it.  The audited file is opened read-only, and the audit never raises: a
failure of its own is a finding too.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import multiprocessing
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node import audit_rows, codec, crypto
from node.consensus.certs import cert_problem
from node.consensus.types import Config
from node.findings import Finding
from node.ledger import Genesis, Ledger
from node.ledger.tx import Tx
from node.requests import id_of
from node.store import BlockRow, Store, schema

Progress = Callable[[int, int], None]
CHUNK = 8  # blocks per worker job: small, so re-execution starts at once


@dataclass
class AuditReport:
    height: int = 0
    transactions: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_height(self) -> int | None:
        return min((h for h, _ in self.problems), default=None)

    def add(self, height: int, what: str) -> None:
        if len(self.problems) < 1000:
            self.problems.append((height, what))


class Reader:
    """The audited file, read-only (never migrated or written), read the way a Store does."""

    def __init__(self, path: Path | str) -> None:
        self.conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True,
                                    check_same_thread=False)

    def close(self) -> None:
        self.conn.close()

    def height(self) -> int:
        row = self.conn.execute("SELECT MAX(height) FROM blocks WHERE "
                                "typeof(height) = 'integer'").fetchone()
        return -1 if row[0] is None else int(row[0])

    def block(self, height: int) -> BlockRow | None:
        row = self.conn.execute(
            "SELECT height, hash, prev_hash, tx_root, state_root, time, view, proposer, ntx, "
            "header, cert FROM blocks WHERE height = ?", (height,)).fetchone()
        if row is None:
            return None
        return BlockRow(*row[:9], *(x.encode() if isinstance(x, str) else x for x in row[9:]))

    def wires(self, height: int) -> list[bytes]:
        return [w.encode() if isinstance(w, str) else bytes(w) for (w,) in self.conn.execute(
            "SELECT wire FROM txs WHERE height = ? ORDER BY pos", (height,))]


_WORKER_STORE: dict[str, Reader] = {}


def _verify_chunk(db_path: str, genesis: Genesis, first: int, last: int) \
        -> list[tuple[int, str, list[str], list[bool]]]:
    """Worker process: structure, certificate and every signature of blocks first..last,
    read from the database by the worker itself.  Returns (height, stored hash, problems,
    signature verdicts) per block."""
    store = _WORKER_STORE.get(db_path)
    if store is None:
        store = _WORKER_STORE[db_path] = Reader(db_path)
    prev_block = store.block(first - 1)
    prev = prev_block.hash if prev_block is not None else ""
    out = []
    for h in range(first, last + 1):
        report = AuditReport()
        try:
            prev, wires = _check_block(store, genesis, h, prev, report)
        except Exception as exc:  # a shape the checks did not foresee: a finding
            report.add(h, Finding("the block cannot be read: %1", type(exc).__name__))
            wires = []
        oks = []
        for w in wires:
            try:
                oks.append(Tx.decode(w).signatures_valid())
            except Exception:
                oks.append(False)
        out.append((h, prev, [p for _, p in report.problems], oks))
    return out


def _check_block(store: Reader, genesis: Genesis, height: int, prev_hash: str,
                 report: AuditReport) -> tuple[str, list[bytes]]:
    """Structure of one block; returns (its hash as stored, its transaction wires)."""
    b = store.block(height)
    if b is None:
        report.add(height, "block missing")
        return prev_hash, []
    wires = store.wires(height)
    if codec.sha256(b.header).hex() != b.hash:
        report.add(height, "block hash does not match its header")
    try:
        header = codec.decode(b.header)
        if not isinstance(header, dict):
            raise codec.EncodingError("not an object")
    except codec.EncodingError:
        report.add(height, "header is not canonical")
        return b.hash, wires
    if header.get("prev") != prev_hash or b.prev_hash != prev_hash:
        report.add(height, "does not link to the previous block")
    root = crypto.merkle_root([codec.sha256(w) for w in wires]).hex()
    if header.get("tx_root") != root or b.tx_root != root:
        report.add(height, "transactions do not match the header's Merkle root")
    if (header.get("state_root"), header.get("time"), header.get("height")) != \
            (b.state_root, b.time, height):
        report.add(height, "header fields differ from the block row")
    if b.cert is None:
        report.add(height, "no commit certificate")
    else:
        problem = _check_cert(genesis, height, root, b.cert)
        if problem:
            report.add(height, problem)
    return b.hash, wires


def _check_cert(genesis: Genesis, height: int, root: str, cert_bytes: bytes) -> str | None:
    try:
        cert = codec.decode(cert_bytes)
        if not isinstance(cert, dict):
            raise codec.EncodingError("not an object")
    except codec.EncodingError:
        return "commit certificate is malformed"
    publics = [v["public_key"] for v in genesis.validators]
    return cert_problem(publics, height, root, cert, crypto.verify)[0]


def _yield_cpu() -> None:
    """Workers run at a lower priority: re-execution in the main process is sequential and
    is the critical path, so it keeps a whole core while the checkers share what is left.
    They die with the process that started them."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    from node.procs import pool_worker_init

    pool_worker_init()


def memory_budget() -> int:
    """Half the machine's memory (from /proc/meminfo; 2 GiB if unknown)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024 // 2
    except OSError:
        pass
    return 2 << 30


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """Re-execution allocates millions of short-lived rows; the collector's full passes
    over a big process (a node, the GUI, a benchmark) would cost more than they free."""
    old = gc.get_threshold()
    gc.freeze()  # what exists already is not garbage from this audit
    gc.set_threshold(50_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def audit(db_path: Path, genesis: Genesis, *, workers: int | None = None,
          progress: Progress | None = None) -> AuditReport:
    with _fewer_gc_passes():
        try:
            return _audit(Path(db_path), genesis, workers, progress)
        except Exception as exc:  # the file itself is unusable: say so, never raise
            report = AuditReport()
            report.add(0, Finding("the database file is damaged: %1",
                                  f"{type(exc).__name__}: {exc}"))
            return report


class _Inline(concurrent.futures.Executor):
    """``workers=0``: the checks in this process, in order (small chains, tests)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kw: Any) \
            -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        fut.set_result(fn(*args, **kw))
        return fut


def _pool(workers: int) -> concurrent.futures.Executor:
    """Workers forked from a server process started for them, not from this process: it
    may run Qt, asyncio and SQLite threads, and a child forked while one of them holds a
    lock can hang (and the audit with it)."""
    if workers == 0:
        return _Inline()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["node.audit"])  # each worker starts with it imported
    return concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx,
                                                  initializer=_yield_cpu)


def _config(genesis: Genesis) -> Config:
    """What checking validator signatures needs (the key is never used to sign)."""
    publics = tuple(v["public_key"] for v in genesis.validators)
    return Config(replica=-1, publics=publics, key=crypto.generate(), request_id=id_of)


def _audit(db_path: Path, genesis: Genesis, workers: int | None,
           progress: Progress | None) -> AuditReport:
    workers = (os.cpu_count() or 1) if workers is None else workers
    node = Reader(db_path)
    version = node.conn.execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if version is None or version[0] != str(schema.SCHEMA_VERSION):
        # another version's file (a node brings its own up to date when it starts): its
        # tables are not the ones compared here
        node.close()
        report = AuditReport()
        report.add(0, Finding("database metadata %1 is wrong", "schema_version"))
        return report
    report = AuditReport(height=node.height())
    check = node.conn.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        report.add(0, Finding("the database file is damaged: %1", check))
    total = max(report.height, 1)
    scratch = tempfile.TemporaryDirectory(prefix="cardchain-audit-")
    # the re-execution is thrown away: keep it in memory when it fits comfortably
    in_memory = os.path.getsize(db_path) < memory_budget()
    fresh = Store(":memory:" if in_memory else Path(scratch.name) / "replay.db",
                  synchronous="OFF")
    cfg = _config(genesis)
    n = len(genesis.validators)
    try:
        replay = Ledger(fresh, genesis)
        replay.written = {}
        g0 = node.block(0)
        if g0 is None or g0.hash != replay.head().hash:
            report.add(0, "genesis block differs from the genesis file")
        fx_from, gaps = audit_rows.effects_start(node.conn, report.height)
        for h, p in gaps + audit_rows.orphans(node.conn, report.height):
            report.add(h, p)
        replaying = True
        with _pool(workers) as pool:
            jobs = [pool.submit(_verify_chunk, str(db_path), genesis, a,
                                min(a + CHUNK - 1, report.height))
                    for a in range(1, report.height + 1, CHUNK)]
            for fut in jobs:  # re-execute in order while the workers check ahead
                for h, _hash, problems, oks in fut.result():
                    for p in problems:
                        report.add(h, p)
                    if replaying:
                        replaying = _replay_block(node, replay, h, oks, report)
                        if replaying:
                            for fh, p in audit_rows.compare_block(node.conn, fresh.conn, h, n,
                                                                  fx_from):
                                report.add(fh, p)
                            for fh, p in audit_rows.check_attest(node.conn, cfg, h,
                                                                 replay.head().hash):
                                report.add(fh, p)
                    if progress:
                        progress(h, total)
        if replaying:
            for h, p in audit_rows.compare_state(node.conn, fresh.conn, replay.written,
                                                 report.height):
                report.add(h, p)
        for h, p in audit_rows.check_checkpoints(node.conn, fresh.conn, cfg) + \
                audit_rows.check_meta(node.conn, cfg, genesis.hash.hex(), report.height):
            report.add(h, p)
    finally:
        fresh.close()
        node.close()
        stale = _WORKER_STORE.pop(str(db_path), None)  # an inline run's reader
        if stale is not None:
            stale.close()
        scratch.cleanup()
    return report


def _replay_block(node: Reader, replay: Ledger, h: int, oks: list[bool],
                  report: AuditReport) -> bool:
    """Re-execute block ``h`` from its certified transactions; False if the chain cannot
    be re-executed past it (its certificate is gone with its row)."""
    stored = node.block(h)
    if stored is None or stored.cert is None:
        report.add(h, Finding("re-execution stopped: block %1 is missing", h))
        return False
    wires = node.wires(h)
    report.transactions += len(wires)
    rows: list[Any] = node.conn.execute(
        "SELECT id, code FROM txs WHERE height = ? ORDER BY pos", (h,)).fetchall()
    for (tx_id, code), ok in zip(rows, oks, strict=False):
        if not ok and code != "bad_signature":
            report.add(h, Finding("transaction %1 has an invalid signature",
                                  f"{str(tx_id)[:16]}…"))
    try:
        txs = [Tx.decode_trusted(w) for w in wires]  # the workers checked canonical form
    except Exception:
        report.add(h, "a transaction cannot be decoded")
        txs, oks = [], []
    try:
        cert = codec.loads(stored.cert)
        view, time = int(cert["view"]), int(cert["time"])
    except Exception:  # the structure check names the certificate
        view, time = 0, stored.time
    try:
        head = replay.head()
        res = replay.apply_block(txs, max(time, head.time), view=view,
                                 proposer=view % len(replay.genesis.validators),
                                 cert=stored.cert, sig_ok=oks if txs else [])
    except Exception as exc:
        report.add(h, Finding("re-execution failed: %1", exc))
        return False
    if res.state_root != stored.state_root:
        report.add(h, "re-execution gives another state root")
    codes = [r[1] for r in rows]
    if [r.code for r in res.results] != codes:
        report.add(h, "re-execution decides a transaction differently")
    return True
