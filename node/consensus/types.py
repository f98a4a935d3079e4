"""What drives a replica (events), what it asks for (actions) and what it is given (config).

The replica never reads a clock, a socket or a disk: the runtime (or the simulator) hands
it events with the current time and carries out the actions it returns, in order, persisting
before sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from node import crypto
from node.config import Settings
from node.consensus.messages import Attest, Commit, Msg

# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A decoded message from peer ``src`` (signature not yet checked)."""

    src: int
    msg: Msg


@dataclass(frozen=True)
class ClientRequest:
    tx: str  # canonical wire text of a signed transaction


@dataclass(frozen=True)
class TimerFired:
    name: str


@dataclass(frozen=True)
class Executed:
    """The runtime executed block ``seq`` (ordered here or fetched by state transfer)."""

    seq: int
    state_root: str
    tx_ids: tuple[str, ...]
    # the hash of the header execution gave (attested to peers, results.py); "" for a
    # block copied or fetched by state transfer, whose attestation came with it
    block_hash: str = ""


@dataclass(frozen=True)
class Started:
    """The runtime (re)started this replica: it tells its peers how far it got, so that it
    catches up on an idle network too (nothing else would tell it it is behind)."""


@dataclass(frozen=True)
class Arrived:
    """State transfer: a reply with the fetched blocks up to ``height`` arrived (their
    certificates not checked yet).  The replica may ask for the next chunk while the runtime
    checks and writes these, so that the database is not idle for each round trip."""

    height: int


Event = Received | ClientRequest | TimerFired | Executed | Started | Arrived

# --- actions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    to: int
    msg: Msg


@dataclass(frozen=True)
class Broadcast:
    msg: Msg


@dataclass(frozen=True)
class Execute:
    """Execute this batch as block ``seq``; ``cert`` is its commit certificate."""

    seq: int
    view: int
    time: int
    batch: tuple[str, ...]
    batch_id: str
    cert: tuple[Commit, ...]


@dataclass(frozen=True)
class Persist:
    """Write ``value`` (JSON-able) under ``key`` before anything of this step is sent;
    None deletes the key."""

    key: str
    value: Any


@dataclass(frozen=True)
class SetTimer:
    name: str
    at: int


@dataclass(frozen=True)
class CancelTimer:
    name: str


@dataclass(frozen=True)
class FetchState:
    """Ask ``peer`` for blocks ``first``..``last`` with their certificates."""

    peer: int
    first: int
    last: int


@dataclass(frozen=True)
class Certified:
    """f+1 validators, this one among them, attested that block ``seq`` has the header
    whose hash is ``block_hash``: store ``attests`` with the block (its result
    certificate)."""

    seq: int
    block_hash: str
    attests: tuple[Attest, ...]


Action = Send | Broadcast | Execute | Persist | SetTimer | CancelTimer | FetchState | Certified


def _verify(public: str, digest: bytes, sig: str) -> bool:
    return crypto.verify(public, digest, sig)


@dataclass(frozen=True)
class Config:
    replica: int
    publics: tuple[str, ...]                    # validator public keys, by replica id
    key: crypto.SigningKey
    request_id: Callable[[str], str | None]     # tx text -> tx id, None if malformed
    verify: Callable[[str, bytes, str], bool] = _verify
    # tx text -> may it be ordered (the runtime checks its signatures; None: ids only).
    # A replica neither queues, forwards nor PREPAREs a request that fails it, so a commit
    # certificate (2f+1 PREPAREs, f+1 of them honest) vouches for every signature in it.
    request_valid: Callable[[str], bool] | None = None
    settings: Settings = field(default_factory=Settings)  # the numbers (node/config.py)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.publics)

    @property
    def f(self) -> int:
        return (self.n - 1) // 3

    @property
    def quorum(self) -> int:
        return 2 * self.f + 1

    def primary(self, view: int) -> int:
        return view % self.n
