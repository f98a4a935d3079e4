"""One SQLite file per node (WAL), written one whole block at a time.

``commit_block`` writes the block header, every decided transaction, the postings and the
state changes in a single SQLite transaction: after a crash the file holds exactly the
blocks that were whole.  Readers use the same connection (one thread owns it).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from node import codec
from node.config import REPLY_BLOCKS
from node.store import schema
from node.store.rows import BlockRow, PostingRow, TxRow

if TYPE_CHECKING:
    from node.ledger.effects import Copy, Effects


# a state-transfer or observer reply carries about this much transaction text: its frame
# (with JSON escaping) stays well under the 8 MiB limit and a peer link's 4 MiB queue
FETCH_BYTES = 2 * 1024 * 1024
# a reply with effects runs on to a checkpoint, but never past this (it goes out in frames
# of at most PEER_MAX_FRAME): a chain whose proofs have gaps is served in parts, executed
EFFECTS_REPLY_MAX = 48 * 1024 * 1024
PRUNE_ROWS = 100  # effects rows dropped per call at most: a block of 500 payments has
                  # ~320 KB of effects, and 34 such rows went in 22 ms


def blocks_to_wire(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``Store.blocks_with_certs`` items for a frame: each transaction as the JSON object it
    is, not a string of JSON (``blocks_from_wire`` is the inverse)."""
    return [{**b, "txs": [codec.embed(t) for t in b["txs"]]} for b in blocks]


def blocks_from_wire(blocks: list[Any]) -> list[dict[str, Any]]:
    """Fetched blocks with their transactions' canonical texts again.  Each block is
    checked by its certificate after this: an entry that is not the object the sender's
    block held gives another text, which the certificate's Merkle root refuses."""
    out = []
    for b in blocks:
        if not isinstance(b, dict) or not isinstance(b.get("txs"), list):
            raise ValueError("a fetched block is an object with a list of transactions")
        out.append({**b, "txs": [codec.text_of(t) for t in b["txs"]]})
    return out


class StoreError(RuntimeError):
    pass


