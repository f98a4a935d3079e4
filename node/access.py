"""Who may read what: every client query, declared once with the roles that may ask it and
the scope that applies to each.

A role is what an identity's name says (`role_of`): a bank's clerk, a merchant's terminal,
the clearing house, the regulator. `QUERIES` is the whole query surface: `run` serves
nothing that is not in it, refuses a role that is not listed with the query's own reason,
and each handler narrows what a listed role sees (a clerk its bank's cards, a terminal its
merchant's records). A cardholder proves itself by the card's key (`my_card`), through
any connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from node import codec, crypto
from node.errors import Refused
from node.ledger import queries as q
from node.ledger.genesis import Genesis
from node.store import Store, blocks_to_wire

ROLES = frozenset({"regulator", "clearing", "clerk", "terminal"})
CARD_PROOF_MS = 300_000  # a holder's signed request is accepted this long either side of now


class AccessError(Refused):
    """A query this role may not ask, or asked about records it may not see."""


def role_of(name: str) -> tuple[str, str]:
    """("clerk", bank) / ("terminal", terminal id) / ("clearing", "") / ("regulator", "")."""
    if name.startswith("clerk-"):
        return "clerk", name.split("-")[1]
    if name.startswith("terminal-"):
        return "terminal", name[len("terminal-"):]
    if name.startswith("clearing"):
        return "clearing", ""
    if name.startswith("regulator"):
        return "regulator", ""
    return "unknown", ""


@dataclass(frozen=True)
class Ask:
    """One query as a handler sees it: the store, genesis, the asking role and the request,
    and the node's receipt look-up (for ``tx``)."""

    store: Store
    genesis: Genesis
    kind: str
    who: str
    req: dict[str, Any]
    receipt: Callable[[str], dict[str, Any] | None]

    def number(self, key: str, default: int) -> int:
        return int(self.req.get(key, default))


@dataclass(frozen=True)
class Query:
    roles: frozenset[str]
    refusal: str  # what a role not listed is told
    handler: Callable[[Ask], Any] | None  # None: served by the endpoint itself


def card_query_digest(number: str, t: int, purpose: str = "my_card") -> bytes:
    """What a holder signs with the card's key to let a query read its card: ``my_card``
    (its own card and history, through any connection) or ``offer`` (a till's points offer:
    the card is present)."""
    return codec.digest([purpose, number, t])


def card_present(a: Ask, purpose: str) -> str:
    """The card number of a request its card's key signs for ``purpose`` (``card``,
    ``time``, ``sig``: within ``CARD_PROOF_MS`` of now); AccessError otherwise."""
    number, t, sig = str(a.req.get("card")), a.req.get("time"), a.req.get("sig")
    row = a.store.get("cards", number)
    if row is None or type(t) is not int or not isinstance(sig, str):
        raise AccessError("unknown card or a request the card did not sign")
    if abs(t - int(time.time() * 1000)) > CARD_PROOF_MS:
        raise AccessError("the request's time is too far from now")
    if not crypto.verify(row["public_key"], card_query_digest(number, t, purpose), sig):
        raise AccessError("the card's signature does not verify")
    return number


# --- scopes -------------------------------------------------------------------------------


def may_see_merchant(a: Ask, merchant: str) -> None:
    m = a.store.get("merchants", merchant)
    term = a.store.get("terminals", a.who) if a.kind == "terminal" else None
    allowed = a.kind in ("regulator", "clearing") or \
        (a.kind == "clerk" and m is not None and m["acquirer"] == a.who) or \
        (term is not None and term["merchant"] == merchant)
    if not allowed:
        raise AccessError("this merchant's records are not visible to you")


def _terminal_merchant(a: Ask) -> str:
    """The merchant the asking terminal belongs to ("?" for a terminal not on chain)."""
    term = a.store.get("terminals", a.who)
    return str(term["merchant"]) if term else "?"


def visible_merchant(a: Ask) -> str:
    """The merchant a request names (a terminal's own by default), if the role may see
    its records."""
    merchant = a.req.get("merchant")
    if merchant is None and a.kind == "terminal":
        merchant = _terminal_merchant(a)
    may_see_merchant(a, str(merchant))
    return str(merchant)


def scope_filters(a: Ask, filters: dict[str, Any]) -> None:
    """A regulator sees every transaction; a clerk its bank's (or a merchant it acquires);
    a terminal its merchant's; the clearing house a merchant's it names."""
    if a.kind == "regulator":
        return
    if "merchant" in filters:
        may_see_merchant(a, str(filters["merchant"]))
        return
    if a.kind == "clerk":
        if filters.setdefault("bank", a.who) != a.who:
            raise AccessError("another bank's transactions are not visible to you")
        return
    if a.kind == "terminal":
        filters["merchant"] = _terminal_merchant(a)
        return
    raise AccessError("name a merchant to see its transactions")


