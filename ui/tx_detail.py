"""One transaction in full, for the regulator (and anyone who may see it): what it was,
its decision with the whole reason, its body and signatures, and its receipt verified in
place against the validators' keys in genesis (the same check as ``verify-receipt``).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.model import ReceiptError, Tx, verify_receipt
from app.session import Session
from ui import texts
from ui.common import Notice, Tasks, tone_style, when, yuan


def _verified(receipt: dict[str, Any], session: Session) -> tuple[bool, dict[str, Any] | str]:
    try:
        return True, verify_receipt(receipt, session.genesis)
    except ReceiptError as exc:
        return False, str(exc)


class TxDetail(QDialog):
    """Opened with a transaction's id; loads its receipt from the app's node (the node
    waits for the block's result certificate) and shows it."""

    def __init__(self, session: Session, tx_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.tx_id = session, tx_id
        self.tasks = Tasks()
        self.receipt: dict[str, Any] | None = None
        self.verified: tuple[bool, dict[str, Any] | str] | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 640)
        lay = QVBoxLayout(self)
        self.form = QFormLayout()
        lay.addLayout(self.form)
        self.facts: dict[str, QLabel] = {}
        for key in ("id", "kind", "decision", "where", "who", "amount", "signers"):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            self.form.addRow(QLabel(), value)
        self.check = QLabel()
        self.check.setWordWrap(True)
        lay.addWidget(self.check)
        self.body_label = QLabel()
        lay.addWidget(self.body_label)
        self.body = QPlainTextEdit()
        self.body.setReadOnly(True)
        lay.addWidget(self.body, 1)
        self.notice = Notice()
        lay.addWidget(self.notice)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_btn = QPushButton()
        self.copy_btn.clicked.connect(self.copy_receipt)
        buttons.addButton(self.copy_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Transaction %1").replace("%1", self.tx_id[:16] + "…"))
        names = {"id": self.tr("Id"), "kind": self.tr("Type"), "decision": self.tr("Decision"),
                 "where": self.tr("Block"), "who": self.tr("Parties"),
                 "amount": self.tr("Amount"), "signers": self.tr("Signed by")}
        for i, key in enumerate(self.facts):
            label = self.form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget()
            assert isinstance(label, QLabel)
            label.setText(names[key])
        self.body_label.setText(self.tr("Body (as signed)"))
        self.copy_btn.setText(self.tr("Copy receipt"))
        self._show()

    def start(self) -> None:
        self.tasks.spawn(self.load(), self.notice)

    async def load(self) -> None:
        self.facts["id"].setText(self.tx_id)
        self.check.setText(self.tr("Loading the receipt…"))
        receipt = await self.session.query("receipt", id=self.tx_id)
        self.receipt = receipt
        self.verified = _verified(receipt, self.session)
        self._show()

    def _show(self) -> None:
        r = self.receipt
        if r is None:
            return
        tx = Tx.decode(str(r["tx"]).encode())
        ok, facts = self.verified or (False, "")
        self.facts["id"].setText(tx.hex_id)
        self.facts["kind"].setText(f"{texts.kind(tx.kind)} ({tx.kind})")
        if ok and isinstance(facts, dict):
            code, message = str(facts.get("code", "")), str(facts.get("message") or "")
            self.facts["decision"].setText(texts.decision(code, message))
            self.facts["where"].setText(
                self.tr("height %1, position %2, %3").replace("%1", str(facts["height"]))
                .replace("%2", str(facts.get("index", r.get("index", ""))))
                .replace("%3", when(facts.get("time"))))
            self.check.setStyleSheet(tone_style("ok"))
            self.check.setText(self.tr(
                "Receipt verified against the validators' keys in genesis: the transaction "
                "is in block %1, its result was signed by validators %2.")
                .replace("%1", str(facts["height"]))
                .replace("%2", ", ".join(str(v) for v in facts.get("attested_by", []))))
        else:
            self.check.setStyleSheet(tone_style("error"))
            self.check.setText(self.tr("The receipt does not verify: %1").replace(
                "%1", str(facts)))
        b = tx.body
        parties = [f"{k}: {b[k]}" for k in ("card", "to", "merchant", "terminal", "bank",
                                            "order") if k in b]
        self.facts["who"].setText(" · ".join(parties) or "—")
        self.facts["amount"].setText(yuan(int(b["amount"])) if isinstance(
            b.get("amount"), int) else "—")
        self.facts["signers"].setText("\n".join(f"{who}  {sig[:24]}…" for who, sig in tx.sigs))
        self.body.setPlainText(json.dumps(b, indent=2, ensure_ascii=False, sort_keys=True))

    def copy_receipt(self) -> None:
        if self.receipt is not None:
            QGuiApplication.clipboard().setText(json.dumps(self.receipt, sort_keys=True))
            self.notice.ok(self.tr("The receipt is on the clipboard (verify-receipt reads "
                                   "it)."))

    def done(self, result: int) -> None:
        self.tasks.cancel_all()
        super().done(result)


__all__ = ["TxDetail"]
