"""The client protocol's requests, typed: parsed or refused with the reason, and back."""

from __future__ import annotations

from typing import Any

import pytest

from node import codec, protocol
from node.errors import ClientError, Refused

TX = '{"a":[1,"x"],"b":{"c":null}}'  # any canonical object stands for a transaction here


@pytest.mark.parametrize("req", [
    protocol.Submit(TX, 5_000), protocol.Submit(TX, 0, progress=True),
    protocol.Query("card", {"card": "6214"}), protocol.Query("blocks"),
    protocol.Status(), protocol.Status(20), protocol.Subscribe(),
])
def test_a_request_goes_to_the_wire_and_back_unchanged(req: protocol.Request) -> None:
    frame = codec.encode({"rid": 7, **protocol.to_wire(req)})
    assert protocol.parse(codec.decode(frame)) == req


def test_a_submitted_transaction_is_an_object_on_the_wire_not_a_string_of_json() -> None:
    frame = codec.encode(protocol.to_wire(protocol.Submit(TX, 5)))
    assert b'"tx":' + TX.encode() in frame and b"\\" not in frame
    kept: list[dict[str, Any]] = []

    def adopt(obj: dict[str, Any]) -> str:  # the node keeps the decoded object
        kept.append(obj)
        return codec.text_of(obj)

    assert protocol.parse(codec.decode(frame), adopt) == protocol.Submit(TX, 5)
    assert kept == [codec.decode(TX.encode())]


@pytest.mark.parametrize(("obj", "reason"), [
    ([], "JSON object"), ({"op": "delete"}, "unknown op"), ({}, "unknown op"),
    ({"op": "submit", "tx": 42}, "JSON object"),
    ({"op": "submit", "tx": TX}, "JSON object"),  # a string of JSON is not one
    ({"op": "submit", "tx": {}, "wait_ms": -1}, "whole number"),
    ({"op": "submit", "tx": {}, "wait_ms": 1.5}, "whole number"),
    ({"op": "query", "q": ["card"]}, "unknown query"),
    ({"op": "status", "stages_s": 0}, "at least 1"),
    ({"op": "status", "stages_s": "60"}, "whole number"),
    ({"op": "status", "stages_s": True}, "whole number"),
])
def test_a_malformed_request_is_refused_with_its_reason(obj: Any, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        protocol.parse(obj)


def test_a_submission_waits_at_most_the_longest_wait() -> None:
    r = protocol.parse({"op": "submit", "tx": {}, "wait_ms": 10**9})
    assert isinstance(r, protocol.Submit) and r.wait_ms == protocol.MAX_WAIT_MS


def test_a_decision_reply_is_typed_and_a_malformed_one_is_refused() -> None:
    wire = {"id": "ab" * 32, "code": "ok", "message": "", "height": 7, "pos": 0,
            "block": "cd" * 32, "time": 1_700_000_000_000, "certificate": "{}"}
    d = protocol.Decision.parse(wire)
    assert d.ok and d.height == 7 and d.to_wire() == wire
    refused = protocol.Decision.parse({"id": "ab" * 32, "code": "bad_signature",
                                       "message": "no"})
    assert not refused.ok and refused.height is None  # refused before it was ordered
    for bad in ([], {"id": "x", "code": "ok"}, {**wire, "height": "7"},
                {**wire, "height": True}, {**wire, "code": None}):
        with pytest.raises(ClientError):
            protocol.Decision.parse(bad)
