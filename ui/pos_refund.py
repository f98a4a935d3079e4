"""The POS's refunds: a payment of this merchant found by its order or its card, the goods
it took line by line (chain format 6: the lines returned go on chain, and no line is
returned twice), or an amount; the refund goes to the card and its receipt prints.
"""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.reconcile import journal_append
from app.session import Session
from ui import texts
from ui.common import (
    Column,
    Notice,
    RecordModel,
    Tasks,
    mask_card,
    parse_yuan,
    select_row,
    selected_row,
    table,
    when,
    yuan,
)
from ui.receipt_print import print_document
from ui.shell import qtext

PAYMENTS = [Column("time", "Time", "time"), Column("order", "Order"),
            Column("terminal", "Terminal"), Column("card", "Card", "card"),
            Column("amount", "Amount", "money"), Column("refunded", "Refunded", "money"),
            Column("left", "Left to refund", "money"), Column("height", "Height", "int")]
LINES = [Column("name", "Item"), Column("qty", "Qty", "int"),
         Column("returned", "Returned", "int"), Column("price", "Price", "money"),
         Column("back", "To return", "int")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class RefundTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks, journal: Path) -> None:
        super().__init__()
        self.session, self.tasks, self.journal = session, tasks, journal
        self.merchant = ""
        self.names: dict[str, str] = {}  # sku -> name (the till's catalogue)
        self.all_rows: list[dict[str, Any]] = []
        self.last: dict[str, Any] | None = None  # the last refund, for its receipt
        self.cashier: Any = lambda: None  # who is signed in at the till (the window sets it)
        lay = QVBoxLayout(self)
        self.help = QLabel()
        self.help.setWordWrap(True)
        lay.addWidget(self.help)
        find = QHBoxLayout()
        self.find_label, self.find = QLabel(), QLineEdit()
        self.find.setClearButtonEnabled(True)
        self.find.textChanged.connect(self._filter)
        self.find_label.setBuddy(self.find)
        find.addWidget(self.find_label)
        find.addWidget(self.find, 1)
        lay.addLayout(find)
        self.model = RecordModel(PAYMENTS, _ctx, self)
        self.view = table(self.model, stretch=1)
        lay.addWidget(self.view, 3)
        self.lines = RecordModel(LINES, _ctx, self)
        self.lines_view = table(self.lines, stretch=0)
        lay.addWidget(self.lines_view, 2)
        for key, delta in (("+", 1), ("-", -1)):
            sc = QShortcut(QKeySequence(key), self.lines_view)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda d=delta: self.change_line(d))
        row = QHBoxLayout()
        self.more_btn, self.less_btn, self.all_btn = QPushButton(), QPushButton(), QPushButton()
        self.more_btn.clicked.connect(lambda: self.change_line(1))
        self.less_btn.clicked.connect(lambda: self.change_line(-1))
        self.all_btn.clicked.connect(self.return_all)
        self.amount_label = QLabel()
        self.amount = QLineEdit()
        self.amount.setMaximumWidth(160)
        self.amount_label.setBuddy(self.amount)
        self.refund_btn, self.reload_btn = QPushButton(), QPushButton()
        self.refund_btn.clicked.connect(self.refund)
        self.reload_btn.clicked.connect(lambda: self.tasks.spawn(self.refresh(), self.notice))
        self.print_btn = QPushButton()
        self.print_btn.clicked.connect(self.print_receipt)
        self.print_btn.setEnabled(False)
        for w in (self.more_btn, self.less_btn, self.all_btn, self.amount_label, self.amount,
                  self.refund_btn, self.reload_btn, self.print_btn):
            row.addWidget(w)
        row.addStretch(1)
        lay.addLayout(row)
        self.notice = Notice()
        lay.addWidget(self.notice)
        self.view.selectionModel().selectionChanged.connect(self._selected)

    def retranslate(self) -> None:
        self.help.setText(self.tr(
            "Payments accepted at this merchant, newest first. Find one by its order or "
            "card, choose the goods coming back (+ and − on a line) or enter an amount, and "
            "refund it to the card."))
        self.find_label.setText(self.tr("Order or card"))
        self.more_btn.setText(self.tr("+1 back"))
        self.less_btn.setText(self.tr("−1 back"))
        self.all_btn.setText(self.tr("All goods back"))
        self.amount_label.setText(self.tr("Refund amount (¥)"))
        self.refund_btn.setText(self.tr("Refund to card"))
        self.reload_btn.setText(self.tr("Reload"))
        self.print_btn.setText(self.tr("Print refund receipt…"))
        self.model.retranslate()
        self.lines.retranslate()

    # --- the payments ---------------------------------------------------------------------

    async def refresh(self) -> None:
        if not self.merchant:
            return
        rows = await self.session.query("refundable", merchant=self.merchant, limit=200)
        self.all_rows = rows
        self._filter()

    def _filter(self) -> None:
        """The payments whose order or card holds what is typed (any case)."""
        keep = selected_row(self.view, self.model)  # the payment being refunded stays chosen
        t = self.find.text().strip().casefold()
        rows = [r for r in self.all_rows
                if not t or t in str(r.get("order") or "").casefold() or t in str(r["card"])]
        self.model.set_rows(rows)
        for i, r in enumerate(rows):
            if keep is not None and r["id"] == keep["id"]:
                select_row(self.view, i)
        if len(rows) == 1 and t:
            select_row(self.view, 0)

    def _selected(self) -> None:
        row = selected_row(self.view, self.model)
        back = {x["sku"]: x["back"] for x in self.lines.rows} if self.lines.rows and \
            row is not None and self.lines.rows[0].get("payment") == row["id"] else {}
        lines = []
        for sku, qty, total in (row or {}).get("lines") or []:
            done = int(((row or {}).get("refunded_lines") or {}).get(sku, 0))
            lines.append({"payment": row["id"] if row else "", "sku": sku,
                          "name": self.names.get(sku, sku), "qty": qty, "returned": done,
                          "price": total // max(1, qty), "back": back.get(sku, 0)})
        self.lines.set_rows(lines)
        self._amount()

    # --- the goods coming back ------------------------------------------------------------

    def change_line(self, delta: int) -> None:
        line = selected_row(self.lines_view, self.lines)
        if line is None:
            self.notice.error(self.tr("Select a line of the payment first."))
            return
        i = self.lines.rows.index(line)
        room = int(line["qty"]) - int(line["returned"])
        self.lines.rows[i]["back"] = max(0, min(room, int(line["back"]) + delta))
        self._lines_changed(i)

    def return_all(self) -> None:
        for r in self.lines.rows:
            r["back"] = int(r["qty"]) - int(r["returned"])
        self._lines_changed(None)

    def _lines_changed(self, keep: int | None) -> None:
        self.lines.set_rows(self.lines.rows)
        if keep is not None:
            select_row(self.lines_view, keep)
        self._amount()

    def chosen_lines(self) -> list[dict[str, Any]]:
        return [{"sku": r["sku"], "qty": int(r["back"])} for r in self.lines.rows
                if int(r["back"]) > 0]

    def _amount(self) -> None:
        """The amount is the chosen goods' value; with none chosen, what is left."""
        row = selected_row(self.view, self.model)
        chosen = sum(int(r["price"]) * int(r["back"]) for r in self.lines.rows)
        fen = chosen if chosen else max(0, int(row["left"])) if row is not None else 0
        self.amount.setReadOnly(bool(chosen))
        if row is not None:
            self.amount.setText(f"{fen // 100}.{fen % 100:02d}")

    # --- the refund -------------------------------------------------------------------------

    def refund(self) -> None:
        self.notice.clear()
        row = selected_row(self.view, self.model)
        if row is None:
            self.notice.error(self.tr("Select the payment to refund."))
            return
        try:
            fen = parse_yuan(self.amount.text())
        except ValueError as exc:
            self.notice.error(self.tr("Refund amount: %1").replace("%1", str(exc)))
            return
        if fen > row["left"]:
            self.notice.error(self.tr("The refund is larger than what is left of the payment "
                                      "(%1 of %2).").replace("%1", yuan(row["left"]))
                              .replace("%2", yuan(row["amount"])))
            return
        lines = self.chosen_lines() if self.session.genesis.chain_format >= 6 else []
        self.tasks.spawn(self._refund(row, fen, lines), self.notice)

    async def _refund(self, row: dict[str, Any], fen: int,
                      lines: list[dict[str, Any]]) -> None:
        terminal = self.session.entity
        # the refund's own order number, after the sale's, for the statement and receipts
        order = f"{(row.get('order') or 'REFUND')[:25]}-R{secrets.token_hex(2).upper()}"
        body: dict[str, Any] = {"terminal": terminal, "payment": row["id"], "amount": fen,
                                "order": order}
        if lines:
            body["lines"] = lines
        tx = self.session.make("refund", body)
        self.session.require_online()
        journal_append(self.journal, tx, terminal, cashier=self.cashier())
        r = await self.session.submit(tx)
        if not r.ok:
            self.notice.error(lambda r=r: texts.decision(r.code, r.message))
            return
        self.last = {"order": order, "sale": row.get("order") or "", "card": row["card"],
                     "amount": fen, "lines": [{**x, "name": self.names.get(x["sku"], x["sku"])}
                                              for x in lines],
                     "id": r.id, "height": r.height, "time": r.time}
        self.print_btn.setEnabled(True)
        await self.refresh()
        self.notice.ok(lambda: self.tr("Refunded %1 at height %2 (order %3).").replace(
            "%1", yuan(fen)).replace("%2", str(r.height)).replace("%3", order))

    def print_receipt(self) -> None:
        if self.last is not None:
            last = self.last
            self.print_dialog = print_document(
                self, lambda: refund_document(last, self.merchant),
                f"refund-{last['order']}", lambda _p: self.notice.ok(
                    self.tr("Refund receipt printed.")))


# the refund receipt's words, for lupdate (translated where printed)
RECEIPT_WORDS = (QT_TRANSLATE_NOOP("RefundTab", "Refund"),
                 QT_TRANSLATE_NOOP("RefundTab", "Refund order"),
                 QT_TRANSLATE_NOOP("RefundTab", "Sale order"),
                 QT_TRANSLATE_NOOP("RefundTab", "Card"),
                 QT_TRANSLATE_NOOP("RefundTab", "Back to the card"),
                 QT_TRANSLATE_NOOP("RefundTab", "Block"),
                 QT_TRANSLATE_NOOP("RefundTab", "Transaction"))


def refund_document(r: dict[str, Any], merchant: str) -> QTextDocument:
    """The refund's receipt: the goods back, the amount to the card, where it is on chain."""
    t = {k: html.escape(qtext("RefundTab", v)) for k, v in {
        "head": "Refund", "order": "Refund order", "sale": "Sale order", "card": "Card",
        "back": "Back to the card", "block": "Block", "tx": "Transaction"}.items()}
    goods = "".join(f"<tr><td>{html.escape(x['name'])} × {x['qty']}</td></tr>"
                    for x in r["lines"])
    doc = QTextDocument()
    doc.setHtml(f"""<html><body style="font-family: sans-serif; font-size: 10pt">
<h3>{html.escape(merchant)} · {t['head']}</h3>
<p>{t['order']} {html.escape(r['order'])}<br>{t['sale']} {html.escape(r['sale'])}<br>
{t['card']} {mask_card(str(r['card']))}<br>{when(r['time'])}</p>
<table width="100%">{goods}
<tr><td><b>{t['back']}</b></td><td align=right><b>{yuan(r['amount'])}</b></td></tr></table>
<p>{t['block']} {r['height']}<br>{t['tx']} <tt>{html.escape(str(r['id'])[:32])}</tt></p>
</body></html>""")
    return doc


__all__ = ["RefundTab", "refund_document"]
