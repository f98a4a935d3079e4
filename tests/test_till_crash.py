"""The till's process killed (SIGKILL) after signing, after sending and after "ordered"
against real validators: restarted, it shows each payment's outcome, and the customer is
charged exactly once per sale (tests/support/till_child.py is the till)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.flows import new_card
from tests.support.cluster import LocalCluster, wait_connected

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent



def _till(cluster: LocalCluster, card: Path, pin: str, stage: str) \
        -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tests.support.till_child", str(cluster.cons.home), str(card),
         pin, stage], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


def test_a_till_killed_at_each_stage_charges_once(cluster: LocalCluster,
                                                  tmp_path: Path) -> None:
    made = new_card(cluster.cons, "EHB", int(time.time() * 1000), deposit=50_000)
    card = tmp_path / "c.card.json"
    made.card.save(card)

    async def issue() -> int:
        c = await cluster.client(0)
        await wait_connected([c])
        r = await c.submit(cluster.builder.make("issue_card", made.body,
                                                int(time.time() * 1000),
                                                cluster.keys["clerk-EHB-1"]))
        assert r["code"] == "ok", r
        await c.close()
        return int(r["height"])

    asyncio.run(issue())
    for charged, stage in enumerate(("signed", "sent", "ordered"), start=1):
        killed = _till(cluster, card, made.pin, stage)
        assert killed.returncode == -signal.SIGKILL, (stage, killed.stdout, killed.stderr)
        resumed = _till(cluster, card, made.pin, "resume")
        assert resumed.returncode == 0, (stage, resumed.stderr[-3000:])
        shown = json.loads(resumed.stdout.strip().splitlines()[-1])
        states = [s for _order, s in shown["outcomes"]]
        assert states == ["committed"] * charged, (stage, shown)
        if stage != "sent":  # (a sale sent may be decided, and recorded, before the kill)
            assert "Committed at height" in shown["stage"], (stage, shown)

        async def balance() -> int:
            c = await cluster.client(1)
            info = await c.query("card", card=made.card.card)
            await c.close()
            return int(info["balance"])

        assert asyncio.run(balance()) == 50_000 - _cash_of(charged), stage


def _cash_of(sales: int) -> int:
    """What ``sales`` tea sales (48 CNY each) took from the card: the till uses the EHB
    points the card holds (1 point a fen, at most 30 % of the tea), and each sale's card
    cash earns 1 point per CNY (the demo contracts)."""
    points = cash_total = 0
    for _ in range(sales):
        used = min(points, 4_800 * 3_000 // 10_000)
        cash = 4_800 - used
        points += cash // 100 - used
        cash_total += cash
    return cash_total
