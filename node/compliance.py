"""Compliance analysis over the chain (read-only, deterministic from the ledger).

Each rule has a name, a description, settings (defaults below, overridable in genesis under
``"compliance": {rule: {setting: int}}``) and returns cases: the subject (card, holder,
merchant or bank), the transactions that triggered it and a plain explanation.  A case's id
is the hash of rule, subject and its first transaction, so it is stable across scans; the
regulator acknowledges or closes cases on chain (transaction ``case_update``).

Money in fen, times in ms; "day" is the local business day (UTC + genesis offset).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from node import codec
from node.ledger import Genesis
from node.store import Store

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

RULES: dict[str, dict[str, Any]] = {
    "balance_cap": {
        "doc": "A card held, or was refused for trying to exceed, the balance cap "
               "(named %named, anonymous %anonymous).",
        "settings": {}},
    "real_name": {
        "doc": "Cards worth the real-name threshold (%threshold) or more were bought in one "
               "go without the buyer's registration (before chain format 5: a purchase "
               "that large with an anonymous card).",
        "settings": {}},
    "structuring": {
        "doc": "Several purchases by one card in one day, each just under a threshold (by "
               "default the real-name threshold; set threshold_fen to watch a lower one, "
               "since card balances are capped below it).",
        "settings": {"min_count": 3, "band_bp": 1_000, "threshold_fen": 0}},
    "bulk_cash": {
        "doc": "Prepaid value bought in cash above the bank-transfer threshold in one day: "
               "per named holder (individual) or per bank's anonymous cards (organisation).",
        "settings": {"individual_fen": 5_000_000, "organisation_fen": 500_000}},
    "rapid_spend": {
        "doc": "A top-up followed by spending most of it within a short time.",
        "settings": {"window_ms": 30 * 60_000, "share_bp": 8_000, "min_fen": 50_000}},
    "refund_ratio": {
        "doc": "A merchant whose refunds stand out against its takings and the other "
               "merchants' in a cycle.",
        "settings": {"min_ratio_bp": 2_000, "times_median": 3, "min_gross_fen": 10_000}},
    "odd_hours": {
        "doc": "Payments or top-ups at odd hours (local time).",
        "settings": {"from_hour": 0, "to_hour": 5, "min_count": 1}},
    "custody": {
        "doc": "An issuer's custody deposit attested on chain covers too little of its "
               "outstanding prepaid balances (warning levels in basis points).",
        "settings": {"critical_bp": 2_000, "high_bp": 3_000, "warning_bp": 4_000}},
}


@dataclass
class Case:
    rule: str
    subject: str
    txs: list[str]
    detail: str
    height: int
    level: str = "warning"
    status: str = "open"
    id: str = field(default="")
    # what the detail says, as values: screens word it in their language (ui.texts)
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            first = self.txs[0] if self.txs else ""
            self.id = codec.digest(["case", self.rule, self.subject, first]).hex()


def doc_values(genesis: Genesis) -> dict[str, int]:
    """The genesis limits a rule's description names (fen), by its placeholder."""
    lim = genesis.limits
    return {"named": lim["named_balance_cap"], "anonymous": lim["anonymous_balance_cap"],
            "threshold": lim["real_name_threshold"]}


def describe(genesis: Genesis, rule: str) -> str:
    """The rule's description with this consortium's limits in it."""
    text = str(RULES[rule]["doc"])
    for key, fen in doc_values(genesis).items():
        text = text.replace(f"%{key}", f"{fen // 100:,} CNY")
    return text


def settings(genesis: Genesis, rule: str) -> dict[str, int]:
    base = dict(RULES[rule]["settings"])
    base.update(genesis.raw.get("compliance", {}).get(rule, {}))
    return base


