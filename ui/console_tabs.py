"""Console tabs: merchant and terminal onboarding and the custody attestation (the points
desk: ui/points_tab.py; clearing statements and payouts: ui/clearing_tab.py)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.flows import as_bank_act, new_terminal_key
from app.model import compliance_settings, custody_level
from app.session import Session, SessionError
from ui import texts
from ui.common import (
    STATEMENT_LINES,
    Column,
    Notice,
    RecordModel,
    Tasks,
    parse_yuan,
    select_row,
    selected_row,
    sized,
    table,
    yuan,
)
from ui.shell import qtext

MERCHANTS = [Column("merchant", "Merchant"), Column("name", "Name"),
             Column("acquirer", "Acquirer"), Column("fee_bp", "Fee (bp)", "int"),
             Column("cutoff", "Cut-off"), Column("terminals_text", "Terminals"),
             Column("status", "Status", "status")]
LINES = STATEMENT_LINES


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class Tab(QWidget):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        self.notice = Notice()

    async def submit(self, kind: str, body: dict[str, Any], done: str) -> bool:
        """Send a bank's act (as a proposal when the bank takes it from two clerks)."""
        if self.session.role == "clerk":
            kind, body = as_bank_act(self.session.genesis, self.session.entity, kind, body)
            if kind == "propose":
                done = self.tr("Proposed at height %H: a second clerk approves it on the "
                               "Approvals tab before it takes effect.")
        r = await self.session.submit(self.session.make(kind, body))
        if not r.ok:
            self.notice.error(lambda r=r: texts.decision(r.code, r.message))
            return False
        # What the tab shows is brought up to date before the message says done (committed
        # all the same if that read fails; the next reload shows it).
        with contextlib.suppress(SessionError):
            await self.after_commit()
        self.notice.ok(done.replace("%H", str(r.height)))
        return True

    async def after_commit(self) -> None:
        await self.refresh()

    async def refresh(self) -> None:
        return None


