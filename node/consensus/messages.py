"""PBFT messages: frozen dataclasses, canonical encoding, signatures over their digest.

Every message a replica sends is signed by its validator key over the SHA-256 of the
canonical encoding of its fields (``sig`` excluded), so votes are transferable: a commit
certificate, a checkpoint proof or a prepared certificate can be checked by anyone holding
the genesis file.  ``decode`` turns bytes from the wire back into a message or raises
``BadMessage`` (the sender's fault: drop it and carry on).

A transaction inside a message (a Forward's, a PRE-PREPARE's batch) travels as the JSON
object it is, never as a string holding JSON: the message keeps its canonical text, and
encoding writes that text in place (``codec.embed``).  Decoding hands each transaction
object to an ``Adopt`` hook, which returns its text (and may keep the decoded object: the
node's table of requests does, so a transaction is parsed once per process).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

from node import codec, crypto

NULL_DIGEST = "0" * 64
# a transaction object of a decoded canonical frame -> its canonical text
Adopt = Callable[[dict[str, Any]], str]


class BadMessage(ValueError):
    """Bytes or fields that do not form a valid message (their fault, never ours)."""


def batch_root(batch: tuple[str, ...] | list[str]) -> str:
    """Merkle root of a batch's transactions (leaf = SHA-256 of each wire text): the same
    root the block header carries as ``tx_root``."""
    return crypto.merkle_root([codec.sha256(t.encode("utf-8")) for t in batch]).hex()


def batch_digest_of_root(seq: int, time: int, root: str) -> str:
    return codec.digest(["batch", seq, time, root]).hex()


def batch_digest(seq: int, time: int, batch: tuple[str, ...] | list[str]) -> str:
    """What PRE-PREPARE, PREPARE and COMMIT agree on: height, time and the batch's Merkle
    root.  Because the root is the header's tx_root, a commit certificate plus a Merkle
    proof shows a transaction was ordered at that height (a verifiable receipt)."""
    return batch_digest_of_root(seq, time, batch_root(batch))


@dataclass(frozen=True)
class Msg:
    KIND: ClassVar[str] = ""
    TXS: ClassVar[str] = ""  # the field holding transaction text (one, or a tuple of them)
    sender: int
    sig: str

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.KIND}
        for fl in fields(self):
            if fl.name == self.TXS:
                v = getattr(self, fl.name)
                out[fl.name] = codec.embed(v) if isinstance(v, str) else \
                    [codec.embed(t) for t in v]
            elif fl.name != "sig":
                out[fl.name] = _to_wire(getattr(self, fl.name))
        return out

    def digest(self) -> bytes:
        return codec.digest(self.body())

    def signed(self, key: crypto.SigningKey) -> Msg:
        return replace(self, sig=key.sign(self.digest()))

    def verify(self, public: str) -> bool:
        return crypto.verify(public, self.digest(), self.sig)

    def encode(self) -> bytes:
        return codec.encode({**self.body(), "sig": self.sig})


def _to_wire(v: Any) -> Any:
    if isinstance(v, Msg):
        return {**v.body(), "sig": v.sig}
    if isinstance(v, tuple):
        return [_to_wire(x) for x in v]
    return v


@dataclass(frozen=True)
class PrePrepare(Msg):
    KIND: ClassVar[str] = "pre-prepare"
    TXS: ClassVar[str] = "batch"
    view: int
    seq: int
    time: int
    batch_id: str
    batch: tuple[str, ...]  # canonical wire text of each transaction


@dataclass(frozen=True)
class Prepare(Msg):
    KIND: ClassVar[str] = "prepare"
    view: int
    seq: int
    batch_id: str


@dataclass(frozen=True)
class Commit(Msg):
    KIND: ClassVar[str] = "commit"
    view: int
    seq: int
    batch_id: str


@dataclass(frozen=True)
class Checkpoint(Msg):
    KIND: ClassVar[str] = "checkpoint"
    view: int                            # the sender's view (lets a lagging peer catch up)
    seq: int
    state_root: str


@dataclass(frozen=True)
class Prepared:
    """Evidence that a batch was prepared in ``pre_prepare.view``: the signed PRE-PREPARE
    and 2f matching PREPAREs, or, for a batch this replica executed, the batch (an unsigned
    PRE-PREPARE: its batch id is the digest of its seq, time and transactions) and the
    2f+1 COMMITs of its commit certificate, which a replica keeps with the block and so
    still has after a restart (2f+1 COMMITs mean f+1 honest replicas prepared it)."""

    pre_prepare: PrePrepare
    prepares: tuple[Prepare, ...]
    commits: tuple[Commit, ...] = ()


@dataclass(frozen=True)
class ViewChange(Msg):
    KIND: ClassVar[str] = "view-change"
    view: int                            # the view being moved to
    executed: int                        # the sender's height (a hint for state transfer)
    stable_seq: int
    checkpoint_proof: tuple[Checkpoint, ...]
    prepared: tuple[PrePrepare, ...]     # flattened: each PRE-PREPARE then its votes
    prepares: tuple[Prepare, ...]
    commits: tuple[Commit, ...]          # the commit certificates of executed batches

    def certificates(self) -> list[Prepared]:
        by_key: dict[tuple[int, int], list[Prepare]] = {}
        for p in self.prepares:
            by_key.setdefault((p.view, p.seq), []).append(p)
        committed: dict[tuple[int, int], list[Commit]] = {}
        for c in self.commits:
            committed.setdefault((c.view, c.seq), []).append(c)
        return [Prepared(pp, tuple(by_key.get((pp.view, pp.seq), ())),
                         tuple(committed.get((pp.view, pp.seq), ()))) for pp in self.prepared]


@dataclass(frozen=True)
class NewView(Msg):
    KIND: ClassVar[str] = "new-view"
    view: int
    view_changes: tuple[ViewChange, ...]
    pre_prepares: tuple[PrePrepare, ...]


@dataclass(frozen=True)
class Status(Msg):
    """"I have executed up to ``height``": sent to a peer that seems behind, so it knows
    whom to fetch blocks from (each block it fetches proves itself by its certificate)."""

    KIND: ClassVar[str] = "status"
    view: int
    height: int


@dataclass(frozen=True)
class Attest(Msg):
    """"Executing block ``seq`` gave me the header whose hash is ``block``": signed after
    execution.  f+1 matching ATTESTs (one of them from an honest replica, and execution is
    deterministic) certify every field of the header, its results root and state root
    included: the result certificate a receipt carries (results.py)."""

    KIND: ClassVar[str] = "attest"
    seq: int
    block: str


@dataclass(frozen=True)
class Suspect(Msg):
    """"My request timer expired in ``view``, at ``height``": a vote to replace its primary.
    A replica sends VIEW-CHANGE, and so stops taking part in ``view``, only once 2f+1
    replicas suspect it (viewchange.py): one that was paused or fell behind never leaves
    its peers alone; a peer that executed more tells it so (it then fetches the blocks)."""

    KIND: ClassVar[str] = "suspect"
    view: int
    height: int


@dataclass(frozen=True)
class Forward(Msg):
    """A client request passed on by a replica.  Not signed: the transaction carries its
    own signatures and the link it arrives on is authenticated by TLS."""

    KIND: ClassVar[str] = "forward"
    TXS: ClassVar[str] = "tx"
    tx: str  # canonical wire text


KINDS: dict[str, type[Msg]] = {c.KIND: c for c in
                               (PrePrepare, Prepare, Commit, Checkpoint, ViewChange, NewView,
                                Forward, Status, Attest, Suspect)}
MAX_BATCH_WIRE = 2_000


def _int(d: dict[str, Any], k: str, lo: int = 0) -> int:
    v = d.get(k)
    if type(v) is not int or v < lo:
        raise BadMessage(f"{k} must be an integer >= {lo}")
    return v


def _hex(d: dict[str, Any], k: str) -> str:
    v = d.get(k)
    if not isinstance(v, str) or len(v) != 64:
        raise BadMessage(f"{k} must be 64 hex digits")
    return v


def _list(d: dict[str, Any], k: str, limit: int) -> list[Any]:
    v = d.get(k)
    if not isinstance(v, list) or len(v) > limit:
        raise BadMessage(f"{k} must be a list of at most {limit}")
    return v


def _text(o: Any, adopt: Adopt | None) -> str:
    if not isinstance(o, dict):
        raise BadMessage("a transaction must be an object")
    try:
        return adopt(o) if adopt is not None else codec.text_of(o)
    except codec.EncodingError as exc:
        raise BadMessage(f"bad transaction: {exc}") from exc


def from_obj(o: Any, depth: int = 0, adopt: Adopt | None = None) -> Msg:
    """The message of a decoded canonical frame's object; ``adopt`` gets each transaction
    object it carries (see the module's docstring)."""
    if not isinstance(o, dict) or depth > 2:
        raise BadMessage("message must be an object")
    cls = KINDS.get(o.get("kind", ""))
    if cls is None:
        raise BadMessage(f"unknown message kind {o.get('kind')!r}")
    expected = {f.name for f in fields(cls)} | {"kind"}
    if set(o) != expected:
        raise BadMessage(f"{cls.KIND} fields wrong: {sorted(set(o) ^ expected)}")
    sender, sig = _int(o, "sender"), _sig(o)
    if cls is Prepare or cls is Commit:
        return cls(sender, sig, _int(o, "view"), _int(o, "seq", 1), _hex(o, "batch_id"))
    if cls is PrePrepare:
        return _pre_prepare(o, sig, tuple(_text(t, adopt)
                                          for t in _list(o, "batch", MAX_BATCH_WIRE)))
    if cls is Checkpoint:
        return Checkpoint(sender, sig, _int(o, "view"), _int(o, "seq"), _hex(o, "state_root"))
    if cls is Status:
        return Status(sender, sig, _int(o, "view"), _int(o, "height"))
    if cls is Suspect:
        return Suspect(sender, sig, _int(o, "view"), _int(o, "height"))
    if cls is Attest:
        return Attest(sender, sig, _int(o, "seq", 1), _hex(o, "block"))
    if cls is Forward:
        return Forward(sender, sig, _text(o["tx"], adopt))
    if cls is ViewChange:
        proof = tuple(_sub(x, Checkpoint, depth) for x in _list(o, "checkpoint_proof", 100))
        pps = tuple(_sub(x, PrePrepare, depth, adopt) for x in _list(o, "prepared", 1000))
        prs = tuple(_sub(x, Prepare, depth) for x in _list(o, "prepares", 100_000))
        cms = tuple(_sub(x, Commit, depth) for x in _list(o, "commits", 100_000))
        return ViewChange(sender, sig, _int(o, "view"), _int(o, "executed"),
                          _int(o, "stable_seq"), proof, pps, prs, cms)
    vcs = tuple(_sub(x, ViewChange, depth, adopt) for x in _list(o, "view_changes", 100))
    pps = tuple(_sub(x, PrePrepare, depth, adopt) for x in _list(o, "pre_prepares", 1000))
    return NewView(sender, sig, _int(o, "view"), vcs, pps)


def pre_prepare(o: dict[str, Any], batch: tuple[str, ...]) -> PrePrepare:
    """A PRE-PREPARE sent by reference (node/peer_frames.py): its fields, with "leaves" in
    place of "batch", and the texts of its requests."""
    expected = {f.name for f in fields(PrePrepare)} - {"batch"} | {"kind", "leaves"}
    if o.get("kind") != PrePrepare.KIND or set(o) != expected:
        raise BadMessage(f"pre-prepare by reference fields wrong: {sorted(set(o) ^ expected)}")
    return _pre_prepare(o, _sig(o), batch)


def _pre_prepare(o: dict[str, Any], sig: str, batch: tuple[str, ...]) -> PrePrepare:
    return PrePrepare(_int(o, "sender"), sig, _int(o, "view"), _int(o, "seq", 1),
                      _int(o, "time"), _hex(o, "batch_id"), batch)


def _sig(o: dict[str, Any]) -> str:
    sig = o["sig"]
    if not isinstance(sig, str) or len(sig) > 256:
        raise BadMessage("bad signature field")
    return sig


def _sub(o: Any, cls: type[Msg], depth: int, adopt: Adopt | None = None) -> Any:
    m = from_obj(o, depth + 1, adopt)
    if not isinstance(m, cls):
        raise BadMessage(f"expected {cls.KIND}, got {m.KIND}")
    return m


def decode(data: bytes, adopt: Adopt | None = None) -> Msg:
    try:
        obj = codec.decode(data)
    except codec.EncodingError as exc:
        raise BadMessage(str(exc)) from exc
    return from_obj(obj, 0, adopt)