class Store:
    def __init__(self, path: Path | str, *, synchronous: str = "FULL") -> None:
        self.path = str(path)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA journal_mode=WAL")
        if synchronous not in ("FULL", "NORMAL", "OFF"):
            raise ValueError("synchronous must be FULL, NORMAL or OFF")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache: indexes stay hot
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA wal_autocheckpoint=8192")  # checkpoint every ~32 MiB of WAL
        self.conn = conn
        self._wal_fd: int | None = None  # for ``sync``: the log's file, opened on first use
        self.db = sqlite_utils.Database(conn)
        schema.migrate(self.db)
        self._upsert_sql = {
            t: self._upsert_statement(t, proj) for t, proj in schema.STATE_TABLES.items()
        }

    @staticmethod
    def _upsert_statement(table: str, proj: tuple[tuple[str, type], ...]) -> str:
        """An upsert of (key, data) that updates an existing row in place (INSERT OR REPLACE
        deletes it and inserts it again, index entries and all: ~15 % slower per row).
        SQLite reads the projection columns out of the JSON itself: no parse in Python for
        copied blocks, and that work runs without the GIL."""
        cols = ["key", "data", *[c for c, _ in proj]]
        # the column names are this module's own, never input
        marks = ", ".join(["?1", "?2", *[f"json_extract(?2, '$.{c}')" for c, _ in proj]])
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) "
                f"ON CONFLICT(key) DO UPDATE SET {sets}")

    def close(self) -> None:
        self.conn.close()
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None

    def sync(self) -> None:
        """Make every transaction committed so far survive a power cut: the write-ahead log
        synced (a store opened ``synchronous=NORMAL`` commits without syncing; SQLite still
        syncs the log before each checkpoint copies it into the database file)."""
        if self._wal_fd is None:
            try:
                self._wal_fd = os.open(self.path + "-wal", os.O_RDONLY)
            except FileNotFoundError:
                return  # nothing written since the last checkpoint removed the log
        os.fdatasync(self._wal_fd)

    # --- meta ----------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                              (key, value))

    # --- state ---------------------------------------------------------------------------

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT data FROM {table} WHERE key = ?", (key,)).fetchone()
        return None if row is None else codec.loads(row[0])

    def scan(self, table: str, where: str = "", params: Iterable[Any] = ()) \
            -> Iterator[tuple[str, dict[str, Any]]]:
        sql = f"SELECT key, data FROM {table}"
        if where:
            sql += f" WHERE {where}"
        for key, data in self.conn.execute(sql + " ORDER BY key", tuple(params)):
            yield key, codec.loads(data)

    def consumed_among(self, tx_ids: list[str]) -> set[str]:
        """Which of these ids were already decided (one query per 500 ids)."""
        found: set[str] = set()
        for i in range(0, len(tx_ids), 500):
            chunk = tx_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM txs WHERE consumes = 1 AND id IN ({marks})", chunk))
        return found

    def tx_consumed(self, tx_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM txs WHERE id = ? AND consumes = 1 LIMIT 1", (tx_id,)
        ).fetchone()
        return row is not None

    # --- blocks --------------------------------------------------------------------------

    def height(self) -> int:
        row = self.conn.execute("SELECT MAX(height) FROM blocks").fetchone()
        return -1 if row[0] is None else int(row[0])

    def block(self, height: int) -> BlockRow | None:
        row = self.conn.execute(
            "SELECT height, hash, prev_hash, tx_root, state_root, time, view, proposer, ntx, "
            "header, cert FROM blocks WHERE height = ?", (height,)
        ).fetchone()
        if row is None:
            return None
        # text where bytes belong (an edited file) is read back as bytes
        return BlockRow(*row[:9], *(x.encode() if isinstance(x, str) else x for x in row[9:]))

    def head(self) -> BlockRow | None:
        h = self.height()
        return None if h < 0 else self.block(h)

    def block_txs(self, height: int) -> list[TxRow]:
        rows = self.conn.execute(
            "SELECT height, pos, id, kind, code, message, card, merchant, bank, amount, time, "
            "consumes, wire FROM txs WHERE height = ? ORDER BY pos", (height,)
        ).fetchall()
        return [TxRow(*r[:11], bool(r[11]), r[12].encode() if isinstance(r[12], str) else r[12])
                for r in rows]

    def blocks_with_certs(self, first: int, limit: int = REPLY_BLOCKS,
                          max_bytes: int = FETCH_BYTES,
                          effects: bool = False) -> list[dict[str, Any]]:
        """Blocks from ``first`` on with their commit certificates and transactions: what
        state transfer and observers fetch (each block proves itself by its certificate).
        At most ``limit`` blocks, and no more once their texts pass ``max_bytes`` (at least
        one block): 200 full blocks would be ~70 MB, past any frame.

        With ``effects`` (a validator that is behind), each block also carries its effects
        texts, and a block at a stable checkpoint its proof ("proof"), which vouches for
        the effects up to it; blocks whose effects were pruned come in a reply of their own
        (executed), so the first block that has them starts the next reply.  The reply
        then ends at a checkpoint whenever one lies ahead (a longer reply rather than a
        shorter one: effects past the last proof would have to be executed again).  For
        the same reason a range that ends short of a checkpoint is served on to it: the
        asker takes the blocks past its range all the same."""
        out: list[dict[str, Any]] = []
        size = 0
        last = min(first + limit - 1, self.height())
        if effects:
            nxt = self.conn.execute("SELECT MIN(seq) FROM checkpoints WHERE seq >= ?",
                                    (last,)).fetchone()[0]
            if nxt is not None and nxt - first < REPLY_BLOCKS:
                last = max(last, int(nxt))
        proofs = self.proofs(first, last) if effects else {}
        ahead = max(proofs, default=0)  # the last checkpoint within reach
        copied: bool | None = None  # whether this reply's blocks carry their effects
        for h in range(max(1, first), last + 1):
            if out and size >= max_bytes and (out[-1]["height"] in proofs
                                              or out[-1]["height"] >= ahead
                                              or size >= EFFECTS_REPLY_MAX):
                break
            b = self.block(h)
            if b is None or b.cert is None:
                break
            txs = [w.decode() if isinstance(w, bytes) else w for (w,) in self.conn.execute(
                "SELECT wire FROM txs WHERE height = ? ORDER BY pos", (h,))]
            size += sum(len(t) for t in txs) + len(b.cert)
            item: dict[str, Any] = {"height": h, "cert": b.cert.decode(), "txs": txs}
            attest = self.attest(h)
            if attest is not None:
                item["attest"] = attest
            if effects:
                fx = self.conn.execute("SELECT results, writes FROM effects WHERE height = ?",
                                       (h,)).fetchone()
                if copied is None:
                    copied = fx is not None
                    if not copied:  # an older chain format, or pruned: executed
                        proofs, ahead = {}, 0
                elif copied != (fx is not None):
                    # a reply is all copied or all executed: served on from here, the
                    # blocks past the pruning cutoff would otherwise lose their effects
                    break
                if fx is not None:
                    item["results"], item["writes"] = fx
                    size += len(fx[0]) + len(fx[1])
                    if h in proofs:
                        item["proof"] = proofs[h]
            out.append(item)
        cut = max((i for i, b in enumerate(out) if "proof" in b), default=None)
        if cut is not None and self.conn.execute(
                "SELECT 1 FROM checkpoints WHERE seq > ? LIMIT 1",
                (out[cut]["height"],)).fetchone():
            del out[cut + 1:]  # the rest follows with its own proof in the next reply
        return out

    def commit_block(
        self,
        block: BlockRow,
        txs: list[TxRow],
        postings: list[PostingRow],
        writes: list[tuple[str, str, dict[str, Any] | None, str | None]],
        effects: Effects | None = None,
    ) -> None:
        """Write a whole block and its effects atomically, or nothing.

        ``writes`` holds (table, key, row, canonical JSON of row) with row None to delete;
        ``effects`` (chain format 2) the texts its state root hashes, kept for state
        transfer."""
        expected = self.height() + 1
        if block.height != expected:
            raise StoreError(f"block {block.height} does not follow height {expected - 1}")
        by_table: dict[str, list[tuple[str, str | None]]] = {}
        deletes: dict[str, list[tuple[str]]] = {}
        for table, key, row, data in writes:
            if row is None:
                deletes.setdefault(table, []).append((key,))
                continue
            by_table.setdefault(table, []).append((key, data))
        with self.db.atomic():
            c = self.conn
            c.execute(
                self._BLOCKS_SQL,
                (block.height, block.hash, block.prev_hash, block.tx_root, block.state_root,
                 block.time, block.view, block.proposer, block.ntx, block.header, block.cert),
            )
            self._write_txs(txs)
            self._write_postings(postings)
            for table, rows in by_table.items():
                c.executemany(self._upsert_sql[table], rows)
            for table, keys in deletes.items():
                c.executemany(f"DELETE FROM {table} WHERE key = ?", keys)
            if effects is not None:
                self._write_effects([(block.height, effects.results, effects.writes)])

    def copy_blocks(self, copy: Copy) -> None:
        """Write a run of blocks copied from their certified effects (state transfer), in
        the caller's SQLite transaction: the same rows executing them would have written."""
        expected = self.height() + 1
        if not copy.blocks or copy.blocks[0].height != expected:
            raise StoreError(f"the copied blocks do not follow height {expected - 1}")
        c = self.conn
        c.executemany(self._BLOCKS_SQL, [(b.height, b.hash, b.prev_hash, b.tx_root,
                                          b.state_root, b.time, b.view, b.proposer, b.ntx,
                                          b.header, b.cert) for b in copy.blocks])
        c.executemany(self._TXS_SQL, copy.txs)
        c.executemany(self._POSTINGS_SQL, copy.postings)
        for table, rows in copy.upserts().items():
            c.executemany(self._upsert_sql[table], rows)
        for table, keys in copy.deletes().items():
            c.executemany(f"DELETE FROM {table} WHERE key = ?", keys)
        self._write_effects(copy.effects)

    def _write_effects(self, rows: list[tuple[int, str, str]]) -> None:
        self.conn.executemany("INSERT INTO effects (height, results, writes) VALUES (?,?,?)",
                              rows)

    # --- checkpoint proofs ---------------------------------------------------------------

    def save_proof(self, seq: int, proof: list[str]) -> None:
        """A stable checkpoint's proof (its 2f+1 CHECKPOINT texts); in the caller's
        transaction."""
        self.conn.execute("INSERT OR IGNORE INTO checkpoints (seq, proof) VALUES (?, ?)",
                          (seq, json.dumps(proof)))

    def prune_effects(self, keep_ms: int, limit: int = PRUNE_ROWS) -> int:
        """Drop the effects texts (and checkpoint proofs) of blocks older than ``keep_ms``
        before the head block's time, at most ``limit`` rows per call, in the caller's
        transaction; how many effects rows went.  A node that is behind is sent such blocks
        without effects and executes them: slower than copying, the same rows.  The chain
        itself (blocks, transactions, postings) is never pruned."""
        # block times never decrease with height: the first block within the window, by
        # the time index, is where the kept effects start
        row = self.conn.execute(
            "SELECT height FROM blocks WHERE time >= (SELECT MAX(time) FROM blocks) - ? "
            "ORDER BY time, height LIMIT 1", (keep_ms,)).fetchone()
        if row is None:
            return 0
        cutoff = int(row[0])
        gone = self.conn.execute(
            "DELETE FROM effects WHERE height IN (SELECT height FROM effects "
            "WHERE height < ? ORDER BY height LIMIT ?)", (cutoff, limit)).rowcount
        self.conn.execute("DELETE FROM checkpoints WHERE seq < ?", (cutoff,))
        return int(gone)

    def proofs(self, first: int, last: int) -> dict[int, list[str]]:
        return {int(seq): codec.loads(p) for seq, p in self.conn.execute(
            "SELECT seq, proof FROM checkpoints WHERE seq BETWEEN ? AND ?", (first, last))}

    _BLOCKS_SQL = ("INSERT INTO blocks (height, hash, prev_hash, tx_root, state_root, time, "
                   "view, proposer, ntx, header, cert) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
    _POSTINGS_SQL = ("INSERT INTO postings (height, pos, seq, account, asset, amount) "
                     "VALUES (?,?,?,?,?,?)")
    _TXS_SQL = ("INSERT INTO txs (height, pos, id, kind, code, message, card, merchant, bank, "
                "amount, time, consumes, wire) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")

    def _write_postings(self, postings: list[PostingRow]) -> None:
        self.conn.executemany(
            self._POSTINGS_SQL,
            [(p.height, p.pos, p.seq, p.account, p.asset, p.amount) for p in postings],
        )

    def _write_txs(self, txs: list[TxRow]) -> None:
        self.conn.executemany(
            self._TXS_SQL,
            [(t.height, t.pos, t.id, t.kind, t.code, t.message, t.card, t.merchant,
              t.bank, t.amount, t.time, int(t.consumes), t.wire) for t in txs],
        )

    def set_attest(self, items: list[tuple[int, str]]) -> None:
        """Store result certificates (height, canonical JSON list of ATTEST texts); a block
        that has one keeps it (any f+1 valid ones prove the same header).

        Written without a sync of its own: the next sync (a block's or the votes')
        makes it durable with the WAL.  A power cut before that loses only these
        certificates, never a block."""
        level = self.conn.execute("PRAGMA synchronous").fetchone()[0]
        self.conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with self.db.atomic():
                self.write_attests(items)
        finally:
            self.conn.execute(f"PRAGMA synchronous={int(level)}")

    def write_attests(self, items: list[tuple[int, str]]) -> None:
        """``set_attest`` in the caller's transaction (a block's commit)."""
        if items:
            self.conn.executemany(
                "UPDATE blocks SET attest = ? WHERE height = ? AND attest IS NULL",
                [(text, h) for h, text in items])

    def attest(self, height: int) -> str | None:
        row = self.conn.execute("SELECT attest FROM blocks WHERE height = ?",
                                (height,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def set_certificate(self, height: int, cert: bytes) -> None:
        with self.db.atomic():
            self.conn.execute("UPDATE blocks SET cert = ? WHERE height = ?", (cert, height))

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        cur = self.conn.execute(sql, tuple(params))
        return cur.fetchall()


class ReplayStore(Store):
    """A store for re-executing a chain whose logs already exist elsewhere (the audit): it
    keeps state and block headers but not the transaction and posting logs, remembering
    decided ids in memory for replay protection."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, synchronous="OFF")
        self._consumed: set[str] = set()

    def consumed_among(self, tx_ids: list[str]) -> set[str]:
        return {i for i in tx_ids if i in self._consumed}

    def tx_consumed(self, tx_id: str) -> bool:
        return tx_id in self._consumed

    def _write_txs(self, txs: list[TxRow]) -> None:
        self._consumed.update(t.id for t in txs if t.consumes)

    def _write_postings(self, postings: list[PostingRow]) -> None:
        return None

    def _write_effects(self, rows: list[tuple[int, str, str]]) -> None:
        return None
