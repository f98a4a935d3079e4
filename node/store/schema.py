"""Schema and migrations, created through sqlite-utils.

Two kinds of tables:

* **State tables** (``STATE_TABLES``): ``key`` primary key, ``data`` (canonical JSON of the
  row, the only thing the ledger reads back) and a few *projection* columns copied from
  ``data`` on write so that queries can filter and index them.
* **Log tables**: ``blocks``, ``txs`` (every decided transaction with its result) and
  ``postings`` (the double-entry lines of accepted ones), append-only, written with the
  block in one SQLite transaction.

``migrate`` brings any older file up to ``SCHEMA_VERSION``, one numbered step at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

SCHEMA_VERSION = 10

# table -> projection columns (name, type)
STATE_TABLES: dict[str, tuple[tuple[str, type], ...]] = {
    "principals": (("role", str), ("entity", str)),
    "banks": (),
    "merchants": (("acquirer", str),),
    "terminals": (("merchant", str),),
    "catalogues": (),
    "cards": (("bank", str), ("status", str)),
    "accounts": (("asset", str), ("balance", int), ("oldest", int)),
    "payments": (("merchant", str), ("card", str), ("cycle", int), ("time", int)),
    "cycles": (("merchant", str), ("cycle", int)),
    "settlements": (("merchant", str), ("cycle", int)),
    "refunds": (("merchant", str), ("cycle", int)),
    "cases": (("rule", str), ("status", str)),
    "orders": (),
    "netting": (("cycle", int),),
    "points_days": (("bank", str), ("day", int)),
    "points_expiries": (("bank", str), ("cycle", int)),
    "sales": (("bank", str),),
    "proposals": (("bank", str), ("status", str)),
}

STATE_INDEXES: dict[str, list[list[str]]] = {
    "principals": [["role", "entity"]],
    "terminals": [["merchant"]],
    "cards": [["bank", "status"]],
    "accounts": [["asset", "oldest"]],
    "payments": [["merchant", "cycle"]],
    "cycles": [["merchant", "cycle"]],
    "settlements": [["merchant", "cycle"]],
    "refunds": [["merchant", "cycle"]],
    "cases": [["rule", "status"]],
    "netting": [["cycle"]],
    "points_days": [["bank", "day"]],
    "proposals": [["bank", "status"]],
}


def _state_table(db: sqlite_utils.Database, table: str) -> None:
    cols: dict[str, type] = {"key": str, "data": str}
    cols.update(dict(STATE_TABLES[table]))
    db[table].create(cols, pk="key", not_null={"data"}, if_not_exists=True)
    for idx in STATE_INDEXES.get(table, []):
        db[table].create_index(idx, if_not_exists=True)


def _v2(db: sqlite_utils.Database) -> None:
    """Refunds get their own records (merchant, cycle) for statements."""
    _state_table(db, "refunds")


def _v3(db: sqlite_utils.Database) -> None:
    """The regulator's decisions on compliance cases."""
    _state_table(db, "cases")


def _v4(db: sqlite_utils.Database) -> None:
    """Transaction indexes end in (height, pos): a page at any offset is then a walk of the
    index alone (the rows are read for the page only)."""
    for col in ("card", "merchant", "bank"):
        db.execute(f"DROP INDEX IF EXISTS idx_txs_{col}_height")
        db["txs"].create_index([col, "height", "pos"], if_not_exists=True)


def _v5(db: sqlite_utils.Database) -> None:
    """Chain format 2: each block's effects texts (served to nodes that are behind, which
    copy them instead of executing the block), and the proof of every stable checkpoint
    (2f+1 signed state roots: what vouches for the effects up to it)."""
    db["effects"].create({"height": int, "results": str, "writes": str}, pk="height",
                         not_null={"results", "writes"}, if_not_exists=True)
    db["checkpoints"].create({"seq": int, "proof": str}, pk="seq", not_null={"proof"},
                             if_not_exists=True)


# indexes that no query read, each a B-tree keyed by card and so written at a random page
# by every payment (schema v6 drops them)
UNREAD_INDEXES = ("idx_payments_card_time", "idx_postings_account_height")


