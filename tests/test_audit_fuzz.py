"""Seeded mutations of a real node file, over every table it writes: each is named by the
audit (a height, or a state table and key), a clean copy passes, nothing raises.

A failing mutation prints its replay command: ``python -m tests.test_audit_fuzz SEED``."""

from __future__ import annotations

import functools
import os
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from node import crypto
from node.audit import audit
from tests.support.audit_chain import build_chain

MUTATIONS = int(os.environ.get("CARDCHAIN_AUDIT_MUTATIONS", "320"))
# tables and their primary keys (state tables: "key")
KEYS = {"blocks": ("height",), "txs": ("height", "pos"), "postings": ("height", "pos", "seq"),
        "effects": ("height",), "checkpoints": ("seq",), "meta": ("key",)}
# what a node may legitimately lack or hold unsigned, so no edit of it can be seen
# (README "What the audit checks"): the oldest kept effects row and any checkpoint proof
# are caches a node prunes; a missing result certificate is one not gathered yet; the
# replica's persisted consensus records are its own unsigned memory
SKIP_META = ("pbft:",)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    path = tmp_path_factory.mktemp("audit-fuzz") / "ledger.db"
    w = build_chain(path)
    return w.genesis, path


@pytest.fixture(autouse=True)
def cached_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same few thousand signatures are checked in every audit: remember the answers."""
    monkeypatch.setattr(crypto, "verify", functools.lru_cache(maxsize=1 << 16)(crypto.verify))


def _tables(con: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return sorted(t for t in names if not t.startswith("sqlite_"))


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


def _changed(rng: random.Random, v: Any) -> Any:
    if isinstance(v, bool | int):
        return rng.choice([v + 1, v - 1, -v - 7, None, str(v)])
    if isinstance(v, str | bytes):
        text = v.decode("utf-8", "replace") if isinstance(v, bytes) else v
        if not text:
            return "x"
        i = rng.randrange(len(text))
        c = "0" if text[i] != "0" else "1"
        out = text[:i] + c + text[i + 1:]
        return out.encode() if isinstance(v, bytes) and rng.random() < 0.5 else out
    return rng.choice([0, "x"])


def mutate(con: sqlite3.Connection, rng: random.Random) -> str | None:
    """One random edit; a description of it, or None if the draw made none."""
    table = rng.choice(_tables(con))
    keys = KEYS.get(table, ("key",))
    cols = _columns(con, table)
    rows = con.execute(f"SELECT rowid, * FROM {table}").fetchall()
    if not rows:
        return None
    kind = rng.choice(["update", "update", "delete", "insert", "swap"])
    row = rng.choice(rows)
    rowid, values = row[0], dict(zip(cols, row[1:], strict=True))
    if table == "meta" and str(values["key"]).startswith(SKIP_META):
        return None
    if table == "effects" and kind == "delete" and \
            values["height"] == min(r[1] for r in rows if r[1] >= 1):
        return None  # the oldest kept effects: what pruning drops
    if table == "checkpoints" and kind == "delete":
        return None  # proofs are kept for serving peers, pruned with the effects
    if table in ("blocks", "txs", "postings", "effects") and values.get("height") == 0 \
            and kind != "update":
        return None  # the genesis block is compared with the genesis file as a whole
    try:
        if kind == "update":
            col = rng.choice(cols)
            if table == "blocks" and col == "attest":
                return None  # a result certificate may be absent (not gathered yet)
            new = _changed(rng, values[col])
            if new == values[col]:
                return None
            con.execute(f"UPDATE {table} SET {col} = ? WHERE rowid = ?", (new, rowid))
            after = con.execute(f"SELECT {col} FROM {table} WHERE rowid = ?",
                                (rowid,)).fetchone()  # (none: a key that is the rowid moved)
            if after is not None and after[0] == values[col]:  # the column's type made it
                #                                                the same value again
                con.rollback()
                return None
            what = f"update {table}.{col} of {values.get(keys[0])}"
        elif kind == "delete":
            con.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
            what = f"delete {table} {[values[k] for k in keys]}"
        elif kind == "insert":
            new_row = dict(values)
            k = keys[-1]
            new_row[k] = (new_row[k] + 10_000) if isinstance(new_row[k], int) \
                else f"{new_row[k]}~"
            marks = ", ".join("?" * len(cols))
            con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                        [new_row[c] for c in cols])
            what = f"insert {table} {[new_row[c] for c in keys]}"
        else:
            other = rng.choice(rows)
            if other[0] == rowid:
                return None
            free = [c for c in cols if c not in keys]
            a = dict(zip(cols, other[1:], strict=True))
            if all(values[c] == a[c] for c in free):
                return None
            sets = ", ".join(f"{c} = ?" for c in free)
            con.execute(f"UPDATE {table} SET {sets} WHERE rowid = ?",
                        [a[c] for c in free] + [rowid])
            con.execute(f"UPDATE {table} SET {sets} WHERE rowid = ?",
                        [values[c] for c in free] + [other[0]])
            what = f"swap {table} rows {values.get(keys[0])} and {a.get(keys[0])}"
    except sqlite3.IntegrityError:
        return None  # the edit would break a key: SQLite itself refuses it
    con.commit()
    return what


def run_seed(genesis: Any, clean: Path, tmp: Path, seed: int) -> str | None:
    """One mutation: None if the draw made no edit, else its description (the audit must
    name it)."""
    rng = random.Random(seed)
    db = tmp / f"m{seed}.db"
    shutil.copy(clean, db)
    con = sqlite3.connect(db)
    what = None
    for _ in range(20):
        what = mutate(con, rng)
        if what is not None:
            break
    con.close()
    if what is None:
        db.unlink()
        return None
    report = audit(db, genesis, workers=0)
    replay = f"python -m tests.test_audit_fuzz {seed}"
    assert not report.ok, f"not found: {what} (replay: {replay})"
    assert report.first_bad_height is not None
    for _h, p in report.problems:
        assert "Error" not in p, f"{what}: the audit stumbled: {p} (replay: {replay})"
    db.unlink()
    return what


def test_clean_copy_passes(chain: tuple[Any, Path]) -> None:
    genesis, path = chain
    report = audit(path, genesis, workers=0)
    assert report.ok, report.problems
    assert report.height >= 200 and report.transactions >= 400


def test_every_mutation_is_named(chain: tuple[Any, Path], tmp_path: Path) -> None:
    genesis, path = chain
    done: dict[str, int] = {}
    seed = 0
    while sum(done.values()) < MUTATIONS:
        what = run_seed(genesis, path, tmp_path, seed)
        seed += 1
        if what is not None:
            key = what.split()[0] + " " + what.split()[1].split(".")[0]
            done[key] = done.get(key, 0) + 1
    tables = {k.split()[1] for k in done}
    assert {"blocks", "txs", "postings", "effects", "checkpoints", "meta", "cards",
            "accounts", "payments"} <= tables, sorted(done)
    assert {k.split()[0] for k in done} == {"update", "delete", "insert", "swap"}


def test_state_edits_name_table_key_and_height(chain: tuple[Any, Path],
                                               tmp_path: Path) -> None:
    genesis, path = chain
    db = tmp_path / "s.db"
    shutil.copy(path, db)
    con = sqlite3.connect(db)
    (key,) = con.execute("SELECT key FROM payments ORDER BY key LIMIT 1").fetchone()
    con.execute("UPDATE payments SET data = replace(data, '\"total\":', '\"total\":9') "
                "WHERE key = ?", (key,))
    con.commit()
    con.close()
    report = audit(db, genesis, workers=0)
    found = [p for _h, p in report.problems if key in p]
    assert found and "state row payments" in found[0] and "last written at height" in found[0]
    assert report.first_bad_height < report.height  # where it was written, not the head


def test_deleting_a_block_or_its_transactions_is_named(chain: tuple[Any, Path],
                                                        tmp_path: Path) -> None:
    genesis, path = chain
    for sql, what in (("DELETE FROM blocks WHERE height = 100", "block missing"),
                      ("DELETE FROM txs WHERE height = 100", "Merkle root")):
        db = tmp_path / "d.db"
        shutil.copy(path, db)
        con = sqlite3.connect(db)
        con.execute(sql)
        con.commit()
        con.close()
        report = audit(db, genesis, workers=0)
        assert report.first_bad_height == 100, report.problems[:3]
        assert any(what in p for h, p in report.problems if h == 100)
        db.unlink()


if __name__ == "__main__":  # replay one seed: python -m tests.test_audit_fuzz SEED
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "ledger.db"
        world = build_chain(clean)
        print(run_seed(world.genesis, clean, Path(tmp), int(sys.argv[1])), "is named")
