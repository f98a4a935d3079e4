"""The full-chain audit passes on a clean chain and names the height of an edited block."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app import cli
from node.audit import audit
from node.store import Store
from tests.support.scenarios import run_clean


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    sim = run_clean(5, 4)
    src = sim.nodes[2].store
    folder = tmp_path_factory.mktemp("audit")
    path = folder / "ledger.db"
    src.conn.execute(f"VACUUM INTO '{path}'")
    return sim.genesis, path


def _copy(path: Path, tmp: Path) -> Path:
    dst = tmp / "copy.db"
    shutil.copy(path, dst)
    return dst


def test_clean_chain_passes(chain: tuple[object, Path]) -> None:
    genesis, path = chain
    seen: list[int] = []
    report = audit(path, genesis, workers=2, progress=lambda d, t: seen.append(d))  # type: ignore[arg-type]
    assert report.ok, report.problems
    assert report.transactions >= 10 and seen[-1] == report.height


@pytest.mark.parametrize(("what", "sql"), [
    ("amount", "UPDATE txs SET wire = replace(wire, '\"qty\":1', '\"qty\":2') WHERE height = {h}"),
    ("state root", "UPDATE blocks SET state_root = '00' || substr(state_root, 3) "
                   "WHERE height = {h}"),
    ("certificate", "UPDATE blocks SET cert = replace(cert, '\"view\":0', '\"view\":1') "
                    "WHERE height = {h}"),
    ("result", "UPDATE txs SET code = 'insufficient_funds' WHERE height = {h}"),
])
def test_edited_block_is_named(chain: tuple[object, Path], tmp_path: Path, what: str,
                               sql: str) -> None:
    genesis, path = chain
    db = _copy(path, tmp_path)
    store = Store(db)
    target = next(h for h in range(1, store.height() + 1)
                  if any(r.kind == "pay" for r in store.block_txs(h)))
    store.close()
    con = sqlite3.connect(db)
    con.execute(sql.format(h=target))
    con.commit()
    con.close()
    report = audit(db, genesis, workers=2)  # type: ignore[arg-type]
    assert not report.ok
    assert report.first_bad_height == target, (what, report.problems)
    from ui import texts  # the regulator's window words every finding in its language

    assert all(texts.audit_wording(p) for _h, p in report.problems), report.problems


def test_cli_audit(chain: tuple[object, Path], tmp_path: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    genesis, path = chain
    home = tmp_path / "cons" / "nodes" / "validator-2"
    home.mkdir(parents=True)
    shutil.copy(path, home / "ledger.db")
    genesis.save(tmp_path / "cons" / "genesis.json")  # type: ignore[attr-defined]
    assert cli.main(["audit", "--home", str(home)]) == 0
    err = capsys.readouterr().err
    assert "100% block" in err and "audit passed" in err


def test_a_file_of_another_schema_version_is_named_not_compared(
        chain: tuple[object, Path], tmp_path: Path) -> None:
    """An older version's file (a node brings its own up to date when it starts) has other
    tables: the audit says so instead of reporting them as damaged."""
    genesis, path = chain
    db = _copy(path, tmp_path)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    report = audit(db, genesis, workers=0)  # type: ignore[arg-type]
    assert report.problems == [(0, "database metadata schema_version is wrong")]
