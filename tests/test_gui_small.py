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
                title = view.chart().title()  # its unit at the end
                assert title.endswith(("(元)", "(笔)")), title
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

    from ui.common import documents
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
        where = cards.history.mapTo(cards, cards.history.rect().topLeft())
        cards.deposit.setText("abc")
        click(qtbot, cards.issue_btn)
        assert cards.notice.kind == "error"
        QApplication.processEvents()  # the layout settles (a deferred layout request)
        assert cards.history.mapTo(cards, cards.history.rect().topLeft()) == where
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


def test_14_a_sale_by_keyboard_only(env: Env, qtbot: Any) -> None:
    """#28, the cashier never needs the mouse: SKU and name entry with a quantity, the
    basket edited by keys, card and PIN, pay, the receipt, the next sale."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ui.common import yuan

    def key(k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(QApplication.focusWidget(), k, mod)

    def type_in(text: str) -> None:
        QTest.keyClicks(QApplication.focusWidget(), text)

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        _number, pin, path = await new_card_file(env, 100_000)
        pos.new_sale()
        pos.tabs.setCurrentIndex(1)  # somewhere else: F2 brings the sale back
        pos.show()
        pos.activateWindow()
        await env.wait(lambda: pos.isActiveWindow(), what="the till in front")
        pos.day.setFocus()
        key(Qt.Key.Key_F2)
        assert pos.tabs.currentWidget() is pos.sale
        assert QApplication.focusWidget() is pos.goods.entry
        type_in("2*tea-250")  # a SKU in any case, with a quantity
        key(Qt.Key.Key_Return)
        type_in("moon")  # words of a name
        key(Qt.Key.Key_Return)
        assert pos.basket == {"TEA-250": 2, "MOON-BOX": 1}
        type_in("250")  # tea and milk: nothing added, the grid shows the two
        key(Qt.Key.Key_Return)
        assert pos.basket == {"TEA-250": 2, "MOON-BOX": 1}
        assert "2 items match" in pos.notice.text()
        shown = [s for s, b in pos.goods.buttons.items() if not b.isHidden()]
        assert shown == ["TEA-250", "MILK-12"]
        type_in(" ml")
        key(Qt.Key.Key_Return)
        assert pos.basket["MILK-12"] == 1 and pos.goods.entry.text() == ""
        key(Qt.Key.Key_F3)  # the basket: the first line selected
        assert QApplication.focusWidget() is pos.basket_view
        key(Qt.Key.Key_Plus)
        assert pos.basket["TEA-250"] == 3
        key(Qt.Key.Key_Minus)
        key(Qt.Key.Key_Down)
        key(Qt.Key.Key_Delete)  # the mooncakes go
        assert pos.basket == {"TEA-250": 2, "MILK-12": 1}
        key(Qt.Key.Key_Tab)  # the quantity of the line after the one removed
        assert pos.qty.isAncestorOf(QApplication.focusWidget())
        key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_in("3")
        key(Qt.Key.Key_Return)
        assert pos.basket == {"TEA-250": 2, "MILK-12": 3}
        key(Qt.Key.Key_F4)  # the card: its file, Tab, its PIN, Enter
        assert QApplication.focusWidget() is pos.card_path
        type_in(str(path))
        key(Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is pos.pin
        type_in(pin)
        key(Qt.Key.Key_Return)
        await env.wait(lambda: pos.card is not None and pos.offer is not None,
                       what="the card read and its offer")
        due = pos.total()
        assert due == 2 * 4_800 + 3 * pos.basket_model.rows[1]["price"]
        key(Qt.Key.Key_F9)
        assert await env.settle_notice(pos.notice, "the keyboard sale") == "ok", \
            pos.notice.text()
        receipt = pos.receipt.receipt
        assert receipt is not None and pos.card is None and not pos.basket
        assert f"Total {yuan(due)}" in pos.receipt.text.text()
        assert QApplication.focusWidget() is pos.goods.entry  # the next sale starts here
        type_in("rice")
        key(Qt.Key.Key_Return)
        assert pos.basket == {"RICE-5KG": 1} and pos.card is None
        key(Qt.Key.Key_F12)
        assert not pos.basket and pos.receipt.receipt is None

    env.run(scenario(), 90)



def test_15_the_sale_screen_keeps_its_shape(env: Env, qtbot: Any) -> None:
    """#28 defect 6: the basket's columns keep their widths from an empty basket to a
    read card and a receipt, and the goods never need a sideways scroll."""
    from PySide6.QtWidgets import QApplication

    from tests.support.gui import read_card

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        _number, pin, path = await new_card_file(env, 100_000)
        pos.resize(1100, 700)
        pos.show()
        pos.new_sale()
        head = pos.basket_view.horizontalHeader()

        def widths() -> list[int]:
            QApplication.processEvents()  # (layout is done on the event loop)
            return [head.sectionSize(c) for c in (1, 2, 3)]

        def goods_fit() -> bool:
            room = pos.goods.scroll.viewport().width()
            return all(b.geometry().right() <= room for b in pos.goods.buttons.values())

        empty = widths()
        assert goods_fit()
        pos.add("TEA-250")
        await read_card(env, qtbot, pos, path, pin)
        await env.wait(lambda: pos.offer is not None, what="offer")
        pos.add("TV-65", 3)  # a big amount
        await env.wait(lambda: pos.offer is not None, what="offer")
        assert widths() == empty and goods_fit()
        assert not pos.goods.scroll.horizontalScrollBar().isVisible()
        pos.new_sale()
        assert widths() == empty

    env.run(scenario(), 60)


def test_16_a_language_switch_keeps_the_result_on_screen(env: Env, qtbot: Any) -> None:
    """#28 defects 4 and 7: after a sale, switching to Chinese rewords the stage line and
    the result (they were left English or wiped); a refusal's detail is Chinese too."""
    from ui import texts

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 100_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        assert pos.stage.text().startswith("④ Committed") and "Paid ¥48.00" in \
            pos.notice.text()
        env.languages.use("zh_CN")
        try:
            await env.wait(lambda: pos.card_box.title() == "卡片", what="the till in Chinese")
            assert pos.stage.text().startswith("④ 已在高度") and pos.notice.text() == \
                "已支付 ¥48.00。"
            line = texts.decision("insufficient_funds", "card ****1234 holds 73200 fen; "
                                                        "1099900 fen is due")
            assert "¥732.00" in line and "¥10,999.00" in line
            assert not any(w in line for w in ("card", "holds", "due")), line
            frozen = texts.decision("card_not_active", "card ****3624 is frozen")
            assert "****3624" in frozen and "frozen" not in frozen, frozen
            other = texts.decision("unknown_merchant", "no merchant M9 with 2000 fen")
            assert "¥20.00" in other and "merchant" not in other, other
        finally:
            env.languages.use("en")
            await env.wait(lambda: pos.card_box.title() == "Card", what="the till in English")
        assert pos.notice.text() == "Paid ¥48.00."
        pos.new_sale()

    env.run(scenario(), 60)


