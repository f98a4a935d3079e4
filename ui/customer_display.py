"""The customer-facing display of a till: a second window (on the customer's screen) with
the basket, the total, what the card's points pay and what the card pays, and how the
payment stands; large type, no controls.  The till updates it (``show_sale``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.common import Column, RecordModel, sized, table, yuan
from ui.shell import qtext

LINES = [Column("name", "Item"), Column("qty", "Qty", "int"), Column("total", "Amount", "money")]


class CustomerDisplay(QWidget):
    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("customer-display")
        self.resize(800, 600)
        lay = QVBoxLayout(self)
        self.merchant = sized(QLabel(), 24, 600)
        lay.addWidget(self.merchant)
        self.lines = RecordModel(LINES, lambda t: qtext("Columns", t), self)
        self.view = table(self.lines, stretch=0)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        sized(self.view, 20)
        self.view.verticalHeader().setDefaultSectionSize(34)
        lay.addWidget(self.view, 1)
        self.total = sized(QLabel(), 40, 700)
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        lay.addWidget(self.total)
        self.split = sized(QLabel(), 24)
        self.split.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.split.setWordWrap(True)
        lay.addWidget(self.split)
        self.state = sized(QLabel(), 26, 600)
        self.state.setWordWrap(True)
        lay.addWidget(self.state)
        self._sale: dict[str, Any] = {}

    def show_sale(self, merchant: str, lines: list[dict[str, Any]], total: int,
                  offer: dict[str, Any] | None, state: str) -> None:
        """What the customer sees now: ``offer`` is the validators' points offer for the
        card (None before a card is read), ``state`` the payment's stage in words."""
        self._sale = {"merchant": merchant, "lines": lines, "total": total, "offer": offer,
                      "state": state}
        self.retranslate()

    def retranslate(self) -> None:
        s = self._sale
        self.setWindowTitle(self.tr("CardChain — Customer display"))
        self.merchant.setText(s.get("merchant", ""))
        self.lines.set_rows(s.get("lines", []))
        self.lines.retranslate()
        self.total.setText(self.tr("Total %1").replace("%1", yuan(int(s.get("total", 0)))))
        o = s.get("offer")
        if o is None:
            self.split.setText(self.tr("Welcome") if not s.get("lines") else "")
        else:
            pts = sum(int(r["cash"]) for r in o["combination"])
            self.split.setText(self.tr("Your points pay %1 · your card pays %2").replace(
                "%1", yuan(pts)).replace("%2", yuan(int(o["cash_due"]))))
        self.state.setText(s.get("state", ""))


__all__ = ["CustomerDisplay"]
