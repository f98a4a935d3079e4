"""The till's harder days against a real in-process cluster, offscreen: sales taken offline
within genesis's floor limits, validators paused while a payment is under way (charged
once), a card left idle forgotten, the network tab's overlapping polls. Each test issues
its own cards."""


from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from tests.support.gui import (
    Env,
    a_payment,
    click,
    gui_world,
    new_card_file,
    read_card,
    sell,
    shown_cells,
)


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


def test_8_offline_payments_within_the_floor_limits(env: Env, qtbot: Any) -> None:
    """No validator reachable: five payments taken offline, one over the limit refused at
    the till; the network returns, all are decided in order, none twice, and one refused
    on chain (its card frozen meanwhile) is listed as declined after offline acceptance."""
    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        a, b = await new_card_file(env, 50_000), await new_card_file(env, 50_000)
        h0 = env.height()
        real_online = pos.session.online
        pos.session.online = lambda: False  # as the till sees it: no validator reachable
        try:
            for card in (a, a, a, a, b):
                assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", \
                    pos.notice.text()
                assert "Taken offline" in pos.notice.text() and pos.card is None
            # within the card's balance (the till checks that first), over the floor limit
            assert await sell(env, qtbot, pos, a, "MOON-BOX") == "error"
            assert "cannot be taken offline" in pos.notice.text() and \
                "over the offline limit" in pos.notice.text()
            pos.new_sale()
            assert len(pos.till.pending()) == 5 and env.height() == h0
            s = env.sessions["clerk-EHB-1"]  # the bank freezes card b meanwhile
            assert (await s.submit(s.make("freeze", {"card": b[0]}))).ok
        finally:
            pos.session.online = real_online
        await env.wait(lambda: not pos.till.pending(), 60, what="the offline payments sent")
        clerk = env.sessions["clerk-EHB-1"]
        assert (await clerk.query("card", card=a[0]))["balance"] == 50_000 - 4 * 4_800
        assert (await clerk.query("card", card=b[0]))["balance"] == 50_000
        states = [o.state for o in pos.till.recent(6)]
        assert states.count("committed") == 4 and states.count("refused") == 1, states
        pos.payments.refresh()
        assert shown_cells(pos.payments.model, ("state",)).count(
            "declined after offline acceptance") == 1
        await env.wait(lambda: "taken offline, was declined" in pos.notice.text(), 10,
                       what=lambda: f"the declined notice: {pos.notice.text()!r}")
        pos.day.merchant = pos.day.merchant or "M001"
        await pos.day.refresh()
        await pos.day.run_reconcile()
        assert "declined after offline acceptance" in shown_cells(pos.day.diffs, ("what",))
        assert (await s.submit(s.make("unfreeze", {"card": b[0]}))).ok

    env.run(scenario(), 180)


def test_9_validators_paused_during_pay_charge_once(env: Env, qtbot: Any) -> None:
    """The validators stop answering while Pay waits: the till says the outcome is unknown,
    keeps the basket locked (no second payment for it), and once they resume shows the
    payment committed; the card is charged once."""
    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 50_000)
        held: list[tuple[Any, str]] = []
        served = {n: n.submit for n in env.nodes}
        pos.till.pay_wait_ms = 2_000
        for n in env.nodes:
            n.submit = lambda text, *_a, n=n, **_k: held.append((n, text))  # type: ignore
        try:
            assert await sell(env, qtbot, pos, card, "TEA-250") == "error"
            assert "Outcome unknown" in pos.notice.text() and pos.locked()
            assert held, "the payment reached no validator"
            basket = dict(pos.basket)
            pos.notice.clear()
            pos.add("MILK-12")  # the cashier tries to change the basket, then pay again
            assert pos.notice.kind == "error" and "under way" in pos.notice.text()
            click(qtbot, pos.pay_btn)
            assert pos.basket == basket and not pos.pay_btn.isEnabled()
        finally:
            for n in env.nodes:
                n.submit = served[n]  # type: ignore[method-assign]
            pos.till.pay_wait_ms = 30_000
        for n, text in held:  # the validators resume with what they held
            n.submit(text)
        await env.wait(lambda: not pos.locked(), 60, what="the pending payment decided")
        assert "Committed at height" in pos.stage.text(), pos.stage_log
        clerk = env.sessions["clerk-EHB-1"]
        assert (await clerk.query("card", card=card[0]))["balance"] == 50_000 - 4_800
        page = await env.sessions["regulator-1"].query(
            "txs", filters={"card": card[0], "kind": "pay"})
        assert [t["code"] for t in page["items"]] == ["ok"]

    env.run(scenario(), 180)


