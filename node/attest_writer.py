"""Storing result certificates on a validator.

Under load the next block's commit writes the waiting certificates in its own SQLite
transaction (`take`, called on the database thread by the block's execution); what no
block takes within `FLUSH_S` is written on its own. A stop writes what is left.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from node.store import Store

log = logging.getLogger("cardchain.node")
FLUSH_S = 0.05  # result certificates no block commit took by then are written alone


class AttestWriter:
    def __init__(self, on_db: Callable[..., Awaitable[Any]], store: Callable[[], Store | None],
                 stored: Callable[[list[tuple[int, str]]], None]) -> None:
        self.on_db, self.store, self.stored = on_db, store, stored
        # the loop appends, the database thread pops (``take``)
        self.unsaved: collections.deque[tuple[int, str]] = collections.deque()
        self.task: asyncio.Task[None] | None = None

    def save(self, items: list[tuple[int, str]]) -> None:
        self.unsaved.extend(items)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._flush())

    def take(self) -> list[tuple[int, str]]:
        out = []
        while self.unsaved:
            out.append(self.unsaved.popleft())
        return out

    async def _flush(self) -> None:
        try:
            while self.unsaved:
                await asyncio.sleep(FLUSH_S)
                items = self.take()
                store = self.store()
                if not items or store is None:
                    continue
                try:
                    await self.on_db(store.set_attest, items)
                except sqlite3.Error as exc:  # kept for the next block's commit or round
                    log.warning("storing result certificates failed: %s", exc)
                    self.unsaved.extendleft(reversed(items))
                    continue
                self.stored(items)
        finally:
            self.task = None

    async def stop(self) -> None:
        """Cancel the writer and write what is left (a stop keeps what it has)."""
        if self.task is not None:
            self.task.cancel()
        left, store = self.take(), self.store()
        if left and store is not None:
            try:
                await self.on_db(store.set_attest, left)
            except sqlite3.Error as exc:
                log.warning("storing result certificates at stop failed: %s", exc)
