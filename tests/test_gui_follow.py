"""Every summary follows the chain with no manual refresh (issue 28, defect 1): windows
stay open while other users' transactions commit, and the regulator's cases and charts,
the bank's custody figures, merchants and an open statement show them; a page not on
screen catches up when it is shown; what the user is doing (a selected case) stays."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import Env, gui_world, new_card_file, sell


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


def outstanding(page: Any, bank: str = "EHB") -> int:
    return next((r["outstanding"] for r in page.issuers.rows if r["bank"] == bank), -1)


def test_summaries_follow_new_blocks(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        reg, console = env.windows["regulator-1"], env.windows["clerk-EHB-1"]
        clerk = env.sessions["clerk-EHB-1"]
        # the regulator watches the charts, the clerk the custody tab
        reg.tabs.setCurrentWidget(reg.charts)
        console.tabs.setCurrentWidget(console.custody)
        await env.wait(lambda: outstanding(reg.charts) >= 0, what="charts loaded")
        await env.wait(lambda: console.custody.row is not None, what="custody loaded")
        before, mine = outstanding(reg.charts), console.custody.row["outstanding"]
        number, _pin, _path = await new_card_file(env, 30_000)  # a block of someone else's
        await env.wait(lambda: outstanding(reg.charts) == before + 30_000,
                       what="the regulator's liabilities following the block")
        await env.wait(lambda: console.custody.row["outstanding"] == mine + 30_000,
                       what="the bank's custody figures following the block")
        assert reg.charts.history[-1]["EHB"] == before + 30_000  # the line too
        # the cases tab, not on screen meanwhile, catches up when shown; a selected case
        # stays selected as more blocks come
        reg.tabs.setCurrentWidget(reg.cases)
        await env.wait(lambda: reg.cases.model.rowCount() > 0, what="cases")
        reg.cases.view.selectRow(0)
        chosen = reg.cases.model.rows[0]["id"]
        n = reg.cases.model.rowCount()
        over = await clerk.submit(clerk.make("top_up", {"card": number, "amount": 480_000}))
        assert over.code == "balance_cap"  # a refused attempt: a compliance case
        await env.wait(lambda: reg.cases.model.rowCount() > n or any(
            c["subject"] == f"card:{number}" for c in reg.cases.model.rows),
                       what="the new case listed")
        from ui.common import selected_row

        kept = selected_row(reg.cases.view, reg.cases.model)
        assert kept is not None and kept["id"] == chosen
        # an open statement follows the sales of its cycle
        clearing = console.clearing
        console.tabs.setCurrentWidget(clearing)
        await env.wait(lambda: clearing.merchant.count() > 0, what="merchants")
        clearing.merchant.setCurrentIndex(next(
            i for i in range(clearing.merchant.count())
            if clearing.merchant.itemData(i)["merchant"] == "M001"))
        clearing.cycle.setCurrentIndex(0)
        await clearing.load()
        count = clearing.statement["count"]
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 50_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        await env.wait(lambda: clearing.statement["count"] == count + 1,
                       what="the statement following the sale")

    env.run(scenario(), 120)
