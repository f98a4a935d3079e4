"""Data access: filters and pagination over decided transactions."""

from __future__ import annotations

import pytest

from node.ledger import queries as q
from node.ledger.errors import Rejected
from tests.support.world import World


def test_filters_and_pages(world: World) -> None:
    w = world
    a = w.issue(deposit=200_000)
    b = w.issue("JRB", deposit=200_000)
    for k in range(7):
        assert w.one(w.pay_tx(a, [{"sku": "TEA-250", "qty": 1}], order=f"A{k}")).ok
    assert w.one(w.pay_tx(b, [{"sku": "BOOK-NOVEL", "qty": 1}], terminal="M002-T01")).ok
    w.one(w.tx("top_up", {"card": a, "amount": 10**13}, w.clerk()))  # rejected, recorded
    page1 = q.transactions(w.store, {"card": a}, limit=4)
    page2 = q.transactions(w.store, {"card": a}, limit=4, offset=4)
    page3 = q.transactions(w.store, {"card": a}, limit=4, offset=8)
    ids = [t["id"] for p in (page1, page2, page3) for t in p["items"]]
    assert len(ids) == len(set(ids)) == 9 and page1["more"] and not page3["more"]
    order = [(t["height"], t["pos"]) for p in (page1, page2, page3) for t in p["items"]]
    assert order == sorted(order, reverse=True)
    oldest = q.transactions(w.store, {"card": a}, limit=4, offset=4, newest_first=False)
    assert [t["id"] for t in oldest["items"]] == ids[::-1][4:8]
    by_cursor = q.transactions(w.store, {"card": a}, limit=4, after=page1["next"])
    assert [t["id"] for t in by_cursor["items"]] == [t["id"] for t in page2["items"]]
    assert page1["items"][0]["code"] == "bad_amount"  # newest first, rejections included
    pays = q.transactions(w.store, {"kind": "pay", "merchant": "M001"}, limit=50)["items"]
    assert len(pays) == 7 and all(t["bank"] == "EHB" for t in pays)
    assert len(q.transactions(w.store, {"bank": "JRB", "kind": "pay"})["items"]) == 1
    big = q.transactions(w.store, {"amount_min": 5_000, "kind": "pay"})["items"]
    assert [t["merchant"] for t in big] == ["M002"]
    t0 = pays[-1]["time"]
    assert len(q.transactions(w.store, {"kind": "pay", "time_from": t0 + 1,
                                        "merchant": "M001"})["items"]) == 6
    # per hour: the nine transactions of this card and the JRB payment, one refused
    head = w.store.head()
    assert head is not None
    hours = q.throughput(w.store, head.time, 3)
    assert [h["hour"] for h in hours] == [(head.time // q.HOUR_MS - 2 + i) * q.HOUR_MS
                                         for i in range(3)]
    total = q.transactions(w.store, {"time_from": hours[0]["hour"]}, limit=500)["items"]
    assert sum(h["accepted"] + h["refused"] for h in hours) == len(total) >= 10
    assert sum(h["refused"] for h in hours) == sum(t["code"] != "ok" for t in total) >= 1
    with pytest.raises(Rejected, match="unknown filter"):
        q.transactions(w.store, {"colour": "red"})
    with pytest.raises(Rejected, match="limit"):
        q.transactions(w.store, {}, limit=10_000)
    with pytest.raises(Rejected, match="integer"):
        q.transactions(w.store, {"amount_min": "5"})


def test_a_version_3_file_gets_the_paging_indexes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite_utils

    from node.store import schema
    db = sqlite_utils.Database(tmp_path / "old.db")
    for step in schema.MIGRATIONS[:3]:
        step(db)
    db.execute("CREATE INDEX idx_txs_card_height ON txs(card, height)")  # as v1 made it
    db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '3')")
    assert schema.migrate(db) == schema.SCHEMA_VERSION == 10
    names = {r[1] for r in db.execute("PRAGMA index_list(txs)").fetchall()}
    assert {"idx_txs_card_height_pos", "idx_txs_merchant_height_pos"} <= names
    assert "idx_txs_card_height" not in names


def test_a_version_5_file_loses_the_indexes_no_query_reads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite_utils

    from node.store import schema
    db = sqlite_utils.Database(tmp_path / "old.db")
    for step in schema.MIGRATIONS[:5]:
        step(db)
    # as versions 1-5 made them: each written at a random page by every payment
    db["payments"].create_index(["card", "time"], if_not_exists=True)
    db["postings"].create_index(["account", "height"], if_not_exists=True)
    db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '5')")
    assert schema.migrate(db) == schema.SCHEMA_VERSION
    # v7: the result certificate beside each block, and the merchant orders' payments
    assert "attest" in db["blocks"].columns_dict and "orders" in db.table_names()
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not names & set(schema.UNREAD_INDEXES)
    assert {"idx_payments_merchant_cycle", "idx_txs_card_height_pos"} <= names
    # a new file never has them
    fresh = sqlite_utils.Database(tmp_path / "new.db")
    schema.migrate(fresh)
    assert not {r[0] for r in fresh.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")} & set(schema.UNREAD_INDEXES)


def test_catalogue_cards_issuers_and_merchant_volumes(world: World) -> None:
    w = world
    a = w.issue(deposit=200_000)
    w.issue("JRB", deposit=50_000)
    assert w.one(w.pay_tx(a, [{"sku": "TEA-250", "qty": 2}])).ok
    cat = q.catalogue(w.store, "M001")
    assert cat["acquirer"] == "EHB" and "TEA-250" in {i["sku"] for i in cat["items"]}
    with pytest.raises(Rejected, match="no merchant"):
        q.catalogue(w.store, "M404")
    ehb = q.bank_cards(w.store, w.genesis, "EHB")
    assert [c["card"] for c in ehb] == [a] and ehb[0]["balance"] == 200_000 - 9_600
    assert q.bank_cards(w.store, w.genesis, "EHB", text=a[:8])[0]["card"] == a
    assert q.bank_cards(w.store, w.genesis, "EHB", status="frozen") == []
    iss = {r["bank"]: r for r in q.issuers(w.store, w.genesis)}
    # prepaid funds stay outstanding until the merchant is settled
    assert iss["EHB"]["outstanding"] == 200_000 and iss["JRB"]["outstanding"] == 50_000
    assert iss["EHB"]["cards"] == 1 and iss["EHB"]["ratio_bp"] == 0
    vol = q.merchant_volumes(w.store)
    assert vol == [{"merchant": "M001", "name": vol[0]["name"], "payments": 1, "gross": 9_600,
                    "refunds": 0, "refunded": 0}]
