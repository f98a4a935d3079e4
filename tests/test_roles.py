"""Every operation, as every role, over a live cluster: what each may read, stated here
independently of node/access.py, must be exactly what the validators serve.

A query added to the table without a line here fails this test; so does a query served to
a role this table does not list, or refused to one it does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from app.consortium import DEMO_PASSPHRASE, init
from app.flows import my_card_query
from node import access
from node.ledger.cycles import cycle_of
from node.net.client import Client, ClientError, Refused
from tests.support.cluster import LocalCluster, close_all, wait_heights_equal

pytestmark = pytest.mark.slow

# who may read what in this scenario: an EHB card, paid with at M001 (acquired by EHB)
IDENTITIES = {"regulator-1": "regulator", "clearing-1": "clearing",
              "clerk-EHB-1": "bank EHB", "clerk-JRB-1": "bank JRB",
              "terminal-M001-T01": "till M001", "terminal-M002-T01": "till M002"}
EVERYONE = set(IDENTITIES.values())
BANKS = {"bank EHB", "bank JRB"}
TILLS = {"till M001", "till M002"}
M001 = {"regulator", "clearing", "bank EHB", "till M001"}  # M001's records
EXPECT: dict[str, set[str]] = {
    "receipt": M001, "tx": M001,  # the payment: its merchant, its banks, the regulator
    "blocks": EVERYONE, "block_list": EVERYONE, "headers": EVERYONE, "attests": EVERYONE,
    "contracts": EVERYONE,
    "fetch_blocks": EVERYONE - TILLS,  # whole blocks: full observers only
    "my_card": EVERYONE,  # signed by the card: through any connection
    "compliance": {"regulator"}, "summary": {"regulator"},
    "card": {"regulator", "bank EHB"}, "history": {"regulator", "bank EHB"},
    "cards": {"regulator", "bank EHB"},
    "txs": M001, "merchant_txs": M001, "statement": M001, "statement_lines": M001,
    "refundable": M001, "catalogue": M001,
    "offer": TILLS,  # the card signs: any till it is presented at
    "issuers": EVERYONE - TILLS, "merchants": EVERYONE - TILLS,
    "merchant_volumes": {"regulator", "clearing"},
    "bank_payable": {"regulator", "clearing", "bank EHB"},
    "netting": EVERYONE - TILLS,  # a bank sees its own pairs
    "points_terminals": EVERYONE - TILLS,  # what a bank's terminal rules choose from
    "points_statement": {"regulator", "clearing", "bank EHB"},  # EHB's points of a day
    "outstanding_history": EVERYONE - TILLS,  # a bank its own line
    "throughput": {"regulator"},  # every transaction counted
    "proposals": {"regulator", "bank EHB", "bank JRB"},  # a bank its own (four eyes)
}


def test_every_query_as_every_role_is_what_the_table_says(tmp_path: Path) -> None:
    assert set(EXPECT) == set(access.QUERIES), "a query without a line in EXPECT"
    c = LocalCluster(tmp_path, 4)
    c.start_all()
    try:
        served = asyncio.run(_every_query(c))
    finally:
        c.stop_all()
    wrong = {q: (sorted(got), sorted(EXPECT[q])) for q, got in served.items()
             if got != EXPECT[q]}
    assert not wrong, wrong


async def _every_query(c: LocalCluster) -> dict[str, set[str]]:
    clients = {who: await c.client(k % c.n, who) for k, who in enumerate(IDENTITIES)}
    try:
        clerk, till = clients["clerk-EHB-1"], clients["terminal-M001-T01"]
        tx, number, key = c.issue(deposit=100_000)
        assert (await clerk.submit(tx))["code"] == "ok"
        items = [{"sku": "TEA-250", "qty": 1}]
        now = int(time.time() * 1000)
        offer = await till.query("offer", items=items, banks=[],
                                 **my_card_query(number, key, now, "offer"))
        pay = c.builder.make("pay", {"terminal": "M001-T01", "card": number, "order": "R-1",
                                     "items": items, "amount": offer["total"]}, now,
                             c.keys["terminal-M001-T01"], key)
        paid = await till.submit(pay)
        assert paid["code"] == "ok"
        # every validator has the payment before anyone asks for it (each client reads
        # its own validator, which may commit a moment after the one the till used)
        await wait_heights_equal(list(clients.values()), int(paid["height"]))
        m001 = next(m for m in c.cons.genesis.merchants if m["id"] == "M001")
        cycle = cycle_of(now, m001["cutoff_min"], c.cons.genesis.params["utc_offset_min"])
        args: dict[str, dict[str, Any]] = {
            "receipt": {"id": pay.hex_id}, "tx": {"id": pay.hex_id},
            "blocks": {}, "block_list": {}, "headers": {"first": 1}, "attests": {"heights": [1]},
            "contracts": {}, "fetch_blocks": {"first": 1, "limit": 2},
            "compliance": {}, "summary": {}, "card": {"card": number},
            "history": {"card": number}, "cards": {"bank": "EHB"},
            "txs": {"filters": {"merchant": "M001"}}, "merchant_txs": {"merchant": "M001"},
            "statement": {"merchant": "M001", "cycle": cycle},
            "statement_lines": {"merchant": "M001", "cycle": cycle},
            "refundable": {"merchant": "M001"}, "catalogue": {"merchant": "M001"},
            "issuers": {}, "merchants": {}, "merchant_volumes": {},
            "bank_payable": {"bank": "EHB", "cycle": cycle}, "netting": {"cycle": cycle},
            "points_terminals": {}, "points_statement": {"bank": "EHB", "cycle": cycle},
        }
        served: dict[str, set[str]] = {q: set() for q in EXPECT}
        for q in EXPECT:
            for who, label in IDENTITIES.items():
                kw = dict(args.get(q, {}))
                if q in ("my_card", "offer"):  # the card present, its key signs
                    kw.update(my_card_query(number, key, int(time.time() * 1000), q))
                    if q == "offer":  # goods the till's merchant sells
                        kw.update(items=[{"sku": "BOOK-ATLAS" if "M002" in who else "TEA-250",
                                          "qty": 1}], banks=[])
                try:
                    await clients[who].query(q, **kw)
                    served[q].add(label)
                except Refused as exc:
                    assert "not visible" in str(exc) or " for " in str(exc) or \
                        "only a terminal" in str(exc), (q, who, str(exc))
        # the card's proof is what lets a query read it: without it, nobody
        for who in IDENTITIES:
            for q in ("my_card", "offer"):
                with pytest.raises(Refused, match=r"did not sign|only a terminal"):
                    await clients[who].query(q, card=number, items=items, banks=[])
        # operations and queries outside the table: refused to everyone
        for who in IDENTITIES:
            for op in ("nosuch", "delete", "query"):
                with pytest.raises(Refused):
                    await clients[who].call(op, q="everything") if op == "query" else \
                        await clients[who].call(op)
            assert (await clients[who].status())["height"] >= 0  # status: every member
        return served
    finally:
        await close_all(list(clients.values()))


def test_a_non_member_is_refused_before_any_operation(tmp_path: Path) -> None:
    c = LocalCluster(tmp_path, 4)
    other = init(tmp_path / "other", DEMO_PASSPHRASE, genesis_time=int(time.time() * 1000),
                 kdf_n=2**10)
    c.start_all()

    async def main() -> None:
        await close_all([await c.client(0, "regulator-1")])  # the cluster is up
        stranger = Client(other.home, "regulator-1", other.keys)
        try:
            with pytest.raises((ClientError, OSError, TimeoutError)):
                await stranger.connect(*c.addr(0), timeout=3)
                await stranger.status()
        finally:
            await stranger.close()

    try:
        asyncio.run(main())
    finally:
        c.stop_all()
