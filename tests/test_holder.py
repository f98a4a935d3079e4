"""A named card's holder details: sealed for the issuing bank and the regulator only, opened
on their machines, and nothing else of them on chain."""

from __future__ import annotations

from typing import Any

import pytest

from app import holder as holders
from app.consortium import seal_key_name
from app.flows import new_card
from node import codec, crypto
from tests.support.world import World

LI = holders.Holder("Li Lei 李雷", "110101199003074514", "13800138000", "5a" * 16)


def test_the_bank_and_the_regulator_open_the_details_and_nobody_else(world: World) -> None:
    pii = holders.seal(world.genesis, "EHB", LI)
    assert pii["commitment"] == LI.commitment()
    assert holders.open_details(world.k(seal_key_name("EHB")), "bank", pii) == LI
    assert holders.open_details(world.k(seal_key_name("regulator")), "regulator", pii) == LI
    for key, recipient in [(seal_key_name("JRB"), "bank"),  # another bank
                           (seal_key_name("regulator"), "bank"),
                           (seal_key_name("EHB"), "regulator"),
                           ("terminal-M001-T01", "bank"), ("clerk-EHB-1", "bank")]:
        with pytest.raises(holders.HolderError):
            holders.open_details(world.k(key), recipient, pii)
    # the text on chain holds no part of the details
    text = codec.encode(pii).decode()
    for part in ("Li Lei", "李雷", LI.id_number, LI.phone, LI.salt):
        assert part not in text


def test_an_envelope_moved_or_altered_does_not_open(world: World) -> None:
    pii = holders.seal(world.genesis, "EHB", LI)
    key = world.k(seal_key_name("EHB"))
    other = holders.seal(world.genesis, "EHB", holders.Holder("Han Meimei 韩梅梅", "2", "", "00"))
    # another card's envelope under this card's commitment, the recipients swapped
    for moved in [{**pii, "bank": other["bank"]}, {**pii, "bank": pii["regulator"]}]:
        with pytest.raises(holders.HolderError):
            holders.open_details(key, "bank", moved)
    env = pii["bank"]
    for field in ("epk", "nonce", "ct"):  # every hex digit of every field, changed
        for i in range(len(env[field])):
            flipped = env[field][:i] + ("0" if env[field][i] != "0" else "1") + env[field][i + 1:]
            with pytest.raises(holders.HolderError):
                holders.open_details(key, "bank", {**pii, "bank": {**env, field: flipped}})
    # details that open but are not the committed ones (resealed by someone holding the
    # bank's public key only)
    forged = {**pii, "bank": crypto.seal_to(str(world.genesis.seal_key("EHB")),
                                            holders.Holder("X", "1").canonical(),
                                            holders.context("bank", pii["commitment"]))}
    with pytest.raises(holders.HolderError, match="commitment"):
        holders.open_details(key, "bank", forged)


@pytest.mark.parametrize("env", [
    None, [], "x", {}, {"epk": "", "nonce": "", "ct": ""},
    {"epk": "02" + "ff" * 32, "nonce": "00" * 12, "ct": "00" * 32},  # x beyond the field
    {"epk": "04" + "11" * 32, "nonce": "00" * 12, "ct": "00" * 32},
    {"epk": "X", "nonce": "00" * 12, "ct": "00" * 32},
])
def test_a_malformed_envelope_is_refused_by_form(env: Any, world: World) -> None:
    assert not crypto.envelope_well_formed(env)
    with pytest.raises(crypto.CryptoError):
        crypto.open_envelope(world.k(seal_key_name("EHB")), env, b"c")


def test_each_role_opens_what_is_sealed_for_it(cons: Any) -> None:
    made = new_card(cons, "EHB", 1_800_000_000_000, holder="Li Lei 李雷",
                    id_number="110101199003074514", phone="13800138000")
    body = made.body
    assert "holder" not in body and body["named"] is True
    # the keyed hash of the ID number: the same for the same person, whichever bank
    assert body["id_hash"] == new_card(cons, "JRB", 1, holder="L", id_number="110101199003074514"
                                       ).body["id_hash"]
    card = {"card": body["card"], "holder": None, "pii": body["pii"]}
    names = {who: holders.Opener(cons, who).name(card)
             for who in ("clerk-EHB-1", "clerk-JRB-1", "regulator-1", "terminal-M001-T01",
                         "clearing-1")}
    assert names == {"clerk-EHB-1": "Li Lei 李雷", "clerk-JRB-1": None,
                     "regulator-1": "Li Lei 李雷", "terminal-M001-T01": None,
                     "clearing-1": None}
    assert holders.Opener(cons, "clerk-JRB-1").name({"holder": "Old Name"}) == "Old Name"
    with pytest.raises(holders.HolderError):
        new_card(cons, "EHB", 1, holder="   ", id_number="1")
    with pytest.raises(holders.HolderError):
        new_card(cons, "EHB", 1, holder="x" * 201, id_number="1")
