"""Settlement cycles: which business day a payment belongs to, and when that day closes.

A merchant's cycle ``D`` (an integer yyyymmdd) covers local time from the cut-off on the
day before ``D`` up to the cut-off on ``D``.  Local time is UTC plus the genesis offset.
Pure arithmetic on block times: no clock, no time-zone database.
"""

from __future__ import annotations

import datetime as _dt

DAY_MS = 86_400_000
MIN_MS = 60_000
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


def _day_to_id(day: int) -> int:
    d = _dt.date.fromordinal(_EPOCH_ORDINAL + day)
    return d.year * 10000 + d.month * 100 + d.day


def _id_to_day(cycle: int) -> int:
    try:
        d = _dt.date(cycle // 10000, cycle // 100 % 100, cycle % 100)
    except ValueError as exc:
        raise ValueError(f"{cycle} is not a date in yyyymmdd form") from exc
    return d.toordinal() - _EPOCH_ORDINAL


def day_of_cycle(cycle: int) -> int:
    """The local day number (days since 1970-01-01) of date ``cycle`` (yyyymmdd)."""
    return _id_to_day(cycle)


def cycle_of_day(day: int) -> int:
    """The date (yyyymmdd) of local day number ``day``."""
    return _day_to_id(day)


def cycle_of(time_ms: int, cutoff_min: int, utc_offset_min: int) -> int:
    local = time_ms + utc_offset_min * MIN_MS
    day, rest = divmod(local, DAY_MS)
    if rest >= cutoff_min * MIN_MS:
        day += 1
    return _day_to_id(day)


def cycle_end(cycle: int, cutoff_min: int, utc_offset_min: int) -> int:
    """UTC milliseconds at which cycle ``cycle`` closes (exclusive end)."""
    return _id_to_day(cycle) * DAY_MS + cutoff_min * MIN_MS - utc_offset_min * MIN_MS


def cycle_start(cycle: int, cutoff_min: int, utc_offset_min: int) -> int:
    return cycle_end(cycle, cutoff_min, utc_offset_min) - DAY_MS


def valid_cycle(cycle: object) -> bool:
    if type(cycle) is not int or not 19700101 <= cycle <= 99991231:
        return False
    try:
        _id_to_day(cycle)
    except ValueError:
        return False
    return True


def next_cycle(cycle: int) -> int:
    return _day_to_id(_id_to_day(cycle) + 1)


def open_cycle(time_ms: int, cutoff_min: int, utc_offset_min: int, closed_through: int) -> int:
    """The cycle a payment at ``time_ms`` belongs to: its business day, or the day after the
    last cycle the clearing house closed early, whichever is later."""
    cycle = cycle_of(time_ms, cutoff_min, utc_offset_min)
    if closed_through and cycle <= closed_through:
        cycle = next_cycle(closed_through)
    return cycle
