"""Points in lots (chain format 5): every points account holds its balance as lots, each
with the local day it was earned, and every movement keeps them in step.

* An account row keeps ``lots`` (``[[day, points], ...]``, oldest first, every lot > 0,
  their sum the balance) and ``oldest`` (the first lot's day, indexed: the expiry step
  finds the accounts it must touch without reading the others).
* Earning and a clerk's grant add to today's lot; a redemption takes the oldest lots first
  and the payment records which; a refund gives those points back to the lots they came
  from; points a refund takes back come off the newest lots.
* ``expire_points`` (at a day's close, by the bank or the clearing house): every replica
  takes, from every card of that bank, the lots older than the contract's ``expire_days``
  and returns them to the bank's pool.  The card's account keeps the last expiries
  (``expired``) for its history.
* Each bank's points movements are counted per local day (earned, granted, redeemed,
  returned, taken back; ``pool``) and each expiry step records what it took: the bank's
  points statement.

Days are local days since 1970-01-01 (UTC plus the genesis offset), as ints.
"""

from __future__ import annotations

from typing import Any

from node.ledger import points as pts_rules
from node.ledger.cycles import cycle_end, day_of_cycle, valid_cycle
from node.ledger.errors import LedgerBug, Reason, Rejected
from node.ledger.rules import pts_acct, pts_asset, rule
from node.ledger.state import Ctx, Row

Lots = list[list[int]]
EXPIRIES_KEPT = 20  # per card and bank, for its history
COUNTERS = ("earned", "granted", "redeemed", "returned", "taken_back")  # and expired:
# the expiry step's own record (``points_expiries``), on the day that closed


def _lots(row: Row | None) -> Lots:
    return [list(x) for x in (row or {}).get("lots") or []]


def merge(lots: Lots, more: Lots) -> Lots:
    """``lots`` with ``more`` added, one lot a day, oldest first."""
    by_day: dict[int, int] = {}
    for day, n in (*lots, *more):
        by_day[day] = by_day.get(day, 0) + n
    return [[d, n] for d, n in sorted(by_day.items()) if n > 0]


def take(lots: Lots, points: int, *, newest: bool = False) -> tuple[Lots, Lots]:
    """(lots left, lots taken) after taking ``points``, oldest (or newest) first."""
    left = [list(x) for x in lots]
    taken: Lots = []
    order = range(len(left) - 1, -1, -1) if newest else range(len(left))
    need = points
    for i in order:
        if need == 0:
            break
        n = min(need, left[i][1])
        left[i][1] -= n
        need -= n
        taken.append([left[i][0], n])
    if need:
        raise LedgerBug(f"lots hold {points - need} points, not {points}")
    return [x for x in left if x[1] > 0], sorted(taken)


def _keep(lots: Lots) -> dict[str, Any]:
    return {"lots": lots, "oldest": lots[0][0] if lots else None}


def pool(ctx: Ctx, bank: str, points: int, what: str) -> None:
    """``points`` into (negative: out of) bank ``bank``'s points pool, counted as today's
    ``what`` (chain format 5).  Today's counters ride on the pool's account row, which
    the posting writes anyway; the first movement of a new day files the last day's in
    ``points_days``."""
    if points == 0:
        return
    acct = f"bank:{bank}:points_pool"
    keep = None
    row = ctx.get("accounts", acct)
    if ctx.chain_format >= 5:
        day = ctx.day
        today = (row or {}).get("today")
        if today is None or today["day"] != day:
            if today is not None:
                ctx.put("points_days", f"{bank}|{today['day']}", today)
            today = {"bank": bank, "day": day, **dict.fromkeys(COUNTERS, 0)}
        keep = {"today": {**today, what: today[what] + abs(points)}}
    ctx.post(acct, pts_asset(bank), points, keep, row)


