"""The till's goods: a field that takes a scanned or typed SKU or words of a name, and the
grid of goods buttons it filters.

Enter in the field adds the item whose SKU it names (any case), else the only item whose
name or SKU contains every typed word; ``3*TEA-250`` (or ``3x``, ``3×``) adds three.  What
the field cannot decide is said under it, and nothing is added.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.common import yuan
from ui.pos_numpad import Numpad
from ui.texts import LANGUAGE

QTY = re.compile(r"^\s*(\d{1,3})\s*[*xX×]\s*(.+)$")
MAX_QTY = 999


def wrap_name(name: str, width: int = 18) -> str:
    """A catalogue name on at most a few short lines for a goods button: a bilingual name
    breaks before its Chinese part, long parts at spaces."""
    m = re.search(r"\s(?=[\u3400-\u9fff])", name)
    parts = [name[:m.start()], name[m.end():]] if m else [name]
    return "\n".join(textwrap.fill(p, width) for p in parts if p)


def matching(catalogue: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The goods whose SKU is ``text`` (any case), else those whose SKU or name holds every
    word of it."""
    t = text.strip().casefold()
    exact = [g for g in catalogue if g["sku"].casefold() == t]
    if exact or not t:
        return exact if t else list(catalogue)
    words = t.split()
    return [g for g in catalogue
            if all(w in f"{g['sku']} {g['name']}".casefold() for w in words)]


def _category_words(name: str, chinese: bool) -> str:
    """'Grocery 食品' -> 'Grocery', or '食品' on a Chinese screen; a name in one language
    as it is."""
    m = re.search(r"\s(?=[\u3400-\u9fff])", name)
    if not m:
        return name
    return name[m.end():] if chinese else name[:m.start()]


