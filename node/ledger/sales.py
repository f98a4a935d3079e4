"""Selling prepaid value (chain format 5): the PRC prepaid-card rules applied to the acts
they govern, checked by every validator.

The rules (State Council General Office, Guo Ban Fa [2011] No. 25, "Opinions on
regulating commercial prepaid cards"; MOFCOM Order 2012 No. 9, "Measures for the
administration of single-purpose commercial prepaid cards (trial)"):

* real-name registration of the buyer when one buyer purchases cards worth 10,000 CNY or
  more in one go (``real_name_threshold``): ``sell_cards`` without the buyer's sealed
  details is refused ``real_name_required``;
* an organisation paying 5,000 CNY or more in one go, or a person 50,000 CNY or more,
  pays by bank transfer, not cash (``organisation_cash_limit``, ``person_cash_limit``):
  a card purchase is refused ``bank_transfer_required``, a top-up ``cash_top_up_limit``;
* every load of value records how it was paid (``payment``: method, payer, and the bank
  transfer's reference); a load that names none is cash from a person, and the limits
  apply to it as such;
* prepaid cards are not bought on credit: the methods are cash, bank transfer and debit
  card.
"""

from __future__ import annotations

from typing import Any

from node.ledger import tx as f
from node.ledger.errors import Reason, Rejected
from node.ledger.genesis import SALE_LIMITS
from node.ledger.state import Ctx

METHODS = ("cash", "transfer", "debit_card")
PAYERS = ("person", "organisation")
CASH_DEFAULT = {"method": "cash", "payer": "person"}


def limit(ctx: Ctx, key: str) -> int:
    return int(ctx.limits.get(key, SALE_LIMITS[key]))


def payment_terms(ctx: Ctx, raw: Any, amount: int, reason: Reason, what: str) \
        -> dict[str, Any]:
    """The checked ``payment`` of a load of ``amount`` fen (cash from a person when none is
    named); refused with ``reason`` when it is cash at or above the payer's limit."""
    if raw is None:
        pay = dict(CASH_DEFAULT)
    else:
        if not isinstance(raw, dict):
            raise Rejected(Reason.MALFORMED, "payment must be an object")
        f.check_body(raw, {"method", "payer"}, {"reference"})
        pay = dict(raw)
    if pay["method"] not in METHODS:
        raise Rejected(Reason.MALFORMED, f"payment method must be one of {', '.join(METHODS)}"
                                         " (prepaid value is not bought on credit)")
    if pay["payer"] not in PAYERS:
        raise Rejected(Reason.MALFORMED, f"payer must be one of {', '.join(PAYERS)}")
    if pay["method"] == "transfer":
        if "reference" not in pay:
            raise Rejected(Reason.MALFORMED, "a bank transfer names its reference")
        f.ident(pay["reference"], "bank transfer reference")
    elif "reference" in pay:
        raise Rejected(Reason.MALFORMED, "only a bank transfer has a reference")
    cap = limit(ctx, f"{pay['payer']}_cash_limit")
    if pay["method"] == "cash" and amount >= cap:
        who = "an organisation" if pay["payer"] == "organisation" else "a person"
        raise Rejected(reason, f"{what} of {amount} fen in cash by {who}: {cap} fen or more "
                               "in one go is paid by bank transfer")
    return pay


def check_real_name(ctx: Ctx, total: int, registered: bool) -> None:
    """Cards worth ``real_name_threshold`` or more bought in one go need the buyer's
    registration."""
    if not registered and total >= ctx.limits["real_name_threshold"]:
        raise Rejected(Reason.REAL_NAME_REQUIRED,
                       f"a purchase of {total} fen of cards in one go (at or above "
                       f"{ctx.limits['real_name_threshold']} fen) needs the buyer's "
                       "real-name registration")
