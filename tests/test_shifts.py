"""Cashier shifts at a till (app/shifts.py): sign-in and sign-out kept in the till's file,
a shift left open closed by the next sign-in, a damaged file said plainly, and each
shift's takings as the chain decided them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.shifts import Shift, ShiftError, Shifts, report


def test_sign_in_and_out(tmp_path: Path) -> None:
    now = [1_000]
    s = Shifts(tmp_path / "shifts.jsonl", clock=lambda: now[0])
    assert s.current() is None and s.all() == []
    s.sign_in(" Li Na 李娜 ")
    assert s.current() == "Li Na 李娜"
    now[0] = 2_000
    s.sign_in("Wang Qiang")  # a new cashier: the first shift ends there
    now[0] = 3_000
    s.sign_out()
    s.sign_out()  # twice: nothing more
    assert s.all() == [Shift("Li Na 李娜", 1_000, 2_000), Shift("Wang Qiang", 2_000, 3_000)]
    assert s.current() is None
    for bad in ("", "   ", "x" * 41, "tab\there"):
        with pytest.raises(ShiftError, match="printable"):
            s.sign_in(bad)
    (tmp_path / "shifts.jsonl").write_text('{"event": "in", "cashier": "A", "at": 1}\n{oops\n')
    with pytest.raises(ShiftError, match="line 2 of the shifts file is damaged"):
        s.all()


def test_a_shifts_takings_as_the_chain_decided_them() -> None:
    shifts = [Shift("A", 100, 200), Shift("B", 200, None)]
    journal = [
        {"tx": "p1", "type": "payment", "amount": 4_800, "sent": 110, "cashier": "A"},
        {"tx": "p2", "type": "payment", "amount": 5_990, "sent": 150, "cashier": "A"},
        {"tx": "r1", "type": "refund", "amount": -1_000, "sent": 160, "cashier": "A"},
        {"tx": "p3", "type": "payment", "amount": 700, "sent": 170, "cashier": "A"},
        {"tx": "p4", "type": "payment", "amount": 900, "sent": 250, "cashier": "B"},
        {"tx": "p5", "type": "payment", "amount": 300, "sent": 260, "cashier": "B"},
        {"tx": "p6", "type": "payment", "amount": 100, "sent": 150, "cashier": "B"},  # not B's
    ]
    committed = {"p1": 4_800, "r1": -1_000, "p4": 900}
    codes = {"p2": "insufficient_funds", "p5": "ok"}  # p5: in another cycle; p3: undecided
    rows = report(shifts, journal, committed, codes.get, now=300)
    b, a = rows  # newest first
    assert (a["cashier"], a["sales"], a["sales_amount"], a["refunds"], a["refunds_amount"],
            a["refused"], a["undecided"]) == ("A", 1, 4_800, 1, 1_000, 1, 1)
    assert (b["cashier"], b["sales"], b["sales_amount"], b["end"]) == ("B", 2, 1_200, None)
