"""Bank points contracts (seed CN114612219A): the one piece of code that decides how much
of a basket a bank's points may pay.  Execution (``allocate``) and the till's read-only
offer (``offers``) both call it, so the offer shown is exactly what will be accepted.

A contract: ``points_per_cny`` points are worth 1 CNY (100 fen); at most ``max_share_bp``
basis points of the goods that accept this bank's points may be paid with them, and at
most ``max_fen_per_order`` fen per order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from node.ledger import tx as f
from node.ledger.errors import Reason, Rejected

MAX_LINES = 100
MAX_QTY = 10_000


@dataclass(frozen=True)
class Line:
    sku: str
    name: str
    qty: int
    price: int
    total: int
    banks: tuple[str, ...]


@dataclass(frozen=True)
class Redemption:
    bank: str
    cash: int      # fen paid by the bank on the cardholder's behalf
    points: int    # points debited


@dataclass(frozen=True)
class Offer:
    bank: str
    eligible_fen: int
    skus: tuple[str, ...]
    max_cash: int
    points: int
    balance: int


def earned(contract: Mapping[str, Any] | None, base_fen: int, merchant: str | None,
           top_up: bool = False, category: str | None = None) -> int:
    """Points a contract gives for ``base_fen`` of card cash spent at ``merchant`` (its own
    rate, else its category's, else the contract's) or topped up, before the daily cap;
    whole points, rounded down."""
    e = (contract or {}).get("earn") or {}
    if top_up:
        rate = int(e.get("top_up_per_cny", 0))
    else:
        rate = int((e.get("merchants") or {}).get(
            merchant, (e.get("categories") or {}).get(category, e.get("per_cny", 0))))
    return max(0, base_fen) * rate // 100


def at_terminal(lines: Sequence[Line], contracts: Mapping[str, Mapping[str, Any] | None],
                terminal: str) -> tuple[list[Line], dict[str, Mapping[str, Any] | None]]:
    """The lines and contracts as they stand at ``terminal`` (chain format 5): a bank whose
    contract names the terminal decides which goods its points pay for there (its
    ``skus``) and the most per order; for other banks the merchant's catalogue decides."""
    rules = {b: (c.get("terminals") or {}).get(terminal) for b, c in contracts.items() if c}
    rules = {b: r for b, r in rules.items() if r is not None}
    if not rules:
        return list(lines), dict(contracts)
    out = []
    for x in lines:
        banks = [b for b in x.banks if b not in rules]
        banks += [b for b, r in rules.items() if x.sku in r["skus"]]
        out.append(Line(x.sku, x.name, x.qty, x.price, x.total, tuple(sorted(banks))))
    cons = {b: (c if b not in rules or c is None else
                {**c, "max_fen_per_order": rules[b]["max_fen_per_order"]})
            for b, c in contracts.items()}
    return out, cons


