"""A block's effects (chain format 2): what executing it wrote, as two canonical texts that
its state root hashes, so a node that is behind can copy a certified block's effects
instead of executing it again.

* ``results``: one ``[id, kind, code, message, card, merchant, bank, amount, consumes,
  [[account, asset, amount], ...]]`` per transaction, in block order: every column of the
  ``txs`` table but the wire text (which the block's tx root covers), and the postings;
* ``writes``: one ``[table, key, data]`` per state row written, sorted by (table, key);
  ``data`` is the row's canonical JSON text, or null for a deleted row.

The state root is ``digest([prev_root, height, sha256(writes), sha256(results)])``: a
checkpoint's state root, which 2f+1 validators signed, therefore vouches for the effects
of every block up to it.  ``copy_run`` turns a run of certified blocks and their effects
into the rows to write, and the state root the run ends at (the caller compares it with
the checkpoint's before writing anything).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from node import codec, crypto
from node.store import schema
from node.store.rows import BlockRow

if TYPE_CHECKING:
    from node.store.rows import PostingRow, TxRow


def block_hash(header: dict[str, object]) -> str:
    return codec.digest(header).hex()


def header_of(chain: str, height: int, prev: str, tx_root: str, state_root: str, time: int,
              ntx: int, results_root: str | None = None) -> dict[str, object]:
    """A block header; from chain format 3 on it carries ``results``, the Merkle root of the
    block's result entries (``result_leaf``), which receipts prove a result against."""
    header: dict[str, object] = {"chain": chain, "height": height, "prev": prev,
                                 "tx_root": tx_root, "state_root": state_root, "time": time,
                                 "ntx": ntx}
    if results_root is not None:
        header["results"] = results_root
    return header


def result_leaf(entry: Sequence[Any]) -> bytes:
    """The results-root leaf of one transaction's result entry ``[id, kind, code, message,
    card, merchant, bank, amount, consumes, postings]`` (as in an effects ``results`` text)."""
    return hashlib.sha256(codec.encode_trusted(list(entry))).digest()


def results_root_of(entries: Sequence[Sequence[Any]]) -> str:
    return crypto.merkle_root([result_leaf(e) for e in entries]).hex()


def state_root_of(prev_root: str, height: int, writes_hash: str, results_hash: str) -> str:
    return codec.digest([prev_root, height, writes_hash, results_hash]).hex()


@dataclass(frozen=True)
class Effects:
    results: str
    writes: str
    entries: tuple[Any, ...] = ()  # the parsed ``results`` (when this program built them)

    def hashes(self) -> tuple[str, str]:
        """(writes hash, results hash): the two the block's state root is made of."""
        return (hashlib.sha256(self.writes.encode("utf-8")).hexdigest(),
                hashlib.sha256(self.results.encode("utf-8")).hexdigest())


def effects_of(tx_rows: Sequence[TxRow], postings: Sequence[PostingRow],
               writes: Sequence[tuple[str, str, object, str | None]]) -> Effects:
    lines: dict[int, list[list[Any]]] = {}
    for p in postings:
        lines.setdefault(p.pos, []).append([p.account, p.asset, p.amount])
    results = [[t.id, t.kind, t.code, t.message, t.card, t.merchant, t.bank, t.amount,
                int(t.consumes), lines.get(t.pos, [])] for t in tx_rows]
    return Effects(codec.encode_trusted(results).decode("utf-8"),
                   codec.encode_trusted([[t, k, d] for t, k, _, d in writes]).decode("utf-8"),
                   tuple(results))


@dataclass(frozen=True)
class Fetched:
    """A certified block as state transfer received it, with its effects."""

    height: int
    time: int  # the PRE-PREPARE's (the block's is never before its parent's)
    view: int
    cert: bytes
    wires: tuple[str, ...]
    tx_root: str
    effects: Effects


@dataclass
class Copy:
    """The rows a run of copied blocks writes, in one SQLite transaction."""

    blocks: list[BlockRow] = field(default_factory=list)
    txs: list[tuple[Any, ...]] = field(default_factory=list)
    postings: list[tuple[Any, ...]] = field(default_factory=list)
    effects: list[tuple[int, str, str]] = field(default_factory=list)
    # (table, key) -> its last data text in the run (None: deleted)
    state: dict[tuple[str, str], str | None] = field(default_factory=dict)
    # per block: (id, kind, code, message) of each transaction
    results: list[list[tuple[str, str, str, str]]] = field(default_factory=list)

    def upserts(self) -> dict[str, list[tuple[str, str]]]:
        """Per table, (key, data) of each row written; the store takes the projection
        columns from ``data`` itself (``Store._upsert_statement``)."""
        out: dict[str, list[tuple[str, str]]] = {}
        for (table, key), data in self.state.items():
            if data is not None:
                out.setdefault(table, []).append((key, data))
        return out

    def deletes(self) -> dict[str, list[tuple[str]]]:
        out: dict[str, list[tuple[str]]] = {}
        for (table, key), data in self.state.items():
            if data is None:
                out.setdefault(table, []).append((key,))
        return out


def copy_run(chain_id: str, head: BlockRow, run: Sequence[Fetched], validators: int,
             chain_format: int = 2) -> Copy:
    """The rows of ``run`` (consecutive blocks following ``head``) built from their
    effects, each header computed as execution would have; raises ValueError if an effects
    text is not what this program writes (its state root would not match anyway)."""
    out = Copy()
    prev_hash, prev_root, prev_time = head.hash, head.state_root, head.time
    for b in run:
        if b.height != head.height + 1 + len(out.blocks):
            raise ValueError(f"block {b.height} does not follow the run")
        results = codec.loads(b.effects.results)
        writes = codec.loads(b.effects.writes)
        if not isinstance(results, list) or len(results) != len(b.wires) \
                or not isinstance(writes, list):
            raise ValueError(f"the effects of block {b.height} do not match its transactions")
        time = max(b.time, prev_time)
        wh, rh = b.effects.hashes()
        root = state_root_of(prev_root, b.height, wh, rh)
        header = header_of(chain_id, b.height, prev_hash, b.tx_root, root, time, len(b.wires),
                           results_root_of(results) if chain_format >= 3 else None)
        row = BlockRow(b.height, block_hash(header), prev_hash, b.tx_root, root, time,
                       b.view, b.view % validators, len(b.wires), codec.encode(header), b.cert)
        done = []
        for pos, (r, wire) in enumerate(zip(results, b.wires, strict=True)):
            tid, kind, code, message, card, merchant, bank, amount, consumes, lines = r
            out.txs.append((b.height, pos, tid, kind, code, message, card, merchant, bank,
                            amount, time, consumes, wire.encode("utf-8")))
            out.postings.extend((b.height, pos, seq, acct, asset, amt)
                                for seq, (acct, asset, amt) in enumerate(lines))
            done.append((tid, kind, code, message))
        for table, key, data in writes:
            if table not in schema.STATE_TABLES:
                raise ValueError(f"the effects of block {b.height} write unknown table {table!r}")
            out.state[(table, key)] = data
        out.blocks.append(row)
        out.effects.append((b.height, b.effects.results, b.effects.writes))
        out.results.append(done)
        prev_hash, prev_root, prev_time = row.hash, root, time
    return out
