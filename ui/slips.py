"""The bank desk's top-up slip: what the cardholder signs for and takes home after a
top-up (the bank, the card, the amount and how it was paid, the balance after, the clerk,
and the transaction's id and height to find it on chain), printed or saved as PDF
through the system's print dialog."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog, QWidget

from ui.common import mask_card, when, yuan
from ui.receipt_print import print_document


def _t(text: str) -> str:
    return QCoreApplication.translate("Slip", text)


# the slip's words, for lupdate (translated where shown, context "Slip")
WORDS = (QT_TRANSLATE_NOOP("Slip", "Card"), QT_TRANSLATE_NOOP("Slip", "Holder"),
         QT_TRANSLATE_NOOP("Slip", "Topped up"), QT_TRANSLATE_NOOP("Slip", "Paid by"),
         QT_TRANSLATE_NOOP("Slip", "Balance after"), QT_TRANSLATE_NOOP("Slip", "Clerk"),
         QT_TRANSLATE_NOOP("Slip", "Time"), QT_TRANSLATE_NOOP("Slip", "Block"),
         QT_TRANSLATE_NOOP("Slip", "Transaction"), QT_TRANSLATE_NOOP("Slip", "Top-up slip"),
         QT_TRANSLATE_NOOP("Slip", "Recorded on the consortium ledger; the transaction id "
                                   "finds it there."),
         QT_TRANSLATE_NOOP("Slip", "Cardholder signature"))


def slip_html(s: dict[str, Any]) -> str:
    """``s``: bank (name), card, holder, amount, method, balance (after), clerk, id,
    height, time."""
    e = html.escape
    rows = [(_t("Card"), mask_card(str(s["card"]))), (_t("Holder"), s.get("holder") or "—"),
            (_t("Topped up"), yuan(int(s["amount"]))), (_t("Paid by"), s.get("method") or "—"),
            (_t("Balance after"), yuan(int(s["balance"]))), (_t("Clerk"), s["clerk"]),
            (_t("Time"), when(s["time"])), (_t("Block"), str(s["height"])),
            (_t("Transaction"), str(s["id"])[:32])]
    note = _t("Recorded on the consortium ledger; the transaction id finds it there.")
    table = "".join(f"<tr><td>{e(k)}</td><td align=right>{e(str(v))}</td></tr>"
                    for k, v in rows)
    return (f"<html><body style='font-family: sans-serif; font-size: 10pt'>"
            f"<h3>{e(s['bank'])}</h3><p>{e(_t('Top-up slip'))}</p>"
            f"<table width='100%'>{table}</table>"
            f"<p style='font-size: 8pt'>{e(note)}</p>"
            f"<p><br>{e(_t('Cardholder signature'))}: ____________________</p>"
            f"</body></html>")


def print_slip(parent: QWidget, slip: dict[str, Any], done: Any = None) -> QDialog:
    def document() -> QTextDocument:
        doc = QTextDocument()
        doc.setHtml(slip_html(slip))
        return doc

    return print_document(parent, document, f"top-up-{slip['card']}-{slip['height']}", done)


__all__ = ["print_slip", "slip_html"]
