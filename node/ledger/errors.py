"""Stable rejection reasons.

A transaction that breaks a rule is *decided*, not dropped: it is stored in its block with
one of these codes and a human message.  Codes are part of the protocol (they feed the
state root), so they never change meaning; new ones may be added.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    MALFORMED = "malformed"              # wrong shape, unknown field, bad type
    BAD_AMOUNT = "bad_amount"            # zero, negative, float, above 10^12 fen
    BAD_NAME = "bad_name"                # empty, too long, control characters
    BAD_SIGNATURE = "bad_signature"      # a signature does not verify
    WRONG_CHAIN = "wrong_chain"
    UNAUTHORIZED = "unauthorized"        # signer lacks the role for this transaction
    EXPIRED = "expired"
    EXPIRY_TOO_FAR = "expiry_too_far"
    DUPLICATE = "duplicate"              # this transaction id was already decided
    UNKNOWN_CARD = "unknown_card"
    CARD_EXISTS = "card_exists"
    CARD_NOT_ACTIVE = "card_not_active"  # frozen, lost or closed
    CARD_CLOSED = "card_closed"
    CARD_EXPIRED = "card_expired"
    BAD_CARD_NUMBER = "bad_card_number"  # length, digits, Luhn, BIN of another bank
    BALANCE_CAP = "balance_cap"          # named / anonymous card balance limit
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INSUFFICIENT_POINTS = "insufficient_points"
    REAL_NAME_REQUIRED = "real_name_required"
    UNKNOWN_BANK = "unknown_bank"
    UNKNOWN_MERCHANT = "unknown_merchant"
    MERCHANT_EXISTS = "merchant_exists"
    MERCHANT_NOT_ACTIVE = "merchant_not_active"
    UNKNOWN_TERMINAL = "unknown_terminal"
    TERMINAL_EXISTS = "terminal_exists"
    KEY_IN_USE = "key_in_use"
    UNKNOWN_SKU = "unknown_sku"
    AMOUNT_MISMATCH = "amount_mismatch"  # declared total differs from catalogue prices
    POINTS_NOT_ACCEPTED = "points_not_accepted"
    POINTS_OVER_LIMIT = "points_over_limit"
    NO_POINTS_CONTRACT = "no_points_contract"
    UNKNOWN_PAYMENT = "unknown_payment"
    REFUND_TOO_LARGE = "refund_too_large"
    CYCLE_OPEN = "cycle_open"            # settlement before the cycle's cut-off
    ALREADY_SETTLED = "already_settled"
    SETTLEMENT_MISMATCH = "settlement_mismatch"
    NOT_FROZEN = "not_frozen"
    REGULATORY_HOLD = "regulatory_hold"
    DUPLICATE_ORDER = "duplicate_order"  # the merchant's order already has a payment
    ANONYMOUS_CARD = "anonymous_card"    # an act the rules allow named cards only
    TRANSFER_NOT_ALLOWED = "transfer_not_allowed"  # other issuer, same card, not named
    NOT_SETTLED = "not_settled"          # a payout for a cycle not settled yet
    ALREADY_PAID = "already_paid"        # that payout or points settlement is on chain
    PAYOUT_MISMATCH = "payout_mismatch"  # the amount is not what the settlement says
    BANK_TRANSFER_REQUIRED = "bank_transfer_required"  # cards bought in cash over the limit
    CASH_TOP_UP_LIMIT = "cash_top_up_limit"  # a top-up in cash at or over the payer's limit
    EARLIER_CYCLE_OPEN = "earlier_cycle_open"  # a merchant's earlier cycle is not settled
    SECOND_CLERK_REQUIRED = "second_clerk_required"  # the bank takes this act from two clerks
    UNKNOWN_PROPOSAL = "unknown_proposal"
    PROPOSAL_DECIDED = "proposal_decided"  # approved or declined already
    SAME_CLERK = "same_clerk"  # the clerk who proposed cannot approve


class Rejected(Exception):
    """A rule was broken: the transaction is decided as rejected with this reason."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message


class LedgerBug(AssertionError):
    """Our own invariant broke (e.g. unbalanced postings): never a client's fault."""
