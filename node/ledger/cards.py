"""Card rules: issue, top up, freeze, unfreeze, report lost, close, accrue points."""

from __future__ import annotations

from typing import Any

from node import crypto
from node.ledger import lots, sales
from node.ledger import tx as f
from node.ledger.errors import Reason, Rejected
from node.ledger.rules import (
    CNY,
    add_principal,
    bank,
    card,
    card_acct,
    check_cap,
    mask,
    rule,
    usable_card,
)
from node.ledger.state import Ctx, Row

MAX_VALIDITY_MS = 20 * 365 * 86_400_000
MAX_CARDS = 100  # cards in one sale
RECEIVED_KEPT = 20  # transfers a card received, kept on its account row for its history
CARD_STATUSES = ("active", "frozen", "lost", "closed")


def _new_card(ctx: Ctx, bank_id: str, number: Any, public: Any, expires: Any) -> str:
    number = f.card_number(number)
    ctx.card = number
    brow = bank(ctx, bank_id)
    if not number.startswith(brow["bin"]):
        raise Rejected(Reason.BAD_CARD_NUMBER,
                       f"card numbers of {bank_id} start with {brow['bin']}")
    if ctx.get("cards", number) is not None:
        raise Rejected(Reason.CARD_EXISTS, f"card {mask(number)} already exists")
    f.public_key(public, "card key")
    f.integer(expires, "expires", ctx.time + 1, ctx.time + MAX_VALIDITY_MS)
    return number


def _issuer(ctx: Ctx, number: Any) -> tuple[str, Row]:
    row = card(ctx, number)
    ctx.card = number
    ctx.bank = row["bank"]
    return number, row


def sealed_details(value: Any) -> dict[str, Any]:
    """A named card's personal details as the chain keeps them (chain format 4): a salted
    commitment to them, and an envelope of them for the issuing bank and one for the
    regulator (node/crypto.py ``seal_to``; app/holder.py makes and opens them).  A validator
    checks their form; it cannot read them."""
    if not isinstance(value, dict):
        raise Rejected(Reason.MALFORMED, "pii must be an object")
    f.check_body(value, {"commitment", "bank", "regulator"}, set())
    f.hex64(value["commitment"], "pii commitment")
    for who in ("bank", "regulator"):
        if not crypto.envelope_well_formed(value[who]):
            raise Rejected(Reason.MALFORMED, f"pii.{who} is not a well-formed envelope")
    return value


def _holder_fields(ctx: Ctx, b: dict[str, Any], named: bool) -> tuple[Any, Any, Any]:
    """(holder name in clear, id_hash, sealed details) of an issue_card body.  From chain
    format 4 a name never goes on chain in clear: a named card carries ``pii`` instead, and
    ``id_hash`` (a keyed hash of the ID number) lets the rules count a holder's cards."""
    sealed = ctx.chain_format >= 4
    needs = {"id_hash", "pii"} if sealed else {"holder", "id_hash"}
    given = {"holder", "id_hash", "pii"} & b.keys()
    if not named:
        if given:
            raise Rejected(Reason.MALFORMED, "an anonymous card carries no holder details")
        return None, None, None
    if given != needs:
        raise Rejected(Reason.MALFORMED, f"a named card needs {' and '.join(sorted(needs))}"
                       + (" (its holder's name only sealed)" if sealed else ""))
    id_hash = f.hex64(b["id_hash"], "id_hash")
    if sealed:
        return None, id_hash, sealed_details(b["pii"])
    return f.name(b["holder"], "holder name"), id_hash, None


def card_row(ctx: Ctx, bank_id: str, public: str, named: bool, expires: int,
             holder: str | None = None, id_hash: str | None = None) -> Row:
    return {
        "bank": bank_id, "public_key": public, "named": named, "holder": holder,
        "id_hash": id_hash, "status": "active", "frozen_by": None, "expires": expires,
        "issued": ctx.time, "replaced_by": None, "replaces": None,
    }


def _payment(ctx: Ctx, b: dict[str, Any], amount: int, reason: Reason, what: str) -> None:
    """From chain format 5 a load of value says how it was paid (``payment``) and the
    cash limits apply to it (node/ledger/sales.py); before, it has no such field."""
    if ctx.chain_format >= 5:
        sales.payment_terms(ctx, b.get("payment"), amount, reason, what)
    elif "payment" in b:
        raise Rejected(Reason.MALFORMED, "payment terms need chain format 5")


