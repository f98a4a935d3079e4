"""Translated wording for what the ledger decides: reason codes and card statuses.

The node explains every refusal in English with specifics (amounts, masked numbers); the
screens lead with a translated sentence for the reason code and keep the node's text as the
detail, so nothing is lost in translation.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("Reasons", text)


def reason(code: str) -> str:
    table = {
        "ok": _t("Accepted"),
        "insufficient_funds": _t("The card's balance is too low for this payment."),
        "card_not_active": _t("The card is frozen, lost or closed and cannot be used."),
        "balance_cap": _t("This would take the card over its balance limit."),
        "real_name_required": _t("A purchase this large needs a named (real-name) card."),
        "unknown_card": _t("The card is not known to the network."),
        "bad_signature": _t("A signature does not verify (wrong PIN or a damaged card file)."),
        "unauthorized": _t("You are not allowed to do this."),
        "expired": _t("The transaction expired before the network ordered it."),
        "duplicate": _t("This transaction was already decided."),
        "insufficient_points": _t("The card does not hold enough points."),
        "points_over_limit": _t("The points requested exceed what the bank's contract allows."),
        "points_not_accepted": _t("These goods cannot be paid with this bank's points."),
        "no_points_contract": _t("The bank has no points contract."),
        "bad_amount": _t("The amount is not valid."),
        "bad_name": _t("The name is empty, too long or has control characters."),
        "bad_card_number": _t("The card number is not valid."),
        "malformed": _t("The request is not valid."),
        "card_exists": _t("A card with this number already exists."),
        "card_expired": _t("The card has expired."),
        "unknown_bank": _t("No such bank."),
        "unknown_merchant": _t("No such merchant."),
        "unknown_terminal": _t("No such terminal."),
        "unknown_sku": _t("An item is not in the merchant's catalogue."),
        "unknown_payment": _t("No such payment."),
        "amount_mismatch": _t("The total differs from the catalogue prices."),
        "merchant_exists": _t("A merchant with this id is already registered."),
        "merchant_not_active": _t("The merchant is not active."),
        "terminal_exists": _t("A terminal with this id is already registered."),
        "key_in_use": _t("This key is already registered to someone else."),
        "cycle_open": _t("The cycle is still open: settle it after the cut-off."),
        "already_settled": _t("This cycle is already settled."),
        "settlement_mismatch": _t("The statement does not match the chain."),
        "refund_too_large": _t("The refund is larger than what is left of the payment."),
        "not_frozen": _t("The card is not frozen."),
        "regulatory_hold": _t("The merchant is on a regulatory hold."),
    }
    return table.get(code, _t("Refused by the network rules (%1).").replace("%1", code))


def decision(code: str, message: str) -> str:
    """One line for a receipt's decision: the translated reason, then the node's detail."""
    head = reason(code)
    return head if code == "ok" or not message else f"{head} ({message})"


def status(value: str) -> str:
    table = {"active": _t("active"), "frozen": _t("frozen"), "lost": _t("lost"),
             "closed": _t("closed"), "open": _t("open"), "acknowledged": _t("acknowledged"),
             "hold": _t("on hold"), "warning": _t("warning"), "high": _t("high"),
             "critical": _t("critical")}
    return table.get(value, value)
