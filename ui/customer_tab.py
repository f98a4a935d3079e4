"""The bank clerk's customer view: one cardholder as the bank knows them (found by name or
ID number, opened from the sealed details on this bank's cards), every card they hold
with its state and the reason given for it, and all those cards' transactions together,
with who signed each."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.holder import Opener
from app.session import Session
from ui.card_history import CardHistory
from ui.common import Column, Notice, RecordModel, Tasks, select_row, selected_row, table
from ui.shell import qtext

CUSTOMERS = [Column("name", "Holder"), Column("id_shown", "ID number"),
             Column("phone", "Phone"), Column("ncards", "Cards", "int"),
             Column("balance", "Balance", "money")]
THEIR_CARDS = [Column("card", "Card"), Column("status", "Status", "status"),
               Column("reason", "Reason"), Column("balance", "Balance", "money"),
               Column("points_text", "Points"), Column("issued", "Issued", "time")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)


def masked_id(id_number: str) -> str:
    """An ID number as a screen shows it: its region and check characters only."""
    return id_number if len(id_number) < 10 else f"{id_number[:6]}********{id_number[-4:]}"


class CustomerTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        self.opener = Opener(session.cons, session.identity)
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.returnPressed.connect(self.find)
        self.find_btn = QPushButton()
        self.find_btn.clicked.connect(self.find)
        row.addWidget(self.search, 1)
        row.addWidget(self.find_btn)
        lay.addLayout(row)
        top = QHBoxLayout()
        self.people = RecordModel(CUSTOMERS, _ctx, self)
        self.people_view = table(self.people, stretch=0)
        top.addWidget(self.people_view, 2)
        self.cards_box = QGroupBox()
        self.cards = RecordModel(THEIR_CARDS, _ctx, self)
        self.cards_view = table(self.cards, stretch=2)
        QVBoxLayout(self.cards_box).addWidget(self.cards_view)
        top.addWidget(self.cards_box, 3)
        lay.addLayout(top, 2)
        self.notice = Notice()
        self.history = CardHistory(session, tasks, self.notice, one_card=False)
        lay.addWidget(self.history, 3)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        lay.addWidget(self.notice)
        self.found: dict[str, list[dict[str, Any]]] = {}  # ID number -> their cards
        self.people_view.selectionModel().selectionChanged.connect(self._selected)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Holder's name or ID number"))
        self.search.setAccessibleName(self.tr("Holder's name or ID number"))
        self.find_btn.setText(self.tr("Find customer"))
        self.cards_box.setTitle(self.tr("Their cards"))
        self.history.setTitle(self.tr("Transactions of all their cards"))
        self.history.retranslate()
        self.people.retranslate()
        self.cards.retranslate()
        self._summarise()

    def find(self) -> None:
        self.notice.clear()
        if not self.search.text().strip():
            self.notice.error(self.tr("Type a name or an ID number."))
            return
        self.tasks.spawn(self.refresh(), self.notice)

    async def refresh(self) -> None:
        """The bank's named cards whose holder matches (opened here: the details are
        sealed on chain), one line per person (ID number)."""
        text = self.search.text().strip().casefold()
        if not text:
            return
        rows = await self.session.query("cards", text="", status="", limit=1000)
        found: dict[str, list[dict[str, Any]]] = {}
        who: dict[str, Any] = {}
        for r in rows:
            h = self.opener.holder(r)
            if h is None or not (text in h.name.casefold() or text == h.id_number.casefold()):
                continue
            r["points_text"] = ", ".join(f"{b} {p:,}" for b, p in sorted(r["points"].items())
                                         if p)
            found.setdefault(h.id_number, []).append(r)
            who[h.id_number] = h
        keep = selected_row(self.people_view, self.people)
        self.found = found
        self.people.set_rows([
            {"id": i, "name": who[i].name, "id_shown": masked_id(i), "phone": who[i].phone,
             "ncards": len(cs), "balance": sum(int(c["balance"]) for c in cs)}
            for i, cs in found.items()])
        ids = list(found)
        if keep is not None and keep["id"] in ids:
            select_row(self.people_view, ids.index(keep["id"]))
        elif len(ids) == 1:
            select_row(self.people_view, 0)
        self._selected()

    def _selected(self) -> None:
        p = selected_row(self.people_view, self.people)
        cards = self.found.get(p["id"], []) if p else []
        self.cards.set_rows(cards)
        self.history.show_cards([c["card"] for c in cards])
        self._summarise()

    def _summarise(self) -> None:
        n = len(self.people.rows)
        self.summary.setText(self.tr("%1 customers found").replace("%1", str(n))
                             if self.search.text().strip() else "")


__all__ = ["CustomerTab"]
