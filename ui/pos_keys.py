"""The till's keys and its customer display: a key for every step of a sale (a cashier
never needs the mouse) and the customer-facing window that follows the sale.

``TillKeys`` is the part of ``PosWindow`` (ui/pos.py) that does these; like ``SaleFlow``
it uses the window's widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTableView, QTabWidget, QWidget

from ui.common import RecordModel, selected_row
from ui.customer_display import CustomerDisplay
from ui.pos_goods import GoodsPanel
from ui.receipt_print import ReceiptPanel


class TillKeys:
    # what the window it is mixed into provides (ui/pos.py)
    tabs: QTabWidget
    sale: QWidget
    goods: GoodsPanel
    card_path: Any
    basket_view: QTableView
    basket_model: RecordModel
    receipt: ReceiptPanel
    stage: QLabel
    merchant: dict[str, Any]
    offer: dict[str, Any] | None
    card: Any
    display: CustomerDisplay | None
    pay: Callable[[], None]
    new_sale: Callable[[], None]
    total: Callable[[], int]

    def _shortcuts(self) -> None:
        """Every step of a sale has a key: a cashier never needs the mouse."""
        def focus(w: QWidget) -> Callable[[], None]:
            def go() -> None:
                self.tabs.setCurrentWidget(self.sale)
                w.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return go

        for key, act in (("F2", focus(self.goods.entry)), ("F3", self._focus_basket),
                         ("F4", focus(self.card_path)), ("F9", self.pay),
                         ("F10", self.receipt.print), ("F12", self.new_sale),
                         ("Ctrl+F", focus(self.goods.entry))):
            QShortcut(QKeySequence(key), self).activated.connect(act)  # type: ignore[call-overload]

    def _focus_basket(self) -> None:
        self.tabs.setCurrentWidget(self.sale)
        self.basket_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if selected_row(self.basket_view, self.basket_model) is None and self.basket_model.rows:
            self.basket_view.selectRow(0)

    def show_display(self, on: bool) -> None:
        """The customer-facing display, a window of its own (on a second screen if there
        is one)."""
        if on and self.display is None:
            self.display = CustomerDisplay()
            screens = QGuiApplication.screens()
            if len(screens) > 1:
                self.display.move(screens[1].availableGeometry().topLeft())
            self._to_display()
            self.display.show()
        elif not on and self.display is not None:
            self.display.close()
            self.display = None

    def _to_display(self) -> None:
        if self.display is not None:
            self.display.show_sale(self.merchant.get("name", ""), self.basket_model.rows,
                                   self.total(), self.offer if self.card else None,
                                   self.stage.text())
