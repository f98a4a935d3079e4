"""Node health for every validator: height, view, primary, lag, peers, queued requests,
the longest stall of its event loop, last view change."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.session import Session
from ui.common import Column, Notice, RecordModel, Tasks, table
from ui.shell import qtext

HEALTH = [Column("identity", "Validator"), Column("state", "State", "enum"),
          Column("height", "Height", "int"), Column("lag", "Behind", "int"),
          Column("view", "View", "int"), Column("primary", "Primary"),
          Column("peers_text", "Connected peers"), Column("pending", "Queued", "int"),
          # how long the node's loop was ever kept from answering its peers: a figure
          # near the request timeout (1 s) warns of needless view changes
          Column("stall_ms", "Longest stall (ms)", "int"),
          Column("view_since", "Last view change", "time")]


class NetworkTab(QWidget):
    def __init__(self, session: Session, tasks: Tasks) -> None:
        super().__init__()
        self.session, self.tasks = session, tasks
        lay = QVBoxLayout(self)
        self.help = QLabel()
        self.help.setWordWrap(True)
        lay.addWidget(self.help)
        self.model = RecordModel(HEALTH, lambda s: qtext("Columns", s), self)
        lay.addWidget(table(self.model, stretch=len(HEALTH) - 1))
        self.own = QLabel()
        lay.addWidget(self.own)
        self.notice = Notice()
        lay.addWidget(self.notice)
        self.timer = QTimer(self)
        self.timer.setInterval(2000)
        self.timer.timeout.connect(self._tick)
        self._busy = False

    def start(self) -> None:
        self.timer.start()

    def retranslate(self) -> None:
        n = len(self.session.genesis.validators)
        f = (n - 1) // 3
        self.help.setText(self.tr("%1 validators agree by PBFT: the network keeps going with "
                                  "up to %2 of them down or faulty, and every block carries "
                                  "the signatures of %3.").replace("%1", str(n))
                          .replace("%2", str(f)).replace("%3", str(2 * f + 1)))
        self.model.retranslate()

    def _tick(self) -> None:
        if not self._busy and self.isVisible():
            self._busy = True
            t = self.tasks.spawn(self.refresh(), self.notice)
            t.add_done_callback(lambda _t: setattr(self, "_busy", False))

    async def refresh(self) -> None:
        rows: list[dict[str, Any]] = await self.session.validators()
        for r in rows:
            if "error" in r:
                r["state"] = "unreachable"
                continue
            r["state"] = "view change" if r.get("view_changing") else "up"
            r["primary"] = f"validator-{r['primary']}"
            peers = r.get("peers", {})
            r["peers_text"] = f"{sum(1 for ok in peers.values() if ok)}/{len(peers)}"
            r["stall_ms"] = int(r.get("max_stall_us", 0)) // 1000
        self.model.set_rows(rows)
        st = self.session.status()
        self.own.setText(self.tr("This app's own node (%1): height %2, verified %3 blocks' "
                                 "certificates, rejected %4.")
                         .replace("%1", self.session.identity)
                         .replace("%2", str(st.get("height")))
                         .replace("%3", str(st.get("height")))
                         .replace("%4", str(st.get("rejected_blocks", 0))))
        self.notice.clear()


__all__ = ["NetworkTab"]
