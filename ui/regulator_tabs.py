"""Regulator tabs: compliance cases, liabilities and volumes as charts, the full audit."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import math
import time
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.model import COMPLIANCE_RULES, rule_limits
from app.session import AuditReport, NoLedger, Session, SessionError
from app.statement_export import print_pdf
from ui import texts
from ui.common import (
    CHINA,
    Column,
    Notice,
    RecordModel,
    Tasks,
    documents,
    is_dark,
    select_row,
    selected_row,
    sized,
    table,
    tone_style,
    when,
)
from ui.shell import qtext

CASES = [Column("level", "Level", "status"), Column("rule", "Rule"), Column("subject", "Subject"),
         Column("found", "What happened"), Column("ntx", "Transactions", "int"),
         Column("status", "Status", "casestatus"), Column("height", "Height", "int")]
ISSUERS = [Column("bank", "Bank"), Column("outstanding", "Prepaid outstanding", "money"),
           Column("custody", "Custody deposit", "money"), Column("ratio", "Coverage"),
           Column("cards", "Cards", "int")]
VOLUMES = [Column("merchant", "Merchant"), Column("name", "Name"),
           Column("payments", "Payments", "int"), Column("gross", "Gross", "money"),
           Column("refunds", "Refunds", "int"), Column("refunded", "Refunded", "money")]
PROBLEMS = [Column("height", "Height", "int"), Column("problem", "Problem", "finding")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class CasesTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        self.model = RecordModel(CASES, _ctx, self)
        self.model.show = self._show  # type: ignore[method-assign]
        self.view = table(self.model, stretch=3)
        lay.addWidget(self.view, 3)
        self.rule_doc = QLabel()
        self.rule_doc.setWordWrap(True)
        lay.addWidget(self.rule_doc)
        row = QHBoxLayout()
        self.note_label, self.note = QLabel(), QLineEdit()
        self.ack_btn, self.close_btn, self.reload_btn = QPushButton(), QPushButton(), \
            QPushButton()
        self.ack_btn.clicked.connect(lambda: self.decide("acknowledged"))
        self.close_btn.clicked.connect(lambda: self.decide("closed"))
        self.reload_btn.clicked.connect(lambda: self.tasks.spawn(self.refresh(), self.notice))
        for w in (self.note_label, self.note, self.ack_btn, self.close_btn, self.reload_btn):
            row.addWidget(w)
        lay.addLayout(row)
        self.notice = Notice()
        lay.addWidget(self.notice)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        # a case's first transaction in full (the window sets where it opens)
        self.open_tx: Any = None
        self.view.activated.connect(lambda _i: self.open_first())

    def open_first(self) -> None:
        c = selected_row(self.view, self.model)
        if c is not None and c["txs"] and self.open_tx is not None:
            self.open_tx(c["txs"][0])

    def _show(self, col: Column, value: Any) -> str:
        if col.key == "rule":
            return texts.rule_name(str(value))
        return RecordModel.show(self.model, col, value)

    def retranslate(self) -> None:
        self.note_label.setText(self.tr("Note"))
        self.note.setPlaceholderText(self.tr("what was checked, who was contacted"))
        self.ack_btn.setText(self.tr("Acknowledge"))
        self.close_btn.setText(self.tr("Close case"))
        self.reload_btn.setText(self.tr("Rescan"))
        for c in self.model.rows:
            c["found"] = texts.finding(c)
        self.model.retranslate()
        self._selected()
        self._summarise()

    async def refresh(self) -> None:
        cases = await self.session.query("compliance")
        for c in cases:
            c["ntx"] = len(c["txs"])
            c["found"] = texts.finding(c)
        order = {"critical": 0, "high": 1, "warning": 2}
        cases.sort(key=lambda c: (c["status"] == "closed", order.get(c["level"], 3),
                                  -c["height"]))
        keep = selected_row(self.view, self.model)  # the case being handled stays selected
        self.model.set_rows(cases)
        if keep is not None:
            for i, c in enumerate(cases):
                if c["id"] == keep["id"]:
                    select_row(self.view, i)
        self._summarise()

    def _summarise(self) -> None:
        rows = self.model.rows
        open_ = sum(1 for c in rows if c["status"] == "open")
        self.summary.setText(self.tr("%1 cases from %2 rules over the whole chain; %3 open.")
                             .replace("%1", str(len(rows)))
                             .replace("%2", str(len(COMPLIANCE_RULES)))
                             .replace("%3", str(open_)))

    def _selected(self) -> None:
        c = selected_row(self.view, self.model)
        if c is None:
            self.rule_doc.setText(self.tr("Select a case to see the rule that raised it."))
            return
        self.rule_doc.setText(self.tr(
            "What happened: %4\nRule %1: %2\nTransactions (double-click the case for the "
            "first): %3").replace("%1", texts.rule_name(c["rule"])).replace(
            "%2", texts.rule_doc(c["rule"], rule_limits(self.session.genesis))).replace(
            "%3", ", ".join(t[:12] + "…" for t in c["txs"][:6]) or "—").replace(
            "%4", str(c.get("found", ""))))

    def decide(self, status: str) -> None:
        self.notice.clear()
        c = selected_row(self.view, self.model)
        if c is None:
            self.notice.error(self.tr("Select a case first."))
            return
        if c["status"] == "closed":
            self.notice.error(self.tr("This case is already closed."))
            return
        body: dict[str, Any] = {"case": c["id"], "status": status, "rule": c["rule"]}
        if self.note.text().strip():
            body["note"] = self.note.text().strip()
        self.tasks.spawn(self._submit(body), self.notice)

    async def _submit(self, body: dict[str, Any]) -> None:
        r = await self.session.submit(self.session.make("case_update", body))
        if not r.ok:
            self.notice.error(lambda r=r: texts.decision(r.code, r.message))
            return
        self.note.clear()
        await self.refresh()
        self.notice.ok(self.tr("Case %1 at height %2.").replace(
            "%1", texts.case_status(body["status"])).replace("%2", str(r.height)))


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[float]]],
              unit: str) -> QChart:
    chart = QChart()
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark()
                   else QChart.ChartTheme.ChartThemeLight)
    chart.setTitle(f"{title} ({unit})")  # not a rotated axis title: unreadable in Chinese
    bars = QBarSeries()
    for name, values in series:
        s = QBarSet(name)
        s.append(values)
        # on the chart's background, not on the bar
        s.setLabelColor(QGuiApplication.palette().color(QPalette.ColorRole.WindowText))
        bars.append(s)
    bars.setLabelsVisible(True)
    bars.setLabelsFormat("@value")
    # above each bar: a short bar (a small refund) has no room for its figure inside
    bars.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(bars)
    x = QBarCategoryAxis()
    x.append(categories)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    bars.attachAxis(x)
    y = QValueAxis()
    y.setLabelFormat("%.0f")
    top = max((v for _n, vals in series for v in vals), default=0.0)
    nice_y(y, top)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(y)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def nice_y(y: QValueAxis, top: float) -> None:
    """0 to a round number above ``top`` in three ticks: a short chart has room for three
    labels (more are elided to "…")."""
    step = 10 ** max(0, math.floor(math.log10(max(top * 1.1, 1))))
    nice = next(m * step for m in (1, 2, 4, 6, 8, 10) if m * step >= top * 1.1)
    nice = max(nice, 2)
    y.setRange(0, nice)
    y.setTickCount(3)


def _axis_ms(t: int) -> int:
    """A moment as a date axis shows it: the axis speaks this machine's local time, the
    consortium's day is China's (UTC+8)."""
    local = dt.datetime.fromtimestamp(t / 1000).astimezone().utcoffset() or dt.timedelta()
    return t + int((CHINA.utcoffset(None) - local).total_seconds() * 1000)


def noon(day: int) -> int:
    """yyyymmdd -> that China day's noon, UTC ms."""
    return int(dt.datetime(day // 10000, day // 100 % 100, day % 100, 12,
                           tzinfo=CHINA).timestamp() * 1000)