@rule("issue_card", {"card", "bank", "public_key", "named", "expires"},
      {"holder", "id_hash", "pii", "deposit", "payment"})
def issue_card(ctx: Ctx, b: dict[str, Any]) -> None:
    bank(ctx, b["bank"])
    ctx.bank = b["bank"]
    ctx.require("clerk", b["bank"], "issuing a card")
    number = _new_card(ctx, b["bank"], b["card"], b["public_key"], b["expires"])
    named = f.boolean(b["named"], "named")
    holder, id_hash, pii = _holder_fields(ctx, b, named)
    row = card_row(ctx, b["bank"], b["public_key"], named, b["expires"], holder, id_hash)
    if pii is not None:
        row["pii"] = pii
    if "payment" in b and "deposit" not in b:
        raise Rejected(Reason.MALFORMED, "payment terms go with a deposit")
    add_principal(ctx, b["public_key"], "card", number)
    ctx.put("cards", number, row)
    if "deposit" in b:
        deposit = f.amount(b["deposit"], "opening deposit")
        ctx.amount = deposit
        check_cap(ctx, row, number, deposit)
        _payment(ctx, b, deposit, Reason.BANK_TRANSFER_REQUIRED, "a card purchase")
        ctx.post(card_acct(number), CNY, deposit)
        ctx.post(f"bank:{b['bank']}:float", CNY, -deposit)
        lots.earn_points(ctx, number, row, deposit, top_up=True)


@rule("top_up", {"card", "amount"}, {"payment"})
def top_up(ctx: Ctx, b: dict[str, Any]) -> None:
    number, row = _issuer(ctx, b["card"])
    ctx.require("clerk", row["bank"], "a top-up")
    amount = f.amount(b["amount"])
    ctx.amount = amount
    usable_card(ctx, number)
    check_cap(ctx, row, number, ctx.balance(card_acct(number)) + amount)
    _payment(ctx, b, amount, Reason.CASH_TOP_UP_LIMIT, "a top-up")
    ctx.post(card_acct(number), CNY, amount)
    ctx.post(f"bank:{row['bank']}:float", CNY, -amount)
    lots.earn_points(ctx, number, row, amount, top_up=True)


def _reason(ctx: Ctx, b: dict[str, Any]) -> dict[str, Any]:
    """The reason a clerk or the regulator gives for freezing, unfreezing, closing or
    reporting a card lost (chain format 5): on chain in the body, and on the card's row
    for its current state."""
    if "reason" not in b:
        return {}
    if ctx.chain_format < 5:
        raise Rejected(Reason.MALFORMED, "a reason on chain needs chain format 5")
    return {"reason": f.name(b["reason"], "reason")}


def _state(row: Row, why: dict[str, Any], **changes: Any) -> Row:
    """The card's row in its new state, with this act's reason (or none: an earlier
    reason does not stay on a card whose state it no longer explains)."""
    new = {**row, **changes}
    new.pop("reason", None)
    return {**new, **why}


@rule("freeze", {"card"}, {"reason"})
def freeze(ctx: Ctx, b: dict[str, Any]) -> None:
    number, row = _issuer(ctx, b["card"])
    why = _reason(ctx, b)
    by = "regulator" if ctx.signed_as("regulator") else "bank"
    if by == "bank":
        ctx.require("clerk", row["bank"], "freezing a card")
    if row["status"] not in ("active", "frozen"):
        raise Rejected(Reason.CARD_NOT_ACTIVE, f"card {mask(number)} is {row['status']}")
    if row["status"] == "frozen" and (row["frozen_by"] == "regulator" or by == "bank"):
        raise Rejected(Reason.CARD_NOT_ACTIVE, f"card {mask(number)} is already frozen")
    ctx.put("cards", number, _state(row, why, status="frozen", frozen_by=by))


@rule("unfreeze", {"card"}, {"reason"})
def unfreeze(ctx: Ctx, b: dict[str, Any]) -> None:
    number, row = _issuer(ctx, b["card"])
    why = _reason(ctx, b)
    if row["status"] != "frozen":
        raise Rejected(Reason.NOT_FROZEN, f"card {mask(number)} is {row['status']}")
    if row["frozen_by"] == "regulator":
        if not ctx.signed_as("regulator"):
            raise Rejected(Reason.REGULATORY_HOLD,
                           f"card {mask(number)} is under a regulatory hold")
    else:
        ctx.require("clerk", row["bank"], "unfreezing a card")
    ctx.put("cards", number, _state(row, why, status="active", frozen_by=None))


