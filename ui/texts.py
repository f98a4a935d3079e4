"""Translated wording for what the ledger decides: reason codes and card statuses.

The node explains every refusal in English with specifics (amounts, masked numbers); the
screens lead with a translated sentence for the reason code and keep the node's text as the
detail, so nothing is lost in translation.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

REASONS: dict[str, str] = {
    "ok": QT_TRANSLATE_NOOP("Reasons", "Accepted"),
    "insufficient_funds": QT_TRANSLATE_NOOP(
        "Reasons", "The card's balance is too low for this payment."),
    "card_not_active": QT_TRANSLATE_NOOP(
        "Reasons", "The card is frozen, lost or closed and cannot be used."),
    "balance_cap": QT_TRANSLATE_NOOP("Reasons", "This would take the card over its balance limit."),
    "real_name_required": QT_TRANSLATE_NOOP(
        "Reasons", "A purchase this large needs a named (real-name) card."),
    "unknown_card": QT_TRANSLATE_NOOP("Reasons", "The card is not known to the network."),
    "bad_signature": QT_TRANSLATE_NOOP(
        "Reasons", "A signature does not verify (wrong PIN or a damaged card file)."),
    "unauthorized": QT_TRANSLATE_NOOP("Reasons", "You are not allowed to do this."),
    "expired": QT_TRANSLATE_NOOP(
        "Reasons", "The transaction expired before the network ordered it."),
    "duplicate": QT_TRANSLATE_NOOP("Reasons", "This transaction was already decided."),
    "insufficient_points": QT_TRANSLATE_NOOP("Reasons", "The card does not hold enough points."),
    "points_over_limit": QT_TRANSLATE_NOOP(
        "Reasons", "The points requested exceed what the bank's contract allows."),
    "points_not_accepted": QT_TRANSLATE_NOOP(
        "Reasons", "These goods cannot be paid with this bank's points."),
    "no_points_contract": QT_TRANSLATE_NOOP("Reasons", "The bank has no points contract."),
    "bad_amount": QT_TRANSLATE_NOOP("Reasons", "The amount is not valid."),
    "bad_name": QT_TRANSLATE_NOOP(
        "Reasons", "The name is empty, too long or has control characters."),
    "bad_card_number": QT_TRANSLATE_NOOP("Reasons", "The card number is not valid."),
    "malformed": QT_TRANSLATE_NOOP("Reasons", "The request is not valid."),
    "card_exists": QT_TRANSLATE_NOOP("Reasons", "A card with this number already exists."),
    "card_expired": QT_TRANSLATE_NOOP("Reasons", "The card has expired."),
    "unknown_bank": QT_TRANSLATE_NOOP("Reasons", "No such bank."),
    "unknown_merchant": QT_TRANSLATE_NOOP("Reasons", "No such merchant."),
    "unknown_terminal": QT_TRANSLATE_NOOP("Reasons", "No such terminal."),
    "unknown_sku": QT_TRANSLATE_NOOP("Reasons", "An item is not in the merchant's catalogue."),
    "unknown_payment": QT_TRANSLATE_NOOP("Reasons", "No such payment."),
    "amount_mismatch": QT_TRANSLATE_NOOP("Reasons", "The total differs from the catalogue prices."),
    "merchant_exists": QT_TRANSLATE_NOOP(
        "Reasons", "A merchant with this id is already registered."),
    "merchant_not_active": QT_TRANSLATE_NOOP("Reasons", "The merchant is not active."),
    "terminal_exists": QT_TRANSLATE_NOOP(
        "Reasons", "A terminal with this id is already registered."),
    "key_in_use": QT_TRANSLATE_NOOP("Reasons", "This key is already registered to someone else."),
    "cycle_open": QT_TRANSLATE_NOOP(
        "Reasons", "The cycle is still open: settle it after the cut-off."),
    "already_settled": QT_TRANSLATE_NOOP("Reasons", "This cycle is already settled."),
    "settlement_mismatch": QT_TRANSLATE_NOOP("Reasons", "The statement does not match the chain."),
    "refund_too_large": QT_TRANSLATE_NOOP(
        "Reasons", "The refund is larger than what is left of the payment."),
    "not_frozen": QT_TRANSLATE_NOOP("Reasons", "The card is not frozen."),
    "regulatory_hold": QT_TRANSLATE_NOOP("Reasons", "The merchant is on a regulatory hold."),
}

STATUSES: dict[str, str] = {
    "active": QT_TRANSLATE_NOOP("Reasons", "active"),
    "frozen": QT_TRANSLATE_NOOP("Reasons", "frozen"),
    "lost": QT_TRANSLATE_NOOP("Reasons", "lost"),
    "closed": QT_TRANSLATE_NOOP("Reasons", "closed"),
    "open": QT_TRANSLATE_NOOP("Reasons", "open"),
    "acknowledged": QT_TRANSLATE_NOOP("Reasons", "acknowledged"),
    "hold": QT_TRANSLATE_NOOP("Reasons", "on hold"),
    "warning": QT_TRANSLATE_NOOP("Reasons", "warning"),
    "high": QT_TRANSLATE_NOOP("Reasons", "high"),
    "critical": QT_TRANSLATE_NOOP("Reasons", "critical"),
}


def _t(text: str) -> str:
    return QCoreApplication.translate("Reasons", text)


def reason(code: str) -> str:
    src = REASONS.get(code)
    if src is None:
        return _t(QT_TRANSLATE_NOOP("Reasons", "Refused by the network rules (%1).")).replace(
            "%1", code)
    return _t(src)


def decision(code: str, message: str) -> str:
    """One line for a receipt's decision: the translated reason, then the node's detail."""
    head = reason(code)
    return head if code == "ok" or not message else f"{head} ({message})"


def status(value: str) -> str:
    src = STATUSES.get(value)
    return value if src is None else _t(src)
