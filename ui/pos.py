"""The cashier's point of sale: goods, basket, card and PIN, points offer, pay, receipt.

Refunds and the end-of-day report live in ui/pos_day.py; both tabs share this window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QIntValidator, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.model import CardFile, SigningKey
from app.outbox import Entry
from app.session import Session, SessionError
from app.till import Till
from ui.common import (
    Column,
    Notice,
    RecordModel,
    hbox,
    parse_yuan,
    select_row,
    selected_row,
    sized,
    table,
    yuan,
)
from ui.pos_card import CardReader
from ui.pos_day import DayTab
from ui.pos_goods import MAX_QTY, GoodsPanel
from ui.pos_keys import TillKeys
from ui.pos_pay import SaleFlow
from ui.pos_pending import PaymentsTab
from ui.pos_refund import RefundTab
from ui.receipt_print import ReceiptPanel
from ui.shell import Languages, Window, qtext

BASKET = [Column("name", "Item"), Column("qty", "Qty", "int"), Column("price", "Price", "money"),
          Column("total", "Amount", "money")]
RESOLVE_EVERY_MS = 3_000  # how often undecided payments are looked up
# each bank's most alone, and what it pays with the others chosen (goods are paid once);
# the points the card holds are on the card's line above
OFFERS = [Column("bank", "Bank"), Column("eligible", "Eligible goods", "money"),
          Column("max_cash", "Alone, at most", "money"),
          Column("now", "Together", "money")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)



class PosWindow(TillKeys, CardReader, SaleFlow, Window):
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
        self._shortcuts()
        self.day.shift.changed.connect(self._cashier)
        self.till.cashier = self.day.shift.current()
        self.refunds.cashier = lambda: self.till.cashier
        self.display = None  # the customer display (ui/pos_keys.py), when open
        self.display_action = QAction(self)
        self.display_action.setCheckable(True)
        self.display_action.setShortcut(QKeySequence("F11"))
        self.display_action.toggled.connect(self.show_display)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.display_action)
        self.follow(self.tabs, [self.refunds, self.day])
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._card_idle)
        self.retranslate()

    # --- layout ---------------------------------------------------------------------------------

    def _build_sale(self) -> None:
        outer = QHBoxLayout(self.sale)
        self.goods = GoodsPanel()
        self.goods.chosen.connect(self.add)
        self.goods.problem.connect(self.notice_error)
        outer.addWidget(self.goods, 4)

        self.basket_box = QGroupBox()
        bl = QVBoxLayout(self.basket_box)
        self.basket_model = RecordModel(BASKET, _ctx, self)
        self.basket_view = table(self.basket_model, stretch=0)
        for col in (1, 2, 3):  # widths by the largest figure, not by what is in the basket
            self.basket_view.horizontalHeader().setSectionResizeMode(
                col, QHeaderView.ResizeMode.Fixed)
        bl.addWidget(self.basket_view)
        row = QHBoxLayout()
        self.more_btn, self.less_btn = QPushButton(), QPushButton()
        self.remove_btn, self.clear_btn = QPushButton(), QPushButton()
        self.qty_label, self.qty = QLabel(), QSpinBox()
        self.qty.setRange(0, MAX_QTY)
        self.qty.setEnabled(False)
        self.qty.editingFinished.connect(self._set_selected_qty)
        for w in (self.qty_label, self.qty, self.more_btn, self.less_btn, self.remove_btn,
                  self.clear_btn):
            row.addWidget(w)
        self.more_btn.clicked.connect(lambda: self._change_selected(1))
        self.less_btn.clicked.connect(lambda: self._change_selected(-1))
        self.remove_btn.clicked.connect(lambda: self._change_selected(-MAX_QTY))
        self.clear_btn.clicked.connect(self.new_sale)
        self.basket_view.selectionModel().selectionChanged.connect(self._line_selected)
        for key, delta in (("+", 1), ("-", -1), ("Delete", -MAX_QTY)):
            sc = QShortcut(QKeySequence(key), self.basket_view)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda d=delta: self._change_selected(d))
        bl.addLayout(row)
        self.total_label = QLabel()
        sized(self.total_label, 20, 700)
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
        QWidget.setTabOrder(self.card_path, self.pin)  # (Choose… is for the mouse)
        QWidget.setTabOrder(self.pin, self.read_btn)
        form.addRow(self.card_info)
        right.addWidget(self.card_box)

        self.points_box = QGroupBox()
        pl = QVBoxLayout(self.points_box)
        self.offer_model = RecordModel(OFFERS, _ctx, self)
        self.offer_view = table(self.offer_model)  # five short figures: all in view
        offer_head = self.offer_view.horizontalHeader()
        offer_head.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        offer_head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        offer_head.setMinimumSectionSize(36)  # a narrow column elides its title, no scroll
        self.offer_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.offer_view.setMinimumHeight(96)
        self.offer_view.setMaximumHeight(120)
        pl.addWidget(self.offer_view)
        self.bank_checks: dict[str, QCheckBox] = {}
        self.checks_row = QHBoxLayout()
        pl.addLayout(self.checks_row)
        self.split_label = QLabel()
        sized(self.split_label, 15)
        self.split_label.setWordWrap(True)
        pl.addWidget(self.split_label)
        self.cash_label, self.cash = QLabel(), QLineEdit()  # split tender (chain format 6)
        self.cash_label.setBuddy(self.cash)
        self.cash.setMaximumWidth(140)
        self.cash.textChanged.connect(lambda _t: self._refresh_totals())
        self.cash.setEnabled(self.session.genesis.chain_format >= 6)
        pl.addLayout(hbox(self.cash_label, self.cash, stretch=True))
        right.addWidget(self.points_box)

        self.pay_btn = QPushButton()
        self.pay_btn.setMinimumHeight(44)
        sized(self.pay_btn, 18, 700)
        self.pay_btn.clicked.connect(self.pay)
        right.addWidget(self.pay_btn)
        self.keys_hint = QLabel()
        self.keys_hint.setWordWrap(True)
        right.addWidget(self.keys_hint)
        self.stage = QLabel()
        self.stage.setWordWrap(True)
        sized(self.stage, 14)
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
        who = self.till.cashier
        self.header.setText((self.tr("%1 · terminal %2 · cashier %3") if who else
                             self.tr("%1 · terminal %2")).replace("%1", m.get("name", "…"))
                            .replace("%2", self.terminal).replace("%3", who or ""))
        self.display_action.setText(self.tr("Customer display (F11)"))
        if self.display is not None:
            self.display.retranslate()
        self.tabs.setTabText(0, self.tr("Sale"))
        self.tabs.setTabText(1, self.tr("Refunds"))
        self.tabs.setTabText(2, self.tr("End of day"))
        self.tabs.setTabText(3, self.tr("Payments"))
        self.payments.retranslate()
        self.goods.retranslate()
        self.basket_box.setTitle(self.tr("Basket"))
        self.qty_label.setText(self.tr("Quantity"))
        self.more_btn.setText(self.tr("+1"))
        self.less_btn.setText(self.tr("−1"))
        self.remove_btn.setText(self.tr("Remove line"))
        self.clear_btn.setText(self.tr("New sale (F12)"))
        self.keys_hint.setText(self.tr(
            "Keys: F2 goods · F3 basket (+, −, Delete) · F4 card · F9 pay · F10 print · "
            "F12 new sale"))
        self.card_box.setTitle(self.tr("Card"))
        self.card_file_label.setText(self.tr("Card file"))
        self.pin_label.setText(self.tr("PIN"))
        self.browse_btn.setText(self.tr("Choose…"))
        self.read_btn.setText(self.tr("Read card"))
        self.points_box.setTitle(self.tr("Points offer"))
        self.cash_label.setText(self.tr("Cash from the customer (¥)"))
        self.cash.setPlaceholderText(self.tr("none"))
        self.pay_btn.setText(self.tr("Pay (F9)"))
        self.receipt.retranslate()
        self._label_checks()
        for model in (self.basket_model, self.offer_model):
            model.retranslate()
        fm, head = self.basket_view.fontMetrics(), self.basket_view.horizontalHeader()
        for col, sample in ((1, "999"), (2, "¥99,999.99"), (3, "¥999,999.99")):
            title = str(self.basket_model.headerData(col, Qt.Orientation.Horizontal))
            head.resizeSection(col, max(fm.horizontalAdvance(sample),
                                        fm.horizontalAdvance(title) + 16) + 16)
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
        self.show_display(False)
        super().closeEvent(event)
        self.till.close()

    async def load_catalogue(self) -> None:
        cat = await self.session.query("catalogue")
        self.merchant = {k: v for k, v in cat.items() if k != "items"}
        self.catalogue = list(cat["items"])
        self.day.merchant = cat["merchant"]
        self.day.cutoff = int(cat["cutoff_min"])
        self.refunds.merchant = cat["merchant"]
        self.refunds.names = {g["sku"]: g["name"] for g in self.catalogue}
        self.goods.set_catalogue(self.catalogue)
        self.retranslate()
        self._resume_pending()
        await self.day.refresh()
        await self.refunds.refresh()

    # --- basket -----------------------------------------------------------------------------------

    def locked(self) -> bool:
        """Nothing in the sale can change while its payment is under way or undecided."""
        return self.paying or self.in_flight is not None

    def _lock(self, on: bool) -> None:
        for w in (self.more_btn, self.less_btn, self.remove_btn, self.clear_btn,
                  self.read_btn, self.browse_btn, self.card_path, self.pin, self.pay_btn,
                  *self.bank_checks.values()):
            w.setEnabled(not on)
        self.qty.setEnabled(not on and self._line() is not None)
        self.goods.set_enabled(not on)

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

    def _line(self) -> dict[str, Any] | None:
        return selected_row(self.basket_view, self.basket_model)

    def _change_selected(self, delta: int) -> None:
        row = self._line()
        if row is None:
            self.notice.error(self.tr("Select an item in the basket first."))
            return
        self.add(row["sku"], delta)

    def _set_selected_qty(self) -> None:
        row = self._line()
        if row is not None and self.qty.value() != self.basket.get(row["sku"], 0):
            self.add(row["sku"], self.qty.value() - self.basket.get(row["sku"], 0))

    def _line_selected(self) -> None:
        row = self._line()
        self.qty.setEnabled(row is not None and not self.locked())
        if row is not None:
            self.qty.setValue(int(row["qty"]))

    def _cashier(self, who: str) -> None:
        """A cashier signed in or out (end-of-day tab): their sales carry their name."""
        self.till.cashier = who or None
        self.retranslate()

    def notice_error(self, text: str) -> None:
        self.notice.error(text)

    def items(self) -> list[dict[str, Any]]:
        return [{"sku": s, "qty": q} for s, q in self.basket.items()]

    def _basket_changed(self) -> None:
        prices = {g["sku"]: g for g in self.catalogue}
        line = self._line()
        self.basket_model.set_rows([
            {"sku": s, "name": prices[s]["name"], "qty": q, "price": prices[s]["price"],
             "total": prices[s]["price"] * q, "at": i}
            for i, (s, q) in enumerate(self.basket.items())])
        skus = list(self.basket)
        if line is not None and skus:  # the line being edited stays selected; a line
            # removed leaves the one after it (or the last) selected
            at = skus.index(line["sku"]) if line["sku"] in skus else min(
                line["at"], len(skus) - 1)
            select_row(self.basket_view, at)
        self._line_selected()
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
        self._to_display()
        o = self.offer
        if o is None:
            self.split_label.setText(
                self.tr("Add goods to see what the card's points can pay.")
                if self.card is not None else
                self.tr("Read a card to see what its points can pay."))
            return
        by_points = sum(r["cash"] for r in o["combination"])
        pts = ", ".join(f"{r['bank']} {r['points']:,}" for r in o["combination"]) or "—"
        try:
            cash = self.tendered()
        except ValueError:
            cash = 0
        text = self.tr("Points pay %1 (%2 points) · card pays %3").replace(
            "%1", yuan(by_points)).replace("%2", pts).replace(
            "%3", yuan(max(0, o["cash_due"] - cash)))
        if cash:
            text += " · " + self.tr("cash %1").replace("%1", yuan(cash))
        self.split_label.setText(text)

    def tendered(self) -> int:
        """The cash the customer pays at the till, in fen (0: none); ValueError, worded for
        the cashier, when it is not an amount."""
        return parse_yuan(self.cash.text()) if self.cash.text().strip() else 0

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
        self._to_display()
        self.stage_log.append(shown)

    def new_sale(self) -> None:
        if self.locked():
            self.notice.error(self.tr("A payment for this basket is under way: wait for "
                                      "its outcome."))
            return
        self.basket.clear()
        self.cash.clear()
        self.forget_card()
        self._stage("")
        self._basket_changed()
        self.receipt.show_receipt(None)