# --- handlers -----------------------------------------------------------------------------


def _blocks(a: Ask) -> Any:
    lo = a.number("from", 0)
    hi = min(a.number("to", a.store.height()), lo + 1000)
    return [[h, x] for h, x in a.store.query(
        "SELECT height, hash FROM blocks WHERE height BETWEEN ? AND ? ORDER BY height",
        (lo, hi))]


HEADERS_MAX = 200  # headers per reply


def _headers(a: Ask) -> Any:
    """Certified headers without their transactions (a light node follows these): from
    ``first``, at most ``limit``, each [height, header text, commit certificate text,
    result certificate text or None (not gathered yet)]."""
    first = max(1, a.number("first", 1))
    n = max(1, min(a.number("limit", HEADERS_MAX), HEADERS_MAX))
    def text(x: Any) -> str:
        return x if isinstance(x, str) else bytes(x).decode("utf-8", "replace")

    return [[h, text(hd), text(c), None if at is None else str(at)]
            for h, hd, c, at in a.store.query(
                "SELECT height, header, cert, attest FROM blocks WHERE height BETWEEN ? AND ? "
                "AND cert IS NOT NULL ORDER BY height", (first, first + n - 1))]


def _block_list(a: Ask) -> Any:  # newest first, with what a block browser shows
    n = max(1, min(a.number("limit", 100), 1000))
    rows = a.store.query("SELECT height, hash, time, ntx, view, proposer FROM blocks "
                         "ORDER BY height DESC LIMIT ?", (n,))
    keys = ("height", "hash", "time", "ntx", "view", "proposer")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _compliance(a: Ask) -> Any:
    """Every case, with its rule's description in this consortium's limits."""
    from node.compliance import describe, scan

    return [{**asdict(c), "rule_doc": describe(a.genesis, c.rule)}
            for c in scan(a.store, a.genesis)]


def _summary(a: Ask) -> Any:
    head = a.store.head()
    assert head is not None
    return {"sums": q.sum_of_balances(a.store), "height": head.height, "hash": head.hash,
            "state_root": head.state_root, "integrity": a.store.integrity_check()}


def _attests(a: Ask) -> Any:
    heights = a.req.get("heights")
    if not isinstance(heights, list) or len(heights) > 200 or \
            not all(type(h) is int for h in heights):
        raise AccessError("heights must be a list of at most 200 block heights")
    return {str(h): x for h in heights if (x := a.store.attest(h)) is not None}


def _card(a: Ask) -> Any:
    number = str(a.req.get("card"))
    info = q.card_info(a.store, a.genesis, number)
    if not (a.kind == "regulator" or (a.kind == "clerk" and info["bank"] == a.who)):
        raise AccessError("this card is not visible to you")
    return info if a.req.get("q") == "card" else \
        q.card_history(a.store, number, max(1, min(a.number("limit", 100), 5_000)),
                       banks=a.genesis.bank_ids)


def _my_card(a: Ask) -> Any:
    """The holder signs ("my_card", card, time) with the card key; within 5 minutes."""
    number = card_present(a, "my_card")
    return {"card": q.card_info(a.store, a.genesis, number),
            "history": q.card_history(a.store, number, banks=a.genesis.bank_ids)}


def _txs(a: Ask) -> Any:
    filters = dict(a.req.get("filters") or {})
    merchant_txs = a.req.get("q") == "merchant_txs"
    if merchant_txs:
        filters["merchant"] = str(a.req.get("merchant"))
    scope_filters(a, filters)
    page = q.transactions(a.store, filters, limit=a.number("limit", 100),
                          offset=a.number("offset", 0), after=a.req.get("after"))
    return page["items"] if merchant_txs else page


def _statement(a: Ask) -> Any:
    merchant = str(a.req.get("merchant"))
    may_see_merchant(a, merchant)
    cycle = a.number("cycle", 0)
    if a.req.get("q") == "statement_lines":
        return q.statement_lines(a.store, merchant, cycle)
    return q.cycle_statement(a.store, a.genesis, merchant, cycle)


def _cards(a: Ask) -> Any:
    bank = str(a.req.get("bank", a.who))
    if not (a.kind == "regulator" or (a.kind == "clerk" and bank == a.who)):
        raise AccessError("another bank's cards are not visible to you")
    return q.bank_cards(a.store, a.genesis, bank, status=a.req.get("status") or None,
                        text=str(a.req.get("text", "")), limit=a.number("limit", 200))


