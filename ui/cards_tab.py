"""The bank clerk's cards tab: find a card, issue one (named or anonymous, with how the
deposit was paid), top up, grant points, transfer between named cards, and freeze,
unfreeze, close or report lost, each asked first with a reason that goes on chain; the
selected card's history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.flows import as_bank_act, new_card, replacement
from app.holder import Opener, resident_id_problem
from app.model import CARD_STATUSES
from app.session import Decision, Session, SessionError
from ui import texts
from ui.card_history import CardHistory
from ui.common import (
    Column,
    Notice,
    RecordModel,
    Tasks,
    hbox,
    parse_yuan,
    save_card_file,
    select_row,
    selected_row,
    table,
    yuan,
)
from ui.confirm import Confirm
from ui.sales_tab import PaymentPicker
from ui.shell import qtext
from ui.slips import print_slip

CARDS = [Column("card", "Card"), Column("holder", "Holder"), Column("status", "Status", "status"),
         Column("balance", "Balance", "money"), Column("points_text", "Points"),
         Column("issued", "Issued", "time")]


PIN_SHOWN_MS = 20_000  # a new card's PIN is hidden again after this
# app/holder.resident_id_problem's reasons, for lupdate (translated where shown)
ID_PROBLEMS = (QT_TRANSLATE_NOOP("CardsTab", "18 characters: 17 digits and a check digit or X"),
               QT_TRANSLATE_NOOP("CardsTab", "its digits 7-14 are not a birth date"),
               QT_TRANSLATE_NOOP("CardsTab", "its check character is wrong (mistyped?)"))


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class CardsTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        self.bank = session.entity
        self.opener = Opener(session.cons, session.identity)  # holders' names, sealed
        self.card_dir = session.cons.home / "cards"
        self.revealed_pin = ""
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        search = QHBoxLayout()
        self.search = QLineEdit()
        self.search.returnPressed.connect(self.reload)
        self.status_filter = QComboBox()
        self.search_btn = QPushButton()
        self.search_btn.clicked.connect(self.reload)
        for w in (self.search, self.status_filter, self.search_btn):
            search.addWidget(w)
        left.addLayout(search)
        self.model = RecordModel(CARDS, _ctx, self)
        self.model.show = self._show  # type: ignore[method-assign]
        self.view = table(self.model, stretch=1)
        left.addWidget(self.view)
        outer.addLayout(left, 3)

        right = QVBoxLayout()
        self.issue_box = QGroupBox()
        f = QFormLayout(self.issue_box)
        self.holder, self.id_number, self.deposit = QLineEdit(), QLineEdit(), QLineEdit()
        self.phone = QLineEdit()
        self.id_number.setMaxLength(18)  # shown as typed: the clerk reads it off the card
        self.issue_btn = QPushButton()
        self.issue_btn.clicked.connect(self.issue)
        self.issue_pay, self.topup_pay = PaymentPicker(), PaymentPicker()  # how it is paid
        self.deposit.setMinimumWidth(80)
        self.issue_labels = [QLabel(), QLabel(), QLabel()]
        for label, w in zip(self.issue_labels, (self.holder, hbox(self.id_number, self.phone),
                                                hbox(self.deposit, self.issue_pay)),
                            strict=True):
            f.addRow(label, w)
        f.addRow(self.issue_btn)
        self.new_card_label = QLabel()
        self.new_card_label.setWordWrap(True)
        self.new_card_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pin_btn = QPushButton()
        self.pin_btn.setCheckable(True)
        self.pin_btn.toggled.connect(self._show_new_card)
        self.pin_timer = QTimer(self)  # a PIN shown goes off the screen by itself
        self.pin_timer.setSingleShot(True)
        self.pin_timer.setInterval(PIN_SHOWN_MS)
        self.pin_timer.timeout.connect(lambda: self.pin_btn.setChecked(False))
        self.pin_btn.hide()
        f.addRow(self.new_card_label)
        f.addRow(self.pin_btn)
        right.addWidget(self.issue_box)

        self.act_box = QGroupBox()
        a = QFormLayout(self.act_box)
        self.selected_label = QLabel()
        a.addRow(self.selected_label)
        self.amount = QLineEdit()
        self.amount.setMinimumWidth(80)
        self.topup_btn = QPushButton()
        self.topup_btn.clicked.connect(self.top_up)
        row = hbox(self.amount, self.topup_pay, self.topup_btn)
        self.amount_label = QLabel()
        a.addRow(self.amount_label, row)
        self.points = QLineEdit()
        self.points_btn = QPushButton()
        self.points_btn.clicked.connect(self.grant_points)
        row2 = hbox(self.points, self.points_btn)
        self.points_label = QLabel()
        a.addRow(self.points_label, row2)
        self.to_card, self.transfer_amount = QLineEdit(), QLineEdit()
        self.transfer_btn = QPushButton()
        self.transfer_btn.clicked.connect(self.transfer)
        self.transfer_label = QLabel()
        a.addRow(self.transfer_label, hbox(self.to_card, self.transfer_amount,
                                           self.transfer_btn))
        buttons = QHBoxLayout()
        self.freeze_btn, self.unfreeze_btn = QPushButton(), QPushButton()
        self.lost_btn, self.close_btn = QPushButton(), QPushButton()
        self.freeze_btn.clicked.connect(lambda: self.simple("freeze"))
        self.unfreeze_btn.clicked.connect(lambda: self.simple("unfreeze"))
        self.close_btn.clicked.connect(lambda: self.simple("close_card"))
        self.lost_btn.clicked.connect(self.report_lost)
        for b in (self.freeze_btn, self.unfreeze_btn, self.lost_btn, self.close_btn):
            buttons.addWidget(b)
        a.addRow(buttons)
        right.addWidget(self.act_box)
        self.notice = Notice()
        self.slip_btn = QPushButton()  # the last top-up's slip, for the cardholder
        self.slip_btn.clicked.connect(self.print_slip)
        self.slip_btn.hide()
        right.addLayout(hbox(self.notice, self.slip_btn))
        self.last_slip: dict[str, Any] | None = None
        # what a clerk reads out to a cardholder on the phone
        self.history = CardHistory(session, tasks, self.notice)
        right.addWidget(self.history, 1)
        outer.addLayout(right, 2)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.last_issued: tuple[str, str, Path] | None = None

    def _show(self, col: Column, value: Any) -> str:
        if col.key == "holder" and not value:
            return self.tr("(anonymous)")
        return RecordModel.show(self.model, col, value)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Card number or holder's name"))
        self.status_filter.setAccessibleName(self.tr("Status"))
        current = self.status_filter.currentData()
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("Any status"), "")
        for st in CARD_STATUSES:
            self.status_filter.addItem(texts.status(st), st)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(current)))
        self.search_btn.setText(self.tr("Search"))
        self.issue_box.setTitle(self.tr("Issue a card (bank %1)").replace("%1", self.bank))
        for label, text in zip(self.issue_labels, (
                self.tr("Holder's name (empty: anonymous)"), self.tr("ID number"),
                self.tr("Opening deposit (¥), paid by")), strict=True):
            label.setText(text)
        self.issue_pay.retranslate()
        self.topup_pay.retranslate()
        self.phone.setPlaceholderText(self.tr("Phone"))
        self.issue_btn.setText(self.tr("Issue card"))
        self.act_box.setTitle(self.tr("Selected card"))
        self.amount_label.setText(self.tr("Top up (¥), paid by"))
        self.topup_btn.setText(self.tr("Top up"))
        self.points_label.setText(self.tr("Grant points"))
        self.points_btn.setText(self.tr("Grant"))
        self.transfer_label.setText(self.tr("Transfer to"))
        self.to_card.setPlaceholderText(self.tr("named card of this bank"))
        self.transfer_amount.setPlaceholderText(self.tr("amount (¥)"))
        self.transfer_btn.setText(self.tr("Transfer"))
        self.freeze_btn.setText(self.tr("Freeze"))
        self.unfreeze_btn.setText(self.tr("Unfreeze"))
        self.lost_btn.setText(self.tr("Report lost && replace"))
        self.close_btn.setText(self.tr("Close card"))
        self.history.setTitle(self.tr("Transactions of the selected card"))
        self.slip_btn.setText(self.tr("Top-up slip…"))
        self.model.retranslate()
        self.history.retranslate()
        self._selected()
        self._show_new_card()

    # --- list -------------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.spawn(self.refresh(), self.notice)

    async def refresh(self) -> None:
        """The bank's cards; a holder's name is opened here (sealed on chain), so a search
        by name filters what the validators return, a search by number asks them."""
        text = self.search.text().strip()
        by_number = text.isdigit()
        rows = await self.session.query("cards", text=text if by_number else "",
                                        status=self.status_filter.currentData() or "",
                                        limit=200 if by_number or not text else 1000)
        for r in rows:
            r["holder"] = self.opener.name(r)
        if text and not by_number:
            rows = [r for r in rows if text.casefold() in (r["holder"] or "").casefold()]
        for r in rows:
            r["points_text"] = ", ".join(f"{b} {p:,}" for b, p in sorted(r["points"].items())
                                         if p)
        keep = self.current()
        self.model.set_rows(rows)
        if keep:
            for i, r in enumerate(rows):
                if r["card"] == keep["card"]:
                    select_row(self.view, i)

    def current(self) -> dict[str, Any] | None:
        return selected_row(self.view, self.model)

    def _selected(self) -> None:
        c = self.current()
        self.selected_label.setText(
            self.tr("No card selected: pick one in the list.") if c is None else
            self.tr("%1 · %2 · %3").replace("%1", c["card"]).replace(
                "%2", c.get("holder") or self.tr("anonymous")).replace("%3", yuan(c["balance"])))
        # on a new selection and on every reload of the list (a block, an action)
        self.history.show_cards([] if c is None else [c["card"]])

    # --- actions ------------------------------------------------------------------------------

    async def _submit(self, kind: str, body: dict[str, Any], done: str,
                      before_ok: Any = None) -> Decision | None:
        """The decision if accepted (the list reloaded, ``done`` said), else None; an act
        the bank takes from two clerks goes as a proposal (the Approvals tab)."""
        kind, body = as_bank_act(self.session.genesis, self.bank, kind, body)
        done = self.tr("Proposed at height %H for a second clerk's approval.") \
            if kind == "propose" else done
        r = await self.session.submit(self.session.make(kind, body))
        if not r.ok:
            self.notice.error(lambda r=r: texts.decision(r.code, r.message))
            return None
        if before_ok is not None:
            before_ok()
        await self.refresh()  # the table is up to date when the message says done
        self.notice.ok(done.replace("%H", str(r.height)))
        return r

    async def _top_up(self, c: dict[str, Any], body: dict[str, Any], paid_by: str) -> None:
        """A top-up; once accepted its slip can be printed for the cardholder."""
        r = await self._submit("top_up", body, self.tr("Topped up %1 at height %H.")
                               .replace("%1", yuan(body["amount"])))
        if r is None:
            return
        now = next((x for x in self.model.rows if x["card"] == c["card"]), c)
        self.last_slip = {"bank": self.session.genesis.raw["banks"][
            self.session.genesis.bank_ids.index(self.bank)]["name"], "card": c["card"],
            "holder": c.get("holder") or "", "amount": body["amount"], "method": paid_by,
            "balance": now["balance"], "clerk": self.session.identity, "id": r.id,
            "height": r.height, "time": r.time}
        self.slip_btn.show()

    def print_slip(self) -> None:
        if self.last_slip is not None:
            self.slip_dialog = print_slip(self, self.last_slip, lambda _p: self.notice.ok(
                self.tr("Top-up slip printed.")))

    def _need_card(self) -> dict[str, Any] | None:
        self.notice.clear()
        c = self.current()
        if c is None:
            self.notice.error(self.tr("Select a card in the list first."))
        return c

    def issue(self) -> None:
        self.notice.clear()
        holder = self.holder.text().strip()
        try:
            deposit = parse_yuan(self.deposit.text()) if self.deposit.text().strip() else None
        except ValueError as exc:
            self.notice.error(self.tr("Opening deposit: %1").replace("%1", str(exc)))
            return
        if holder and not self.id_number.text().strip():
            self.notice.error(self.tr("A named card needs the holder's ID number."))
            return
        problem = resident_id_problem(self.id_number.text()) if holder else None
        if problem is not None:
            self.notice.error(self.tr("ID number: %1").replace("%1", self.tr(problem)))
            return
        try:
            payment = self.issue_pay.value() if deposit else None
        except ValueError as exc:
            self.notice.error(self.tr("Opening deposit: %1").replace("%1", str(exc)))
            return
        cap = self._cap(bool(holder))
        if deposit and deposit > cap:  # refused on chain: said here, nothing sent
            self.notice.error(self.tr("Opening deposit: a %1 card holds at most %2.")
                              .replace("%1", self.tr("named") if holder else
                                       self.tr("anonymous")).replace("%2", yuan(cap)))
            return
        self.tasks.spawn(self._issue(holder, deposit, payment), self.notice)

    def _cap(self, named: bool) -> int:
        lim = self.session.genesis.limits
        return int(lim["named_balance_cap"] if named else lim["anonymous_balance_cap"])

    async def _issue(self, holder: str, deposit: int | None,
                     payment: dict[str, Any] | None) -> None:
        import asyncio

        try:  # sealing the card key under its PIN (scrypt) runs off the event loop
            made = await asyncio.get_running_loop().run_in_executor(
                None, lambda: new_card(self.session.cons, self.bank, self.session.now(),
                                       holder=holder or None, id_number=self.id_number.text(),
                                       phone=self.phone.text(), deposit=deposit,
                                       payment=payment))
        except ValueError as exc:
            raise SessionError(str(exc)) from exc
        path = self._save_card(made.card)
        ok = await self._submit("issue_card", made.body,
                                self.tr("Card issued at height %H."), before_ok=lambda: (
                                    self._issued(made.card.card, made.pin, path)))
        if ok:
            for w in (self.holder, self.id_number, self.phone, self.deposit):
                w.clear()
        else:
            path.unlink(missing_ok=True)  # a refused card leaves no file behind

    def _save_card(self, card: Any) -> Path:
        return save_card_file(card, self.card_dir)

    def _issued(self, number: str, pin: str, path: Path) -> None:
        self.last_issued = (number, pin, path)
        self.pin_btn.setChecked(False)
        self.pin_btn.show()
        self._show_new_card()

    def _show_new_card(self) -> None:
        if self.last_issued is None:
            self.new_card_label.setText("")
            self.pin_btn.setText(self.tr("Show PIN"))
            return
        number, pin, path = self.last_issued
        shown = pin if self.pin_btn.isChecked() else "••••••"
        if self.pin_btn.isChecked():
            self.pin_timer.start()
        if path.is_relative_to(self.session.cons.home):  # no machine paths on screen
            path = path.relative_to(self.session.cons.home)
        self.pin_btn.setText(self.tr("Hide PIN") if self.pin_btn.isChecked()
                             else self.tr("Show PIN"))
        self.new_card_label.setText(
            self.tr("New card %1, PIN %2 (give it to the cardholder once).\nCard file: %3 "
                    "in the consortium folder")
            .replace("%1", number).replace("%2", shown).replace("%3", str(path)))

    def _yuan(self, field: QLineEdit, problem: str) -> int | None:
        """The field's amount in fen, or None with ``problem`` (its %1: why) said."""
        try:
            return parse_yuan(field.text())
        except ValueError as exc:
            self.notice.error(problem.replace("%1", str(exc)))
            return None

    def top_up(self) -> None:
        c = self._need_card()
        if c is None:
            return
        fen = self._yuan(self.amount, self.tr("Top-up amount: %1"))
        if fen is None:
            return
        try:
            body = {"card": c["card"], "amount": fen, "payment": self.topup_pay.value()}
        except ValueError as exc:
            self.notice.error(self.tr("Top-up: %1").replace("%1", str(exc)))
            return
        room = self._cap(bool(c.get("named"))) - int(c["balance"])
        if fen > room:  # what the chain would refuse is said here, nothing sent
            self.notice.error(self.tr("Top-up: card %1 holds %2 and may take at most %3 "
                                      "more.").replace("%1", c["card"])
                              .replace("%2", yuan(c["balance"])).replace("%3",
                                                                         yuan(max(0, room))))
            return
        if self.session.genesis.chain_format < 5:
            del body["payment"]  # an older chain records no payment method
        paid_by = self.topup_pay.describe()
        self.tasks.spawn(self._top_up(c, body, paid_by), self.notice)
        self.amount.clear()
        self.topup_pay.clear()

    def transfer(self) -> None:
        """Balance to another named card of this bank, on the holder's instruction."""
        c = self._need_card()
        if c is None:
            return
        to = self.to_card.text().strip().replace(" ", "")
        if not to.isdigit():
            self.notice.error(self.tr("Transfer: enter the receiving card's number."))
            return
        fen = self._yuan(self.transfer_amount, self.tr("Transfer amount: %1"))
        if fen is None:
            return
        if fen > int(c["balance"]):
            self.notice.error(self.tr("Transfer: card %1 holds %2.").replace(
                "%1", c["card"]).replace("%2", yuan(c["balance"])))
            return
        self.tasks.spawn(self._submit("transfer", {"card": c["card"], "to_card": to,
                                                   "amount": fen},
                                      self.tr("Transferred %1 at height %H.").replace(
                                          "%1", yuan(fen))), self.notice)
        self.transfer_amount.clear()

    def grant_points(self) -> None:
        c = self._need_card()
        if c is None:
            return
        text = self.points.text().strip()
        if not text.isdigit() or not 0 < int(text) <= 10_000_000:
            self.notice.error(self.tr("Points: a whole number from 1 to 10,000,000."))
            return
        self.tasks.spawn(self._submit("accrue_points", {"card": c["card"], "bank": self.bank,
                                                        "points": int(text)},
                                      self.tr("Points granted at height %H.")), self.notice)
        self.points.clear()

    def simple(self, kind: str) -> None:
        """Freeze, unfreeze or close the selected card: asked first, with a reason."""
        c = self._need_card()
        if c is None:
            return
        done = {"freeze": self.tr("Card frozen at height %H."),
                "unfreeze": self.tr("Card unfrozen at height %H."),
                "close_card": self.tr("Card closed at height %H; its balance goes back to "
                                      "the bank for refund.")}[kind]
        what = {"freeze": (self.tr("Freeze card %1?"), self.tr(
                    "Payments with card %1 (%2) are refused until it is unfrozen."),
                           self.tr("Freeze")),
                "unfreeze": (self.tr("Unfreeze card %1?"), self.tr(
                    "Card %1 (%2) can pay again."), self.tr("Unfreeze")),
                "close_card": (self.tr("Close card %1?"), self.tr(
                    "Card %1 (%2) stops for good: its balance of %3 goes back to the bank "
                    "for refund to the cardholder, its points to their banks. This cannot "
                    "be undone."), self.tr("Close card"))}[kind]
        self._confirm(c, *what, lambda why: self.tasks.spawn(self._submit(
            kind, self._with_reason({"card": c["card"]}, why), done), self.notice))

    def _confirm(self, c: dict[str, Any], title: str, text: str, action: str,
                 then: Any) -> None:
        holder = c.get("holder") or self.tr("anonymous")
        fill = {"%1": c["card"], "%2": holder, "%3": yuan(c["balance"])}
        for k, v in fill.items():
            title, text = title.replace(k, v), text.replace(k, v)
        self.confirm_dialog = Confirm(self, title, text, action, then)
        self.confirm_dialog.open()

    def _with_reason(self, body: dict[str, Any], why: str) -> dict[str, Any]:
        """The reason goes on chain from chain format 5 (an older chain has no field)."""
        return {**body, "reason": why} if self.session.genesis.chain_format >= 5 else body

    def report_lost(self) -> None:
        c = self._need_card()
        if c is None:
            return
        self._confirm(c, self.tr("Report card %1 lost?"), self.tr(
            "Card %1 (%2) stops working now; a new card takes its balance of %3 and its "
            "points."), self.tr("Report lost && replace"),
            lambda why: self.tasks.spawn(self._replace(c, why), self.notice))

    async def _replace(self, c: dict[str, Any], why: str) -> None:
        import asyncio

        body, card, pin = await asyncio.get_running_loop().run_in_executor(
            None, replacement, self.session.genesis, c, self.session.now())
        body = self._with_reason(body, why)
        path = self._save_card(card)
        ok = await self._submit("report_lost", body,
                                self.tr("Card reported lost at height %H; balance and points "
                                        "moved to the new card."),
                                before_ok=lambda: self._issued(card.card, pin, path))
        if not ok:
            path.unlink(missing_ok=True)
