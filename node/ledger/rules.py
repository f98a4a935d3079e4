"""The rule table: one entry per transaction kind, with its fields and its rule function.

Each rule checks the signer's role, validates its body and either raises ``Rejected`` or
changes state through ``Ctx`` (which records balanced postings).  Account names:

=============================  =======  ================================================
account                        asset    meaning
=============================  =======  ================================================
``card:N``                     CNY      stored value on card N
``pts:B:N``                    PTS:B    bank B's points held by card N
``bank:B:float``               CNY      cash bank B took in for prepaid value (negative)
``bank:B:points_pool``         PTS:B    points bank B has not yet granted
``bank:B:points_payable``      CNY      cash bank B owes merchants for redeemed points
``bank:B:fees``                CNY      acquiring fees earned by bank B
``merchant:M``                 CNY      merchant M's takings not yet settled
``merchant:M:settled``         CNY      merchant M's settled net amounts, until paid out
``bank:B:paid_out``            CNY      what acquirer B paid merchants out, less what the
                                        points banks and the issuers paid it back
=============================  =======  ================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from node.ledger import tx as f
from node.ledger.errors import Reason, Rejected
from node.ledger.state import Ctx, Row

CNY = "CNY"


def pts_asset(bank: str) -> str:
    return f"PTS:{bank}"


def card_acct(number: str) -> str:
    return f"card:{number}"


def pts_acct(bank: str, number: str) -> str:
    return f"pts:{bank}:{number}"


@dataclass(frozen=True)
class Rule:
    kind: str
    required: frozenset[str]
    optional: frozenset[str]
    apply: Callable[[Ctx, dict[str, Any]], None]


RULES: dict[str, Rule] = {}


def rule(kind: str, required: set[str], optional: set[str] | None = None) \
        -> Callable[[Callable[[Ctx, dict[str, Any]], None]], Callable[[Ctx, dict[str, Any]], None]]:
    def deco(fn: Callable[[Ctx, dict[str, Any]], None]) -> Callable[[Ctx, dict[str, Any]], None]:
        if kind in RULES:
            raise AssertionError(f"rule {kind} defined twice")
        RULES[kind] = Rule(kind, frozenset(required), frozenset(optional or ()), fn)
        return fn
    return deco


# --- shared look-ups ------------------------------------------------------------------------

def bank(ctx: Ctx, bank_id: Any) -> Row:
    row = ctx.get("banks", bank_id) if isinstance(bank_id, str) else None
    if row is None:
        raise Rejected(Reason.UNKNOWN_BANK, f"no bank {bank_id!r}")
    return row


def card(ctx: Ctx, number: Any) -> Row:
    number = f.card_number(number)
    row = ctx.get("cards", number)
    if row is None:
        raise Rejected(Reason.UNKNOWN_CARD, f"no card {mask(number)}")
    return row


def usable_card(ctx: Ctx, number: str) -> Row:
    row = card(ctx, number)
    if row["status"] == "closed":
        raise Rejected(Reason.CARD_CLOSED, f"card {mask(number)} is closed")
    if row["status"] != "active":
        raise Rejected(Reason.CARD_NOT_ACTIVE, f"card {mask(number)} is {row['status']}")
    if ctx.time >= row["expires"]:
        raise Rejected(Reason.CARD_EXPIRED, f"card {mask(number)} has expired")
    return row


def merchant(ctx: Ctx, merchant_id: Any) -> Row:
    row = ctx.get("merchants", merchant_id) if isinstance(merchant_id, str) else None
    if row is None:
        raise Rejected(Reason.UNKNOWN_MERCHANT, f"no merchant {merchant_id!r}")
    return row


def active_terminal(ctx: Ctx, terminal_id: Any) -> tuple[Row, Row]:
    row = ctx.get("terminals", terminal_id) if isinstance(terminal_id, str) else None
    if row is None:
        raise Rejected(Reason.UNKNOWN_TERMINAL, f"no terminal {terminal_id!r}")
    m = merchant(ctx, row["merchant"])
    if m["status"] != "active":
        raise Rejected(Reason.MERCHANT_NOT_ACTIVE,
                       f"merchant {row['merchant']} is {m['status']}")
    if row["status"] != "active":
        raise Rejected(Reason.UNKNOWN_TERMINAL, f"terminal {terminal_id} is {row['status']}")
    ctx.require_key(row["public_key"], f"terminal {terminal_id}")
    ctx.merchant = row["merchant"]
    return row, m


def cap_for(ctx: Ctx, card_row: Row) -> int:
    key = "named_balance_cap" if card_row["named"] else "anonymous_balance_cap"
    return ctx.limits[key]


def check_cap(ctx: Ctx, card_row: Row, number: str, new_balance: int) -> None:
    cap = cap_for(ctx, card_row)
    if new_balance > cap:
        kind = "a named" if card_row["named"] else "an anonymous"
        raise Rejected(Reason.BALANCE_CAP,
                       f"{kind} card may hold at most {cap} fen; this would make "
                       f"{new_balance} fen on card {mask(number)}")


def contracts(ctx: Ctx) -> dict[str, dict[str, int] | None]:
    out: dict[str, dict[str, int] | None] = {}
    for b in ctx.bank_ids:
        row = ctx.get("banks", b)
        out[b] = None if row is None else row.get("points_contract")
    return out


def points_balances(ctx: Ctx, number: str) -> dict[str, int]:
    return {b: ctx.balance(pts_acct(b, number)) for b in ctx.bank_ids}


def add_principal(ctx: Ctx, public: str, role: str, entity: str) -> None:
    if ctx.get("principals", public) is not None:
        raise Rejected(Reason.KEY_IN_USE, "this public key is already registered")
    ctx.put("principals", public, {"role": role, "entity": entity})


def mask(number: str) -> str:
    """Card numbers in messages show only the last four digits."""
    return f"****{number[-4:]}" if isinstance(number, str) and len(number) > 4 else "****"
