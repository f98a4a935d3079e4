"""The printed slip: what was bought, the decision, and the QR code that proves it.

The same HTML goes to a PDF (QPdfWriter, no window needed) or to a printer chosen in a
print dialog opened without a nested event loop.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import segno
from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF, Qt, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.model import Tx, receipt_qr
from ui.common import Notice, QrView, Tasks, documents, mask_card, when, yuan


def receipt_facts(receipt: dict[str, Any]) -> dict[str, Any]:
    """Height, time, id, card, order, amount and items of a receipt (as built by a node)."""
    header = json.loads(receipt["header"])
    tx = Tx.decode(receipt["tx"].encode("utf-8"))
    body = tx.body
    return {"height": receipt["height"], "time": header["time"], "id": tx.hex_id,
            "kind": tx.kind, "card": body.get("card", ""), "order": body.get("order", ""),
            "amount": body.get("amount", 0), "items": body.get("items", []),
            "redeem": body.get("redeem", []), "earned": _earned(receipt, body.get("card")),
            "card_paid": _card_paid(receipt, body.get("card")),
            "cash": int(body.get("cash_tendered") or 0),  # paid at the till (split tender)
            "code": receipt["outcome"][2] if receipt.get("outcome") else None}


def _postings(receipt: dict[str, Any]) -> list[tuple[str, int]]:
    """(account, amount) of each double-entry line the receipt's result posted."""
    outcome = receipt.get("outcome") or []
    lines = outcome[9] if len(outcome) > 9 and isinstance(outcome[9], list) else []
    return [(p[0], p[2]) for p in lines if isinstance(p, list) and len(p) == 3
            and isinstance(p[0], str) and isinstance(p[2], int)]


def _earned(receipt: dict[str, Any], card: Any) -> dict[str, int]:
    """Points the card earned in this transaction, by bank: the credits its result posted
    to the card's points accounts (``pts:BANK:CARD``; a redemption is a debit)."""
    earned: dict[str, int] = {}
    for account, amount in _postings(receipt):
        if account.startswith("pts:") and account.endswith(f":{card}") and amount > 0:
            bank = account.split(":")[1]
            earned[bank] = earned.get(bank, 0) + amount
    return earned


def _card_paid(receipt: dict[str, Any], card: Any) -> int:
    """What the card's cash paid: the debit the result posted to the card's account."""
    return sum(-amount for account, amount in _postings(receipt)
               if account == f"card:{card}" and amount < 0)


def _texts() -> dict[str, str]:
    return {
        "points": QCoreApplication.translate(
            "Receipt", "Paid by %1 points"),
        "earned": QCoreApplication.translate(
            "Receipt", "%1 points earned"),
        "order": QCoreApplication.translate(
            "Receipt", "Order"),
        "card": QCoreApplication.translate(
            "Receipt", "Card"),
        "total": QCoreApplication.translate(
            "Receipt", "Total"),
        "card_paid": QCoreApplication.translate(
            "Receipt", "Paid from the card"),
        "cash": QCoreApplication.translate(
            "Receipt", "Paid in cash"),
        "balance": QCoreApplication.translate(
            "Receipt", "Card balance after"),
        "committed": QCoreApplication.translate(
            "Receipt", "Committed on the CardChain ledger at height %1."),
        "tx": QCoreApplication.translate(
            "Receipt", "Transaction"),
        "verify": QCoreApplication.translate(
            "Receipt", "Scan or run \"cardchain verify-receipt\" to check this "
                                "payment against the consortium's validator keys, without "
                                "trusting the shop."),
    }


