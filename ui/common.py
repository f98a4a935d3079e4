"""Pieces every screen uses: table models, inline messages, money, QR codes, async buttons.

Widgets get only what they need (a Session, a callback), never a driver object.  Async work
started from the GUI goes through ``Tasks.spawn``: the task is kept, its failure becomes an
inline message, and nothing blocks the shared event loop.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QTableView, QWidget

from app.session import SessionError, message_of
from ui import texts
from ui.texts import yuan

log = logging.getLogger("cardchain.ui")
CHINA = dt.timezone(dt.timedelta(hours=8))
Index = QModelIndex | QPersistentModelIndex
Message = str | Callable[[], str]


def parse_yuan(text: str) -> int:
    """'12.50' or '12' -> 1250 fen; anything else (more than 2 decimals, letters, negative,
    zero, above 10 million) raises ValueError with a (translated) message for the form."""
    t = text.strip().replace(",", "").lstrip("¥")
    whole, _, frac = t.partition(".")
    if not whole.isdigit() and not (whole == "" and frac.isdigit()):
        raise ValueError(QCoreApplication.translate(
            "Forms", "enter an amount in yuan, like 50 or 12.50"))
    if len(frac) > 2 or (frac and not frac.isdigit()):
        raise ValueError(QCoreApplication.translate("Forms", "at most two decimals (fen)"))
    fen = int(whole or "0") * 100 + int((frac + "00")[:2])
    if fen <= 0:
        raise ValueError(QCoreApplication.translate(
            "Forms", "the amount must be more than zero"))
    if fen > 10_000_000_00:
        raise ValueError(QCoreApplication.translate("Forms", "the amount is too large"))
    return fen


def save_card_file(card: Any, folder: Path) -> Path:
    """Write a card file (its key sealed under the PIN) into ``folder`` before the card
    goes on chain: an issued card whose key could not be saved would be unusable.
    SessionError, translated, when it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{card.card}.card.json"
        card.save(path)
    except OSError as exc:
        raise SessionError(QCoreApplication.translate(
            "Forms", "Cannot write the card file: %1").replace(
                "%1", exc.strerror or str(exc))) from exc
    return path


def documents() -> Path:
    """Where a user's files go by default: the documents folder, else home (never the
    program's working folder)."""
    from PySide6.QtCore import QStandardPaths

    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


async def write_csv(model: RecordModel, path: Path) -> int:
    """The rows of ``model`` as CSV at ``path``: its columns as on screen in the current
    language (a card number whole), then each row's transaction id; UTF-8 with a BOM
    (spreadsheets read it), written on a worker thread.  The number of rows; SessionError,
    translated, when the file cannot be written."""
    cols = model.columns
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([model.headerData(i, Qt.Orientation.Horizontal) for i in range(len(cols))]
               + ["id"])
    for r in model.rows:
        w.writerow([str(r.get(c.key) or "") if c.kind == "card" else model.show(c, r.get(c.key))
                    for c in cols] + [str(r.get("id") or "")])
    try:
        await asyncio.get_running_loop().run_in_executor(
            None, path.write_text, out.getvalue(), "utf-8-sig")
    except OSError as exc:
        raise SessionError(QCoreApplication.translate("Forms", "Could not write %1: %2")
                           .replace("%1", str(path)).replace("%2", exc.strerror or str(exc))) \
            from None
    return len(model.rows)


def when(ms: int | None) -> str:
    if not ms:
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, CHINA).strftime("%Y-%m-%d %H:%M:%S")


def mask_card(number: str) -> str:
    return number if len(number) < 10 else f"{number[:6]}…{number[-4:]}"


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # English source text; translated through the model's context
    # text | money | time | int | card | enum | status | casestatus | txkind | decision |
    # finding
    kind: str = "text"


SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class RecordModel(QAbstractTableModel):
    """Rows of dicts shown as columns; every change is bracketed by begin/end calls."""

    def __init__(self, columns: Sequence[Column], tr: Callable[[str], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict[str, Any]] = []
        self._tr = tr or (lambda s: s)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        col = self.columns[index.column()]
        value = self.rows[index.row()].get(col.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.show(col, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.kind in ("money", "int"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and value:
            if col.kind == "card":
                return str(value)
            shown = self.show(col, value)
            if len(shown) > 30:  # a long reason or finding, whole (a cell may cut it)
                return shown
        if role == SORT_ROLE:  # numbers as numbers, the rest as shown (case-blind)
            if col.kind in ("money", "int", "time"):
                return int(value or 0)
            return self.show(col, value).casefold()
        if role == Qt.ItemDataRole.ForegroundRole:
            code = self.rows[index.row()].get("code")
            if col.key == "code" and code not in (None, "ok"):
                return tone("error")
        return None

    def show(self, col: Column, value: Any) -> str:
        if value is None:
            return ""
        if col.kind == "money":
            return yuan(int(value))
        if col.kind == "time":
            return when(int(value)) or "—"  # 0: never (a validator still in view 0)
        if col.kind == "card":
            return mask_card(str(value))
        if col.kind == "int":
            return f"{int(value):,}"
        if col.kind == "status":  # a card's or merchant's state, a case's level
            return texts.status(str(value))
        if col.kind == "casestatus":
            return texts.case_status(str(value))
        if col.kind == "txkind":
            return texts.kind(str(value))
        if col.kind == "decision":
            return texts.code(str(value))
        if col.kind == "finding":  # what the full-chain audit found
            return texts.audit_problem(value)
        return self._tr(str(value)) if col.kind == "enum" else str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self._tr(self.columns[section].title)
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = [dict(r) for r in rows]
        self.endResetModel()

    def append_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(dict(r) for r in rows)
        self.endInsertRows()

    def prepend_rows(self, rows: Sequence[dict[str, Any]], keep: int = 500) -> None:
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self.rows[:0] = [dict(r) for r in rows]
            self.endInsertRows()
        if len(self.rows) > keep:
            self.beginRemoveRows(QModelIndex(), keep, len(self.rows) - 1)
            del self.rows[keep:]
            self.endRemoveRows()

    def retranslate(self) -> None:
        """Headers and cells are worded in the current language: ask the views again."""
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
            if self.rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(self.rows) - 1, len(self.columns) - 1))


STATEMENT_LINES = [Column("time", "Time", "time"), Column("type", "Type", "enum"),
                   Column("order", "Order"), Column("terminal", "Terminal"),
                   Column("card", "Card"), Column("amount", "Amount", "money"),
                   Column("cash", "Card paid", "money")]


def hbox(*widgets: QWidget, stretch: bool = False) -> QHBoxLayout:
    """A row of widgets (a field and its button, a toolbar), optionally left-aligned."""
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    if stretch:
        row.addStretch(1)
    return row


def table(model: QAbstractTableModel, *, stretch: int | None = None) -> QTableView:
    """A read-only table of ``model``, sortable by a click on a column's header (numbers
    by value); until then in the model's own order."""
    view = QTableView()
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view.setModel(proxy)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table (the keyboard user's way on)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    h = view.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    h.setResizeContentsPrecision(40)  # size columns by the first rows, not all of them:
    # a live table gets rows several times a second
    if stretch is not None:
        h.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        h.setStretchLastSection(True)
    return view


def selected_row(view: QTableView, model: RecordModel) -> dict[str, Any] | None:
    """The model's row selected in ``view`` (whatever order the view shows)."""
    rows = view.selectionModel().selectedRows()
    if not rows:
        return None
    index = rows[0]
    shown = view.model()
    if isinstance(shown, QSortFilterProxyModel):
        index = shown.mapToSource(index)
    return model.rows[index.row()] if 0 <= index.row() < len(model.rows) else None


def select_row(view: QTableView, row: int) -> None:
    """Select the model's ``row`` in ``view`` (whatever order the view shows)."""
    shown = view.model()
    if isinstance(shown, QSortFilterProxyModel):
        index = shown.mapFromSource(shown.sourceModel().index(row, 0))
        if index.isValid():
            view.selectRow(index.row())
        return
    view.selectRow(row)


# colours that carry a meaning, for a light and for a dark palette; everything else
# comes from the palette (a dark palette and high contrast work)
TONES = {"error": ("#b3261e", "#ff8a80"), "ok": ("#1b6e2d", "#81c995"),
         "warn": ("#8a5300", "#ffcc80")}


def is_dark() -> bool:
    """The palette in use is a dark one (light text on a dark window)."""
    pal = QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def tone(kind: str) -> QColor:
    """The colour of an error, a success or a warning on the palette in use."""
    light, dark = TONES[kind]
    return QColor(dark if is_dark() else light)


def tone_style(kind: str, extra: str = "") -> str:
    """A style sheet for text of ``kind`` ("error", "ok", "warn"; anything else: the
    palette's text colour)."""
    colour = f"color: {tone(kind).name()}; font-weight: 600;" if kind in TONES else ""
    return f"{colour} {extra}".strip()


def sized(widget: QWidget, px: int, weight: int = 400) -> QWidget:
    """``widget`` in a larger font (pixels) and weight, by its font and not a style sheet:
    a style sheet on a button draws it outside the palette (white on a dark palette)."""
    f = QFont(widget.font())
    f.setPixelSize(px)
    f.setWeight(QFont.Weight(weight))
    widget.setFont(f)
    return widget


class Notice(QLabel):
    """An inline message under a form: red for errors, green for success.  Its place
    (two lines) is kept while it is empty, so the form does not move when one appears."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 4)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.kind = ""  # "", "error", "ok" or "info": what is shown now
        self._make: Callable[[], str] | None = None

    def error(self, text: Message) -> None:
        self._show("error", text)

    def ok(self, text: Message) -> None:
        self._show("ok", text)

    def info(self, text: Message) -> None:
        self._show("info", text)

    def _show(self, kind: str, text: Message) -> None:
        """``text`` may be a function giving it: the message is then worded again in the
        new language when the language changes (a plain text stays as it was)."""
        self.kind = kind
        self._make = text if callable(text) else None
        self.setStyleSheet(tone_style(kind))
        self.setText(text() if callable(text) else text)
        self.show()

    def retranslate(self) -> None:
        if self._make is not None:
            self.setText(self._make())

    def restyle(self) -> None:
        """Its colour again, for the palette now in use (light to dark or back)."""
        style = tone_style(self.kind)
        if style != self.styleSheet():
            self.setStyleSheet(style)

    def clear(self) -> None:  # type: ignore[override]
        self.kind = ""
        self._make = None
        super().clear()


class Tasks:
    """Owns the async jobs a screen starts; a failure is shown in ``notice``."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task[Any]] = set()
        self._due: set[str] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], notice: Notice | None = None,
              translate: Callable[[str], str] | None = None) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.running.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.running.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is None:
                return
            if isinstance(exc, SessionError | ValueError | OSError | TimeoutError):
                text = QCoreApplication.translate("Session", message_of(exc))
                if notice is not None:
                    notice.error(translate(text) if translate else text)
                else:
                    log.warning("%s", text)
            else:
                log.error("background job failed", exc_info=exc)
                if notice is not None:
                    notice.error(f"Unexpected error (logged): {exc}")

        task.add_done_callback(done)
        return task

    def coalesce(self, key: str, make: Callable[[], Coroutine[Any, Any, Any]],
                 notice: Notice | None = None, delay: float = 0.5) -> None:
        """Run ``make()`` once ``delay`` seconds from now however often this is called
        meanwhile: blocks arrive several times a second, a table reloads once for them."""
        if key in self._due:
            return
        self._due.add(key)

        def fire() -> None:
            self._due.discard(key)
            self.spawn(make(), notice)

        asyncio.get_running_loop().call_later(delay, fire)

    def cancel_all(self) -> None:
        for t in list(self.running):
            t.cancel()


class QrView(QWidget):
    """A QR code of some text (a receipt), drawn from one image made by segno (one paint
    call: per-module drawing calls are slow and, under Python 3.11, tripped a PySide6
    reference-count bug on None after some ten thousand calls)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.setMinimumSize(180, 180)

    def set_text(self, text: str) -> None:
        self.image = QImage()
        if text:
            buf = io.BytesIO()
            segno.make(text, error="l", micro=False).save(buf, kind="png", scale=1, border=4)
            self.image.loadFromData(buf.getvalue(), "PNG")
        self.update()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        if not self.image.isNull():
            side = min(self.width(), self.height())
            target = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
            p.drawImage(target, self.image)
        p.end()


__all__ = ["STATEMENT_LINES", "Column", "Notice", "QrView", "RecordModel", "Tasks", "documents",
           "hbox", "mask_card", "parse_yuan", "selected_row", "table", "when", "write_csv",
           "yuan"]
