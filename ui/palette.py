"""Light and dark palettes: the system's choice by default, or one the user picks (the
View menu, ``--palette``), remembered on this machine.

Every window takes its colours from the palette; the few colours with a meaning (an error,
a success) have a light and a dark variant (ui/common.tone).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

CHOICES = ("system", "light", "dark")
_KEY = "appearance/palette"


def saved() -> str:
    value = QSettings("CardChain", "windows").value(_KEY)
    return str(value) if value in CHOICES else "system"


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style (text contrast ≥ 7:1 on the window colour)."""
    p = QPalette()
    window, base, text = QColor(37, 38, 41), QColor(28, 29, 31), QColor(230, 230, 230)
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: QColor(44, 46, 50),
        QPalette.ColorRole.ToolTipBase: QColor(50, 52, 56),
        QPalette.ColorRole.ToolTipText: text, QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor(50, 52, 56), QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 138, 128),
        QPalette.ColorRole.Highlight: QColor(66, 133, 244),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(138, 180, 248),
        QPalette.ColorRole.PlaceholderText: QColor(160, 160, 160),
        QPalette.ColorRole.Light: QColor(70, 72, 76),
        QPalette.ColorRole.Midlight: QColor(60, 62, 66),
        QPalette.ColorRole.Mid: QColor(45, 46, 50), QPalette.ColorRole.Dark: QColor(20, 20, 22),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    grey = QColor(130, 130, 130)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, grey)
    return p


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme is not None and scheme() == Qt.ColorScheme.Dark)


def use(app: QApplication, choice: str, *, remember: bool = False) -> str:
    """Apply ``choice`` ("system", "light" or "dark"); the palette now in use ("light" or
    "dark").  ValueError for anything else."""
    if choice not in CHOICES:
        raise ValueError(f"unknown palette {choice!r}; choose one of {list(CHOICES)}")
    if remember:
        QSettings("CardChain", "windows").setValue(_KEY, choice)
    dark = choice == "dark" or (choice == "system" and system_is_dark())
    app.setStyle("Fusion")  # the one style that follows a palette everywhere
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    return "dark" if dark else "light"


__all__ = ["CHOICES", "dark_palette", "saved", "use"]
