"""Selling prepaid value at the bank's desk: how each load is paid (``PaymentPicker``, also
on the card tab's issue and top-up), and cards sold in one go to one buyer (gift cards for
a company, say), with the buyer registered from the real-name threshold up.  The rules
themselves are the validators' (node/ledger/sales.py); the form says them beforehand."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.flows import card_sale
from app.session import Session, SessionError
from ui.common import Column, RecordModel, Tasks, parse_yuan, save_card_file, table, yuan
from ui.console_tabs import Tab
from ui.shell import qtext

SOLD = [Column("card", "Card"), Column("value", "Value", "money"), Column("pin", "PIN"),
        Column("file", "Card file")]


class PaymentPicker(QWidget):
    """Method (cash, bank transfer, debit card), payer (person, organisation) and the bank
    transfer's reference; ``value`` is the ``payment`` field of a load of value."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.method, self.payer, self.reference = QComboBox(), QComboBox(), QLineEdit()
        self.reference.setMinimumWidth(70)
        for combo in (self.method, self.payer):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.method.currentIndexChanged.connect(lambda _i: self._method_changed())
        for w in (self.method, self.payer, self.reference):
            row.addWidget(w)
        self._method_changed()

    def retranslate(self) -> None:
        for combo, items in ((self.method, (("cash", self.tr("Cash")),
                                            ("transfer", self.tr("Bank transfer")),
                                            ("debit_card", self.tr("Debit card")))),
                             (self.payer, (("person", self.tr("Person")),
                                           ("organisation", self.tr("Organisation"))))):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for key, text in items:
                combo.addItem(text, key)
            combo.setCurrentIndex(max(0, combo.findData(keep)))
            combo.blockSignals(False)
        self.reference.setPlaceholderText(self.tr("transfer reference"))
        self.method.setAccessibleName(self.tr("Payment method"))
        self.payer.setAccessibleName(self.tr("Payer"))
        self._method_changed()

    def _method_changed(self) -> None:
        self.reference.setEnabled(self.method.currentData() == "transfer")

    def value(self) -> dict[str, Any]:
        """The payment; ValueError (translated) when a transfer has no reference."""
        pay: dict[str, Any] = {"method": self.method.currentData() or "cash",
                               "payer": self.payer.currentData() or "person"}
        if pay["method"] == "transfer":
            ref = self.reference.text().strip()
            if not ref:
                raise ValueError(self.tr("a bank transfer needs its reference"))
            pay["reference"] = ref
        return pay

    def describe(self) -> str:
        """The payment as the screen words it ("Bank transfer, organisation, REF")."""
        parts = [self.method.currentText(), self.payer.currentText()]
        if self.method.currentData() == "transfer" and self.reference.text().strip():
            parts.append(self.reference.text().strip())
        return ", ".join(p for p in parts if p)

    def clear(self) -> None:
        self.reference.clear()


