"""Consortium rules: merchants, terminals, catalogues, points contracts, regulatory holds."""

from __future__ import annotations

from typing import Any

from node.ledger import genesis as g
from node.ledger import tx as f
from node.ledger.errors import Reason, Rejected
from node.ledger.rules import add_principal, bank, merchant, rule
from node.ledger.state import Ctx


def write_merchant(ctx: Ctx, m: dict[str, Any]) -> None:
    row = {"name": m["name"], "acquirer": m["acquirer"], "fee_bp": m["fee_bp"],
           "cutoff_min": m["cutoff_min"], "status": "active"}
    if "category" in m:  # what a bank's earning terms may name (node/ledger/points.py)
        row["category"] = m["category"]
    ctx.put("merchants", m["id"], row)


def write_terminal(ctx: Ctx, terminal_id: str, merchant_id: str, public: str) -> None:
    add_principal(ctx, public, "terminal", terminal_id)
    ctx.put("terminals", terminal_id,
            {"merchant": merchant_id, "public_key": public, "status": "active"})


def _onboarder(ctx: Ctx, acquirer: str, what: str) -> None:
    """Merchants and their terminals are onboarded by the clearing house or by a clerk of
    the bank that acquires the merchant."""
    if not (ctx.signed_as("clearing") or ctx.signed_as("clerk", acquirer)):
        raise Rejected(Reason.UNAUTHORIZED, f"{what} must be signed by the clearing house "
                                            f"or a clerk of {acquirer}, its acquirer")


@rule("register_merchant", {"merchant", "name", "acquirer", "fee_bp", "cutoff_min"},
      {"category"})
def register_merchant(ctx: Ctx, b: dict[str, Any]) -> None:
    mid = f.ident(b["merchant"], "merchant id")
    if "category" in b:
        if ctx.chain_format < 4:
            raise Rejected(Reason.MALFORMED, "merchant categories need chain format 4")
        f.ident(b["category"], "merchant category")
    ctx.merchant = mid
    f.name(b["name"], "merchant name")
    bank(ctx, b["acquirer"])
    _onboarder(ctx, b["acquirer"], "registering a merchant")
    f.integer(b["fee_bp"], "fee_bp", 0, 10_000)
    f.integer(b["cutoff_min"], "cutoff_min", 0, 1439)
    if ctx.get("merchants", mid) is not None:
        raise Rejected(Reason.MERCHANT_EXISTS, f"merchant {mid} is already registered")
    write_merchant(ctx, {**b, "id": mid})


@rule("register_terminal", {"terminal", "merchant", "public_key"})
def register_terminal(ctx: Ctx, b: dict[str, Any]) -> None:
    tid = f.ident(b["terminal"], "terminal id")
    m = merchant(ctx, b["merchant"])
    _onboarder(ctx, m["acquirer"], "registering a terminal")
    ctx.merchant = b["merchant"]
    pub = f.public_key(b["public_key"], "terminal key")
    if ctx.get("terminals", tid) is not None:
        raise Rejected(Reason.TERMINAL_EXISTS, f"terminal {tid} is already registered")
    write_terminal(ctx, tid, b["merchant"], pub)


@rule("set_catalogue", {"merchant", "items"})
def set_catalogue(ctx: Ctx, b: dict[str, Any]) -> None:
    ctx.require("clearing", what="setting a catalogue")
    merchant(ctx, b["merchant"])
    ctx.merchant = b["merchant"]
    items = g.validate_catalogue(b["items"], set(ctx.bank_ids),
                                 categories=ctx.chain_format >= 6)
    ctx.put("catalogues", b["merchant"], {"items": items})


@rule("set_points_contract", {"bank", "contract"}, {"reason"})
def set_points_contract(ctx: Ctx, b: dict[str, Any]) -> None:
    row = bank(ctx, b["bank"])
    ctx.bank = b["bank"]
    ctx.require("clerk", b["bank"], "a bank's points contract")
    contract = g.validate_contract(b["contract"])
    new = {**row, "points_contract": contract}
    if "reason" in b:  # why the terms changed (chain format 6), kept with them
        if ctx.chain_format < 6:
            raise Rejected(Reason.MALFORMED, "a reason on chain needs chain format 6")
        new["contract_reason"] = f.name(b["reason"], "reason")
    else:
        new.pop("contract_reason", None)
    ctx.put("banks", b["bank"], new)


@rule("set_merchant_hold", {"merchant", "hold"})
def set_merchant_hold(ctx: Ctx, b: dict[str, Any]) -> None:
    ctx.require("regulator", what="a regulatory hold")
    row = merchant(ctx, b["merchant"])
    ctx.merchant = b["merchant"]
    hold = f.boolean(b["hold"], "hold")
    ctx.put("merchants", b["merchant"], {**row, "status": "hold" if hold else "active"})


@rule("attest_custody", {"bank", "amount"})
def attest_custody(ctx: Ctx, b: dict[str, Any]) -> None:
    """A bank attests the deposit it holds in custody for its cards' prepaid balances."""
    row = bank(ctx, b["bank"])
    ctx.bank = b["bank"]
    ctx.require("clerk", b["bank"], "a custody attestation")
    amount = f.amount(b["amount"], "custody deposit", allow_zero=True)
    ctx.amount = amount
    ctx.put("banks", b["bank"], {**row, "custody": amount, "custody_at": ctx.time})


CASE_STATUSES = ("acknowledged", "closed")


@rule("case_update", {"case", "status"}, {"note", "rule"})
def case_update(ctx: Ctx, b: dict[str, Any]) -> None:
    """The regulator acknowledges or closes a compliance case (cases are computed from the
    chain by node/compliance.py; their handling is recorded here)."""
    ctx.require("regulator", what="handling a compliance case")
    case = f.hex64(b["case"], "case id")
    if b["status"] not in CASE_STATUSES:
        raise Rejected(Reason.MALFORMED, f"status must be one of {CASE_STATUSES}")
    note = f.name(b["note"], "note") if "note" in b else ""
    rule_name = f.ident(b["rule"], "rule") if "rule" in b else None
    old = ctx.get("cases", case)
    if old is not None and old["status"] == "closed":
        raise Rejected(Reason.MALFORMED, "this case is already closed")
    ctx.put("cases", case, {"rule": rule_name or (old["rule"] if old else ""),
                            "status": b["status"], "note": note, "at": ctx.time})