def line_chart(title: str, times: list[int], series: list[tuple[str, list[float]]],
               unit: str, fmt: str = "MM-dd") -> QChart:
    """One line per series over the moments ``times`` (UTC ms), labelled in China time."""
    chart = QChart()
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark()
                   else QChart.ChartTheme.ChartThemeLight)
    chart.setTitle(f"{title} ({unit})")
    x = QDateTimeAxis()
    x.setFormat(fmt)
    x.setTickCount(max(2, min(len(times), 7)))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    y = QValueAxis()
    y.setLabelFormat("%.0f")
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    when = [_axis_ms(t) for t in times]
    for name, values in series:
        line = QLineSeries()
        line.setName(name)
        for t, v in zip(when, values, strict=True):
            line.append(t, v)
        chart.addSeries(line)
        line.attachAxis(x)
        line.attachAxis(y)
    top = max((v for _n, vals in series for v in vals), default=0.0)
    nice_y(y, top)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


class ChartsTab(QWidget):
    follow_delay = 2.0  # its figures scan the chain's postings: not after every block

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        lay = QVBoxLayout(self)
        charts = QGridLayout()
        self.issuer_view, self.history_view, self.volume_view, self.rate_view = (
            QChartView(), QChartView(), QChartView(), QChartView())
        self.history: list[dict[str, Any]] = []
        self.hours: list[dict[str, Any]] = []
        for i, v in enumerate((self.issuer_view, self.history_view, self.volume_view,
                               self.rate_view)):
            v.setRenderHint(QPainter.RenderHint.Antialiasing)
            v.setMinimumHeight(220)
            charts.addWidget(v, i // 2, i % 2)
        lay.addLayout(charts, 4)
        tables = QHBoxLayout()
        self.issuers = RecordModel(ISSUERS, _ctx, self)
        self.volumes = RecordModel(VOLUMES, _ctx, self)
        tables.addWidget(table(self.issuers, stretch=0))
        tables.addWidget(table(self.volumes, stretch=1))
        lay.addLayout(tables, 1)
        self.notice = Notice()
        lay.addWidget(self.notice)

    def retranslate(self) -> None:
        self.issuers.retranslate()
        self.volumes.retranslate()
        self._draw()

    async def refresh(self) -> None:
        """Every figure read first, then all shown at once: the tables and the charts of one
        moment (a block between two reads would otherwise show two)."""
        iss = await self.session.query("issuers")
        for r in iss:
            r["ratio"] = "—" if r["ratio_bp"] is None else f"{r['ratio_bp'] / 100:.1f} %"
        volumes = await self.session.query("merchant_volumes")
        history = await self.session.query("outstanding_history", days=30)
        hours = await self.session.query("throughput", hours=24)
        self.issuers.set_rows(iss)
        self.volumes.set_rows(volumes)
        self.history, self.hours = history, hours
        self._draw()

    def _draw(self) -> None:
        iss, vol = self.issuers.rows, self.volumes.rows
        self.issuer_view.setChart(bar_chart(
            self.tr("Issuers: prepaid funds outstanding and custody deposit"),
            [r["bank"] for r in iss],
            [(self.tr("Outstanding"), [r["outstanding"] / 100 for r in iss]),
             (self.tr("Custody"), [r["custody"] / 100 for r in iss])], self.tr("CNY")))
        banks = [b["id"] for b in self.session.genesis.banks]
        self.history_view.setChart(line_chart(
            self.tr("Prepaid outstanding, last 30 days (end of each day)"),
            [noon(h["day"]) for h in self.history],
            [(b, [h.get(b, 0) / 100 for h in self.history]) for b in banks], self.tr("CNY")))
        self.volume_view.setChart(bar_chart(
            self.tr("Merchant volumes (accepted payments)"), [r["merchant"] for r in vol],
            [(self.tr("Gross"), [r["gross"] / 100 for r in vol]),
             (self.tr("Refunded"), [r["refunded"] / 100 for r in vol])], self.tr("CNY")))
        hours = self.hours
        self.rate_view.setChart(line_chart(
            self.tr("Transactions per hour, last 24 hours"), [h["hour"] for h in hours],
            [(self.tr("Accepted"), [float(h["accepted"]) for h in hours]),
             (self.tr("Refused"), [float(h["refused"]) for h in hours])],
            self.tr("transactions"), fmt="HH:mm"))


class AuditTab(QWidget):
    """Re-verifies every block, certificate and signature of this app's own copy of the
    chain and re-executes it from genesis, on worker processes and a thread: the window
    and the node keep running while it works."""

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        lay = QVBoxLayout(self)
        self.box = QGroupBox()
        bl = QVBoxLayout(self.box)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        bl.addWidget(self.explain)
        row = QHBoxLayout()
        self.run_btn = QPushButton()
        self.run_btn.clicked.connect(self.run)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.pdf_btn = QPushButton()
        self.pdf_btn.setEnabled(False)
        self.pdf_btn.clicked.connect(self.save_pdf)
        row.addWidget(self.run_btn)
        row.addWidget(self.bar, 1)
        row.addWidget(self.pdf_btn)
        bl.addLayout(row)
        self.result = QLabel()
        sized(self.result, 15, 600)
        bl.addWidget(self.result)
        lay.addWidget(self.box)
        self.problems = RecordModel(PROBLEMS, _ctx, self)
        lay.addWidget(table(self.problems, stretch=1), 1)
        self.notice = Notice()
        lay.addWidget(self.notice)
        self.report: AuditReport | None = None
        self.finished_at = 0

    def retranslate(self) -> None:
        self.box.setTitle(self.tr("Full-chain audit"))
        self.explain.setText(self.tr(
            "Trusts nothing but the genesis file: checks every block hash and link, every "
            "commit certificate (2f+1 validator signatures) and every transaction signature, "
            "re-executes the whole chain from genesis and compares every row the node stored "
            "with it (blocks, transactions, postings, result certificates, state), height by "
            "height."))
        self.run_btn.setText(self.tr("Run full audit"))
        self.pdf_btn.setText(self.tr("Save report as PDF…"))
        self.problems.retranslate()
        self._show()

    def run(self) -> None:
        self.notice.clear()
        self.run_btn.setEnabled(False)
        task = self.tasks.spawn(self._run(), self.notice)
        task.add_done_callback(lambda _t: self.run_btn.setEnabled(True))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        self.report = None
        self.bar.setValue(0)

        def progress(done: int, total: int) -> None:  # called on the audit's thread
            loop.call_soon_threadsafe(self.bar.setValue, done * 100 // max(total, 1))

        self.result.setText(self.tr("Auditing…"))
        try:
            self.report = await self.session.audit(progress)
        except NoLedger:
            raise SessionError(self.tr("This app's node has no ledger yet.")) from None
        self.bar.setValue(100)
        self.finished_at = int(time.time() * 1000)
        self._show()
        self.pdf_btn.setEnabled(True)

    def save_pdf(self) -> None:
        if self.report is None:
            return
        dlg = QFileDialog(self, self.tr("Save the audit report"),
                          str(documents() / f"audit-{self.session.genesis.chain_id}-"
                                            f"{self.report.height}.pdf"), "PDF (*.pdf)")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.fileSelected.connect(
            lambda p: self.tasks.spawn(self.write_pdf(Path(p)), self.notice))
        dlg.open()

    def report_html(self) -> str:
        """The audit's report as a document: what was checked, on which copy, the result,
        every problem found."""
        r = self.report
        assert r is not None
        esc = html.escape
        rows = "".join(f"<tr><td>{h}</td><td>{esc(texts.audit_problem(p))}</td></tr>"
                       for h, p in r.problems)
        problems = (f"<table border=1 cellspacing=0 cellpadding=3><tr><th>"
                    f"{esc(self.tr('Height'))}</th><th>{esc(self.tr('Problem'))}</th></tr>"
                    f"{rows}</table>") if rows else ""
        which = self.tr("Chain %1, copy of %2, finished %3").replace(
            "%1", self.session.genesis.chain_id).replace("%2", self.session.identity).replace(
            "%3", when(self.finished_at))
        return (f"<h2>{esc(self.tr('Full-chain audit report'))}</h2><p>{esc(which)}</p>"
                f"<p>{esc(self.explain.text())}</p>"
                f"<p><b>{esc(self.result.text())}</b></p>{problems}")

    async def write_pdf(self, path: Path) -> None:
        document = self.report_html()
        title = self.tr("Full-chain audit report")
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, print_pdf, document, title, path)
        except OSError as exc:
            raise SessionError(self.tr("Could not write %1: %2").replace("%1", str(path))
                               .replace("%2", exc.strerror or str(exc))) from None
        self.notice.ok(self.tr("Audit report saved to %1").replace("%1", str(path)))

    def _show(self) -> None:
        r = self.report
        if r is None:
            self.result.setText("")
            return
        if r.ok:
            self.result.setStyleSheet(tone_style("ok"))
            self.result.setText(self.tr("Audit passed: %1 blocks and %2 transactions verified "
                                        "and re-executed; the state matches.")
                                .replace("%1", str(r.height)).replace("%2",
                                                                      f"{r.transactions:,}"))
        else:
            self.result.setStyleSheet(tone_style("error"))
            self.result.setText(self.tr("Audit FAILED: first problem at height %1.")
                                .replace("%1", str(r.first_bad_height)))
        self.problems.set_rows([{"height": h, "problem": p} for h, p in r.problems])

    async def refresh(self) -> None:
        return None


__all__ = ["AuditTab", "CasesTab", "ChartsTab"]
