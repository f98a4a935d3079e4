"""The PBFT replica under the seeded fault simulator.

200 seeds per fault class by default (``CARDCHAIN_SIM_SEEDS=10000`` for a long run), in
two worker processes.  A failing seed prints the command that replays it; seeds that ever
failed are pinned in ``REGRESSIONS``.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest

from tests.support import adversary
from tests.support.scenarios import CLASSES, EXTRA, replay_command, use_profile
from tests.support.sim import SafetyViolation, Sim

SEEDS = int(os.environ.get("CARDCHAIN_SIM_SEEDS", "200"))
PRODUCTION_SEEDS = max(1, SEEDS // 4)
BIG_SEEDS = {7: max(1, SEEDS // 10), 10: max(1, SEEDS // 20)}

# (class, seed, n) of every seed that ever failed, with what it found
REGRESSIONS = [
    ("lossy", 2, 4),       # a block hash included the view: same batch, different hashes
    ("lossy", 3, 4),       # a replica that had executed a slot stopped voting on it
    ("lossy", 7, 4),       # lagging above the stable checkpoint: nobody told it
    ("partition", 1, 4),   # isolated primary never learnt the stable checkpoint
    ("partition", 2, 4),
    ("partition", 3, 4),
    ("partition", 8, 4),
    ("partition", 109, 4),  # a failed fetch was never retried
    ("crash", 2, 4),
    ("crash", 3, 4),
    ("crash", 5, 4),       # a wiped replica restarted after the last checkpoint
    ("byzantine", 121, 4),  # twins fetching into each other's ledger
    ("lossy", 548, 4),     # help to a lagging peer was sent once and lost
    ("lossy", 925, 4),
    ("partition", 893, 4),
    ("partition", 1047, 4),
    ("partition", 1087, 4),
    ("lossy", 80, 4),      # a chunk asked for ahead arrived while its predecessor was short
    ("slow_exec", 32, 4),  # a request timer fired while committed batches waited to execute
    ("slow_exec", 192, 4),  # restarted mid view change: never asked for the view again
    # replicas restarted after executing or preparing a height had no evidence for it in
    # their VIEW-CHANGEs: another block there (485) or a batch at an executed height that
    # nobody would execute again, stalling the cluster for good (562); 486 needs the
    # prepared certificates of batches not yet executed on disk as well
    ("restarts", 485, 4),
    ("restarts", 486, 4),
    ("restarts", 562, 4),
]


def _run(job: tuple[str, int, int] | tuple[str, int, int, str]) -> str | None:
    cls, seed, n = job[:3]
    profile = job[3] if len(job) > 3 else "stress"  # type: ignore[misc]
    use_profile(profile)
    try:
        {**CLASSES, **EXTRA}[cls](seed, n)
    except AssertionError as exc:
        return (f"{cls} seed {seed} n={n} {profile}: {exc}\n"
                f"  replay: {replay_command(cls, seed, n, profile)}")
    return None


def _run_all(jobs: list[tuple[str, int, int]] | list[tuple[str, int, int, str]]) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        return [r for r in pool.map(_run, jobs, chunksize=4) if r is not None]


@pytest.mark.parametrize("cls", list(CLASSES))
def test_fault_class_four_replicas(cls: str) -> None:
    failures = _run_all([(cls, seed, 4) for seed in range(SEEDS)])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("cls", list(CLASSES))
def test_fault_class_at_production_settings(cls: str) -> None:
    """The same faults under the settings validators run with (``Settings()``): large
    checkpoint intervals and windows, batches of 500, 400 pending requests."""
    failures = _run_all([(cls, seed, 4, "production") for seed in range(PRODUCTION_SEEDS)])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("n", [7, 10])
def test_larger_networks(n: int) -> None:
    jobs = [(cls, seed, n) for cls in CLASSES for seed in range(BIG_SEEDS[n])]
    failures = _run_all(jobs)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("cls", "seed", "n"), REGRESSIONS)
def test_pinned_regression_seeds(cls: str, seed: int, n: int) -> None:
    assert _run((cls, seed, n)) is None


def test_a_paused_backup_stays_in_its_peers_view() -> None:
    """Issue 24, finding 1: a backup paused for 10-20 s under load used to come back into a
    view change nobody joined (seeds 0 and 2 did); now it suspects alone and keeps voting,
    so a second backup crashed later costs no view change."""
    failures = _run_all([("pause", seed, 4) for seed in range(6)])
    assert not failures, "\n".join(failures)


def test_negative_control_f_plus_one_byzantine_breaks_agreement() -> None:
    sim = Sim(1, n=4, txs=4)
    adversary.collude_f_plus_one(sim)
    with pytest.raises(SafetyViolation, match="agreement: height 1 differs"):
        sim.run(sim.now + 5_000)


def test_same_seed_same_run() -> None:
    a, b = CLASSES["lossy"](11, 4), CLASSES["lossy"](11, 4)
    assert a.events == b.events
    assert [x.replica.view for x in a.nodes] == [x.replica.view for x in b.nodes]
    assert [x.ledger.height for x in a.nodes] == [x.ledger.height for x in b.nodes]
    c = CLASSES["lossy"](12, 4)
    assert (c.events, [x.ledger.height for x in c.nodes]) != \
        (a.events, [x.ledger.height for x in a.nodes])
