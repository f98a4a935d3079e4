"""The POS's payments tab: every payment this till signed, from its durable outbox, with
where it stands (committed, refused, pending, taken offline, declined after offline
acceptance, not sent), and a button that looks the undecided ones up now."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.till import Outcome, Till
from ui.common import Column, Notice, RecordModel, Tasks, table
from ui.shell import qtext

PAYMENTS = [Column("created", "Time", "time"), Column("order", "Order"),
            Column("card", "Card", "card"), Column("amount", "Amount", "money"),
            Column("state", "Outcome", "enum"), Column("height", "Height", "int"),
            Column("tries", "Sent", "int"), Column("id", "Transaction")]


def state_key(o: Outcome) -> str:
    """The words a payment's outcome is shown in (ui/strings.py, "Columns")."""
    if o.declined_offline:
        return "declined after offline acceptance"
    return {"committed": "committed", "refused": "refused on chain",
            "pending": "pending: outcome unknown", "offline": "taken offline, not sent yet",
            "not_sent": "not sent"}[o.state]


class PaymentsTab(QWidget):
    def __init__(self, till: Till, tasks: Tasks, resolve: object) -> None:
        super().__init__()
        self.till, self.tasks = till, tasks
        lay = QVBoxLayout(self)
        self.help = QLabel()
        self.help.setWordWrap(True)
        lay.addWidget(self.help)
        self.model = RecordModel(PAYMENTS, lambda t: qtext("Columns", t), self)
        lay.addWidget(table(self.model, stretch=7))
        row = QHBoxLayout()
        self.summary = QLabel()
        row.addWidget(self.summary, 1)
        self.lookup_btn = QPushButton()
        self.lookup_btn.clicked.connect(
            lambda: self.tasks.spawn(resolve(), self.notice))  # type: ignore[operator]
        row.addWidget(self.lookup_btn)
        lay.addLayout(row)
        self.notice = Notice()
        lay.addWidget(self.notice)
        self.outcomes: list[Outcome] = []

    def retranslate(self) -> None:
        self.help.setText(self.tr(
            "Every payment this till signed, kept on disk before it was sent. A pending "
            "payment is looked up and sent again as the same signed bytes until the network "
            "decides it, so a customer is never charged twice."))
        self.lookup_btn.setText(self.tr("Look up pending payments now"))
        self.model.retranslate()
        self._show_summary()

    def refresh(self) -> None:
        self.outcomes = self.till.recent()
        self.model.set_rows([
            {"created": o.entry.created, "order": o.entry.order, "card": o.entry.card,
             "amount": o.entry.amount, "state": state_key(o),
             "height": (o.entry.height if o.state in ("committed", "refused") else None),
             "tries": o.entry.tries, "id": o.entry.id} for o in self.outcomes])
        self._show_summary()

    def _show_summary(self) -> None:
        waiting = sum(o.state in ("pending", "offline") for o in self.outcomes)
        declined = sum(o.declined_offline for o in self.outcomes)
        text = self.tr("%1 waiting for the network").replace("%1", str(waiting))
        if declined:
            text += " · " + self.tr("%1 declined after offline acceptance").replace(
                "%1", str(declined))
        self.summary.setText(text)
