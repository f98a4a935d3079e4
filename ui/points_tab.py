"""The bank's points desk: its on-chain contract (rate, share, cap, how long points live),
its own choice of goods and cap per terminal (seed CN114612219A: the bank, not the
merchant, decides what its points pay for), and its points of a day: earned, granted,
redeemed, returned, taken back and expired, with the expiry step at a day's close."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from app import cycles
from app.session import Session
from ui.common import Tasks, hbox, parse_yuan, yuan
from ui.confirm import Confirm
from ui.console_tabs import Tab

COUNTERS = ("earned", "granted", "redeemed", "returned", "taken_back", "expired")


def day_text(cycle: int) -> str:
    return f"{cycle // 10000}-{cycle // 100 % 100:02d}-{cycle % 100:02d}"


class PointsTab(Tab):
    """Contract, terminal rules and the day's points of this clerk's bank."""

    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__(session, tasks)
        self.bank = session.entity
        self.contract: dict[str, Any] = {}
        self.terminals: list[dict[str, Any]] = []
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.box = QGroupBox()
        f = QFormLayout(self.box)
        self.rate, self.share, self.cap, self.expiry = (QLineEdit(), QLineEdit(), QLineEdit(),
                                                        QLineEdit())
        self.labels = [QLabel(), QLabel(), QLabel(), QLabel()]
        for label, w in zip(self.labels, (self.rate, self.share, self.cap, self.expiry),
                            strict=True):
            f.addRow(label, w)
        self.publish = QPushButton()
        self.publish.clicked.connect(self.send)
        f.addRow(self.publish)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        f.addRow(self.explain)
        left.addWidget(self.box)

        self.day_box = QGroupBox()
        d = QFormLayout(self.day_box)
        self.day = QComboBox()
        self.day.currentIndexChanged.connect(lambda _i: self.tasks.spawn(self.load_day(),
                                                                        self.notice))
        self.day_label = QLabel()
        d.addRow(self.day_label, self.day)
        self.counter_labels = {k: QLabel() for k in COUNTERS}
        self.counter_values = {k: QLabel() for k in COUNTERS}
        for k in COUNTERS:
            self.counter_values[k].setAlignment(Qt.AlignmentFlag.AlignRight)
            d.addRow(self.counter_labels[k], self.counter_values[k])
        self.expiry_state = QLabel()
        self.expiry_state.setWordWrap(True)
        d.addRow(self.expiry_state)
        self.expire_btn = QPushButton()
        self.expire_btn.clicked.connect(self.expire)
        d.addRow(self.expire_btn)
        left.addWidget(self.day_box)
        left.addWidget(self.notice)
        left.addStretch(1)
        outer.addLayout(left, 2)

        self.rule_box = QGroupBox()
        r = QVBoxLayout(self.rule_box)
        self.terminal = QComboBox()
        self.terminal.currentIndexChanged.connect(lambda _i: self._show_rule())
        self.terminal_label = QLabel()
        r.addLayout(hbox(self.terminal_label, self.terminal))
        self.own = QCheckBox()
        self.own.toggled.connect(self._own_toggled)
        r.addWidget(self.own)
        self.goods = QListWidget()
        r.addWidget(self.goods, 1)
        self.rule_cap, self.rule_cap_label = QLineEdit(), QLabel()
        r.addLayout(hbox(self.rule_cap_label, self.rule_cap))
        self.save_rule = QPushButton()
        self.save_rule.clicked.connect(self.send_rule)
        r.addWidget(self.save_rule)
        self.rule_hint = QLabel()
        self.rule_hint.setWordWrap(True)
        r.addWidget(self.rule_hint)
        outer.addWidget(self.rule_box, 3)

    def retranslate(self) -> None:
        self.box.setTitle(self.tr("Points contract of %1 (on chain)").replace("%1", self.bank))
        for label, text in zip(self.labels, (self.tr("Points per yuan"),
                                             self.tr("Largest share of an item (%)"),
                                             self.tr("Most per order (¥)"),
                                             self.tr("Points expire after (days; 0: never)")),
                               strict=True):
            label.setText(text)
        self.publish.setText(self.tr("Publish new contract"))
        self.explain.setText(self.tr(
            "Every till asks the chain for the points offer, and every validator checks "
            "each payment against this contract: what the till shows is what the chain "
            "accepts. Earning rates stay as they are."))
        self.day_box.setTitle(self.tr("Points of a day"))
        self.day_label.setText(self.tr("Day"))
        for k, text in zip(COUNTERS, (self.tr("Earned by cardholders"),
                                      self.tr("Granted by clerks"),
                                      self.tr("Redeemed at tills"),
                                      self.tr("Given back by refunds"),
                                      self.tr("Taken back by refunds"),
                                      self.tr("Expired at the day's close")), strict=True):
            self.counter_labels[k].setText(text)
        self.expire_btn.setText(self.tr("Expire points at this day's close"))
        self.rule_box.setTitle(self.tr("Goods our points pay for, per terminal"))
        self.terminal_label.setText(self.tr("Terminal"))
        self.own.setText(self.tr("Our own choice at this terminal"))
        self.rule_cap_label.setText(self.tr("Most per order here (¥)"))
        self.save_rule.setText(self.tr("Publish this terminal's rule"))
        self.rule_hint.setText(self.tr(
            "Without a rule of ours, the merchant's catalogue decides which goods accept "
            "our points at that terminal, and the contract's cap applies."))
        self._fill_days()
        self._show_day(None)

    def _fill_days(self) -> None:
        keep = self.day.currentData()
        self.day.blockSignals(True)
        self.day.clear()
        for i, c in enumerate(cycles.recent_days(self.session.genesis, self.session.now())):
            label = day_text(c) + (self.tr(" (today)") if i == 0 else "")
            self.day.addItem(label, c)
        self.day.setCurrentIndex(max(0, self.day.findData(keep)) if keep else 0)
        self.day.blockSignals(False)

    # --- loading ------------------------------------------------------------------------------

    async def refresh(self) -> None:
        self.contract = dict((await self.session.query("contracts")).get(self.bank) or {})
        c = self.contract
        self.rate.setText(str(c.get("points_per_cny", "")))
        self.share.setText(f"{c.get('max_share_bp', 0) / 100:g}" if c else "")
        cap = c.get("max_fen_per_order")
        self.cap.setText(f"{cap // 100}.{cap % 100:02d}" if cap else "")
        self.expiry.setText(str(c.get("expire_days", 0)) if c else "")
        self.terminals = await self.session.query("points_terminals")
        keep = self.terminal.currentData()
        self.terminal.blockSignals(True)
        self.terminal.clear()
        for t in self.terminals:
            self.terminal.addItem(f"{t['terminal']} · {t['name']}", t["terminal"])
        self.terminal.setCurrentIndex(max(0, self.terminal.findData(keep)))
        self.terminal.blockSignals(False)
        self._show_rule()
        await self.load_day()

    async def load_day(self) -> None:
        cycle = self.day.currentData()
        if cycle is None:
            return
        self._show_day(await self.session.query("points_statement", bank=self.bank,
                                                cycle=cycle))

    def _show_day(self, day: dict[str, Any] | None) -> None:
        for k in COUNTERS:
            self.counter_values[k].setText(f"{(day or {}).get(k, 0):,}" if day else "")
        today = self.day.currentIndex() == 0
        expiry = (day or {}).get("expiry")
        days = int(self.contract.get("expire_days", 0))
        if expiry:
            self.expiry_state.setText(self.tr(
                "Expiry step run (transaction %1): %2 points of %3 card(s) expired.")
                .replace("%1", expiry["tx"][:12]).replace("%2", f"{expiry['points']:,}")
                .replace("%3", str(expiry["cards"])))
        elif days == 0:
            self.expiry_state.setText(self.tr("Our points do not expire (contract)."))
        elif today:
            self.expiry_state.setText(self.tr("Today has not closed yet."))
        else:
            self.expiry_state.setText(self.tr(
                "At this day's close, points earned %1 or more days before it expire.")
                .replace("%1", str(days)))
        self.expire_btn.setEnabled(bool(day) and not expiry and not today and days > 0)

    def _rule(self) -> dict[str, Any] | None:
        return (self.contract.get("terminals") or {}).get(self.terminal.currentData())

    def _show_rule(self) -> None:
        t = next((x for x in self.terminals if x["terminal"] == self.terminal.currentData()),
                 None)
        rule = self._rule()
        self.goods.clear()
        for g in (t or {}).get("items", []):
            item = QListWidgetItem(f"{g['sku']} · {g['name']} · {yuan(g['price'])}")
            item.setData(Qt.ItemDataRole.UserRole, g["sku"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            chosen = (g["sku"] in rule["skus"]) if rule else (self.bank in g["points_banks"])
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.goods.addItem(item)
        cap = rule["max_fen_per_order"] if rule else self.contract.get("max_fen_per_order", 0)
        self.rule_cap.setText(f"{cap // 100}.{cap % 100:02d}")
        self.own.blockSignals(True)
        self.own.setChecked(rule is not None)
        self.own.blockSignals(False)
        self._own_toggled(rule is not None)

    def _own_toggled(self, on: bool) -> None:
        self.goods.setEnabled(on)
        self.rule_cap.setEnabled(on)

    # --- acts ---------------------------------------------------------------------------------

    def _publish(self, contract: dict[str, Any], done: str) -> None:
        """Asked first, saying what changes, with a reason (on chain from format 6)."""
        words = {"points_per_cny": self.tr("points per yuan"),
                 "max_share_bp": self.tr("share of eligible goods (bp)"),
                 "max_fen_per_order": self.tr("most per order (fen)"),
                 "expire_days": self.tr("days points live"),
                 "terminals": self.tr("terminal rules")}
        changes = [f"{words.get(k, k)}: {self.contract.get(k, '—')} → {contract.get(k, '—')}"
                   for k in sorted(set(contract) | set(self.contract))
                   if contract.get(k) != self.contract.get(k)]
        body = {"bank": self.bank, "contract": contract}

        def send(why: str) -> None:
            reason = {"reason": why} if self.session.genesis.chain_format >= 6 else {}
            self.tasks.spawn(self.submit("set_points_contract", {**body, **reason}, done),
                             self.notice)

        self.confirm_dialog = Confirm(
            self, self.tr("Publish a new points contract for %1?").replace("%1", self.bank),
            self.tr("Every till pays with these terms from the next block:\n%1").replace(
                "%1", "\n".join(changes) or self.tr("(no change)")),
            self.tr("Publish"), send)
        self.confirm_dialog.open()

    def send(self) -> None:
        """The contract with new terms; its earning rates and terminal rules kept."""
        self.notice.clear()
        try:
            rate = int(self.rate.text())
            share = float(self.share.text())
            days = int(self.expiry.text() or "0")
            if not 1 <= rate <= 100_000:
                raise ValueError(self.tr("points per yuan: 1 to 100,000"))
            if not 0 < share <= 100:
                raise ValueError(self.tr("share: more than 0 and at most 100 %"))
            if not 0 <= days <= 36_500:
                raise ValueError(self.tr("expiry: 0 to 36,500 days"))
            cap = parse_yuan(self.cap.text())
        except ValueError as exc:
            self.notice.error(self.tr("Contract: %1").replace("%1", str(exc)))
            return
        contract = {**self.contract, "points_per_cny": rate, "max_share_bp": round(share * 100),
                    "max_fen_per_order": cap, "expire_days": days}
        self._publish(contract, self.tr("Contract published at height %H."))

    def send_rule(self) -> None:
        self.notice.clear()
        tid = self.terminal.currentData()
        if tid is None:
            self.notice.error(self.tr("No terminal to set a rule for."))
            return
        rules = dict(self.contract.get("terminals") or {})
        if self.own.isChecked():
            try:
                cap = parse_yuan(self.rule_cap.text()) if self.rule_cap.text().strip() not in (
                    "0", "0.00") else 0
            except ValueError as exc:
                self.notice.error(self.tr("Most per order here: %1").replace("%1", str(exc)))
                return
            skus = [self.goods.item(i).data(Qt.ItemDataRole.UserRole)
                    for i in range(self.goods.count())
                    if self.goods.item(i).checkState() == Qt.CheckState.Checked]
            rules[tid] = {"skus": skus, "max_fen_per_order": cap}
        else:
            rules.pop(tid, None)
        contract = {k: v for k, v in self.contract.items() if k != "terminals"}
        if rules:
            contract["terminals"] = rules
        self._publish(contract, self.tr("Rule for terminal %1 published at height %H.")
                      .replace("%1", tid))

    def expire(self) -> None:
        cycle = self.day.currentData()
        self.tasks.spawn(self.submit("expire_points", {"bank": self.bank, "cycle": cycle},
                                     self.tr("Points expired at the close of %1 (height %H).")
                                     .replace("%1", day_text(cycle))), self.notice)
