"""The window's Session and the command line's Remote are one client API (app/api.py)."""

from __future__ import annotations

import inspect

from app.api import Api
from app.remote import Remote
from app.session import Session


def test_session_and_remote_offer_the_same_api() -> None:
    methods = ("now", "make", "query", "submit", "online")
    for cls in (Session, Remote):
        for name in methods:
            mine, theirs = getattr(cls, name), getattr(Api, name)
            assert _params(mine) == _params(theirs), (cls.__name__, name)
            assert inspect.iscoroutinefunction(mine) == inspect.iscoroutinefunction(theirs)
        assert isinstance(cls.__dict__["outbox_path"], property)
        source = inspect.getsource(cls.__init__)
        for attr in Api.__annotations__:
            assert f"self.{attr}" in source or f", self.{attr}" in source, (cls.__name__, attr)


def _params(fn: object) -> list[str]:
    return [p for p in inspect.signature(fn).parameters if p != "self"]  # type: ignore[arg-type]
