"""Cashier shifts at a till: who was signed in when, and what each shift took.

The chain knows the terminal (its key signs every payment), not the person at it; the
till keeps its cashiers' shifts in a file of its own (one JSON line per sign-in and
sign-out) and writes the cashier into its journal (app/reconcile.py).  A shift's report
counts the journal's sales and refunds in it as the chain decided them: committed (on the
cycle's statement), refused, or not decided yet.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_NAME = 40


class ShiftError(ValueError):
    """A cashier's name that cannot be used, or a shifts file that cannot be read."""


@dataclass(frozen=True)
class Shift:
    cashier: str
    start: int  # ms
    end: int | None  # ms; None while it runs


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise ShiftError(f"a cashier's name is 1 to {MAX_NAME} printable characters")
    return name


class Shifts:
    """The till's shifts file: sign in, sign out, the shifts so far."""

    def __init__(self, path: Path, clock: Callable[[], int] | None = None) -> None:
        self.path = path
        self.clock = clock or (lambda: int(time.time() * 1000))

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()

    def all(self) -> list[Shift]:
        """Every shift, oldest first; a sign-in without its sign-out is still running (or
        ended when the next one began: a till that stopped without a sign-out)."""
        if not self.path.exists():
            return []
        out: list[Shift] = []
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except OSError as exc:
            raise ShiftError(f"the shifts file cannot be read: {exc.strerror}") from exc
        for n, line in enumerate(lines, 1):
            try:
                e = json.loads(line)
                kind, at = e["event"], int(e["at"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ShiftError(f"line {n} of the shifts file is damaged") from exc
            if kind == "in":
                if out and out[-1].end is None:
                    out[-1] = Shift(out[-1].cashier, out[-1].start, at)
                out.append(Shift(str(e.get("cashier", "")), at, None))
            elif kind == "out" and out and out[-1].end is None:
                out[-1] = Shift(out[-1].cashier, out[-1].start, at)
        return out

    def current(self) -> str | None:
        """The cashier signed in now, if any."""
        shifts = self.all()
        return shifts[-1].cashier if shifts and shifts[-1].end is None else None

    def sign_in(self, name: str) -> None:
        name = check_name(name)
        if self.current() is not None:
            self.sign_out()
        self._append({"event": "in", "cashier": name, "at": self.clock()})

    def sign_out(self) -> None:
        if self.current() is not None:
            self._append({"event": "out", "at": self.clock()})


def report(shifts: list[Shift], journal: list[dict[str, Any]],
           committed: dict[str, int], decided: Callable[[str], str | None],
           now: int) -> list[dict[str, Any]]:
    """Per shift (newest first): its cashier, start and end, and of the journal's entries
    made by that cashier in it: the sales and refunds the chain accepted (``committed``:
    tx id -> amount on the cycle's statement, refunds negative; or ``decided(id)`` says
    "ok": the journal's amount), their amounts, and how many the chain refused
    (``decided(id)`` is another code) or has not decided (None)."""
    out = []
    for s in shifts:
        end = s.end if s.end is not None else now
        mine = [e for e in journal if e.get("cashier") == s.cashier
                and s.start <= int(e.get("sent", 0)) <= end]
        row = {"cashier": s.cashier, "start": s.start, "end": s.end, "sales": 0,
               "sales_amount": 0, "refunds": 0, "refunds_amount": 0, "refused": 0,
               "undecided": 0}
        for e in mine:
            code = "ok" if e["tx"] in committed else decided(e["tx"])
            if code == "ok":
                amount = committed.get(e["tx"], int(e.get("amount") or 0))
                key = "sales" if amount >= 0 else "refunds"
                row[key] += 1
                row[f"{key}_amount"] += abs(amount)
            elif code is None:
                row["undecided"] += 1
            else:
                row["refused"] += 1
        out.append(row)
    return out[::-1]


__all__ = ["Shift", "ShiftError", "Shifts", "check_name", "report"]
