"""Settlement cycles as a till, a console and `cardchain status` show them: which cycles a
merchant has open and just closed, and when a till's entries for a cycle were sent."""

from __future__ import annotations

import datetime
from typing import Any

from node.ledger.cycles import (
    DAY_MS,
    cycle_end,
    cycle_of,
    cycle_of_day,
    cycle_start,
    next_cycle,
    open_cycle,
)
from node.ledger.genesis import Genesis


def current(merchant: dict[str, Any], genesis: Genesis, now: int) -> int:
    """The cycle a payment at ``now`` goes to: its business day, or the day after the last
    cycle the clearing house closed early."""
    return open_cycle(now, merchant["cutoff_min"], genesis.params["utc_offset_min"],
                      merchant.get("closed_through", 0))


def recent(merchant: dict[str, Any], genesis: Genesis, now: int, days: int = 8) -> list[int]:
    """The open cycle and those of the ``days`` business days before it, newest first
    (with the cycle closed early, if any)."""
    offset = genesis.params["utc_offset_min"]
    out = {current(merchant, genesis, now)}
    out |= {cycle_of(now - back * DAY_MS, merchant["cutoff_min"], offset)
            for back in range(1, days)}
    if merchant.get("closed_through"):
        out.add(merchant["closed_through"])
    return sorted(out, reverse=True)


def closes_at(merchant: dict[str, Any], genesis: Genesis, cycle: int) -> int:
    """UTC milliseconds at which ``cycle`` closes for this merchant."""
    return cycle_end(cycle, merchant["cutoff_min"], genesis.params["utc_offset_min"])


def recent_days(genesis: Genesis, now: int, days: int = 14) -> list[int]:
    """Today's local date and the ``days - 1`` before it (yyyymmdd), newest first: the
    days a bank's points statement and expiry step are for."""
    today = (now + genesis.params["utc_offset_min"] * 60_000) // DAY_MS
    return [cycle_of_day(today - back) for back in range(days)]


def local_time(genesis: Genesis, utc_ms: int) -> str:
    """``utc_ms`` in the consortium's local time, to the minute."""
    local = utc_ms + genesis.params["utc_offset_min"] * 60_000
    return f"{datetime.datetime.fromtimestamp(local / 1000, datetime.UTC):%Y-%m-%d %H:%M}"


def till_window(merchant: dict[str, Any], genesis: Genesis, cycle: int) -> tuple[int, int]:
    """When a till's entries for ``cycle`` were sent: the cycle's business day by the
    merchant's cut-off; the cycle the clearing house opened by closing a day early also
    covers the rest of that day."""
    offset, cutoff = genesis.params["utc_offset_min"], merchant["cutoff_min"]
    closed = merchant.get("closed_through", 0)
    lo, hi = cycle_start(cycle, cutoff, offset), cycle_end(cycle, cutoff, offset)
    if closed and cycle == next_cycle(closed):
        lo = cycle_start(closed, cutoff, offset)
    return lo, hi
