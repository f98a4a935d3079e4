"""The till's card: read from its file with the PIN (off the event loop), shown as the
validators have it, forgotten after a sale or an idle while.

``CardReader`` is the part of ``PosWindow`` (ui/pos.py) that reads the card; like
``SaleFlow`` it uses the window's widgets (``self.tr`` looks up under "CardReader").
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit

from app.flows import my_card_query
from app.model import CardFile, CardFileError, SigningKey, valid_pin
from app.session import Session, SessionError
from ui import texts
from ui.common import Notice, RecordModel, Tasks, mask_card, yuan

# a card read at the till is forgotten after this long without use (every sale needs the
# card and its PIN); CARDCHAIN_CARD_IDLE_S overrides it
CARD_IDLE_S = float(os.environ.get("CARDCHAIN_CARD_IDLE_S", "90"))


class CardReader:
    # what the window it is mixed into provides (ui/pos.py)
    session: Session
    tasks: Tasks
    notice: Notice
    idle: QTimer
    card: CardFile | None
    card_key: SigningKey | None
    card_state: dict[str, Any] | None
    card_dir: Path | None
    card_path: QLineEdit
    pin: QLineEdit
    card_info: QLabel
    checks_row: QHBoxLayout
    bank_checks: dict[str, QCheckBox]
    basket: dict[str, int]
    offer: dict[str, Any] | None
    offer_model: RecordModel
    tr: Callable[[str], str]
    locked: Callable[[], bool]
    refresh_offer: Callable[[], Coroutine[Any, Any, None]]
    _refresh_totals: Callable[[], None]

    def _browse(self) -> None:
        dlg = QFileDialog(self,  # type: ignore[call-overload]
                          self.tr("Choose the card file"), str(self.card_dir or ""),
                          self.tr("Card files (*.card.json *.card);;All files (*)"))
        dlg.fileSelected.connect(self.card_path.setText)
        dlg.open()

    def read_card(self) -> None:
        self.notice.clear()
        path, pin = self.card_path.text().strip(), self.pin.text()
        if not path:
            self.notice.error(self.tr("Choose the card file first."))
            return
        if not valid_pin(pin):
            self.notice.error(self.tr("The PIN is exactly 6 digits."))
            return
        self.tasks.spawn(self._unlock(Path(path), pin), self.notice)

    async def _unlock(self, path: Path, pin: str) -> None:
        try:
            card = CardFile.load(path)
            # scrypt takes a moment: off the event loop so the window and the node keep going
            key = await asyncio.get_running_loop().run_in_executor(None, card.unlock, pin)
        except (CardFileError, OSError) as exc:
            self.pin.clear()
            raise SessionError(self.tr("Cannot read the card: %1").replace("%1", str(exc))) \
                from exc
        self.pin.clear()
        self.card, self.card_key = card, key
        self._touch()
        await self.refresh_card()

    async def refresh_card(self) -> None:
        if self.card is None or self.card_key is None:
            return
        mine = await self.session.query(
            "my_card", **my_card_query(self.card.card, self.card_key, self.session.now()))
        self.card_state = mine["card"]
        self._drop_bank_checks()
        for bank in sorted(self.card_state["points"]):
            box = QCheckBox()
            box.setChecked(self.card_state["points"][bank] > 0)
            box.toggled.connect(lambda _on: self.tasks.spawn(self.refresh_offer(), self.notice))
            self.checks_row.addWidget(box)
            self.bank_checks[bank] = box
        self._label_checks()
        self._show_card_info()
        if self.basket:
            await self.refresh_offer()

    def _touch(self) -> None:
        """The cashier did something: the card read stays for another idle period."""
        if self.card is not None:
            self.idle.start(int(CARD_IDLE_S * 1000))

    def _card_idle(self) -> None:
        if self.card is None or self.locked():
            return
        self.forget_card()
        self.notice.error(self.tr("The card was cleared after %1 s without use: read it "
                                  "again (card file and PIN).").replace("%1",
                                                                       f"{CARD_IDLE_S:g}"))

    def forget_card(self) -> None:
        """The card and its key leave the till: the next payment needs the card and PIN."""
        self.idle.stop()
        self.card = self.card_key = None
        self.card_state = None
        self.offer = None
        self.card_path.clear()
        self.pin.clear()
        self._drop_bank_checks()
        self.offer_model.set_rows([])
        self._show_card_info()
        self._refresh_totals()

    def _drop_bank_checks(self) -> None:
        """The card's points boxes leave the row now: a box only scheduled for deletion
        stays in the layout until the event loop deletes it, and a till that read cards
        several times before that showed every bank's box again for each read."""
        for b in list(self.bank_checks):
            box = self.bank_checks.pop(b)
            self.checks_row.removeWidget(box)
            box.hide()
            box.deleteLater()

    def _label_checks(self) -> None:
        for bank, box in self.bank_checks.items():
            box.setText(self.tr("Use %1 points").replace("%1", bank))

    def _show_card_info(self) -> None:
        st = getattr(self, "card_state", None)
        if self.card is None or st is None:
            self.card_info.setText(self.tr("No card read."))
            return
        pts = ", ".join(f"{b} {p:,}" for b, p in sorted(st["points"].items()))
        text = self.tr("%1 · %2 · balance %3 · points %4").replace(
            "%1", mask_card(self.card.card)).replace("%2", texts.status(st["status"])).replace(
            "%3", yuan(st["balance"])).replace("%4", pts)
        self.card_info.setText(text)
        if st["status"] != "active":
            self.notice.error(texts.reason("card_not_active"))