class MerchantsTab(Tab):
    """Merchants this bank acquires (all of them for the clearing house), registering a new
    merchant, and a new terminal with its key file."""

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__(session, tasks)
        outer = QHBoxLayout(self)
        self.model = RecordModel(MERCHANTS, _ctx, self)
        self.view = table(self.model, stretch=1)
        outer.addWidget(self.view, 3)
        right = QVBoxLayout()
        self.m_box = QGroupBox()
        f = QFormLayout(self.m_box)
        self.m_id, self.m_name, self.m_fee, self.m_cutoff = (QLineEdit(), QLineEdit(),
                                                             QLineEdit(), QLineEdit())
        self.m_acq = QComboBox()
        for b in session.genesis.banks:
            if session.role != "clerk" or b["id"] == session.entity:
                self.m_acq.addItem(b["id"], b["id"])
        self.m_labels = [QLabel() for _ in range(5)]
        for label, w in zip(self.m_labels, (self.m_id, self.m_name, self.m_acq, self.m_fee,
                                            self.m_cutoff), strict=True):
            f.addRow(label, w)
        self.m_btn = QPushButton()
        self.m_btn.clicked.connect(self.register_merchant)
        f.addRow(self.m_btn)
        right.addWidget(self.m_box)
        self.t_box = QGroupBox()
        g = QFormLayout(self.t_box)
        self.t_id, self.t_pass, self.t_dir = QLineEdit(), QLineEdit(), QLineEdit()
        self.t_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.t_dir.setText(str(session.cons.home / "terminal-keys"))
        self.t_labels = [QLabel(), QLabel(), QLabel()]
        for label, w in zip(self.t_labels, (self.t_id, self.t_pass, self.t_dir), strict=True):
            g.addRow(label, w)
        self.t_btn = QPushButton()
        self.t_btn.clicked.connect(self.register_terminal)
        g.addRow(self.t_btn)
        right.addWidget(self.t_box)
        right.addWidget(self.notice)
        right.addStretch(1)
        outer.addLayout(right, 2)

    def retranslate(self) -> None:
        self.m_box.setTitle(self.tr("Register a merchant"))
        for label, text in zip(self.m_labels, (
                self.tr("Merchant id"), self.tr("Name"), self.tr("Acquiring bank"),
                self.tr("Fee (basis points)"), self.tr("Daily cut-off (HH:MM)")), strict=True):
            label.setText(text)
        self.m_id.setPlaceholderText("M004")
        self.m_fee.setPlaceholderText("60")
        self.m_cutoff.setPlaceholderText("23:00")
        self.m_btn.setText(self.tr("Register merchant"))
        self.t_box.setTitle(self.tr("Add a terminal to the selected merchant"))
        for label, text in zip(self.t_labels, (
                self.tr("Terminal id"), self.tr("Key file passphrase"),
                self.tr("Write the key file to")), strict=True):
            label.setText(text)
        self.t_id.setPlaceholderText("M001-T03")
        self.t_btn.setText(self.tr("Create key and register terminal"))
        self.model.retranslate()

    async def refresh(self) -> None:
        rows = await self.session.query("merchants")
        for r in rows:
            r["terminals_text"] = ", ".join(r["terminals"])
            r["cutoff"] = f"{r['cutoff_min'] // 60:02d}:{r['cutoff_min'] % 60:02d}"
        keep = selected_row(self.view, self.model)  # a new terminal's merchant stays chosen
        self.model.set_rows(rows)
        if keep is not None:
            for i, r in enumerate(rows):
                if r["merchant"] == keep["merchant"]:
                    select_row(self.view, i)

    def register_merchant(self) -> None:
        self.notice.clear()
        mid, name = self.m_id.text().strip(), self.m_name.text().strip()
        hh, sep, mm = self.m_cutoff.text().strip().partition(":")
        problems = []
        if not mid or not mid.replace("-", "").isalnum() or len(mid) > 32:
            problems.append(self.tr("merchant id: letters, digits and '-', up to 32"))
        if not name:
            problems.append(self.tr("name is required"))
        fee = self.m_fee.text().strip()
        if not fee.isdigit() or int(fee) > 10_000:
            problems.append(self.tr("fee: whole basis points, 0 to 10000"))
        if not (sep and hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            problems.append(self.tr("cut-off: a time like 23:00"))
        if problems:
            self.notice.error("; ".join(problems))
            return
        body = {"merchant": mid, "name": name, "acquirer": self.m_acq.currentData(),
                "fee_bp": int(fee), "cutoff_min": int(hh) * 60 + int(mm)}
        self.tasks.spawn(self.submit("register_merchant", body,
                                     self.tr("Merchant registered at height %H.")), self.notice)

    def register_terminal(self) -> None:
        self.notice.clear()
        m = selected_row(self.view, self.model)
        tid = self.t_id.text().strip()
        if m is None:
            self.notice.error(self.tr("Select the merchant in the list first."))
            return
        if not tid or not tid.replace("-", "").isalnum() or len(tid) > 32:
            self.notice.error(self.tr("Terminal id: letters, digits and '-', up to 32."))
            return
        if len(self.t_pass.text()) < 8:
            self.notice.error(self.tr("The key file passphrase needs at least 8 characters."))
            return
        self.tasks.spawn(self._terminal(m["merchant"], tid), self.notice)

    async def _terminal(self, merchant: str, tid: str) -> None:
        folder = Path(self.t_dir.text().strip())
        try:  # key generation and scrypt off the event loop
            public, files = await asyncio.get_running_loop().run_in_executor(
                None, new_terminal_key, self.session.cons, tid, folder, self.t_pass.text(),
                self.session.now())
        except (ValueError, OSError) as exc:
            raise SessionError(str(exc)) from exc
        self.t_pass.clear()
        ok = await self.submit("register_terminal", {"terminal": tid, "merchant": merchant,
                                                     "public_key": public},
                               self.tr("Terminal registered at height %H; key file: %1")
                               .replace("%1", ", ".join(p.name for p in files)))
        if not ok:
            for p in files:  # a refused registration leaves no stray key behind
                p.unlink(missing_ok=True)


class CustodyTab(Tab):
    """The bank attests on chain the deposit it holds in custody for its cards' prepaid
    funds; the regulator compares it with what is outstanding."""

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__(session, tasks)
        lay = QVBoxLayout(self)
        self.figures = QLabel()
        sized(self.figures, 15)
        lay.addWidget(self.figures)
        row = QHBoxLayout()
        self.amount_label, self.amount, self.btn = QLabel(), QLineEdit(), QPushButton()
        self.btn.clicked.connect(self.attest)
        for w in (self.amount_label, self.amount, self.btn):
            row.addWidget(w)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.notice)
        lay.addStretch(1)
        self.row: dict[str, Any] | None = None

    def retranslate(self) -> None:
        self.amount_label.setText(self.tr("Deposit held in custody (¥)"))
        self.btn.setText(self.tr("Attest on chain"))
        self._show()

    async def refresh(self) -> None:
        rows = await self.session.query("issuers")
        self.row = rows[0] if rows else None
        self._show()

    def _show(self) -> None:
        r = self.row
        if r is None:
            self.figures.setText("")
            return
        ratio = "—" if r["ratio_bp"] is None else f"{r['ratio_bp'] / 100:.1f} %"
        self.figures.setText(self.tr(
            "Prepaid funds outstanding: %1\nCustody deposit attested: %2\nCoverage: %3\n"
            "Cards issued: %4").replace("%1", yuan(r["outstanding"]))
            .replace("%2", yuan(r["custody"])).replace("%3", ratio)
            .replace("%4", str(r["cards"])) + "\n" + self._level(r["ratio_bp"]))

    def _level(self, ratio_bp: int | None) -> str:
        """Where the coverage stands against the regulator's levels (set in genesis)."""
        if ratio_bp is None:
            return self.tr("Nothing outstanding: no coverage to keep.")
        found = custody_level(self.session.genesis, ratio_bp)
        if found is not None:
            return self.tr("Regulator's level: %1 (coverage under %2 %)").replace(
                "%1", texts.status(found[0])).replace("%2", f"{found[1] / 100:g}")
        warning = compliance_settings(self.session.genesis, "custody")["warning_bp"]
        return self.tr("Regulator's levels met (warning under %1 %)").replace(
            "%1", f"{warning / 100:g}")

    def attest(self) -> None:
        self.notice.clear()
        try:
            fen = parse_yuan(self.amount.text())
        except ValueError as exc:
            self.notice.error(self.tr("Custody deposit: %1").replace("%1", str(exc)))
            return
        self.tasks.spawn(self.submit("attest_custody", {"bank": self.session.entity,
                                                        "amount": fen},
                                     self.tr("Custody attested at height %H.")), self.notice)
