"""Small things a user meets in the three windows (issue 28): the regulator's search in
any case, Chinese words of their own, Enter on the PIN, a PIN that hides itself, files in
the documents folder, windows that fit the screen, forms that do not move."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import Env, click, gui_world, new_card_file, sell


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


def test_9_the_regulators_search_takes_a_merchant_in_any_case(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]  # a sale at M001 to find
        card = await new_card_file(env, 50_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        pos.new_sale()
        live = env.windows["regulator-1"].live
        await live.refresh()
        live.fields["merchant"].setText("m001")
        click(qtbot, live.search_btn)
        assert live.filters["merchant"] == "M001"
        await env.wait(lambda: bool(live.txs.rows) and all(
            r["merchant"] == "M001" for r in live.txs.rows), what="M001's transactions")
        live.fields["merchant"].clear()
        click(qtbot, live.search_btn)

    env.run(scenario(), 60)


def test_10_chinese_words_of_their_own(env: Env, qtbot: Any) -> None:
    """#28 defect 7: an open case is 待处理 (not a cycle's 未结算), the till's card panel
    is 卡片 (not 卡号), and no chart has a rotated axis title."""
    from PySide6.QtCharts import QChartView

    async def scenario() -> None:
        reg, pos = env.windows["regulator-1"], env.windows["terminal-M001-T01"]
        full, _pin, _path = await new_card_file(env, 100_000)  # an anonymous card at its cap
        s = env.sessions["clerk-EHB-1"]
        assert (await s.submit(s.make("top_up", {"card": full, "amount": 100}))).code \
            == "balance_cap"  # a case, open
        await env.wait(lambda: env.sessions["regulator-1"].node.height >= env.height(),
                       what="the regulator's node")
        await reg.cases.refresh()
        await reg.charts.refresh()
        env.languages.use("zh_CN")
        try:
            # the windows retranslate on the language event
            await env.wait(lambda: pos.card_box.title() == "卡片", what="the till in Chinese")
            await env.wait(lambda: "监管" in reg.header.text(),
                           what="the regulator's window in Chinese")
            rows = reg.cases.model.rows
            i = next(k for k, c in enumerate(rows) if c["status"] == "open")
            col = next(k for k, c in enumerate(reg.cases.model.columns) if c.key == "status")
            assert reg.cases.model.index(i, col).data() == "待处理"
            for view in reg.charts.findChildren(QChartView):
                for axis in view.chart().axes():
                    assert not axis.titleText()
                assert "元" in view.chart().title() or "CNY" in view.chart().title()
        finally:
            env.languages.use("en")  # and back, retranslated while the loop runs
            await env.wait(lambda: pos.card_box.title() == "Card", what="the till in English")

    env.run(scenario(), 60)


def test_11_small_things_a_user_meets(env: Env, qtbot: Any) -> None:
    """#28 defect 9 (part): Enter in the PIN field reads the card; a PIN shown goes off
    the screen by itself; a receipt is saved to the documents folder by default; a window
    opens no larger than the screen and at the size it last had."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from ui.receipt_print import documents
    from ui.shell import Window

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        number, pin, path = await new_card_file(env, 20_000)
        pos.new_sale()
        pos.card_path.setText(str(path))
        pos.pin.setText(pin)
        pos.card_state = None
        qtbot.keyClick(pos.pin, Qt.Key.Key_Return)
        await env.wait(lambda: getattr(pos, "card_state", None) is not None,
                       what="the card read on Enter")
        assert pos.card.card == number
        cards = env.windows["clerk-EHB-1"].cards
        cards.last_issued = (number, pin, path)
        cards.pin_timer.setInterval(50)
        cards.pin_btn.setChecked(True)
        assert pin in cards.new_card_label.text()
        await env.wait(lambda: pin not in cards.new_card_label.text(), what="the PIN hidden")
        assert not cards.pin_btn.isChecked()
        assert documents().name and documents() != documents().cwd()
        room = QGuiApplication.primaryScreen().availableGeometry()
        w, h = Window.first_size(pos)
        assert w <= max(640, room.width()) and h <= max(480, room.height())

    env.run(scenario(), 60)


def test_12_a_message_does_not_move_the_form(env: Env, qtbot: Any) -> None:
    """#28 defect 6 (part): the issue form's button stays where it is when an error
    appears under the form and when it goes."""
    async def scenario() -> None:
        cards = env.windows["clerk-EHB-1"].cards
        env.windows["clerk-EHB-1"].tabs.setCurrentWidget(cards)
        cards.notice.clear()
        await env.wait(lambda: cards.isVisible(), what="the cards tab")
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        where = cards.history_box.mapTo(cards, cards.history_box.rect().topLeft())
        cards.deposit.setText("abc")
        click(qtbot, cards.issue_btn)
        assert cards.notice.kind == "error"
        QApplication.processEvents()  # the layout settles (a deferred layout request)
        assert cards.history_box.mapTo(cards, cards.history_box.rect().topLeft()) == where
        cards.deposit.clear()
        cards.notice.clear()

    env.run(scenario(), 60)


def test_13_the_points_offer_shows_what_banks_pay_together(env: Env, qtbot: Any) -> None:
    """#28 defect 9: each bank's maximum is on its own; the goods both banks accept are
    paid once, so the offer also says what each pays with the others."""
    from tests.support.gui import read_card

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        number, pin, path = await new_card_file(env, 100_000)
        s = env.sessions["clerk-EHB-1"]
        for bank, clerk in (("EHB", "clerk-EHB-1"), ("JRB", "clerk-JRB-1")):
            c = env.sessions[clerk]
            assert (await c.submit(c.make("accrue_points", {"card": number, "bank": bank,
                                                            "points": 50_000}))).ok
        await env.wait(lambda: env.sessions["terminal-M001-T01"].node.height
                       >= s.node.height, what="the till's node has the points")
        pos.new_sale()
        await read_card(env, qtbot, pos, path, pin)
        pos.add("TEA-250")  # both banks' points accept it: ¥48.00
        await env.wait(lambda: pos.offer is not None and len(pos.offer_model.rows) == 2,
                       what="both banks' offers")
        rows = {r["bank"]: r for r in pos.offer_model.rows}
        alone = sum(r["max_cash"] for r in rows.values())
        together = sum(r["now"] for r in rows.values())
        assert together == sum(r["cash"] for r in pos.offer["combination"])
        # on its own EHB may pay 30 % of the tea (¥14.40), JRB 20 % (¥9.60); together JRB
        # takes 20 % of what EHB left (¥6.72): less than the two maxima added
        assert (rows["EHB"]["max_cash"], rows["JRB"]["max_cash"]) == (1_440, 960)
        assert (rows["EHB"]["now"], rows["JRB"]["now"]) == (1_440, 672)
        assert together == 2_112 < alone
        pos.new_sale()

    env.run(scenario(), 60)
