"""State transfer on a validator (mixed into ``Node``): serving a peer's FETCH with a
size-bounded run of blocks and their commit certificates, continuing a reply cut short at
once, and checking and writing the fetched blocks.

A reply carries at most ``FETCH_LIMIT`` blocks and, past ``Options.fetch_bytes`` of
transaction text, no more (under full load 200 blocks are ~70 MB, past any frame); it says
whether more was left.  The fetched blocks' certificates are checked on the verify
threads; their transactions' signatures are not checked again (2f+1 replicas, f+1 of them
honest, checked them before voting); runs of them are written in one SQLite transaction.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from node.consensus.certs import certified_block, encode_cert
from node.consensus.types import Execute
from node.ledger import BlockResult, Ledger
from node.ledger.errors import Rejected
from node.ledger.tx import Tx
from node.net.framing import pack

if TYPE_CHECKING:
    from node.service import Node

log = logging.getLogger("cardchain.node")
FETCH_LIMIT = 200


class StateTransfer:
    """The Node's state-transfer half; its methods run on a ``Node``."""

    def _ask_blocks(self: Node, peer: int, first: int, last: int) -> None:
        link = self.links.get(peer)
        if link:
            self.asked[peer] = (first, last)
            link.send(pack({"t": "fetch", "first": first, "last": last}))

    def _fetch_range(self: Node, first: int, last: int) -> list[dict[str, Any]]:
        assert self.store is not None
        return self.store.blocks_with_certs(first, min(FETCH_LIMIT, last - first + 1),
                                            self.opts.fetch_bytes)

    async def _serve_fetch(self: Node, peer: int, first: int, last: int) -> None:
        blocks = await self.on_db(self._fetch_range, first, last)
        link = self.links.get(peer)
        if blocks and link:
            # "more": the reply stopped at its size budget before ``last`` (and our head)
            more = blocks[-1]["height"] < min(last, self.height)
            link.send(pack({"t": "blocks", "blocks": blocks, "more": more}))

    def _continue_fetch(self: Node, peer: int, blocks: list[Any], more: bool) -> None:
        """A reply cut short by its size budget: ask the same peer for the rest of the range
        now, while this part executes (otherwise the rest waits for the fetch timer)."""
        asked = self.asked.get(peer)
        if not (more and blocks and asked):
            return
        end = int(blocks[-1]["height"])
        if int(blocks[0]["height"]) == asked[0] and end < asked[1]:
            self.stats["fetch_continued"] += 1
            self._ask_blocks(peer, end + 1, asked[1])

    def _check_fetched(self: Node, blocks: list[dict[str, Any]]) -> list[tuple[Execute, list[Tx]]]:
        """On a verify thread: each block's commit certificate, and its transactions
        decoded; stops at the first block that fails (it will be fetched again)."""
        assert self.replica is not None
        out = []
        for b in blocks:
            try:
                batch = tuple(str(t) for t in b["txs"])
                ex = certified_block(self.replica.cfg, int(b["height"]), b["cert"].encode(),
                                     batch)
                # the certificate vouches for the texts (honest replicas vote only for
                # canonical requests): decoded without re-checking the canonical form
                txs = [Tx.decode_trusted(t.encode("utf-8")) for t in batch] if ex else []
            except (KeyError, TypeError, ValueError, AttributeError, Rejected):
                ex = None
            if ex is None:
                log.warning("a fetched block failed its certificate check: ignored")
                break
            out.append((ex, txs))
        return out

    async def _execute_fetched(self: Node, blocks: list[dict[str, Any]]) -> None:
        """State transfer.  The certificates are checked on the verify threads; the
        transactions' signatures are not checked again (certified: f+1 honest replicas
        checked them before voting); the blocks are executed in one SQLite transaction."""
        blocks = [b for b in blocks if isinstance(b, dict)
                  and isinstance(b.get("height"), int) and b["height"] > self.height]
        if not blocks:
            return
        parts = await self._on_verifiers(self._check_fetched, blocks)
        run: list[tuple[Execute, list[Tx]]] = []
        for ex, txs in (x for part in parts for x in part):
            if ex.seq != self.height + 1 + len(run):
                break  # out of order or after a refused block: fetched again later
            run.append((ex, txs))
        done = await self.on_db(self._apply_run, run)
        for res, ex, cert in done:
            self.stats["fetched_blocks"] += 1
            self._executed(res, ex, cert)

    def _apply_run(self: Node, run: list[tuple[Execute, list[Tx]]]) \
            -> list[tuple[BlockResult, Execute, bytes]]:
        assert self.store is not None
        out = []
        try:
            with self.store.db.atomic():
                for ex, txs in run:
                    cert = encode_cert(ex.view, ex.time, ex.batch_id, ex.cert)
                    try:
                        out.append((self._apply(txs, ex, [True] * len(txs), cert), ex, cert))
                    except Exception:
                        log.exception("executing fetched block %s failed", ex.seq)
                        break
        except Exception:  # the COMMIT failed: none of the run is on disk
            log.exception("writing fetched blocks failed")
            self.ledger = Ledger(self.store, self.genesis)  # caches back to what is on disk
            return []
        return out