def _v6(db: sqlite_utils.Database) -> None:
    """Drop two indexes no query reads.  A page a random-key insert dirties is written whole
    (to the WAL, then back to the file), so each such index costs every payment about a 4 KiB
    page: a node copying blocks wrote 14.5 KB per transaction with them, 11.4 KB without.
    A card's history is served by ``txs(card, height, pos)``."""
    for name in UNREAD_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")


def _v7(db: sqlite_utils.Database) -> None:
    """Chain format 3: a block's result certificate (the f+1 ATTESTs of validators that
    executed it and got its header, as one canonical JSON list of their texts), and each
    merchant order's payment (one order, at most one accepted payment)."""
    if "attest" not in db["blocks"].columns_dict:
        db["blocks"].add_column("attest", str)
    _state_table(db, "orders")  # merchant|order -> the payment that holds it


def _v8(db: sqlite_utils.Database) -> None:
    """Chain format 4: what each bank owes another for its cards' spending at merchants the
    other acquires, per cycle (``cycle|payer|payee``), and how much of it is settled."""
    _state_table(db, "netting")


def _v9(db: sqlite_utils.Database) -> None:
    """Chain format 5: a points account's oldest lot's day (projected from its row, indexed
    with the asset: the expiry step reads only the accounts with lots old enough), each
    bank's points movements per day, and each expiry step's result."""
    if "oldest" not in db["accounts"].columns_dict:
        db["accounts"].add_column("oldest", int)
        db.execute("UPDATE accounts SET oldest = json_extract(data, '$.oldest')")
    db.execute("DROP INDEX IF EXISTS idx_accounts_asset")
    db["accounts"].create_index(["asset", "oldest"], if_not_exists=True)
    _state_table(db, "points_days")
    _state_table(db, "points_expiries")
    _state_table(db, "sales")  # cards bought in one go: payment, buyer's sealed details


def _v10(db: sqlite_utils.Database) -> None:
    """Chain format 6: four eyes, the acts one clerk proposed and another approves."""
    _state_table(db, "proposals")


def _v1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    for table in [t for t in STATE_TABLES if t not in (
            "refunds", "cases", "orders", "netting", "points_days", "points_expiries", "sales",
            "proposals")]:
        _state_table(db, table)
    db["blocks"].create(
        {"height": int, "hash": str, "prev_hash": str, "tx_root": str, "state_root": str,
         "time": int, "view": int, "proposer": int, "ntx": int, "header": bytes,
         "cert": bytes},
        pk="height", not_null={"hash", "prev_hash", "tx_root", "state_root", "time",
                               "header"},
        if_not_exists=True,
    )
    db["blocks"].create_index(["time"], if_not_exists=True)
    db["blocks"].create_index(["hash"], unique=True, if_not_exists=True)
    db["txs"].create(
        {"height": int, "pos": int, "id": str, "kind": str, "code": str, "message": str,
         "card": str, "merchant": str, "bank": str, "amount": int, "time": int,
         "consumes": int, "wire": bytes},
        pk=("height", "pos"), not_null={"id", "kind", "code", "wire"}, if_not_exists=True,
    )
    db.execute(
        # every id that executed (accepted or rejected by a rule) is here exactly once;
        # receipt look-ups by id use it with "consumes = 1"
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_txs_consumed ON txs(id) WHERE consumes = 1"
    )
    db["txs"].create_index(["time"], if_not_exists=True)
    db["postings"].create(
        {"height": int, "pos": int, "seq": int, "account": str, "asset": str, "amount": int},
        pk=("height", "pos", "seq"), not_null={"account", "asset", "amount"},
        if_not_exists=True,
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6,
                                                              _v7, _v8, _v9, _v10]


def current_version(db: sqlite_utils.Database) -> int:
    if "meta" not in db.table_names():
        return 0
    rows = list(db.query("SELECT value FROM meta WHERE key = 'schema_version'"))
    return int(rows[0]["value"]) if rows else 0


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every missing migration, each in its own transaction; return the version."""
    version = current_version(db)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema {version} is newer than this program ({SCHEMA_VERSION})"
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        with db.atomic():
            step(db)
            version += 1
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                [str(version)],
            )
    return version
