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
    """Each finding the audit can report (node/audit.py, audit_rows.py, certs.cert_problem)
    is a wording the window translates: a Finding's template, or a fixed text; none is
    an f-string the window would have to parse back."""
    src = "".join((ROOT / "node" / f).read_text("utf-8")
                  for f in ("audit.py", "audit_rows.py", "consensus/certs.py"))
    templates = re.findall(r'Finding\(\s*"([^"]+)"', src)
    plain = re.findall(r'report\.add\([^,]+, "([^"]+)"\)', src)
    plain += re.findall(r'return "([^"]+)", \[\]', src)
    plain += re.findall(r'out\.append\(\([^,]+, "([^"]+)"\)\)', src)
    assert len(templates) >= 15 and len(plain) >= 8, (templates, plain)
    for text in templates + plain:
        assert texts.audit_wording(text), text
    assert not re.findall(r'report\.add\([^,]+, f"|return f"[^"]*", \[\]', src)
    from node.findings import Finding

    zh = texts.audit_problem(Finding("state row %1 %2 is missing (last written at height %3)",
                                     "cards", "6214", 12))
    assert "cards" in zh and "6214" in zh and "12" in zh


def test_every_kind_decision_and_rule_has_words() -> None:
    from node.compliance import RULES as CHECKS
    from node.ledger.errors import Reason
    from node.ledger.rules import RULES

    assert set(texts.KINDS) == set(RULES)
    assert set(texts.CODES) == set(texts.REASONS) == {r.value for r in Reason} | {"ok"}
    assert set(texts.RULES) == set(CHECKS)


def test_a_rule_description_shows_the_consortiums_own_limits(world: Any) -> None:
    """Genesis sets the caps and the real-name threshold: the regulator's window (and the
    `compliance` query) describe the rules with those, not with the defaults."""
    from dataclasses import replace

    from app.model import rule_limits
    from node.compliance import describe

    limits = {"named": 800_000, "anonymous": 150_000, "threshold": 2_000_000}
    doc = texts.rule_doc("balance_cap", limits)
    assert "¥8,000.00" in doc and "¥1,500.00" in doc and "%" not in doc
    assert "¥20,000.00" in texts.rule_doc("real_name", limits)
    g = world.genesis
    assert rule_limits(g)["named"] == g.limits["named_balance_cap"]
    raised = replace(g, raw={**g.raw, "limits": {**g.limits, "real_name_threshold": 3_000_000}})
    assert "30,000 CNY" in describe(raised, "real_name")


def test_a_decision_says_the_nodes_amounts_in_yuan() -> None:
    from ui import texts

    line = texts.decision("insufficient_funds", "card ****1234 holds 73200 fen; 1099900 fen "
                                                "is due")
    assert "¥732.00" in line and "¥10,999.00" in line and " fen" not in line
    assert texts.decision("ok", "") == texts.reason("ok")