def _movable(ctx: Ctx, number: str, row: Row) -> None:
    if row["status"] in ("lost", "closed"):
        raise Rejected(Reason.CARD_NOT_ACTIVE, f"card {mask(number)} is {row['status']}")
    if row["frozen_by"] == "regulator":
        raise Rejected(Reason.REGULATORY_HOLD,
                       f"card {mask(number)} is under a regulatory hold")


@rule("report_lost", {"card", "new_card", "new_public_key", "new_expires"}, {"reason"})
def report_lost(ctx: Ctx, b: dict[str, Any]) -> None:
    number, row = _issuer(ctx, b["card"])
    why = _reason(ctx, b)
    ctx.require("clerk", row["bank"], "reporting a card lost")
    if ctx.chain_format >= 4 and not row["named"]:
        # single-purpose prepaid card rules (MOFCOM 2012, art. 17): an anonymous card is
        # not reported lost; only a named (real-name) card is replaced with its balance
        raise Rejected(Reason.ANONYMOUS_CARD,
                       f"card {mask(number)} is anonymous: only a named card can be reported "
                       "lost and replaced")
    _movable(ctx, number, row)
    new = _new_card(ctx, row["bank"], b["new_card"], b["new_public_key"], b["new_expires"])
    ctx.card = number
    add_principal(ctx, b["new_public_key"], "card", new)
    ctx.put("cards", new, _state(row, {}, public_key=b["new_public_key"], status="active",
                                 frozen_by=None, expires=b["new_expires"], issued=ctx.time,
                                 replaced_by=None, replaces=number))
    ctx.put("cards", number, _state(row, why, status="lost", replaced_by=new))
    balance = ctx.balance(card_acct(number))
    ctx.amount = balance
    ctx.post(card_acct(number), CNY, -balance)
    ctx.post(card_acct(new), CNY, balance)
    for bank_id in ctx.bank_ids:
        lots.move_all(ctx, bank_id, number, new)


@rule("close_card", {"card"}, {"reason"})
def close_card(ctx: Ctx, b: dict[str, Any]) -> None:
    number, row = _issuer(ctx, b["card"])
    why = _reason(ctx, b)
    ctx.require("clerk", row["bank"], "closing a card")
    _movable(ctx, number, row)
    balance = ctx.balance(card_acct(number))
    ctx.amount = balance
    ctx.post(card_acct(number), CNY, -balance)
    ctx.post(f"bank:{row['bank']}:float", CNY, balance)
    for bank_id in ctx.bank_ids:
        lots.move_all(ctx, bank_id, number, None)
    ctx.put("cards", number, _state(row, why, status="closed", frozen_by=None))


@rule("transfer", {"card", "to_card", "amount"})
def transfer(ctx: Ctx, b: dict[str, Any]) -> None:
    """Balance from one named card to another of the same issuer, at its desk (chain format
    4): both cards usable, the receiving one within the named card's balance cap."""
    if ctx.chain_format < 4:
        raise Rejected(Reason.MALFORMED, "card-to-card transfers need chain format 4")
    number, row = _issuer(ctx, b["card"])
    ctx.require("clerk", row["bank"], "a card-to-card transfer")
    to = f.card_number(b["to_card"])
    to_row = card(ctx, to)
    amount = f.amount(b["amount"])
    ctx.card, ctx.amount = number, amount
    if to == number:
        raise Rejected(Reason.TRANSFER_NOT_ALLOWED, "a card cannot transfer to itself")
    if to_row["bank"] != row["bank"]:
        raise Rejected(Reason.TRANSFER_NOT_ALLOWED,
                       f"card {mask(to)} is issued by {to_row['bank']}, not {row['bank']}")
    if not (row["named"] and to_row["named"]):
        raise Rejected(Reason.ANONYMOUS_CARD, "transfers are between named cards only")
    usable_card(ctx, number)
    usable_card(ctx, to)
    ctx.card = number
    balance = ctx.balance(card_acct(number))
    if amount > balance:
        raise Rejected(Reason.INSUFFICIENT_FUNDS,
                       f"card {mask(number)} holds {balance} fen; {amount} fen is asked")
    check_cap(ctx, to_row, to, ctx.balance(card_acct(to)) + amount)
    ctx.post(card_acct(number), CNY, -amount)
    keep = None
    if ctx.chain_format >= 5:  # the receiving card's history shows it (its row, written anyway)
        got = (ctx.get("accounts", card_acct(to)) or {}).get("received") or []
        keep = {"received": [*got, [ctx.tx.hex_id, amount, mask(number)]][-RECEIVED_KEPT:]}
    ctx.post(card_acct(to), CNY, amount, keep)


