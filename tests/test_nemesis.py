"""Fault runs against four real validators under load (tests/support/chaos.py): every fault
once, partitions made by the link relays, and the checker shown to catch what it looks
for.  ``make chaos SEED=… MINUTES=…`` runs a long random schedule."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
import time
from pathlib import Path

from tests.support.chaos import (
    FAULTS,
    ChaosCluster,
    Clients,
    Run,
    _converged,
    _heights,
    _resumed,
    chaos,
    check_chains,
)
from tests.support.waiting import apoll

FLAP_S = float(os.environ.get("CARDCHAIN_FLAP_S", "20"))  # the run: 60


def _report(run: Run) -> str:
    return "\n".join([*run.events, *run.failures, f"replay: {run.replay()}"])


def test_every_fault_once_under_load_and_the_checker_passes(tmp_path: Path) -> None:
    """Kill, pause, restart, wipe, a full disk, an isolated validator, a flapping one, a
    slow one, and a Byzantine one with real keys, one at a time (in an order drawn from the
    seed) under 50 payments and top-ups a second: commits resume after each, no honest
    validator passes the RSS ceiling, and at the end every chain is the same, re-executes
    clean, and holds every acknowledged receipt.  Then the checker is shown to fail on a
    lost receipt, an edited balance and a shorter chain."""
    seed = 24
    order = list(FAULTS)
    random.Random(seed).shuffle(order)
    run = asyncio.run(chaos(tmp_path, Run(seed, 0, 50, tuple(order))))
    assert not run.failures, _report(run)
    assert run.episodes == len(FAULTS) and len(run.acked) > 500, _report(run)
    c = run.cluster
    assert c is not None

    lost = Run(seed, 0, 50, acked={**run.acked, "ab" * 32: 5})
    check_chains(lost, c)
    assert any("acknowledged abababab" in f for f in lost.failures), lost.failures
    with contextlib.closing(sqlite3.connect(c.home(2) / "ledger.db")) as conn:
        conn.execute("UPDATE accounts SET balance = balance + 1 WHERE rowid = "
                     "(SELECT MIN(rowid) FROM accounts)")
        conn.commit()
    edited = Run(seed, 0, 50)
    check_chains(edited, c)
    assert [f for f in edited.failures if f.startswith("audit of validator-2")], \
        edited.failures
    with contextlib.closing(sqlite3.connect(c.home(1) / "ledger.db")) as conn:
        top = conn.execute("SELECT MAX(height) FROM blocks").fetchone()[0]
        conn.execute("DELETE FROM blocks WHERE height = ?", (top,))
        conn.commit()
    forked = Run(seed, 0, 50)
    check_chains(forked, c)
    assert any(f.startswith("chains differ") for f in forked.failures), forked.failures


async def _views(c: ChaosCluster, clients: Clients, nodes: list[int]) -> dict[int, int]:
    return await _heights(c, clients, nodes, key="view")


async def _partitions(run: Run, c: ChaosCluster, clients: Clients, rng: random.Random,
                      _byz: set[int]) -> None:
    # a minority (one backup) cut off: the majority commits on
    before = await _heights(c, clients, [0, 1, 2])
    c.isolate(3)
    run.events.append("validator-3 cut off")
    await asyncio.sleep(5)  # not a wait: how long the minority stays cut off
    after = await _heights(c, clients, [0, 1, 2])
    assert all(after[i] > before[i] for i in before), (before, after)
    c.heal()
    await _resumed(run, c, clients, "the minority healed")
    # the primary isolated: the others change view and commit on
    primary = int((await (await clients.get(0)).status())["primary"])  # type: ignore[union-attr]
    others = [i for i in range(c.n) if i != primary]
    c.isolate(primary)
    run.events.append(f"primary validator-{primary} cut off")
    cut_at = time.monotonic()
    before = await _heights(c, clients, others)

    async def views_and_heights() -> tuple[dict[int, int], dict[int, int]]:
        return await _views(c, clients, others), await _heights(c, clients, others)

    views, _ = await apoll(
        views_and_heights, lambda vh: min(vh[0].values()) >= 1 and all(
            vh[1][i] > before[i] + 2 for i in others), timeout=20, every=0.5)
    run.events.append(f"view {min(views.values())} and commits "
                      f"{time.monotonic() - cut_at:.1f} s after the cut")
    c.heal()
    await _converged(run, c, clients)
    views = await _views(c, clients, list(range(c.n)))
    assert len(set(views.values())) == 1, views  # the old primary joined the new view
    # a flapping link between two backups: cut and mended every 0.3-2 s
    a, b = [i for i in range(c.n) if i != (primary + 1) % c.n][:2]
    run.events.append(f"link validator-{a} <-> validator-{b} flapping for {FLAP_S:.0f} s")
    before = await _heights(c, clients, list(range(c.n)))
    end = time.monotonic() + FLAP_S
    while time.monotonic() < end:
        for key in ((a, b), (b, a)):
            c.relays[key].set_cut(True)
        await asyncio.sleep(rng.uniform(0.3, 2))  # not a wait: the link cut
        for key in ((a, b), (b, a)):
            c.relays[key].set_cut(False)
        await asyncio.sleep(rng.uniform(0.3, 2))  # not a wait: the link mended
    after = await _heights(c, clients, list(range(c.n)))
    assert all(after[i] > before[i] for i in before), (before, after)
    c.heal()


def test_partitions_minority_primary_and_a_flapping_link(tmp_path: Path) -> None:
    """Real partitions on loopback (every link through a relay): a backup cut off while
    the others commit; the primary cut off, the others change view and commit, and once
    healed all agree on one view and one chain; a link between two validators cut and
    mended at random for ``FLAP_S`` while everyone commits.  The checker passes."""
    run = asyncio.run(chaos(tmp_path, Run(7, 0, 50), _partitions))
    assert not run.failures, _report(run)
    assert len(run.acked) > 300, _report(run)
