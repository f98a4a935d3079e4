"""The till's cashier shifts, on its end-of-day tab: sign in and out, each shift's takings
as the chain decided them, and the end-of-day report (the cycle's totals from the chain,
the shifts, the reconciliation) printed or saved as PDF through the print dialog."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.shifts import ShiftError, Shifts, report
from ui.common import Column, Notice, RecordModel, table
from ui.receipt_print import print_document
from ui.shell import qtext

SHIFTS = [Column("cashier", "Cashier"), Column("start", "From", "time"),
          Column("end", "To", "time"), Column("sales", "Sales", "int"),
          Column("sales_amount", "Sales amount", "money"), Column("refunds", "Refunds", "int"),
          Column("refunds_amount", "Refunded", "money"), Column("refused", "Refused", "int"),
          Column("undecided", "Undecided", "int")]


class ShiftBox(QGroupBox):
    """``changed(cashier or "")`` after a sign-in or sign-out."""

    changed = Signal(str)

    def __init__(self, shifts: Shifts, notice: Notice) -> None:
        super().__init__()
        self.shifts, self.notice = shifts, notice
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.name_label, self.name = QLabel(), QLineEdit()
        self.name_label.setBuddy(self.name)
        self.name.returnPressed.connect(self.sign_in)
        self.in_btn, self.out_btn, self.print_btn = QPushButton(), QPushButton(), QPushButton()
        self.in_btn.clicked.connect(self.sign_in)
        self.out_btn.clicked.connect(self.sign_out)
        self.status = QLabel()
        for w in (self.name_label, self.name, self.in_btn, self.out_btn, self.status):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.print_btn)
        lay.addLayout(row)
        self.model = RecordModel(SHIFTS, lambda t: qtext("Columns", t), self)
        self.view = table(self.model, stretch=0)
        self.view.setMinimumHeight(84)  # two shifts in view
        lay.addWidget(self.view)
        self.report_html: Callable[[], str] = lambda: ""  # the day tab's figures

    def retranslate(self) -> None:
        self.setTitle(self.tr("Cashier shifts"))
        self.name_label.setText(self.tr("Cashier"))
        self.in_btn.setText(self.tr("Sign in"))
        self.out_btn.setText(self.tr("Sign out"))
        self.print_btn.setText(self.tr("Print end-of-day report…"))
        self.model.retranslate()
        self._status()

    def current(self) -> str | None:
        try:
            return self.shifts.current()
        except ShiftError:
            return None

    def _status(self) -> None:
        who = self.current()
        self.status.setText(self.tr("Signed in: %1").replace("%1", who) if who else
                            self.tr("No cashier signed in"))
        self.out_btn.setEnabled(who is not None)

    def sign_in(self) -> None:
        try:
            self.shifts.sign_in(self.name.text())
        except (ShiftError, OSError) as exc:
            self.notice.error(self.tr("Sign in: %1").replace("%1", str(exc)))
            return
        self.name.clear()
        self._status()
        self.changed.emit(self.current() or "")

    def sign_out(self) -> None:
        try:
            self.shifts.sign_out()
        except (ShiftError, OSError) as exc:
            self.notice.error(self.tr("Sign out: %1").replace("%1", str(exc)))
            return
        self._status()
        self.changed.emit("")

    def show_report(self, journal: list[dict[str, Any]], committed: dict[str, int],
                    decided: Callable[[str], str | None], now: int) -> None:
        try:
            rows = report(self.shifts.all(), journal, committed, decided, now)
        except ShiftError as exc:
            self.notice.error(str(exc))
            rows = []
        self.model.set_rows(rows)

    def shifts_html(self) -> str:
        head = "".join(f"<th>{html.escape(qtext('Columns', c.title))}</th>"
                       for c in SHIFTS)
        body = "".join("<tr>" + "".join(
            f"<td>{html.escape(self.model.show(c, r.get(c.key)))}</td>" for c in SHIFTS)
            + "</tr>" for r in self.model.rows)
        return f"<table border=1 cellspacing=0 cellpadding=3><tr>{head}</tr>{body}</table>"

    def print_report(self, name: str) -> None:
        def document() -> QTextDocument:
            doc = QTextDocument()
            doc.setHtml(self.report_html())
            return doc

        self.print_dialog = print_document(self, document, name, lambda _p: self.notice.ok(
            self.tr("End-of-day report printed.")))


def day_report_html(title: str, terminal: str, cycle: Any, figures: list[tuple[str, str]],
                    shifts: str, reconciled: str) -> str:
    """The printed end of day: the terminal and cycle, the chain's totals, the shifts,
    the reconciliation's result."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(k)}</td><td align=right>{e(v)}</td></tr>" for k, v in figures)
    return (f"<html><body style='font-family: sans-serif; font-size: 10pt'>"
            f"<h3>{e(title)}</h3><p>{e(terminal)} · {e(str(cycle))}</p>"
            f"<table>{rows}</table><p></p>{shifts}<p>{e(reconciled)}</p></body></html>")


__all__ = ["SHIFTS", "ShiftBox", "day_report_html"]