class SalesTab(Tab):
    """Cards sold in one go: how many, the value of each, how they are paid, the buyer."""

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__(session, tasks)
        self.bank = session.entity
        self.card_dir = session.cons.home / "cards"
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.box = QGroupBox()
        f = QFormLayout(self.box)
        self.count = QSpinBox()
        self.count.setRange(1, 100)
        self.value = QLineEdit()
        self.buyer, self.buyer_id = QLineEdit(), QLineEdit()
        self.payment = PaymentPicker()
        self.labels = [QLabel() for _ in range(5)]
        for label, w in zip(self.labels, (self.count, self.value, self.payment, self.buyer,
                                          self.buyer_id), strict=True):
            f.addRow(label, w)
        self.total = QLabel()
        f.addRow(self.total)
        self.count.valueChanged.connect(lambda _v: self._total())
        self.value.textChanged.connect(lambda _t: self._total())
        self.sell_btn = QPushButton()
        self.sell_btn.clicked.connect(self.sell)
        f.addRow(self.sell_btn)
        left.addWidget(self.box)
        self.rules = QLabel()
        self.rules.setWordWrap(True)
        left.addWidget(self.rules)
        left.addWidget(self.notice)
        left.addStretch(1)
        outer.addLayout(left, 2)
        self.sold_box = QGroupBox()
        self.sold = RecordModel(SOLD, lambda t: qtext("Columns", t), self)
        sold = QVBoxLayout(self.sold_box)
        sold.addWidget(table(self.sold, stretch=3))
        self.pins: list[str] = []  # the PINs stay off screen until asked for
        self.pin_btn = QPushButton()
        self.pin_btn.setCheckable(True)
        self.pin_btn.toggled.connect(lambda _on: self._show_pins())
        sold.addWidget(self.pin_btn)
        outer.addWidget(self.sold_box, 3)

    def retranslate(self) -> None:
        self.box.setTitle(self.tr("Sell cards in one go (bank %1)").replace("%1", self.bank))
        for label, text in zip(self.labels, (
                self.tr("Number of cards"), self.tr("Value of each card (¥)"),
                self.tr("Paid by"), self.tr("Buyer's name"), self.tr("Buyer's ID number")),
                strict=True):
            label.setText(text)
        self.sell_btn.setText(self.tr("Sell cards"))
        self.payment.retranslate()
        lim = self.session.genesis.limits
        self.rules.setText(self.tr(
            "Cards worth %1 or more bought in one go: the buyer's name and ID number are "
            "registered (sealed for this bank and the regulator). An organisation paying "
            "%2 or more, or a person %3 or more, pays by bank transfer. Sold cards are "
            "anonymous (at most %4 each).")
            .replace("%1", yuan(lim["real_name_threshold"]))
            .replace("%2", yuan(lim.get("organisation_cash_limit", 500_000)))
            .replace("%3", yuan(lim.get("person_cash_limit", 5_000_000)))
            .replace("%4", yuan(lim["anonymous_balance_cap"])))
        self.sold_box.setTitle(self.tr("Cards of the last sale (give each PIN once)"))
        self.sold.retranslate()
        self._total()
        self._show_pins()

    def _show_pins(self) -> None:
        on = self.pin_btn.isChecked()
        self.pin_btn.setText(self.tr("Hide PINs") if on else self.tr("Show PINs"))
        self.pin_btn.setEnabled(bool(self.pins))
        rows = self.sold.rows
        for r, pin in zip(rows, self.pins, strict=False):
            r["pin"] = pin if on else "••••••"
        self.sold.set_rows(rows)

    def _total(self) -> None:
        try:
            each = parse_yuan(self.value.text())
        except ValueError:
            self.total.setText("")
            return
        self.total.setText(self.tr("Total %1").replace("%1", yuan(each * self.count.value())))

    def sell(self) -> None:
        self.notice.clear()
        try:
            each = parse_yuan(self.value.text())
            payment = self.payment.value()
        except ValueError as exc:
            self.notice.error(self.tr("Sale: %1").replace("%1", str(exc)))
            return
        name, id_number = self.buyer.text().strip(), self.buyer_id.text().strip()
        if bool(name) != bool(id_number):
            self.notice.error(self.tr("Register the buyer with both name and ID number."))
            return
        buyer = (name, id_number) if name else None
        self.tasks.spawn(self._sell([each] * self.count.value(), payment, buyer), self.notice)

    async def _sell(self, values: list[int], payment: dict[str, Any],
                    buyer: tuple[str, str] | None) -> None:
        try:  # sealing each card key under its PIN (scrypt) runs off the event loop
            body, made = await asyncio.get_running_loop().run_in_executor(
                None, lambda: card_sale(self.session.cons, self.bank, self.session.now(),
                                        values, payment, buyer))
        except ValueError as exc:
            raise SessionError(str(exc)) from exc
        paths = [save_card_file(m.card, self.card_dir) for m in made]
        ok = await self.submit("sell_cards", body, self.tr(
            "%1 card(s) sold at height %H.").replace("%1", str(len(made))))
        if not ok:
            for p in paths:
                p.unlink(missing_ok=True)  # refused: no card files left behind
            return
        home = self.session.cons.home
        self.pins = [m.pin for m in made]
        self.pin_btn.setChecked(False)
        self.sold.set_rows([{"card": m.body["card"], "value": v, "pin": "",
                             "file": str(p.relative_to(home)) if p.is_relative_to(home)
                             else p.name} for m, v, p in zip(made, values, paths, strict=True)])
        self._show_pins()
        for w in (self.value, self.buyer, self.buyer_id):
            w.clear()
        self.payment.clear()