def points_for_cash(cash: int, points_per_cny: int) -> int:
    return -(-cash * points_per_cny // 100)


def cash_for_points(points: int, points_per_cny: int) -> int:
    return points * 100 // points_per_cny


def max_cash(contract: Mapping[str, int], eligible_fen: int, balance: int) -> int:
    share = eligible_fen * contract["max_share_bp"] // 10_000
    return max(0, min(share, contract["max_fen_per_order"],
                      cash_for_points(balance, contract["points_per_cny"])))


def price_lines(catalogue: Sequence[Mapping[str, Any]], items: Any) -> list[Line]:
    """Price an order's items from the merchant's catalogue."""
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_LINES:
        raise Rejected(Reason.MALFORMED, f"items must be a list of 1 to {MAX_LINES} lines")
    goods = {g["sku"]: g for g in catalogue}
    lines: list[Line] = []
    for it in items:
        if not isinstance(it, dict):
            raise Rejected(Reason.MALFORMED, "each item is {sku, qty}")
        f.check_body(it, {"sku", "qty"}, set())
        sku = it["sku"]
        qty = f.integer(it["qty"], "qty", 1, MAX_QTY)
        g = goods.get(sku) if isinstance(sku, str) else None
        if g is None:
            raise Rejected(Reason.UNKNOWN_SKU, f"this merchant does not sell {sku!r}")
        total = f.amount(g["price"] * qty, f"line total for {sku}")
        lines.append(Line(sku, g["name"], qty, g["price"], total, tuple(g["points_banks"])))
    f.amount(sum(x.total for x in lines), "order total")
    return lines


def allocate(
    lines: Sequence[Line],
    requests: Sequence[tuple[str, int]],
    contracts: Mapping[str, Mapping[str, int] | None],
    balances: Mapping[str, int],
) -> list[Redemption]:
    """Apply each bank's redemption in order against the goods that accept it."""
    remaining = [x.total for x in lines]
    out: list[Redemption] = []
    seen: set[str] = set()
    for bank, cash in requests:
        if bank in seen:
            raise Rejected(Reason.MALFORMED, f"bank {bank} is listed twice")
        seen.add(bank)
        if bank not in contracts:
            raise Rejected(Reason.UNKNOWN_BANK, f"no bank {bank!r}")
        contract = contracts[bank]
        if contract is None:
            raise Rejected(Reason.NO_POINTS_CONTRACT, f"bank {bank} has no points contract")
        idx = [i for i, x in enumerate(lines) if bank in x.banks and remaining[i] > 0]
        eligible = sum(remaining[i] for i in idx)
        if eligible == 0:
            raise Rejected(Reason.POINTS_NOT_ACCEPTED,
                           f"no goods in this order accept {bank} points")
        balance = balances.get(bank, 0)
        points = points_for_cash(cash, contract["points_per_cny"])
        if points > balance:
            raise Rejected(Reason.INSUFFICIENT_POINTS,
                           f"{cash} fen needs {points} {bank} points; the card has {balance}")
        cap = max_cash(contract, eligible, balance)
        if cash > cap:
            raise Rejected(Reason.POINTS_OVER_LIMIT,
                           f"{bank} points may pay at most {cap} fen of this order")
        _consume(lines, remaining, bank, cash)
        out.append(Redemption(bank, cash, points))
    return out


def _consume(lines: Sequence[Line], remaining: list[int], bank: str, cash: int) -> None:
    """Take ``cash`` from the goods accepting ``bank``: first the goods no other bank's
    points can pay, then shared ones, each group in basket order (leaves the most for the
    next bank)."""
    left = cash
    order = sorted((i for i, x in enumerate(lines) if bank in x.banks),
                   key=lambda i: (len(lines[i].banks), i))
    for i in order:
        if left == 0:
            break
        take = min(left, remaining[i])
        remaining[i] -= take
        left -= take


def offers(
    lines: Sequence[Line],
    contracts: Mapping[str, Mapping[str, int] | None],
    balances: Mapping[str, int],
) -> list[Offer]:
    """Per bank, what its points could pay for this order on their own (read-only)."""
    out: list[Offer] = []
    for bank in sorted(contracts):
        contract = contracts[bank]
        skus = tuple(x.sku for x in lines if bank in x.banks)
        if contract is None or not skus:
            continue
        eligible = sum(x.total for x in lines if bank in x.banks)
        balance = balances.get(bank, 0)
        cash = max_cash(contract, eligible, balance)
        out.append(Offer(bank, eligible, skus, cash,
                         points_for_cash(cash, contract["points_per_cny"]), balance))
    return out


def best_combination(
    lines: Sequence[Line],
    contracts: Mapping[str, Mapping[str, int] | None],
    balances: Mapping[str, int],
    banks: Sequence[str],
) -> list[Redemption]:
    """The most each chosen bank can pay, taken in the given order (a valid request)."""
    chosen: list[tuple[str, int]] = []
    remaining = [x.total for x in lines]
    for bank in banks:
        contract = contracts.get(bank)
        if contract is None or bank in (b for b, _ in chosen):
            continue
        eligible = sum(remaining[i] for i, x in enumerate(lines) if bank in x.banks)
        cash = max_cash(contract, eligible, balances.get(bank, 0))
        if cash > 0:
            chosen.append((bank, cash))
            _consume(lines, remaining, bank, cash)
    return allocate(lines, chosen, contracts, balances)
