"""The bank clerk's console: cards, card sales, points, merchants, clearing, custody and
the network.  Opened as the clearing house, the same window closes cycles on chain.

The tabs are in ui/cards_tab.py, ui/sales_tab.py, ui/points_tab.py, ui/console_tabs.py,
ui/clearing_tab.py and ui/network.py.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from app.session import Session
from ui.approvals_tab import ApprovalsTab
from ui.cards_tab import CardsTab
from ui.clearing_tab import ClearingTab
from ui.console_tabs import CustodyTab, MerchantsTab
from ui.customer_tab import CustomerTab
from ui.network import NetworkTab
from ui.points_tab import PointsTab
from ui.sales_tab import SalesTab
from ui.shell import Languages, Window


def needs_any_second_clerk(session: Session) -> bool:
    """The clerk's bank takes some acts from two clerks (four eyes, chain format 6)."""
    entry = next((b for b in session.genesis.banks if b["id"] == session.entity), {})
    return session.genesis.chain_format >= 6 and bool(entry.get("four_eyes"))


class ConsoleWindow(Window):
    def __init__(self, session: Session, languages: Languages) -> None:
        super().__init__(session, languages)
        self.tabs = QTabWidget()
        self.cards = CardsTab(session, self.tasks) if session.role == "clerk" else None
        self.customers = CustomerTab(session, self.tasks) if session.role == "clerk" else None
        self.approvals = ApprovalsTab(session, self.tasks) if session.role == "clerk" and \
            needs_any_second_clerk(session) else None
        self.points = PointsTab(session, self.tasks) if session.role == "clerk" else None
        self.sales = SalesTab(session, self.tasks) if session.role == "clerk" else None
        self.merchants = MerchantsTab(session, self.tasks)
        self.clearing = ClearingTab(session, self.tasks)
        self.custody = CustodyTab(session, self.tasks) if session.role == "clerk" else None
        self.network = NetworkTab(session, self.tasks)
        self.pages: list[QWidget] = [p for p in (self.cards, self.customers, self.approvals,
                                                 self.sales, self.points,
                                                 self.merchants, self.clearing, self.custody,
                                                 self.network)
                                     if p is not None]
        for p in self.pages:
            self.tabs.addTab(p, "")
        self.set_pages(self.tabs)
        self.follow(self.tabs, [p for p in (self.cards, self.customers, self.approvals,
                                            self.merchants, self.clearing, self.custody)
                                if p is not None])
        self.retranslate()

    def retranslate(self) -> None:
        s = self.session
        if s.role == "clerk":
            bank = next((b["name"] for b in s.genesis.banks if b["id"] == s.entity), s.entity)
            self.setWindowTitle(self.tr("CardChain — Bank console"))
            self.header.setText(self.tr("%1 · clerk console (%2)").replace("%1", bank)
                                .replace("%2", s.identity))
        else:
            self.setWindowTitle(self.tr("CardChain — Clearing house"))
            self.header.setText(self.tr("Clearing house console (%1)").replace("%1",
                                                                              s.identity))
        names = {id(self.cards): self.tr("Cards"), id(self.customers): self.tr("Customers"),
                 id(self.approvals): self.tr("Approvals"),
                 id(self.sales): self.tr("Card sales"),
                 id(self.points): self.tr("Points"),
                 id(self.merchants): self.tr("Merchants && terminals"),
                 id(self.clearing): self.tr("Clearing"), id(self.custody): self.tr("Custody"),
                 id(self.network): self.tr("Network")}
        for i, p in enumerate(self.pages):
            self.tabs.setTabText(i, names[id(p)])
            p.retranslate()  # type: ignore[attr-defined]

    def start(self) -> None:
        super().start()
        for p in self.pages:
            self.tasks.spawn(p.refresh(), getattr(p, "notice", None))  # type: ignore[attr-defined]
        self.network.start()

