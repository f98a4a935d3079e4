"""A named card's holder: the details a bank registers, sealed on chain for the issuing bank
and the regulator only, and opened on their own machines.

The chain keeps, for a named card (chain format 4, node/ledger/cards.py): a commitment (the
SHA-256 of the details' canonical text, which carries a random salt), one envelope for the
bank's seal key and one for the regulator's (node/crypto.py ``seal_to``), and a keyed hash
of the ID number (``id_hash``) that lets the rules count one person's cards without knowing
who it is.  Nothing else of the holder is on chain; a validator, a till or another bank
cannot read the envelopes.  The bank can later prove what it registered by showing the
details with their salt: their hash is the commitment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from app.consortium import seal_key_name
from node import codec, crypto
from node.consortium import Consortium
from node.ledger.genesis import Genesis

MAX_FIELD = 200  # characters of a name, an ID number or a phone number


class HolderError(ValueError):
    """Details that cannot be sealed (missing, too long) or a genesis without seal keys."""


@dataclass(frozen=True)
class Holder:
    name: str
    id_number: str
    phone: str = ""
    salt: str = ""  # hex; a fresh one for each card (the commitment does not link cards)

    def canonical(self) -> bytes:
        return codec.encode({"name": self.name, "id_number": self.id_number,
                             "phone": self.phone, "salt": self.salt})

    def commitment(self) -> str:
        return crypto.sha256(self.canonical()).hex()


def context(recipient: str, commitment: str) -> bytes:
    """What an envelope is bound to: a recipient ("bank" or "regulator") and the details'
    commitment, so it opens for no other card's details and no other recipient."""
    return f"cardchain-pii:{recipient}:{commitment}".encode()


def holder_fields(cons: Consortium, bank: str, name: str, id_number: str,
                  phone: str = "") -> dict[str, Any]:
    """The ``id_hash`` and ``pii`` fields of an issue_card body for a named card."""
    name, id_number, phone = name.strip(), id_number.strip(), phone.strip()
    if not name or not id_number:
        raise HolderError("a named card needs the holder's name and ID number")
    if max(len(name), len(id_number), len(phone)) > MAX_FIELD:
        raise HolderError(f"a holder's details are at most {MAX_FIELD} characters each")
    h = Holder(name, id_number, phone, os.urandom(16).hex())
    return {"id_hash": id_hash(cons, id_number), "pii": seal(cons.genesis, bank, h)}


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id_problem(text: str) -> str | None:
    """Why ``text`` is not a PRC resident identity number (GB 11643: 17 digits, a birth
    date, an ISO 7064 MOD 11-2 check character), or None."""
    t = text.strip().upper()
    if len(t) != 18 or not t[:17].isdigit() or not (t[17].isdigit() or t[17] == "X"):
        return "18 characters: 17 digits and a check digit or X"
    try:
        import datetime as dt
        dt.date(int(t[6:10]), int(t[10:12]), int(t[12:14]))
    except ValueError:
        return "its digits 7-14 are not a birth date"
    total = sum(int(c) * w for c, w in zip(t[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] != t[17]:
        return "its check character is wrong (mistyped?)"
    return None


def id_hash(cons: Consortium, id_number: str) -> str:
    """The keyed hash of an ID number every bank computes alike (the consortium's stretched
    secret is the key): the same person's cards share it, and it cannot be reversed by
    trying ID numbers without that secret."""
    return crypto.sha256(cons.keys.password + id_number.strip().encode()).hex()


def seal(genesis: Genesis, bank: str, h: Holder) -> dict[str, Any]:
    keys = {"bank": genesis.seal_key(bank), "regulator": genesis.seal_key("regulator")}
    if None in keys.values():
        raise HolderError("this consortium's genesis has no seal keys (chain format 4)")
    commitment = h.commitment()
    plain = h.canonical()
    return {"commitment": commitment,
            **{who: crypto.seal_to(str(k), plain, context(who, commitment))
               for who, k in keys.items()}}


def recipient_of(identity: str) -> tuple[str, str] | None:
    """(envelope, key owner) an identity opens: a bank's clerk its bank's envelope, the
    regulator the regulator's; None for everyone else."""
    if identity.startswith("clerk-"):
        return "bank", identity.split("-")[1]
    if identity.startswith("regulator"):
        return "regulator", "regulator"
    return None


def open_details(key: crypto.SigningKey, recipient: str, pii: Any) -> Holder:
    """The details sealed in ``pii`` for ``recipient`` with its seal key; HolderError if they
    do not open or do not match their commitment."""
    if not isinstance(pii, dict) or not isinstance(pii.get("commitment"), str):
        raise HolderError("no sealed details")
    try:
        plain = crypto.open_envelope(key, pii.get(recipient),
                                     context(recipient, pii["commitment"]))
        d = codec.decode(plain)
        h = Holder(str(d["name"]), str(d["id_number"]), str(d["phone"]), str(d["salt"]))
    except (crypto.CryptoError, codec.EncodingError, KeyError, TypeError) as exc:
        raise HolderError(f"the sealed details do not open: {exc}") from exc
    if h.commitment() != pii["commitment"]:
        raise HolderError("the sealed details do not match their commitment")
    return h


class Opener:
    """Opens the holder details of cards for one identity, with its organisation's seal key
    (loaded once); remembers what it opened."""

    def __init__(self, cons: Consortium, identity: str) -> None:
        self.who = recipient_of(identity)
        self.key: crypto.SigningKey | None = None
        if self.who is not None and seal_key_name(self.who[1]) in cons.keys.names():
            self.key = cons.keys.load(seal_key_name(self.who[1]))
        self._opened: dict[str, Holder | None] = {}

    def holder(self, card: dict[str, Any]) -> Holder | None:
        """The card's holder if this identity may open it; None for an anonymous card, a
        card of another bank, or details that do not open."""
        pii = card.get("pii")
        if self.key is None or self.who is None or not isinstance(pii, dict):
            return None
        commitment = str(pii.get("commitment"))
        if commitment not in self._opened:
            try:
                self._opened[commitment] = open_details(self.key, self.who[0], pii)
            except HolderError:
                self._opened[commitment] = None
        return self._opened[commitment]

    def name(self, card: dict[str, Any]) -> str | None:
        """The name to show: a sealed card's opened name, an older chain's clear one."""
        if card.get("holder"):
            return str(card["holder"])
        h = self.holder(card)
        return h.name if h else None
