"""How well a validator keeps up: its event loop's longest stall and the collector passes
that cause many of them, reported in the node's status; the collector policy of a
validator process; and how many requests it admits (``Admission``)."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import time
from collections.abc import Callable, Iterable
from typing import Any


def tune_gc() -> None:
    """Fewer, not longer, collector passes.  A validator keeps a large heap (its state
    cache, requests, blocks in flight) and allocates fast; with the default thresholds a full
    pass (over the whole heap, stopping the loop for 100-700 ms) ran about every 6 s under
    load and stalled the replica past its request timer.  What exists at start is frozen
    out of the passes; young passes run every 50,000 allocations instead of 700, and a
    full pass needs 100 middle passes instead of 10."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


# glibc's mallopt parameters, and what a validator sets them to
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
TRIM_BYTES = 256 << 20  # free memory at the heap's top kept, not handed back to the OS
MMAP_BYTES = 32 << 20   # allocations below this come from the heap, not their own mmap


def tune_malloc() -> bool:
    """Keep freed heap memory for the next allocations (glibc; False where there is no
    glibc ``mallopt``).  A validator allocates and frees megabytes per block or
    state-transfer reply (frames, their parsed objects, rows); by default glibc returns
    the heap's free top to the OS at once and the next reply faults it back in, page by
    zeroed page: 8.5 % of a catching-up validator's CPU in ``clear_page``.  Its resident
    size then stays at its high-water mark instead of going up and down."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)) and bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_BYTES))


class LoopHealth:
    """Started with the node's loop; ``stats`` is shared with the node's status."""

    def __init__(self, stats: dict[str, int]) -> None:
        self.stats = stats
        self.max_stall_ms = 0.0
        self._gc_started = 0.0

    def start(self) -> asyncio.Task[None]:
        gc.callbacks.append(self.gc_timing)
        return asyncio.create_task(self._watch(), name="stall-watch")

    def stop(self) -> None:
        if self.gc_timing in gc.callbacks:
            gc.callbacks.remove(self.gc_timing)

    def gc_timing(self, phase: str, info: dict[str, Any]) -> None:
        """The collector's passes stop the loop too: the longest is kept in the status."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif info.get("generation") == 2 or time.perf_counter() - self._gc_started > 0.05:
            ms = (time.perf_counter() - self._gc_started) * 1000
            self.stats["gc_longest_ms"] = max(self.stats.get("gc_longest_ms", 0), round(ms))
            self.stats["gc_full_passes"] = self.stats.get("gc_full_passes", 0) + (
                info.get("generation") == 2)

    async def _watch(self) -> None:
        """Measures the loop's longest stall (how late a 10 ms sleep wakes up)."""
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(0.01)
            self.max_stall_ms = max(self.max_stall_ms, (loop.time() - t - 0.01) * 1000)


RETRY_MIN_S, RETRY_MAX_S = 0.25, 5.0
RETRY_PER_ADMISSION = 2.0


class Admission:
    """How many requests may wait for ordering before this validator answers "busy".

    Up to ``cap``; each executed block whose requests from this node's clients waited
    longer than ``target_s`` on average since their admission lowers the bound by a tenth
    (not below ``floor``), each block within it raises it by a fiftieth of ``cap``, so the
    wait settles near the target under overload.  A fixed bound tuned to one machine is
    seconds of work on a slower one: requests then waited past the request timer, and
    overload turned into view changes instead of "busy, retry".  The wait, not the
    execution rate, is measured: at light load the rate says how much was asked, not how
    much could be done."""

    def __init__(self, cap: int, floor: int, target_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cap, self.floor, self.target_s = cap, min(floor, cap), target_s
        self.clock = clock
        self.limit = float(cap)
        self.wait = 0.0  # the last executed block's mean wait, in seconds
        self._since: dict[str, float] = {}  # request id -> when it was admitted
        self.pause = RETRY_MIN_S  # what a refused client is told to wait (see refused)
        self._window = clock()  # refusals and admissions of the current second
        self._refusals = self._admissions = 0

    def admitted(self, request_id: str) -> None:
        if len(self._since) >= 8 * self.cap:  # requests never executed (expired, lost)
            for k in list(self._since)[: self.cap]:
                del self._since[k]
        now = self.clock()
        self._roll(now)
        self._admissions += 1
        self._since.setdefault(request_id, now)

    def executed(self, request_ids: Iterable[str]) -> None:
        now, since = self.clock(), self._since
        waits = [now - t for t in (since.pop(i, None) for i in request_ids) if t is not None]
        if not waits:
            return
        self.wait = sum(waits) / len(waits)
        if self.wait > self.target_s:
            self.limit = max(float(self.floor), self.limit * 0.9)
        else:
            self.limit = min(float(self.cap), self.limit + self.cap / 50)

    def bound(self) -> int:
        return int(self.limit)

    def refused(self) -> int:
        """A client was told "busy": the pause it should take before trying again, in ms.

        Clients that retry at a fixed short interval keep a loop busy refusing them (a 0.2 s
        retry storm cost a validator's loop more than the requests it ordered).  Each
        second the pause is scaled so that about ``RETRY_PER_ADMISSION`` refusals come per
        admitted request: the clients waiting (about refusals x pause) then try again about
        as fast as room comes free.  It halves in a second without refusals, stays between
        a quarter of a second and five seconds, and is never shorter than the wait the last
        admitted requests had."""
        now = self.clock()
        self._roll(now)
        self._refusals += 1
        return int(1000 * max(self.pause, min(RETRY_MAX_S, self.wait)))

    def _roll(self, now: float) -> None:
        if now - self._window < 1.0:
            return
        f, a = self._refusals, self._admissions
        if f == 0:
            self.pause = max(RETRY_MIN_S, self.pause / 2)
        else:
            ratio = f / (RETRY_PER_ADMISSION * max(a, 1))
            self.pause = min(RETRY_MAX_S, max(RETRY_MIN_S, self.pause * ratio ** 0.5))
        self._window, self._refusals, self._admissions = now, 0, 0