def test_10_a_card_left_idle_is_forgotten(env: Env, qtbot: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A card read and then left alone is cleared after the idle time: the next sale needs
    the card and its PIN again."""
    import ui.pos_card

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 10_000)
        monkeypatch.setattr(ui.pos_card, "CARD_IDLE_S", 0.3)
        pos.new_sale()
        await read_card(env, qtbot, pos, card[2], card[1])
        assert pos.card_key is not None
        await env.wait(lambda: pos.card is None, 5, what="the idle card cleared")
        assert pos.card_key is None and "without use" in pos.notice.text()
        pos.add("TEA-250")
        click(qtbot, pos.pay_btn)
        assert "Read the customer's card" in pos.notice.text()
        pos.new_sale()

    env.run(scenario(), 60)


def test_4b_overlapping_status_polls_leave_no_connection_behind(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The network tab's timer and a refresh the user asks for can poll the validators at
    the same time: they share one connection per validator, and none is left open unowned
    (an abandoned one printed "Task was destroyed but it is pending!" in `make demo`)."""
    import app.session
    from node.net.client import Client

    made: list[Client] = []

    class Recorded(Client):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            made.append(self)

    monkeypatch.setattr(app.session, "Client", Recorded)
    s = env.sessions["clerk-JRB-1"]  # no window: nothing else polls with it

    async def scenario() -> None:
        polls = await asyncio.gather(*(s.validators() for _ in range(3)))
        for rows in polls:
            assert [r["identity"] for r in rows] == [f"validator-{i}" for i in range(4)]
            assert not any("error" in r for r in rows)
        kept = list(s._status_clients.values())
        assert len(kept) == 4
        assert all(c in kept or c._writer is None or c._writer.is_closing() for c in made)
        assert len(made) == 4

    env.run(scenario(), 60)


def test_9_console_transfers_between_named_cards(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        cards = env.windows["clerk-EHB-1"].cards
        number, _, _ = await new_card_file(env, 50_000, holder="Liu Yang 刘洋")
        other, _, _ = await new_card_file(env, 10_000, holder="Ma Li 马丽")
        await cards.refresh()
        cards.view.selectRow(next(i for i, r in enumerate(cards.model.rows)
                                  if r["card"] == number))
        cards.to_card.setText("not a number")  # bad input: nothing is sent
        cards.transfer_amount.setText("100")
        click(qtbot, cards.transfer_btn)
        assert cards.notice.kind == "error" and "receiving card" in cards.notice.text()
        cards.notice.clear()
        cards.to_card.setText(other)
        click(qtbot, cards.transfer_btn)
        assert await env.settle_notice(cards.notice, "transfer") == "ok", cards.notice.text()
        clerk = env.sessions["clerk-EHB-1"]
        assert (await clerk.query("card", card=other))["balance"] == 20_000
        assert (await clerk.query("card", card=number))["balance"] == 40_000
        cards.to_card.setText(number)  # to itself: refused by the rules, said in words
        cards.transfer_amount.setText("1")
        click(qtbot, cards.transfer_btn)
        assert await env.settle_notice(cards.notice, "transfer") == "error"
        assert "different cards of the same bank" in cards.notice.text()

    env.run(scenario(), 120)


def test_10_a_closed_cycle_is_paid_out_from_the_acquirers_console(env: Env,
                                                                   qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    async def scenario() -> None:
        await a_payment(env, qtbot)
        views = [env.windows[w].clearing for w in ("clearing-1", "clerk-EHB-1")]
        for v in views:
            await env.wait(lambda v=v: v.merchant.count() > 0, what="merchants")
            v.merchant.setCurrentIndex(v.merchant.findText("M001", Qt.MatchFlag.MatchStartsWith))
        house, bank = views
        await house.load()
        click(qtbot, house.settle_btn)
        assert await env.settle_notice(house.notice, "settle") == "ok", house.notice.text()
        assert house.payout_btn.isHidden() and not bank.payout_btn.isHidden()  # a bank pays
        bank.cycle.setCurrentIndex(bank.cycle.findData(house.statement["cycle"]))
        await bank.load()
        assert bank.statement["settled"] and "not paid out yet" in bank.summary.text()
        click(qtbot, bank.payout_btn)  # no reference: nothing sent
        assert bank.notice.kind == "error" and "reference" in bank.notice.text()
        bank.reference.setText("EHB-TRF-77")
        click(qtbot, bank.payout_btn)
        assert await env.settle_notice(bank.notice, "payout") == "ok", bank.notice.text()
        assert "paid out (EHB-TRF-77)" in bank.summary.text()
        # an EHB card at EHB's merchant: nothing between banks; nothing for EHB to pay
        assert "Interbank netting" in bank.netting_label.text()
        bank.notice.clear()
        click(qtbot, bank.net_btn)
        assert bank.notice.kind == "error" and "owes no other bank" in bank.notice.text()
        bank.notice.clear()
        click(qtbot, bank.payout_btn)  # twice: the chain refuses, the reason in words
        assert await env.settle_notice(bank.notice, "payout") == "error"
        assert "already paid" in bank.notice.text()

    env.run(scenario(), 120)


def test_11_goods_come_back_line_by_line_with_a_refund_receipt(env: Env, qtbot: Any,
                                                               tmp_path: Any) -> None:
    """#28, the till's refunds: found by order, the goods chosen line by line (no line
    back more than it was bought), the amount is theirs, and the refund's receipt prints
    through the print dialog."""
    from PySide6.QtWidgets import QLineEdit

    from ui.common import select_row
    from ui.pos_refund import refund_document

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 100_000)
        pos.new_sale()
        await read_card(env, qtbot, pos, card[2], card[1])
        pos.add("TEA-250", 2)
        pos.add("MILK-12")
        await env.wait(lambda: pos.offer is not None, what="offer")
        click(qtbot, pos.pay_btn)
        assert await env.settle_notice(pos.notice, "the sale") == "ok", pos.notice.text()
        order = pos.receipt.order
        r = pos.refunds
        pos.tabs.setCurrentWidget(r)
        await r.refresh()
        r.find.setText(order.lower())  # found by its order, in any case
        await env.wait(lambda: len(r.model.rows) == 1 and len(r.lines.rows) == 2,
                       what="the sale and its two lines")
        tea = next(i for i, x in enumerate(r.lines.rows) if x["sku"] == "TEA-250")
        select_row(r.lines_view, tea)
        for _ in range(3):  # a third tea is not there to come back
            click(qtbot, r.more_btn)
        assert r.lines.rows[tea]["back"] == 2 and r.amount.text() == "96.00"
        assert r.amount.isReadOnly()
        r.notice.clear()
        click(qtbot, r.refund_btn)
        assert await env.settle_notice(r.notice, "the refund") == "ok", r.notice.text()
        paid = r.model.rows[0]
        assert paid["refunded_lines"] == {"TEA-250": 2} and paid["refunded"] == 9_600
        await env.wait(lambda: len(r.lines.rows) == 2, what="the lines again")
        tea_row = next(x for x in r.lines.rows if x["sku"] == "TEA-250")
        assert tea_row["returned"] == 2
        text = refund_document(r.last, "Lotus").toPlainText()
        assert "Jasmine tea" in text and "× 2" in text and "¥96.00" in text
        click(qtbot, r.print_btn)
        dlg = r.print_dialog
        await env.wait(dlg.isVisible, what="the print dialog")
        name = dlg.findChild(QLineEdit, "filename")
        assert name is not None and name.text().endswith(".pdf")
        name.setText(str(tmp_path / "refund.pdf"))
        dlg.accept()
        await env.wait(lambda: "Refund receipt printed" in r.notice.text(), what="printed")
        assert (tmp_path / "refund.pdf").read_bytes().startswith(b"%PDF")
        click(qtbot, r.all_btn)  # the milk comes back too
        assert r.amount.text() == "59.90"
        r.find.clear()

    env.run(scenario(), 120)


def test_12_cashier_shifts_and_the_printed_end_of_day(env: Env, qtbot: Any,
                                                      tmp_path: Any) -> None:
    """#28, the till's day: a cashier signs in (the window says who), their sale and
    refund count in their shift as the chain decided them, the end-of-day report prints;
    signed out, the next sales are nobody's."""
    from PySide6.QtWidgets import QLineEdit

    from ui.common import select_row

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        day, shift = pos.day, pos.day.shift
        shift.name.setText("   ")
        click(qtbot, shift.in_btn)
        assert "printable" in day.notice.text() and shift.current() is None
        shift.name.setText("Li Na 李娜")
        click(qtbot, shift.in_btn)
        assert shift.current() == "Li Na 李娜" and "cashier Li Na 李娜" in pos.header.text()
        card = await new_card_file(env, 100_000)
        assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
        r = pos.refunds
        await r.refresh()
        r.find.setText(pos.receipt.order)
        await env.wait(lambda: len(r.model.rows) == 1, what="the sale found")
        select_row(r.view, 0)
        r.amount.setText("8.00")
        r.notice.clear()
        click(qtbot, r.refund_btn)
        assert await env.settle_notice(r.notice, "refund") == "ok", r.notice.text()
        r.find.clear()
        pos.tabs.setCurrentWidget(day)
        await day.refresh(keep=True)
        row = next(x for x in shift.model.rows if x["cashier"] == "Li Na 李娜")
        assert (row["sales"], row["sales_amount"], row["refunds"], row["refunds_amount"]) \
            == (1, 4_800, 1, 800) and row["end"] is None
        click(qtbot, shift.print_btn)
        dlg = shift.print_dialog
        await env.wait(dlg.isVisible, what="the print dialog")
        name = dlg.findChild(QLineEdit, "filename")
        assert name is not None and "end-of-day-M001-T01" in name.text()
        html = shift.report_html()
        assert "Li Na 李娜" in html and "¥48.00" in html and "M001-T01" in html
        name.setText(str(tmp_path / "day.pdf"))
        dlg.accept()
        await env.wait(lambda: "report printed" in day.notice.text(), what="printed")
        assert (tmp_path / "day.pdf").read_bytes().startswith(b"%PDF")
        click(qtbot, shift.out_btn)
        assert shift.current() is None and "cashier" not in pos.header.text()
        assert pos.till.cashier is None
        pos.tabs.setCurrentWidget(pos.sale)

    env.run(scenario(), 120)


def test_13_the_customer_display_follows_the_sale(env: Env, qtbot: Any) -> None:
    """#28, a customer-facing display (F11): the basket, the total, what points and the
    card pay, the payment's stage; closed with the till's action again."""
    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 100_000)
        pos.new_sale()
        pos.display_action.trigger()
        shown = pos.display
        assert shown is not None and shown.isVisible()
        assert shown.split.text() == "Welcome" and shown.total.text() == "Total ¥0.00"
        await read_card(env, qtbot, pos, card[2], card[1])
        pos.add("TEA-250", 2)
        await env.wait(lambda: pos.offer is not None, what="offer")
        assert [(x["name"], x["qty"]) for x in shown.lines.rows] == [
            (pos.basket_model.rows[0]["name"], 2)]
        assert shown.total.text() == "Total ¥96.00" and "your card pays" in shown.split.text()
        click(qtbot, pos.pay_btn)
        assert await env.settle_notice(pos.notice, "the sale") == "ok", pos.notice.text()
        assert shown.state.text().startswith("④ Committed")
        pos.display_action.trigger()
        assert pos.display is None and not shown.isVisible()

    env.run(scenario(), 60)


def test_14_split_tender_card_and_cash(env: Env, qtbot: Any) -> None:
    """#28, split tender: part of the order in cash at the till, the card pays the rest;
    too much cash is said before anything is sent; the journal and the chain agree."""
    from app.reconcile import read_journal

    async def scenario() -> None:
        pos = env.windows["terminal-M001-T01"]
        card = await new_card_file(env, 100_000)
        pos.new_sale()
        await read_card(env, qtbot, pos, card[2], card[1])
        pos.add("MOON-BOX")
        await env.wait(lambda: pos.offer is not None, what="offer")
        h0 = env.height()
        pos.cash.setText("300")  # more than the ¥268.00 due
        pos.notice.clear()
        click(qtbot, pos.pay_btn)
        assert await env.settle_notice(pos.notice, "too much cash") == "error"
        assert "more than the ¥268.00 left" in pos.notice.text() and env.height() == h0
        pos.cash.setText("abc")
        click(qtbot, pos.pay_btn)
        assert pos.notice.kind == "error" and pos.notice.text().startswith("Cash:")
        pos.cash.setText("100")
        assert "card pays ¥168.00 · cash ¥100.00" in pos.split_label.text()
        pos.notice.clear()
        click(qtbot, pos.pay_btn)
        assert await env.settle_notice(pos.notice, "split sale") == "ok", pos.notice.text()
        assert "Cash ¥100.00" in pos.receipt.text.text() and pos.cash.text() == ""
        assert pos.receipt.balance_after == 100_000 - 16_800
        s = env.sessions["clerk-EHB-1"]
        await env.wait(lambda: s.node.height >= env.height(), what="the clerk's node")
        assert (await s.query("card", card=card[0]))["balance"] == 100_000 - 16_800
        last = read_journal(pos.journal)[-1]
        assert (last["amount"], last["cash"]) == (16_800, 10_000)
        await pos.day.refresh(keep=True)
        await pos.day.run_reconcile()
        assert "amounts differ" not in [r["what"] for r in pos.day.diffs.rows]

    env.run(scenario(), 90)