def test_17_a_dark_palette_from_the_view_menu(env: Env, qtbot: Any) -> None:
    """#28 everywhere: no hard-coded colours; the View menu's dark palette reaches every
    window, and messages take the dark variant of their colour."""
    import re
    from pathlib import Path

    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from ui.common import TONES

    ui_dir = Path(__file__).resolve().parent.parent / "ui"
    for f in ui_dir.glob("*.py"):
        if f.name in ("palette.py",):  # the palettes themselves
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"#[0-9a-fA-F]{6}\b|QColor\(\"(?!white)", line) and \
                    not line.lstrip().startswith("TONES") and '": ("#' not in line:
                raise AssertionError(f"{f.name}:{n}: a colour of its own: {line.strip()}")

    async def scenario() -> None:
        pos, reg = env.windows["terminal-M001-T01"], env.windows["regulator-1"]
        window = QPalette.ColorRole.Window
        pos.palette_actions["dark"].trigger()
        try:
            assert QApplication.palette().color(window).lightness() < 128
            await env.wait(lambda: reg.palette().color(window).lightness() < 128,
                           what="the regulator's window dark")
            assert reg.palette_actions["dark"].isChecked()
            pos.notice.error("x")
            assert TONES["error"][1] in pos.notice.styleSheet()
        finally:
            pos.palette_actions["light"].trigger()
        assert QApplication.palette().color(window).lightness() > 128
        await env.wait(lambda: TONES["error"][0] in pos.notice.styleSheet(),
                       what="the message restyled for the light palette")
        pos.notice.clear()

    env.run(scenario(), 30)


