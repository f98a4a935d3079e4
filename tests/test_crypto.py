from __future__ import annotations

from pathlib import Path

import pytest

from node import crypto
from node.cardfile import CardFile, CardFileError, new_card_number
from node.ledger.tx import luhn_ok

FAST_N = 2**10  # tests use a cheap scrypt; the default (2**15) is exercised once below


def test_sign_verify_and_wrong_key() -> None:
    a, b = crypto.generate(), crypto.generate()
    d = crypto.sha256(b"message")
    sig = a.sign(d)
    assert crypto.verify(a.public, d, sig)
    assert not crypto.verify(b.public, d, sig)
    assert not crypto.verify(a.public, crypto.sha256(b"other"), sig)


def test_public_key_format() -> None:
    k = crypto.generate()
    assert crypto.valid_public(k.public)
    assert k.public.startswith("p256:") and len(k.public) == 5 + 66
    for bad in ["", "p256:", "p256:" + "00" * 33, "sm2:" + k.public[5:], k.public.upper(), 5]:
        assert not crypto.valid_public(bad)


def test_keystore_is_encrypted_pkcs8(tmp_path: Path) -> None:
    ks = crypto.KeyStore(tmp_path, "correct horse", n=FAST_N)
    k = crypto.generate()
    path = ks.save("clerk", k)
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert (path.stat().st_mode & 0o777) == 0o600
    assert crypto.KeyStore(tmp_path, "correct horse").load("clerk").public == k.public
    with pytest.raises(crypto.CryptoError, match="wrong passphrase"):
        crypto.KeyStore(tmp_path, "wrong horse").load("clerk")
    with pytest.raises(crypto.CryptoError, match="no key"):
        ks.load("missing")
    with pytest.raises(crypto.CryptoError):
        ks.path("../escape")


def test_seal_round_trip_and_tamper() -> None:
    blob = crypto.seal(b"secret", "123456", n=FAST_N)
    assert crypto.unseal(blob, "123456") == b"secret"
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(blob, "654321")
    tampered = dict(blob, ciphertext=("00" if blob["ciphertext"][:2] != "00" else "11")
                    + blob["ciphertext"][2:])
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(tampered, "123456")


def test_card_file_default_kdf_is_scrypt_2_15(tmp_path: Path) -> None:
    number = new_card_number("621483")
    assert len(number) == 19 and luhn_ok(number)
    cf, key = CardFile.create(number, "EHB", "246810")
    assert cf.sealed["kdf"]["name"] == "scrypt" and cf.sealed["kdf"]["n"] == 2**15
    cf.save(tmp_path / "c.json")
    assert b"246810" not in (tmp_path / "c.json").read_bytes()
    loaded = CardFile.load(tmp_path / "c.json")
    assert loaded.unlock("246810").public == key.public
    with pytest.raises(CardFileError, match="wrong PIN"):
        loaded.unlock("000000")
    with pytest.raises(CardFileError, match="6 digits"):
        loaded.unlock("12ab")


def test_luhn_check_matches_the_textbook_rule() -> None:
    """The table-driven check against the rule as written: from the right, every second
    digit doubled, a two-digit result counted as the sum of its digits, total divisible by
    10 (and the classic example 79927398713)."""
    import random

    def textbook(number: str) -> bool:
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d // 10 + d % 10
        return total % 10 == 0

    assert luhn_ok("79927398713") and not luhn_ok("79927398710")
    rng = random.Random(7)
    for _ in range(5000):
        number = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 24)))
        assert luhn_ok(number) == textbook(number), number
