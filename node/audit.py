"""Full-chain audit: trust nothing in a node's database but the genesis file.

For every block: the header's hash, its link to the previous block, the Merkle root of its
transactions, its commit certificate (2f+1 validator signatures over height, time and that
root), and every transaction signature (in worker processes, on every core).  Then the
whole chain is re-executed from genesis into a scratch database and each block's state root
and hash compared; finally the node's current state tables are compared with the
re-executed ones.  The report names the first height where anything differs.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from node import codec, crypto
from node.consensus.certs import cert_problem
from node.ledger import Genesis, Ledger
from node.ledger.tx import Tx
from node.store import ReplayStore, Store, schema

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


_WORKER_STORE: dict[str, Store] = {}


def _verify_chunk(db_path: str, genesis: Genesis, first: int, last: int) \
        -> list[tuple[int, str, list[str], list[bool]]]:
    """Worker process: structure, certificate and every signature of blocks first..last,
    read from the database by the worker itself.  Returns (height, stored hash, problems,
    signature verdicts) per block."""
    store = _WORKER_STORE.get(db_path)
    if store is None:
        store = _WORKER_STORE[db_path] = Store(db_path)
    prev_block = store.block(first - 1)
    prev = prev_block.hash if prev_block is not None else ""
    out = []
    for h in range(first, last + 1):
        report = AuditReport()
        prev, wires = _check_block(store, genesis, h, prev, report)
        oks = []
        for w in wires:
            try:
                oks.append(Tx.decode(w).signatures_valid())
            except Exception:
                oks.append(False)
        out.append((h, prev, [p for _, p in report.problems], oks))
    return out


def _check_block(store: Store, genesis: Genesis, height: int, prev_hash: str,
                 report: AuditReport) -> tuple[str, list[bytes]]:
    """Structure of one block; returns (its hash as stored, its transaction wires)."""
    b = store.block(height)
    if b is None:
        report.add(height, "block missing")
        return prev_hash, []
    wires = [r.wire for r in store.block_txs(height)]
    if codec.sha256(b.header).hex() != b.hash:
        report.add(height, "block hash does not match its header")
    try:
        header = codec.decode(b.header)
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
    except codec.EncodingError:
        return "commit certificate is malformed"
    publics = [v["public_key"] for v in genesis.validators]
    return cert_problem(publics, height, root, cert)[0]


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
        return _audit(db_path, genesis, workers, progress)


def _audit(db_path: Path, genesis: Genesis, workers: int | None,
           progress: Progress | None) -> AuditReport:
    workers = workers or os.cpu_count() or 1
    store = Store(db_path)
    report = AuditReport(height=store.height())
    total = max(report.height, 1)
    scratch = tempfile.TemporaryDirectory(prefix="cardchain-audit-")
    # the re-execution is thrown away: keep it in memory when it fits comfortably
    in_memory = os.path.getsize(db_path) < memory_budget()
    fresh = ReplayStore(":memory:" if in_memory else Path(scratch.name) / "replay.db")
    try:
        replay = Ledger(fresh, genesis)
        g0 = store.block(0)
        if g0 is None or g0.hash != replay.head().hash:
            report.add(0, "genesis block differs from the genesis file")
        with concurrent.futures.ProcessPoolExecutor(workers, initializer=_yield_cpu) as pool:
            jobs = [pool.submit(_verify_chunk, str(db_path), genesis, a,
                                min(a + CHUNK - 1, report.height))
                    for a in range(1, report.height + 1, CHUNK)]
            for fut in jobs:  # re-execute in order while the workers check ahead
                for h, _hash, problems, oks in fut.result():
                    for p in problems:
                        report.add(h, p)
                    _replay_block(store, replay, h, oks, report)
                    if progress:
                        progress(h, total)
        _compare_state(store, fresh, report)
    finally:
        fresh.close()
        store.close()
        scratch.cleanup()
    return report


def _replay_block(store: Store, replay: Ledger, h: int, oks: list[bool],
                  report: AuditReport) -> None:
    stored = store.block(h)
    rows = store.block_txs(h)
    wires = [r.wire for r in rows]
    report.transactions += len(wires)
    for r, ok in zip(rows, oks, strict=True):
        if not ok and r.code != "bad_signature":
            report.add(h, f"transaction {r.id[:16]}… has an invalid signature")
    try:
        txs = [Tx.decode_trusted(w) for w in wires]  # the workers checked canonical form
    except Exception:
        report.add(h, "a transaction cannot be decoded")
        txs = []
    assert stored is not None
    try:
        res = replay.apply_block(txs, stored.time, sig_ok=oks if txs else [])
    except Exception as exc:
        report.add(h, f"re-execution failed: {exc}")
        return
    if res.state_root != stored.state_root:
        report.add(h, "re-execution gives another state root")
    if [r.code for r in res.results] != [r.code for r in rows]:
        report.add(h, "re-execution decides a transaction differently")


def _compare_state(store: Store, fresh: Store, report: AuditReport) -> None:
    for table in schema.STATE_TABLES:
        q = f"SELECT key, data FROM {table} ORDER BY key"
        try:
            mine = store.query(q)
            theirs = fresh.query(q)
        except sqlite3.Error:
            report.add(report.height, f"state table {table} unreadable")
            continue
        if mine != theirs:
            diff = next((a[0] for a, b in zip(mine, theirs, strict=False) if a != b),
                        "(row count)")
            report.add(report.height, f"current state differs from the chain: {table} {diff}")