def day_counters(pool_row: Row | None, filed: Row | None, bank: str, day: int) -> Row:
    """Bank ``bank``'s counters of ``day``: filed, or still on its pool's row, or none."""
    if filed is not None:
        return filed
    today = (pool_row or {}).get("today")
    if today is not None and today["day"] == day:
        return dict(today)
    return {"bank": bank, "day": day, **dict.fromkeys(COUNTERS, 0)}


def credit(ctx: Ctx, bank: str, number: str, points: int, *, lots: Lots | None = None,
           keep: dict[str, Any] | None = None, row: Row | None = None) -> None:
    """``points`` onto the card's account: as a lot of today, or as the given ``lots``
    (whose sum is ``points``), from chain format 5.  ``row``: the account's row, if the
    caller has just read it."""
    if points <= 0:
        return
    acct = pts_acct(bank, number)
    if row is None:
        row = ctx.get("accounts", acct)
    extra = dict(keep or {})
    if ctx.chain_format >= 5:
        held = (row or {}).get("lots") or []
        if lots is None:  # a lot of today: the newest, or a new one after it
            day = ctx.day
            if held and held[-1][0] == day:
                new = [*held[:-1], [day, held[-1][1] + points]]
            elif not held or held[-1][0] < day:
                new = [*held, [day, points]]
            else:
                new = merge(held, [[day, points]])
        else:
            new = merge(held, lots)
        extra["lots"] = new
        extra["oldest"] = new[0][0]
    ctx.post(acct, pts_asset(bank), points, extra, row)


def debit(ctx: Ctx, bank: str, number: str, points: int, *, newest: bool = False) -> Lots:
    """``points`` off the card's account, oldest lots first (``newest``: newest first); the
    lots taken (empty before chain format 5)."""
    if points <= 0:
        return []
    acct = pts_acct(bank, number)
    extra: dict[str, Any] = {}
    taken: Lots = []
    if ctx.chain_format >= 5:
        left, taken = take(_lots(ctx.get("accounts", acct)), points, newest=newest)
        extra = _keep(left)
    ctx.post(acct, pts_asset(bank), -points, extra)
    return taken


def move_all(ctx: Ctx, bank: str, number: str, to: str | None) -> int:
    """All of the card's points to card ``to`` (lots and all), or back to the bank's pool
    (``to`` None); how many."""
    points = ctx.balance(pts_acct(bank, number))
    if points <= 0:
        return 0
    lots = _lots(ctx.get("accounts", pts_acct(bank, number)))
    debit(ctx, bank, number, points)
    if to is None:
        ctx.post(f"bank:{bank}:points_pool", pts_asset(bank), points)
    else:
        credit(ctx, bank, to, points, lots=lots)
    return points


def earn_points(ctx: Ctx, number: str, card_row: Row, base_fen: int,
                merchant: str | None = None, *, top_up: bool = False,
                category: str | None = None) -> int:
    """Points the card's issuer gives for ``base_fen`` of card cash spent at ``merchant``
    (or topped up) under its contract's ``earn`` terms, within its daily cap per card
    (chain format 4), granted from its points pool in this transaction; how many."""
    if ctx.chain_format < 4 or base_fen <= 0:
        return 0
    issuer = card_row["bank"]
    contract = (ctx.get("banks", issuer) or {}).get("points_contract")
    points = pts_rules.earned(contract, base_fen, merchant, top_up, category)
    cap = int(((contract or {}).get("earn") or {}).get("daily_cap", 0))
    acct = pts_acct(issuer, number)
    keep = None
    row = ctx.get("accounts", acct)
    if points and cap:  # today's earning rides on the points account (written anyway)
        day = ctx.day
        got = (row or {}).get("earned") or {}
        used = int(got.get("points", 0)) if got.get("day") == day else 0
        points = max(0, min(points, cap - used))
        keep = {"earned": {"day": day, "points": used + points}}
    if points:
        credit(ctx, issuer, number, points, keep=keep, row=row)
        pool(ctx, issuer, -points, "earned")
    return points


