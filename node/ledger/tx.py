"""Transactions: the canonical signed envelope and the field checks every body uses.

Wire form (canonical encoding, see node/codec.py)::

    {"chain": str, "kind": str, "body": {...}, "nonce": int, "expires": int,
     "sigs": [[public_key, signature_hex], ...]}

The id is SHA-256 of the canonical encoding of everything but ``sigs``; every signature
is over that id.  ``expires`` is a block time in milliseconds since the epoch: a block
whose time is later rejects the transaction.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from node import codec, crypto
from node.ledger.errors import Reason, Rejected

MAX_AMOUNT = 10**12  # fen; anything above is refused outright
MAX_NAME = 100
MAX_SIGS = 4
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
ENVELOPE_KEYS = frozenset({"chain", "kind", "body", "nonce", "expires", "sigs"})


@dataclass(frozen=True)
class Tx:
    chain: str
    kind: str
    body: dict[str, Any]
    nonce: int
    expires: int
    sigs: tuple[tuple[str, str], ...] = ()
    id: bytes = field(init=False, repr=False, compare=False)
    _unsigned: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            unsigned = codec.encode(self.unsigned())
        except codec.FloatError as exc:
            raise Rejected(Reason.BAD_AMOUNT, str(exc)) from exc
        except codec.EncodingError as exc:
            raise Rejected(Reason.MALFORMED, str(exc)) from exc
        object.__setattr__(self, "id", codec.sha256(unsigned))
        object.__setattr__(self, "_unsigned", unsigned)

    def unsigned(self) -> dict[str, Any]:
        return {"chain": self.chain, "kind": self.kind, "body": self.body,
                "nonce": self.nonce, "expires": self.expires}

    @functools.cached_property
    def hex_id(self) -> str:
        """The id in hex, worked out once (a validator asks for it a dozen times per
        request: admission, the replica, execution, rows, receipts)."""
        return self.id.hex()

    def signed_by(self, *keys: crypto.SigningKey) -> Tx:
        sigs = self.sigs + tuple((k.public, k.sign(self.id)) for k in keys)
        return Tx(self.chain, self.kind, self.body, self.nonce, self.expires, sigs)

    def signers(self) -> frozenset[str]:
        return frozenset(pub for pub, _ in self.sigs)

    def signatures_valid(self) -> bool:
        """Stateless check: every attached signature verifies over the id.  The answer is
        kept on the (immutable) transaction: a validator checks a request when it arrives,
        and the same object is looked up again in the PRE-PREPARE and at execution."""
        known = self.__dict__.get("_sig_ok")
        if known is None:
            known = bool(self.sigs) and all(crypto.verify(pub, self.id, sig)
                                            for pub, sig in self.sigs)
            object.__setattr__(self, "_sig_ok", known)
        return known  # type: ignore[no-any-return]

    def signatures_known(self) -> bool:
        """Whether ``signatures_valid`` would answer without checking a signature."""
        return "_sig_ok" in self.__dict__

    def to_wire(self) -> dict[str, Any]:
        out = self.unsigned()
        out["sigs"] = [list(s) for s in self.sigs]
        return out

    def encode(self) -> bytes:
        """Canonical wire bytes.  "sigs" sorts after every other envelope key, so the wire
        form is the unsigned encoding with the signatures appended (tests pin equality)."""
        wire = self.__dict__.get("_wire")
        if wire is not None:
            return wire  # type: ignore[no-any-return]
        sigs = codec.encode([list(s) for s in self.sigs])
        return self._unsigned[:-1] + b',"sigs":' + sigs + b"}"

    @classmethod
    def _trusted(cls, chain: str, kind: str, body: dict[str, Any], nonce: int, expires: int,
                 sigs: tuple[tuple[str, str], ...], unsigned: bytes) -> Tx:
        """Build from fields whose canonical unsigned encoding is already known."""
        tx = object.__new__(cls)
        for k, v in (("chain", chain), ("kind", kind), ("body", body), ("nonce", nonce),
                     ("expires", expires), ("sigs", sigs), ("id", codec.sha256(unsigned)),
                     ("_unsigned", unsigned)):
            object.__setattr__(tx, k, v)
        return tx

    @classmethod
    def from_wire(cls, obj: Any, *, unsigned: bytes | None = None) -> Tx:
        """Parse an envelope; any shape error is Rejected(MALFORMED) with what is wrong."""
        if not isinstance(obj, dict):
            raise Rejected(Reason.MALFORMED, "transaction must be an object")
        extra = set(obj) - ENVELOPE_KEYS
        missing = ENVELOPE_KEYS - set(obj)
        if extra or missing:
            raise Rejected(Reason.MALFORMED,
                           f"envelope fields wrong: missing {sorted(missing)}, "
                           f"unknown {sorted(extra)}")
        chain, kind, body = obj["chain"], obj["kind"], obj["body"]
        nonce, expires, sigs = obj["nonce"], obj["expires"], obj["sigs"]
        if not isinstance(chain, str) or not isinstance(kind, str):
            raise Rejected(Reason.MALFORMED, "chain and kind must be strings")
        if not isinstance(body, dict):
            raise Rejected(Reason.MALFORMED, "body must be an object")
        for name, v in (("nonce", nonce), ("expires", expires)):
            if type(v) is not int or v < 0:
                raise Rejected(Reason.MALFORMED, f"{name} must be a non-negative integer")
        if not isinstance(sigs, list) or len(sigs) > MAX_SIGS:
            raise Rejected(Reason.MALFORMED, f"sigs must be a list of at most {MAX_SIGS}")
        parsed: list[tuple[str, str]] = []
        for s in sigs:
            if (not isinstance(s, list) or len(s) != 2
                    or not all(isinstance(x, str) for x in s)):
                raise Rejected(Reason.MALFORMED, "each signature is [public_key, hex]")
            parsed.append((s[0], s[1]))
        if unsigned is not None:  # from canonical bytes: the id needs no re-encoding
            return cls._trusted(chain, kind, body, nonce, expires, tuple(parsed), unsigned)
        return cls(chain, kind, body, nonce, expires, tuple(parsed))

    @classmethod
    def decode(cls, data: bytes) -> Tx:
        """Parse canonical wire bytes.  The id comes straight from the bytes: "sigs" is the
        last key of a canonical envelope, so the unsigned encoding is the text before it."""
        try:
            obj = codec.decode(data)
        except codec.FloatError as exc:
            raise Rejected(Reason.BAD_AMOUNT, str(exc)) from exc
        except codec.EncodingError as exc:
            raise Rejected(Reason.MALFORMED, str(exc)) from exc
        return cls.from_checked(obj, data)

    @classmethod
    def from_checked(cls, obj: Any, data: bytes) -> Tx:
        """The transaction of ``obj``, decoded from ``data``, which are canonical bytes (a
        checked frame's sub-value, re-encoded): the id comes straight from the bytes, as
        "sigs" is the last key of a canonical envelope."""
        unsigned = unsigned_part(data)
        if unsigned is None or not isinstance(obj, dict) or set(obj) != ENVELOPE_KEYS:
            return cls.from_wire(obj)
        checked = cls.from_wire(obj, unsigned=unsigned)
        object.__setattr__(checked, "_wire", data)  # canonical: encode() returns it as is
        return checked

    @classmethod
    def decode_trusted(cls, data: bytes) -> Tx:
        """Parse wire bytes this process already knows to be a canonical transaction (the
        audit re-executes transactions its workers decoded and checked): no canonical-form
        re-check; shape errors still raise Rejected."""
        unsigned = unsigned_part(data)
        obj = codec.loads(data)
        if unsigned is None or not isinstance(obj, dict) or set(obj) != ENVELOPE_KEYS:
            return cls.decode(data)
        tx = cls.from_wire(obj, unsigned=unsigned)
        object.__setattr__(tx, "_wire", data)
        return tx


def unsigned_part(data: bytes) -> bytes | None:
    """The unsigned encoding inside a canonical transaction's wire bytes ("sigs" is the
    envelope's last key: the text before it, closed); None if there is no "sigs"."""
    cut = data.rfind(b',"sigs":')
    return data[:cut] + b"}" if cut > 0 else None


def wire_id(data: bytes) -> str | None:
    """The id of the transaction these bytes are, if they are canonical, without decoding
    them (a busy validator's receipt look-up).  Bytes that are not canonical name no
    transaction: compare them with the stored text before trusting the id."""
    unsigned = unsigned_part(data)
    return None if unsigned is None else codec.sha256(unsigned).hex()


# the longest request text a validator orders: a payment of 100 lines is ~20 KB.  Batches
# are cut by bytes as well (Settings.max_batch_bytes), so a PRE-PREPARE, and a VIEW-CHANGE
# carrying the few batches prepared and not yet executed, fit a validator's frame
MAX_TX_TEXT = 64 * 1024


# --- field checks ------------------------------------------------------------------------

def amount(value: Any, what: str = "amount", *, allow_zero: bool = False) -> int:
    if isinstance(value, float):
        raise Rejected(Reason.BAD_AMOUNT, f"{what} must be an integer number of fen, "
                                          f"not a decimal ({value!r})")
    if type(value) is not int:
        raise Rejected(Reason.BAD_AMOUNT, f"{what} must be an integer number of fen")
    if value < 0 or (value == 0 and not allow_zero):
        raise Rejected(Reason.BAD_AMOUNT, f"{what} must be positive (got {value})")
    if value > MAX_AMOUNT:
        raise Rejected(Reason.BAD_AMOUNT, f"{what} {value} is above the limit of "
                                          f"{MAX_AMOUNT} fen")
    return value


def integer(value: Any, what: str, lo: int, hi: int) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise Rejected(Reason.MALFORMED, f"{what} must be an integer in [{lo}, {hi}]")
    return value


def name(value: Any, what: str = "name") -> str:
    if not isinstance(value, str):
        raise Rejected(Reason.BAD_NAME, f"{what} must be text")
    if not value.strip():
        raise Rejected(Reason.BAD_NAME, f"{what} must not be empty")
    if len(value) > MAX_NAME:
        raise Rejected(Reason.BAD_NAME, f"{what} is longer than {MAX_NAME} characters")
    for ch in value:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise Rejected(Reason.BAD_NAME,
                           f"{what} contains a control or invalid character U+{ord(ch):04X}")
    return value


def ident(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise Rejected(Reason.MALFORMED,
                       f"{what} must be 1-32 letters, digits, '_', '.' or '-'")
    return value


def hex64(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX64_RE.fullmatch(value):
        raise Rejected(Reason.MALFORMED, f"{what} must be 64 lowercase hex digits")
    return value


def public_key(value: Any, what: str = "public key") -> str:
    if not crypto.valid_public(value):
        raise Rejected(Reason.MALFORMED, f"{what} is not a valid public key")
    return str(value)


def boolean(value: Any, what: str) -> bool:
    if type(value) is not bool:
        raise Rejected(Reason.MALFORMED, f"{what} must be true or false")
    return value


# every second digit from the right is doubled, and a two-digit result counts as the sum of
# its digits: the digit's byte maps to that value (0-9 -> 0 2 4 6 8 1 3 5 7 9)
_LUHN_DOUBLED = bytes.maketrans(b"0123456789", bytes([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]))


def luhn_ok(number: str) -> bool:
    """The Luhn check of a string of ASCII digits (the caller checks they are digits)."""
    n = number.encode("ascii")
    kept, doubled = n[-1::-2], n[-2::-2]
    return (sum(kept) - 48 * len(kept) + sum(doubled.translate(_LUHN_DOUBLED))) % 10 == 0


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit to an 18-digit prefix."""
    for d in "0123456789":
        if luhn_ok(partial + d):
            return partial + d
    raise AssertionError("unreachable")


def card_number(value: Any, what: str = "card number") -> str:
    if not isinstance(value, str) or len(value) != 19 or not value.isascii() \
            or not value.isdigit():
        raise Rejected(Reason.BAD_CARD_NUMBER, f"{what} must be 19 digits")
    if not luhn_ok(value):
        raise Rejected(Reason.BAD_CARD_NUMBER, f"{what} fails its Luhn check digit")
    return value


def check_body(body: dict[str, Any], required: AbstractSet[str],
               optional: AbstractSet[str]) -> None:
    keys = body.keys()
    if required <= keys and len(keys) == len(required):
        return  # the common case: exactly the required fields
    missing = required - keys
    unknown = keys - required - optional
    if missing:
        raise Rejected(Reason.MALFORMED, f"missing field(s): {', '.join(sorted(missing))}")
    if unknown:
        raise Rejected(Reason.MALFORMED, f"unknown field(s): {', '.join(sorted(unknown))}")
