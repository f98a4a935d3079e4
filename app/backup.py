"""A node's ledger backed up while it runs, and put back.

``backup`` copies the node's SQLite file with SQLite's online backup, in one step under a
read transaction: a consistent snapshot at one height while the node goes on writing (WAL
readers do not block the writer).  ``restore`` checks a backup with the full audit against
genesis first, refuses while the node answers on its port, keeps the file it replaces, and
puts the backup in place; the node then catches up from its peers by state transfer.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

from node.audit import audit
from node.ledger.genesis import Genesis

DB = "ledger.db"


class BackupError(Exception):
    """What stops a backup or a restore, in words for the operator."""


def _height(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT MAX(height) FROM blocks").fetchone()
        return int(row[0] or 0)
    finally:
        con.close()


def backup(node_home: Path, out: Path) -> dict[str, Any]:
    """The node's ledger copied to ``out`` (a new file): its height and size."""
    src_path = node_home / DB
    if not src_path.is_file():
        raise BackupError(f"no node ledger in {node_home}: give a node's folder, like "
                          "CONSORTIUM/nodes/validator-0")
    if out.exists():
        raise BackupError(f"{out} exists: give a new file")
    part = out.with_name(out.name + ".part")
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(part)
    try:
        src.backup(dst)  # all pages in one step: one snapshot, the writer not blocked
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        dst.commit()
    except sqlite3.Error as exc:
        dst.close()
        part.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {exc}") from exc
    finally:
        src.close()
    dst.close()
    with open(part, "rb") as fh:
        os.fsync(fh.fileno())
    part.rename(out)
    return {"backup": str(out), "height": _height(out), "bytes": out.stat().st_size}


def _answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def restore(node_home: Path, backup_file: Path, genesis: Genesis) -> dict[str, Any]:
    """Put ``backup_file`` in place as the node's ledger, once the audit passes it and the
    node is stopped; the replaced file is kept beside it (``ledger.db.before-restore``)."""
    if not backup_file.is_file():
        raise BackupError(f"no backup file {backup_file}")
    name = node_home.name
    v = next((x for x in genesis.validators if f"validator-{x['id']}" == name), None)
    if v is not None and _answers(v["host"], v["port"]):
        raise BackupError(f"{name} answers on {v['host']}:{v['port']}: stop it first")
    report = audit(backup_file, genesis)
    if not report.ok:
        raise BackupError(f"the backup does not pass the audit: first problem at height "
                          f"{report.first_bad_height}: {report.problems[0][1]}")
    node_home.mkdir(parents=True, exist_ok=True)
    target = node_home / DB
    incoming = node_home / (DB + ".restoring")
    incoming.write_bytes(backup_file.read_bytes())
    with open(incoming, "rb") as fh:
        os.fsync(fh.fileno())
    kept = node_home / (DB + ".before-restore")
    if target.exists():
        target.replace(kept)
    for extra in ("-wal", "-shm"):  # the old file's log goes with it
        old = node_home / (DB + extra)
        if old.exists():
            old.replace(node_home / (kept.name + extra))
    incoming.replace(target)
    return {"restored": str(target), "height": report.height,
            "transactions": report.transactions}


__all__ = ["BackupError", "backup", "restore"]
