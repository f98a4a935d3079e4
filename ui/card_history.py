"""A card's (or a customer's cards') transactions for the bank's clerk: newest first,
refusals included, with who signed each one; more on demand and exported as CSV.

Used by the cards tab (the selected card) and the customers tab (every card of one
holder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.session import Session
from ui.common import Column, Notice, RecordModel, Tasks, documents, table, write_csv
from ui.shell import qtext

HISTORY = [Column("time", "Time", "time"), Column("card", "Card", "card"),
           Column("kind", "Type", "txkind"), Column("code", "Decision", "decision"),
           Column("merchant", "Merchant"), Column("amount", "Amount", "money"),
           Column("points_text", "Points"), Column("by", "By"),
           Column("height", "Height", "int")]
PAGE = 100  # rows asked for at a time, per card


def _ctx(text: str) -> str:
    return qtext("Columns", text)


class CardHistory(QGroupBox):
    """Shows the history of ``cards`` (set by ``show``); ``signers`` names the keys that
    signed (identity names from the consortium's public list)."""

    def __init__(self, session: Session, tasks: Tasks, notice: Notice,
                 one_card: bool = True) -> None:
        super().__init__()
        self.session, self.tasks, self.notice = session, tasks, notice
        self.cards: list[str] = []
        self.limit = PAGE
        self.full = False  # every card's history is loaded whole
        cols = [c for c in HISTORY if not (one_card and c.key == "card")]
        self.model = RecordModel(cols, _ctx, self)
        lay = QVBoxLayout(self)
        self.view = table(self.model, stretch=len(cols) - 3)
        self.view.setMinimumHeight(40)  # it takes the room there is (a 800-point-high screen)
        lay.addWidget(self.view)
        row = QHBoxLayout()
        self.count = QLabel()
        self.more_btn, self.export_btn = QPushButton(), QPushButton()
        self.more_btn.clicked.connect(self.more)
        self.export_btn.clicked.connect(self.export)
        row.addWidget(self.count, 1)
        row.addWidget(self.more_btn)
        row.addWidget(self.export_btn)
        lay.addLayout(row)

    def retranslate(self) -> None:
        self.more_btn.setText(self.tr("Older transactions"))
        self.export_btn.setText(self.tr("Export CSV…"))
        self.model.retranslate()
        self._count()

    def show_cards(self, cards: list[str]) -> None:
        """The history of these cards from its newest page (a new choice of cards)."""
        if cards != self.cards:
            self.limit = PAGE
        self.cards = list(cards)
        if not cards:
            self.model.set_rows([])
            self._count()
            return
        self.tasks.coalesce(f"history-{id(self)}", self.load, self.notice, delay=0.05)

    def more(self) -> None:
        self.limit += PAGE
        self.tasks.spawn(self.load(), self.notice)

    async def load(self) -> None:
        cards, limit = list(self.cards), self.limit
        rows: list[dict[str, Any]] = []
        full = True
        for card in cards:
            got = await self.session.query("history", card=card, limit=limit)
            full = full and len(got) < limit
            for r in got:
                r["card"] = card
            rows += got
        if cards != self.cards:
            return  # another choice meanwhile: its own load shows it
        rows.sort(key=lambda r: (r["height"], r["pos"]), reverse=True)
        for r in rows:  # earned +, redeemed and expired -
            r["points_text"] = ", ".join(f"{b} {n:+,}" for b, n in
                                         sorted((r.get("points") or {}).items()))
            r["by"] = self.session.signer_name(r.get("signers") or [])
        self.full = full
        self.model.set_rows(rows)
        self._count()

    def _count(self) -> None:
        n = len(self.model.rows)
        self.count.setText(self.tr("%1 transactions").replace("%1", str(n)) if n else "")
        self.more_btn.setEnabled(bool(self.cards) and not self.full)
        self.export_btn.setEnabled(n > 0)

    def export(self) -> None:
        name = f"history-{self.cards[0]}.csv" if len(self.cards) == 1 else "history.csv"
        dlg = QFileDialog(self, self.tr("Export the transactions"), str(documents() / name),
                          "CSV (*.csv)")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.fileSelected.connect(
            lambda p: self.tasks.spawn(self.write_csv(Path(p)), self.notice))
        dlg.open()

    async def write_csv(self, path: Path) -> None:
        n = await write_csv(self.model, path)
        self.notice.ok(self.tr("%1 transactions written to %2").replace("%1", str(n))
                       .replace("%2", str(path)))


__all__ = ["HISTORY", "CardHistory"]
