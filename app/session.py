"""One user's instance of CardChain: an identity of the consortium and its bundled node.

The desktop app (ui/) and its tests talk to the ledger only through a ``Session``: queries
and submissions go to the bundled node's endpoint in-process, with the same role scoping a
remote client gets; new blocks arrive on a queue.  No Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.api import Signer
from app.outbox import FILE
from node.access import role_of
from node.audit import AuditReport, audit
from node.consortium import Consortium
from node.errors import ClientError, Refused
from node.ledger.errors import Rejected
from node.ledger.tx import Tx
from node.light import LightNode
from node.net.client import Client
from node.observer import OFFLINE_NOT_SENT, Observer
from node.protocol import Decision

APP_CACHE_ROWS = 20_000


class SessionError(Exception):
    """What the user should read: a refused query, an unreachable network, a bad input."""


class NotSent(SessionError):
    """The network refused a transaction without ordering it: it can never be decided."""


class Undecided(SessionError):
    """No decision was heard in time: the transaction may still be decided."""


class NoLedger(SessionError):
    """This app's node has no ledger yet: nothing to audit."""


def message_of(exc: BaseException) -> str:
    if isinstance(exc, Rejected):
        return exc.message
    if isinstance(exc, Refused):  # the node answered: it did not act on the request
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "the network did not answer in time; check the node status and retry"
    if isinstance(exc, OSError | ClientError):
        return f"the network is unreachable ({exc})"
    return str(exc) or type(exc).__name__


class Session(Signer):
    def __init__(self, cons: Consortium, identity: str, *,
                 data_dir: Path | None = None) -> None:
        self.cons, self.genesis, self.identity = cons, cons.genesis, identity
        self.role, self.entity = role_of(identity)
        if self.role == "unknown":
            raise SessionError(f"{identity!r} has no screen: open the app as a bank clerk, a "
                               "terminal, the clearing house or the regulator (validators "
                               "run with `cardchain node`)")
        Signer.__init__(self, cons, identity)
        data = Path(data_dir or cons.home / "nodes" / identity)
        # a till follows certified headers and asks the validators for what its merchant
        # may see (node/light.py): it keeps no copy of other merchants' sales or of anyone's
        # card.  The banks, the clearing house and the regulator keep a full copy; the
        # window shares this process, so a small row cache keeps the collector's passes
        # over the heap short (see ui/main.py)
        self.node: Observer | LightNode = LightNode(cons, identity, data) \
            if self.role == "terminal" else \
            Observer(cons, identity, data, cache_rows=APP_CACHE_ROWS)
        self.blocks: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._status_clients: dict[int, Client] = {}
        # one poll at a time: the network tab's timer and a refresh the user asks for would
        # otherwise each open a connection to a validator, and one would be left unowned
        self._polling = asyncio.Lock()
        self._stopped = False

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await self.node.start()
        self.node.endpoint.subscribers.add(self.blocks)

    async def stop(self) -> None:
        self._stopped = True  # a status refresh still under way keeps no connection
        self.node.endpoint.subscribers.discard(self.blocks)
        for c in self._status_clients.values():
            with contextlib.suppress(Exception):
                await c.close()
        self._status_clients.clear()
        await self.node.stop()

    async def wait_synced(self, timeout: float = 30.0) -> None:
        """Until the bundled node has caught up with a validator (observers only)."""
        node = self.node
        if isinstance(node, Observer | LightNode):
            await asyncio.wait_for(node.connected.wait(), timeout)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                assert node.client is not None
                try:
                    head = (await node.client.status())["height"]
                except (ClientError, OSError, TimeoutError):
                    head = node.height
                if node.height >= head:
                    return
                await asyncio.sleep(0.05)
            raise TimeoutError("the node did not catch up in time")

    # --- the ledger ------------------------------------------------------------------------

    async def query(self, q: str, **kw: Any) -> Any:
        try:
            r = await self.node.endpoint.call(self.identity, {"op": "query", "q": q, **kw})
        except (ClientError, Rejected) as exc:
            raise SessionError(message_of(exc)) from exc
        return r["result"]

    async def submit(self, tx: Tx, wait_ms: int = 30_000,
                     on_stage: Callable[[dict[str, Any]], None] | None = None) \
            -> Decision:
        """The decision once the transaction is decided (accepted or refused by a rule);
        ``on_stage`` hears when a validator has ordered it (view, sequence number)."""
        self.require_online()
        req: dict[str, Any] = {"op": "submit", "tx": tx.to_wire(),
                               "wait_ms": wait_ms, "on_progress": on_stage}
        try:
            r = await self.node.endpoint.call(self.identity, req)
        except TimeoutError as exc:
            raise Undecided("the network did not decide the transaction in time; it may "
                            "still be decided") from exc
        except (ClientError, Rejected) as exc:  # the endpoint's refusals: nothing ordered
            raise NotSent(message_of(exc)) from exc
        return Decision.parse(r["receipt"])

    @property
    def outbox_path(self) -> Path:
        return self.node.data_dir / FILE

    async def audit(self, progress: Callable[[int, int], None]) -> AuditReport:
        """The full audit of this app's node's chain (node/audit.py), on a worker thread;
        ``progress(done, total)`` is called on that thread."""
        db = self.node.data_dir / "ledger.db"
        if not db.exists():
            raise NoLedger("this app's node has no ledger yet")
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: audit(db, self.genesis, progress=progress))

    def online(self) -> bool:
        return self.node.connected.is_set()

    def require_online(self) -> None:
        if not self.online():
            raise NotSent(OFFLINE_NOT_SENT)

    def status(self) -> dict[str, Any]:
        return dict(self.node.status())

    async def validators(self) -> list[dict[str, Any]]:
        """Every validator's own status (height, view, primary, peers) or why it is
        unreachable; ``lag`` is how far each is behind the highest."""
        async with self._polling:
            return await self._poll_validators()

    async def _poll_validators(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for v in self.genesis.validators:
            name = f"validator-{v['id']}"
            try:
                c = self._status_clients.get(v["id"])
                if c is None:
                    c = Client(self.cons.home, self.identity, self.cons.keys)
                    try:
                        await c.connect(v["host"], v["port"], timeout=2)
                    except BaseException:  # failed, or cancelled with its window
                        await c.close()
                        raise
                    if self._stopped:
                        await c.close()
                        break
                    self._status_clients[v["id"]] = c
                out.append({**await asyncio.wait_for(c.status(), 2), "identity": name})
            except (ClientError, OSError, TimeoutError) as exc:
                bad = self._status_clients.pop(v["id"], None)
                if bad is not None:
                    await bad.close()
                out.append({"identity": name, "error": message_of(exc)})
        top = max((int(r["height"]) for r in out if "height" in r), default=0)
        for r in out:
            if "height" in r:
                r["lag"] = top - int(r["height"])
        return out


__all__ = ["Decision", "NotSent", "Session", "SessionError", "Undecided", "message_of"]
