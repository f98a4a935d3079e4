"""Translated wording for what the ledger decides and reports: transaction kinds, reason
codes (a short label and a sentence), card and case statuses, compliance rules and what a
case found.

The node explains every refusal in English with specifics (amounts, masked numbers); the
screens lead with a translated sentence for the reason code and keep the node's text as the
detail, so nothing is lost in translation.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.statement_export import yuan as plain_yuan

REASONS: dict[str, str] = {
    "ok": QT_TRANSLATE_NOOP("Reasons", "Accepted"),
    "insufficient_funds": QT_TRANSLATE_NOOP(
        "Reasons", "The card's balance is too low for this payment."),
    "card_not_active": QT_TRANSLATE_NOOP(
        "Reasons", "The card is frozen, lost or closed and cannot be used."),
    "balance_cap": QT_TRANSLATE_NOOP("Reasons", "This would take the card over its balance limit."),
    "real_name_required": QT_TRANSLATE_NOOP(
        "Reasons", "Cards worth this much bought in one go need the buyer's real-name "
                   "registration."),
    "bank_transfer_required": QT_TRANSLATE_NOOP(
        "Reasons", "Cards worth this much are paid by bank transfer, not cash."),
    "cash_top_up_limit": QT_TRANSLATE_NOOP(
        "Reasons", "A top-up this large is paid by bank transfer, not cash."),
    "earlier_cycle_open": QT_TRANSLATE_NOOP(
        "Reasons", "An earlier cycle of this merchant has payments and is not settled: "
                   "settle it first."),
    "second_clerk_required": QT_TRANSLATE_NOOP(
        "Reasons", "The bank takes this from two clerks: it goes to a second clerk for "
                   "approval."),
    "unknown_proposal": QT_TRANSLATE_NOOP("Reasons", "No such proposal at this bank."),
    "proposal_decided": QT_TRANSLATE_NOOP("Reasons", "That proposal is already decided."),
    "same_clerk": QT_TRANSLATE_NOOP(
        "Reasons", "The clerk who proposed it cannot approve it: another clerk must."),
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
    "duplicate_order": QT_TRANSLATE_NOOP(
        "Reasons", "This order is already paid: look up its payment before charging again."),
    "wrong_chain": QT_TRANSLATE_NOOP(
        "Reasons", "The transaction was made for another network (chain id)."),
    "expiry_too_far": QT_TRANSLATE_NOOP(
        "Reasons", "The transaction's expiry is too far in the future."),
    "card_closed": QT_TRANSLATE_NOOP("Reasons", "The card is closed."),
    "anonymous_card": QT_TRANSLATE_NOOP(
        "Reasons", "Only a named (real-name) card can do this; this one is anonymous."),
    "transfer_not_allowed": QT_TRANSLATE_NOOP(
        "Reasons", "Transfers are between two different cards of the same bank."),
    "not_settled": QT_TRANSLATE_NOOP(
        "Reasons", "The cycle is not settled yet: close it before paying it out."),
    "already_paid": QT_TRANSLATE_NOOP("Reasons", "This was already paid on chain."),
    "payout_mismatch": QT_TRANSLATE_NOOP(
        "Reasons", "The amount differs from what the settlement says is owed."),
}

STATUSES: dict[str, str] = {
    "active": QT_TRANSLATE_NOOP("Reasons", "active"),
    "frozen": QT_TRANSLATE_NOOP("Reasons", "frozen"),
    "lost": QT_TRANSLATE_NOOP("Reasons", "lost"),
    "closed": QT_TRANSLATE_NOOP("Reasons", "closed"),
    "acknowledged": QT_TRANSLATE_NOOP("Reasons", "acknowledged"),
    "hold": QT_TRANSLATE_NOOP("Reasons", "on hold"),
    "warning": QT_TRANSLATE_NOOP("Reasons", "warning"),
    "high": QT_TRANSLATE_NOOP("Reasons", "high"),
    "critical": QT_TRANSLATE_NOOP("Reasons", "critical"),
    "info": QT_TRANSLATE_NOOP("Reasons", "info"),
}


KINDS: dict[str, str] = {
    "issue_card": QT_TRANSLATE_NOOP("Reasons", "card issued"),
    "top_up": QT_TRANSLATE_NOOP("Reasons", "top-up"),
    "pay": QT_TRANSLATE_NOOP("Reasons", "payment"),
    "refund": QT_TRANSLATE_NOOP("Reasons", "refund"),
    "freeze": QT_TRANSLATE_NOOP("Reasons", "freeze"),
    "unfreeze": QT_TRANSLATE_NOOP("Reasons", "unfreeze"),
    "report_lost": QT_TRANSLATE_NOOP("Reasons", "reported lost"),
    "close_card": QT_TRANSLATE_NOOP("Reasons", "card closed"),
    "accrue_points": QT_TRANSLATE_NOOP("Reasons", "points granted"),
    "set_points_contract": QT_TRANSLATE_NOOP("Reasons", "points contract"),
    "register_merchant": QT_TRANSLATE_NOOP("Reasons", "merchant registered"),
    "register_terminal": QT_TRANSLATE_NOOP("Reasons", "terminal registered"),
    "set_catalogue": QT_TRANSLATE_NOOP("Reasons", "catalogue"),
    "set_merchant_hold": QT_TRANSLATE_NOOP("Reasons", "merchant hold"),
    "settle": QT_TRANSLATE_NOOP("Reasons", "settlement"),
    "attest_custody": QT_TRANSLATE_NOOP("Reasons", "custody attested"),
    "case_update": QT_TRANSLATE_NOOP("Reasons", "case update"),
    "transfer": QT_TRANSLATE_NOOP("Reasons", "transfer"),
    "payout": QT_TRANSLATE_NOOP("Reasons", "merchant payout"),
    "settle_points": QT_TRANSLATE_NOOP("Reasons", "points settled"),
    "interbank": QT_TRANSLATE_NOOP("Reasons", "interbank settlement"),
    "expire_points": QT_TRANSLATE_NOOP("Reasons", "points expired"),
    "sell_cards": QT_TRANSLATE_NOOP("Reasons", "cards sold"),
    "propose": QT_TRANSLATE_NOOP("Reasons", "proposed for approval"),
    "approve": QT_TRANSLATE_NOOP("Reasons", "approved by a second clerk"),
    "decline": QT_TRANSLATE_NOOP("Reasons", "declined by a second clerk"),
}

CODES: dict[str, str] = {  # short labels for a table's decision column
    "ok": QT_TRANSLATE_NOOP("Reasons", "accepted"),
    "insufficient_funds": QT_TRANSLATE_NOOP("Reasons", "balance too low"),
    "card_not_active": QT_TRANSLATE_NOOP("Reasons", "card not active"),
    "balance_cap": QT_TRANSLATE_NOOP("Reasons", "over balance cap"),
    "real_name_required": QT_TRANSLATE_NOOP("Reasons", "real name required"),
    "unknown_card": QT_TRANSLATE_NOOP("Reasons", "unknown card"),
    "bad_signature": QT_TRANSLATE_NOOP("Reasons", "bad signature"),
    "unauthorized": QT_TRANSLATE_NOOP("Reasons", "not allowed"),
    "expired": QT_TRANSLATE_NOOP("Reasons", "expired"),
    "duplicate": QT_TRANSLATE_NOOP("Reasons", "duplicate"),
    "insufficient_points": QT_TRANSLATE_NOOP("Reasons", "points too low"),
    "points_over_limit": QT_TRANSLATE_NOOP("Reasons", "points over limit"),
    "points_not_accepted": QT_TRANSLATE_NOOP("Reasons", "points not accepted"),
    "no_points_contract": QT_TRANSLATE_NOOP("Reasons", "no points contract"),
    "bad_amount": QT_TRANSLATE_NOOP("Reasons", "bad amount"),
    "bad_name": QT_TRANSLATE_NOOP("Reasons", "bad name"),
    "bad_card_number": QT_TRANSLATE_NOOP("Reasons", "bad card number"),
    "malformed": QT_TRANSLATE_NOOP("Reasons", "malformed"),
    "card_exists": QT_TRANSLATE_NOOP("Reasons", "card exists"),
    "card_expired": QT_TRANSLATE_NOOP("Reasons", "card expired"),
    "unknown_bank": QT_TRANSLATE_NOOP("Reasons", "unknown bank"),
    "unknown_merchant": QT_TRANSLATE_NOOP("Reasons", "unknown merchant"),
    "unknown_terminal": QT_TRANSLATE_NOOP("Reasons", "unknown terminal"),
    "unknown_sku": QT_TRANSLATE_NOOP("Reasons", "unknown item"),
    "unknown_payment": QT_TRANSLATE_NOOP("Reasons", "unknown payment"),
    "amount_mismatch": QT_TRANSLATE_NOOP("Reasons", "total differs"),
    "merchant_exists": QT_TRANSLATE_NOOP("Reasons", "merchant exists"),
    "merchant_not_active": QT_TRANSLATE_NOOP("Reasons", "merchant not active"),
    "terminal_exists": QT_TRANSLATE_NOOP("Reasons", "terminal exists"),
    "key_in_use": QT_TRANSLATE_NOOP("Reasons", "key in use"),
    "cycle_open": QT_TRANSLATE_NOOP("Reasons", "cycle still open"),
    "already_settled": QT_TRANSLATE_NOOP("Reasons", "already settled"),
    "settlement_mismatch": QT_TRANSLATE_NOOP("Reasons", "statement mismatch"),
    "refund_too_large": QT_TRANSLATE_NOOP("Reasons", "refund too large"),
    "not_frozen": QT_TRANSLATE_NOOP("Reasons", "not frozen"),
    "regulatory_hold": QT_TRANSLATE_NOOP("Reasons", "regulatory hold"),
    "duplicate_order": QT_TRANSLATE_NOOP("Reasons", "order already paid"),
    "wrong_chain": QT_TRANSLATE_NOOP("Reasons", "wrong network"),
    "expiry_too_far": QT_TRANSLATE_NOOP("Reasons", "expiry too far"),
    "card_closed": QT_TRANSLATE_NOOP("Reasons", "closed card"),
    "anonymous_card": QT_TRANSLATE_NOOP("Reasons", "anonymous card"),
    "transfer_not_allowed": QT_TRANSLATE_NOOP("Reasons", "transfer not allowed"),
    "not_settled": QT_TRANSLATE_NOOP("Reasons", "not settled"),
    "already_paid": QT_TRANSLATE_NOOP("Reasons", "already paid"),
    "payout_mismatch": QT_TRANSLATE_NOOP("Reasons", "amount differs"),
    "bank_transfer_required": QT_TRANSLATE_NOOP("Reasons", "bank transfer required"),
    "cash_top_up_limit": QT_TRANSLATE_NOOP("Reasons", "cash over limit"),
    "earlier_cycle_open": QT_TRANSLATE_NOOP("Reasons", "earlier cycle open"),
    "second_clerk_required": QT_TRANSLATE_NOOP("Reasons", "needs a second clerk"),
    "unknown_proposal": QT_TRANSLATE_NOOP("Reasons", "unknown proposal"),
    "proposal_decided": QT_TRANSLATE_NOOP("Reasons", "already decided"),
    "same_clerk": QT_TRANSLATE_NOOP("Reasons", "same clerk"),
}

RULES: dict[str, tuple[str, str]] = {  # compliance rule: name, what it watches
    "balance_cap": (QT_TRANSLATE_NOOP("Reasons", "balance cap"), QT_TRANSLATE_NOOP(
        "Reasons", "A card held, or was refused for trying to exceed, the balance cap "
                   "(named %named, anonymous %anonymous).")),
    "real_name": (QT_TRANSLATE_NOOP("Reasons", "real name"), QT_TRANSLATE_NOOP(
        "Reasons", "Cards worth the real-name threshold (%threshold) or more were bought "
                   "in one go without the buyer's registration (before chain format 5: a "
                   "purchase that large with an anonymous card).")),
    "structuring": (QT_TRANSLATE_NOOP("Reasons", "split purchases"), QT_TRANSLATE_NOOP(
        "Reasons", "Several purchases by one card in one day, each just under a threshold.")),
    "bulk_cash": (QT_TRANSLATE_NOOP("Reasons", "bulk cash purchase"), QT_TRANSLATE_NOOP(
        "Reasons", "Prepaid value bought in cash above the bank-transfer threshold in one "
                   "day: per named holder (individual) or per bank's anonymous cards "
                   "(organisation).")),
    "rapid_spend": (QT_TRANSLATE_NOOP("Reasons", "rapid spending"), QT_TRANSLATE_NOOP(
        "Reasons", "A top-up followed by spending most of it within a short time.")),
    "refund_ratio": (QT_TRANSLATE_NOOP("Reasons", "refund ratio"), QT_TRANSLATE_NOOP(
        "Reasons", "A merchant whose refunds stand out against its takings and the other "
                   "merchants' in a cycle.")),
    "odd_hours": (QT_TRANSLATE_NOOP("Reasons", "odd hours"), QT_TRANSLATE_NOOP(
        "Reasons", "Payments or top-ups at odd hours (local time).")),
    "custody": (QT_TRANSLATE_NOOP("Reasons", "custody coverage"), QT_TRANSLATE_NOOP(
        "Reasons", "An issuer's custody deposit attested on chain covers too little of its "
                   "outstanding prepaid balances.")),
}

FINDINGS: dict[str, str] = {  # a case's facts["form"] -> its wording, %name for each fact
    "cap_refused": QT_TRANSLATE_NOOP(
        "Reasons", "%count refused attempt(s) to exceed the balance cap"),
    "cap_over": QT_TRANSLATE_NOOP("Reasons", "balance %balance is above the cap of %cap"),
    "real_name": QT_TRANSLATE_NOOP("Reasons", "an anonymous card tried to pay %amount"),
    "real_name_sale": QT_TRANSLATE_NOOP(
        "Reasons", "a sale of %amount of cards without the buyer's registration"),
    "structuring": QT_TRANSLATE_NOOP(
        "Reasons", "%count purchases in one day just under %threshold"),
    "bulk_cash": QT_TRANSLATE_NOOP(
        "Reasons", "%total of prepaid value loaded in one day (limit %limit without a bank "
                   "transfer)"),
    "rapid_spend": QT_TRANSLATE_NOOP(
        "Reasons", "%spent of a %amount top-up spent within %minutes minutes"),
    "refund_ratio": QT_TRANSLATE_NOOP(
        "Reasons", "refunds are %ratio_bp of takings in cycle %cycle (other merchants' "
                   "median %median_bp)"),
    "odd_hours": QT_TRANSLATE_NOOP(
        "Reasons", "%count transaction(s) between %from_hour:00 and %to_hour:00"),
    "custody": QT_TRANSLATE_NOOP(
        "Reasons", "custody deposit %custody covers %ratio_bp of %outstanding outstanding"),
}
AUDIT: list[str] = [  # what the audit (node/audit.py, certs.cert_problem) reports, %n = a part
    QT_TRANSLATE_NOOP("Reasons", "block missing"),
    QT_TRANSLATE_NOOP("Reasons", "block hash does not match its header"),
    QT_TRANSLATE_NOOP("Reasons", "header is not canonical"),
    QT_TRANSLATE_NOOP("Reasons", "does not link to the previous block"),
    QT_TRANSLATE_NOOP("Reasons", "transactions do not match the header's Merkle root"),
    QT_TRANSLATE_NOOP("Reasons", "header fields differ from the block row"),
    QT_TRANSLATE_NOOP("Reasons", "no commit certificate"),
    QT_TRANSLATE_NOOP("Reasons", "genesis block differs from the genesis file"),
    QT_TRANSLATE_NOOP("Reasons", "transaction %1 has an invalid signature"),
    QT_TRANSLATE_NOOP("Reasons", "a transaction cannot be decoded"),
    QT_TRANSLATE_NOOP("Reasons", "re-execution failed: %1"),
    QT_TRANSLATE_NOOP("Reasons", "re-execution gives another state root"),
    QT_TRANSLATE_NOOP("Reasons", "re-execution decides a transaction differently"),
    QT_TRANSLATE_NOOP("Reasons", "state table %1 unreadable"),
    QT_TRANSLATE_NOOP("Reasons", "commit certificate is malformed"),
    QT_TRANSLATE_NOOP("Reasons", "the block cannot be read: %1"),
    QT_TRANSLATE_NOOP("Reasons", "the database file is damaged: %1"),
    QT_TRANSLATE_NOOP("Reasons", "re-execution stopped: block %1 is missing"),
    QT_TRANSLATE_NOOP("Reasons", "table %1 differs from the chain: %2"),
    QT_TRANSLATE_NOOP("Reasons", "the result certificate does not hold: %1"),
    QT_TRANSLATE_NOOP("Reasons", "rows of table %1 name no block"),
    QT_TRANSLATE_NOOP("Reasons", "effects are missing inside the kept range"),
    QT_TRANSLATE_NOOP("Reasons", "the checkpoint proof does not hold"),
    QT_TRANSLATE_NOOP("Reasons", "state row %1 %2 is not written by any block"),
    QT_TRANSLATE_NOOP("Reasons", "state row %1 %2 is missing (last written at height %3)"),
    QT_TRANSLATE_NOOP("Reasons",
                      "state row %1 %2 differs from the chain in %3 (last written at height "
                      "%4)"),
    QT_TRANSLATE_NOOP("Reasons", "database metadata %1 is wrong"),
    QT_TRANSLATE_NOOP("Reasons", "the certificate is malformed: %1"),
    QT_TRANSLATE_NOOP("Reasons", "the certificate is for another block (batch id differs)"),
    QT_TRANSLATE_NOOP("Reasons", "a certificate entry is not a COMMIT for this block"),
    QT_TRANSLATE_NOOP("Reasons", "the certificate's view differs from its COMMITs'"),
    QT_TRANSLATE_NOOP("Reasons", "COMMIT from unknown validator %1"),
    QT_TRANSLATE_NOOP("Reasons", "the COMMIT of validator-%1 has a bad signature"),
    QT_TRANSLATE_NOOP("Reasons", "only %1 validators signed; %2 are needed"),
]
MONEY_FACTS = {"balance", "cap", "amount", "threshold", "total", "limit", "spent", "custody",
               "outstanding"}


def yuan(fen: int | None) -> str:
    """Money as a screen shows it: -¥1,234.50 (empty for no amount)."""
    if fen is None:
        return ""
    return f"{'-' if fen < 0 else ''}¥{plain_yuan(abs(int(fen)))}"


def _t(text: str, context: str = "Reasons") -> str:
    return QCoreApplication.translate(context, text)


def reason(code: str) -> str:
    src = REASONS.get(code)
    if src is None:
        return _t(QT_TRANSLATE_NOOP("Reasons", "Refused by the network rules (%1).")).replace(
            "%1", code)
    return _t(src)


_FEN = re.compile(r"(-?\d+) fen\b")


# the language on screen (ui/shell.Languages keeps it): a node's detail is English
LANGUAGE = {"current": "en"}

# the node's details a cashier or a clerk meets most, worded in the screen's language
# (the node's English text, amounts in fen, matched whole; %n are its groups in order)
_DETAILS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"card (\S+) holds (\d+) fen; (\d+) fen is (?:due|asked)"),
     QT_TRANSLATE_NOOP("Detail", "card %1 holds %2; %3 is due"), "tmm"),
    (re.compile(r"an anonymous card may hold at most (\d+) fen; this would make (\d+) fen "
                r"on card (\S+)"),
     QT_TRANSLATE_NOOP("Detail", "an anonymous card may hold at most %1; this would make "
                                 "%2 on card %3"), "mmt"),
    (re.compile(r"a named card may hold at most (\d+) fen; this would make (\d+) fen "
                r"on card (\S+)"),
     QT_TRANSLATE_NOOP("Detail", "a named card may hold at most %1; this would make %2 "
                                 "on card %3"), "mmt"),
    (re.compile(r"card (\S+) is (frozen|lost|closed)"),
     QT_TRANSLATE_NOOP("Detail", "card %1 is %2"), "ts"),
    (re.compile(r"card (\S+) has expired"), QT_TRANSLATE_NOOP("Detail", "card %1 has expired"),
     "t"),
    (re.compile(r"only (\d+) fen of that payment is left to refund"),
     QT_TRANSLATE_NOOP("Detail", "only %1 of that payment is left to refund"), "m"),
    (re.compile(r"bank (\S+) takes (\w+) from two clerks: propose it and have another clerk "
                r"approve it"),
     QT_TRANSLATE_NOOP("Detail", "bank %1 takes “%2” from two clerks: it goes to another "
                                 "clerk for approval"), "tk"),
]


def detail(message: str) -> str:
    """The node's detail of a refusal in the screen's language: a known one worded there,
    else (in English) the node's text with its amounts in yuan, else the amounts alone."""
    for pattern, template, kinds in _DETAILS:
        m = pattern.fullmatch(message)
        if m:
            out = _t(template, "Detail")
            for i, (k, g) in enumerate(zip(kinds, m.groups(), strict=True), 1):
                shown = {"m": lambda v: yuan(int(v)), "s": status, "k": kind}.get(
                    k, lambda v: v)(g)
                out = out.replace(f"%{i}", shown)
            return out
    if LANGUAGE["current"] == "en":
        return _FEN.sub(lambda m: yuan(int(m.group(1))), message)
    amounts = [yuan(int(a)) for a in _FEN.findall(message)]
    if not amounts:
        return ""
    return _t(QT_TRANSLATE_NOOP("Detail", "amounts: %1"), "Detail").replace(
        "%1", ", ".join(amounts))