def _document(receipt: dict[str, Any], merchant: str,
              goods: dict[str, dict[str, Any]] | None = None,
              balance_after: int | None = None) -> QTextDocument:
    """The printed receipt: each line with its name and amount (``goods``: the merchant's
    catalogue by sku), the total, what points and the card paid, the card's balance after
    (when the till knew it), the points earned, and the proof."""
    f = receipt_facts(receipt)
    goods = goods or {}
    t = {k: html.escape(v) for k, v in _texts().items()}
    qr = QImage()
    qr.loadFromData(_qr_png(receipt_qr(receipt)), "PNG")
    doc = QTextDocument()
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("qr.png"), qr)
    items = "".join(
        f"<tr><td>{html.escape(str(goods.get(i['sku'], {}).get('name', i['sku'])))} "
        f"× {i['qty']}</td><td align=right>"
        f"{yuan(goods[i['sku']]['price'] * i['qty']) if i['sku'] in goods else ''}</td></tr>"
        for i in f["items"])
    points = "".join(f"<tr><td>{t['points'].replace('%1', r['bank'])}</td>"
                     f"<td align=right>{yuan(r['cash'])}</td></tr>" for r in f["redeem"])
    points += f"<tr><td>{t['card_paid']}</td><td align=right>{yuan(f['card_paid'])}</td></tr>"
    if f["cash"]:
        points += f"<tr><td>{t['cash']}</td><td align=right>{yuan(f['cash'])}</td></tr>"
    if balance_after is not None:
        points += (f"<tr><td>{t['balance']}</td>"
                   f"<td align=right>{yuan(balance_after)}</td></tr>")
    points += "".join(f"<tr><td>{t['earned'].replace('%1', bank)}</td>"
                      f"<td align=right>+{n:,}</td></tr>" for bank, n in f["earned"].items())
    doc.setHtml(f"""<html><body style="font-family: sans-serif; font-size: 10pt">
<h3>{html.escape(merchant)}</h3>
<p>{t['order']} {html.escape(str(f['order']))}<br>
{t['card']} {mask_card(str(f['card']))}<br>{when(f['time'])}</p>
<table width="100%">{items}
<tr><td><b>{t['total']}</b></td><td align=right><b>{yuan(f['amount'])}</b></td></tr>
{points}</table>
<p>{t['committed'].replace('%1', str(f['height']))}<br>
{t['tx']} <tt>{f['id'][:32]}</tt></p>
<p><img src="qr.png" width="220" height="220"></p>
<p style="font-size: 8pt">{t['verify']}</p>
</body></html>""")
    return doc


def _qr_png(text: str) -> bytes:
    import io

    buf = io.BytesIO()
    segno.make(text, error="l", micro=False).save(buf, kind="png", scale=4, border=4)
    return buf.getvalue()


def save_receipt_pdf(receipt: dict[str, Any], merchant: str, path: Path,
                     goods: dict[str, dict[str, Any]] | None = None,
                     balance_after: int | None = None) -> None:
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QSizeF(80, 200), QPageSize.Unit.Millimeter),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(4, 4, 4, 4), QPageLayout.Unit.Millimeter))
    writer.setResolution(96)
    writer.setTitle(f"Receipt {receipt_facts(receipt)['order']}")
    writer.setCreator("CardChain")
    doc = _document(receipt, merchant, goods, balance_after)
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    doc.print_(writer)
    if not path.exists():
        raise OSError(f"could not write {path}")


