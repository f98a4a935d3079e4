"""The regulator's window: live blocks and a transaction search, compliance cases, issuers'
liabilities and merchant volumes as charts, the full-chain audit, and node health.

The cases, charts and audit tabs are in ui/regulator_tabs.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.holder import Opener
from app.model import TX_KINDS
from app.session import Session, SessionError
from ui import texts
from ui.common import (
    CHINA,
    Column,
    Notice,
    RecordModel,
    Tasks,
    documents,
    parse_yuan,
    selected_row,
    table,
    write_csv,
)
from ui.network import NetworkTab
from ui.regulator_tabs import AuditTab, CasesTab, ChartsTab
from ui.shell import Languages, Window, qtext
from ui.tx_detail import TxDetail

BLOCKS = [Column("height", "Height", "int"), Column("time", "Time", "time"),
          Column("ntx", "Transactions", "int"), Column("view", "View", "int"),
          Column("hash", "Block hash")]
TXS = [Column("height", "Height", "int"), Column("time", "Time", "time"),
       Column("kind", "Type", "txkind"), Column("code", "Decision", "decision"),
       Column("card", "Card", "card"), Column("holder", "Holder"),
       Column("merchant", "Merchant"), Column("bank", "Bank"),
       Column("amount", "Amount", "money"), Column("why", "Reason")]


def _ctx(text: str) -> str:
    return qtext("Columns", text)


def _day_ms(day: QDate, end: bool) -> int:
    """A local (China) day -> UTC ms of its start (or of the next day's start)."""
    d = dt.date(day.year(), day.month(), day.day())
    if end:
        d += dt.timedelta(days=1)
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=CHINA).timestamp() * 1000)


class LiveTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        self.opener = Opener(session.cons, session.identity)
        self.holders: dict[str, str] = {}  # card -> its holder's name ("" if anonymous)
        lay = QVBoxLayout(self)
        self.blocks_box = QGroupBox()
        bl = QVBoxLayout(self.blocks_box)
        self.blocks = RecordModel(BLOCKS, _ctx, self)
        self.blocks_view = table(self.blocks, stretch=4)
        bl.addWidget(self.blocks_view)
        lay.addWidget(self.blocks_box, 2)
        self.search_box = QGroupBox()
        grid = QGridLayout(self.search_box)
        self.fields: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        for i, key in enumerate(("card", "merchant", "bank", "id", "amount_min",
                                 "amount_max")):
            self.labels[key], self.fields[key] = QLabel(), QLineEdit()
            self.fields[key].returnPressed.connect(self.search)
            grid.addWidget(self.labels[key], i // 4, (i % 4) * 2)
            grid.addWidget(self.fields[key], i // 4, (i % 4) * 2 + 1)
        # dates from a calendar; a day filters only while its box is ticked
        self.days: dict[str, tuple[QCheckBox, QDateEdit]] = {}
        now = dt.datetime.now(CHINA)  # the consortium's day, not this machine's
        today = QDate(now.year, now.month, now.day)
        for i, key in enumerate(("time_from", "time_to")):
            box, pick = QCheckBox(), QDateEdit(today)
            pick.setCalendarPopup(True)
            pick.setDisplayFormat("yyyy-MM-dd")
            pick.setEnabled(False)
            box.toggled.connect(pick.setEnabled)
            self.days[key] = (box, pick)
            grid.addWidget(box, 1, 4 + i * 2)
            grid.addWidget(pick, 1, 5 + i * 2)
        self.kind, self.code = QComboBox(), QComboBox()
        self.labels["kind"], self.labels["code"] = QLabel(), QLabel()
        grid.addWidget(self.labels["kind"], 2, 0)
        grid.addWidget(self.kind, 2, 1)
        grid.addWidget(self.labels["code"], 2, 2)
        grid.addWidget(self.code, 2, 3)
        self.search_btn, self.more_btn = QPushButton(), QPushButton()
        self.search_btn.clicked.connect(self.search)
        self.more_btn.clicked.connect(lambda: self.tasks.spawn(self._page(more=True),
                                                               self.notice))
        self.export_btn = QPushButton()
        self.export_btn.clicked.connect(self.export)
        grid.addWidget(self.search_btn, 2, 4)
        grid.addWidget(self.more_btn, 2, 5)
        grid.addWidget(self.export_btn, 2, 6)
        lay.addWidget(self.search_box)
        self.txs = RecordModel(TXS, _ctx, self)
        self.txs_view = table(self.txs, stretch=[c.key for c in TXS].index("why"))
        # a transaction in full: double-click or Enter
        self.txs_view.activated.connect(lambda _i: self.open_selected())
        self.blocks_view.activated.connect(lambda _i: self.drill_selected())
        lay.addWidget(self.txs_view, 3)
        row = QHBoxLayout()
        self.count = QLabel()
        self.all_btn = QPushButton()
        self.all_btn.clicked.connect(self.show_all)
        self.all_btn.hide()
        row.addWidget(self.count, 1)
        row.addWidget(self.all_btn)
        lay.addLayout(row)
        self.notice = Notice()
        lay.addWidget(self.notice)
        self.filters: dict[str, Any] = {}
        self.cursor: list[int] | None = None
        self._paged = False  # the user went past the first page

    def retranslate(self) -> None:
        self.blocks_box.setTitle(self.tr("Latest blocks (live)"))
        self.search_box.setTitle(self.tr("Search transactions"))
        names = {"card": self.tr("Card"), "merchant": self.tr("Merchant"),
                 "bank": self.tr("Bank"), "id": self.tr("Transaction id"),
                 "amount_min": self.tr("Min ¥"), "amount_max": self.tr("Max ¥"),
                 "kind": self.tr("Type"), "code": self.tr("Decision")}
        for k, label in self.labels.items():
            label.setText(names[k])
            label.setBuddy(self.fields.get(k, self.kind if k == "kind" else self.code))
        for key, words in (("time_from", self.tr("From")), ("time_to", self.tr("To"))):
            self.days[key][0].setText(words)
            self.days[key][1].setAccessibleName(words)
        self.blocks_box.setToolTip(self.tr("Double-click a block for its transactions"))
        self.txs_view.setToolTip(self.tr("Double-click a transaction for its detail and "
                                         "verified receipt"))
        self.export_btn.setText(self.tr("Export CSV…"))
        self.all_btn.setText(self.tr("All transactions"))
        keep_k, keep_c = self.kind.currentData(), self.code.currentData()
        self.kind.clear()
        self.kind.addItem(self.tr("any"), "")
        for k in sorted(TX_KINDS, key=texts.kind):
            self.kind.addItem(texts.kind(k), k)
        self.code.clear()
        self.code.addItem(self.tr("any"), "")
        # every decision, "accepted" first, the refusals by their label in this language
        for c in ["ok", *sorted((c for c in texts.CODES if c != "ok"), key=texts.code)]:
            self.code.addItem(texts.code(c), c)
        self.kind.setCurrentIndex(max(0, self.kind.findData(keep_k)))
        self.code.setCurrentIndex(max(0, self.code.findData(keep_c)))
        self.search_btn.setText(self.tr("Search"))
        self.more_btn.setText(self.tr("Next page"))
        self.blocks.retranslate()
        self._word_reasons(self.txs.rows)
        self.txs.retranslate()
        self._show_count()

    async def refresh(self) -> None:
        self.blocks.set_rows(await self.session.query("block_list", limit=200))
        self.known = {"merchant": [m["merchant"] for m in
                                   await self.session.query("merchants")],
                      "bank": list(self.session.genesis.bank_ids)}
        await self._page(more=False)

    def _known_id(self, key: str, text: str) -> str:
        """A merchant or bank id as typed, or the one known id it names in another case
        ("m001" for M001)."""
        ids = getattr(self, "known", {}).get(key, [])
        if text in ids:
            return text
        same = [i for i in ids if i.casefold() == text.casefold()]
        return same[0] if len(same) == 1 else text

    def on_block(self, ev: dict[str, Any]) -> None:
        self.blocks.prepend_rows([ev])
        # the first page of the search follows the chain (a deeper page stays put)
        if not self._paged:
            self.tasks.coalesce("live-page", self._first_page_if_not_paged, self.notice)

    async def _first_page_if_not_paged(self) -> None:
        if not self._paged:
            await self._page(more=False)

    def search(self) -> None:
        self.notice.clear()
        f: dict[str, Any] = {}
        try:
            for key in ("card", "merchant", "bank"):
                if self.fields[key].text().strip():
                    f[key] = self._known_id(key, self.fields[key].text().strip())
            for key, (box, pick) in self.days.items():
                if box.isChecked():
                    f[key] = _day_ms(pick.date(), end=key == "time_to")
            for key in ("amount_min", "amount_max"):
                if self.fields[key].text().strip():
                    f[key] = parse_yuan(self.fields[key].text())
        except ValueError as exc:
            self.notice.error(self.tr("Search: %1").replace("%1", str(exc)))
            return
        if "time_from" in f and "time_to" in f and f["time_from"] >= f["time_to"]:
            self.notice.error(self.tr("Search: the From day is after the To day."))
            return
        if "amount_min" in f and "amount_max" in f and f["amount_min"] > f["amount_max"]:
            self.notice.error(self.tr("Search: the minimum is above the maximum."))
            return
        for key, box in (("kind", self.kind), ("code", self.code)):
            if box.currentData():
                f[key] = box.currentData()
        tx_id = self.fields["id"].text().strip().lower()
        if tx_id:
            if not re.fullmatch(r"[0-9a-f]{64}", tx_id):
                self.notice.error(self.tr("Search: a transaction id is 64 hexadecimal "
                                          "characters."))
                return
            self.open(tx_id)
            return
        self.filters = f
        self.all_btn.hide()
        self.tasks.spawn(self._page(more=False), self.notice)

    async def _page(self, more: bool) -> None:
        if more and self.cursor is None:
            raise SessionError(self.tr("No more transactions."))
        page = await self.session.query("txs", filters=self.filters, limit=100,
                                        after=self.cursor if more else None)
        self._paged = more
        self._word_reasons(page["items"])
        await self._name_holders(page["items"])
        if more:
            self.txs.append_rows(page["items"])
        else:
            self.txs.set_rows(page["items"])
        self.cursor = page["next"]
        self.more_btn.setEnabled(self.cursor is not None)
        self._show_count()

    async def _name_holders(self, rows: list[dict[str, Any]]) -> None:
        """Each named card's holder, opened with the regulator's seal key (sealed on
        chain, node/ledger/cards.py); a card's name is asked for once."""
        for number in {str(r["card"]) for r in rows if r.get("card")} - self.holders.keys():
            try:
                card = await self.session.query("card", card=number)
            except SessionError:  # (a card number a refused transaction made up)
                card = {}
            self.holders[number] = self.opener.name(card) or ""
        for r in rows:
            r["holder"] = self.holders.get(str(r.get("card")), "")

    @staticmethod
    def _word_reasons(rows: list[dict[str, Any]]) -> None:
        """A refusal's reason in the screen's language, the node's specifics after it."""
        for r in rows:
            r["why"] = "" if r.get("code") in (None, "ok") else texts.decision(
                str(r["code"]), str(r.get("message") or ""))

    def open_selected(self) -> None:
        row = selected_row(self.txs_view, self.txs)
        if row is not None:
            self.open(str(row["id"]))

    def open(self, tx_id: str) -> TxDetail:
        """A transaction's detail, its receipt verified in place (a window of its own)."""
        dlg = TxDetail(self.session, tx_id, self)
        dlg.show()
        dlg.start()
        self.detail = dlg
        return dlg

    def drill_selected(self) -> None:
        row = selected_row(self.blocks_view, self.blocks)
        if row is not None:
            self.drill(int(row["height"]))

    def drill(self, height: int) -> None:
        """The search shows one block's transactions (All transactions goes back)."""
        self.filters = {"height_from": height, "height_to": height}
        self.all_btn.show()
        self.tasks.spawn(self._page(more=False), self.notice)

    def show_all(self) -> None:
        self.all_btn.hide()
        self.search()

    def export(self) -> None:
        """The transactions shown, as CSV (the columns on screen, in this language)."""
        if not self.txs.rows:
            self.notice.error(self.tr("Search first: no transactions are shown."))
            return
        dlg = QFileDialog(self, self.tr("Export the transactions"),
                          str(documents() / "transactions.csv"), "CSV (*.csv)")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.fileSelected.connect(
            lambda p: self.tasks.spawn(self.write_csv(Path(p)), self.notice))
        dlg.open()

    async def write_csv(self, path: Path) -> None:
        n = await write_csv(self.txs, path)
        self.notice.ok(self.tr("%1 transactions written to %2").replace("%1", str(n))
                       .replace("%2", str(path)))

    def _show_count(self) -> None:
        text = self.tr("%1 transactions shown%2").replace(
            "%1", str(len(self.txs.rows))).replace("%2", self.tr(", more available")
                                                   if self.cursor else "")
        if "height_from" in self.filters:
            text = self.tr("Block %1: %2").replace(
                "%1", str(self.filters["height_from"])).replace("%2", text)
        self.count.setText(text)


class RegulatorWindow(Window):
    def __init__(self, session: Session, languages: Languages) -> None:
        super().__init__(session, languages)
        self.tabs = QTabWidget()
        self.live = LiveTab(session, self.tasks)
        self.cases = CasesTab(session, self.tasks)
        self.charts = ChartsTab(session, self.tasks)
        self.audit = AuditTab(session, self.tasks)
        self.network = NetworkTab(session, self.tasks)
        self.cases.open_tx = self.live.open
        self.pages: list[Any] = [self.live, self.cases, self.charts, self.audit, self.network]
        for p in self.pages:
            self.tabs.addTab(p, "")
        self.set_pages(self.tabs)
        self.bridge.block.connect(self.live.on_block)
        self.follow(self.tabs, [self.cases, self.charts])
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("CardChain — Regulator"))
        self.header.setText(self.tr("%1 · regulator (%2)").replace(
            "%1", self.session.genesis.raw["regulator"]["name"]).replace(
            "%2", self.session.identity))
        for i, text in enumerate((self.tr("Blocks && transactions"),
                                  self.tr("Compliance cases"),
                                  self.tr("Liabilities && volumes"),
                                  self.tr("Full-chain audit"), self.tr("Node health"))):
            self.tabs.setTabText(i, text)
        for p in self.pages:
            p.retranslate()

    def on_palette(self) -> None:
        """The charts are drawn again in the new palette's theme."""
        self.tasks.coalesce("charts-palette", self.charts.refresh, self.charts.notice, 0.1)

    def start(self) -> None:
        super().start()
        for p in (self.live, self.cases, self.charts):
            self.tasks.spawn(p.refresh(), p.notice)
        self.network.start()
