"""Golden vectors for the canonical encoding, hashing, Merkle roots, ids and signatures.

If any of these change, every chain ever written stops verifying: they must never drift.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node import codec, crypto
from node.ledger.tx import Tx

GOLDEN = [
    (None, b"null", "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b"),
    (True, b"true", "b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b"),
    (0, b"0", "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9"),
    (-1, b"-1", "1bad6b8cf97131fceab8543e81f7757195fbb1d36b376ee994ad1cf17699c464"),
    (2**63 - 1, b"9223372036854775807",
     "b34a1c30a715f6bf8b7243afa7fab883ce3612b7231716bdcbbdc1982e1aed29"),
    ("", b'""', "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126"),
    ("caf\u00e9 卡链", b'"caf\xc3\xa9 \xe5\x8d\xa1\xe9\x93\xbe"',
     "36614afc0fbcbf932f69b4dfbcee0137bdbb44b98c7382405efa7edb99cdb645"),
    ([], b"[]", "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"),
    ({}, b"{}", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
    ({"b": 1, "a": [1, "x", None, False]}, b'{"a":[1,"x",null,false],"b":1}',
     "4e2f858df661905acb62e9a30a90a137f0788860191a6547be219761c779a1e5"),
    ({"amount": 1234, "card": "6214830000000000000", "kind": "pay",
      "nested": {"z": [], "y": {}}},
     b'{"amount":1234,"card":"6214830000000000000","kind":"pay","nested":{"y":{},"z":[]}}',
     "c387ee0e5e0a7c7878675d04768e6e75770fc871611c46f6fe0948a94f105997"),
]


@pytest.mark.parametrize(("value", "encoded", "sha"), GOLDEN)
def test_golden_encoding(value: object, encoded: bytes, sha: str) -> None:
    assert codec.encode(value) == encoded
    assert codec.sha256(encoded).hex() == sha
    assert codec.decode(encoded) == value


@pytest.mark.parametrize("bad", [1.0, 0.1, {"amount": 12.5}, [1, [2, 3.0]], float("nan"),
                                 b"bytes", {1: "int key"}, {"s": {1, 2}}, 2**63, -(2**63)])
def test_values_without_canonical_form_are_refused(bad: object) -> None:
    with pytest.raises(codec.EncodingError):
        codec.encode(bad)


def test_float_error_names_the_value() -> None:
    with pytest.raises(codec.EncodingError, match="floats are not allowed"):
        codec.encode({"amount": 12.5})


def test_lone_surrogate_is_not_unicode() -> None:
    with pytest.raises(codec.EncodingError, match="lone surrogate"):
        codec.encode("bad \udc80")


@pytest.mark.parametrize("bad", [b'{"b":1,"a":2}', b'{"a": 1}', b"1.5", b"1e3", b'{"a":1,"a":1}',
                                 b"NaN", b"\xff", b'"\\u00e9"', b"[1,]", b""])
def test_decode_rejects_non_canonical_bytes(bad: bytes) -> None:
    with pytest.raises(codec.EncodingError):
        codec.decode(bad)


def test_decode_refuses_integers_out_of_range() -> None:
    for bad in [b'{"a":9223372036854775808}', b'[-9223372036854775808]',
                b'{"a":[1,99999999999999999999]}']:
        with pytest.raises(codec.EncodingError, match="out of range"):
            codec.decode(bad)
    assert codec.decode(b'{"card":"62148300000000000000000"}') == {
        "card": "62148300000000000000000"}
    assert codec.decode(b'{"n":[9223372036854775807,-9223372036854775807]}') == {
        "n": [2**63 - 1, -(2**63 - 1)]}


def test_deep_nesting_is_refused() -> None:
    v: object = 1
    for _ in range(codec.MAX_DEPTH + 2):
        v = [v]
    with pytest.raises(codec.EncodingError, match="deeply"):
        codec.encode(v)


def test_merkle_golden() -> None:
    assert crypto.merkle_root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert crypto.merkle_root([bytes(32)]).hex() == (
        "7f9c9e31ac8256ca2f258583df262dbc7d6f68f2a03043d5c99a4ae5a7396ce9")
    assert crypto.merkle_root([bytes(32), b"\x01" * 32, b"\x02" * 32]).hex() == (
        "ba8d94b7fbcecae7b81c4c80574fe24734a6917bf9c1ecd66ff3e0c34ead4620")


GOLDEN_TX = Tx("cardchain-demo", "top_up", {"card": "6214830000000000000", "amount": 100}, 7,
               1795478460000)
GOLDEN_PUB = "p256:02a4e954524511b502d8c378333a8438d8af98ed941dfc6509e79d266fbcb8d826"
GOLDEN_SIG = ("442f61d4c6e9c2049e96a271cb30c2e4195ffc7d1e7082c78d4c353ebada1401"
              "036472f1707e979bb4753bbe89aad3adb145f3837df165f8f39c494281dcc377")


def test_golden_transaction_id_and_signature() -> None:
    assert GOLDEN_TX.hex_id == "2e70bbba334a98f3684d7abaf1eec1a582034e04501fb9e6be94123c0cd65b68"
    assert crypto.verify(GOLDEN_PUB, GOLDEN_TX.id, GOLDEN_SIG)
    flipped = GOLDEN_SIG[:-1] + ("8" if GOLDEN_SIG[-1] != "8" else "9")
    assert not crypto.verify(GOLDEN_PUB, GOLDEN_TX.id, flipped)


def test_wire_round_trip_keeps_id_and_signatures() -> None:
    key = crypto.generate()
    tx = GOLDEN_TX.signed_by(key)
    assert tx.encode() == codec.encode(tx.to_wire())  # the fast path is the canonical form
    assert GOLDEN_TX.encode() == codec.encode(GOLDEN_TX.to_wire())
    back = Tx.decode(tx.encode())
    assert back == tx and back.id == tx.id and back.signatures_valid()


@pytest.mark.parametrize("sig", ["", "zz", "00" * 64, "00" * 63])
def test_verify_never_raises_on_garbage(sig: str) -> None:
    assert not crypto.verify(GOLDEN_PUB, GOLDEN_TX.id, sig)
    assert not crypto.verify("sm2:00", GOLDEN_TX.id, GOLDEN_SIG)
    assert not crypto.verify("p256:zz", GOLDEN_TX.id, GOLDEN_SIG)


def test_pbft_frame_is_the_canonical_encoding() -> None:
    from node.consensus.messages import Prepare
    from node.net.framing import pack
    from node.peer_frames import pbft_frame

    msg = Prepare(1, "ab" * 64, 2, 3, "cd" * 32)
    assert pbft_frame(msg) == pack({"t": "pbft", "m": codec.decode(msg.encode())})


def test_transactions_in_messages_are_objects_on_the_wire_and_decoded_once() -> None:
    """A Forward's transaction and a PRE-PREPARE's batch travel as JSON objects (no string
    of escaped JSON), sign the same digest either way, and the receiver's ``adopt`` hook
    gets each one as decoded, to keep it."""
    from node.consensus.messages import BadMessage, Forward, PrePrepare, ViewChange, decode

    key = crypto.generate()
    signed = GOLDEN_TX.signed_by(key)
    text = signed.encode().decode()
    pp = PrePrepare(0, "", 2, 5, 1, "ab" * 32, (text, text)).signed(key)
    vc = ViewChange(1, "", 3, 4, 0, (), (pp,), (), ())
    for msg in (Forward(1, "", text), pp, vc):
        data = msg.encode()
        assert text.encode() in data and b'\\"' not in data
        kept: list[object] = []
        back = decode(data, lambda o, kept=kept: kept.append(o) or codec.text_of(o))
        assert back == msg and back.digest() == msg.digest()
        assert kept and all(o == signed.to_wire() for o in kept)
    assert decode(pp.encode()).verify(key.public)
    bad = codec.decode(Forward(1, "", text).encode())
    bad["tx"] = text  # the old form, a string holding JSON, is refused
    with pytest.raises(BadMessage, match="object"):
        decode(codec.encode(bad))


def test_a_full_load_view_change_fits_a_validator_frame_but_not_a_client_frame() -> None:
    """A VIEW-CHANGE carries the batches above the stable checkpoint: 36 blocks of 400
    requests of ~620 bytes is ~9 MB, past the 8 MiB client limit. Between validators it
    must still go through (a view change that cannot be sent never completes)."""
    import asyncio

    from node.consensus.messages import PrePrepare, ViewChange, decode
    from node.net.framing import MAX_FRAME, FrameError, frame, read_frame
    from node.peer_frames import pbft_frame

    text = '{"body":{' + ",".join(f'"k{i:02}":"v{i:03}"' for i in range(46)) + "}}"
    assert 600 <= len(text) <= 650  # a payment's size, written as the object it is
    pps = tuple(PrePrepare(0, "", 0, s, 1, "ab" * 32, (text,) * 400) for s in range(1, 37))
    vc = ViewChange(1, "cd" * 64, 1, 36, 0, (), pps, (), ())
    data = pbft_frame(vc)
    assert len(data) > MAX_FRAME
    with pytest.raises(ValueError, match="outside"):
        frame(data[4:])  # the client limit

    async def read(limit: int | None) -> bytes:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await (read_frame(reader) if limit is None else read_frame(reader, limit))

    from node.net.framing import PEER_MAX_FRAME

    got = asyncio.run(read(PEER_MAX_FRAME))
    assert decode(codec.encode(codec.decode(got)["m"])) == vc
    with pytest.raises(FrameError):
        asyncio.run(read(None))


# --- the fast encoder against the rules' reference (the standard library) ------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "\ufeff", "é", "卡", "\U0001f600"])
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-codec.MAX_INT, codec.MAX_INT) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20)
_REFERENCE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_the_canonical_bytes_are_the_standard_librarys(value: object) -> None:
    reference = _REFERENCE.encode(value).encode("utf-8")
    assert codec.encode(value) == reference
    assert codec.encode_trusted(value) == reference
    assert codec.decode(reference) == value


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.integers(0, 10_000), st.binary(min_size=1, max_size=3))
def test_decode_accepts_exactly_what_the_strict_parser_accepts(
        value: object, at: int, noise: bytes) -> None:
    """Bytes changed at one place: the fast path and the standard library's strict parser
    agree on whether they are canonical (and on the value when they are)."""
    good = codec.encode(value)
    at %= len(good) + 1
    for data in (good[:at] + noise + good[at:], good[:at] + noise + good[at + len(noise):]):
        try:
            strict = codec._decode_strict(data)
        except codec.EncodingError:
            with pytest.raises(codec.EncodingError):
                codec.decode(data)
        else:
            assert codec.decode(data) == strict


def test_decode_names_what_is_wrong_as_the_strict_parser_does() -> None:
    for bad, says in [(b'{"a":1.5}', "floats are not allowed"), (b"1e3", "floats"),
                      (b'{"a":1,"a":1}', "duplicate"), (b'{"a":99999999999999999999}', "range"),
                      (b'"\\ud800"', "surrogate"), (b"\xff", "UTF-8"), (b'{"a": 1}', "canonical"),
                      (b"[" * 40 + b"]" * 40, "deeply")]:
        with pytest.raises(codec.EncodingError, match=says):
            codec.decode(bad)


def test_a_str_subclass_key_is_encoded_like_a_str() -> None:
    class Name(str):
        pass

    assert codec.encode_trusted({Name("b"): 1, "a": Name("x")}) == b'{"a":"x","b":1}'
