"""Where the demo day's transactions go: one in-process ledger (scripted clock), or a real
cluster of validator processes over TLS (wall clock)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from app.consortium import DEMO_PASSPHRASE
from app.flows import my_card_query
from app.runner import spawn_node
from node.consortium import Consortium
from node.crypto import SigningKey
from node.ledger import Ledger
from node.ledger import queries as q
from node.ledger.cycles import open_cycle
from node.ledger.tx import Tx
from node.net.client import Client
from node.store import Store

Decision = tuple[int, str, str, str]  # height, kind, code, message


class LocalBackend:
    """A single ledger in this process; block times follow the script."""

    scripted_clock = True

    def __init__(self, cons: Consortium) -> None:
        self.cons = cons
        node_dir = cons.home / "nodes" / "validator-0"
        node_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(node_dir / "ledger.db")
        self.ledger = Ledger(self.store, cons.genesis)

    def apply(self, txs: list[Tx], now: int) -> list[Decision]:
        res = self.ledger.apply_block(txs, now)
        return [(res.height, r.kind, r.code, r.message) for r in res.results]

    def offer(self, terminal: str, card: str, items: list[dict[str, Any]],
              banks: list[str] | None = None, key: SigningKey | None = None,
              now: int = 0) -> dict[str, Any]:
        """The validators' offer rule on this process's own ledger (nothing to sign)."""
        return q.redemption_offer(self.store, self.cons.genesis, terminal, card, items, banks)

    def statement(self, merchant: str, cycle: int) -> dict[str, Any]:
        return q.cycle_statement(self.store, self.cons.genesis, merchant, cycle)

    def card(self, number: str) -> dict[str, Any]:
        return q.card_info(self.store, self.cons.genesis, number)

    def netting(self, cycle: int) -> list[dict[str, Any]]:
        return q.netting(self.store, cycle)

    def contracts(self) -> dict[str, Any]:
        return q.contracts(self.store, self.cons.genesis)

    def summary(self) -> dict[str, Any]:
        head = self.store.head()
        assert head is not None
        return {"sums": q.sum_of_balances(self.store), "height": head.height,
                "hash": head.hash, "state_root": head.state_root,
                "integrity": self.store.integrity_check()}

    def close(self) -> None:
        self.store.close()


class ClusterBackend:
    """Four validator processes on loopback; the demo is their client."""

    scripted_clock = False

    def __init__(self, cons: Consortium) -> None:
        self.cons = cons
        self.procs = [spawn_node(cons.home / "nodes" / f"validator-{v['id']}", DEMO_PASSPHRASE,
                                 log_file=cons.home / "nodes" / f"validator-{v['id']}" /
                                 "node.log")
                      for v in cons.genesis.validators]
        self.loop = asyncio.new_event_loop()
        self.clients: dict[tuple[str, int], Client] = {}
        self.turn = 0
        self._wait_ready()

    def _run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def _client(self, identity: str, node: int) -> Client:
        c = self.clients.get((identity, node))
        if c is None:
            v = self.cons.genesis.validators[node]
            c = await Client.connect_when_up(self.cons.home, identity, self.cons.keys,
                                             v["host"], v["port"], timeout=30)
            self.clients[(identity, node)] = c
        return c

    def _wait_ready(self) -> None:
        async def ready() -> None:
            deadline = time.monotonic() + 30
            for i in range(len(self.procs)):
                c = await self._client("regulator-1", i)
                while not all((await c.status())["peers"].values()):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the validators did not connect to each other")
                    await asyncio.sleep(0.1)

        self._run(ready())

    def apply(self, txs: list[Tx], now: int) -> list[Decision]:
        """Each transaction to a different validator, all at once; wait for every receipt."""
        async def go() -> list[dict[str, Any]]:
            jobs = []
            for tx in txs:
                self.turn += 1
                c = await self._client("regulator-1", self.turn % len(self.procs))
                jobs.append(c.submit(tx))
            return list(await asyncio.gather(*jobs))

        return [(r["height"], tx.kind, r["code"], r["message"])
                for tx, r in zip(txs, self._run(go()), strict=True)]

    def offer(self, terminal: str, card: str, items: list[dict[str, Any]],
              banks: list[str] | None = None, key: SigningKey | None = None,
              now: int = 0) -> dict[str, Any]:
        """The till's offer: the card (``key``) signs the request, as at a real till."""
        assert key is not None, "an offer is asked with the card present"

        async def go() -> dict[str, Any]:
            c = await self._client(f"terminal-{terminal}", 0)
            return dict(await c.query("offer", items=items, banks=banks,
                                      **my_card_query(card, key, now, "offer")))

        return self._run(go())

    def _regulator(self, q_name: str, **kw: Any) -> Any:
        async def go() -> Any:
            return await (await self._client("regulator-1", 1)).query(q_name, **kw)

        return self._run(go())

    def statement(self, merchant: str, cycle: int) -> dict[str, Any]:
        return dict(self._regulator("statement", merchant=merchant, cycle=cycle))

    def card(self, number: str) -> dict[str, Any]:
        return dict(self._regulator("card", card=number))

    def netting(self, cycle: int) -> list[dict[str, Any]]:
        return list(self._regulator("netting", cycle=cycle))

    def contracts(self) -> dict[str, Any]:
        return dict(self._regulator("contracts"))

    def summary(self) -> dict[str, Any]:
        out = dict(self._regulator("summary"))

        async def heights() -> list[tuple[int, str]]:
            res = []
            for i in range(len(self.procs)):
                st = await (await self._client("regulator-1", i)).status()
                res.append((st["height"], st["hash"]))
            return res

        out["nodes"] = self._run(heights())
        return out

    def close(self) -> None:
        async def shut() -> None:
            for c in self.clients.values():
                await c.close()

        self._run(shut())
        self.loop.close()
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(timeout=15)


def current_cycle(cons: Consortium, merchant: dict[str, Any], now: int) -> int:
    return open_cycle(now, merchant["cutoff_min"], cons.genesis.params["utc_offset_min"], 0)


__all__ = ["ClusterBackend", "LocalBackend", "Path", "current_cycle"]
