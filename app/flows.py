"""Transactions built in several steps (new card, replacement card, new terminal, a till's
payment), shared by the command line and the desktop app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.holder import holder_fields, id_hash
from node import crypto, tls
from node.access import card_query_digest
from node.cardfile import CardFile, new_card_number, new_pin
from node.consortium import Consortium
from node.ledger.genesis import Genesis

YEAR_MS = 365 * 86_400_000


@dataclass(frozen=True)
class NewCard:
    body: dict[str, Any]
    card: CardFile
    pin: str


def new_card(cons: Consortium, bank: str, now: int, *, holder: str | None = None,
             id_number: str | None = None, phone: str = "", deposit: int | None = None,
             pin: str | None = None, payment: dict[str, Any] | None = None) -> NewCard:
    """The ``issue_card`` body for a fresh card, its card file (key sealed under the PIN)
    and the PIN (new unless given).  A named card needs the holder's ID number; the
    holder's details go on chain sealed for the bank and the regulator (app/holder.py)."""
    b = next((x for x in cons.genesis.banks if x["id"] == bank), None)
    if b is None:
        raise ValueError(f"no bank {bank!r}")
    number = new_card_number(b["bin"])
    pin = pin or new_pin()
    card, key = CardFile.create(number, bank, pin)
    body: dict[str, Any] = {"card": number, "bank": bank, "public_key": key.public,
                            "named": bool(holder), "expires": now + 5 * YEAR_MS}
    if holder:
        if not id_number or not id_number.strip():
            raise ValueError("a named card needs the holder's ID number")
        if cons.genesis.chain_format >= 4:
            body.update(holder_fields(cons, bank, holder, id_number, phone))
        else:  # an older chain: the name in clear, as its rules expect
            body["holder"] = holder
            body["id_hash"] = id_hash(cons, id_number)
    if deposit:
        body["deposit"] = deposit
        if payment is not None and cons.genesis.chain_format >= 5:
            body["payment"] = payment
    return NewCard(body, card, pin)


def card_sale(cons: Consortium, bank: str, now: int, values: list[int],
              payment: dict[str, Any], buyer: tuple[str, str] | None = None) \
        -> tuple[dict[str, Any], list[NewCard]]:
    """The ``sell_cards`` body for anonymous cards of these values bought in one go, and
    each card's file and PIN; ``buyer`` (name, ID number) is registered sealed for the
    bank and the regulator (needed from the real-name threshold up)."""
    made = [new_card(cons, bank, now, deposit=v) for v in values]
    body: dict[str, Any] = {"bank": bank, "payment": payment, "cards": [
        {"card": m.body["card"], "public_key": m.body["public_key"],
         "expires": m.body["expires"], "deposit": v} for m, v in zip(made, values, strict=True)]}
    if buyer is not None:
        body["buyer"] = holder_fields(cons, bank, buyer[0], buyer[1])
    return body, made


def pay_body(terminal: str, card: str, order: str, items: list[dict[str, Any]],
             offer: dict[str, Any], banks: list[str], cash_tendered: int = 0) \
        -> dict[str, Any]:
    """The ``pay`` body for a basket at the total the validators' own offer gave, with the
    points redemption it chose when the cashier asked for ``banks``' points, and the cash
    the customer paid at the till for part of it (split tender, chain format 6)."""
    body: dict[str, Any] = {"terminal": terminal, "card": card, "order": order,
                            "items": items, "amount": offer["total"]}
    redeem = [{"bank": r["bank"], "cash": r["cash"]} for r in offer["combination"]]
    if banks and redeem:
        body["redeem"] = redeem
    if cash_tendered:
        body["cash_tendered"] = cash_tendered
    return body


def replacement(genesis: Genesis, old: dict[str, Any], now: int,
                pin: str | None = None) -> tuple[dict[str, Any], CardFile, str]:
    """The ``report_lost`` body moving a lost card's balance and points to a new card."""
    bin6 = next(x["bin"] for x in genesis.banks if x["id"] == old["bank"])
    number = new_card_number(bin6)
    pin = pin or new_pin()
    card, key = CardFile.create(number, old["bank"], pin)
    body = {"card": old["card"], "new_card": number, "new_public_key": key.public,
            "new_expires": now + 5 * YEAR_MS}
    return body, card, pin


def new_terminal_key(cons: Consortium, terminal: str, folder: Path, passphrase: str,
                     now: int) -> tuple[str, list[Path]]:
    """A terminal's key pair: the private key written encrypted under ``passphrase`` into
    a key store in FOLDER (terminal-ID.key.pem and kdf.json), and, when this consortium
    folder holds the CA key, its TLS certificate beside it.  Returns (public key, files
    written)."""
    if len(passphrase) < 8:
        raise ValueError("the key file's passphrase must have at least 8 characters")
    if (folder / f"terminal-{terminal}.key.pem").exists():
        raise ValueError(f"terminal-{terminal}.key.pem already exists; choose another folder")
    key = crypto.generate()
    # the terminal's own key store: scrypt-stretched passphrase, encrypted PKCS#8 PEM
    written = [crypto.KeyStore(folder, passphrase).save(f"terminal-{terminal}", key)]
    if "ca" in cons.keys.names():
        ca_key = cons.keys.load("ca")
        ca_pem = (cons.home / "tls" / "ca.pem").read_bytes()
        when = dt.datetime.fromtimestamp(now / 1000, dt.UTC)
        cert = folder / f"terminal-{terminal}.crt"
        cert.write_bytes(tls.issue(ca_key, ca_pem, key, f"terminal-{terminal}",
                                   ["127.0.0.1", "localhost"], when))
        written.append(cert)
    return key.public, written


__all__ = ["NewCard", "new_card", "new_terminal_key", "pay_body", "replacement"]


def my_card_query(number: str, key: crypto.SigningKey, now: int,
                  purpose: str = "my_card") -> dict[str, Any]:
    """The fields of a query the card signs: ``my_card`` (the holder reads its card, through
    any connection) or ``offer`` (a till's points offer for the card in front of it).  The
    validators accept it within 5 minutes of ``now``."""
    return {"card": number, "time": now,
            "sig": key.sign(card_query_digest(number, now, purpose))}


def as_bank_act(genesis: Genesis, bank: str, kind: str, body: dict[str, Any]) \
        -> tuple[str, dict[str, Any]]:
    """How a bank's clerk sends an act: as it is, or, when the bank takes it from two
    clerks (four eyes, chain format 6: node/ledger/approvals.py), as a proposal for a
    second clerk to approve."""
    entry = next((b for b in genesis.banks if b["id"] == bank), {})
    if genesis.chain_format < 6 or kind not in (entry.get("four_eyes") or []):
        return kind, body
    return "propose", {"act": kind, "body": body}


def needs_second_clerk(genesis: Genesis, bank: str, kind: str) -> bool:
    return as_bank_act(genesis, bank, kind, {})[0] == "propose"
