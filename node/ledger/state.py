"""The state a block executes against: committed rows plus block and transaction overlays.

A transaction writes into its own overlay; on acceptance the overlay joins the block's, on
rejection it is dropped, so a rejected transaction changes nothing.  Rows are plain dicts
that are never mutated in place: a rule builds a new dict and ``put``s it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from node.ledger.errors import LedgerBug, Reason, Rejected
from node.ledger.tx import Tx

Row = dict[str, Any]
CNY = "CNY"


class Reader(Protocol):
    def get(self, table: str, key: str) -> Row | None: ...

    def scan(self, table: str, where: str = "", params: Any = ()) \
        -> Iterator[tuple[str, Row]]: ...


class Overlay:
    """Reads through block and transaction writes to the committed store, with a cache."""

    CACHE_LIMIT = 200_000

    def __init__(self, store: Reader) -> None:
        self.store = store
        self.cache: dict[tuple[str, str], Row | None] = {}
        self.block: dict[tuple[str, str], Row | None] = {}
        self.tx: dict[tuple[str, str], Row | None] = {}

    def get(self, table: str, key: str) -> Row | None:
        k = (table, key)
        if k in self.tx:
            return self.tx[k]
        if k in self.block:
            return self.block[k]
        try:
            return self.cache[k]
        except KeyError:
            row = self.store.get(table, key)
            if len(self.cache) >= self.CACHE_LIMIT:
                self.cache.clear()
            self.cache[k] = row
            return row

    def put(self, table: str, key: str, row: Row | None) -> None:
        self.tx[(table, key)] = row

    def scan(self, table: str, where: str, params: Any,
             match: Callable[[Row], bool]) -> list[tuple[str, Row]]:
        """The rows of ``table`` that match, in key order: the committed ones ``where`` (SQL
        over projection columns) selects, as this block and transaction left them (a row
        they wrote is in if ``match``, the same test in Python, says so)."""
        out = dict(self.store.scan(table, where, params))
        for layer in (self.block, self.tx):
            for (t, key), row in layer.items():
                if t != table:
                    continue
                if row is not None and match(row):
                    out[key] = row
                else:
                    out.pop(key, None)
        return sorted(out.items())

    def commit_tx(self) -> None:
        self.block.update(self.tx)
        self.tx = {}

    def abort_tx(self) -> None:
        self.tx = {}

    def block_committed(self) -> None:
        """The block's writes are durable: cached rows take their new values.  A row written
        but never read (a payment's record, say: one per payment) is not cached: the cache
        holds what is read (cards, accounts, merchants), not every row ever written, so it
        stays the size of the working set instead of growing with the chain."""
        cache = self.cache
        for k, row in self.block.items():
            if k in cache:
                cache[k] = row
        self.block = {}

    def forget(self, keys: Collection[tuple[str, str]]) -> None:
        """Rows written behind the overlay's back (blocks copied by state transfer).  Walks
        the smaller side: a node catching up copies tens of thousands of rows per run
        while its cache holds a few (3.5 % of its GIL time went to popping absent keys)."""
        cache = self.cache
        if len(keys) <= len(cache):
            for k in keys:
                cache.pop(k, None)
        else:
            for k in [k for k in cache if k in keys]:
                del cache[k]

    def block_aborted(self) -> None:
        self.block = {}
        self.tx = {}
        self.cache.clear()


@dataclass
class Ctx:
    """Everything one transaction's rule sees and produces."""

    st: Overlay
    tx: Tx
    time: int
    height: int
    limits: dict[str, int]
    params: dict[str, int]
    bank_ids: list[str]
    postings: list[tuple[str, str, int]] = field(default_factory=list)
    chain_format: int = 3  # rules added in a later format apply to chains of that format
    card: str | None = None
    merchant: str | None = None
    bank: str | None = None
    amount: int | None = None
    approving: bool = False  # an approved proposal's act runs (node/ledger/approvals.py)
    _day: int = -1

    @property
    def day(self) -> int:
        """The local day (days since 1970-01-01, UTC plus the genesis offset) of the block."""
        if self._day < 0:
            self._day = (self.time + self.params["utc_offset_min"] * 60_000) // 86_400_000
        return self._day

    # --- state helpers -------------------------------------------------------------------

    def get(self, table: str, key: str) -> Row | None:
        return self.st.get(table, key)

    def put(self, table: str, key: str, row: Row | None) -> None:
        self.st.put(table, key, row)

    def balance(self, account: str) -> int:
        row = self.st.get("accounts", account)
        return 0 if row is None else int(row["balance"])

    def post(self, account: str, asset: str, amount: int,
             keep: dict[str, Any] | None = None, row: Row | None = None) -> None:
        """One double-entry line; rules make every transaction's lines sum to zero.
        ``keep``: other fields the account row holds from now on (a points account's
        earning today); those it held stay.  ``row``: the account's row as the caller
        just read it (read here otherwise)."""
        if amount == 0:
            return
        if row is None:
            row = self.st.get("accounts", account)
        if row is None:
            row = {"asset": asset, "balance": 0}
        elif row["asset"] != asset:
            raise LedgerBug(f"account {account} holds {row['asset']}, not {asset}")
        self.st.put("accounts", account, {**row, **(keep or {}), "asset": asset,
                                          "balance": row["balance"] + amount})
        self.postings.append((account, asset, amount))

    def check_balanced(self) -> None:
        sums: dict[str, int] = {}
        for _, asset, amount in self.postings:
            sums[asset] = sums.get(asset, 0) + amount
        bad = {a: s for a, s in sums.items() if s}
        if bad:
            raise LedgerBug(f"unbalanced postings in {self.tx.kind}: {bad}")

    # --- authorization ---------------------------------------------------------------------

    def signer_roles(self) -> Iterator[Row]:
        for pub, _ in self.tx.sigs:
            p = self.st.get("principals", pub)
            if p is not None:
                yield p

    def signed_as(self, role: str, entity: str | None = None) -> bool:
        return any(p["role"] == role and (entity is None or p["entity"] == entity)
                   for p in self.signer_roles())

    def require(self, role: str, entity: str | None = None, what: str = "") -> None:
        if not self.signed_as(role, entity):
            who = f"{role} {entity}" if entity else role
            raise Rejected(Reason.UNAUTHORIZED,
                           f"{what or self.tx.kind} must be signed by the {who}")

    def require_key(self, public: str, what: str) -> None:
        if public not in self.tx.signers():
            raise Rejected(Reason.UNAUTHORIZED, f"{what} did not sign this transaction")