def print_document(parent: QWidget, document: Callable[[], QTextDocument], name: str,
                   done: Any = None) -> QDialog:
    """The system's print dialog for a document (made by ``document()`` when the user
    presses Print), window-modal; with no printer it proposes ``name``.pdf in the
    documents folder. Then ``done(printer)``."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo

    printer = QPrinter()
    printer.setDocName(name)
    if not QPrinterInfo.availablePrinters():  # only "print to file": offer a file name
        printer.setOutputFileName(str(documents() / f"{name}.pdf"))
    dlg = QPrintDialog(printer, parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        document().print_(printer)
        if done is not None:
            done(printer)

    dlg.accepted.connect(accepted)
    QDialog.open(dlg)  # QPrintDialog.open() itself wants a receiver and a slot
    return dlg


def print_receipt(parent: QWidget, receipt: dict[str, Any], merchant: str,
                  done: Any = None, goods: dict[str, dict[str, Any]] | None = None,
                  balance_after: int | None = None) -> QDialog:
    """The receipt through the print dialog (``print_document``)."""
    return print_document(
        parent, lambda: _document(receipt, merchant, goods, balance_after),
        f"receipt-{receipt_facts(receipt)['order']}", done)


class ReceiptPanel(QGroupBox):
    """The POS's last receipt: its QR code, the facts a cashier reads out, save and print.
    Messages go to the window's ``notice``."""

    def __init__(self, notice: Notice, merchant: Any, goods: Any = None) -> None:
        super().__init__()
        self.notice, self.merchant = notice, merchant  # merchant() -> its name
        self.tasks = Tasks()
        self.goods = goods or (lambda: {})  # goods() -> the catalogue by sku
        self._view: tuple[dict[str, Any] | None, int, str] = (None, 0, "")
        self.balance_after: int | None = None
        rl = QHBoxLayout(self)
        self.qr = QrView()
        self.qr.setMinimumSize(150, 150)
        rl.addWidget(self.qr)
        col = QVBoxLayout()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.text)
        self.save_btn, self.print_btn = QPushButton(), QPushButton()
        self.save_btn.clicked.connect(self.save)
        self.print_btn.clicked.connect(self.print)
        col.addWidget(self.save_btn)
        col.addWidget(self.print_btn)
        rl.addLayout(col)
        self.show_receipt(None)

    @property
    def receipt(self) -> dict[str, Any] | None:
        return self._view[0]

    def retranslate(self) -> None:
        self.setTitle(self.tr("Receipt"))
        self.save_btn.setText(self.tr("Save as PDF…"))
        self.print_btn.setText(self.tr("Print…"))
        self.show_receipt(*self._view)

    @property
    def order(self) -> str:
        """The order of the receipt shown ("" when none is)."""
        return str(self._view[2]) if len(self._view) > 2 and self._view[0] else ""

    def show_receipt(self, full: dict[str, Any] | None, total: int = 0,
                     order: str = "", balance_after: int | None = None) -> None:
        self._view = (full, total, order)
        if full is None or balance_after is not None:
            self.balance_after = balance_after
        self.save_btn.setEnabled(full is not None)
        self.print_btn.setEnabled(full is not None)
        if full is None:
            self.qr.set_text("")
            self.text.setText(self.tr("The receipt appears here after a payment."))
            return
        self.qr.set_text(receipt_qr(full))
        info = receipt_facts(full)
        earned = [self.tr("Earned %1 %2 points").replace("%1", f"{n:,}").replace("%2", bank)
                  for bank, n in sorted(info["earned"].items())]
        self.text.setText("\n".join([
            self.tr("Order %1").replace("%1", order),
            self.tr("Total %1").replace("%1", yuan(total)),
            *([self.tr("Cash %1").replace("%1", yuan(info["cash"]))] if info["cash"] else []),
            *earned,
            self.tr("Block %1 · %2").replace("%1", str(info["height"]))
            .replace("%2", when(info["time"])),
            self.tr("Transaction %1…").replace("%1", info["id"][:16])]))

    def save(self) -> None:
        if self.receipt is None:
            return
        name = f"receipt-{receipt_facts(self.receipt)['order']}.pdf"
        dlg = QFileDialog(self, self.tr("Save the receipt"), str(documents() / name),
                          self.tr("PDF (*.pdf)"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.fileSelected.connect(lambda p: self.tasks.spawn(self.write(Path(p)), self.notice))
        dlg.open()

    async def write(self, path: Path) -> None:
        """The receipt as a PDF at ``path``, laid out and written on a worker thread (the
        window and the bundled node keep going)."""
        assert self.receipt is not None
        self.notice.info(self.tr("Writing %1…").replace("%1", str(path)))
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, save_receipt_pdf, self.receipt, self.merchant(), path, self.goods(),
                self.balance_after)
        except OSError as exc:
            self.notice.error(self.tr("Could not save: %1").replace("%1", str(exc)))
            return
        self.notice.ok(self.tr("Receipt saved to %1").replace("%1", str(path)))

    def print(self) -> None:
        if self.receipt is not None:
            self.print_dialog = print_receipt(self, self.receipt, self.merchant(),
                                              self._printed, self.goods(), self.balance_after)

    def _printed(self, printer: Any) -> None:
        where = printer.outputFileName() or printer.printerName()
        self.notice.ok(self.tr("Receipt sent to %1").replace("%1", where))


__all__ = ["ReceiptPanel", "print_document", "print_receipt", "receipt_facts",
           "save_receipt_pdf"]
