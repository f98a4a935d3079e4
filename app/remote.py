"""`Api` (app/api.py) over a connection to a validator: what the command line uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.api import OnStage, Signer
from app.outbox import FILE
from app.session import NotSent, SessionError, Undecided, message_of
from node.access import role_of
from node.consortium import Consortium
from node.errors import Busy, ClientError, Refused
from node.ledger.tx import Tx
from node.net.client import Client
from node.protocol import Decision


class Remote(Signer):
    def __init__(self, cons: Consortium, identity: str, client: Client) -> None:
        super().__init__(cons, identity)
        self.cons, self.genesis, self.identity = cons, cons.genesis, identity
        self.entity = role_of(identity)[1]
        self.client = client

    @property
    def outbox_path(self) -> Path:
        return self.cons.home / "nodes" / self.identity / FILE

    async def query(self, q: str, **kw: Any) -> Any:
        try:
            return await self.client.query(q, **kw)
        except (ClientError, OSError, TimeoutError) as exc:
            raise SessionError(message_of(exc)) from exc

    async def submit(self, tx: Tx, wait_ms: int = 30_000,
                     on_stage: OnStage | None = None) -> Decision:
        """The decision once made.  A validator still busy after the pauses it named
        leaves the outcome to a later resubmission (``Undecided``), as does a lost answer;
        a refusal means it was never ordered (``NotSent``)."""
        try:
            return Decision.parse(await self.client.submit(tx, wait_ms))
        except Busy as exc:
            raise Undecided(f"the network is busy: {exc}") from exc
        except Refused as exc:
            raise NotSent(str(exc)) from exc
        except (ClientError, OSError, TimeoutError) as exc:
            raise Undecided(str(exc) or type(exc).__name__) from exc

    def online(self) -> bool:
        return True  # connected before any command runs; a lost answer is Undecided


async def connect(cons: Consortium, identity: str, node: int | None = None) -> Client:
    """A client of validator ``node``, or of the first one that answers."""
    order = [node] if node is not None else list(range(len(cons.genesis.validators)))
    last: Exception | None = None
    for i in order:
        v = cons.genesis.validators[i]
        c = Client(cons.home, identity, cons.keys)
        try:
            await c.connect(v["host"], v["port"], timeout=3)
            return c
        except (OSError, TimeoutError, ClientError) as exc:
            last = exc
            await c.close()
    raise ClientError(f"no validator answered ({last})")
