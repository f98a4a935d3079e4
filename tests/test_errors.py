"""The one error hierarchy of a node's clients, across the wire and back."""

from __future__ import annotations

import pytest

from node.errors import Busy, ClientError, Refused, error_of, error_reply


@pytest.mark.parametrize("exc", [
    Refused("this card is not visible to you"),
    Refused("the card holds 73200 fen", "insufficient_funds"),
    Busy(750),
    ClientError("not decided in time"),
])
def test_an_error_reply_stands_for_the_same_error(exc: ClientError) -> None:
    back = error_of(error_reply(exc))
    assert type(back) is type(exc) and str(back) == str(exc)
    assert getattr(back, "code", None) == getattr(exc, "code", None)
    assert getattr(back, "retry_after_ms", None) == getattr(exc, "retry_after_ms", None)


def test_only_a_refusal_says_nothing_was_done() -> None:
    assert error_reply(Refused("no"))["refused"] is True
    assert "refused" not in error_reply(ClientError("not decided in time"))
    assert isinstance(Busy(1), Refused) and isinstance(Refused("x"), ClientError)
    # a malformed reply is read as conservatively as it can be: not a refusal
    assert type(error_of({"ok": False})) is ClientError
    assert error_of({"ok": False, "refused": True, "busy": True,
                     "retry_after_ms": -5}).retry_after_ms == 1_000  # type: ignore[attr-defined]
