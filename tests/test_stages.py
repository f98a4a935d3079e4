"""The latency budget: each stage measured between the events that bound it."""

from __future__ import annotations

from node import codec
from node.stages import IN_FLIGHT_MAX, Stages


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_each_stage_is_the_time_between_its_two_events() -> None:
    clock = Clock()
    s = Stages(clock=clock)
    s.admitted("a")
    s.admitted("b")
    clock.t += 0.004
    s.admitted("c")  # admitted here, ordered in another block
    s.proposed(7, ["a", "b", "x"])  # x came from another validator's client: no sample
    clock.t += 0.002
    s.prepared(7)
    clock.t += 0.003
    s.committed(7)
    clock.t += 0.010
    s.executed(7)
    s.persisted(0.0015)
    got = s.summary()
    assert got["queue"] == {"n": 2, "p50_us": 4_000, "p90_us": 4_000, "p99_us": 4_000}
    assert got["prepare"]["p50_us"] == 2_000 and got["commit"]["p50_us"] == 3_000
    assert got["execute"]["p50_us"] == 10_000 and got["persist"]["p50_us"] == 1_500
    codec.encode(got)  # it goes out in a status reply
    assert all(v["n"] == 1 for k, v in got.items() if k != "queue")


def test_events_out_of_order_or_repeated_give_no_false_sample() -> None:
    clock = Clock()
    s = Stages(clock=clock)
    s.committed(3)  # never proposed here (a block fetched by state transfer): nothing
    s.executed(3)
    s.proposed(4, [])
    clock.t += 1
    s.proposed(4, [])  # re-proposed in a new view: the first time counts
    s.committed(4)  # committed without this replica's COMMIT (a NEW-VIEW's): no commit
    s.prepared(4)  # too late to measure anything
    s.executed(4)
    assert set(s.summary()) == {"execute"}


def test_what_is_never_completed_is_forgotten_within_bounds() -> None:
    s = Stages(clock=Clock())
    for seq in range(IN_FLIGHT_MAX + 10):
        s.proposed(seq, [])
    for i in range(IN_FLIGHT_MAX * 4 + 10):
        s.admitted(f"r{i}")
    assert len(s._block) <= IN_FLIGHT_MAX and len(s._admitted) <= IN_FLIGHT_MAX * 4
    assert 0 not in s._block and IN_FLIGHT_MAX + 9 in s._block  # the oldest went first


def test_percentiles_come_from_the_latest_samples() -> None:
    clock = Clock()
    s = Stages(keep=100, clock=clock)
    for ms in range(1, 301):
        s.persisted(ms / 1000)
    p = s.summary()["persist"]
    assert p["n"] == 100 and p["p50_us"] == 251_000 and p["p99_us"] == 300_000


def test_a_summary_over_the_last_seconds_leaves_older_samples_out() -> None:
    clock = Clock()
    s = Stages(clock=clock)
    s.persisted(0.5)  # taken before the window (a setup's burst)
    clock.t += 30
    s.persisted(0.001)
    s.persisted(0.003)
    assert s.summary()["persist"]["n"] == 3
    recent = s.summary(within=10)["persist"]
    assert recent == {"n": 2, "p50_us": 3_000, "p90_us": 3_000, "p99_us": 3_000}
    clock.t += 20
    assert "persist" not in s.summary(within=10)  # nothing measured lately: no figure
