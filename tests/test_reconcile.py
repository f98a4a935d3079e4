"""A till's journal against the chain: every kind of difference is reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.reconcile import journal_append, read_journal, reconcile
from node.ledger import queries as q
from tests.support.world import World

DAY = 20261124


def test_differences_are_reported(world: World, tmp_path: Path) -> None:
    w = world
    journal = tmp_path / "till.jsonl"
    a = w.issue(deposit=30_000)
    sent = []
    for k in range(3):  # three payments the till sent and the chain accepted
        t = w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}], order=f"OK{k}")
        journal_append(journal, t, "M001-T01")
        assert w.one(t).ok
        sent.append(t)
    broke = w.pay_tx(a, [{"sku": "MOON-BOX", "qty": 1}], order="BROKE")  # rejected
    journal_append(journal, broke, "M001-T01")
    assert w.one(broke).code == "insufficient_funds"
    lost = w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}], order="LOST")  # never reached a node
    journal_append(journal, lost, "M001-T01")
    unlogged = w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}], order="UNLOGGED")
    assert w.one(unlogged).ok  # on chain, but the till crashed before writing it
    other_till = w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}], terminal="M001-T02", order="T2")
    assert w.one(other_till).ok
    entries = read_journal(journal)
    entries[1]["amount"] = 4_700  # the till recorded another amount
    rows = {r[0]: {"code": r[1]} for r in w.store.query("SELECT id, code FROM txs")}

    def lookup(tx_id: str) -> dict[str, Any] | None:
        return rows.get(tx_id)

    lines = q.statement_lines(w.store, "M001", DAY)
    rec = reconcile(entries, lines, lookup, terminal="M001-T01")
    assert not rec.clean
    assert rec.matched == 2
    assert [d["order"] for d in rec.amount_differs] == ["OK1"]
    assert rec.amount_differs[0]["till"] == 4_700 and rec.amount_differs[0]["chain"] == 4_800
    assert [d["order"] for d in rec.rejected] == ["BROKE"]
    assert rec.rejected[0]["reason"] == "insufficient_funds"
    assert [d["order"] for d in rec.till_only] == ["LOST"]
    assert [d["order"] for d in rec.chain_only] == ["UNLOGGED"]  # T2's sale is not this till's
    whole = reconcile(entries, lines, lookup)  # the merchant as a whole
    assert {d["order"] for d in whole.chain_only} == {"UNLOGGED", "T2"}
    clean = reconcile([e for e in read_journal(journal) if e["order"].startswith("OK")],
                      [x for x in lines if x["order"].startswith("OK")], lookup)
    assert clean.clean and clean.matched == 3
    # a sale refused while the till waited online is listed, but the two agree
    refused = reconcile([e for e in read_journal(journal)
                         if e["order"].startswith("OK") or e["order"] == "BROKE"],
                        [x for x in lines if x["order"].startswith("OK")], lookup)
    assert refused.clean and [d["order"] for d in refused.rejected] == ["BROKE"]


def test_bad_journal_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "j.jsonl"
    p.write_text(json.dumps({"tx": "x", "type": "payment", "amount": 1}) + "\nnot json\n")
    with pytest.raises(ValueError, match="line 2"):
        read_journal(p)


def test_entries_sent_in_another_cycle_are_not_this_cycles_differences() -> None:
    journal = [{"tx": "a" * 64, "type": "payment", "amount": 100, "order": "O1",
                "terminal": "T", "sent": 5_000},
               {"tx": "b" * 64, "type": "payment", "amount": 200, "order": "O2",
                "terminal": "T", "sent": 50_000}]
    never = reconcile(journal, [], lambda _i: None, "T")
    assert len(never.till_only) == 2
    windowed = reconcile(journal, [], lambda _i: None, "T", window=(10_000, 60_000))
    assert [e["order"] for e in windowed.till_only] == ["O2"] and windowed.other_cycle == 1
