"""Keys, signatures, hashing and encrypted key storage.

Every public key travels as text ``"<scheme>:<hex>"`` so that a second suite (SM2) can
be added beside ECDSA P-256 without changing any message format.  Signatures are made
over a 32-byte digest (a transaction id, a block hash), are 64 bytes ``r || s`` and travel
as hex.

At rest, private keys are encrypted PKCS#8 PEM.  PKCS#8's own password-based encryption
uses a fast KDF, so the passphrase is first stretched with scrypt (parameters and salt in
the key store's ``kdf.json``) and the stretched key is the PKCS#8 password.  Card files
and other sealed secrets use scrypt + AES-256-GCM directly (:func:`seal`); data for the
holder of a public key (a cardholder's details for the issuing bank and the regulator)
goes in an envelope: ephemeral ECDH P-256, HKDF-SHA256, AES-256-GCM (:func:`seal_to`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

_PREHASHED = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


class CryptoError(ValueError):
    """A key, signature or sealed blob that cannot be used (bad format, wrong secret)."""


class SigningKey(Protocol):
    """What the rest of the system needs from a private key."""

    @property
    def public(self) -> str: ...

    def sign(self, digest: bytes) -> str: ...


class Scheme(Protocol):
    name: str

    def generate(self) -> SigningKey: ...

    def verify(self, public_hex: str, digest: bytes, signature: bytes) -> bool: ...

    def load_der(self, der: bytes) -> SigningKey: ...


@dataclass(frozen=True)
class P256Key:
    _key: ec.EllipticCurvePrivateKey
    public: str

    def sign(self, digest: bytes) -> str:
        der = self._key.sign(digest, _PREHASHED)
        r, s = utils.decode_dss_signature(der)
        return (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()

    def private_der(self, password: bytes | None) -> bytes:
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
        )


@lru_cache(maxsize=1 << 16)
def _p256_public(raw: bytes) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


class P256:
    name = "p256"

    @staticmethod
    def _wrap(key: ec.EllipticCurvePrivateKey) -> P256Key:
        raw = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return P256Key(key, f"p256:{raw.hex()}")

    def generate(self) -> P256Key:
        return self._wrap(ec.generate_private_key(ec.SECP256R1()))

    def load_der(self, der: bytes) -> P256Key:
        key = serialization.load_der_private_key(der, None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CryptoError("not an EC private key")
        return self._wrap(key)

    def verify(self, public_hex: str, digest: bytes, signature: bytes) -> bool:
        if len(signature) != 64 or len(digest) != 32:
            return False
        try:
            pub = _p256_public(bytes.fromhex(public_hex))
        except ValueError:
            return False
        der = utils.encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            pub.verify(der, digest, _PREHASHED)
        except InvalidSignature:
            return False
        return True


SCHEMES: dict[str, Any] = {"p256": P256()}
DEFAULT_SCHEME = "p256"


def generate(scheme: str = DEFAULT_SCHEME) -> SigningKey:
    return SCHEMES[scheme].generate()


def valid_public(public: object) -> bool:
    """True when ``public`` is a well-formed public key string of a known scheme."""
    if not isinstance(public, str) or ":" not in public:
        return False
    scheme, _, hexpart = public.partition(":")
    if scheme != "p256" or len(hexpart) != 66 or hexpart[:2] not in ("02", "03"):
        return False
    try:
        _p256_public(bytes.fromhex(hexpart))
    except ValueError:
        return False
    return hexpart == hexpart.lower()


def verify(public: str, digest: bytes, signature_hex: str) -> bool:
    """Check one signature; never raises for malformed input, just answers False."""
    scheme, _, hexpart = public.partition(":")
    impl = SCHEMES.get(scheme)
    if impl is None:
        return False
    try:
        sig = bytes.fromhex(signature_hex)
    except (ValueError, TypeError):
        return False
    return bool(impl.verify(hexpart, digest, sig))


# --- hashing ---------------------------------------------------------------------------

def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Binary Merkle tree over 32-byte leaf hashes (RFC 6962 style domain separation).

    Leaf nodes are H(0x00 || leaf), inner nodes H(0x01 || left || right); an odd node is
    promoted unchanged.  The empty tree's root is H(b"").
    """
    if not leaves:
        return sha256(b"")
    level = [sha256(b"\x00" + leaf) for leaf in leaves]
    while len(level) > 1:
        nxt = [sha256(b"\x01" + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def merkle_proof(leaves: Sequence[bytes], index: int) -> list[tuple[str, str]]:
    """The audit path of leaf ``index`` in ``merkle_root``'s tree: (side, sibling hex) from
    the leaf up, side "L" when the sibling is on the left.  A promoted odd node adds none."""
    if not 0 <= index < len(leaves):
        raise IndexError("leaf index out of range")
    level = [sha256(b"\x00" + leaf) for leaf in leaves]
    path: list[tuple[str, str]] = []
    i = index
    while len(level) > 1:
        if i % 2 and i - 1 >= 0:
            path.append(("L", level[i - 1].hex()))
        elif i + 1 < len(level):
            path.append(("R", level[i + 1].hex()))
        nxt = [sha256(b"\x01" + level[k] + level[k + 1]) for k in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level, i = nxt, i // 2
    return path


def merkle_verify(leaf: bytes, path: Sequence[Sequence[str]], root: bytes) -> bool:
    try:
        node = sha256(b"\x00" + leaf)
        for side, sibling in path:
            sib = bytes.fromhex(sibling)
            if len(sib) != 32 or side not in ("L", "R"):
                return False
            node = sha256(b"\x01" + sib + node) if side == "L" else \
                sha256(b"\x01" + node + sib)
    except (ValueError, TypeError):
        return False
    return node == root


def merkle_path_sides(index: int, size: int) -> list[str]:
    """The sides ``merkle_proof`` gives for leaf ``index`` of ``size``: a proof whose sides
    differ is for another position or another tree size."""
    if not 0 <= index < size:
        raise IndexError("leaf index out of range")
    sides: list[str] = []
    i, n = index, size
    while n > 1:
        if i % 2:
            sides.append("L")
        elif i + 1 < n:
            sides.append("R")
        i, n = i // 2, (n + 1) // 2
    return sides


def merkle_verify_at(leaf: bytes, index: int, size: int, path: Sequence[Sequence[str]],
                     root: bytes) -> bool:
    """``merkle_verify``, and the path is exactly the one of leaf ``index`` in a tree of
    ``size`` leaves (so a proof cannot be replayed for another position)."""
    try:
        if [p[0] for p in path] != merkle_path_sides(index, size) or \
                any(len(p) != 2 for p in path):
            return False
    except (IndexError, TypeError, KeyError):
        return False
    return merkle_verify(leaf, path, root)


# --- sealing secrets (card files, PIN lists) -----------------------------------------------

SCRYPT_N = 2**15  # about 50-100 ms on a laptop core: a stand-in for a card chip's PIN counter
SCRYPT_R = 8
SCRYPT_P = 1


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    if n < 2**10 or n > 2**20 or n & (n - 1):
        raise CryptoError("unsupported scrypt parameters")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def seal(plaintext: bytes, secret: str, *, n: int = SCRYPT_N) -> dict[str, Any]:
    salt = os.urandom(16)
    nonce = os.urandom(12)
    key = _scrypt(secret.encode("utf-8"), salt, n, SCRYPT_R, SCRYPT_P)
    ct = AESGCM(key).encrypt(nonce, plaintext, b"cardchain-seal-v1")
    return {
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex()},
        "cipher": "aes-256-gcm",
        "nonce": nonce.hex(),
        "ciphertext": ct.hex(),
    }


def unseal(blob: dict[str, Any], secret: str) -> bytes:
    try:
        kdf = blob["kdf"]
        key = _scrypt(
            secret.encode("utf-8"), bytes.fromhex(kdf["salt"]), int(kdf["n"]),
            int(kdf["r"]), int(kdf["p"]),
        )
        return AESGCM(key).decrypt(
            bytes.fromhex(blob["nonce"]), bytes.fromhex(blob["ciphertext"]), b"cardchain-seal-v1"
        )
    except InvalidTag as exc:
        raise CryptoError("wrong PIN or passphrase, or the file was altered") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise CryptoError(f"malformed sealed file: {exc}") from exc


# --- envelopes: data sealed for the holder of a public key (personal data on chain) --------

ENVELOPE_INFO = b"cardchain-envelope-v1"
ENVELOPE_MAX_HEX = 4096  # ciphertext hex characters: a cardholder's details fit many times


def seal_to(public: str, plaintext: bytes, context: bytes) -> dict[str, str]:
    """``plaintext`` readable only with ``public``'s private key: an ephemeral P-256 key
    agreed with it (ECDH), HKDF-SHA256 over the shared secret, AES-256-GCM with ``context``
    (what the envelope is for: a card number and a recipient) as associated data, so an
    envelope moved to another card or recipient does not open."""
    scheme, _, hexpart = public.partition(":")
    if scheme != "p256" or not valid_public(public):
        raise CryptoError("not a P-256 public key")
    eph = ec.generate_private_key(ec.SECP256R1())
    epk = eph.public_key().public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.CompressedPoint)
    key = _envelope_key(eph.exchange(ec.ECDH(), _p256_public(bytes.fromhex(hexpart))), epk)
    nonce = os.urandom(12)
    return {"epk": epk.hex(), "nonce": nonce.hex(),
            "ct": AESGCM(key).encrypt(nonce, plaintext, context).hex()}


def open_envelope(key: SigningKey, envelope: Any, context: bytes) -> bytes:
    """The plaintext of an envelope ``seal_to`` made for ``key``'s public half; CryptoError
    if it is malformed, for another key or another context, or altered."""
    if not isinstance(key, P256Key):
        raise CryptoError("not a P-256 key")
    if not envelope_well_formed(envelope):
        raise CryptoError("malformed envelope")
    epk = bytes.fromhex(envelope["epk"])
    try:
        shared = key._key.exchange(ec.ECDH(), _p256_public(epk))
        return AESGCM(_envelope_key(shared, epk)).decrypt(
            bytes.fromhex(envelope["nonce"]), bytes.fromhex(envelope["ct"]), context)
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("the envelope is for another key or was altered") from exc


def envelope_well_formed(envelope: Any) -> bool:
    """Its fields and sizes (what a validator can check without the key)."""
    if not isinstance(envelope, dict) or set(envelope) != {"epk", "nonce", "ct"}:
        return False
    epk, nonce, ct = envelope["epk"], envelope["nonce"], envelope["ct"]
    if not (isinstance(nonce, str) and len(nonce) == 24 and _is_hex(nonce)
            and isinstance(ct, str) and 34 <= len(ct) <= ENVELOPE_MAX_HEX and len(ct) % 2 == 0
            and _is_hex(ct)):
        return False
    return isinstance(epk, str) and valid_public(f"p256:{epk}")


def _is_hex(s: str) -> bool:
    return all(c in "0123456789abcdef" for c in s)


def _envelope_key(shared: bytes, epk: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=epk, info=ENVELOPE_INFO).derive(shared)


# --- key store: encrypted PKCS#8 files under one passphrase -------------------------------

class KeyStore:
    """A folder of encrypted PKCS#8 PEM files sharing one stretched passphrase."""

    def __init__(self, folder: Path, passphrase: str, *, n: int = SCRYPT_N) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        kdf_path = self.folder / "kdf.json"
        if kdf_path.exists():
            params = json.loads(kdf_path.read_text())
        else:
            params = {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P,
                      "salt": os.urandom(16).hex()}
            kdf_path.write_text(json.dumps(params, indent=1) + "\n")
        self._password = _scrypt(
            passphrase.encode("utf-8"), bytes.fromhex(params["salt"]),
            int(params["n"]), int(params["r"]), int(params["p"]),
        ).hex().encode()

    @property
    def password(self) -> bytes:
        """The stretched passphrase that decrypts this store's PKCS#8 files (for ssl)."""
        return self._password

    def path(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise CryptoError(f"bad key name {name!r}")
        return self.folder / f"{name}.key.pem"

    def save(self, name: str, key: SigningKey) -> Path:
        if not isinstance(key, P256Key):
            raise CryptoError("only P-256 keys can be stored")
        path = self.path(name)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_der(self._password))
        os.replace(tmp, path)
        return path

    def load(self, name: str) -> SigningKey:
        path = self.path(name)
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), self._password)
        except FileNotFoundError as exc:
            raise CryptoError(f"no key named {name!r}") from exc
        except (ValueError, TypeError) as exc:
            raise CryptoError(f"cannot decrypt key {name!r}: wrong passphrase?") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CryptoError(f"key {name!r} is not an EC key")
        return P256._wrap(key)

    def names(self) -> list[str]:
        return sorted(p.name[: -len(".key.pem")] for p in self.folder.glob("*.key.pem"))


def key_to_der(key: SigningKey) -> bytes:
    if not isinstance(key, P256Key):
        raise CryptoError("only P-256 keys can be exported")
    return key._key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def key_from_der(der: bytes) -> SigningKey:
    return SCHEMES["p256"].load_der(der)