def _issuers(a: Ask) -> Any:  # a bank sees its own row
    rows = q.issuers(a.store, a.genesis)
    return [r for r in rows if r["bank"] == a.who] if a.kind == "clerk" else rows


def _bank_payable(a: Ask) -> Any:
    bank = str(a.req.get("bank"))
    if not (a.kind in ("regulator", "clearing") or (a.kind == "clerk" and bank == a.who)):
        raise AccessError("another bank's obligations are not visible to you")
    return q.bank_payable(a.store, bank, a.number("cycle", 0))


def _points_statement(a: Ask) -> Any:
    bank = str(a.req.get("bank"))
    if not (a.kind in ("regulator", "clearing") or (a.kind == "clerk" and bank == a.who)):
        raise AccessError("another bank's points are not visible to you")
    return q.points_statement(a.store, bank, a.number("cycle", 0))


def _proposals(a: Ask) -> Any:
    """A bank's clerk its bank's proposals (four eyes); the regulator every bank's."""
    return q.proposals(a.store, a.who if a.kind == "clerk" else None,
                       a.number("limit", 200))


def _throughput(a: Ask) -> Any:
    """Up to the latest block's hour (the same answer from every replica at a height)."""
    head = a.store.head()
    return q.throughput(a.store, head.time if head else 0,
                        max(1, min(a.number("hours", 24), 24 * 31)))


def _outstanding_history(a: Ask) -> Any:
    """Up to the latest block's day (the same answer from every replica at a height); a
    bank sees its own line."""
    head = a.store.head()
    days = max(1, min(a.number("days", 30), 366))
    rows = q.outstanding_history(a.store, a.genesis, head.time if head else 0, days)
    if a.kind == "clerk":
        rows = [{"day": r["day"], a.who: r.get(a.who, 0)} for r in rows]
    return rows


def _offer(a: Ask) -> Any:
    """A till's points offer for the card in front of it: the card signs the request."""
    return q.redemption_offer(a.store, a.genesis, a.who, card_present(a, "offer"),
                              a.req.get("items"), a.req.get("banks"))


def may_see_tx(a: Ask, tx_id: str) -> None:
    """AccessError unless this role may see the decided transaction ``tx_id`` (its decision,
    its receipt): the regulator every one; a bank's clerk those of its cards or of a
    merchant it acquires; a terminal its merchant's; the clearing house any merchant's.
    An id that names no decided transaction passes (the caller says it is unknown)."""
    rows = a.store.query("SELECT merchant, bank FROM txs WHERE id = ? AND consumes = 1",
                         (tx_id,))
    if not rows or a.kind == "regulator":
        return
    merchant, bank = rows[0]
    if a.kind == "clerk" and bank == a.who:
        return
    if merchant is not None and a.kind in ("clerk", "terminal", "clearing"):
        may_see_merchant(a, str(merchant))
        return
    raise AccessError("this transaction is not visible to you")


def _tx(a: Ask) -> Any:
    tx_id = str(a.req.get("id"))
    may_see_tx(a, tx_id)
    return a.receipt(tx_id)


def _refundable(a: Ask) -> Any:  # a merchant's payments with what is left to refund
    return q.refundable(a.store, visible_merchant(a),
                        max(1, min(a.number("limit", 200), q.MAX_PAGE)))


ALL = ROLES
BANKS_AND_REGULATOR = frozenset({"regulator", "clearing", "clerk"})
FULL = BANKS_AND_REGULATOR  # who may hold a copy of the whole chain
WIDE = frozenset({"regulator", "clearing"})

# The operations a client may send.  Every member may submit (the ledger's rules decide
# who may do what), ask a validator's status, follow its blocks, and query (each query
# has its own row below).
OPS: dict[str, frozenset[str]] = {"submit": ROLES, "status": ROLES, "subscribe": ROLES,
                                  "query": ROLES}

