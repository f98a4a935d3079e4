"""What every window shares: the node bridge, languages, fonts, the status bar and the
excepthook.

The node never imports Qt: ``NodeBridge`` reads the session's block queue on the shared
asyncio loop and re-emits each block as a Qt signal, so handlers run on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.session import Session
from ui import palette, texts
from ui.common import Notice, Tasks, sized

log = logging.getLogger("cardchain.ui")
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def _inputs_in(where: object) -> list[QWidget]:
    """The text fields, lists and number boxes in a widget or a layout (not the parts
    inside a combo or spin box)."""
    kinds = (QLineEdit, QComboBox, QAbstractSpinBox)
    found: list[QWidget] = []
    if isinstance(where, QWidget):
        if isinstance(where, kinds):
            found.append(where)
        found += [w for w in where.findChildren(QWidget) if isinstance(w, kinds)]
    elif where is not None and hasattr(where, "count"):
        for i in range(where.count()):  # type: ignore[attr-defined]
            item = where.itemAt(i)  # type: ignore[attr-defined]
            found += _inputs_in(item.widget() or item.layout())
    return [w for w in found if not isinstance(w.parentWidget(), kinds)]


def qtext(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


class NodeBridge(QObject):
    """Node events as Qt signals: ``block`` for each executed block, ``status`` each second
    with the bundled node's status."""

    block = Signal(dict)
    status = Signal(dict)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._task: asyncio.Task[None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._pump())
        self._timer.start()
        self._tick()

    def stop(self) -> None:
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()

    async def _pump(self) -> None:
        while True:
            ev = await self.session.blocks.get()
            if ev.get("op") == "block":  # (result certificates arrive as "attested")
                self.block.emit(ev)

    def _tick(self) -> None:
        self.status.emit(self.session.status())


