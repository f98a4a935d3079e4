"""The cashier's point of sale: goods, basket, card and PIN, points offer, pay, receipt.

Refunds and the end-of-day report live in ui/pos_day.py; both tabs share this window.
"""

from __future__ import annotations

import asyncio
import os
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.flows import my_card_query
from app.model import CardFile, CardFileError, SigningKey, valid_pin
from app.outbox import Entry
from app.session import Session, SessionError
from app.till import Till
from ui import texts
from ui.common import Column, Notice, RecordModel, hbox, mask_card, selected_row, table, yuan
from ui.pos_day import DayTab, RefundTab
from ui.pos_pay import SaleFlow
from ui.pos_pending import PaymentsTab
from ui.receipt_print import ReceiptPanel
from ui.shell import Languages, Window, qtext

BASKET = [Column("name", "Item"), Column("qty", "Qty", "int"), Column("price", "Price", "money"),
          Column("total", "Amount", "money")]
# a card read at the till is forgotten after this long without use (every sale needs the
# card and its PIN); CARDCHAIN_CARD_IDLE_S overrides it
CARD_IDLE_S = float(os.environ.get("CARDCHAIN_CARD_IDLE_S", "90"))
RESOLVE_EVERY_MS = 3_000  # how often undecided payments are looked up
# each bank's most alone, and what it pays with the others chosen (goods are paid once)
OFFERS = [Column("bank", "Bank"), Column("points", "Points held", "int"),
          Column("eligible", "Eligible goods", "money"),
          Column("max_cash", "Alone, at most", "money"),
          Column("now", "Together", "money")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)


def wrap_name(name: str, width: int = 18) -> str:
    """A catalogue name on at most a few short lines for a goods button: a bilingual name
    breaks before its Chinese part, long parts at spaces."""
    m = re.search(r"\s(?=[\u3400-\u9fff])", name)
    parts = [name[:m.start()], name[m.end():]] if m else [name]
    return "\n".join(textwrap.fill(p, width) for p in parts if p)


