"""The replica's timers on an asyncio loop, tolerant of a loop that was stopped.

A timer whose expiry blames a peer (the request timer, the new-view timer) that fires more
than `STALL_GRACE_S` late was held up by this process (a collector pass, a burst of work),
not by the peer: what the peers sent meanwhile is still unread and may be the progress it
waits for. It fires once more after as long again, so that the loop reads first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import NamedTuple

from node.consensus.core import NEW_VIEW_TIMER, REQUEST_TIMER

STALL_TOLERANT = frozenset({REQUEST_TIMER, NEW_VIEW_TIMER})
STALL_GRACE_S = 0.1


def now_ms() -> int:
    return int(time.time() * 1000)


class Timer(NamedTuple):
    """A timer on the loop. Its due time is kept here: a loop's handle need not say
    (qasync's, Qt's loop, are plain Handles; so are uvloop's for a delay of 0)."""

    handle: asyncio.Handle
    due: float  # loop time


class LoopTimers:
    def __init__(self, fire: Callable[[str], None], stats: dict[str, int]) -> None:
        self._fire_cb = fire
        self.stats = stats
        self.handles: dict[str, Timer] = {}
        self.deferred: set[str] = set()  # timers fired late once and given a second look

    def __contains__(self, name: object) -> bool:
        return name in self.handles

    def arm(self, name: str, at_ms: int) -> None:
        """Fire ``name`` at wall-clock ``at_ms``, replacing an earlier one of the name."""
        self.deferred.discard(name)
        old = self.handles.pop(name, None)
        if old:
            old.handle.cancel()
        self._call_later(name, max(0.0, (at_ms - now_ms()) / 1000))

    def disarm(self, name: str) -> None:
        self.deferred.discard(name)
        h = self.handles.pop(name, None)
        if h:
            h.handle.cancel()

    def cancel_all(self) -> None:
        for t in self.handles.values():
            t.handle.cancel()
        self.handles.clear()

    def _call_later(self, name: str, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self.handles[name] = Timer(loop.call_later(delay, self._fire, name),
                                   loop.time() + delay)

    def _fire(self, name: str) -> None:
        h = self.handles.pop(name, None)
        late = asyncio.get_running_loop().time() - h.due if h else 0.0
        if name in STALL_TOLERANT and late > STALL_GRACE_S and name not in self.deferred:
            self.deferred.add(name)
            self._call_later(name, late)
            self.stats["timers_deferred"] = self.stats.get("timers_deferred", 0) + 1
            return
        self.deferred.discard(name)
        self._fire_cb(name)
