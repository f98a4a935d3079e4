"""SQLite persistence through sqlite-utils: schema, blocks, state, indexes."""

from node.store.store import BlockRow, PostingRow, ReplayStore, Store, StoreError, TxRow

__all__ = ["BlockRow", "PostingRow", "ReplayStore", "Store", "StoreError", "TxRow"]
