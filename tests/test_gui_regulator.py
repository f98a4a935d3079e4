"""The regulator's window as an inspector uses it (issue 28): a block's transactions, a
transaction in full with its receipt verified in place, search by id and by calendar
days, CSV of a search, throughput per hour, the audit report as PDF, a case's
transaction."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import Env, a_payment, click, gui_world, new_card_file


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


def test_a_block_drills_down_to_its_transactions_and_one_opens_in_full(
        env: Env, qtbot: Any) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.common import select_row
    from ui.tx_detail import _verified

    async def scenario() -> None:
        payment = await a_payment(env, qtbot)
        reg = env.windows["regulator-1"]
        live = reg.live
        await live.refresh()
        height = next(int(t["height"]) for t in live.txs.rows if t["id"] == payment)
        mine = next(r for r in live.blocks.rows if r["height"] == height)
        select_row(live.blocks_view, live.blocks.rows.index(mine))
        live.blocks_view.activated.emit(live.blocks_view.currentIndex())
        await env.wait(lambda: live.txs.rows and all(t["height"] == height
                                                     for t in live.txs.rows),
                       what="the block's transactions")
        assert payment in [t["id"] for t in live.txs.rows]
        assert live.count.text().startswith(f"Block {height}:") and live.all_btn.isVisibleTo(
            live)
        # a transaction in full: double-click (activated) on its row
        select_row(live.txs_view, [t["id"] for t in live.txs.rows].index(payment))
        live.txs_view.activated.emit(live.txs_view.currentIndex())
        dlg = live.detail
        await env.wait(lambda: dlg.verified is not None, what="the receipt verified")
        assert dlg.verified[0] is True, dlg.verified
        assert dlg.check.text().startswith("Receipt verified against the validators' keys")
        assert f"block {height}" in dlg.check.text()
        assert "TEA-250" in dlg.body.toPlainText() and dlg.facts["kind"].text()
        assert dlg.facts["decision"].text() and dlg.facts["signers"].text().count("\n") >= 1
        dlg.copy_receipt()
        copied = json.loads(QApplication.clipboard().text())
        assert copied == dlg.receipt
        # a receipt changed anywhere does not verify: every field of its top level
        for key in copied:
            bad = dict(copied)
            bad[key] = "0" if bad[key] != "0" else "1"
            assert _verified(bad, reg.session)[0] is False, key
        dlg.close()
        click(qtbot, live.all_btn)
        await env.wait(lambda: not live.all_btn.isVisibleTo(live) and
                       not live.count.text().startswith("Block"), what="all transactions")

    env.run(scenario(), 120)


def test_search_by_id_and_by_calendar_days_and_export(env: Env, qtbot: Any,
                                                      tmp_path: Path) -> None:
    async def scenario() -> None:
        from app.session import SessionError

        payment = await a_payment(env, qtbot)
        live = env.windows["regulator-1"].live
        live.fields["id"].setText("not-an-id")
        click(qtbot, live.search_btn)
        assert live.notice.kind == "error" and "64 hexadecimal" in live.notice.text()
        live.fields["id"].setText(payment.upper())  # any case
        click(qtbot, live.search_btn)
        assert live.detail.tx_id == payment
        await env.wait(lambda: live.detail.verified is not None, what="the detail")
        live.detail.close()
        live.fields["id"].clear()
        from_box, from_day = live.days["time_from"]
        from_box.setChecked(True)  # today: the payment is there
        live.kind.setCurrentIndex(live.kind.findData("pay"))
        click(qtbot, live.search_btn)
        await env.wait(lambda: payment in [t["id"] for t in live.txs.rows],
                       what="today's payments")
        from_day.setDate(from_day.date().addDays(1))  # from tomorrow: none
        click(qtbot, live.search_btn)
        await env.wait(lambda: not live.txs.rows, what="no payment from tomorrow")
        from_box.setChecked(False)
        click(qtbot, live.search_btn)
        await env.wait(lambda: payment in [t["id"] for t in live.txs.rows],
                       what="every payment")
        out = tmp_path / "txs.csv"
        await live.write_csv(out)
        rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
        assert rows[0][:3] == ["Height", "Time", "Type"] and rows[0][-1] == "id"
        assert len(rows) == 1 + len(live.txs.rows)
        line = next(r for r in rows if r[-1] == payment)
        assert "¥48.00" in line and "payment" in line, line
        with pytest.raises(SessionError, match="Could not write"):
            await live.write_csv(tmp_path / "no-such-dir" / "x.csv")
        live.kind.setCurrentIndex(0)

    env.run(scenario(), 120)


def test_throughput_per_hour_and_the_audit_report(env: Env, qtbot: Any,
                                                  tmp_path: Path) -> None:
    async def scenario() -> None:
        await a_payment(env, qtbot)
        reg = env.windows["regulator-1"]
        await reg.charts.refresh()
        hours = reg.charts.hours
        assert len(hours) == 24
        page = await reg.session.query("txs", filters={"time_from": hours[0]["hour"]},
                                       limit=500)
        assert sum(h["accepted"] + h["refused"] for h in hours) == len(page["items"]) >= 1
        chart = reg.charts.rate_view.chart()
        assert "per hour" in chart.title()
        counts = [[p.y() for p in line.points()] for line in chart.series()]
        assert counts == [[h["accepted"] for h in hours], [h["refused"] for h in hours]]
        await reg.audit._run()
        assert reg.audit.report is not None and reg.audit.report.ok
        assert reg.audit.pdf_btn.isEnabled()
        html = reg.audit.report_html()
        assert "Audit passed" in html and reg.session.genesis.chain_id in html
        await reg.audit.write_pdf(tmp_path / "audit.pdf")
        assert (tmp_path / "audit.pdf").read_bytes()[:5] == b"%PDF-"
        assert "Audit report saved" in reg.audit.notice.text()

    env.run(scenario(), 180)


def test_a_case_opens_its_transaction_and_says_what_happened(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        full = await new_card_file(env, 100_000)  # an anonymous card at its cap
        s = env.sessions["clerk-EHB-1"]
        r = await s.submit(s.make("top_up", {"card": full[0], "amount": 100}))
        assert r.code == "balance_cap"
        reg = env.windows["regulator-1"]
        await env.wait(lambda: env.sessions["regulator-1"].node.height >= env.height(),
                       what="the regulator's node")
        await reg.cases.refresh()
        from ui.common import select_row

        i = next(k for k, c in enumerate(reg.cases.model.rows) if r.id in c["txs"])
        select_row(reg.cases.view, i)
        assert reg.cases.rule_doc.text().startswith("What happened: ")
        reg.cases.view.activated.emit(reg.cases.view.currentIndex())
        assert reg.live.detail.tx_id == reg.cases.model.rows[i]["txs"][0]
        await env.wait(lambda: reg.live.detail.verified is not None, what="the detail")
        reg.live.detail.close()

    env.run(scenario(), 60)
