"""The till's on-screen numpad, for a touch screen: digits, a decimal point and a backspace
type into the field that last had the keyboard (the SKU field, the PIN, a quantity, a
refund amount); × turns what is typed into a quantity for the next item (``3×`` then
an item's button adds three); Enter presses that field's Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QWidget,
)

KEYS = [("7", 0, 0), ("8", 0, 1), ("9", 0, 2), ("4", 1, 0), ("5", 1, 1), ("6", 1, 2),
        ("1", 2, 0), ("2", 2, 1), ("3", 2, 2), ("0", 3, 0), (".", 3, 1), ("⌫", 3, 2),
        ("×", 0, 3), ("C", 1, 3), ("↵", 2, 3)]


class Numpad(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: QWidget | None = None
        grid = QGridLayout(self)
        self.buttons: dict[str, QPushButton] = {}
        for text, row, col in KEYS:
            b = QPushButton(text)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the keyboard
            b.setMinimumSize(44, 36)
            b.clicked.connect(lambda _c=False, t=text: self.press(t))
            grid.addWidget(b, row, col, 2 if text == "↵" else 1, 1)
            self.buttons[text] = b
        QApplication.instance().focusChanged.connect(self._focus)  # type: ignore[union-attr]

    def retranslate(self) -> None:
        self.setTitle(self.tr("Numpad"))
        for text, name in (("⌫", self.tr("Delete the last character")),
                           ("×", self.tr("Quantity for the next item")),
                           ("C", self.tr("Clear the field")), ("↵", self.tr("Enter"))):
            self.buttons[text].setAccessibleName(name)
            self.buttons[text].setToolTip(name)

    def _focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The field the numpad types into: the last text field of this window focused."""
        if new is None or self.window() is not new.window():
            return
        if isinstance(new, QLineEdit | QAbstractSpinBox):
            self.target = new
        elif isinstance(new.parentWidget(), QAbstractSpinBox):
            self.target = new.parentWidget()

    def press(self, key: str) -> None:
        w = self.target
        if w is None or not w.isEnabled():
            return
        if key == "C":
            if isinstance(w, QLineEdit | QAbstractSpinBox):
                w.clear()
            return
        code, text = {"⌫": (Qt.Key.Key_Backspace, ""), "↵": (Qt.Key.Key_Return, ""),
                      "×": (Qt.Key.Key_Asterisk, "*")}.get(key, (None, key))
        if code is None:
            code = Qt.Key.Key_Period if key == "." else Qt.Key(int(Qt.Key.Key_0) + int(key))
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(w, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier,
                                                text))
        w.setFocus(Qt.FocusReason.OtherFocusReason)


__all__ = ["Numpad"]