class GoodsPanel(QGroupBox):
    """Emits ``chosen(sku, qty)`` for a button pressed or an entry taken; ``problem(text)``
    for an entry it cannot take."""

    chosen = Signal(str, int)
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue: list[dict[str, Any]] = []
        self.buttons: dict[str, QPushButton] = {}
        lay = QVBoxLayout(self)
        self.entry = QLineEdit()
        self.entry.setObjectName("sku-entry")
        self.entry.setClearButtonEnabled(True)
        self.entry.returnPressed.connect(self.take_entry)
        self.entry.textChanged.connect(self._filter)
        lay.addWidget(self.entry)
        self.categories = QHBoxLayout()  # a button per category, and "All"
        self.category = ""  # the one chosen ("": all)
        self.cat_buttons: dict[str, QPushButton] = {}
        lay.addLayout(self.categories)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.grid = QGridLayout()
        inner = QWidget()
        inner.setLayout(self.grid)
        self.scroll = QScrollArea()
        self.scroll.setWidget(inner)
        self.scroll.setWidgetResizable(True)
        # the buttons shrink with the column: never a sideways scroll
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.scroll, 1)
        self.numpad = Numpad()  # a touch screen's keys
        lay.addWidget(self.numpad)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Goods (★ can be paid partly with points)"))
        self.entry.setPlaceholderText(self.tr("SKU or name, Enter adds it (3*SKU: three)"))
        self.entry.setAccessibleName(self.tr("SKU or name"))
        self.numpad.retranslate()
        self._word_categories()
        self._fill()

    def set_catalogue(self, catalogue: list[dict[str, Any]]) -> None:
        self.catalogue = list(catalogue)
        self._fill()
        self._fill_categories()

    def _fill_categories(self) -> None:
        """A button for each category of the goods (none when they have none)."""
        for b in self.cat_buttons.values():
            self.categories.removeWidget(b)
            b.deleteLater()
        self.cat_buttons = {}
        names = sorted({str(g["category"]) for g in self.catalogue if g.get("category")})
        if not names:
            return
        for name in ["", *names]:
            b = QPushButton(name.split(" ")[-1] if " " in name else name)
            b.setCheckable(True)
            b.setChecked(name == self.category)
            b.setToolTip(name)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, n=name: self.choose_category(n))
            self.categories.addWidget(b)
            self.cat_buttons[name] = b
        self._word_categories()

    def _word_categories(self) -> None:
        b = self.cat_buttons.get("")
        if b is not None:
            b.setText(self.tr("All"))
        for name, b in self.cat_buttons.items():
            if name:  # a bilingual category shows the part in the screen's language
                b.setText(_category_words(name, LANGUAGE["current"] != "en"))
            b.setAccessibleName(name or self.tr("All goods"))

    def choose_category(self, name: str) -> None:
        self.category = name
        for n, b in self.cat_buttons.items():
            b.setChecked(n == name)
        self._filter(self.entry.text())

    def set_enabled(self, on: bool) -> None:
        self.entry.setEnabled(on)
        for b in self.buttons.values():
            b.setEnabled(on)

    def take_entry(self) -> None:
        """Add what the field names (see the module's docstring)."""
        text = self.entry.text().strip()
        if not text:
            return
        qty, what = 1, text
        m = QTY.match(text)
        if m:
            qty, what = int(m.group(1)), m.group(2)
        if not 1 <= qty <= MAX_QTY:
            self.problem.emit(self.tr("A quantity is 1 to %1.").replace("%1", str(MAX_QTY)))
            return
        found = matching(self.catalogue, what)
        if len(found) != 1:
            self.problem.emit(
                self.tr("No item matches “%1”.").replace("%1", what) if not found else
                self.tr("%1 items match “%2”: type more of the name or the SKU.")
                .replace("%1", str(len(found))).replace("%2", what))
            return
        self.entry.clear()
        self.chosen.emit(found[0]["sku"], qty)

    def button(self, sku: str) -> None:
        """An item's button: one of it, or as many as the field says ("3×" or "3*")."""
        m = re.fullmatch(r"\s*(\d{1,3})\s*[*xX×]\s*", self.entry.text())
        qty = int(m.group(1)) if m else 1
        if m:
            self.entry.clear()
        if 1 <= qty <= MAX_QTY:
            self.chosen.emit(sku, qty)

    def _filter(self, text: str) -> None:
        if re.fullmatch(r"\s*\d{1,3}\s*[*xX×]\s*", text):
            text = ""  # a quantity waiting for its item: every item is shown
        m = QTY.match(text)
        shown = {g["sku"] for g in matching(self.catalogue, m.group(2) if m else text)
                 if not self.category or g.get("category") == self.category}
        i = 0  # the goods shown fill the grid from the top, in catalogue order
        for sku, b in self.buttons.items():
            self.grid.removeWidget(b)
            if sku in shown:
                self.grid.addWidget(b, i // 2, i % 2)
                i += 1
            b.setVisible(sku in shown)
        n = len(shown)
        self.hint.setText("" if n == len(self.catalogue) else
                          self.tr("%1 of %2 goods match").replace("%1", str(n))
                          .replace("%2", str(len(self.catalogue))))

    def _fill(self) -> None:
        enabled = self.entry.isEnabled()
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        for g in self.catalogue:
            star = " ★" if g.get("points_banks") else ""
            b = QPushButton(f"{wrap_name(g['name'])}{star}\n{yuan(g['price'])}",
                            self.grid.parentWidget())
            b.setMinimumSize(110, 84)
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.setToolTip(f"{g['sku']} · " + self.tr("Points from: %1").replace(
                "%1", ", ".join(g.get("points_banks") or ["—"])))
            b.setAccessibleName(g["name"])
            b.setObjectName(f"sku:{g['sku']}")
            b.clicked.connect(lambda _c=False, sku=g["sku"]: self.button(sku))
            b.setEnabled(enabled)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard goes through the field
            self.buttons[g["sku"]] = b  # (placed in the grid by _filter)
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        self.grid.setRowStretch(len(self.catalogue) // 2 + 1, 1)  # the buttons at the top
        self._filter(self.entry.text())
