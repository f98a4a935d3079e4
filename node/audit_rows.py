"""The audit's comparisons of a node's stored rows with what re-executing the certified
chain writes (node/audit.py drives them).  Each returns findings as (height, text); the texts
are the wordings ui/texts.AUDIT lists, with their parts filled in.

Every table a node writes is covered:

* ``blocks``: every column against the re-executed block (header bytes, hash, links, roots,
  time, count), ``view`` and ``proposer`` against the commit certificate, ``attest`` (the
  result certificate, when present) against the validators' keys and the header's hash;
* ``txs``, ``postings``: every column of every row of the block;
* ``effects``: the texts of the heights a node keeps (one run up to the head: older ones
  are pruned on purpose), against the re-executed ones;
* ``checkpoints``: each proof holds (2f+1 signatures) for the re-executed state root;
* the state tables: every column of every row, named by table and key with the height
  that last wrote the key;
* ``meta``: the schema version, the genesis hash and the replica's persisted consensus
  records (their form, and the signatures of the proofs and certificates among them).
  The replica's own votes (``pbft:vote:*``) are signed by nobody: their form is checked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from node import codec
from node.consensus import messages as m
from node.consensus.certs import checkpoint_root, signed_by
from node.consensus.durable import read_prepared, read_stable
from node.consensus.results import attest_problem, decode_attests
from node.consensus.types import Config
from node.findings import Finding
from node.store import schema

Found = tuple[int, str]  # (height, finding)
BLOCK_COLS = ("height", "hash", "prev_hash", "tx_root", "state_root", "time", "ntx", "header")
TX_COLS = ("pos", "id", "kind", "code", "message", "card", "merchant", "bank", "amount",
           "time", "consumes", "wire")
POSTING_COLS = ("pos", "seq", "account", "asset", "amount")


def _norm(v: Any) -> Any:
    """Stored text where bytes belong (or the reverse) is the same content."""
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [tuple(_norm(v) for v in r) for r in conn.execute(sql, tuple(params))]


def first_difference(mine: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]],
                     cols: Sequence[str]) -> str | None:
    """Where two row lists first differ: "row N column C", "row N missing", "row N extra"."""
    for i, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if a != b:
            col = next((c for c, x, y in zip(cols, a, b, strict=False) if x != y), "?")
            return f"row {i} column {col}"
    if len(mine) < len(theirs):
        return f"row {len(mine)} missing"
    if len(mine) > len(theirs):
        return f"row {len(theirs)} extra"
    return None


def compare_block(node: sqlite3.Connection, fresh: sqlite3.Connection, h: int, n: int,
                  effects_from: int | None) -> list[Found]:
    """Block ``h``'s rows in every per-block table against the re-executed ones."""
    out: list[Found] = []
    cols = ", ".join(BLOCK_COLS)
    diff = first_difference(_rows(node, f"SELECT {cols} FROM blocks WHERE height = ?", (h,)),
                            _rows(fresh, f"SELECT {cols} FROM blocks WHERE height = ?", (h,)),
                            BLOCK_COLS)
    if diff:
        out.append((h, Finding("table %1 differs from the chain: %2", "blocks", diff)))
    row = node.execute("SELECT view, proposer, cert FROM blocks WHERE height = ?",
                       (h,)).fetchone()
    if row is not None:
        try:
            view = int(codec.loads(_norm(row[2]))["view"])
        except (ValueError, TypeError, KeyError):
            view = None  # the certificate check names it
        if view is not None and (row[0] != view or row[1] != view % n):
            out.append((h, Finding("table %1 differs from the chain: %2", "blocks",
                                   "row 0 column view")))
    for table, tcols in (("txs", TX_COLS), ("postings", POSTING_COLS)):
        order = "pos" if table == "txs" else "pos, seq"
        sql = f"SELECT {', '.join(tcols)} FROM {table} WHERE height = ? ORDER BY {order}"
        diff = first_difference(_rows(node, sql, (h,)), _rows(fresh, sql, (h,)), tcols)
        if diff:
            out.append((h, Finding("table %1 differs from the chain: %2", table, diff)))
    if effects_from is not None and h >= effects_from:
        sql = "SELECT results, writes FROM effects WHERE height = ?"
        diff = first_difference(_rows(node, sql, (h,)), _rows(fresh, sql, (h,)),
                                ("results", "writes"))
        if diff:
            out.append((h, Finding("table %1 differs from the chain: %2", "effects", diff)))
    return out


def check_attest(node: sqlite3.Connection, cfg: Config, h: int, block_hash: str) \
        -> list[Found]:
    row = node.execute("SELECT attest FROM blocks WHERE height = ?", (h,)).fetchone()
    if row is None or row[0] is None:
        return []
    try:
        problem = attest_problem(cfg, h, block_hash, decode_attests(_norm(row[0])))
    except (m.BadMessage, TypeError, ValueError) as exc:
        problem = f"malformed ({exc})"
    return [(h, Finding("the result certificate does not hold: %1", problem))] \
        if problem else []


def orphans(node: sqlite3.Connection, height: int) -> list[Found]:
    """Rows of per-block tables whose height has no block (or is past the head)."""
    out: list[Found] = []
    for table, col in (("txs", "height"), ("postings", "height"), ("effects", "height"),
                       ("checkpoints", "seq")):
        for (h,) in node.execute(
                f"SELECT DISTINCT {col} FROM {table} WHERE {col} NOT IN "
                f"(SELECT height FROM blocks) OR {col} > ? OR {col} < 0 ORDER BY {col} "
                "LIMIT 20", (height,)):
            out.append((h if isinstance(h, int) else height,
                        Finding("rows of table %1 name no block", table)))
    return out


