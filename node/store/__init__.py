"""SQLite persistence through sqlite-utils: schema, blocks, state, indexes."""

from node.store.rows import BlockRow, PostingRow, TxRow
from node.store.store import ReplayStore, Store, StoreError, blocks_from_wire, blocks_to_wire

__all__ = ["BlockRow", "PostingRow", "ReplayStore", "Store", "StoreError", "TxRow",
           "blocks_from_wire", "blocks_to_wire"]