QUERIES: dict[str, Query] = {
    # a transaction's receipt with its proofs, for who may see the transaction
    # (may_see_tx): the endpoint waits for the block's result certificate, so it serves it
    "receipt": Query(ROLES, "", None),
    # the chain without its transactions, for members: heights, hashes, headers with
    # their commit certificates, result certificates (what a light node follows)
    "blocks": Query(ALL, "", _blocks),
    "block_list": Query(ALL, "", _block_list),
    "headers": Query(ALL, "", _headers),
    "attests": Query(ALL, "", _attests),
    # whole blocks, every transaction in them: for the full observers of the banks, the
    # clearing house and the regulator (a till runs a light node, node/light.py)
    "fetch_blocks": Query(FULL, "whole blocks are for the banks and the regulator",
                          lambda a: blocks_to_wire(a.store.blocks_with_certs(
                              a.number("first", 1), max(1, min(a.number("limit", 200),
                                                               200))))),
    "tx": Query(ALL, "", _tx),
    "contracts": Query(ALL, "", lambda a: q.contracts(a.store, a.genesis)),  # public terms
    # a cardholder, through any connection, proves the card's key
    "my_card": Query(ALL, "", _my_card),
    # the regulator's
    "compliance": Query(frozenset({"regulator"}), "compliance cases are for the regulator",
                        _compliance),
    "summary": Query(frozenset({"regulator"}), "the ledger summary is for the regulator",
                     _summary),
    # a bank's own cards; the regulator's every card
    "card": Query(frozenset({"regulator", "clerk"}), "this card is not visible to you", _card),
    "history": Query(frozenset({"regulator", "clerk"}), "this card is not visible to you",
                     _card),
    "cards": Query(frozenset({"regulator", "clerk"}),
                   "another bank's cards are not visible to you", _cards),
    # transactions and merchants' records, scoped by role
    "txs": Query(ALL, "", _txs),
    "merchant_txs": Query(ALL, "", _txs),
    "statement": Query(ALL, "", _statement),
    "statement_lines": Query(ALL, "", _statement),
    "refundable": Query(ALL, "", _refundable),
    "catalogue": Query(ALL, "", lambda a: q.catalogue(
        a.store, visible_merchant(a), a.genesis, a.who if a.kind == "terminal" else None)),
    # a till's, for the card in front of it (the card's key signs the request)
    "offer": Query(frozenset({"terminal"}), "only a terminal asks for a points offer", _offer),
    # consortium-wide figures
    "issuers": Query(BANKS_AND_REGULATOR, "consortium-wide figures are for the regulator",
                     _issuers),
    "merchant_volumes": Query(WIDE, "consortium-wide figures are for the regulator",
                              lambda a: q.merchant_volumes(a.store)),
    "merchants": Query(BANKS_AND_REGULATOR, "the merchant list is for banks and the regulator",
                       lambda a: q.merchants(a.store, a.who if a.kind == "clerk" else None)),
    # a bank's choice of goods per terminal (item prices are public), its day of points
    "points_terminals": Query(BANKS_AND_REGULATOR, "terminals' goods are for the banks",
                              lambda a: q.points_terminals(a.store)),
    "points_statement": Query(BANKS_AND_REGULATOR,
                              "another bank's points are not visible to you",
                              _points_statement),
    "proposals": Query(frozenset({"regulator", "clerk"}),
                       "a bank's proposals are for its clerks", _proposals),
    "throughput": Query(frozenset({"regulator"}), "consortium-wide figures are for the regulator",
                        _throughput),
    "outstanding_history": Query(BANKS_AND_REGULATOR,
                                 "consortium-wide figures are for the regulator",
                                 _outstanding_history),
    "bank_payable": Query(BANKS_AND_REGULATOR,
                          "another bank's obligations are not visible to you", _bank_payable),
    # a cycle's interbank positions: a bank its own pairs, the clearing house and the
    # regulator every pair
    "netting": Query(BANKS_AND_REGULATOR, "interbank positions are for the banks",
                     lambda a: q.netting(a.store, a.number("cycle", 0),
                                         a.who if a.kind == "clerk" else None)),
}


def allow_op(kind: str, op: object) -> None:
    """AccessError unless this role may send operation ``op``."""
    roles = OPS.get(op) if isinstance(op, str) else None
    if roles is None:
        raise AccessError(f"unknown op {op!r}")
    if kind not in roles:
        raise AccessError(f"{op} is for members of the consortium")


def allowed(kind: str, name: object) -> Query:
    """The query ``name`` if this role may ask it; AccessError otherwise."""
    query = QUERIES.get(name) if isinstance(name, str) else None
    if query is None:
        raise AccessError(f"unknown query {name!r}")
    if kind not in query.roles:
        raise AccessError(query.refusal or f"{name} is not for you")
    return query


def run(a: Ask) -> Any:
    """The answer to ``a.req["q"]`` for this role, or AccessError."""
    query = allowed(a.kind, a.req.get("q"))
    if query.handler is None:
        raise AccessError(f"{a.req.get('q')} is served by the endpoint")
    return query.handler(a)
