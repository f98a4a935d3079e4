"""Read-only queries over committed state.  The redemption offer and the statement use the
same contract and clearing code as execution, so what the till or the clerk is shown is
exactly what a transaction built from it will get.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from node.ledger import points as pts
from node.ledger.cards import CARD_STATUSES
from node.ledger.clearing import statement
from node.ledger.cycles import cycle_end, cycle_of_day, day_of_cycle, valid_cycle
from node.ledger.errors import Reason, Rejected
from node.ledger.genesis import Genesis
from node.ledger.lots import COUNTERS, day_counters
from node.ledger.rules import card_acct, mask, pts_acct
from node.ledger.tx import Tx
from node.store import Store


def balance(store: Store, account: str) -> int:
    row = store.get("accounts", account)
    return 0 if row is None else int(row["balance"])


def card_info(store: Store, genesis: Genesis, number: str) -> dict[str, Any]:
    row = store.get("cards", number)
    if row is None:
        raise Rejected(Reason.UNKNOWN_CARD, f"no card {mask(number)}")
    return {
        "card": number, **row,
        "balance": balance(store, card_acct(number)),
        "points": {b: balance(store, pts_acct(b, number)) for b in genesis.bank_ids},
    }


def contracts(store: Store, genesis: Genesis) -> dict[str, dict[str, int] | None]:
    out: dict[str, dict[str, int] | None] = {}
    for b in genesis.bank_ids:
        row = store.get("banks", b)
        out[b] = None if row is None else row.get("points_contract")
    return out


def redemption_offer(store: Store, genesis: Genesis, terminal: str, number: str,
                     items: list[dict[str, Any]], banks: list[str] | None = None) \
        -> dict[str, Any]:
    """Which goods of this order can be partly paid by which bank's points, and how much."""
    trow = store.get("terminals", terminal)
    if trow is None:
        raise Rejected(Reason.UNKNOWN_TERMINAL, f"no terminal {terminal!r}")
    cat = store.get("catalogues", trow["merchant"])
    lines = pts.price_lines(cat["items"] if cat else [], items)
    info = card_info(store, genesis, number)
    cons = contracts(store, genesis)
    if genesis.chain_format >= 5:
        lines, cons = pts.at_terminal(lines, cons, terminal)
    offers = pts.offers(lines, cons, info["points"])
    chosen = banks if banks is not None else [o.bank for o in offers]
    best = pts.best_combination(lines, cons, info["points"], chosen)
    total = sum(x.total for x in lines)
    return {
        "merchant": trow["merchant"],
        "lines": [asdict(x) for x in lines],
        "total": total,
        "offers": [asdict(o) for o in offers],
        "combination": [asdict(r) for r in best],
        "cash_due": total - sum(r.cash for r in best),
        # the card as the chain has it now: what the till checks before it asks to pay
        "card_balance": info["balance"], "card_status": info["status"],
    }


def cycle_statement(store: Store, genesis: Genesis, merchant: str, cycle: int) \
        -> dict[str, Any]:
    m = store.get("merchants", merchant)
    if m is None:
        raise Rejected(Reason.UNKNOWN_MERCHANT, f"no merchant {merchant!r}")
    figures = statement(store.get("cycles", f"{merchant}|{cycle}"), m)
    settled = store.get("settlements", f"{merchant}|{cycle}")
    return {
        "merchant": merchant, "name": m["name"], "cycle": cycle,
        "acquirer": m["acquirer"], "fee_bp": m["fee_bp"],
        "closes_at": cycle_end(cycle, m["cutoff_min"], genesis.params["utc_offset_min"]),
        "settled": settled is not None, **figures,
        # the money moved for it (chain format 4): the payout, each bank's points
        "paid": None if settled is None else settled.get("paid"),
        "points_paid": {} if settled is None else dict(settled.get("points_paid") or {}),
    }


