"""The bank desk's selling and points screens against a real in-process cluster,
offscreen: cards sold in one go (the buyer's registration and the cash limits as the
validators apply them, no card file left by a refused sale, PINs off screen), top-ups that
say how they were paid, and the points desk (a bank's own goods and cap per terminal, the
contract kept whole, the day's points and the expiry step)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from tests.support.gui import (
    Env,
    check_models,
    click,
    gui_world,
    new_card_file,
    read_card,
    shown_cells,
)


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


async def selected_card(env: Env, deposit: int, holder: str) -> tuple[str, str, Any]:
    """A named card of a test's own, selected in the clerk's cards tab."""
    from ui.common import select_row

    cards = env.windows["clerk-EHB-1"].cards
    number, pin, path = await new_card_file(env, deposit, holder=holder)
    await cards.refresh()
    select_row(cards.view, next(i for i, r in enumerate(cards.model.rows)
                                if r["card"] == number))
    return number, pin, path


def card_files(env: Env) -> set[str]:
    folder = env.cons.home / "cards"
    return {p.name for p in folder.glob("*.card.json")} if folder.exists() else set()


def test_1_cards_sold_in_one_go_follow_the_rules(env: Env, qtbot: Any,
                                                  qtmodeltester: Any) -> None:
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        sales = console.sales
        h0 = env.height()
        # the form's own checks: nothing is sent
        sales.count.setValue(10)
        sales.value.setText("")
        click(qtbot, sales.sell_btn)
        assert sales.notice.kind == "error" and "amount" in sales.notice.text()
        sales.value.setText("1000")
        assert sales.total.text() == "Total ¥10,000.00"
        sales.payment.method.setCurrentIndex(sales.payment.method.findData("transfer"))
        sales.payment.payer.setCurrentIndex(sales.payment.payer.findData("organisation"))
        click(qtbot, sales.sell_btn)
        assert "reference" in sales.notice.text()
        sales.payment.reference.setText("TRF-ACME-7")
        sales.buyer.setText("Acme Trading 阿克米")
        click(qtbot, sales.sell_btn)
        assert "both name and ID number" in sales.notice.text()
        assert env.height() == h0
        # 10,000 CNY without the buyer's registration: the validators refuse it
        sales.buyer.clear()
        before = card_files(env)
        sales.notice.clear()
        click(qtbot, sales.sell_btn)
        assert await env.settle_notice(sales.notice, "sale") == "error"
        assert "real-name registration" in sales.notice.text()
        assert card_files(env) == before  # a refused sale leaves no card file
        # with the buyer registered it is sold; the PINs stay hidden until asked for
        sales.buyer.setText("Acme Trading 阿克米")
        sales.buyer_id.setText("91310000MA1FL0002Y")
        sales.notice.clear()
        click(qtbot, sales.sell_btn)
        assert await env.settle_notice(sales.notice, "sale") == "ok", sales.notice.text()
        assert sales.sold.rowCount() == 10
        assert set(shown_cells(sales.sold, ("pin",))) == {"••••••"}
        click(qtbot, sales.pin_btn)
        pins = shown_cells(sales.sold, ("pin",))
        assert all(p.isdigit() for p in pins)
        assert len(card_files(env) - before) == 10
        clerk = env.sessions["clerk-EHB-1"]
        card = await clerk.query("card", card=sales.sold.rows[0]["card"])
        assert card["balance"] == 100_000 and card["named"] is False and card["sale"]
        # an organisation's 5,000 CNY in cash is refused at consensus
        sales.count.setValue(5)
        sales.value.setText("1000")
        sales.payment.method.setCurrentIndex(sales.payment.method.findData("cash"))
        sales.payment.payer.setCurrentIndex(sales.payment.payer.findData("organisation"))
        sales.notice.clear()
        click(qtbot, sales.sell_btn)
        assert await env.settle_notice(sales.notice, "sale") == "error"
        assert "bank transfer" in sales.notice.text()
        assert check_models(qtmodeltester, console) > 0

    env.run(scenario(), 180)


def test_2_top_up_says_how_it_was_paid(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        cards = console.cards
        number, _pin, _path = await selected_card(env, 0, "Zhao Lei 赵磊")
        pay = cards.topup_pay
        pay.method.setCurrentIndex(pay.method.findData("cash"))
        pay.payer.setCurrentIndex(pay.payer.findData("organisation"))
        cards.amount.setText("5000")
        cards.notice.clear()
        click(qtbot, cards.topup_btn)
        assert await env.settle_notice(cards.notice, "top-up") == "error"
        assert "bank transfer" in cards.notice.text()
        pay.method.setCurrentIndex(pay.method.findData("transfer"))
        cards.amount.setText("5000")
        cards.notice.clear()
        click(qtbot, cards.topup_btn)
        assert "reference" in cards.notice.text() and cards.notice.kind == "error"
        pay.reference.setText("TRF-ZHAO-1")
        cards.notice.clear()
        click(qtbot, cards.topup_btn)
        assert await env.settle_notice(cards.notice, "top-up") == "ok", cards.notice.text()
        clerk = env.sessions["clerk-EHB-1"]
        txs = await clerk.query("history", card=number)
        top = next(t for t in txs if t["kind"] == "top_up" and t["code"] == "ok")
        from node.ledger import Tx

        wire = (await clerk.query("receipt", id=top["id"]))["tx"]
        assert Tx.decode(wire.encode()).body["payment"] == {
            "method": "transfer", "payer": "organisation", "reference": "TRF-ZHAO-1"}
        # granted points show in the card's history with their sign
        cards.points.setText("700")
        cards.notice.clear()
        click(qtbot, cards.points_btn)
        assert await env.settle_notice(cards.notice, "grant") == "ok"
        await env.wait(lambda: "EHB +700" in shown_cells(cards.history.model, ("points_text",)),
                       what="points in the history")

    env.run(scenario(), 120)


def test_3_a_banks_rule_at_a_terminal_reaches_the_till(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        p = console.points
        await p.refresh()
        earn = p.contract["earn"]
        p.terminal.setCurrentIndex(p.terminal.findData("M001-T01"))
        assert not p.own.isChecked() and not p.goods.isEnabled()
        # the catalogue's choice is what the list starts from
        checked = {p.goods.item(i).data(Qt.ItemDataRole.UserRole)
                   for i in range(p.goods.count())
                   if p.goods.item(i).checkState() == Qt.CheckState.Checked}
        assert checked == {"TEA-250", "RICE-5KG", "MOON-BOX"}
        p.own.setChecked(True)
        for i in range(p.goods.count()):
            sku = p.goods.item(i).data(Qt.ItemDataRole.UserRole)
            p.goods.item(i).setCheckState(Qt.CheckState.Checked if sku == "MILK-12"
                                          else Qt.CheckState.Unchecked)
        p.rule_cap.setText("abc")
        click(qtbot, p.save_rule)
        assert p.notice.kind == "error"
        p.rule_cap.setText("5")
        p.notice.clear()
        h0 = env.height()
        click(qtbot, p.save_rule)  # asked first: what changes, and why
        dlg = p.confirm_dialog
        await env.wait(dlg.isVisible, what="the question")
        assert "terminal rules" in dlg.text.text() and not dlg.ok.isEnabled()
        dlg.reject()
        assert env.height() == h0 and p.notice.kind == ""
        click(qtbot, p.save_rule)
        p.confirm_dialog.reason.setText("milk only at the front till")
        p.confirm_dialog.accept()
        assert await env.settle_notice(p.notice, "rule") == "ok", p.notice.text()
        reg = env.sessions["regulator-1"]
        await env.wait(lambda: reg.node.height >= env.height(), what="the regulator's node")
        last = (await reg.query("txs", filters={"kind": "set_points_contract"},
                                limit=1))["items"][0]
        from node.ledger import Tx

        wire = (await reg.query("receipt", id=last["id"]))["tx"]
        assert Tx.decode(wire.encode()).body["reason"] == "milk only at the front till"
        got = (await env.sessions["regulator-1"].query("contracts"))["EHB"]
        assert got["terminals"] == {"M001-T01": {"skus": ["MILK-12"], "max_fen_per_order": 500}}
        assert got["earn"] == earn  # the rest of the contract is kept
        # the till's offer follows the bank's rule
        pos = env.windows["terminal-M001-T01"]
        number, pin, path = await new_card_file(env, 100_000)
        s = env.sessions["clerk-EHB-1"]
        assert (await s.submit(s.make("accrue_points", {"card": number, "bank": "EHB",
                                                        "points": 10_000}))).ok
        pos.new_sale()
        await read_card(env, qtbot, pos, path, pin)
        pos.add("MILK-12")
        pos.add("TEA-250")
        await env.wait(lambda: pos.offer is not None and pos.offer["total"] == 10_790,
                       what="offer")
        ehb = next(o for o in pos.offer["offers"] if o["bank"] == "EHB")
        assert list(ehb["skus"]) == ["MILK-12"] and ehb["max_cash"] == 500
        # removing the rule gives the catalogue back its say
        p.own.setChecked(False)
        p.notice.clear()
        click(qtbot, p.save_rule)
        p.confirm_dialog.reason.setText("back to the catalogue")
        p.confirm_dialog.accept()
        assert await env.settle_notice(p.notice, "rule") == "ok", p.notice.text()
        assert "terminals" not in (await env.sessions["regulator-1"].query("contracts"))["EHB"]
        # the day's points: today's grants counted; today cannot be expired yet
        await p.refresh()
        p.day.setCurrentIndex(0)
        await p.load_day()
        assert int(p.counter_values["granted"].text().replace(",", "")) >= 10_000
        assert not p.expire_btn.isEnabled()
        p.day.setCurrentIndex(1)
        await p.load_day()
        assert p.expire_btn.isEnabled()
        p.notice.clear()
        click(qtbot, p.expire_btn)
        assert await env.settle_notice(p.notice, "expiry") == "ok", p.notice.text()
        await env.wait(lambda: "Expiry step run" in p.expiry_state.text(), what="expiry shown")
        assert not p.expire_btn.isEnabled()

    env.run(scenario(), 180)


def test_4_the_receipt_prints_through_the_print_dialog(env: Env, qtbot: Any,
                                                        tmp_path: Any) -> None:
    """Print… opens the print dialog (it failed with "open expected 2 arguments" before);
    OK there prints the receipt, here to a PDF printer."""
    from tests.support.gui import sell

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 50_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        panel = pos.receipt
        await env.wait(panel.print_btn.isEnabled, what="the receipt shown")
        pos.notice.clear()
        click(qtbot, panel.print_btn)
        dlg = panel.print_dialog
        await env.wait(dlg.isVisible, what="the print dialog")
        from PySide6.QtWidgets import QComboBox, QLineEdit

        out = tmp_path / "printed-receipt.pdf"
        printers = dlg.findChild(QComboBox, "printers")  # as the cashier would choose
        if printers is not None:
            pdf = next((i for i in range(printers.count())
                        if "PDF" in printers.itemText(i)), printers.currentIndex())
            printers.setCurrentIndex(pdf)
        name = dlg.findChild(QLineEdit, "filename")
        assert name is not None and name.text().endswith(".pdf"), name.text()
        name.setText(str(out))
        dlg.accept()
        await env.wait(lambda: pos.notice.kind == "ok", what="printed")
        assert str(out) in pos.notice.text()
        assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 1_000
        # the receipt names the goods, says what the card paid and what it holds after
        from ui.receipt_print import _document

        text = _document(panel.receipt, "Lotus", panel.goods(), panel.balance_after) \
            .toPlainText()
        assert "Jasmine tea" in text and "TEA-250" not in text and "¥48.00" in text
        assert "Paid from the card" in text and "Card balance after" in text
        assert panel.balance_after == 50_000 - 4_800

    env.run(scenario(), 120)


def test_5_freeze_close_and_lost_are_asked_first_with_a_reason(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        cards = console.cards
        clerk = env.sessions["clerk-EHB-1"]
        number, _pin, _path = await selected_card(env, 20_000, "Sun Li 孙丽")
        h0 = env.height()
        # one click only asks; cancel sends nothing
        click(qtbot, cards.freeze_btn)
        dlg = cards.confirm_dialog
        await env.wait(dlg.isVisible, what="the question")
        assert number in dlg.windowTitle() and "refused" in dlg.text.text()
        assert not dlg.ok.isEnabled()  # no reason, no freeze
        dlg.reject()
        assert env.height() == h0 and (await clerk.query("card", card=number))["status"] \
            == "active"
        # with a reason the card is frozen and the reason is on chain
        click(qtbot, cards.freeze_btn)
        dlg = cards.confirm_dialog
        dlg.reason.setText("Cardholder called: card left at a shop")
        assert dlg.ok.isEnabled()
        cards.notice.clear()
        dlg.accept()
        assert await env.settle_notice(cards.notice, "freeze") == "ok", cards.notice.text()
        card = await clerk.query("card", card=number)
        assert card["status"] == "frozen" and card["reason"] == \
            "Cardholder called: card left at a shop"
        # closing says what happens to the balance
        cards.view.selectRow(next(i for i, r in enumerate(cards.model.rows)
                                  if r["card"] == number))
        click(qtbot, cards.close_btn)
        dlg = cards.confirm_dialog
        assert "¥200.00" in dlg.text.text() and "cannot be undone" in dlg.text.text()
        dlg.reject()
        click(qtbot, cards.lost_btn)
        dlg = cards.confirm_dialog
        assert "new card" in dlg.text.text()
        dlg.reject()
        assert env.height() == h0 + 1  # only the freeze went on chain

    env.run(scenario(), 120)


def test_6_what_the_chain_would_refuse_is_said_before_sending(env: Env, qtbot: Any) -> None:
    """#28 defect 4: a short balance at the till, a top-up over the cap, an opening
    deposit over the cap, a transfer of more than the card holds: said at once, in yuan,
    nothing sent (a mistyped deposit used to open a compliance case against a card that
    was never issued)."""
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        cards = console.cards
        number, pin, path = await selected_card(env, 1_000, "Qian Bo 钱波")
        h0 = env.height()
        cards.topup_pay.method.setCurrentIndex(cards.topup_pay.method.findData("cash"))
        cards.amount.setText("4995")
        click(qtbot, cards.topup_btn)
        assert cards.notice.kind == "error" and "¥4,990.00" in cards.notice.text()
        cards.transfer_amount.setText("11")
        cards.to_card.setText(number)
        click(qtbot, cards.transfer_btn)
        assert cards.notice.kind == "error" and "¥10.00" in cards.notice.text()
        cards.holder.clear()
        cards.deposit.setText("1500")
        click(qtbot, cards.issue_btn)
        assert cards.notice.kind == "error" and "¥1,000.00" in cards.notice.text()
        cards.deposit.clear()
        # the till: the card holds ¥10.00, a mooncake box is ¥268.00
        pos = env.windows["terminal-M001-T01"]
        pos.new_sale()
        await read_card(env, qtbot, pos, path, pin)
        pos.add("MOON-BOX")
        await env.wait(lambda: pos.offer is not None, what="offer")
        pos.notice.clear()
        click(qtbot, pos.pay_btn)
        await env.wait(lambda: pos.notice.kind == "error", what="the till's refusal")
        assert "¥10.00" in pos.notice.text() and "Nothing was charged" in pos.notice.text()
        assert env.height() == h0 and pos.in_flight is None
        cases = await env.sessions["regulator-1"].query("compliance")
        assert not any(c["subject"] == f"card:{number}" for c in cases)

    env.run(scenario(), 120)


def test_7_end_of_day_follows_a_refund_with_its_order(env: Env, qtbot: Any) -> None:
    """#28 defect 5: the end-of-day figures follow a refund made on the refunds tab with
    no re-selection of the cycle, and the refund's line names its order."""
    from tests.support.gui import sell

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 50_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        from node.ledger import Tx

        paid = Tx.decode(pos.last_receipt["tx"].encode()).hex_id
        pos.new_sale()
        pos.tabs.setCurrentWidget(pos.day)
        await env.wait(lambda: pos.day.statement is not None, what="the day's figures")
        refunds_before = pos.day.statement["refund_count"]
        pos.tabs.setCurrentWidget(pos.refunds)
        r = pos.refunds
        await env.wait(lambda: any(x["id"] == paid for x in r.model.rows),
                       what="the sale refundable")
        from ui.common import select_row, selected_row

        select_row(r.view, next(i for i, x in enumerate(r.model.rows) if x["id"] == paid))
        sale = selected_row(r.view, r.model)
        assert sale is not None and sale["id"] == paid
        r.amount.setText("1.00")
        r.notice.clear()
        click(qtbot, r.refund_btn)
        assert await env.settle_notice(r.notice, "refund") == "ok", r.notice.text()
        pos.tabs.setCurrentWidget(pos.day)  # shown again: caught up, nothing re-selected
        def refund_line() -> Any:
            return next((x for x in pos.day.lines.rows if x["type"] == "refund"
                         and x["payment"] == sale["id"]), None)

        await env.wait(lambda: pos.day.statement["refund_count"] == refunds_before + 1
                       and refund_line() is not None, what="the refund in the day's figures")
        line = refund_line()
        assert line["order"].startswith(f"{sale['order'][:25]}-R")

    env.run(scenario(), 120)


def test_8_every_table_sorts_by_a_column_and_keeps_the_selection_right(
        env: Env, qtbot: Any) -> None:
    """#28 defect 8: a click on a header sorts (money and heights as numbers); what is
    selected afterwards is the row the user sees."""
    from PySide6.QtCore import QSortFilterProxyModel
    from PySide6.QtWidgets import QTableView

    from ui.common import SORT_ROLE, selected_row

    async def scenario() -> None:
        cards = env.windows["clerk-EHB-1"].cards
        for n in (1_200, 90_000, 3_500):
            await new_card_file(env, n)
        await cards.refresh()
        for w in env.windows.values():
            for view in w.findChildren(QTableView):
                assert view.isSortingEnabled() and isinstance(view.model(),
                                                              QSortFilterProxyModel)
        col = next(i for i, c in enumerate(cards.model.columns) if c.key == "balance")
        cards.view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
        shown = [cards.view.model().index(r, col).data(SORT_ROLE)
                 for r in range(cards.view.model().rowCount())]
        assert shown == sorted(shown, reverse=True) and shown[0] >= 90_000
        cards.view.selectRow(0)  # the top row as the user sees it
        assert selected_row(cards.view, cards.model)["balance"] == shown[0]

    env.run(scenario(), 60)