def test_18_pdfs_are_written_off_the_windows_thread(env: Env, qtbot: Any, tmp_path: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """#28 defect 10: a receipt's and a statement's PDF are laid out and written on a
    worker thread; the window's thread goes on (and the files are whole)."""
    import threading

    import ui.clearing_tab
    import ui.receipt_print

    threads: list[str] = []

    def recorded(real: Any) -> Any:
        def run(*args: Any) -> Any:
            threads.append(threading.current_thread().name)
            return real(*args)
        return run

    monkeypatch.setattr(ui.receipt_print, "save_receipt_pdf",
                        recorded(ui.receipt_print.save_receipt_pdf))
    monkeypatch.setattr(ui.clearing_tab, "write_pdf", recorded(ui.clearing_tab.write_pdf))

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 100_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        await pos.receipt.write(tmp_path / "r.pdf")
        clearing = env.windows["clearing-1"].clearing
        await env.wait(lambda: clearing.merchant.count() > 0, what="merchants")
        await clearing.load()
        await clearing.write("pdf", tmp_path / "s.pdf")
        pos.new_sale()

    env.run(scenario(), 60)
    assert len(threads) == 2 and threading.main_thread().name not in threads, threads
    for name in ("r.pdf", "s.pdf"):
        assert (tmp_path / name).read_bytes()[:5] == b"%PDF-"


def test_20_goods_by_category(env: Env, qtbot: Any) -> None:
    """#28, the till's categories: a button per category of the catalogue (genesis, and
    catalogue changes from chain format 6), each showing its goods, with the search."""
    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        goods = pos.goods
        assert list(goods.cat_buttons) == ["", "Electronics 电器", "Gifts 礼品", "Grocery 食品"]
        assert [b.text() for b in goods.cat_buttons.values()] == [
            "All", "Electronics", "Gifts", "Grocery"]

        def shown() -> list[str]:
            return [s for s, b in goods.buttons.items() if not b.isHidden()]

        click(qtbot, goods.cat_buttons["Grocery 食品"])
        assert shown() == ["TEA-250", "RICE-5KG", "OIL-1L", "MILK-12"]
        assert "4 of 6 goods" in goods.hint.text()
        goods.entry.setText("250")  # the search within the category
        assert shown() == ["TEA-250", "MILK-12"]
        goods.entry.clear()
        click(qtbot, goods.cat_buttons["Gifts 礼品"])
        assert shown() == ["MOON-BOX"] and goods.grid.indexOf(goods.buttons["MOON-BOX"]) >= 0
        pos_in_grid = goods.grid.getItemPosition(goods.grid.indexOf(goods.buttons["MOON-BOX"]))
        assert pos_in_grid[:2] == (0, 0)  # the goods shown fill the grid from the top
        env.languages.use("zh_CN")
        try:
            await env.wait(lambda: goods.cat_buttons[""].text() == "全部", what="Chinese")
            assert goods.cat_buttons["Gifts 礼品"].text() == "礼品"
        finally:
            env.languages.use("en")
            await env.wait(lambda: goods.cat_buttons[""].text() == "All", what="English")
        click(qtbot, goods.cat_buttons[""])
        assert len(shown()) == 6

    env.run(scenario(), 60)
