"""The bank desk as a clerk uses it (issue 28): a customer's view (every card of one
holder, their states with the reasons given, all their transactions with who signed
each), the history paged and exported, the top-up slip printed; and every input in the
three windows has a name a screen reader can say, in the screen's language."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import Env, click, gui_world, new_card_file, shown_cells


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


def test_a_customer_view_of_every_card_of_one_holder(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        tab = console.customers
        a = await new_card_file(env, 30_000, holder="Sun Li 孙丽")
        b = await new_card_file(env, 20_000, holder="Sun Li 孙丽")
        await new_card_file(env, 10_000)  # anonymous: nobody's
        s = env.sessions["clerk-EHB-1"]
        r = await s.submit(s.make("freeze", {"card": b[0], "reason": "phone call: stolen?"}))
        assert r.ok, r
        await env.wait(lambda: s.node.height >= env.height(), what="the clerk's node")
        console.tabs.setCurrentWidget(tab)
        click(qtbot, tab.find_btn)
        assert tab.notice.kind == "error" and "name or an ID number" in tab.notice.text()
        tab.search.setText("sun LI")
        click(qtbot, tab.find_btn)
        await env.wait(lambda: len(tab.people.rows) == 1 and len(tab.cards.rows) == 2,
                       what="the customer and their two cards")
        person = tab.people.rows[0]
        assert person["name"] == "Sun Li 孙丽" and person["balance"] == 50_000
        assert person["id_shown"] == "110105********1234"  # the ID number masked
        frozen = next(c for c in tab.cards.rows if c["card"] == b[0])
        assert frozen["status"] == "frozen" and frozen["reason"] == "phone call: stolen?"
        await env.wait(lambda: {r["card"] for r in tab.history.model.rows} == {a[0], b[0]},
                       what="both cards' transactions")
        kinds = shown_cells(tab.history.model, ("kind",))
        assert kinds.count("card issued") == 2 and "freeze" in " ".join(kinds).lower()
        # who did each: the clerk's identity, from the key that signed
        assert set(shown_cells(tab.history.model, ("by",))) == {"clerk-EHB-1"}
        tab.search.setText("110105199001011234")  # by the ID number
        click(qtbot, tab.find_btn)
        await env.wait(lambda: any(p["name"] == "Sun Li 孙丽" for p in tab.people.rows)
                       or len(tab.people.rows) == 1, what="found by ID number")

    env.run(scenario(), 90)


def test_history_pages_exports_and_the_top_up_slip_prints(
        env: Env, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.card_history
    from ui.common import select_row
    from ui.slips import slip_html

    monkeypatch.setattr(ui.card_history, "PAGE", 2)

    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        cards = console.cards
        console.tabs.setCurrentWidget(cards)
        number, _pin, _path = await new_card_file(env, 10_000, holder="Qian Yu 钱宇")
        await cards.refresh()
        select_row(cards.view, next(i for i, r in enumerate(cards.model.rows)
                                    if r["card"] == number))
        for amount in ("100", "200"):
            cards.amount.setText(amount)
            cards.notice.clear()
            click(qtbot, cards.topup_btn)
            assert await env.settle_notice(cards.notice, "top-up") == "ok", \
                cards.notice.text()
        hist = cards.history
        await env.wait(lambda: len(hist.model.rows) == 2 and hist.more_btn.isEnabled(),
                       what="the first page")
        click(qtbot, hist.more_btn)
        await env.wait(lambda: len(hist.model.rows) == 3, what="the older transactions")
        assert not hist.more_btn.isEnabled()  # all of it
        assert [r["kind"] for r in hist.model.rows] == ["top_up", "top_up", "issue_card"]
        out = tmp_path / "history.csv"
        await hist.write_csv(out)
        rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
        assert rows[0][-2:] == ["Height", "id"] and "By" in rows[0]
        assert len(rows) == 4 and all(r[rows[0].index("By")] == "clerk-EHB-1" for r in rows[1:])
        # the last top-up's slip, through the print dialog to a PDF
        slip = cards.last_slip
        assert cards.slip_btn.isVisibleTo(cards) and slip is not None
        assert slip["amount"] == 20_000 and slip["balance"] == 40_000
        assert slip["clerk"] == "clerk-EHB-1" and slip["card"] == number
        text = slip_html(slip)
        assert "¥200.00" in text and "¥400.00" in text and "Cardholder signature" in text
        click(qtbot, cards.slip_btn)
        dlg = cards.slip_dialog
        await env.wait(dlg.isVisible, what="the print dialog")
        from PySide6.QtWidgets import QLineEdit

        name = dlg.findChild(QLineEdit, "filename")
        assert name is not None and name.text().endswith(".pdf"), name.text()
        target = tmp_path / "slip.pdf"
        name.setText(str(target))
        dlg.accept()
        await env.wait(lambda: "slip printed" in cards.notice.text(), what="printed")
        assert target.read_bytes().startswith(b"%PDF")

    env.run(scenario(), 120)


def test_every_input_has_a_name_a_screen_reader_says(env: Env, qtbot: Any) -> None:
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit

    kinds = (QLineEdit, QComboBox, QAbstractSpinBox)

    def unnamed() -> list[str]:
        out = []
        for who, w in env.windows.items():
            for field in w.findChildren(QLineEdit) + w.findChildren(QComboBox) + \
                    w.findChildren(QAbstractSpinBox):
                if isinstance(field.parentWidget(), kinds):
                    continue  # the edit inside a spin or combo box
                if not field.accessibleName().strip():
                    out.append(f"{who}: {type(field).__name__} in "
                               f"{type(field.parentWidget()).__name__}")
        return out

    async def scenario() -> None:
        assert not unnamed(), unnamed()
        pin = env.windows["terminal-M001-T01"].pin
        assert pin.accessibleName() == "PIN"
        env.languages.use("zh_CN")
        try:
            await env.wait(lambda: pin.accessibleName() == "密码", what="names in Chinese")
            assert not unnamed(), unnamed()
        finally:
            env.languages.use("en")
            await env.wait(lambda: pin.accessibleName() == "PIN", what="names in English")

    env.run(scenario(), 60)


def test_four_eyes_a_second_clerk_approves_on_the_approvals_tab(env: Env, qtbot: Any) -> None:
    """#28, four eyes: JRB takes closing a card from two clerks. The first clerk's close
    becomes a proposal (the card stays open); the Approvals tab lists it, the maker cannot
    decide it, a second clerk declines one and approves another, each on chain."""
    from app.api import Signer
    from app.session import Session
    from ui.common import select_row
    from ui.main import make_window

    async def scenario() -> None:
        s = env.sessions["clerk-JRB-1"]
        w = make_window(s, env.languages)
        w.resize(1280, 800)
        w.show()
        w.start()
        try:
            assert w.approvals is not None and w.tabs.indexOf(w.approvals) >= 0
            assert env.windows["clerk-EHB-1"].approvals is None  # EHB: one clerk
            number, _pin, _path = await new_card_file(env, 20_000, bank="JRB")
            cards = w.cards
            await cards.refresh()
            select_row(cards.view, next(i for i, r in enumerate(cards.model.rows)
                                        if r["card"] == number))
            cards.simple("close_card")
            cards.confirm_dialog.reason.setText("customer asked")
            cards.notice.clear()
            cards.confirm_dialog.accept()
            assert await env.settle_notice(cards.notice, "the proposal") == "ok", \
                cards.notice.text()
            assert "second clerk" in cards.notice.text()
            assert (await s.query("card", card=number))["status"] == "active"
            tab = w.approvals
            await tab.refresh()
            mine = next(i for i, r in enumerate(tab.model.rows) if r["what"] == number)
            select_row(tab.view, mine)
            assert not tab.approve_btn.isEnabled() and "(you)" in tab.model.rows[mine][
                "maker_name"]
            assert tab.model.rows[mine]["why"] == "customer asked"
            # the second clerk (another desk): declines this one
            second = Signer(env.cons, "clerk-JRB-2")
            pid = tab.model.rows[mine]["id"]
            r = await s.submit(second.make("decline", {"proposal": pid,
                                                       "reason": "not the holder"}))
            assert r.ok, r
            await env.wait(lambda: s.node.height >= r.height, what="the clerk's node")
            await tab.refresh()
            row = next(x for x in tab.model.rows if x["id"] == pid)
            assert row["status"] == "declined" and row["why"] == "not the holder"
            assert row["checker_name"] == "clerk-JRB-2"
            # proposed again, approved by the second clerk on their own console
            cards.simple("close_card")
            cards.confirm_dialog.reason.setText("customer asked, with ID")
            cards.notice.clear()
            cards.confirm_dialog.accept()
            assert await env.settle_notice(cards.notice, "again") == "ok"
            other = Session(env.cons, "clerk-JRB-2")
            await other.start()
            try:
                await other.wait_synced()
                w2 = make_window(other, env.languages)
                w2.start()
                await w2.approvals.refresh()
                i = next(k for k, x in enumerate(w2.approvals.model.rows)
                         if x["what"] == number and x["status"] == "pending")
                select_row(w2.approvals.view, i)
                assert w2.approvals.approve_btn.isEnabled()
                click(qtbot, w2.approvals.approve_btn)
                assert await env.settle_notice(w2.approvals.notice, "approved") == "ok", \
                    w2.approvals.notice.text()
                w2.close()
            finally:
                await other.stop()
            await env.wait(lambda: s.node.height >= env.height(), what="the clerk's node")
            assert (await s.query("card", card=number))["status"] == "closed"
            history = await s.query("history", card=number)
            assert [h["kind"] for h in history][:2] == ["approve", "propose"]
        finally:
            w.close()

    env.run(scenario(), 180)
