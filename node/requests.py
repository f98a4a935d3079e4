"""The transactions a validator or observer has decoded, by canonical wire text.

A request reaches a validator as a client's submission or a peer's Forward, again inside
the PRE-PREPARE that orders it, and is then executed. Each of these steps asks this table,
so a request is decoded (and its signatures checked) once, and the PRE-PREPARE, the
certificates and the execution all get the same immutable ``Tx``. The table belongs to
one node and is used from its event loop only; the deterministic ledger never sees it.

An entry leaves when its request is executed (``done``), or, for a request that is never
ordered (refused, or a flood of them), when ``limit`` newer ones have arrived.

Each entry is also found by its leaf (SHA-256 of its text, its Merkle leaf in a block): a
primary sends its PRE-PREPARE to the backups with leaves in place of the requests they
already hold (node/refs.py).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from node import codec
from node.ledger.errors import Reason, Rejected
from node.ledger.tx import MAX_TX_TEXT, Tx

LIMIT = 16_384  # a validator's pending requests and blocks in flight, with room to spare


class Requests:
    def __init__(self, limit: int = LIMIT) -> None:
        # an OrderedDict: evicting a plain dict's oldest key walks its deleted slots
        self._txs: OrderedDict[str, Tx] = OrderedDict()
        self._leaves: dict[str, str] = {}  # leaf (hex) -> text
        self._leaf: dict[str, str] = {}  # text -> leaf, hashed once
        self.limit = limit

    def __len__(self) -> int:
        return len(self._txs)

    def __contains__(self, text: object) -> bool:
        return text in self._txs

    def get(self, text: str) -> Tx:
        """The transaction of a canonical wire text, decoded on first sight.  Raises
        Rejected like ``Tx.decode``; a refusal is not remembered."""
        tx = self._txs.get(text)
        if tx is not None:
            return tx
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Rejected(Reason.MALFORMED, "transaction text is not valid UTF-8") from exc
        tx = Tx.decode(data)
        self.put(text, tx)
        return tx

    def put(self, text: str, tx: Tx) -> None:
        """Remember a transaction decoded elsewhere from ``text`` (its canonical bytes)."""
        txs = self._txs
        while len(txs) >= self.limit:
            self._forget(txs.popitem(last=False)[0])  # the oldest
        txs[text] = tx
        leaf = self._leaf[text] = leaf_of(text)
        self._leaves[leaf] = text

    def leaf(self, text: str) -> str:
        """``leaf_of(text)``, hashed once for a request held here."""
        return self._leaf.get(text) or leaf_of(text)

    def _forget(self, text: str) -> None:
        leaf = self._leaf.pop(text, None)
        if leaf is not None:
            self._leaves.pop(leaf, None)

    def by_leaf(self, leaf: str) -> str | None:
        """The text of a request held here whose leaf is ``leaf``."""
        return self._leaves.get(leaf)

    def adopt(self, obj: dict[str, Any], text: str | None = None) -> str:
        """A transaction object of a checked canonical frame (a Forward, a PRE-PREPARE):
        its text (``text``, if the caller encoded it already), the object kept as decoded.
        A malformed one is not kept; the replica refuses it when it asks (``valid``)."""
        text = codec.text_of(obj) if text is None else text
        if text not in self._txs:
            with contextlib.suppress(Rejected):
                self.put(text, Tx.from_checked(obj, text.encode("utf-8")))
        return text

    def id_of(self, text: str) -> str | None:
        """The id of a transaction given as canonical wire text; None if it is not one.
        This is what consensus passes around (a replica needs ids, not transactions)."""
        try:
            return self.get(text).hex_id
        except Rejected:
            return None

    def valid(self, text: str) -> bool:
        """A request a validator may order: not too long, canonical, and every signature
        verifies."""
        if len(text) > MAX_TX_TEXT:
            return False
        try:
            return self.get(text).signatures_valid()
        except Rejected:
            return False

    def done(self, texts: Iterable[str]) -> None:
        """Executed: these will not be asked for again."""
        pop = self._txs.pop
        for t in texts:
            if pop(t, None) is not None:
                self._forget(t)


def leaf_of(text: str) -> str:
    """A request's leaf: SHA-256 of its canonical text (its Merkle leaf in a block)."""
    return codec.sha256(text.encode("utf-8")).hex()


def id_of(text: str) -> str | None:
    """``Requests.id_of`` without the table, for any thread (a block's certificate checked
    by an observer or the audit): decodes every time."""
    try:
        return Tx.decode(text.encode("utf-8")).hex_id
    except (Rejected, UnicodeEncodeError):
        return None
