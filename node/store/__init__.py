"""SQLite persistence through sqlite-utils: schema, blocks, state, indexes."""

from node.store.rows import BlockRow, PostingRow, TxRow
from node.store.store import ReplayStore, Store, StoreError

__all__ = ["BlockRow", "PostingRow", "ReplayStore", "Store", "StoreError", "TxRow"]