def decision(code: str, message: str) -> str:
    """One line for a receipt's decision: the translated reason, then the node's detail
    in the same language (``detail``)."""
    head = reason(code)
    more = detail(message) if code != "ok" and message else ""
    return f"{head} ({more})" if more else head


# a compliance case's state, in words of its own: a cycle is "open" too, a card "closed"
CASE_STATUSES: dict[str, str] = {
    "open": QT_TRANSLATE_NOOP("CaseStatus", "open"),
    "acknowledged": QT_TRANSLATE_NOOP("CaseStatus", "acknowledged"),
    "closed": QT_TRANSLATE_NOOP("CaseStatus", "closed"),
}


def case_status(value: str) -> str:
    src = CASE_STATUSES.get(value)
    return value if src is None else _t(src, "CaseStatus")


def status(value: str) -> str:
    src = STATUSES.get(value)
    return value if src is None else _t(src)


def kind(value: str) -> str:
    src = KINDS.get(value)
    return value if src is None else _t(src)


def code(value: str) -> str:
    src = CODES.get(value)
    return value if src is None else _t(src)


def rule_name(rule: str) -> str:
    src = RULES.get(rule)
    return rule if src is None else _t(src[0])


def rule_doc(rule: str, limits: dict[str, int]) -> str:
    """What a compliance rule watches, with the consortium's own limits (``limits``: fen by
    placeholder, app.model.rule_limits)."""
    src = RULES.get(rule)
    if src is None:
        return ""
    text = _t(src[1])
    for key, fen in limits.items():
        text = text.replace(f"%{key}", yuan(fen))
    return text


