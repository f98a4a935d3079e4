"""Asking before an act a clerk cannot take back (freeze, unfreeze, close, report lost):
what it does to the card, and the reason that goes on chain with it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

MAX_REASON = 100  # the ledger's limit for a name-like field


class Confirm(QDialog):
    """Window-modal: ``text`` says what will happen; OK (``action``) is enabled once a
    reason is typed; on OK ``then(reason)``."""

    def __init__(self, parent: QWidget, title: str, text: str, action: str,
                 then: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        self.reason = QLineEdit()
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(self.tr("Reason (recorded on chain with the act)"))
        self.reason.setAccessibleName(self.tr("Reason"))
        lay.addWidget(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(action)
        self.ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.accepted.connect(lambda: then(self.reason.text().strip()))
        self.setMinimumWidth(460)