def statement_lines(store: Store, merchant: str, cycle: int) -> list[dict[str, Any]]:
    """Every payment and refund of a merchant's cycle, in time order (for the statement)."""
    lines: list[dict[str, Any]] = []
    for key, p in store.scan("payments", "merchant = ? AND cycle = ?", (merchant, cycle)):
        lines.append({"type": "payment", "tx": key, "time": p["time"], "order": p["order"],
                      "terminal": p["terminal"], "card": mask(p["card"]), "amount": p["total"],
                      "cash": p["cash"],
                      "points": {b: cash for b, _pts, cash in p["redeemed"]}})
    for key, r in store.scan("refunds", "merchant = ? AND cycle = ?", (merchant, cycle)):
        lines.append({"type": "refund", "tx": key, "time": r["time"], "order": r["order"],
                      "terminal": r["terminal"], "card": mask(r["card"]),
                      "amount": -r["amount"], "cash": -r["cash"], "points": {},
                      "payment": r["payment"]})
    lines.sort(key=lambda x: (x["time"], x["tx"]))
    return lines


def bank_payable(store: Store, bank: str, cycle: int) -> dict[str, int]:
    """What ``bank`` owes each merchant for points redeemed in ``cycle`` (net of refunds)."""
    out: dict[str, int] = {}
    for _key, c in store.scan("cycles", "cycle = ?", (cycle,)):
        fen = c["points"].get(bank, 0)
        if fen:
            out[c["merchant"]] = fen
    return out


def settle_body(store: Store, genesis: Genesis, merchant: str, cycle: int) -> dict[str, Any]:
    """The clearing house's proposal for closing a cycle."""
    s = cycle_statement(store, genesis, merchant, cycle)
    keys = ("count", "refund_count", "gross", "refunds", "points", "fee", "net")
    return {"merchant": merchant, "cycle": cycle, **{k: s[k] for k in keys}}


