"""State transfer on a validator (mixed into ``Node``): serving a peer's FETCH with a
size-bounded run of blocks and their commit certificates, continuing a reply cut short at
once, and checking and writing the fetched blocks.

A reply carries at most ``REPLY_BLOCKS`` blocks and, past ``Settings.fetch_bytes`` of
transaction text, no more (under full load 200 blocks are ~70 MB, past any frame); it says
whether more was left.  It goes out in frames of about ``PART_BYTES``: each part but the
last says so, the asker holds the parts until the last one has come (or ``PART_WAIT_S``
passed), and takes a part or a reply only for a range it asked that peer for, once.
In a chain of format 2 it also carries each block's effects and
runs on to a checkpoint whose proof it carries: the blocks up to it are copied from their
effects, checked against the proof's state root (``node/ledger/effects.py``); the others
are executed.  The certificates are checked on the verify threads as soon as a reply
arrives; the transactions' signatures are not checked again (2f+1 replicas, f+1 of them
honest, checked them before voting); a run is written in one SQLite transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from node.attest_writer import AttestWriter
from node.config import REPLY_BLOCKS, Settings
from node.consensus import Replica, results
from node.consensus import messages as m
from node.consensus.certs import certified_block, checkpoint_root, encode_cert
from node.consensus.messages import batch_root
from node.consensus.types import Arrived, Event, Execute
from node.ledger import BlockResult, Ledger, TxResult
from node.ledger.effects import Effects, Fetched, copy_run
from node.ledger.errors import Rejected
from node.ledger.genesis import Genesis
from node.ledger.tx import Tx
from node.net.framing import PEER_MAX_FRAME, pack
from node.net.transport import PeerLink
from node.precheck import PreCheck
from node.store import Store, blocks_to_wire

log = logging.getLogger("cardchain.node")
FETCHED_RUN = 64  # fetched blocks executed together in one SQLite transaction
ASKED_KEPT = 8  # block ranges remembered per peer (two chunks ahead, and their remainders)
PART_BYTES = 4 << 20  # text of blocks per frame of a reply (a frame may be PEER_MAX_FRAME)
PART_WAIT_S = 5.0  # how long the executor holds a reply's parts for the next one
SERVED_MAX = 3  # a peer's fetches served at once (it asks at most two chunks ahead)
REPLY_BYTES_MAX = 64 << 20  # replies to one peer waiting in its link before more are refused


@dataclass(frozen=True)
class Certified:
    """A fetched block whose commit certificate holds: its execution, its batch's Merkle
    root, and the state root its checkpoint proof holds for, if it carried one that does."""

    ex: Execute
    root: str
    proved: str | None


class StateTransfer:
    """The Node's state-transfer half; its methods run on a ``Node`` (service.py), which
    provides what is declared here (annotations only: the Node's own definitions are the
    ones found)."""

    genesis: Genesis
    settings: Settings
    publics: tuple[str, ...]
    store: Store | None
    ledger: Ledger | None
    replica: Replica | None
    links: dict[int, PeerLink]
    stats: dict[str, int]
    height: int
    asked: dict[int, dict[int, int]]
    serving: dict[int, int]
    exec_queue: asyncio.Queue[tuple[str, Any]]
    tasks: list[asyncio.Task[None]]
    on_db: Callable[..., Awaitable[Any]]
    step: Callable[[Event], None]
    prechecks: PreCheck  # its verify threads (precheck.py)
    _executed: Callable[..., None]
    attests: AttestWriter
    _apply: Callable[..., BlockResult]
    blocks_written: Callable[[], None]

    def _ask_blocks(self, peer: int, first: int, last: int) -> None:
        link = self.links.get(peer)
        if link:
            ranges = self.asked.setdefault(peer, {})
            ranges[first] = last
            while len(ranges) > ASKED_KEPT:
                del ranges[next(iter(ranges))]
            link.send(pack({"t": "fetch", "first": first, "last": last,
                            "effects": self.genesis.chain_format >= 2}))

    def _fetch_range(self, first: int, last: int, effects: bool) \
            -> list[dict[str, Any]]:
        assert self.store is not None
        return self.store.blocks_with_certs(first, min(REPLY_BLOCKS, last - first + 1),
                                            self.settings.fetch_bytes, effects)

    def _fetch_asked(self, peer: int, first: int, last: int, effects: bool) -> None:
        """A peer's FETCH is served unless it already has ``SERVED_MAX`` being served or
        ``REPLY_BYTES_MAX`` of replies waiting in its link: a peer that asks and never
        reads cannot grow this node's memory (it asks again on its fetch timer)."""
        link = self.links.get(peer)
        busy = self.serving.get(peer, 0)
        if link is None or busy >= SERVED_MAX or link.kept_bytes >= REPLY_BYTES_MAX:
            self.stats["fetches_refused"] = self.stats.get("fetches_refused", 0) + 1
            return
        self.serving[peer] = busy + 1
        task = asyncio.get_running_loop().create_task(
            self._serve_fetch(peer, first, last, effects))
        task.add_done_callback(lambda _t: self.serving.__setitem__(
            peer, self.serving.get(peer, 1) - 1))

    async def _serve_fetch(self, peer: int, first: int, last: int,
                           effects: bool = False) -> None:
        blocks = await self.on_db(self._fetch_range, first, last, effects)
        link = self.links.get(peer)
        if not (blocks and link):
            return
        # "more": the reply stopped at its size budget before ``last`` (and our head).
        # Kept past the link's byte budget: a reply with effects ends at a checkpoint, and
        # its parts are worth nothing without the last one.
        more = blocks[-1]["height"] < min(last, self.height)
        parts = reply_parts(blocks)
        for i, part in enumerate(parts):
            final = i == len(parts) - 1
            body: dict[str, Any] = {"t": "blocks", "blocks": blocks_to_wire(part),
                                    "more": more or not final}
            if not final:
                body["part"] = True
            try:
                data = pack(body, PEER_MAX_FRAME)
            except ValueError:  # one block past a frame: the asker tries another peer
                log.warning("block %s does not fit a frame: not served", part[0]["height"])
                return
            link.send(data, keep=effects)

    def _take_reply(self, peer: int, blocks: list[Any], part: bool) -> int | None:
        """The last height of the range asked of ``peer`` that this reply (or part) answers,
        None if it answers none: a peer's unasked or repeated replies are dropped unread.
        A part leaves the rest of its range open for the next part."""
        ranges = self.asked.get(peer, {})
        try:
            first, end = int(blocks[0]["height"]), int(blocks[-1]["height"])
        except (IndexError, KeyError, TypeError, ValueError):
            return None
        last = ranges.pop(first, None)
        if last is not None and part:
            ranges[end + 1] = max(last, end + 1)
        return last

    def _continue_fetch(self, peer: int, blocks: list[Any], more: bool,
                        last: int) -> None:
        """A reply cut short by its size budget: ask the same peer for the rest of the range
        now, while this part executes (otherwise the rest waits for the fetch timer)."""
        if not (more and blocks):
            return
        end = int(blocks[-1]["height"])
        if end < last:
            self.stats["fetch_continued"] += 1
            self._ask_blocks(peer, end + 1, last)

    def _certify(self, blocks: list[dict[str, Any]]) -> list[Certified | None]:
        """On a verify thread, as soon as a reply arrives (the database thread may be
        writing the previous one): each block's commit certificate, and the checkpoint
        proof a block carries; None for a block that fails."""
        assert self.replica is not None
        cfg = self.replica.cfg
        out: list[Certified | None] = []
        for b in blocks:
            try:
                batch = tuple(str(t) for t in b["txs"])
                root = batch_root(batch)
                ex = certified_block(cfg, int(b["height"]), b["cert"].encode(), batch, root)
                proved = None
                if ex is not None and "proof" in b:
                    msgs = tuple(m.decode(str(t).encode("utf-8")) for t in b["proof"])
                    proved = checkpoint_root(cfg, msgs, ex.seq)  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError, AttributeError, m.BadMessage):
                ex = None
            out.append(None if ex is None else Certified(ex, root, proved or None))
        return out

    def _receive_blocks(self, blocks: list[Any], part: bool = False) -> None:
        """A reply: its certificates are checked at once on the verify threads; the
        executor takes the blocks and the pending check in order (a part: held for the
        rest of its reply)."""
        blocks = [b for b in blocks if isinstance(b, dict) and isinstance(b.get("height"), int)]
        if blocks:
            kind = "fetched-part" if part else "fetched"
            self.exec_queue.put_nowait((kind, [(blocks, self.prechecks.run(
                self._certify, blocks))]))
            self.step(Arrived(max(b["height"] for b in blocks)))  # the next chunk, meanwhile

    async def _execute_fetched(self, replies: list[tuple[list[dict[str, Any]],
                                                              Any]]) -> None:
        """State transfer.  Blocks up to a checkpoint whose proof came with them are copied
        from their effects; the others are executed (the effects past the last proof have
        nothing vouching for them yet).  Stops at the first block that fails its
        certificate (it will be fetched again)."""
        fetched: list[tuple[dict[str, Any], Certified | None]] = []
        for blocks, checking in replies:
            fetched += zip(blocks, [v for part in await checking for v in part], strict=True)
        run: list[tuple[dict[str, Any], Certified]] = []
        for b, v in fetched:
            if b["height"] <= self.height:
                continue
            if v is None:
                log.warning("a fetched block failed its certificate check: ignored")
                break
            if v.ex.seq != self.height + 1 + len(run):
                break  # out of order: fetched again later
            run.append((b, v))
        cut = max((i for i, (b, v) in enumerate(run) if v.proved), default=-1)
        if cut >= 0 and all("results" in b and "writes" in b for b, _ in run[:cut + 1]) \
                and await self._copy_fetched(run[:cut + 1]):
            run = run[cut + 1:]
        for i in range(0, len(run), FETCHED_RUN):
            await self._execute_run(run[i:i + FETCHED_RUN])

    async def _copy_fetched(self, run: list[tuple[dict[str, Any], Certified]]) -> bool:
        """Certified blocks whose effects the last one's checkpoint proof vouches for: the
        state roots recomputed from the effects and compared with the proof's, the rows
        written in one SQLite transaction.  False if it fails (they are then executed)."""
        try:
            fetched = [Fetched(v.ex.seq, v.ex.time, v.ex.view, b["cert"].encode(),
                               tuple(b["txs"]), v.root,
                               Effects(str(b["results"]), str(b["writes"])))
                       for b, v in run]
        except (KeyError, TypeError, AttributeError):
            return False
        last, proved = run[-1]
        done = await self.on_db(self._copy_run, [v.ex for _, v in run], fetched,
                                proved.proved, last["proof"])
        if done is None:
            return False
        for res, ex, cert in done:
            self.stats["copied_blocks"] += 1
            self._executed(res, ex, cert, fetched=True)
        self._store_fetched_attests([b for b, _ in run], [res for res, _, _ in done])
        return True

    def _copy_run(self, exs: list[Execute], run: list[Fetched], root: str,
                  proof: list[str]) -> list[tuple[BlockResult, Execute, bytes]] | None:
        assert self.store is not None and self.ledger is not None
        seq = run[-1].height
        try:
            copy = copy_run(self.genesis.chain_id, self.ledger.head(), run, len(self.publics),
                            self.genesis.chain_format)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("the effects of fetched blocks are malformed (%s): executed instead",
                        exc)
            return None
        if copy.blocks[-1].height != seq or copy.blocks[-1].state_root != root:
            log.warning("the effects of blocks up to %s do not give the state root their "
                        "checkpoint proof holds: executed instead", seq)
            return None
        try:
            with self.store.db.atomic():
                self.store.copy_blocks(copy)
                self.store.save_proof(seq, proof)
            self.blocks_written()
        except Exception:  # the COMMIT failed: none of the run is on disk
            log.exception("writing copied blocks failed")
            return None
        self.ledger.st.forget(copy.state)
        out = []
        for ex, f, row, done in zip(exs, run, copy.blocks, copy.results, strict=True):
            res = BlockResult(row.height, row.hash, row.state_root, row.time,
                              tuple(TxResult(*r) for r in done))
            out.append((res, ex, f.cert))
        return out

    async def _execute_run(self, run: list[tuple[dict[str, Any], Certified]]) -> None:
        """Certified blocks executed: the transactions decoded on the verify threads, their
        signatures not checked again (certified: f+1 honest replicas checked them before
        voting); the blocks executed in one SQLite transaction."""
        parts = await self.prechecks.run(self._decode, [b for b, _ in run])
        decoded = [txs for part in parts for txs in part]
        todo = []
        for (_, v), txs in zip(run, decoded, strict=True):
            if txs is None:
                log.warning("a fetched block's transactions do not decode: ignored")
                break
            todo.append((v.ex, txs))
        done = await self.on_db(self._apply_run, todo)
        for res, ex, cert in done:
            self.stats["fetched_blocks"] += 1
            self._executed(res, ex, cert, fetched=True)
        self._store_fetched_attests([b for b, _ in run], [res for res, _, _ in done])

    def _store_fetched_attests(self, blocks: list[dict[str, Any]],
                               done: list[BlockResult]) -> None:
        """The result certificates fetched blocks came with, checked on the verify threads
        against the headers this node computed, stored if they hold."""
        todo = [(res.height, res.hash, b["attest"]) for b, res in zip(blocks, done, strict=False)
                if isinstance(b.get("attest"), str)]
        if not todo:
            return
        assert self.replica is not None
        cfg = self.replica.cfg

        def check(items: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
            return [(h, text) for h, bhash, text in items
                    if results.valid_text(cfg, h, bhash, text)]

        async def then() -> None:
            parts = await self.prechecks.run(check, todo)
            good = [x for part in parts for x in part]
            if good:
                self.attests.save(good)

        task = asyncio.get_running_loop().create_task(then())
        self.tasks.append(task)
        task.add_done_callback(self.tasks.remove)

    @staticmethod
    def _decode(blocks: list[dict[str, Any]]) -> list[list[Tx] | None]:
        """The certificate vouches for the texts (honest replicas vote only for canonical
        requests): decoded without re-checking their canonical form."""
        out: list[list[Tx] | None] = []
        for b in blocks:
            try:
                out.append([Tx.decode_trusted(str(t).encode("utf-8")) for t in b["txs"]])
            except (Rejected, ValueError, TypeError):
                out.append(None)
        return out

    def _apply_run(self, run: list[tuple[Execute, list[Tx]]]) \
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
            self.blocks_written()
        except Exception:  # the COMMIT failed: none of the run is on disk
            log.exception("writing fetched blocks failed")
            self.ledger = Ledger(self.store, self.genesis)  # caches back to what is on disk
            return []
        return out


def _text_size(b: dict[str, Any]) -> int:
    return (len(b.get("cert", "")) + sum(map(len, b.get("txs", ()))) + len(b.get("results", ""))
            + len(b.get("writes", "")) + sum(map(len, b.get("proof", ())))
            + len(b.get("attest") or ""))


def reply_parts(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A reply's blocks in runs of at most ``PART_BYTES`` of text (a block at least)."""
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for b in blocks:
        n = _text_size(b)
        if parts[-1] and size + n > PART_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(b)
        size += n
    return parts