class Languages:
    """Qt translations from resources/i18n, chosen from the system locale, switchable."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.translator: QTranslator | None = None
        self.current = "en"

    @staticmethod
    def system_choice() -> str:
        return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"

    def use(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; choose one of {sorted(LANGUAGES)}")
        if self.translator is not None:
            self.app.removeTranslator(self.translator)
            self.translator = None
        if lang != "en":
            t = QTranslator(self.app)
            if not t.load(str(RESOURCES / "i18n" / f"cardchain_{lang}.qm")):
                raise RuntimeError(f"translation file for {lang} is missing")
            self.app.installTranslator(t)
            self.translator = t
        self.current = lang
        texts.LANGUAGE["current"] = lang


def load_fonts(app: QApplication) -> None:
    """The bundled CJK subset backs up the system font, so Chinese text shows even on a
    machine without a Chinese font."""
    fid = QFontDatabase.addApplicationFont(str(RESOURCES / "fonts" / "NotoSansSC-CardChain.otf"))
    families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    font = QFont(app.font())
    if families:
        font.setFamilies([font.family(), *families])
    font.setPointSize(max(font.pointSize(), 10))
    app.setFont(font)


def route_qt_messages() -> None:
    """Qt's own warnings go to the log (not the terminal), minus one the offscreen platform
    prints for every window it cannot size by hints, which says nothing to a user."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "does not support propagateSizeHints" in message:
            return
        logging.getLogger("cardchain.qt").log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def install_excepthook(app: QApplication) -> None:
    """An exception that escapes a slot is logged and shown as a readable message; the
    window stays up (no nested event loop: the box is opened, not exec'd)."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        if kind is KeyboardInterrupt:
            app.quit()
            return
        parent = app.activeWindow()
        head = QCoreApplication.translate("Shell", "Something went wrong")
        text = QCoreApplication.translate(
            "Shell", "The action could not be completed: %1\nDetails are in the log.")
        box = QMessageBox(QMessageBox.Icon.Warning, head, text.replace("%1", str(exc)),
                          QMessageBox.StandardButton.Ok, parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    sys.excepthook = hook


class Window(QMainWindow):
    """Base of the three windows: status bar with the node's health, a language menu,
    and ``retranslate`` called on every language change."""

    closed = Signal()

    def __init__(self, session: Session, languages: Languages) -> None:
        super().__init__()
        self.session = session
        self.languages = languages
        self.tasks = Tasks()
        self.bridge = NodeBridge(session, self)
        self.node_label = QLabel()
        self.statusBar().addPermanentWidget(self.node_label)
        self.bridge.status.connect(self.show_status)
        self.last_status: dict[str, Any] | None = None
        self.lang_menu = self.menuBar().addMenu("")
        group = QActionGroup(self)
        self.lang_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            a = QAction(name, self, checkable=True)
            a.setChecked(code == languages.current)
            a.triggered.connect(lambda _c=False, code=code: self.switch_language(code))
            group.addAction(a)
            self.lang_menu.addAction(a)
            self.lang_actions[code] = a
        self.view_menu = self.menuBar().addMenu("")
        looks = QActionGroup(self)
        self.palette_actions: dict[str, QAction] = {}
        for choice in palette.CHOICES:
            a = QAction("", self, checkable=True)
            a.setChecked(choice == palette.saved())
            a.triggered.connect(lambda _c=False, choice=choice: self.switch_palette(choice))
            looks.addAction(a)
            self.view_menu.addAction(a)
            self.palette_actions[choice] = a
        self._retranslate_shell()
        self.resize(*self.first_size())

    def first_size(self) -> tuple[int, int]:
        """The size the window last had on this machine, else 1280x800; never more than
        the screen has room for (at 150 % a 1600x1000 screen has 1067x667 points)."""
        saved = QSettings("CardChain", "windows").value(type(self).__name__)
        w, h = 1280, 800
        if isinstance(saved, (list, tuple)) and len(saved) == 2:
            with contextlib.suppress(TypeError, ValueError):
                w, h = int(saved[0]), int(saved[1])
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            w, h = min(w, room.width()), min(h, room.height())
        return max(640, w), max(480, h)

    def set_pages(self, tabs: QTabWidget) -> None:
        """The window's body: a header line (``self.header``) above the tabs."""
        self.header = QLabel()
        sized(self.header, 18, 600)
        self.header.setContentsMargins(4, 4, 4, 4)
        root = QWidget()
        lay = QVBoxLayout(root)
        lay.addWidget(self.header)
        lay.addWidget(tabs)
        self.setCentralWidget(root)

    def start(self) -> None:
        self.name_controls()
        self.bridge.start()

    def follow(self, tabs: QTabWidget, pages: list[QWidget]) -> None:
        """These pages follow the chain without a manual refresh: the one on screen
        reloads after new blocks (once per ``follow_delay`` seconds at most, 0.5 by
        default: under load blocks come several times a second), the others when they are
        next shown.  A page's ``refresh`` keeps what its user is doing (a selection, a
        half-typed form)."""
        self._follow_tabs, self._following = tabs, list(pages)
        self._stale: set[int] = set()
        self.bridge.block.connect(self._follow_block)
        tabs.currentChanged.connect(lambda _i: self._follow_shown())

    def _follow_block(self, _ev: dict[str, Any]) -> None:
        current = self._follow_tabs.currentWidget()
        for p in self._following:
            if p is current:
                self._follow_refresh(p)
            else:
                self._stale.add(id(p))

    def _follow_shown(self) -> None:
        p = self._follow_tabs.currentWidget()
        if id(p) in self._stale:
            self._stale.discard(id(p))
            self._follow_refresh(p)

    def _follow_refresh(self, page: QWidget) -> None:
        """The page's ``on_chain`` if it has one (a reload that keeps its choices), else
        its ``refresh``."""
        again = getattr(page, "on_chain", None) or page.refresh  # type: ignore[attr-defined]
        self.tasks.coalesce(f"follow-{id(page)}", again, getattr(page, "notice", None),
                            delay=float(getattr(page, "follow_delay", 0.5)))

    def switch_language(self, code: str) -> None:
        self.languages.use(code)
        self.lang_actions[code].setChecked(True)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # light to dark or back
            for n in self.findChildren(Notice):
                n.restyle()
            again = getattr(self, "on_palette", None)
            if again is not None:
                again()
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate_shell()
            if self.last_status is not None:
                self.show_status(self.last_status)
            for n in self.findChildren(Notice):
                n.retranslate()  # a result stays on screen, in the new words if it can
            self.retranslate()
            self.name_controls()
        super().changeEvent(event)

    def switch_palette(self, choice: str) -> None:
        """Light, dark or the system's, for every window; remembered on this machine."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        palette.use(app, choice, remember=True)
        for w in app.topLevelWidgets():
            if isinstance(w, Window):
                w.palette_actions[choice].setChecked(True)

    def name_controls(self) -> None:
        """Every input gets an accessible name (what a screen reader says), in the current
        language: its form label, else the label it is the buddy of, else its placeholder,
        else its group's title.  A name the screen set itself is kept."""
        labels: dict[int, str] = {}
        for form in self.findChildren(QFormLayout):
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                if label is None or field is None or not isinstance(label.widget(), QLabel):
                    continue
                text = label.widget().text()
                inner = field.widget() or field.layout()
                for w in _inputs_in(inner):
                    labels.setdefault(id(w), text)
        for lab in self.findChildren(QLabel):
            if lab.buddy() is not None:
                labels.setdefault(id(lab.buddy()), lab.text())
        for box in self.findChildren(QBoxLayout):  # a label just before its field in a row
            items = [box.itemAt(i).widget() for i in range(box.count())]
            for before, w in itertools.pairwise(items):
                if isinstance(before, QLabel) and isinstance(w, (QLineEdit, QComboBox,
                                                                 QAbstractSpinBox)):
                    labels.setdefault(id(w), before.text())
        for w in _inputs_in(self):
            if w.accessibleName() and not w.property("auto_named"):
                continue
            name = labels.get(id(w)) or getattr(w, "placeholderText", lambda: "")() or ""
            box = w.parentWidget()
            while not name and box is not None:
                name = box.title() if isinstance(box, QGroupBox) else ""
                box = box.parentWidget()
            w.setAccessibleName(name.replace("&&", "&").replace("&", "").strip())
            w.setProperty("auto_named", True)

    def _retranslate_shell(self) -> None:
        self.lang_menu.setTitle(QCoreApplication.translate("Window", "&Language"))
        self.view_menu.setTitle(QCoreApplication.translate("Window", "&View"))
        self.palette_actions["system"].setText(
            QCoreApplication.translate("Window", "Colours as the system's"))
        self.palette_actions["light"].setText(
            QCoreApplication.translate("Window", "Light palette"))
        self.palette_actions["dark"].setText(QCoreApplication.translate("Window", "Dark palette"))

    def retranslate(self) -> None:
        raise NotImplementedError

    def show_status(self, st: dict[str, Any]) -> None:
        self.last_status = st
        up = st.get("upstream", -1)
        if st.get("observer") and up is not None and up >= 0 and self._connected():
            text = QCoreApplication.translate(
                "Window", "Node: height %1 · following validator-%2").replace(
                "%1", str(st.get("height"))).replace("%2", str(up))
        else:
            text = QCoreApplication.translate(
                "Window", "Node: height %1 · network unreachable, retrying").replace(
                "%1", str(st.get("height")))
        self.node_label.setText(text)

    def _connected(self) -> bool:
        node = self.session.node
        ev = getattr(node, "connected", None)
        return bool(ev is not None and ev.is_set())

    def closeEvent(self, event: Any) -> None:
        QSettings("CardChain", "windows").setValue(type(self).__name__,
                                                   [self.width(), self.height()])
        self.bridge.stop()
        self.tasks.cancel_all()
        self.closed.emit()
        super().closeEvent(event)


__all__ = ["LANGUAGES", "Languages", "NodeBridge", "Window", "install_excepthook",
           "load_fonts", "qtext", "route_qt_messages"]
