"""The console's clearing tab: per merchant and cycle, the statement every validator
computes, its lines, CSV and PDF export, closing the cycle (clearing house), paying the
merchant out (its acquirer) and settling what a bank's points paid (that bank)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app import cycles
from app.session import Session, SessionError
from app.statement_export import to_csv, write_pdf
from ui.common import STATEMENT_LINES, RecordModel, Tasks, documents, table, yuan
from ui.console_tabs import Tab
from ui.shell import qtext

LINES = STATEMENT_LINES


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class ClearingTab(Tab):
    """Per merchant and cycle: the statement as every validator computes it, its lines,
    CSV and PDF export, what this bank owes for points, and (clearing house) the close."""

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__(session, tasks)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.merchant, self.cycle = QComboBox(), QComboBox()
        self.show_btn, self.csv_btn, self.pdf_btn, self.settle_btn = (
            QPushButton(), QPushButton(), QPushButton(), QPushButton())
        self.show_btn.clicked.connect(lambda: self.tasks.spawn(self.load(), self.notice))
        self.csv_btn.clicked.connect(lambda: self.export("csv"))
        self.pdf_btn.clicked.connect(lambda: self.export("pdf"))
        self.settle_btn.clicked.connect(self.settle)
        self.settle_btn.setVisible(session.role == "clearing")
        self.m_label, self.c_label = QLabel(), QLabel()
        for w in (self.m_label, self.merchant, self.c_label, self.cycle, self.show_btn,
                  self.csv_btn, self.pdf_btn, self.settle_btn):
            top.addWidget(w)
        top.addStretch(1)
        lay.addLayout(top)
        # a bank moves the money of a settled cycle: the acquirer pays the merchant out,
        # a bank whose points paid part of it settles them; each with its transfer reference
        money = QHBoxLayout()
        self.ref_label, self.reference = QLabel(), QLineEdit()
        self.payout_btn, self.points_btn, self.net_btn = (QPushButton(), QPushButton(),
                                                          QPushButton())
        self.payout_btn.clicked.connect(self.payout)
        self.points_btn.clicked.connect(self.settle_points)
        self.net_btn.clicked.connect(self.pay_net)
        for w in (self.ref_label, self.reference, self.payout_btn, self.points_btn,
                  self.net_btn):
            money.addWidget(w)
            w.setVisible(session.role == "clerk")
        money.addStretch(1)
        lay.addLayout(money)
        body = QHBoxLayout()
        self.sum_box = QGroupBox()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box = QVBoxLayout(self.sum_box)
        box.addWidget(self.summary)
        self.netting_label = QLabel()  # the cycle's interbank positions this bank may see
        self.netting_label.setWordWrap(True)
        box.addWidget(self.netting_label)
        box.addStretch(1)
        self.netting: list[dict[str, Any]] = []
        body.addWidget(self.sum_box, 1)
        self.lines = RecordModel(LINES, _ctx, self)
        body.addWidget(table(self.lines, stretch=2), 3)
        lay.addLayout(body)
        lay.addWidget(self.notice)
        self.statement: dict[str, Any] | None = None
        self.line_rows: list[dict[str, Any]] = []

    def retranslate(self) -> None:
        self.m_label.setText(self.tr("Merchant"))
        self.c_label.setText(self.tr("Cycle"))
        self.show_btn.setText(self.tr("Show statement"))
        self.csv_btn.setText(self.tr("Export CSV…"))
        self.pdf_btn.setText(self.tr("Export PDF…"))
        self.settle_btn.setText(self.tr("Close cycle on chain"))
        self.ref_label.setText(self.tr("Bank transfer reference"))
        self.payout_btn.setText(self.tr("Pay the merchant out"))
        self.points_btn.setText(self.tr("Settle our points"))
        self.net_btn.setText(self.tr("Pay our net position"))
        self.sum_box.setTitle(self.tr("Statement"))
        self.lines.retranslate()
        self._show()

    async def refresh(self) -> None:
        """The merchants (the list rebuilt only when it changed: the clerk may be choosing
        in it) and, once a statement is on screen, that statement as the chain has it now."""
        rows = await self.session.query("merchants")
        keep = self.merchant.currentData()
        shown = [self.merchant.itemData(i) for i in range(self.merchant.count())]
        if rows != shown:
            self.merchant.clear()
            for r in rows:
                self.merchant.addItem(f"{r['merchant']} {r['name']}", r)
            self.merchant.setCurrentIndex(max(0, next(
                (i for i, r in enumerate(rows) if keep and r["merchant"] == keep["merchant"]),
                0)))
        m = self.merchant.currentData()
        if m is not None and self.cycle.count() == 0:
            for c in cycles.recent(m, self.session.genesis, self.session.now()):
                self.cycle.addItem(str(c), c)
        if self.statement is not None:
            await self.load()

    async def load(self) -> None:
        m, cycle = self.merchant.currentData(), self.cycle.currentData()
        if m is None or cycle is None:
            raise SessionError(self.tr("Choose a merchant and a cycle."))
        self.statement = await self.session.query("statement", merchant=m["merchant"],
                                                  cycle=cycle)
        self.line_rows = await self.session.query("statement_lines", merchant=m["merchant"],
                                                  cycle=cycle)
        self.lines.set_rows(self.line_rows)
        self.netting = await self.session.query("netting", cycle=cycle)
        self._show()

    def _show(self) -> None:
        s = self.statement
        if s is None:
            self.netting_label.setText("")
            self.summary.setText(self.tr("Choose a merchant and a cycle, then show the "
                                         "statement."))
            return
        pts = ", ".join(f"{b} {yuan(v)}" for b, v in sorted(s["points"].items()) if v) or "—"
        state = self.tr("settled on chain") if s.get("settled") else self.tr("open")
        if s.get("settled"):
            paid = s.get("paid")
            state += " · " + (self.tr("paid out (%1)").replace("%1", paid["reference"])
                              if paid else self.tr("not paid out yet"))
            done = s.get("points_paid") or {}
            owed = [b for b, v in sorted(s["points"].items()) if v]
            if owed:
                yes, no = self.tr("yes"), self.tr("no")
                state += " · " + self.tr("points settled: %1").replace("%1", ", ".join(
                    f"{b} {yes if b in done else no}" for b in owed))
        self.summary.setText("\n".join([
            self.tr("Payments: %1, refunds: %2").replace("%1", str(s["count"]))
            .replace("%2", str(s["refund_count"])),
            self.tr("Gross %1 · refunds %2").replace("%1", yuan(s["gross"]))
            .replace("%2", yuan(s["refunds"])),
            self.tr("Owed by banks for points: %1").replace("%1", pts),
            self.tr("Fee %1 · net to merchant %2").replace("%1", yuan(s["fee"]))
            .replace("%2", yuan(s["net"])),
            self.tr("Status: %1").replace("%1", state)]))
        lines = [self.tr("Interbank netting of cycle %1:").replace("%1", str(s["cycle"]))]
        for r in self.netting:
            lines.append(self.tr("%1 owes %2 %3; %2 owes %1 %4: %5").replace(
                "%1", r["bank_a"]).replace("%2", r["bank_b"]).replace(
                "%3", yuan(r["a_owes_b"])).replace("%4", yuan(r["b_owes_a"])).replace(
                "%5", self.tr("settled") if r["settled"] else self.tr(
                    "%1 pays %2 %3").replace("%1", r["payer"]).replace(
                    "%2", r["payee"]).replace("%3", yuan(r["net"]))))
        if not self.netting:
            lines.append(self.tr("nothing between banks yet (merchants not paid out)"))
        self.netting_label.setText("\n".join(lines))

    def export(self, kind: str) -> None:
        self.notice.clear()
        if self.statement is None:
            self.notice.error(self.tr("Show a statement first."))
            return
        s = self.statement
        dlg = QFileDialog(self, self.tr("Export the statement"),
                          str(documents() / f"statement-{s['merchant']}-{s['cycle']}.{kind}"),
                          "CSV (*.csv)" if kind == "csv" else "PDF (*.pdf)")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.fileSelected.connect(
            lambda p: self.tasks.spawn(self.write(kind, Path(p)), self.notice))
        dlg.open()

    async def write(self, kind: str, path: Path) -> None:
        """The statement as CSV or PDF at ``path``, written on a worker thread."""
        assert self.statement is not None
        s, lines = self.statement, list(self.line_rows)
        try:
            if kind == "csv":
                await asyncio.get_running_loop().run_in_executor(
                    None, path.write_text, to_csv(s, lines), "utf-8")
            else:
                await asyncio.get_running_loop().run_in_executor(
                    None, write_pdf, s, lines, path)
        except OSError as exc:
            self.notice.error(self.tr("Could not write %1: %2").replace("%1", str(path))
                              .replace("%2", exc.strerror or str(exc)))
            return
        self.notice.ok(self.tr("Statement written to %1").replace("%1", str(path)))

    def settle(self) -> None:
        self.notice.clear()
        s = self.statement
        if s is None:
            self.notice.error(self.tr("Show a statement first."))
            return
        keys = ("count", "refund_count", "gross", "refunds", "points", "fee", "net")
        body = {"merchant": s["merchant"], "cycle": s["cycle"], **{k: s[k] for k in keys}}
        self.tasks.spawn(self.submit("settle", body, self.tr("Cycle closed at height %H.")),
                         self.notice)

    def _money(self) -> dict[str, Any] | None:
        """The statement and reference a payout or points settlement is made from."""
        self.notice.clear()
        s = self.statement
        if s is None:
            self.notice.error(self.tr("Show a statement first."))
            return None
        if not s.get("settled"):
            self.notice.error(self.tr("Close the cycle first: only a settled cycle is paid."))
            return None
        ref = self.reference.text().strip()
        if not ref:
            self.notice.error(self.tr("Enter the bank transfer's reference."))
            return None
        return {"merchant": s["merchant"], "cycle": s["cycle"], "reference": ref}

    def payout(self) -> None:
        body = self._money()
        if body is None or self.statement is None:
            return
        body["amount"] = self.statement["net"]
        done = self.tr("Merchant paid out %1 at height %H.") if body["amount"] > 0 else \
            self.tr("Cycle closed out at %1 (nothing to pay the merchant) at height %H.")
        self.tasks.spawn(self.submit("payout", body, done.replace("%1", yuan(body["amount"]))),
                         self.notice)

    def settle_points(self) -> None:
        body = self._money()
        if body is None or self.statement is None:
            return
        bank = self.session.entity
        body.update(bank=bank, amount=int(self.statement["points"].get(bank, 0)))
        if body["amount"] <= 0:
            self.notice.error(self.tr("Your bank's points paid nothing in this cycle."))
            return
        self.tasks.spawn(self.submit("settle_points", body, self.tr(
            "Points settled: %1 at height %H.").replace("%1", yuan(body["amount"]))),
            self.notice)

    def pay_net(self) -> None:
        """This bank pays what it owes another for the cycle's spending, net."""
        self.notice.clear()
        cycle, ref = self.cycle.currentData(), self.reference.text().strip()
        mine = [r for r in self.netting if r["payer"] == self.session.entity and r["net"] > 0]
        if cycle is None or not mine:
            self.notice.error(self.tr("Your bank owes no other bank for this cycle."))
            return
        if not ref:
            self.notice.error(self.tr("Enter the bank transfer's reference."))
            return
        r = mine[0]
        body = {"cycle": cycle, "payer": r["payer"], "payee": r["payee"], "amount": r["net"],
                "reference": ref}
        self.tasks.spawn(self.submit("interbank", body, self.tr(
            "Paid %1 %2 net at height %H.").replace("%1", r["payee"]).replace(
            "%2", yuan(r["net"]))), self.notice)

    async def after_commit(self) -> None:
        await self.refresh()
        await self.load()