def finding(case: dict[str, Any]) -> str:
    """What a compliance case found, in the screen's language; the node's English detail
    when the case carries no facts this version knows."""
    facts = case.get("facts") or {}
    src = FINDINGS.get(str(facts.get("form", "")))
    if src is None:
        return str(case.get("detail", ""))
    text = _t(src)
    for key in sorted(facts, key=len, reverse=True):  # %median_bp before %m...
        v = facts[key]
        if key in MONEY_FACTS:
            shown = yuan(int(v))
        elif key.endswith("_bp"):
            shown = f"{int(v) / 100:.1f}%"
        elif key.endswith("_hour"):
            shown = f"{int(v):02d}"
        else:
            shown = f"{v:,}" if isinstance(v, int) and key != "cycle" else str(v)
        text = text.replace(f"%{key}", shown)
    return text


def audit_wording(finding: str) -> tuple[str, tuple[str, ...]] | None:
    """The wording (with %n) an audit finding was made from, and its parts; None for a
    finding this version has no wording for."""
    template = getattr(finding, "template", finding)
    if template not in AUDIT:
        return None
    return template, tuple(getattr(finding, "parts", ()))


def audit_problem(finding: str) -> str:
    """An audit finding in the screen's language (its English text when no wording is
    known)."""
    found = audit_wording(finding)
    if found is None:
        return str(finding)
    out = _t(found[0])
    for i in range(len(found[1]), 0, -1):  # %10 before %1
        out = out.replace(f"%{i}", found[1][i - 1])
    return out
