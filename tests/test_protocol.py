"""The client protocol's requests, typed: parsed or refused with the reason, and back."""

from __future__ import annotations

from typing import Any

import pytest

from node import protocol
from node.errors import Refused


@pytest.mark.parametrize("req", [
    protocol.Submit("{}", 5_000), protocol.Submit("{}", 0, progress=True),
    protocol.Query("card", {"card": "6214"}), protocol.Query("blocks"),
    protocol.Status(), protocol.Subscribe(),
])
def test_a_request_goes_to_the_wire_and_back_unchanged(req: protocol.Request) -> None:
    assert protocol.parse({"rid": 7, **protocol.to_wire(req)}) == req


@pytest.mark.parametrize(("obj", "reason"), [
    ([], "JSON object"), ({"op": "delete"}, "unknown op"), ({}, "unknown op"),
    ({"op": "submit", "tx": 42}, "canonical text"),
    ({"op": "submit", "tx": "{}", "wait_ms": -1}, "whole number"),
    ({"op": "submit", "tx": "{}", "wait_ms": 1.5}, "whole number"),
    ({"op": "query", "q": ["card"]}, "unknown query"),
])
def test_a_malformed_request_is_refused_with_its_reason(obj: Any, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        protocol.parse(obj)


def test_a_submission_waits_at_most_the_longest_wait() -> None:
    r = protocol.parse({"op": "submit", "tx": "{}", "wait_ms": 10**9})
    assert isinstance(r, protocol.Submit) and r.wait_ms == protocol.MAX_WAIT_MS
