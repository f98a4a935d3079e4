"""The POS's end of day: the cycle's statement lines, totals and the reconciliation of the
till's journal against the chain.  (Refunds are in ui/pos_refund.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import cycles
from app.reconcile import read_journal, reconcile
from app.session import Session, SessionError
from app.shifts import Shifts
from ui.common import (
    STATEMENT_LINES,
    Column,
    Notice,
    RecordModel,
    Tasks,
    table,
    yuan,
)
from ui.pos_shift import ShiftBox, day_report_html
from ui.shell import qtext

LINES = STATEMENT_LINES
DIFFS = [Column("what", "Difference", "enum"), Column("order", "Order"),
         Column("till", "Till", "money"), Column("chain", "Chain", "money"),
         Column("tx", "Transaction")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class DayTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks, journal: Path) -> None:
        super().__init__()
        self.session, self.tasks, self.journal = session, tasks, journal
        self.merchant = ""
        self.cutoff = 1380
        self.closed_through = 0
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.cycle_label = QLabel()
        self.cycle = QComboBox()
        self.cycle.currentIndexChanged.connect(
            lambda _i: self.tasks.spawn(self.refresh(keep=True), self.notice))
        self.reconcile_btn = QPushButton()
        self.reconcile_btn.clicked.connect(
            lambda: self.tasks.spawn(self.run_reconcile(), self.notice))
        for w in (self.cycle_label, self.cycle, self.reconcile_btn):
            top.addWidget(w)
        top.addStretch(1)
        lay.addLayout(top)
        self.notice = Notice()
        self.shift = ShiftBox(Shifts(journal.parent / "till-shifts.jsonl"), self.notice)
        self.shift.print_btn.clicked.connect(self.print_report)
        lay.addWidget(self.shift, 2)
        self.codes: dict[str, str] = {}  # a journal entry's decision, once final
        self.totals_box = QGroupBox()
        self.totals = QFormLayout(self.totals_box)
        self.total_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for key in ("count", "gross", "refunds", "points", "fee", "net", "status"):
            a, b = QLabel(), QLabel()
            self.totals.addRow(a, b)
            self.total_labels[key] = (a, b)
        body = QHBoxLayout()
        body.addWidget(self.totals_box, 1)
        self.lines = RecordModel(LINES, _ctx, self)
        body.addWidget(table(self.lines, stretch=2), 3)
        lay.addLayout(body, 3)
        self.rec_box = QGroupBox()
        rl = QVBoxLayout(self.rec_box)
        self.rec_summary = QLabel()
        rl.addWidget(self.rec_summary)
        self.diffs = RecordModel(DIFFS, _ctx, self)
        rl.addWidget(table(self.diffs, stretch=4))
        lay.addWidget(self.rec_box, 2)
        lay.addWidget(self.notice)
        self.statement: dict[str, Any] | None = None
        self.reconciled: tuple[int, int, int] | None = None  # matched, differences, refused

    def retranslate(self) -> None:
        self.cycle_label.setText(self.tr("Settlement cycle"))
        self.reconcile_btn.setText(self.tr("Reconcile till with chain"))
        self.totals_box.setTitle(self.tr("Cycle totals (from the chain)"))
        self.rec_box.setTitle(self.tr("Reconciliation"))
        names = {"count": self.tr("Payments"), "gross": self.tr("Gross"),
                 "refunds": self.tr("Refunds"), "points": self.tr("Paid by bank points"),
                 "fee": self.tr("Fee"), "net": self.tr("Net to merchant"),
                 "status": self.tr("Status")}
        for key, (a, _b) in self.total_labels.items():
            a.setText(names[key])
        self.lines.retranslate()
        self.diffs.retranslate()
        self.shift.retranslate()
        self._show_statement()
        self._show_reconciled()

    def _merchant(self) -> dict[str, int]:
        return {"cutoff_min": self.cutoff, "closed_through": self.closed_through}

    def _cycles(self) -> list[int]:
        return cycles.recent(self._merchant(), self.session.genesis, self.session.now())

    def _window(self, cycle: int) -> tuple[int, int]:
        return cycles.till_window(self._merchant(), self.session.genesis, cycle)

    async def on_chain(self) -> None:
        """New blocks: the figures of the cycle on screen, the cycle kept."""
        await self.refresh(keep=True)

    async def refresh(self, keep: bool = False) -> None:
        if not self.merchant:
            return
        if not keep or self.cycle.count() == 0:
            cat = await self.session.query("catalogue")
            self.closed_through = int(cat.get("closed_through", 0) or 0)
            self.cycle.blockSignals(True)
            self.cycle.clear()
            for c in self._cycles():
                self.cycle.addItem(str(c), c)
            self.cycle.blockSignals(False)
        cycle = self.cycle.currentData()
        if cycle is None:
            return
        self.statement = await self.session.query("statement", merchant=self.merchant,
                                                  cycle=cycle)
        lines = await self.session.query("statement_lines", merchant=self.merchant,
                                         cycle=cycle)
        self.lines.set_rows(lines)
        self._show_statement()
        await self.shift_report(lines)

    async def shift_report(self, lines: list[dict[str, Any]]) -> None:
        """Each cashier shift's takings in this cycle, as the chain decided them."""
        try:
            journal = read_journal(self.journal) if self.journal.exists() else []
        except (OSError, ValueError):
            journal = []  # (the reconciliation says what is wrong with it)
        committed = {x["tx"]: int(x["amount"]) for x in lines}
        start, end = self._window(int(self.cycle.currentData()))
        for e in journal:
            if e.get("cashier") and e["tx"] not in committed and e["tx"] not in self.codes \
                    and start <= int(e.get("sent", 0)) < end:
                found = await self.session.query("tx", id=e["tx"])
                if found is not None:
                    self.codes[e["tx"]] = str(found.get("code"))
        mine = [e for e in journal if start <= int(e.get("sent", 0)) < end]
        self.shift.show_report(mine, committed, self.codes.get, self.session.now())

    def print_report(self) -> None:
        s, cycle = self.statement, self.cycle.currentData()
        if s is None or cycle is None:
            self.notice.error(self.tr("No cycle selected."))
            return
        figures = [(self.total_labels[k][0].text(), self.total_labels[k][1].text())
                   for k in self.total_labels]
        self.shift.report_html = lambda: day_report_html(
            self.tr("End of day"), self.session.entity, cycle, figures,
            self.shift.shifts_html(), self.rec_summary.text())
        self.shift.print_report(f"end-of-day-{self.session.entity}-{cycle}")

    def _show_statement(self) -> None:
        s = self.statement
        for key, (_a, b) in self.total_labels.items():
            if s is None:
                b.setText("")
            elif key == "count":
                b.setText(self.tr("%1 · refunds %2").replace("%1", f"{s['count']:,}")
                          .replace("%2", f"{s['refund_count']:,}"))
            elif key == "status":
                b.setText(self.tr("settled on chain") if s.get("settled")
                          else self.tr("open"))
            elif key == "points":
                b.setText(yuan(sum(s["points"].values())) + "  " + ", ".join(
                    f"{bank} {yuan(v)}" for bank, v in sorted(s["points"].items()) if v))
            else:
                b.setText(yuan(s[key]))

    async def run_reconcile(self) -> None:
        cycle = self.cycle.currentData()
        if cycle is None:
            raise SessionError(self.tr("No cycle selected."))
        try:
            journal = read_journal(self.journal) if self.journal.exists() else []
        except (OSError, ValueError) as exc:
            raise SessionError(self.tr("The till journal cannot be read: %1")
                               .replace("%1", str(exc))) from exc
        lines = await self.session.query("statement_lines", merchant=self.merchant,
                                         cycle=cycle)
        receipts: dict[str, dict[str, Any] | None] = {}
        for e in journal:
            if not any(x["tx"] == e["tx"] for x in lines):
                receipts[e["tx"]] = await self.session.query("tx", id=e["tx"])
        rec = reconcile(journal, lines, receipts.get, self.session.entity,
                        self._window(cycle))
        rows = [{"what": "on the till, not on chain", **x} for x in rec.till_only]
        rows += [{"what": "on chain, not on the till", "chain": x["amount"], **x}
                 for x in rec.chain_only]
        rows += [{"what": "amounts differ", **x} for x in rec.amount_differs]
        # a sale the chain refused while the cashier waited was refused at the till too: it
        # is listed, but it is no difference
        rows += [{"what": "refused on chain", "till": x["amount"], **x} for x in rec.rejected]
        rows += [{"what": "declined after offline acceptance", "till": x["amount"], **x}
                 for x in rec.declined_offline]
        for r in rows:
            r.setdefault("till", r.get("amount") if r["what"] != "on chain, not on the till"
                         else None)
        self.diffs.set_rows(rows)
        self.reconciled = (rec.matched, len(rows) - len(rec.rejected), len(rec.rejected))
        self._show_reconciled()
        if rec.clean:
            self.notice.ok(self.tr("Reconciliation clean."))
        else:
            self.notice.error(self.tr("The till and the chain differ; see the list."))

    def _show_reconciled(self) -> None:
        if self.reconciled is None:
            self.rec_summary.setText("")
            return
        matched, differences, refused = self.reconciled
        if differences == 0:
            self.rec_summary.setText(self.tr("Till and chain agree: %1 transactions matched.")
                                     .replace("%1", str(matched)) + (self.tr(
                                         " %1 refused sale(s), listed below.").replace(
                                         "%1", str(refused)) if refused else ""))
        else:
            self.rec_summary.setText(self.tr("%1 matched, %2 differences (listed below).")
                                     .replace("%1", str(matched))
                                     .replace("%2", str(differences)))
