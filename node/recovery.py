"""What a restarted validator gives back to its replica: the blocks it executed above its
stable checkpoint, each with the commit certificate stored beside it.

The replica keeps its prepared certificates in memory only; without these blocks a replica
restarted after executing a height would send a VIEW-CHANGE without evidence for it, and a
new primary that had not executed that height could order another batch there.
"""

from __future__ import annotations

from node.consensus import Replica
from node.consensus.certs import certified_block
from node.consensus.types import Execute
from node.store import Store


def stored_blocks(replica: Replica, store: Store) -> list[Execute]:
    """The replica's ``to_recover()`` heights as stored, each checked by its certificate
    (a block whose certificate does not check ends the list)."""
    out = []
    for h in replica.to_recover():
        block = store.block(h)
        if block is None or block.cert is None:
            break
        batch = tuple(r.wire.decode("utf-8") for r in store.block_txs(h))
        ex = certified_block(replica.cfg, h, block.cert, batch)
        if ex is None:
            break
        out.append(ex)
    return out


def restore(replica: Replica, store: Store) -> int:
    """Hand the replica its stored blocks; how many it got."""
    blocks = stored_blocks(replica, store)
    replica.recover(blocks)
    return len(blocks)
