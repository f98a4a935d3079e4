"""What the windows say, checked without a cluster: every reason, finding, kind, decision
and rule has words in both languages; block-driven reloads coalesce; the Qt binding keeps
its reference counts."""


from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from tests.support.waiting import until
from ui import texts
from ui.common import Column, RecordModel

ROOT = Path(__file__).resolve().parent.parent


def test_qt_binding_keeps_reference_counts(qapp: Any) -> None:
    """PySide6 6.12.0 drops a reference to None on every void call (and to True/False on
    bool returns) under Python 3.11, so a window dies after enough calls; pyproject.toml
    excludes it.  This fails on such a binding."""
    import sys

    from PySide6.QtWidgets import QLabel

    label = QLabel("x")
    none0, true0 = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(5_000):
        label.setText("y")
        label.isVisible()
        label.setVisible(False)
    assert abs(sys.getrefcount(None) - none0) < 100
    assert abs(sys.getrefcount(True) - true0) < 100


def test_block_driven_reloads_are_coalesced() -> None:
    from ui.common import Tasks

    calls: list[int] = []

    async def reload() -> None:
        calls.append(1)

    async def burst() -> None:
        tasks = Tasks()
        for _ in range(20):  # twenty blocks in a burst
            tasks.coalesce("table", reload, delay=0.05)
        await until(lambda: len(calls) == 1, 5)
        tasks.coalesce("table", reload, delay=0.05)  # a later block: one more reload
        await until(lambda: len(calls) == 2, 5)
        await asyncio.sleep(0.15)  # not a wait: time for a third reload that must not come

    asyncio.run(burst())
    assert len(calls) == 2


def test_every_translated_reason_is_a_ledger_reason() -> None:
    from node.ledger.errors import Reason

    assert set(texts.REASONS) <= {r.value for r in Reason} | {"ok"}


def test_a_time_of_zero_reads_never() -> None:
    model = RecordModel([Column("view_since", "Last view change", "time")])
    assert model.show(model.columns[0], 0) == "—"  # a validator still in view 0
    assert model.show(model.columns[0], 1_795_533_344_054) == "2026-11-24 23:15:44"


def test_every_audit_finding_has_words() -> None:
    """Each finding node/audit.py and certs.cert_problem can report matches a wording."""
    src = "".join((ROOT / "node" / f).read_text("utf-8")
                  for f in ("audit.py", "consensus/certs.py"))
    found = re.findall(r'report\.add\([^,]+, f?"([^"]+)"\)', src)
    found += re.findall(r'return f?"([^"]+)", \[\]', src)
    assert len(found) >= 20
    for text in found:
        sample = re.sub(r"\{[^}]*\}", "x1", text)
        assert texts.audit_wording(sample), text


def test_every_kind_decision_and_rule_has_words() -> None:
    from node.compliance import RULES as CHECKS
    from node.ledger.errors import Reason
    from node.ledger.rules import RULES

    assert set(texts.KINDS) == set(RULES)
    assert set(texts.CODES) == set(texts.REASONS) == {r.value for r in Reason} | {"ok"}
    assert set(texts.RULES) == set(CHECKS)
