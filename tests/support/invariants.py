"""Ledger invariants shared by property, crash and simulation tests."""

from __future__ import annotations

from node.ledger import Genesis, Ledger
from node.ledger.lots import check_lots
from node.ledger.tx import Tx
from node.store import Store


def check_store(store: Store, genesis: Genesis) -> None:
    """Double entry, no negative balances, caps, each id applied at most once."""
    unbalanced = store.query(
        "SELECT height, pos, asset, SUM(amount) FROM postings GROUP BY height, pos, asset "
        "HAVING SUM(amount) != 0")
    assert not unbalanced, f"unbalanced postings: {unbalanced}"
    totals = store.query("SELECT asset, SUM(balance) FROM accounts GROUP BY asset "
                         "HAVING SUM(balance) != 0")
    assert not totals, f"balances do not sum to zero: {totals}"
    negative = store.query("SELECT key, balance FROM accounts WHERE balance < 0 AND "
                           "(key LIKE 'card:%' OR key LIKE 'pts:%')")
    assert not negative, f"negative card or points balance: {negative}"
    limits = genesis.limits
    over = store.query(
        "SELECT a.key, a.balance, json_extract(c.data, '$.named') FROM accounts a "
        "JOIN cards c ON a.key = 'card:' || c.key WHERE a.balance > CASE "
        "WHEN json_extract(c.data, '$.named') THEN ? ELSE ? END",
        (limits["named_balance_cap"], limits["anonymous_balance_cap"]))
    assert not over, f"card over its cap: {over}"
    if genesis.chain_format >= 5:  # every points account's dated lots make its balance
        for key, row in store.scan("accounts", "key LIKE 'pts:%'"):
            check_lots(row, key)
    for pid, p in store.scan("payments"):  # goods back never more than bought, or paid
        bought = {sku: (qty, total) for sku, qty, total in p.get("lines") or []}
        back = p.get("refunded_lines") or {}
        assert all(0 < n <= bought[sku][0] for sku, n in back.items()), (pid, back, bought)
        value = sum(bought[sku][1] // bought[sku][0] * n for sku, n in back.items())
        assert value <= p["refunded"] <= p["total"], (pid, value, p["refunded"], p["total"])
    twice = store.query("SELECT id, COUNT(*) FROM txs WHERE consumes = 1 GROUP BY id "
                        "HAVING COUNT(*) > 1")
    assert not twice, f"transaction applied twice: {twice}"
    twice_ok = store.query("SELECT id, COUNT(*) FROM txs WHERE code = 'ok' GROUP BY id "
                           "HAVING COUNT(*) > 1")
    assert not twice_ok, f"transaction accepted twice: {twice_ok}"


def replay_into(source: Store, genesis: Genesis, target: Store) -> Ledger:
    """Re-execute every stored block into ``target`` and compare hash and state root at
    every height."""
    ledger = Ledger(target, genesis)
    for height in range(1, source.height() + 1):
        block = source.block(height)
        assert block is not None
        txs = [Tx.decode(r.wire) for r in source.block_txs(height)]
        res = ledger.apply_block(txs, block.time, view=block.view, proposer=block.proposer)
        assert res.state_root == block.state_root, f"state root differs at height {height}"
        assert res.hash == block.hash, f"block hash differs at height {height}"
    return ledger
