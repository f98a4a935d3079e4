"""The frames validators send each other for consensus, and a PRE-PREPARE by reference.

A message goes as ``{"m": <message>, "t": "pbft"}``. Every request reaches every validator
as a Forward from the validator a client sent it to (replica.py), so when the primary
proposes it the backups normally hold it already: the primary's own PRE-PREPARE goes to
its peers with the leaves of its requests (SHA-256 of each text) in place of the requests,
``{"m": {<its fields>, "leaves": [...]}, "t": "pp-ref"}``, about a tenth of the bytes. A
backup rebuilds the PRE-PREPARE from the requests it holds (its signature covers the whole
message and is checked as any other's) and asks the sender for those it lacks::

    {"t": "need", "leaves": [...]}  ->  {"t": "requests", "txs": [<transaction>, ...]}

Only requests a waiting PRE-PREPARE names are taken from a reply. At most ``WAITING_MAX``
PRE-PREPAREs per peer wait for their requests, each for ``WAIT_MS`` at most (the replica's
request timer sees to it that the primary is replaced if they never come). PRE-PREPAREs
inside a VIEW-CHANGE or NEW-VIEW, and any sent to one peer, carry their requests whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from node import codec
from node.consensus import messages as m
from node.net.framing import PEER_MAX_FRAME, frame
from node.requests import Requests, leaf_of

WAITING_MAX = 8
WAIT_MS = 5_000


def pbft_frame(msg: m.Msg) -> bytes:
    """The frame {"m": msg, "t": "pbft"}, built from the message's canonical bytes once
    (keys sorted: "m" before "t"), not decoded and encoded again per send."""
    return frame(b'{"m":' + msg.encode() + b',"t":"pbft"}', PEER_MAX_FRAME)


def ref_frame(pp: m.PrePrepare, leaf: Callable[[str], str] = leaf_of) -> bytes:
    """A PRE-PREPARE with its requests' leaves in place of the requests (``leaf``: a
    table's ``Requests.leaf``, which hashed them when it took them)."""
    body = {k: v for k, v in pp.body().items() if k != "batch"}
    return frame(codec.encode({"m": {**body, "leaves": [leaf(t) for t in pp.batch],
                                     "sig": pp.sig}, "t": "pp-ref"}), PEER_MAX_FRAME)


def _leaves(obj: Any) -> list[str]:
    if not isinstance(obj, list) or len(obj) > m.MAX_BATCH_WIRE or not all(
            isinstance(x, str) and len(x) == 64 for x in obj):
        raise m.BadMessage(f"leaves must be a list of at most {m.MAX_BATCH_WIRE} hashes")
    return obj


@dataclass
class Waiting:
    fields: dict[str, Any]  # the PRE-PREPARE's, with its leaves
    missing: set[str]
    since: float


class ByReference:
    """A validator's side of PRE-PREPAREs by reference: rebuilding those it receives,
    asking for the requests it lacks and answering its peers' asks."""

    def __init__(self, requests: Requests, send: Callable[[int, bytes], None],
                 stats: dict[str, int], clock: Callable[[], float] = time.monotonic) -> None:
        self.requests, self.send, self.stats, self.clock = requests, send, stats, clock
        self.waiting: dict[int, list[Waiting]] = {}  # peer -> its PRE-PREPAREs waiting

    def on_frame(self, src: int, kind: str, obj: dict[str, Any]) -> list[m.PrePrepare]:
        """A "pp-ref", "need" or "requests" frame from peer ``src``: the PRE-PREPAREs it
        completes, to be handled as if they had come whole.  BadMessage if malformed."""
        if kind == "need":
            texts = [t for t in map(self.requests.by_leaf, _leaves(obj["leaves"])) if t]
            self._count("requests_served", len(texts))
            if texts:
                self.send(src, frame(codec.encode({"t": "requests", "txs": [
                    codec.embed(t) for t in texts]}), PEER_MAX_FRAME))
            return []
        if kind == "requests":
            return self._arrived(src, obj["txs"])
        fields = obj["m"]
        if not isinstance(fields, dict):
            raise m.BadMessage("a PRE-PREPARE is an object")
        leaves = _leaves(fields.get("leaves"))
        m.pre_prepare(fields, ())  # its fields checked now, not once its requests are in
        texts = [self.requests.by_leaf(x) for x in leaves]
        if all(texts):
            self._count("pre_prepares_by_reference")
            return [m.pre_prepare(fields, tuple(t for t in texts if t))]
        missing = {x for x, t in zip(leaves, texts, strict=True) if t is None}
        now = self.clock()
        queue = [w for w in self.waiting.get(src, []) if now - w.since < WAIT_MS / 1000]
        self.waiting[src] = [*queue, Waiting(fields, missing, now)][-WAITING_MAX:]
        self._count("requests_asked", len(missing))
        self.send(src, frame(codec.encode({"t": "need", "leaves": sorted(missing)}),
                             PEER_MAX_FRAME))
        return []

    def _arrived(self, src: int, txs: Any) -> list[m.PrePrepare]:
        if not isinstance(txs, list) or len(txs) > m.MAX_BATCH_WIRE:
            raise m.BadMessage(f"txs must be a list of at most {m.MAX_BATCH_WIRE}")
        queue = self.waiting.get(src, [])
        wanted = set().union(*(w.missing for w in queue))
        for obj in txs:  # only what a waiting PRE-PREPARE names: nothing else is kept
            if isinstance(obj, dict) and leaf_of(text := codec.text_of(obj)) in wanted:
                self.requests.adopt(obj, text)
        done: list[m.PrePrepare] = []
        for w in list(queue):
            w.missing = {x for x in w.missing if self.requests.by_leaf(x) is None}
            if not w.missing:
                queue.remove(w)
                texts = tuple(self.requests.by_leaf(x) or "" for x in w.fields["leaves"])
                done.append(m.pre_prepare(w.fields, texts))
        return done

    def _count(self, name: str, n: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + n
