"""Card files: a card's private key sealed under its PIN with scrypt (a stand-in for the
chip on a real card, which keeps the key in hardware), plus public card data.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from node import crypto
from node.ledger.tx import luhn_complete


class CardFileError(ValueError):
    pass


def new_card_number(bin6: str) -> str:
    """A fresh 19-digit number: the bank's 6-digit BIN, 12 random digits, a Luhn digit."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(12))
    return luhn_complete(bin6 + body)


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def valid_pin(pin: str) -> bool:
    return isinstance(pin, str) and len(pin) == 6 and pin.isascii() and pin.isdigit()


@dataclass(frozen=True)
class CardFile:
    card: str
    bank: str
    public_key: str
    sealed: dict[str, object]

    @classmethod
    def create(cls, card: str, bank: str, pin: str, *, n: int = crypto.SCRYPT_N) \
            -> tuple[CardFile, crypto.SigningKey]:
        if not valid_pin(pin):
            raise CardFileError("a PIN is exactly 6 digits")
        key = crypto.generate()
        sealed = crypto.seal(crypto.key_to_der(key), pin, n=n)
        return cls(card, bank, key.public, sealed), key

    def unlock(self, pin: str) -> crypto.SigningKey:
        if not valid_pin(pin):
            raise CardFileError("a PIN is exactly 6 digits")
        try:
            key = crypto.key_from_der(crypto.unseal(self.sealed, pin))
        except crypto.CryptoError as exc:
            raise CardFileError("wrong PIN, or the card file was altered") from exc
        if key.public != self.public_key:
            raise CardFileError("the card file's key does not match its public key")
        return key

    def to_json(self) -> str:
        return json.dumps({"version": 1, "card": self.card, "bank": self.bank,
                           "public_key": self.public_key, "sealed": self.sealed}, indent=1)

    def save(self, path: Path) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json() + "\n")

    @classmethod
    def load(cls, path: Path) -> CardFile:
        try:
            d = json.loads(Path(path).read_text())
            return cls(str(d["card"]), str(d["bank"]), str(d["public_key"]), dict(d["sealed"]))
        except FileNotFoundError as exc:
            raise CardFileError(f"no card file at {path}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise CardFileError(f"{path} is not a card file") from exc
