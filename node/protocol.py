"""The client protocol's requests, typed.

A client sends one JSON object per frame: ``{"rid": n, "op": ..., ...}``; a submitted
transaction is the JSON object it is (``"tx": {...}``), not a string of JSON. `parse` turns it
into one of the requests below or refuses it with the reason (`Refused`), before anything
else looks at it; `to_wire` is its inverse, for the client library. Who may send which
request, and which query, is node/access.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from node import codec
from node.errors import ClientError, Refused

MAX_WAIT_MS = 120_000  # the longest a submission waits for its decision
ENVELOPE = frozenset({"rid", "op"})


@dataclass(frozen=True)
class Submit:
    """A signed transaction (its canonical text here, its object on the wire), and how
    long to wait for its decision; ``progress``: interim replies as it is ordered."""

    tx: str
    wait_ms: int = 30_000
    progress: bool = False


@dataclass(frozen=True)
class Query:
    """Query ``name`` (node/access.py's QUERIES) with its arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)

    def as_request(self) -> dict[str, Any]:
        """The form access.py's handlers read: the arguments and ``q``."""
        return {**self.args, "q": self.name}


@dataclass(frozen=True)
class Status:
    """The validator's height, view, peers and health; its latency budget over the last
    ``stages_s`` seconds (over all it keeps if None)."""

    stages_s: int | None = None


@dataclass(frozen=True)
class Subscribe:
    """Every new block, as it is executed, until the connection closes."""


Request = Submit | Query | Status | Subscribe
OP_NAMES: dict[type, str] = {Submit: "submit", Query: "query", Status: "status",
                             Subscribe: "subscribe"}


def parse(obj: Any, adopt: Callable[[dict[str, Any]], str] | None = None) -> Request:
    """The request a client's frame holds; Refused, naming what is wrong, otherwise.
    ``adopt`` (for a frame checked canonical only) takes a submitted transaction's object
    and returns its text, keeping what it decoded (node/requests.py)."""
    if not isinstance(obj, dict):
        raise Refused("a request is a JSON object")
    op = obj.get("op")
    if op == "submit":
        tx, wait_ms = obj.get("tx"), obj.get("wait_ms", 30_000)
        if not isinstance(tx, dict):
            raise Refused("tx must be the transaction, a JSON object")
        if type(wait_ms) is not int or wait_ms < 0:
            raise Refused("wait_ms must be a whole number of milliseconds")
        try:
            text = adopt(tx) if adopt is not None else codec.text_of(tx)
        except codec.EncodingError as exc:
            raise Refused(f"tx has no canonical encoding: {exc}") from exc
        return Submit(text, min(wait_ms, MAX_WAIT_MS), obj.get("progress") is True)
    if op == "query":
        name = obj.get("q")
        if not isinstance(name, str):
            raise Refused(f"unknown query {name!r}")
        return Query(name, {k: v for k, v in obj.items() if k not in ENVELOPE | {"q"}})
    if op == "status":
        stages_s = obj.get("stages_s")
        if stages_s is not None and (type(stages_s) is not int or stages_s < 1):
            raise Refused("stages_s must be a whole number of seconds, at least 1")
        return Status(stages_s)
    if op == "subscribe":
        return Subscribe()
    raise Refused(f"unknown op {op!r}")


def to_wire(req: Request) -> dict[str, Any]:
    """The frame's fields for ``req`` (without ``rid``): ``parse``'s inverse."""
    if isinstance(req, Submit):
        out: dict[str, Any] = {"op": "submit", "tx": codec.embed(req.tx),
                               "wait_ms": req.wait_ms}
        if req.progress:
            out["progress"] = True
        return out
    if isinstance(req, Query):
        return {**req.args, "op": "query", "q": req.name}
    if isinstance(req, Status) and req.stages_s is not None:
        return {"op": "status", "stages_s": req.stages_s}
    return {"op": OP_NAMES[type(req)]}


def reply_digest(chain: str, name: str, args: dict[str, Any], height: int,
                 result: Any) -> bytes:
    """What a validator signs when a query asks for a signed reply (``"signed": true``):
    the query with its arguments (``signed`` left out), the height it answered at and its
    result.  A light node takes a result that f+1 validators signed (node/light.py)."""
    return codec.digest(["reply", chain, name,
                         {k: v for k, v in args.items() if k != "signed"}, height, result])


@dataclass(frozen=True)
class Decision:
    """The reply to a submission (and to the ``tx`` query): what became of a transaction,
    and where it is on chain (none of that for one refused before it was ordered).  A
    receipt that proves it is node/receipt.py's document."""

    id: str
    code: str     # "ok", or the ledger's reason code (node/ledger/errors.py)
    message: str
    height: int | None = None
    pos: int | None = None
    block: str | None = None
    time: int | None = None
    certificate: str | None = None

    @property
    def ok(self) -> bool:
        return self.code == "ok"

    def to_wire(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def parse(cls, obj: Any) -> Decision:
        """A decision from a node's reply; ClientError if it is not one."""
        if not isinstance(obj, dict) or not {"id", "code", "message"} <= obj.keys():
            raise ClientError("the node's reply is not a decision")
        kept = {f.name: obj.get(f.name) for f in fields(cls)}
        for f in fields(cls):
            v, want = kept[f.name], _DECISION_TYPES[f.name]
            if not (isinstance(v, want) and type(v) is not bool) and \
                    not (v is None and f.default is None):
                raise ClientError(f"the node's reply has a bad {f.name!r}")
        return cls(**kept)


_DECISION_TYPES: dict[str, type] = {"id": str, "code": str, "message": str, "height": int,
                                    "pos": int, "block": str, "time": int,
                                    "certificate": str}
