"""The rows a block writes: its header, its decided transactions, their postings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BlockRow:
    height: int
    hash: str
    prev_hash: str
    tx_root: str
    state_root: str
    time: int
    view: int
    proposer: int
    ntx: int
    header: bytes
    cert: bytes | None = None


@dataclass(frozen=True)
class TxRow:
    height: int
    pos: int
    id: str
    kind: str
    code: str
    message: str
    card: str | None
    merchant: str | None
    bank: str | None
    amount: int | None
    time: int
    consumes: bool
    wire: bytes


@dataclass(frozen=True)
class PostingRow:
    height: int
    pos: int
    seq: int
    account: str
    asset: str
    amount: int
