"""The desktop app against a real in-process cluster (4 validators over TLS on 127.0.0.1,
each app on its own observer node), offscreen: the clerk issues and tops up a card, the
cashier sells a basket paid partly with two banks' points, the regulator sees it, the
clearing house runs a clearing and exports the statement; bad input in each form gets an
inline message and changes nothing.  Every table model passes qtmodeltester."""

from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from app.holder import Opener
from node.errors import Refused
from node.service import Node
from tests.support.gui import (
    ROOT,
    Env,
    a_payment,
    at_done,
    check_models,
    click,
    gui_world,
    new_card_file,
    read_card,
    shown_cells,
    topped_up_card,
)
from ui import texts


@pytest.fixture(scope="module")
def env(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from gui_world(qapp, tmp_path_factory)


def test_1_console_issues_and_tops_up_a_card(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        console = env.windows["clerk-EHB-1"]
        cards = console.cards
        h0 = env.height()
        # bad input: an amount that is not money, a named card without ID: nothing submitted
        cards.holder.setText("Liu Yang 刘洋")
        cards.deposit.setText("12.345")
        click(qtbot, cards.issue_btn)
        assert cards.notice.kind == "error" and "two decimals" in cards.notice.text()
        cards.deposit.setText("500")
        click(qtbot, cards.issue_btn)
        assert cards.notice.kind == "error" and "ID number" in cards.notice.text()
        cards.id_number.setText("123")  # not a resident ID: said, nothing sent
        click(qtbot, cards.issue_btn)
        assert cards.notice.kind == "error" and "18 characters" in cards.notice.text()
        cards.id_number.setText("110105199001011234")  # one digit mistyped
        click(qtbot, cards.issue_btn)
        assert "check character" in cards.notice.text()
        assert cards.id_number.echoMode() == cards.id_number.EchoMode.Normal
        cards.id_number.setText("110105199001011232")
        cards.view.clearSelection()
        click(qtbot, cards.topup_btn)
        assert cards.notice.kind == "error" and "Select a card" in cards.notice.text()
        assert env.height() == h0
        # issue: the card is on chain, its file written, the PIN hidden until asked for
        cards.notice.clear()
        click(qtbot, cards.issue_btn)
        assert await env.settle_notice(cards.notice, "issue") == "ok", cards.notice.text()
        number, pin, path = cards.last_issued
        assert path.exists() and pin not in cards.new_card_label.text()
        click(qtbot, cards.pin_btn)
        assert pin in cards.new_card_label.text()
        await env.wait(lambda: any(r["card"] == number for r in cards.model.rows), what="listed")
        row = next(i for i, r in enumerate(cards.model.rows) if r["card"] == number)
        cards.view.selectRow(row)
        cards.amount.setText("-5")
        click(qtbot, cards.topup_btn)
        assert cards.notice.kind == "error"
        cards.notice.clear()
        cards.amount.setText("200")
        shown = at_done(cards.notice, lambda: next(r["balance"] for r in cards.model.rows
                                                   if r["card"] == number))
        click(qtbot, cards.topup_btn)
        assert await env.settle_notice(cards.notice, "top-up") == "ok", cards.notice.text()
        assert shown == [70_000]  # the list had the new balance when "Topped up" appeared
        # the selected card's history: issued with its deposit, then the top-up
        await env.wait(lambda: [(r["kind"], r["amount"]) for r in cards.history.model.rows] ==
                       [("top_up", 20_000), ("issue_card", 50_000)], what="card history")
        assert shown_cells(cards.history.model, ("kind", "code")) == [
            "top-up", "accepted", "card issued", "accepted"]
        info = await env.sessions["clerk-EHB-1"].query("card", card=number)
        assert info["holder"] is None and info["balance"] == 70_000  # sealed on chain
        assert "Liu Yang" not in repr(info) and "110105199001011234" not in repr(info)
        # the bank's console opens the name with its seal key; it finds the card by it
        assert next(r["holder"] for r in cards.model.rows if r["card"] == number) == \
            "Liu Yang 刘洋"
        assert Opener(env.cons, "regulator-1").name(info) == "Liu Yang 刘洋"
        assert Opener(env.cons, "clerk-JRB-1").name(info) is None
        cards.search.setText("liu yang")
        await cards.refresh()
        assert [r["card"] for r in cards.model.rows] == [number]
        cards.search.setText("")
        await cards.refresh()

    env.run(scenario(), 180)


def test_2_pos_pays_a_basket_with_points_from_two_banks(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        number, pin, path = await topped_up_card(env)
        for clerk, bank, pts in (("clerk-EHB-1", "EHB", 20_000), ("clerk-JRB-1", "JRB", 30_000)):
            s = env.sessions[clerk]
            r = await s.submit(s.make("accrue_points", {"card": number, "bank": bank,
                                                        "points": pts}))
            assert r.ok, r
        pos = env.windows["terminal-M001-T01"]
        await env.wait(lambda: bool(pos.catalogue), what="catalogue")
        h0 = env.height()
        # bad input: empty basket, no card, wrong PIN, PIN of the wrong shape
        click(qtbot, pos.pay_btn)
        assert pos.notice.kind == "error" and "empty" in pos.notice.text()
        for sku in ("TEA-250", "TEA-250", "MOON-BOX"):
            pos.add(sku)
        click(qtbot, pos.pay_btn)
        assert pos.notice.kind == "error" and "card" in pos.notice.text()
        pos.card_path.setText(str(path))
        pos.pin.setText("12ab")
        click(qtbot, pos.read_btn)
        assert pos.notice.kind == "error" and "6 digits" in pos.notice.text()
        wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
        pos.pin.setText(wrong)
        click(qtbot, pos.read_btn)
        assert await env.settle_notice(pos.notice, "wrong PIN") == "error"
        assert pos.card is None and env.height() == h0
        # the right PIN: the offer lists both banks, and the payment uses both
        pos.notice.clear()
        pos.pin.setText(pin)
        click(qtbot, pos.read_btn)
        await env.wait(lambda: pos.offer is not None, what="offer")
        assert {o["bank"] for o in pos.offer["offers"]} == {"EHB", "JRB"}
        shown = at_done(pos.notice, lambda: (pos.card, pos.card_key))
        click(qtbot, pos.pay_btn)
        await env.wait(lambda: pos.pay_btn.isEnabled() and pos.notice.kind,
                       what=lambda: f"payment: {pos.stage_log} {pos.notice.text()!r} " + "".join(
                           str(t.get_stack()) for t in pos.tasks.running))
        assert pos.notice.kind == "ok", pos.notice.text()
        assert "Committed at height" in pos.stage.text()
        after = await env.sessions["clerk-EHB-1"].query("card", card=number)
        assert after["balance"] < 70_000
        # the card is forgotten when "Paid" shows: the next sale needs the card and its PIN
        assert shown == [(None, None)] and pos.card_info.text() == "No card read."
        pos.add("MILK-12")
        h1 = env.height()
        click(qtbot, pos.pay_btn)
        assert pos.notice.kind == "error" and "Read the customer's card" in pos.notice.text()
        assert env.height() == h1
        assert any("Ordered: sequence number" in x for x in pos.stage_log), pos.stage_log
        r = pos.last_receipt
        from node import receipt as rc
        from node.ledger.tx import Tx

        assert rc.verify(r, env.cons.genesis)["valid"]
        tx = Tx.decode(r["tx"].encode())
        assert {x["bank"] for x in tx.body["redeem"]} == {"EHB", "JRB"}
        assert tx.body["amount"] == 2 * 4_800 + 26_800
        # the receipt saves as a PDF
        out = Path(str(path)).parent / "receipt.pdf"
        await pos.receipt.write(out)
        assert out.read_bytes()[:5] == b"%PDF-"
        pos.new_sale()

    env.run(scenario(), 180)


def test_3_pos_explains_a_frozen_card_and_a_short_balance(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        number, pin, path = await topped_up_card(env)
        pos = env.windows["terminal-M001-T01"]
        await pos.day.refresh()  # what other tests left at the till, before this one's
        await pos.day.run_reconcile()
        before = {d["tx"] for d in pos.day.diffs.rows}
        await read_card(env, qtbot, pos, path, pin)
        pos.add("TV-65")  # ¥10,999 on a card holding a few hundred
        await env.wait(lambda: pos.offer is not None, what="offer")
        click(qtbot, pos.pay_btn)
        await env.wait(lambda: pos.pay_btn.isEnabled() and pos.notice.kind, what="refusal")
        # said at the till before anything is sent (the offer carries the card's balance)
        assert pos.notice.kind == "error" and "¥10,999.00" in pos.notice.text()
        assert "Nothing was charged" in pos.notice.text()
        s = env.sessions["clerk-EHB-1"]
        assert (await s.submit(s.make("freeze", {"card": number}))).ok
        pos.basket.clear()
        pos.add("MILK-12")
        await env.wait(lambda: pos.offer is not None, what="offer")
        pos.notice.clear()
        click(qtbot, pos.pay_btn)
        await env.wait(lambda: pos.pay_btn.isEnabled() and pos.notice.kind, what="refusal")
        assert pos.notice.kind == "error" and "frozen" in pos.notice.text()
        assert (await s.submit(s.make("unfreeze", {"card": number}))).ok
        # the validators are busy twice: the till's node asks again after the pause they
        # name, the cashier sees it wait, and the payment goes through
        refusals = [2]
        real = {n: n.busy for n in env.nodes}

        def busy_twice(n: Node) -> int | None:
            refusals[0] -= 1
            return n.admission.refused() if refusals[0] >= 0 else real[n]()

        for n in env.nodes:
            n.busy = lambda n=n: busy_twice(n)  # type: ignore[method-assign]
        try:
            pos.notice.clear()
            pos.stage_log.clear()
            click(qtbot, pos.pay_btn)
            assert await env.settle_notice(pos.notice, "busy, then paid") == "ok", \
                pos.notice.text()
        finally:
            for n in env.nodes:
                n.busy = real[n]  # type: ignore[method-assign]
        waits = [x for x in pos.stage_log if "The network is busy; sending again in" in x]
        assert len(waits) == 2 and refusals[0] < 0, pos.stage_log
        assert "Committed at height" in pos.stage.text()
        # the validators refuse it outright (any reason but busy): the till says at once
        # that the payment was not sent, and why, and nothing is committed
        await read_card(env, qtbot, pos, path, pin)
        async def refuse(*_args: Any, **_kw: Any) -> dict[str, Any]:
            raise Refused("this validator takes no payments now")

        served = {n: n.endpoint.submit for n in env.nodes}
        h1 = env.height()
        for n in env.nodes:
            n.endpoint.submit = refuse  # type: ignore[method-assign]
        pos.add("MILK-12")  # once the last sale's task is done (its button is back)
        await env.wait(lambda: pos.offer is not None and pos.pay_btn.isEnabled(), what="offer")
        try:
            pos.notice.clear()
            pos.stage_log.clear()
            click(qtbot, pos.pay_btn)
            assert await env.settle_notice(pos.notice, "refused") == "error"
        finally:
            for n in env.nodes:
                n.endpoint.submit = served[n]  # type: ignore[method-assign]
        assert "Not sent: nothing was charged" in pos.stage.text(), pos.stage_log
        assert "takes no payments now" in pos.notice.text()
        assert pos.pay_btn.isEnabled() and env.height() == h1
        # every read of the card above put its banks' boxes in the row: one box per bank
        assert pos.checks_row.count() == len(pos.bank_checks) == 2
        pos.new_sale()
        # end of day: the till and the chain agree but for the one the validators would
        # not take (journaled before it was sent, never ordered); the television and the
        # frozen card were never sent
        await pos.day.refresh()
        await pos.day.run_reconcile()
        kinds = sorted(d["what"] for d in pos.day.diffs.rows if d["tx"] not in before)
        assert kinds == ["on the till, not on chain"], pos.day.diffs.rows
        assert "differences" in pos.day.rec_summary.text()

    env.run(scenario(), 180)


def test_4_regulator_sees_the_payment_and_forms_refuse_bad_input(env: Env, qtbot: Any,
                                                                 qtmodeltester: Any) -> None:
    async def scenario() -> None:
        payment = await a_payment(env, qtbot)
        # and a refusal on chain: a top-up over an anonymous card's cap, sent past the form
        # (the till and the console say such things before sending)
        full = await new_card_file(env, 100_000)
        s = env.sessions["clerk-EHB-1"]
        assert (await s.submit(s.make("top_up", {"card": full[0], "amount": 100}))).code \
            == "balance_cap"
        reg = env.windows["regulator-1"]
        live = reg.live
        await env.wait(lambda: env.sessions["regulator-1"].status()["height"] >= env.height(),
                 what="sync")
        (from_box, from_day), (to_box, to_day) = live.days["time_from"], live.days["time_to"]
        from_box.setChecked(True)
        to_box.setChecked(True)
        to_day.setDate(from_day.date().addDays(-1))
        click(qtbot, live.search_btn)
        assert live.notice.kind == "error" and "From day is after" in live.notice.text()
        from_box.setChecked(False)
        to_box.setChecked(False)
        live.fields["amount_min"].setText("100")
        live.fields["amount_max"].setText("1")
        click(qtbot, live.search_btn)
        assert "minimum is above the maximum" in live.notice.text()
        live.fields["amount_min"].clear()
        live.fields["amount_max"].clear()
        live.kind.setCurrentIndex(live.kind.findData("pay"))
        click(qtbot, live.search_btn)
        await env.wait(lambda: any(r["id"] == payment for r in live.txs.rows),  # type: ignore
                 what="payment listed")
        # every decision can be searched for, a refusal included (the top-up over the cap)
        assert live.code.count() == 1 + len(texts.CODES)
        live.kind.setCurrentIndex(0)
        live.code.setCurrentIndex(live.code.findData("balance_cap"))
        click(qtbot, live.search_btn)
        await env.wait(lambda: bool(live.txs.rows) and all(
            r["code"] == "balance_cap" for r in live.txs.rows), what="refusals listed")
        live.kind.setCurrentIndex(0)
        live.code.setCurrentIndex(0)
        await reg.cases.refresh()
        rules = {c["rule"] for c in reg.cases.model.rows}
        assert "custody" in rules  # no custody attested yet
        reg.cases.view.clearSelection()
        click(qtbot, reg.cases.ack_btn)
        assert reg.cases.notice.kind == "error"
        # acknowledged on chain: the list says so when the message does
        first = next(i for i, c in enumerate(reg.cases.model.rows) if c["rule"] == "custody")
        case_id = reg.cases.model.rows[first]["id"]
        reg.cases.view.selectRow(first)
        reg.cases.notice.clear()
        shown = at_done(reg.cases.notice, lambda: next(c["status"] for c in reg.cases.model.rows
                                                        if c["id"] == case_id))
        click(qtbot, reg.cases.ack_btn)
        assert await env.settle_notice(reg.cases.notice, "acknowledge") == "ok"
        assert shown == ["acknowledged"]
        await reg.charts.refresh()
        assert {r["bank"] for r in reg.charts.issuers.rows} == {"EHB", "JRB"}
        click(qtbot, reg.audit.run_btn)
        await env.wait(lambda: reg.audit.report is not None, 60, what="audit")
        assert reg.audit.report.ok and reg.audit.bar.value() == 100
        # node health: every validator up, all peers connected, its loop's longest stall
        await reg.network.refresh()
        net = reg.network.model
        assert [r["identity"] for r in net.rows] == [f"validator-{i}" for i in range(4)]
        stalls = {n.identity: int(n.health.max_stall_ms) for n in env.nodes}  # only grows
        assert all(0 <= r["stall_ms"] <= stalls[r["identity"]] for r in net.rows)
        assert any(r["stall_ms"] > 0 for r in net.rows)  # a node start stalls its loop
        assert shown_cells(net, ("state", "peers_text")) == ["up", "3/3"] * 4
        assert "Longest stall (ms)" in [net.headerData(i, Qt.Orientation.Horizontal)
                                        for i in range(net.columnCount())]
        assert check_models(qtmodeltester, reg) >= 6

    env.run(scenario(), 180)


def test_5_clearing_run_exports_and_closes_the_cycle(env: Env, qtbot: Any, tmp_path: Path,
                                                     qtmodeltester: Any) -> None:
    async def scenario() -> None:
        payment = await a_payment(env, qtbot)
        console = env.windows["clearing-1"]
        clearing = console.clearing
        click(qtbot, clearing.csv_btn)
        assert clearing.notice.kind == "error" and "statement first" in clearing.notice.text()
        await env.wait(lambda: clearing.merchant.count() > 0, what="merchants")
        clearing.merchant.setCurrentIndex(
            clearing.merchant.findText("M001", Qt.MatchFlag.MatchStartsWith))
        await clearing.load()
        lines = [x for x in clearing.line_rows if x["type"] == "payment"]
        assert clearing.statement["count"] == len(lines) >= 1
        assert any(x["tx"] == payment for x in clearing.line_rows)  # type: ignore
        await clearing.write("csv", tmp_path / "s.csv")
        await clearing.write("pdf", tmp_path / "s.pdf")
        rows = list(csv.reader((tmp_path / "s.csv").read_text("utf-8").splitlines()))
        assert any(payment in ",".join(r) for r in rows)
        assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"
        await clearing.write("csv", tmp_path / "no-such-dir" / "s.csv")
        assert clearing.notice.kind == "error"
        clearing.notice.clear()
        click(qtbot, clearing.settle_btn)
        assert await env.settle_notice(clearing.notice, "settle") == "ok", clearing.notice.text()
        assert clearing.statement.get("settled")
        assert check_models(qtmodeltester, console) >= 3
        assert check_models(qtmodeltester, env.windows["clerk-EHB-1"]) >= 4
        assert check_models(qtmodeltester, env.windows["terminal-M001-T01"]) >= 4

    env.run(scenario(), 180)


def test_6_language_switch_and_translations_complete(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        # on screen: a sale (with its anonymous card) and a compliance case (a top-up the
        # anonymous card's cap refused)
        await a_payment(env, qtbot)
        number, _pin, _path = await new_card_file(env, 100_000)
        s = env.sessions["clerk-EHB-1"]
        r = await s.submit(s.make("top_up", {"card": number, "amount": 100}))
        assert not r.ok, r
        pos = env.windows["terminal-M001-T01"]
        reg, clerk = env.windows["regulator-1"], env.windows["clerk-EHB-1"]
        await reg.live.refresh()
        await reg.cases.refresh()
        await clerk.cards.refresh()
        await clerk.merchants.refresh()
        env.languages.use("zh_CN")
        await env.wait(lambda: pos.pay_btn.text() == "支付 (F9)", 5, "the switch to Chinese")
        try:
            assert pos.windowTitle() == "卡链 — 收银台"
            assert pos.basket_model.headerData(0, Qt.Orientation.Horizontal) == "商品"
            # what was on screen before the switch is worded again: data, not only labels
            for w in (pos, reg, clerk):
                assert w.node_label.text().startswith("节点"), w.node_label.text()
            shown = shown_cells(reg.live.txs, ("kind", "code"))
            assert shown and not [t for t in shown if re.search(r"[a-z]{3}", t)], shown
            cases = shown_cells(reg.cases.model, ("rule", "found"))
            assert cases and not [t for t in cases if re.search(r"[a-z]{3}", t)], cases
            holder = next(c for c in clerk.cards.model.columns if c.key == "holder")
            assert clerk.cards.model.show(holder, None) == "（不记名）"  # anonymous card
            assert set(shown_cells(clerk.merchants.model, ("status",))) == {"正常"}
        finally:
            env.languages.use("en")
            await env.wait(lambda: pos.pay_btn.text() == "Pay (F9)", 5, "the switch to English")
        ts = ROOT / "resources" / "i18n" / "cardchain_zh_CN.ts"
        unfinished = [m.findtext("source") for m in ET.parse(ts).iter("message")
                      if m.find("translation").get("type") == "unfinished"]
        assert not unfinished
        qm = ts.with_suffix(".qm")
        assert qm.stat().st_mtime >= ts.stat().st_mtime - 1
        listed = (ROOT / "ui" / "strings.py").read_text("utf-8")
        for f in (ROOT / "ui").glob("*.py"):
            for title in re.findall(r'Column\("\w+", "([^"]+)"', f.read_text("utf-8")):
                assert f'"{title}"' in listed, f"{title!r} of {f.name} not in ui/strings.py"

    env.run(scenario(), 180)


def test_7_onboarding_points_contract_custody_and_refund_forms(env: Env, qtbot: Any) -> None:
    async def scenario() -> None:
        payment = await a_payment(env, qtbot)
        console = env.windows["clerk-EHB-1"]
        h0 = env.height()
        # merchant onboarding: every bad field is named, nothing is sent
        m = console.merchants
        m.m_id.setText("M 9")
        m.m_fee.setText("abc")
        m.m_cutoff.setText("25:00")
        click(qtbot, m.m_btn)
        assert m.notice.kind == "error"
        for word in ("merchant id", "name", "fee", "cut-off"):
            assert word in m.notice.text()
        # points contract and custody: bad numbers refused inline
        p = console.points
        await env.wait(lambda: bool(p.rate.text()), what="contract loaded")
        p.share.setText("150")
        click(qtbot, p.publish)
        assert p.notice.kind == "error" and "share" in p.notice.text()
        c = console.custody
        c.amount.setText("lots")
        click(qtbot, c.btn)
        assert c.notice.kind == "error"
        assert env.height() == h0
        # the coverage is read against the regulator's levels in genesis (none attested yet)
        await c.refresh()
        assert c.row is not None and c.row["custody"] == 0 and c.row["outstanding"] > 0
        assert "Regulator's level: critical (coverage under 20 %)" in c.figures.text()
        assert c._level(2_000) == "Regulator's level: high (coverage under 30 %)"
        assert c._level(4_000) == "Regulator's levels met (warning under 40 %)"
        # then the real thing: a merchant and its terminal with a key file
        m.notice.clear()
        m.m_id.setText("M009")
        m.m_name.setText("Harbour Tea 港茶")
        m.m_fee.setText("55")
        m.m_cutoff.setText("22:30")
        click(qtbot, m.m_btn)
        assert await env.settle_notice(m.notice, "merchant") == "ok", m.notice.text()
        await env.wait(lambda: any(r["merchant"] == "M009" for r in m.model.rows), what="row")
        m.view.selectRow(next(i for i, r in enumerate(m.model.rows)
                              if r["merchant"] == "M009"))
        m.t_id.setText("M009-T01")
        m.t_pass.setText("short")
        click(qtbot, m.t_btn)
        assert m.notice.kind == "error" and "8 characters" in m.notice.text()
        m.notice.clear()
        m.t_pass.setText("till-passphrase-9")
        m.t_dir.setText(str(env.cons.home / "new-terminal"))
        click(qtbot, m.t_btn)
        assert await env.settle_notice(m.notice, "terminal") == "ok", m.notice.text()
        assert (env.cons.home / "new-terminal" / "terminal-M009-T01.key.pem").exists()
        assert (env.cons.home / "new-terminal" / "terminal-M009-T01.crt").exists()
        terms = await env.sessions["regulator-1"].query("merchants")
        assert next(x for x in terms if x["merchant"] == "M009")["terminals"] == ["M009-T01"]
        # a refund at the POS: more than the payment is refused, a part refund goes through
        pos = env.windows["terminal-M001-T01"]
        r = pos.refunds
        await r.refresh()
        row = next(i for i, x in enumerate(r.model.rows) if x["id"] == payment)  # type: ignore
        r.view.selectRow(row)
        r.amount.setText("100000")
        click(qtbot, r.refund_btn)
        assert r.notice.kind == "error" and "larger than what is left" in r.notice.text()
        r.notice.clear()
        r.amount.setText("10.50")
        click(qtbot, r.refund_btn)
        shown = at_done(r.notice, lambda: next(x for x in r.model.rows if x["id"] == payment))
        assert await env.settle_notice(r.notice, "refund") == "ok", r.notice.text()
        paid = shown[0]
        assert paid["order"] and paid["terminal"] == "M001-T01"  # the cashier finds it by order
        assert paid["refunded"] == 1_050 and paid["left"] == paid["amount"] - 1_050
        r.view.selectRow(next(i for i, x in enumerate(r.model.rows) if x["id"] == payment))
        assert r.amount.text() == f"{paid['left'] // 100}.{paid['left'] % 100:02d}"

    env.run(scenario(), 180)