def card_history(store: Store, number: str, limit: int = 100,
                 banks: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The card's transactions, newest first; a row that moved points says how many per
    bank (``points``: earned +, redeemed or expired -), and the expiries of the card's
    points by ``banks`` (one step for many cards) are rows of their own."""
    rows = store.query(
        "SELECT height, pos, id, kind, code, message, amount, time, merchant, bank, wire "
        "FROM txs WHERE card = ? ORDER BY height DESC, pos DESC LIMIT ?", (number, limit))
    keys = ("height", "pos", "id", "kind", "code", "message", "amount", "time", "merchant")
    out = []
    for r in rows:
        h: dict[str, Any] = dict(zip(keys, r[:9], strict=True))
        moved = _points_moved(store, h, r[9]) if h["code"] == "ok" else {}
        if moved:
            h["points"] = moved
        h["signers"] = signers_of(r[10])
        out.append(h)
    cash = store.get("accounts", card_acct(number)) or {}
    for tx_id, fen, source in cash.get("received") or []:  # transfers in (format 5)
        _add_entry(store, out, tx_id, "transfer", f"received from card {source}", fen)
    for bank in banks:
        acct = store.get("accounts", pts_acct(bank, number)) or {}
        for cycle, n, tx_id in acct.get("expired") or []:
            _add_entry(store, out, tx_id, "expire_points",
                       f"{n} {bank} points expired at the close of {cycle}", n,
                       points={bank: -n})
    out.sort(key=lambda h: (h["height"], h["pos"]), reverse=True)
    return out[:limit]


def signers_of(wire: bytes) -> list[str]:
    """The public keys that signed a stored transaction (who did it: a clerk, a terminal);
    none for bytes that do not decode."""
    try:
        return sorted(Tx.decode_trusted(bytes(wire)).signers())
    except (Rejected, ValueError, KeyError, TypeError):
        return []


def _add_entry(store: Store, out: list[dict[str, Any]], tx_id: str, kind: str,
               message: str, amount: int, **extra: Any) -> None:
    """A history row for a transaction that touched the card without naming it (one
    transaction for many cards, or the receiving side), placed where it was decided."""
    found = store.query("SELECT height, pos, time, wire FROM txs WHERE id = ? AND "
                        "consumes = 1", (tx_id,))
    if found:
        height, pos, time, wire = found[0]
        out.append({"height": height, "pos": pos, "id": tx_id, "kind": kind, "code": "ok",
                    "message": message, "amount": amount, "time": time, "merchant": None,
                    "signers": signers_of(wire), **extra})


def _points_moved(store: Store, h: dict[str, Any], bank: str | None) -> dict[str, int]:
    if h["kind"] == "accrue_points" and bank:
        return {bank: int(h["amount"] or 0)}
    if h["kind"] != "pay":
        return {}
    p = store.get("payments", h["id"]) or {}
    moved = {b: -n for b, n, _cash in p.get("redeemed") or []}
    if p.get("earned"):
        b, n, _back = p["earned"]
        moved[b] = moved.get(b, 0) + n
    return moved


def points_statement(store: Store, bank: str, cycle: int) -> dict[str, Any]:
    """A bank's points movements on one day (chain format 5): earned, granted by clerks,
    redeemed, returned by refunds, taken back by refunds, expired at the day's close."""
    if not valid_cycle(cycle):
        raise Rejected(Reason.MALFORMED, "cycle must be a date as yyyymmdd")
    day = day_of_cycle(cycle)
    row = day_counters(store.get("accounts", f"bank:{bank}:points_pool"),
                       store.get("points_days", f"{bank}|{day}"), bank, day)
    expiry = store.get("points_expiries", f"{bank}|{cycle}")
    return {"bank": bank, "cycle": cycle, **{k: int(row.get(k, 0)) for k in COUNTERS},
            "expired": int(expiry["points"]) if expiry else 0, "expiry": expiry}


TX_FILTERS = {"card": "card = ?", "merchant": "merchant = ?", "bank": "bank = ?",
              "kind": "kind = ?", "code": "code = ?", "time_from": "time >= ?",
              "time_to": "time < ?", "amount_min": "amount >= ?", "amount_max": "amount <= ?",
              "height_from": "height >= ?", "height_to": "height <= ?"}
TX_COLUMNS = ("height", "pos", "id", "kind", "code", "message", "card", "merchant", "bank",
              "amount", "time")
MAX_PAGE = 500


def transactions(store: Store, filters: dict[str, Any], *, limit: int = 100,
                 offset: int = 0, newest_first: bool = True,
                 after: list[int] | None = None) -> dict[str, Any]:
    """Decided transactions matching every filter, a page at a time (indexes by card,
    merchant, bank, time and height serve these).  ``after`` is the ``next`` cursor of the
    previous page; ``offset`` walks the index only."""
    where, params = [], []
    for key, value in filters.items():
        clause = TX_FILTERS.get(key)
        if clause is None:
            raise Rejected(Reason.MALFORMED, f"unknown filter {key!r}")
        if clause.endswith(">= ?") or clause.endswith("< ?") or clause.endswith("<= ?"):
            if type(value) is not int:
                raise Rejected(Reason.MALFORMED, f"{key} must be an integer")
        elif not isinstance(value, str):
            raise Rejected(Reason.MALFORMED, f"{key} must be text")
        where.append(clause)
        params.append(value)
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE or type(offset) is not int \
            or offset < 0:
        raise Rejected(Reason.MALFORMED, f"limit must be 1..{MAX_PAGE}, offset >= 0")
    order = "DESC" if newest_first else "ASC"
    if after is not None:
        if not (isinstance(after, list) and len(after) == 2
                and all(type(x) is int for x in after)):
            raise Rejected(Reason.MALFORMED, "after must be [height, position]")
        where.append("(height, pos) < (?, ?)" if newest_first else "(height, pos) > (?, ?)")
        params.extend(after)
    # the offset is walked in the index only; rows are read for the page
    inner = "SELECT rowid FROM txs"
    if where:
        inner += " WHERE " + " AND ".join(where)
    ordered = f"ORDER BY height {order}, pos {order}"
    rows = store.query(f"SELECT {', '.join(TX_COLUMNS)} FROM txs WHERE rowid IN "
                       f"({inner} {ordered} LIMIT ? OFFSET ?) {ordered}",
                       (*params, limit + 1, offset))
    items = [dict(zip(TX_COLUMNS, r, strict=True)) for r in rows[:limit]]
    more = len(rows) > limit
    nxt = [items[-1]["height"], items[-1]["pos"]] if more and items else None
    return {"items": items, "offset": offset, "more": more, "next": nxt}


def refundable(store: Store, merchant: str, limit: int = 200) -> list[dict[str, Any]]:
    """A merchant's accepted payments, newest first, each with its order number, the terminal
    that took it, what has been refunded of it so far, its lines ([sku, qty, total]) and
    how many of each line came back (chain format 6)."""
    out = []
    for t in transactions(store, {"merchant": merchant, "kind": "pay", "code": "ok"},
                          limit=limit)["items"]:
        p = store.get("payments", t["id"]) or {}
        refunded = int(p.get("refunded", 0))
        out.append({**t, "order": p.get("order"), "terminal": p.get("terminal"),
                    "refunded": refunded, "left": int(t["amount"] or 0) - refunded,
                    "lines": p.get("lines") or [],
                    "refunded_lines": p.get("refunded_lines") or {}})
    return out


def sum_of_balances(store: Store) -> dict[str, int]:
    """Per asset, the sum of every account balance: zero when double entry holds."""
    rows = store.query("SELECT asset, SUM(balance) FROM accounts GROUP BY asset")
    return {a: int(s) for a, s in rows}


def points_terminals(store: Store) -> list[dict[str, Any]]:
    """Every terminal with its merchant and the goods sold there: what a bank chooses from
    when it names, per terminal, the goods its points pay for (prices are public: every
    till shows them)."""
    out = []
    for key, t in store.scan("terminals"):
        m = store.get("merchants", t["merchant"]) or {}
        cat = store.get("catalogues", t["merchant"]) or {}
        out.append({"terminal": key, "merchant": t["merchant"], "name": m.get("name", ""),
                    "status": t.get("status", "active"),
                    "items": [{k: g[k] for k in ("sku", "name", "price", "points_banks")}
                              for g in cat.get("items") or []]})
    return out


def catalogue(store: Store, merchant: str, genesis: Genesis | None = None,
              terminal: str | None = None) -> dict[str, Any]:
    """A merchant's goods; asked for ``terminal`` (chain format 5), each item's
    ``points_banks`` are the banks whose points pay for it there (a bank's own rule for
    the terminal, else the catalogue's)."""
    m = store.get("merchants", merchant)
    if m is None:
        raise Rejected(Reason.UNKNOWN_MERCHANT, f"no merchant {merchant!r}")
    cat = store.get("catalogues", merchant)
    items = list(cat["items"]) if cat else []
    if terminal is not None and genesis is not None and genesis.chain_format >= 5:
        lines, _ = pts.at_terminal([pts.Line(g["sku"], g["name"], 1, g["price"], g["price"],
                                             tuple(g["points_banks"])) for g in items],
                                   contracts(store, genesis), terminal)
        items = [{**g, "points_banks": list(x.banks)} for g, x in zip(items, lines,
                                                                      strict=True)]
    return {"merchant": merchant, **m, "items": items}


def bank_cards(store: Store, genesis: Genesis, bank: str, *, status: str | None = None,
               text: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """A bank's cards, newest first, with balances and points; ``text`` matches the start
    of the number or any part of the holder's name."""
    if status is not None and status not in CARD_STATUSES:
        raise Rejected(Reason.MALFORMED, f"card status must be one of {CARD_STATUSES}")
    sql = "SELECT key FROM cards WHERE bank = ?"
    params: list[Any] = [bank]
    if status:
        sql += " AND status = ?"
        params.append(status)
    if text:
        sql += " AND (key LIKE ? OR json_extract(data, '$.holder') LIKE ?)"
        params += [text.replace("%", "") + "%", "%" + text.replace("%", "") + "%"]
    sql += " ORDER BY json_extract(data, '$.issued') DESC, key LIMIT ?"
    params.append(max(1, min(int(limit), 1000)))
    return [card_info(store, genesis, k) for (k,) in store.query(sql, tuple(params))]


def issuers(store: Store, genesis: Genesis) -> list[dict[str, Any]]:
    """Per issuing bank: prepaid funds outstanding (what it owes its cardholders and, for
    what they spent, the merchants until they are paid out; as the custody rule counts
    it), the custody deposit it attested, their ratio in basis points, and its card
    count.  Before chain format 4: the funds its cards took in (its float account)."""
    out = []
    for b in genesis.bank_ids:
        row = store.get("banks", b) or {}
        if genesis.chain_format >= 4:
            outstanding = cards_balance(store, b) + int(row.get("in_flight", 0))
        else:
            outstanding = -balance(store, f"bank:{b}:float")
        custody = int(row.get("custody", 0))
        cards = store.query("SELECT COUNT(*) FROM cards WHERE bank = ?", (b,))[0][0]
        out.append({"bank": b, "name": row.get("name", b), "outstanding": outstanding,
                    "custody": custody, "cards": int(cards),
                    "ratio_bp": custody * 10_000 // outstanding if outstanding > 0 else None})
    return out


def cards_balance(store: Store, bank: str) -> int:
    """The sum of the balances of a bank's cards."""
    rows = store.query("SELECT COALESCE(SUM(a.balance), 0) FROM cards c JOIN accounts a "
                       "ON a.key = 'card:' || c.key WHERE c.bank = ?", (bank,))
    return int(rows[0][0])


def netting(store: Store, cycle: int, bank: str | None = None) -> list[dict[str, Any]]:
    """A cycle's interbank positions, a row per pair of banks (``bank``'s pairs only if
    given): what each owes the other for its cards' spending at merchants the other
    acquires (once paid out), what is settled, and who pays whom the net still due."""
    legs = {(r["payer"], r["payee"]): r for _k, r in store.scan("netting", "cycle = ?",
                                                               (cycle,))}
    out = []
    for a, b in sorted({tuple(sorted(k)) for k in legs}):
        if bank is not None and bank not in (a, b):
            continue
        ab = legs.get((a, b), {"owed": 0, "settled": 0})
        ba = legs.get((b, a), {"owed": 0, "settled": 0})
        net = (ab["owed"] - ab["settled"]) - (ba["owed"] - ba["settled"])
        out.append({"cycle": cycle, "bank_a": a, "bank_b": b, "a_owes_b": ab["owed"],
                    "b_owes_a": ba["owed"], "settled": net == 0,
                    "payer": a if net > 0 else b if net < 0 else None,
                    "payee": b if net > 0 else a if net < 0 else None, "net": abs(net)})
    return out


def merchant_volumes(store: Store) -> list[dict[str, Any]]:
    """Per merchant: accepted payments (count, gross) and refunds over the whole chain."""
    rows = store.query(
        "SELECT merchant, kind, COUNT(*), COALESCE(SUM(amount), 0) FROM txs "
        "WHERE code = 'ok' AND kind IN ('pay', 'refund') AND merchant IS NOT NULL "
        "GROUP BY merchant, kind")
    out: dict[str, dict[str, Any]] = {}
    for m, kind, n, total in rows:
        row = store.get("merchants", m) or {}
        v = out.setdefault(m, {"merchant": m, "name": row.get("name", m), "payments": 0,
                               "gross": 0, "refunds": 0, "refunded": 0})
        if kind == "pay":
            v["payments"], v["gross"] = int(n), int(total)
        else:
            v["refunds"], v["refunded"] = int(n), int(total)
    return sorted(out.values(), key=lambda v: -v["gross"])


def merchants(store: Store, acquirer: str | None = None) -> list[dict[str, Any]]:
    sql, params = "SELECT key FROM merchants", ()
    if acquirer is not None:
        sql, params = sql + " WHERE acquirer = ?", (acquirer,)
    out = []
    for (key,) in store.query(sql + " ORDER BY key", params):
        row = store.get("merchants", key) or {}
        terms = [k for k, _t in store.scan("terminals", "merchant = ?", (key,))]
        out.append({"merchant": key, **row, "terminals": terms})
    return out


def outstanding_history(store: Store, genesis: Genesis, now: int,
                        days: int = 30) -> list[dict[str, Any]]:
    """Each issuer's prepaid liability at the end of each of the last ``days`` local days
    (today so far last; none before the day before genesis): its cards' balances plus the
    card cash they spent at merchants that is not paid out yet (chain format 4; before,
    the balances alone).  Rebuilt from the postings: a payment moves card cash into
    flight, a refund back, neither changes the liability; loads, closures and payouts
    do."""
    off = genesis.params["utc_offset_min"] * 60_000
    bins = {b["bin"]: b["id"] for b in genesis.banks}
    in_flight = genesis.chain_format >= 4
    change: dict[tuple[str, int], int] = {}
    for bin6, day, kind, fen in store.query(
            "SELECT substr(p.account, 6, 6), (b.time + ?) / 86400000, t.kind, SUM(p.amount) "
            "FROM postings p JOIN blocks b ON b.height = p.height "
            "JOIN txs t ON t.height = p.height AND t.pos = p.pos "
            "WHERE p.account LIKE 'card:%' GROUP BY 1, 2, 3", (off,)):
        bank = bins.get(bin6)
        if bank is None or (in_flight and kind in ("pay", "refund")):
            continue
        change[(bank, day)] = change.get((bank, day), 0) + int(fen)
    if in_flight:
        for _key, s in store.scan("settlements"):
            paid = s.get("paid")
            for bank, cash in (s.get("issuers") or {}).items() if paid else ():
                day = (paid["at"] + off) // 86_400_000
                change[(bank, day)] = change.get((bank, day), 0) - cash
    today = (now + off) // 86_400_000
    # not before the day before the chain began (its line starts at zero there)
    first = max(today - days + 1, min(today, (genesis.genesis_time + off) // 86_400_000) - 1)
    level = {b: sum(v for (bk, d), v in change.items() if bk == b and d < first)
             for b in bins.values()}
    out = []
    for day in range(first, today + 1):
        for b in level:
            level[b] += change.get((b, day), 0)
        out.append({"day": cycle_of_day(day), **level})
    return out


HOUR_MS = 3_600_000


def throughput(store: Store, now: int, hours: int = 24) -> list[dict[str, Any]]:
    """Transactions decided in each of the last ``hours`` hours up to ``now`` (the latest
    block's time, so every replica gives the same answer at a height), accepted and
    refused, oldest hour first (an hour with none is listed with zeros)."""
    first = now // HOUR_MS - hours + 1
    counts = {int(h): (int(ok), int(no)) for h, ok, no in store.query(
        "SELECT time / ?, SUM(code = 'ok'), SUM(code != 'ok') FROM txs WHERE time >= ? "
        "GROUP BY 1", (HOUR_MS, first * HOUR_MS))}
    return [{"hour": (first + i) * HOUR_MS, "accepted": counts.get(first + i, (0, 0))[0],
             "refused": counts.get(first + i, (0, 0))[1]} for i in range(hours)]


def proposals(store: Store, bank: str | None, limit: int = 200) -> list[dict[str, Any]]:
    """Acts proposed for a second clerk's approval (four eyes), of one bank or all: the
    pending first, then the latest decided; each with its id (the proposal's transaction)."""
    sql, params = "SELECT key, data FROM proposals", []
    if bank is not None:
        sql += " WHERE bank = ?"
        params.append(bank)
    sql += " ORDER BY status != 'pending', json_extract(data, '$.time') DESC LIMIT ?"
    params.append(max(1, min(int(limit), 1000)))
    return [{"id": k, **json.loads(d)} for k, d in store.query(sql, tuple(params))]
