"""Ending asyncio tasks for sure.

On Python 3.11 a cancellation that lands as an awaited result arrives can be lost inside
``asyncio.wait_for``, and the task then runs on; ``stop`` cancels again until each task has
ended.  Timeouts in this package use ``asyncio.timeout``, which never loses one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


async def stop(tasks: Iterable[asyncio.Task[Any]], every: float = 0.5) -> None:
    """Cancel ``tasks`` and wait until every one has ended (cancelled again each
    ``every`` seconds while one is still running)."""
    pending = {t for t in tasks if not t.done()}
    while pending:
        for t in pending:
            t.cancel()
        _done, pending = await asyncio.wait(pending, timeout=every)