def returned_lots(taken: Lots, before: int, after: int) -> Lots:
    """The lots a refund gives back when the points returned so far go from ``before`` to
    ``after``: the redemption's lots taken back newest first."""
    out: Lots = []
    pos = 0
    for day, n in reversed(taken):
        lo, hi = max(before, pos), min(after, pos + n)
        if hi > lo:
            out.append([day, hi - lo])
        pos += n
    return sorted(out)


@rule("expire_points", {"bank", "cycle"})
def expire_points(ctx: Ctx, b: dict[str, Any]) -> None:
    """At the close of day ``cycle`` (yyyymmdd, ended): every lot of ``bank``'s points
    earned ``expire_days`` or more days before it goes back to the bank's pool.  Signed by
    the bank or the clearing house; each day once, in order."""
    if ctx.chain_format < 5:
        raise Rejected(Reason.MALFORMED, "points expiry needs chain format 5")
    bank_id, cycle = b["bank"], b["cycle"]
    if not isinstance(bank_id, str) or bank_id not in ctx.bank_ids:
        raise Rejected(Reason.UNKNOWN_BANK, f"no bank {bank_id!r}")
    ctx.bank = bank_id
    if not (ctx.signed_as("clerk", bank_id) or ctx.signed_as("clearing")):
        raise Rejected(Reason.UNAUTHORIZED,
                       f"points expiry must be signed by a clerk of {bank_id} or the "
                       "clearing house")
    if not valid_cycle(cycle):
        raise Rejected(Reason.MALFORMED, "cycle must be a date as yyyymmdd")
    offset = ctx.params["utc_offset_min"]
    if cycle_end(cycle, 24 * 60, offset) > ctx.time:  # the date's midnight, local
        raise Rejected(Reason.CYCLE_OPEN, f"day {cycle} has not closed yet")
    brow = ctx.get("banks", bank_id) or {}
    if int(brow.get("expired_through", 0)) >= cycle:
        raise Rejected(Reason.ALREADY_SETTLED,
                       f"{bank_id} points expired through {brow['expired_through']} already")
    days = int((brow.get("points_contract") or {}).get("expire_days", 0))
    total, cards = 0, 0
    if days:
        through = day_of_cycle(cycle) - days  # lots of this day and before expire
        asset = pts_asset(bank_id)
        for key, row in ctx.st.scan("accounts", "asset = ? AND oldest <= ?", (asset, through),
                                    lambda r: r["asset"] == asset and r.get("oldest") is not None
                                    and r["oldest"] <= through):
            gone = sum(n for d, n in _lots(row) if d <= through)
            if gone <= 0:
                continue
            number = key.rsplit(":", 1)[1]
            history = [*(row.get("expired") or []), [cycle, gone, ctx.tx.hex_id]]
            debit(ctx, bank_id, number, gone)
            acct = ctx.get("accounts", key) or {}
            ctx.put("accounts", key, {**acct, "expired": history[-EXPIRIES_KEPT:]})
            ctx.post(f"bank:{bank_id}:points_pool", asset, gone)
            total += gone
            cards += 1
    ctx.amount = total
    ctx.put("banks", bank_id, {**brow, "expired_through": cycle})
    ctx.put("points_expiries", f"{bank_id}|{cycle}", {
        "bank": bank_id, "cycle": cycle, "points": total, "cards": cards, "days": days,
        "tx": ctx.tx.hex_id, "at": ctx.time})


def check_lots(row: Row, what: str) -> None:
    """A points account's lots match its balance (for invariant checks)."""
    lots = _lots(row)
    if any(n <= 0 for _d, n in lots) or sum(n for _d, n in lots) != row["balance"] \
            or [d for d, _n in lots] != sorted({d for d, _n in lots}):
        raise LedgerBug(f"{what}: lots {lots} do not make balance {row['balance']}")