def _rows(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    return store.query(sql, params)


def _day(genesis: Genesis, t: int) -> int:
    return (t + genesis.params["utc_offset_min"] * 60_000) // DAY_MS


def rule_balance_cap(store: Store, genesis: Genesis) -> list[Case]:
    out: list[Case] = []
    by_card: dict[str, list[tuple[str, int]]] = defaultdict(list)
    # a card issued with too large a deposit was never issued: a clerk's slip, not a
    # cardholder's attempt
    for tx_id, card, h in _rows(store, "SELECT id, card, height FROM txs WHERE code = "
                                       "'balance_cap' AND kind != 'issue_card' "
                                       "ORDER BY height, pos"):
        by_card[card or "?"].append((tx_id, h))
    for card, hits in by_card.items():
        out.append(Case("balance_cap", f"card:{card}", [t for t, _ in hits],
                        f"{len(hits)} refused attempt(s) to exceed the balance cap",
                        hits[-1][1], facts={"form": "cap_refused", "count": len(hits)}))
    lim = genesis.limits
    for key, data in store.scan("cards"):
        cap = lim["named_balance_cap"] if data["named"] else lim["anonymous_balance_cap"]
        acct = store.get("accounts", f"card:{key}")
        if acct and acct["balance"] > cap:
            out.append(Case("balance_cap", f"card:{key}", [], f"balance {acct['balance']} "
                            f"fen is above the cap of {cap}", store.height(), "critical",
                            facts={"form": "cap_over", "balance": acct["balance"], "cap": cap}))
    return out


def rule_real_name(store: Store, genesis: Genesis) -> list[Case]:
    out = []
    for tx_id, kind, card, bank, h, amount in _rows(
            store, "SELECT id, kind, card, bank, height, amount FROM txs WHERE code = "
                   "'real_name_required' ORDER BY height, pos"):
        if kind == "sell_cards":  # chain format 5: the rule is about buying cards
            out.append(Case("real_name", f"bank:{bank}", [tx_id],
                            f"a sale of {amount} fen of cards without the buyer's "
                            "registration", h, "high",
                            facts={"form": "real_name_sale", "amount": amount}))
            continue
        out.append(Case("real_name", f"card:{card}", [tx_id],
                        f"anonymous card tried to pay {amount} fen", h, "high",
                        facts={"form": "real_name", "amount": amount}))
    return out


def _payments(store: Store) -> list[tuple[str, dict[str, Any]]]:
    return list(store.scan("payments"))


def rule_structuring(store: Store, genesis: Genesis) -> list[Case]:
    s = settings(genesis, "structuring")
    threshold = s["threshold_fen"] or genesis.limits["real_name_threshold"]
    low = threshold - threshold * s["band_bp"] // 10_000
    groups: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    for key, p in _payments(store):
        if low <= p["total"] < threshold:
            groups[(p["card"], _day(genesis, p["time"]))].append((p["time"], key))
    out = []
    for (card, _), hits in groups.items():
        if len(hits) >= s["min_count"]:
            hits.sort()
            out.append(Case("structuring", f"card:{card}", [k for _, k in hits],
                            f"{len(hits)} purchases in one day just under {threshold} fen",
                            store.height(), "high",
                            facts={"form": "structuring", "count": len(hits),
                                   "threshold": threshold}))
    return out


def rule_bulk_cash(store: Store, genesis: Genesis) -> list[Case]:
    s = settings(genesis, "bulk_cash")
    cards = dict(store.scan("cards"))
    loads: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for tx_id, card, amount, t in _rows(
            store, "SELECT id, card, amount, time FROM txs WHERE code = 'ok' AND "
                   "kind IN ('issue_card', 'top_up') AND amount > 0"):
        c = cards.get(card)
        if c is None:
            continue
        who = f"holder:{c['id_hash']}" if c["named"] else f"bank-anonymous:{c['bank']}"
        loads[(who, _day(genesis, t))].append((tx_id, amount))
    out = []
    for (who, _), items in loads.items():
        total = sum(a for _, a in items)
        limit = s["individual_fen"] if who.startswith("holder:") else s["organisation_fen"]
        if total > limit:
            out.append(Case("bulk_cash", who, [t for t, _ in items],
                            f"{total} fen of prepaid value loaded in one day (limit {limit} "
                            "without a bank transfer)", store.height(),
                            facts={"form": "bulk_cash", "total": total, "limit": limit}))
    return out


def rule_rapid_spend(store: Store, genesis: Genesis) -> list[Case]:
    s = settings(genesis, "rapid_spend")
    tops = _rows(store, "SELECT id, card, amount, time FROM txs WHERE code = 'ok' AND kind IN "
                        "('top_up', 'issue_card') AND amount >= ? ORDER BY time", (s["min_fen"],))
    spends: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for key, p in _payments(store):
        spends[p["card"]].append((p["time"], key, p["cash"]))
    out = []
    for tx_id, card, amount, t in tops:
        window = [(k, c) for (pt, k, c) in spends.get(card, []) if t <= pt <= t + s["window_ms"]]
        spent = sum(c for _, c in window)
        if window and spent * 10_000 >= amount * s["share_bp"]:
            out.append(Case("rapid_spend", f"card:{card}", [tx_id] + [k for k, _ in window],
                            f"{spent} of a {amount} fen top-up spent within "
                            f"{s['window_ms'] // 60_000} minutes", store.height(),
                            facts={"form": "rapid_spend", "spent": spent, "amount": amount,
                                   "minutes": s["window_ms"] // 60_000}))
    return out


def rule_refund_ratio(store: Store, genesis: Genesis) -> list[Case]:
    s = settings(genesis, "refund_ratio")
    by_cycle: dict[int, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for key, c in store.scan("cycles"):
        by_cycle[c["cycle"]].append((key, c))
    out = []
    for cycle, rows in by_cycle.items():
        ratios = {c["merchant"]: c["refunds"] * 10_000 // c["gross"]
                  for _, c in rows if c["gross"] >= s["min_gross_fen"]}
        if not ratios:
            continue
        for merchant, r in ratios.items():
            others = [v for m, v in ratios.items() if m != merchant]
            median = statistics.median(others) if others else 0
            if r >= s["min_ratio_bp"] and r >= s["times_median"] * median:
                refunds = [k for k, _ in store.scan("refunds", "merchant = ? AND cycle = ?",
                                                    (merchant, cycle))]
                out.append(Case("refund_ratio", f"merchant:{merchant}", refunds,
                                f"refunds are {r / 100:.1f}% of takings in cycle {cycle} "
                                f"(other merchants' median {median / 100:.1f}%)",
                                store.height(),
                                facts={"form": "refund_ratio", "ratio_bp": r, "cycle": cycle,
                                       "median_bp": int(median)}))
    return out


def rule_odd_hours(store: Store, genesis: Genesis) -> list[Case]:
    s = settings(genesis, "odd_hours")
    off = genesis.params["utc_offset_min"] * 60_000
    by_subject: dict[str, list[str]] = defaultdict(list)
    for tx_id, kind, card, merchant, t in _rows(
            store, "SELECT id, kind, card, merchant, time FROM txs WHERE code = 'ok' AND "
                   "kind IN ('pay', 'top_up')"):
        hour = (t + off) % DAY_MS // HOUR_MS
        if s["from_hour"] <= hour < s["to_hour"]:
            by_subject[f"merchant:{merchant}" if kind == "pay" else f"card:{card}"].append(tx_id)
    return [Case("odd_hours", who, ids, f"{len(ids)} transaction(s) between "
                 f"{s['from_hour']:02d}:00 and {s['to_hour']:02d}:00", store.height(), "info",
                 facts={"form": "odd_hours", "count": len(ids), "from_hour": s["from_hour"],
                        "to_hour": s["to_hour"]})
            for who, ids in by_subject.items() if len(ids) >= s["min_count"]]


CUSTODY_LEVELS = (("critical", "critical_bp"), ("high", "high_bp"), ("warning", "warning_bp"))


def custody_level(genesis: Genesis, ratio_bp: int) -> tuple[str, int] | None:
    """The gravest level whose line (in basis points, set in genesis) the coverage is under,
    with that line; None when every line is met."""
    s = settings(genesis, "custody")
    return next(((lvl, s[key]) for lvl, key in CUSTODY_LEVELS if ratio_bp < s[key]), None)


def rule_custody(store: Store, genesis: Genesis) -> list[Case]:
    out = []
    for bank in genesis.bank_ids:
        row = store.get("banks", bank) or {}
        outstanding = -int((store.get("accounts", f"bank:{bank}:float") or
                            {"balance": 0})["balance"])
        if outstanding <= 0:
            continue
        custody = int(row.get("custody", 0))
        ratio = custody * 10_000 // outstanding
        found = custody_level(genesis, ratio)
        if found:
            out.append(Case("custody", f"bank:{bank}", [],
                            f"custody {custody} fen covers {ratio / 100:.1f}% of {outstanding}"
                            f" fen outstanding", store.height(), found[0],
                            facts={"form": "custody", "custody": custody, "ratio_bp": ratio,
                                   "outstanding": outstanding}))
    return out


SCANS: dict[str, Callable[[Store, Genesis], list[Case]]] = {
    "balance_cap": rule_balance_cap, "real_name": rule_real_name,
    "structuring": rule_structuring, "bulk_cash": rule_bulk_cash,
    "rapid_spend": rule_rapid_spend, "refund_ratio": rule_refund_ratio,
    "odd_hours": rule_odd_hours, "custody": rule_custody,
}


def scan(store: Store, genesis: Genesis) -> list[Case]:
    """Every rule over the whole chain; each case carries the regulator's status."""
    cases = [c for fn in SCANS.values() for c in fn(store, genesis)]
    for c in cases:
        row = store.get("cases", c.id)
        if row is not None:
            c.status = row["status"]
    return cases