def effects_start(node: sqlite3.Connection, height: int) -> tuple[int | None, list[Found]]:
    """The first height whose effects a node keeps; a gap in the run up to the head is a
    finding (pruning drops the oldest ones only)."""
    heights = [int(h) for (h,) in node.execute(
        "SELECT height FROM effects WHERE typeof(height) = 'integer' AND height BETWEEN 1 "
        "AND ? ORDER BY height", (height,))]
    if not heights:
        return None, []
    first = heights[0]
    want = height - first + 1
    if len(heights) == want:
        return first, []
    missing = next(h for i, h in enumerate(range(first, height + 1))
                   if i >= len(heights) or heights[i] != h)
    return first, [(missing, "effects are missing inside the kept range")]


def check_checkpoints(node: sqlite3.Connection, fresh: sqlite3.Connection, cfg: Config) \
        -> list[Found]:
    out: list[Found] = []
    for seq, proof in node.execute("SELECT seq, proof FROM checkpoints ORDER BY seq"):
        root = fresh.execute("SELECT state_root FROM blocks WHERE height = ?",
                             (seq,)).fetchone()
        try:
            msgs = tuple(m.decode(str(t).encode("utf-8")) for t in codec.loads(proof))
            ok = root is not None and \
                checkpoint_root(cfg, msgs, int(seq)) == root[0]  # type: ignore[arg-type]
        except (m.BadMessage, TypeError, ValueError):
            ok = False
        if not ok:
            out.append((seq if isinstance(seq, int) else 0,
                        "the checkpoint proof does not hold"))
    return out


def compare_state(node: sqlite3.Connection, fresh: sqlite3.Connection,
                  written: dict[tuple[str, str], int], head: int) -> list[Found]:
    """Every column of every state row; a difference is named by table and key, at the
    height that last wrote the key (the head for a row no block wrote)."""
    out: list[Found] = []
    for table, proj in schema.STATE_TABLES.items():
        cols = ("key", "data", *(c for c, _ in proj))
        sql = f"SELECT {', '.join(cols)} FROM {table} ORDER BY key"
        try:
            mine = {r[0]: r for r in _rows(node, sql, ())}
        except sqlite3.Error:
            out.append((head, Finding("state table %1 unreadable", table)))
            continue
        theirs = {r[0]: r for r in _rows(fresh, sql, ())}
        for key in sorted(set(mine) | set(theirs), key=str):
            a, b = mine.get(key), theirs.get(key)
            if a == b:
                continue
            at = written.get((table, str(key)))
            if b is None:
                out.append((head, Finding("state row %1 %2 is not written by any block",
                                           table, key)))
            elif a is None:
                out.append((at or head, Finding(
                    "state row %1 %2 is missing (last written at height %3)", table, key, at)))
            else:
                col = next(c for c, x, y in zip(cols, a, b, strict=True) if x != y)
                out.append((at or head, Finding(
                    "state row %1 %2 differs from the chain in %3 (last written at height %4)",
                    table, key, col, at)))
            if len(out) > 100:
                return out
    return out


def check_meta(node: sqlite3.Connection, cfg: Config, genesis_hash: str, head: int) \
        -> list[Found]:
    out: list[Found] = []
    disk: dict[str, Any] = {}
    present = {k for (k,) in node.execute("SELECT key FROM meta")}
    for key in ("schema_version", "genesis_hash"):
        if key not in present:
            out.append((0, Finding("database metadata %1 is wrong", key)))
    for key, value in node.execute("SELECT key, value FROM meta"):
        if key == "schema_version":
            if value != str(schema.SCHEMA_VERSION):
                out.append((0, Finding("database metadata %1 is wrong", "schema_version")))
        elif key == "genesis_hash":
            if value != genesis_hash:
                out.append((0, Finding("database metadata %1 is wrong", "genesis_hash")))
        elif isinstance(key, str) and key.startswith("pbft:"):
            try:
                disk[key[5:]] = codec.loads(value)
            except (ValueError, TypeError):
                out.append((head, Finding("database metadata %1 is wrong", key)))
        else:
            out.append((head, Finding("database metadata %1 is wrong", key)))
    for key, value in disk.items():
        name = f"pbft:{key}"
        if key == "view":
            ok = type(value) is int and value >= 0
        elif key == "view_changing":
            ok = isinstance(value, bool)
        elif key == "stable":
            seq, proof = read_stable(value, executed=head)
            ok = bool(proof) and checkpoint_root(cfg, proof, seq) not in (None, "")
        elif key.startswith("vote:"):
            parts = key.split(":")
            ok = len(parts) == 3 and all(p.isdigit() for p in parts[1:]) and \
                isinstance(value, str) and len(value) == 64
        elif key.startswith("prepared:"):
            certs, stale = read_prepared({key: value}, 0)
            ok = bool(certs) and not stale and all(
                signed_by(cfg, pp) and all(signed_by(cfg, p) for p in votes)
                for pp, votes in certs.values())
        else:
            ok = False
        if not ok:
            out.append((head, Finding("database metadata %1 is wrong", name)))
    return out