class PosWindow(SaleFlow, Window):
    def __init__(self, session: Session, languages: Languages, *, card_dir: Path | None = None,
                 journal: Path | None = None) -> None:
        super().__init__(session, languages)
        self.terminal = session.entity
        self.journal = journal or session.node.data_dir / "till-journal.jsonl"
        self.till = Till(session, self.journal)
        self.in_flight: Entry | None = None  # the basket's payment, sent and undecided
        self.paying = False
        self.resolving = False
        self.card_dir = card_dir
        self.catalogue: list[dict[str, Any]] = []
        self.merchant: dict[str, Any] = {}
        self.basket: dict[str, int] = {}
        self.card: CardFile | None = None
        self.card_key: SigningKey | None = None
        self.offer: dict[str, Any] | None = None
        self.last_receipt: dict[str, Any] | None = None
        self.stage_log: list[str] = []
        self._stage_text: Callable[[], str] = str
        self._receipt_view: tuple[Any, ...] = (None,)

        self.tabs = QTabWidget()
        self.sale = QWidget()
        self.sale.setObjectName("sale")
        self.tabs.addTab(self.sale, "")
        self.refunds = RefundTab(session, self.tasks, self.journal)
        self.tabs.addTab(self.refunds, "")
        self.day = DayTab(session, self.tasks, self.journal)
        self.tabs.addTab(self.day, "")
        self.payments = PaymentsTab(self.till, self.tasks, self.resolve_pending)
        self.tabs.addTab(self.payments, "")
        self.set_pages(self.tabs)
        self._build_sale()
        self.follow(self.tabs, [self.refunds, self.day])
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._card_idle)
        self.retranslate()

    # --- layout ---------------------------------------------------------------------------------

    def _build_sale(self) -> None:
        outer = QHBoxLayout(self.sale)
        self.goods_box = QGroupBox()
        self.goods_grid = QGridLayout()
        inner = QWidget()
        inner.setLayout(self.goods_grid)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        gl = QVBoxLayout(self.goods_box)
        gl.addWidget(scroll)
        outer.addWidget(self.goods_box, 4)

        self.basket_box = QGroupBox()
        bl = QVBoxLayout(self.basket_box)
        self.basket_model = RecordModel(BASKET, _ctx, self)
        self.basket_view = table(self.basket_model, stretch=0)
        bl.addWidget(self.basket_view)
        row = QHBoxLayout()
        self.more_btn, self.less_btn, self.clear_btn = QPushButton(), QPushButton(), QPushButton()
        for b in (self.more_btn, self.less_btn, self.clear_btn):
            row.addWidget(b)
        self.more_btn.clicked.connect(lambda: self._change_selected(1))
        self.less_btn.clicked.connect(lambda: self._change_selected(-1))
        self.clear_btn.clicked.connect(self.new_sale)
        bl.addLayout(row)
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-size: 20px; font-weight: 700;")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        bl.addWidget(self.total_label)
        outer.addWidget(self.basket_box, 4)

        right = QVBoxLayout()
        self.card_box = QGroupBox()
        form = QFormLayout(self.card_box)
        self.card_path = QLineEdit()
        self.browse_btn = QPushButton()
        self.browse_btn.clicked.connect(self._browse)
        pick = hbox(self.card_path, self.browse_btn)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(6)
        self.pin.setValidator(QIntValidator(0, 999_999, self))
        self.pin.returnPressed.connect(self.read_card)  # Enter reads the card
        self.read_btn = QPushButton()
        self.read_btn.clicked.connect(self.read_card)
        self.card_info = QLabel()
        self.card_info.setWordWrap(True)
        self.card_file_label, self.pin_label = QLabel(), QLabel()
        form.addRow(self.card_file_label, pick)
        form.addRow(self.pin_label, self.pin)
        form.addRow(self.read_btn)
        form.addRow(self.card_info)
        right.addWidget(self.card_box)

        self.points_box = QGroupBox()
        pl = QVBoxLayout(self.points_box)
        self.offer_model = RecordModel(OFFERS, _ctx, self)
        self.offer_view = table(self.offer_model)  # five short figures: all in view
        self.offer_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.offer_view.setMinimumHeight(96)
        self.offer_view.setMaximumHeight(120)
        pl.addWidget(self.offer_view)
        self.bank_checks: dict[str, QCheckBox] = {}
        self.checks_row = QHBoxLayout()
        pl.addLayout(self.checks_row)
        self.split_label = QLabel()
        self.split_label.setStyleSheet("font-size: 15px;")
        pl.addWidget(self.split_label)
        right.addWidget(self.points_box)

        self.pay_btn = QPushButton()
        self.pay_btn.setMinimumHeight(44)
        self.pay_btn.setStyleSheet("font-size: 18px; font-weight: 700;")
        self.pay_btn.clicked.connect(self.pay)
        right.addWidget(self.pay_btn)
        self.stage = QLabel()
        self.stage.setWordWrap(True)
        self.stage.setStyleSheet("font-size: 14px;")
        right.addWidget(self.stage)
        self.notice = Notice()
        right.addWidget(self.notice)

        self.receipt = ReceiptPanel(self.notice, lambda: self.merchant.get("name", ""),
                                    lambda: {g["sku"]: g for g in self.catalogue})
        bl.addWidget(self.receipt)  # under the basket: the right column stays short
        right.addStretch(1)
        holder = QWidget()
        holder.setLayout(right)
        outer.addWidget(holder, 5)

    def retranslate(self) -> None:
        m = self.merchant
        self.setWindowTitle(self.tr("CardChain — Point of sale"))
        self.header.setText(self.tr("%1 · terminal %2").replace("%1", m.get("name", "…"))
                            .replace("%2", self.terminal))
        self.tabs.setTabText(0, self.tr("Sale"))
        self.tabs.setTabText(1, self.tr("Refunds"))
        self.tabs.setTabText(2, self.tr("End of day"))
        self.tabs.setTabText(3, self.tr("Payments"))
        self.payments.retranslate()
        self.goods_box.setTitle(self.tr("Goods (★ can be paid partly with points)"))
        self.basket_box.setTitle(self.tr("Basket"))
        self.more_btn.setText(self.tr("+1"))
        self.less_btn.setText(self.tr("−1"))
        self.clear_btn.setText(self.tr("New sale"))
        self.card_box.setTitle(self.tr("Card"))
        self.card_file_label.setText(self.tr("Card file"))
        self.pin_label.setText(self.tr("PIN"))
        self.browse_btn.setText(self.tr("Choose…"))
        self.read_btn.setText(self.tr("Read card"))
        self.points_box.setTitle(self.tr("Points offer"))
        self.pay_btn.setText(self.tr("Pay"))
        self.receipt.retranslate()
        self._label_checks()
        for model in (self.basket_model, self.offer_model):
            model.retranslate()
        self._fill_goods()
        self._refresh_totals()
        self._show_card_info()
        self.stage.setText(self._stage_text())
        self.refunds.retranslate()
        self.day.retranslate()

    # --- start ------------------------------------------------------------------------------------

    def start(self) -> None:
        super().start()
        self.tasks.spawn(self.load_catalogue(), self.notice)
        self.tasks.spawn(self._resolver(), self.notice)

    async def _resolver(self) -> None:
        """Every few seconds, the undecided payments are looked up (ends with the window's
        tasks)."""
        while True:
            await asyncio.sleep(RESOLVE_EVERY_MS / 1000)
            try:
                await self.resolve_pending()
            except SessionError as exc:  # shown; the next round tries again
                self.notice.error(str(exc))

    def closeEvent(self, event: Any) -> None:
        self.idle.stop()
        super().closeEvent(event)
        self.till.close()

    async def load_catalogue(self) -> None:
        cat = await self.session.query("catalogue")
        self.merchant = {k: v for k, v in cat.items() if k != "items"}
        self.catalogue = list(cat["items"])
        self.day.merchant = cat["merchant"]
        self.day.cutoff = int(cat["cutoff_min"])
        self.refunds.merchant = cat["merchant"]
        self.retranslate()
        self._resume_pending()
        await self.day.refresh()
        await self.refunds.refresh()

    def _fill_goods(self) -> None:
        while self.goods_grid.count():
            item = self.goods_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for i, g in enumerate(self.catalogue):
            star = " ★" if g.get("points_banks") else ""
            b = QPushButton(f"{wrap_name(g['name'])}{star}\n{yuan(g['price'])}")
            b.setMinimumSize(150, 84)
            b.setToolTip(self.tr("Points from: %1").replace(
                "%1", ", ".join(g.get("points_banks") or ["—"])))
            b.setObjectName(f"sku:{g['sku']}")
            b.clicked.connect(lambda _c=False, sku=g["sku"]: self.add(sku))
            b.setEnabled(not self.locked())
            self.goods_grid.addWidget(b, i // 2, i % 2)

    # --- basket -----------------------------------------------------------------------------------

    def locked(self) -> bool:
        """Nothing in the sale can change while its payment is under way or undecided."""
        return self.paying or self.in_flight is not None

    def _lock(self, on: bool) -> None:
        for w in (self.more_btn, self.less_btn, self.clear_btn, self.read_btn,
                  self.browse_btn, self.card_path, self.pin, self.pay_btn,
                  *self.bank_checks.values()):
            w.setEnabled(not on)
        for i in range(self.goods_grid.count()):
            item = self.goods_grid.itemAt(i)
            if item is not None and item.widget() is not None:
                item.widget().setEnabled(not on)

    def add(self, sku: str, qty: int = 1) -> None:
        if self.locked():
            self.notice.error(self.tr("A payment for this basket is under way: wait for "
                                      "its outcome."))
            return
        self._touch()
        if not any(g["sku"] == sku for g in self.catalogue):
            self.notice.error(self.tr("Unknown item %1").replace("%1", sku))
            return
        self.basket[sku] = max(0, self.basket.get(sku, 0) + qty)
        if not self.basket[sku]:
            del self.basket[sku]
        self._basket_changed()

    def _change_selected(self, delta: int) -> None:
        row = selected_row(self.basket_view, self.basket_model)
        if row is None:
            self.notice.error(self.tr("Select an item in the basket first."))
            return
        self.add(row["sku"], delta)

    def items(self) -> list[dict[str, Any]]:
        return [{"sku": s, "qty": q} for s, q in self.basket.items()]

    def _basket_changed(self) -> None:
        prices = {g["sku"]: g for g in self.catalogue}
        self.basket_model.set_rows([
            {"sku": s, "name": prices[s]["name"], "qty": q, "price": prices[s]["price"],
             "total": prices[s]["price"] * q} for s, q in self.basket.items()])
        self.offer = None
        self.notice.clear()
        self._refresh_totals()
        if self.card is not None and self.basket:
            self.tasks.spawn(self.refresh_offer(), self.notice)
        elif not self.basket:
            self.offer_model.set_rows([])  # an old offer must not outlive its basket

    def total(self) -> int:
        return sum(r["total"] for r in self.basket_model.rows)

    def chosen_banks(self) -> list[str]:
        return [b for b, box in self.bank_checks.items() if box.isChecked()]

    def _refresh_totals(self) -> None:
        self.total_label.setText(self.tr("Total %1").replace("%1", yuan(self.total())))
        o = self.offer
        if o is None:
            self.split_label.setText(
                self.tr("Add goods to see what the card's points can pay.")
                if self.card is not None else
                self.tr("Read a card to see what its points can pay."))
            return
        by_points = sum(r["cash"] for r in o["combination"])
        pts = ", ".join(f"{r['bank']} {r['points']:,}" for r in o["combination"]) or "—"
        self.split_label.setText(
            self.tr("Points pay %1 (%2 points) · card pays %3").replace("%1", yuan(by_points))
            .replace("%2", pts).replace("%3", yuan(o["cash_due"])))

    # --- card -------------------------------------------------------------------------------------

    def _browse(self) -> None:
        dlg = QFileDialog(self, self.tr("Choose the card file"), str(self.card_dir or ""),
                          self.tr("Card files (*.card.json *.card);;All files (*)"))
        dlg.fileSelected.connect(self.card_path.setText)
        dlg.open()

    def read_card(self) -> None:
        self.notice.clear()
        path, pin = self.card_path.text().strip(), self.pin.text()
        if not path:
            self.notice.error(self.tr("Choose the card file first."))
            return
        if not valid_pin(pin):
            self.notice.error(self.tr("The PIN is exactly 6 digits."))
            return
        self.tasks.spawn(self._unlock(Path(path), pin), self.notice)

    async def _unlock(self, path: Path, pin: str) -> None:
        try:
            card = CardFile.load(path)
            # scrypt takes a moment: off the event loop so the window and the node keep going
            key = await asyncio.get_running_loop().run_in_executor(None, card.unlock, pin)
        except (CardFileError, OSError) as exc:
            self.pin.clear()
            raise SessionError(self.tr("Cannot read the card: %1").replace("%1", str(exc))) \
                from exc
        self.pin.clear()
        self.card, self.card_key = card, key
        self._touch()
        await self.refresh_card()

    async def refresh_card(self) -> None:
        if self.card is None or self.card_key is None:
            return
        mine = await self.session.query(
            "my_card", **my_card_query(self.card.card, self.card_key, self.session.now()))
        self.card_state = mine["card"]
        self._drop_bank_checks()
        for bank in sorted(self.card_state["points"]):
            box = QCheckBox()
            box.setChecked(self.card_state["points"][bank] > 0)
            box.toggled.connect(lambda _on: self.tasks.spawn(self.refresh_offer(), self.notice))
            self.checks_row.addWidget(box)
            self.bank_checks[bank] = box
        self._label_checks()
        self._show_card_info()
        if self.basket:
            await self.refresh_offer()

    def _touch(self) -> None:
        """The cashier did something: the card read stays for another idle period."""
        if self.card is not None:
            self.idle.start(int(CARD_IDLE_S * 1000))

    def _card_idle(self) -> None:
        if self.card is None or self.locked():
            return
        self.forget_card()
        self.notice.error(self.tr("The card was cleared after %1 s without use: read it "
                                  "again (card file and PIN).").replace("%1",
                                                                       f"{CARD_IDLE_S:g}"))

    def forget_card(self) -> None:
        """The card and its key leave the till: the next payment needs the card and PIN."""
        self.idle.stop()
        self.card = self.card_key = None
        self.card_state = None
        self.offer = None
        self.card_path.clear()
        self.pin.clear()
        self._drop_bank_checks()
        self.offer_model.set_rows([])
        self._show_card_info()
        self._refresh_totals()

    def _drop_bank_checks(self) -> None:
        """The card's points boxes leave the row now: a box only scheduled for deletion
        stays in the layout until the event loop deletes it, and a till that read cards
        several times before that showed every bank's box again for each read."""
        for b in list(self.bank_checks):
            box = self.bank_checks.pop(b)
            self.checks_row.removeWidget(box)
            box.hide()
            box.deleteLater()

    def _label_checks(self) -> None:
        for bank, box in self.bank_checks.items():
            box.setText(self.tr("Use %1 points").replace("%1", bank))

    def _show_card_info(self) -> None:
        st = getattr(self, "card_state", None)
        if self.card is None or st is None:
            self.card_info.setText(self.tr("No card read."))
            return
        pts = ", ".join(f"{b} {p:,}" for b, p in sorted(st["points"].items()))
        text = self.tr("%1 · %2 · balance %3 · points %4").replace(
            "%1", mask_card(self.card.card)).replace("%2", texts.status(st["status"])).replace(
            "%3", yuan(st["balance"])).replace("%4", pts)
        self.card_info.setText(text)
        if st["status"] != "active":
            self.notice.error(texts.reason("card_not_active"))

    async def refresh_offer(self) -> None:
        if self.card is None or not self.basket:
            self.offer = None
            self.offer_model.set_rows([])
            self._refresh_totals()
            return
        o = await self.session.query("offer", items=self.items(), banks=self.chosen_banks(),
                                     **self._card_signs("offer"))
        self.offer = o
        now = {r["bank"]: r["cash"] for r in o["combination"]}
        self.offer_model.set_rows([{"bank": x["bank"], "points": x["balance"],
                                    "eligible": x["eligible_fen"], "max_cash": x["max_cash"],
                                    "now": now.get(x["bank"], 0)} for x in o["offers"]])
        self._refresh_totals()

    # --- pay --------------------------------------------------------------------------------------

    def _stage(self, text: str | Callable[[], str]) -> None:
        """Show a payment stage; a callable is re-run when the language changes."""
        self._stage_text = text if callable(text) else (lambda: text)
        shown = self._stage_text()
        self.stage.setText(shown)
        self.stage_log.append(shown)

    def new_sale(self) -> None:
        if self.locked():
            self.notice.error(self.tr("A payment for this basket is under way: wait for "
                                      "its outcome."))
            return
        self.basket.clear()
        self.forget_card()
        self._stage("")
        self._basket_changed()
        self.receipt.show_receipt(None)
