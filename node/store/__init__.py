"""SQLite persistence through sqlite-utils: schema, blocks, state, indexes."""

from node.store.store import BlockRow, PostingRow, Store, StoreError, TxRow

__all__ = ["BlockRow", "PostingRow", "Store", "StoreError", "TxRow"]
