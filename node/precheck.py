"""A PRE-PREPARE's requests checked off the event loop before the replica sees it.

Requests of a PRE-PREPARE normally reached this validator earlier (as Forwards) and were
checked then. When many were not, they are checked on the verify threads first (the
signature library releases the GIL), so that the loop does not stall on them. Only the
current view's primary gets this, `CHECKING_MAX` PRE-PREPAREs at a time (it proposes one at
a time): a future view's is stashed by the replica, and any other peer's is refused by it
unchecked.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any

from node.consensus import Replica
from node.consensus import messages as m
from node.ledger.errors import Rejected
from node.ledger.tx import Tx
from node.requests import Requests

CHECKING_MAX = 2  # a primary's PRE-PREPAREs whose requests are checked off the loop at once


def check_signatures(txs: list[Tx]) -> None:
    """On a verify thread: check, leaving the answers on the transactions."""
    for tx in txs:
        tx.signatures_valid()


class PreCheck:
    def __init__(self, requests: Requests, threads: int, inline_below: int, stats: dict[str, int],
                 deliver: Callable[[int, m.PrePrepare], None]) -> None:
        self.requests = requests  # decoded here, on the loop; only checked on threads
        self.threads = max(1, threads)
        self.inline_below = inline_below
        self.stats = stats
        self.deliver = deliver  # hands the checked PRE-PREPARE to the replica
        self.pool = concurrent.futures.ThreadPoolExecutor(self.threads,
                                                          thread_name_prefix="verify")
        self.checking: dict[int, int] = {}  # peer -> its PRE-PREPAREs being checked
        self.tasks: set[asyncio.Task[None]] = set()

    def defer(self, replica: Replica | None, src: int, pp: m.PrePrepare) -> bool:
        """True if ``pp`` is checked off the loop first (then delivered), or dropped."""
        r = replica
        if r is None or pp.view != r.view or pp.sender != src \
                or src != r.cfg.primary(pp.view):
            return False
        if self.checking.get(src, 0) >= CHECKING_MAX:
            self.stats["pre_prepares_dropped"] = self.stats.get("pre_prepares_dropped", 0) + 1
            return True
        unknown = []
        for t in pp.batch:
            try:
                tx = self.requests.get(t)
                if not tx.signatures_known():
                    unknown.append(tx)
            except Rejected:
                pass  # malformed: the replica refuses the message at once
        if len(unknown) <= self.inline_below:
            return False
        checked = self.run(check_signatures, unknown)
        self.checking[src] = self.checking.get(src, 0) + 1

        async def then() -> None:
            try:
                await checked
            finally:
                self.checking[src] -= 1
            self.deliver(src, pp)

        task = asyncio.get_running_loop().create_task(then())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return True

    def run(self, fn: Any, items: list[Any]) -> asyncio.Future[list[Any]]:
        """``fn`` over ``items`` split evenly across the verify threads; the parts' results
        in order."""
        loop = asyncio.get_running_loop()
        k = -(-len(items) // self.threads)
        return asyncio.gather(*(loop.run_in_executor(self.pool, fn, items[i:i + k])
                                for i in range(0, len(items), k)))

    def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        self.pool.shutdown(cancel_futures=True)