@rule("accrue_points", {"card", "bank", "points"})
def accrue_points(ctx: Ctx, b: dict[str, Any]) -> None:
    bank(ctx, b["bank"])
    ctx.bank = b["bank"]
    ctx.require("clerk", b["bank"], "granting points")
    number, row = b["card"], card(ctx, b["card"])
    ctx.card = number
    if row["status"] in ("lost", "closed"):
        raise Rejected(Reason.CARD_NOT_ACTIVE, f"card {mask(number)} is {row['status']}")
    points = f.integer(b["points"], "points", 1, f.MAX_AMOUNT)
    ctx.amount = points
    lots.credit(ctx, b["bank"], number, points)
    lots.pool(ctx, b["bank"], -points, "granted")


@rule("sell_cards", {"bank", "cards", "payment"}, {"buyer"})
def sell_cards(ctx: Ctx, b: dict[str, Any]) -> None:
    """One buyer buys anonymous cards in one go, each with its value, at the issuer's
    desk; the sale is recorded with how it was paid and, at or above the real-name
    threshold, the buyer's sealed details (checked in form, like a holder's)."""
    if ctx.chain_format < 5:
        raise Rejected(Reason.MALFORMED, "card sales need chain format 5")
    brow = bank(ctx, b["bank"])
    bank_id = b["bank"]
    ctx.bank = bank_id
    ctx.require("clerk", bank_id, "selling cards")
    cards = b["cards"]
    if not isinstance(cards, list) or not 1 <= len(cards) <= MAX_CARDS:
        raise Rejected(Reason.MALFORMED, f"cards must be a list of 1 to {MAX_CARDS} cards")
    seen: set[str] = set()
    for c in cards:
        if not isinstance(c, dict):
            raise Rejected(Reason.MALFORMED, "each card is {card, public_key, expires, deposit}")
        f.check_body(c, {"card", "public_key", "expires", "deposit"}, set())
        number = f.card_number(c["card"])
        if number in seen:
            raise Rejected(Reason.MALFORMED, f"card {mask(number)} is listed twice")
        seen.add(number)
        f.amount(c["deposit"], "card value")
    total = f.amount(sum(c["deposit"] for c in cards), "sale total")
    ctx.amount = total
    buyer = b.get("buyer")
    if buyer is not None:
        if not isinstance(buyer, dict):
            raise Rejected(Reason.MALFORMED, "buyer must be {id_hash, pii}")
        f.check_body(buyer, {"id_hash", "pii"}, set())
        f.hex64(buyer["id_hash"], "buyer id_hash")
        sealed_details(buyer["pii"])
    sales.check_real_name(ctx, total, buyer is not None)
    pay = sales.payment_terms(ctx, b["payment"], total, Reason.BANK_TRANSFER_REQUIRED,
                        "a card purchase")
    for c in cards:
        number = c["card"]
        if not number.startswith(brow["bin"]):
            raise Rejected(Reason.BAD_CARD_NUMBER,
                           f"card numbers of {bank_id} start with {brow['bin']}")
        if ctx.get("cards", number) is not None:
            raise Rejected(Reason.CARD_EXISTS, f"card {mask(number)} already exists")
        f.public_key(c["public_key"], "card key")
        f.integer(c["expires"], "expires", ctx.time + 1, ctx.time + MAX_VALIDITY_MS)
        row = {**card_row(ctx, bank_id, c["public_key"], False, c["expires"]),
               "sale": ctx.tx.hex_id}
        add_principal(ctx, c["public_key"], "card", number)
        ctx.put("cards", number, row)
        check_cap(ctx, row, number, c["deposit"])
        ctx.post(card_acct(number), CNY, c["deposit"])
        ctx.post(f"bank:{bank_id}:float", CNY, -c["deposit"])
        lots.earn_points(ctx, number, row, c["deposit"], top_up=True)
    ctx.put("sales", ctx.tx.hex_id, {
        "bank": bank_id, "cards": sorted(seen), "total": total, "payment": pay,
        "buyer": buyer, "time": ctx.time})
