"""What a restarted validator gives back to its replica: the blocks it executed above its
stable checkpoint, each with the commit certificate stored beside it.

Its prepared certificates come back from what it persisted (consensus/durable.py); once a
batch is executed its evidence is the block's commit certificate, in the store.  Without
these blocks a replica restarted after executing a height would send a VIEW-CHANGE without
evidence for it, and a new primary that had not executed that height could order another
batch there.
"""

from __future__ import annotations

import sys

from node.consensus import Replica
from node.consensus.certs import certified_block
from node.consensus.types import Execute
from node.store import Store


def stored_blocks(replica: Replica, store: Store) -> list[Execute]:
    """The replica's ``to_recover()`` heights as stored, each checked by its certificate
    (a block whose certificate does not check ends the list)."""
    heights = replica.to_recover()
    out = []
    if not heights:
        return out
    # as state transfer reads them, without its reply's size budget
    for b in store.blocks_with_certs(heights[0], len(heights), max_bytes=sys.maxsize):
        ex = certified_block(replica.cfg, b["height"], b["cert"].encode(), tuple(b["txs"]))
        if ex is None:
            break
        out.append(ex)
    return out


def restore(replica: Replica, store: Store) -> int:
    """Hand the replica its stored blocks; how many it got."""
    blocks = stored_blocks(replica, store)
    replica.recover(blocks)
    return len(blocks)
