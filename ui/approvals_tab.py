"""The bank clerk's approvals (four eyes, chain format 6): the acts the bank takes from two
clerks, proposed by one; another clerk of the bank approves (the act takes effect then,
signed by both, each in its own transaction on chain) or declines with a reason.  A clerk
cannot decide their own proposal."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.session import Session
from ui import texts
from ui.common import Column, RecordModel, Tasks, select_row, selected_row, table
from ui.console_tabs import Tab
from ui.shell import qtext

PROPOSALS = [Column("time", "Time", "time"), Column("act", "Type", "txkind"),
             Column("what", "Subject"), Column("maker_name", "Proposed by"),
             Column("status_words", "Status"), Column("why", "Reason"),
             Column("checker_name", "Decided by")]
STATUS = {"pending": "waiting for a second clerk", "approved": "approved",
          "declined": "declined"}


class ApprovalsTab(Tab):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__(session, tasks)
        lay = QVBoxLayout(self)
        self.help = QLabel()
        self.help.setWordWrap(True)
        lay.addWidget(self.help)
        self.model = RecordModel(PROPOSALS, lambda t: qtext("Columns", t), self)
        self.view = table(self.model, stretch=2)
        lay.addWidget(self.view, 1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        lay.addWidget(self.detail)
        row = QHBoxLayout()
        self.reason_label, self.reason = QLabel(), QLineEdit()
        self.reason_label.setBuddy(self.reason)
        self.approve_btn, self.decline_btn = QPushButton(), QPushButton()
        self.approve_btn.clicked.connect(lambda: self.decide("approve"))
        self.decline_btn.clicked.connect(lambda: self.decide("decline"))
        for w in (self.reason_label, self.reason, self.approve_btn, self.decline_btn):
            row.addWidget(w)
        lay.addLayout(row)
        lay.addWidget(self.notice)
        self.view.selectionModel().selectionChanged.connect(self._selected)

    def retranslate(self) -> None:
        self.help.setText(self.tr(
            "Acts this bank takes from two clerks: one clerk proposes, another approves "
            "(the act takes effect then) or declines. You cannot decide your own proposals."))
        self.reason_label.setText(self.tr("Reason (to decline)"))
        self.approve_btn.setText(self.tr("Approve"))
        self.decline_btn.setText(self.tr("Decline"))
        for r in self.model.rows:
            r["status_words"] = qtext("Columns", STATUS.get(r["status"], r["status"]))
        self.model.retranslate()
        self._selected()

    async def refresh(self) -> None:
        rows = await self.session.query("proposals")
        me = self.session.key.public
        for r in rows:
            body = r["body"]
            r["what"] = body.get("card") or body.get("bank") or ""
            r["maker_name"] = self.session.signer_name([r["maker"]]) + (
                self.tr(" (you)") if r["maker"] == me else "")
            r["checker_name"] = self.session.signer_name([r["checker"]]) \
                if r.get("checker") else ""
            r["why"] = r.get("declined_because") or r.get("reason") or body.get("reason", "")
            r["status_words"] = qtext("Columns", STATUS.get(r["status"], r["status"]))
        keep = selected_row(self.view, self.model)
        self.model.set_rows(rows)
        for i, r in enumerate(rows):
            if keep is not None and r["id"] == keep["id"]:
                select_row(self.view, i)
        self._selected()

    def pending(self) -> int:
        return sum(r["status"] == "pending" for r in self.model.rows)

    def _selected(self) -> None:
        r = selected_row(self.view, self.model)
        mine = r is not None and r["maker"] == self.session.key.public
        open_ = r is not None and r["status"] == "pending" and not mine
        self.approve_btn.setEnabled(open_)
        self.decline_btn.setEnabled(open_)
        if r is None:
            self.detail.setText(self.tr("Select a proposal to see what it does."))
            return
        self.detail.setText(self.tr("%1: %2").replace("%1", texts.kind(r["act"])).replace(
            "%2", json.dumps(r["body"], ensure_ascii=False, sort_keys=True)) + (
            "\n" + self.tr("Your own proposal: another clerk decides it.") if mine else ""))

    def decide(self, how: str) -> None:
        self.notice.clear()
        r = selected_row(self.view, self.model)
        if r is None:
            self.notice.error(self.tr("Select a proposal first."))
            return
        body: dict[str, Any] = {"proposal": r["id"]}
        if how == "decline" and self.reason.text().strip():
            body["reason"] = self.reason.text().strip()
        done = self.tr("Approved at height %H: the act took effect.") if how == "approve" \
            else self.tr("Declined at height %H.")
        self.tasks.spawn(self.submit(how, body, done), self.notice)
        self.reason.clear()


__all__ = ["ApprovalsTab"]
