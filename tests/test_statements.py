"""Statement lines, per-bank obligations, CSV and PDF exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.statement_export import to_csv, write_pdf
from node.ledger import queries as q
from tests.support.world import World, two_bank_day

DAY = 20261124


def _day(w: World) -> None:
    two_bank_day(w)


def test_lines_add_up_to_the_statement(world: World) -> None:
    _day(world)
    s = q.cycle_statement(world.store, world.genesis, "M001", DAY)
    lines = q.statement_lines(world.store, "M001", DAY)
    assert [x["type"] for x in lines] == ["payment", "payment", "refund"]
    assert sum(x["amount"] for x in lines) == s["gross"] - s["refunds"]
    assert {b: sum(x["points"].get(b, 0) for x in lines) for b in ("EHB", "JRB")} == \
        s["points"]
    assert all(x["card"].startswith("****") for x in lines)  # card numbers masked
    assert q.bank_payable(world.store, "EHB", DAY) == {"M001": 2_000, "M002": 500}
    assert q.bank_payable(world.store, "JRB", DAY) == {"M001": 1_000}


def test_csv_and_pdf(world: World, tmp_path: Path) -> None:
    _day(world)
    s = q.cycle_statement(world.store, world.genesis, "M001", DAY)
    lines = q.statement_lines(world.store, "M001", DAY)
    rows = list(csv.reader(io.StringIO(to_csv(s, lines))))
    assert ["Net settlement", f"{s['net'] // 100:,}.{s['net'] % 100:02d}"] in rows
    header = rows.index(next(r for r in rows if r and r[0] == "type"))
    assert len(rows) - header - 1 == 3
    pdf = tmp_path / "s.pdf"
    write_pdf(s, lines, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2_000


def test_the_netting_statement_as_csv_and_pdf(tmp_path: Path) -> None:
    from app.statement_export import netting_csv, write_netting_pdf

    rows = [{"cycle": DAY, "bank_a": "EHB", "bank_b": "JRB", "a_owes_b": 5_900,
             "b_owes_a": 4_800, "settled": False, "payer": "EHB", "payee": "JRB", "net": 1_100}]
    got = list(csv.reader(io.StringIO(netting_csv(DAY, rows))))
    assert got[0] == ["CardChain interbank netting statement", f"cycle {DAY}"]
    assert got[2] == ["EHB", "JRB", "59.00", "48.00", "11.00", "EHB", "JRB", "no"]
    write_netting_pdf(DAY, rows, tmp_path / "n.pdf")
    assert (tmp_path / "n.pdf").read_bytes()[:5] == b"%PDF-"
