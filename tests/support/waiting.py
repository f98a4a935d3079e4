"""Waiting in tests: on an event where the code offers one, else by polling with a deadline.

`poll` is the one place tests/ may sleep to wait for a condition (`make test` greps for any
other): it is for what offers no event to wait on, such as another process's output.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class Timeout(AssertionError):
    pass


def poll(probe: Callable[[], T], ready: Callable[[T], bool], *, timeout: float,
         every: float = 0.2) -> T:
    """``probe()`` again every ``every`` seconds until ``ready`` accepts its value; the last
    value is in the failure's message when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if ready(value):
            return value
        if time.monotonic() > deadline:
            raise Timeout(f"not ready after {timeout} s; last: {value!r}")
        time.sleep(every)


async def apoll(probe: Callable[[], Awaitable[T]], ready: Callable[[T], bool], *,
                timeout: float, every: float = 0.05) -> T:
    """`poll` on an event loop: the loop runs on between probes."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if ready(value):
            return value
        if time.monotonic() > deadline:
            raise Timeout(f"not ready after {timeout} s; last: {value!r}")
        await asyncio.sleep(every)


async def until(cond: Callable[[], object], timeout: float, what: str = "the condition",
                every: float = 0.02) -> None:
    """Until ``cond()`` holds, the loop running on; fails naming ``what`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Timeout(f"{what}: not reached after {timeout} s")
        await asyncio.sleep(every)
