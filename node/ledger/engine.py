"""The deterministic ledger: executes ordered blocks of transactions against the store.

``Ledger.apply_block`` is the only way state changes.  For each transaction, in order:
duplicate check, chain, signatures (stateless, can be precomputed off the loop), expiry,
body shape, then the kind's rule.  Every transaction is *decided*: accepted with balanced
postings, or rejected with a stable reason code and nothing changed.  Time comes from the
block, never from a clock.  The block, its transactions, postings and state changes are
committed in one SQLite transaction.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from node import codec, crypto

# Importing the rule modules registers their rules in RULES.
from node.ledger import (  # noqa: F401
    approvals,
    cards,
    clearing,
    consortium,
    lots,
    payments,
    sales,
)
from node.ledger import tx as f
from node.ledger.consortium import write_merchant, write_terminal
from node.ledger.effects import (
    Effects,
    block_hash,
    effects_of,
    header_of,
    results_root_of,
    state_root_of,
)
from node.ledger.errors import Reason, Rejected
from node.ledger.genesis import Genesis
from node.ledger.rules import RULES
from node.ledger.state import Ctx, Overlay
from node.ledger.tx import Tx
from node.store import BlockRow, PostingRow, Store, TxRow

OK = "ok"


class LedgerError(RuntimeError):
    """The store and the genesis disagree, or a block cannot follow the chain."""


@dataclass(frozen=True)
class TxResult:
    id: str
    kind: str
    code: str
    message: str

    @property
    def ok(self) -> bool:
        return self.code == OK


@dataclass(frozen=True)
class BlockResult:
    height: int
    hash: str
    state_root: str
    time: int
    results: tuple[TxResult, ...]


def _lp(h: hashlib._Hash, *parts: bytes) -> None:
    for p in parts:
        h.update(struct.pack(">I", len(p)))
        h.update(p)


def _v1_hashes(writes: Sequence[tuple[str, str, object, str | None]],
               results: Sequence[TxResult]) -> tuple[str, str]:
    """Chain format 1: each write and each result code, length-prefixed."""
    wh = hashlib.sha256()
    for table, key, _, data in writes:
        _lp(wh, table.encode(), key.encode(), b"" if data is None else data.encode("utf-8"))
    rh = hashlib.sha256()
    for r in results:
        _lp(rh, r.id.encode(), r.code.encode())
    return wh.hexdigest(), rh.hexdigest()


class Ledger:
    def __init__(self, store: Store, genesis: Genesis, *, cache_rows: int | None = None) \
            -> None:
        self.store = store
        self.genesis = genesis
        self.limits = genesis.limits
        self.params = genesis.params
        self.bank_ids = genesis.bank_ids
        self.st = Overlay(store)
        # (table, key) -> the height that last wrote it, when someone asks (the audit)
        self.written: dict[tuple[str, str], int] | None = None
        if cache_rows is not None:  # a node inside a window keeps a small heap (GC pauses)
            self.st.CACHE_LIMIT = cache_rows
        recorded = store.meta("genesis_hash")
        if recorded is not None and recorded != genesis.hash.hex():
            raise LedgerError("this database belongs to another consortium (genesis differs)")
        if store.height() < 0:
            self._apply_genesis()
        first = store.block(0)
        if first is None or first.prev_hash != genesis.hash.hex():
            raise LedgerError("block 0 does not chain to this genesis")
        if recorded is None:
            store.set_meta("genesis_hash", genesis.hash.hex())

    # --- chain head ---------------------------------------------------------------------

    @property
    def height(self) -> int:
        return self.store.height()

    def head(self) -> BlockRow:
        head = self.store.head()
        if head is None:
            raise LedgerError("empty store")
        return head

    # --- genesis ------------------------------------------------------------------------

    def _apply_genesis(self) -> None:
        g = self.genesis
        ctx = self._ctx(Tx(g.chain_id, "genesis", {}, 0, 0), g.genesis_time, 0)
        for b in g.banks:
            ctx.put("banks", b["id"], {"name": b["name"], "bin": b["bin"],
                                        "points_contract": b["points_contract"],
                                        **({"four_eyes": b["four_eyes"]}
                                           if b.get("four_eyes") else {})})
            for k in b["clerks"]:
                ctx.put("principals", k, {"role": "clerk", "entity": b["id"]})
        for role, key in (("clearing", "clearing_house"), ("regulator", "regulator")):
            for k in g.raw[key]["keys"]:
                ctx.put("principals", k, {"role": role, "entity": g.raw[key]["id"]})
        for v in g.validators:
            ctx.put("principals", v["public_key"], {"role": "validator", "entity": str(v["id"])})
        for m in g.merchants:
            write_merchant(ctx, m)
            for t in m["terminals"]:
                write_terminal(ctx, t["id"], m["id"], t["public_key"])
            ctx.put("catalogues", m["id"], {"items": m["catalogue"]})
        self.st.commit_tx()
        self._commit(0, g.hash.hex(), g.hash.hex(), g.genesis_time, 0, 0, [], [], [], None)

    # --- execution ------------------------------------------------------------------------

    def _ctx(self, tx: Tx, time: int, height: int) -> Ctx:
        return Ctx(self.st, tx, time, height, self.limits, self.params, self.bank_ids,
                   chain_format=self.genesis.chain_format)

    def _decide(self, tx: Tx, time: int, height: int, sig_ok: bool, seen: set[bytes],
                consumed: set[str]) -> tuple[str, str, bool, Ctx]:
        """Return (code, message, consumes_id, ctx) and leave accepted writes staged."""
        ctx = self._ctx(tx, time, height)
        body = tx.body
        c, m, bk, a = body.get("card"), body.get("merchant"), body.get("bank"), body.get("amount")
        ctx.card = c if isinstance(c, str) and len(c) <= 19 else None
        ctx.merchant = m if isinstance(m, str) and len(m) <= 32 else None
        ctx.bank = bk if isinstance(bk, str) and len(bk) <= 32 else None
        ctx.amount = a if type(a) is int and abs(a) <= codec.MAX_INT else None
        if tx.id in seen or tx.hex_id in consumed:
            return Reason.DUPLICATE, "this transaction was already decided", False, ctx
        if tx.chain != self.genesis.chain_id:
            return Reason.WRONG_CHAIN, f"transaction is for chain {tx.chain!r}", False, ctx
        if not sig_ok:
            return Reason.BAD_SIGNATURE, "a signature does not verify", False, ctx
        seen.add(tx.id)
        try:
            if time > tx.expires:
                raise Rejected(Reason.EXPIRED, "the transaction expired before it was ordered")
            if tx.expires - time > self.params["max_ttl_ms"]:
                raise Rejected(Reason.EXPIRY_TOO_FAR, "expiry is too far in the future")
            rule = RULES.get(tx.kind)
            if rule is None:
                raise Rejected(Reason.MALFORMED, f"unknown transaction kind {tx.kind!r}")
            f.check_body(body, rule.required, rule.optional)
            rule.apply(ctx, body)
            # (after the rule: an act its signer may not do at all is refused as such)
            approvals.needs_second_clerk(ctx, tx.kind)
            ctx.check_balanced()
        except Rejected as exc:
            self.st.abort_tx()
            ctx.postings.clear()
            return exc.reason, exc.message, True, ctx
        except Exception:
            self.st.abort_tx()
            raise
        self.st.commit_tx()
        return OK, "", True, ctx

    def apply_block(
        self,
        txs: Sequence[Tx],
        time: int,
        *,
        view: int = 0,
        proposer: int = 0,
        cert: bytes | None = None,
        sig_ok: Sequence[bool] | None = None,
    ) -> BlockResult:
        head = self.head()
        if time < head.time:
            raise LedgerError(f"block time {time} is before the previous block's {head.time}")
        if sig_ok is None:
            sig_ok = [tx.signatures_valid() for tx in txs]
        elif len(sig_ok) != len(txs):
            raise LedgerError("sig_ok must have one entry per transaction")
        height = head.height + 1
        tx_rows: list[TxRow] = []
        postings: list[PostingRow] = []
        results: list[TxResult] = []
        seen: set[bytes] = set()
        consumed = self.store.consumed_among([tx.hex_id for tx in txs])
        try:
            for pos, (tx, ok) in enumerate(zip(txs, sig_ok, strict=True)):
                code, message, consumes, ctx = self._decide(tx, time, height, ok, seen,
                                                            consumed)
                code = str(code)
                results.append(TxResult(tx.hex_id, tx.kind, code, message))
                tx_rows.append(TxRow(height, pos, tx.hex_id, tx.kind, code, message, ctx.card,
                                     ctx.merchant, ctx.bank, ctx.amount, time, consumes,
                                     tx.encode()))
                postings.extend(PostingRow(height, pos, seq, acct, asset, amt)
                                for seq, (acct, asset, amt) in enumerate(ctx.postings))
            leaves = [crypto.sha256(r.wire) for r in tx_rows]
            row = self._commit(height, head.hash, head.state_root, time, view, proposer,
                               tx_rows, postings, leaves, cert, results)
        except BaseException:
            self.st.block_aborted()
            raise
        return BlockResult(height, row.hash, row.state_root, time, tuple(results))

    def _commit(self, height: int, prev_hash: str, prev_root: str, time: int, view: int,
                proposer: int, tx_rows: list[TxRow], postings: list[PostingRow],
                leaves: list[bytes], cert: bytes | None,
                results: Sequence[TxResult] = ()) -> BlockRow:
        writes: list[tuple[str, str, dict | None, str | None]] = []
        if self.written is not None:
            self.written.update(dict.fromkeys(self.st.block, height))
        for (table, key), row in sorted(self.st.block.items()):
            data = None if row is None else codec.encode_trusted(row).decode("utf-8")
            writes.append((table, key, row, data))
        fx: Effects | None = None
        if self.genesis.chain_format >= 2:
            fx = effects_of(tx_rows, postings, writes)
            wh, rh = fx.hashes()
        else:
            wh, rh = _v1_hashes(writes, results)
        state_root = state_root_of(prev_root, height, wh, rh)
        # view and proposer are not agreed content (a batch may commit in different views
        # at different replicas), so they are kept beside the header, not in it
        tx_root = crypto.merkle_root(leaves).hex()
        results_root = results_root_of(fx.entries) \
            if fx is not None and self.genesis.chain_format >= 3 else None
        header = header_of(self.genesis.chain_id, height, prev_hash, tx_root, state_root, time,
                           len(tx_rows), results_root)
        row = BlockRow(height, block_hash(header), prev_hash, tx_root, state_root,
                       time, view, proposer, len(tx_rows), codec.encode(header), cert)
        self.store.commit_block(row, tx_rows, postings, writes, fx)
        self.st.block_committed()
        return row
