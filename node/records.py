"""A validator's protocol records (the replica's ``Persist`` actions) written to its store.

The records of one or more steps go in one SQLite transaction, then the store is synced
(unless ``Settings.durability`` is "none"): the node writes every step queued while the
last write was syncing at once (group commit) before anything of those steps is sent.
Written together they are as if written in order: a key's last record is the one kept, a
``None`` deletes it. The sync covers every block committed before the records as well, so
a stable checkpoint that survives a power cut always has its blocks.
"""

from __future__ import annotations

from node import codec
from node.config import Settings
from node.consensus.durable import read_stable
from node.consensus.types import Persist
from node.store import Store


def write_records(store: Store, items: list[Persist], settings: Settings) -> int:
    """Write ``items`` in one transaction; the number of blocks' effects pruned (a stable
    checkpoint ages the oldest out, see ``Settings.keep_effects_hours``)."""
    pruned = 0
    last = list({p.key: p for p in items}.values())
    with store.db.atomic():
        store.conn.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [(f"pbft:{p.key}", codec.encode_trusted(p.value).decode("utf-8"))
             for p in last if p.value is not None])
        for p in items:  # every stable checkpoint's proof, for state transfer
            if p.key == "stable" and p.value is not None:
                seq, proof = read_stable(p.value, executed=2**62)
                if proof:  # the record is the proof's texts: kept as it is
                    store.save_proof(seq, p.value)
                if settings.keep_effects_hours > 0:
                    # twice the blocks that age out per checkpoint in a steady state: a
                    # backlog (a longer window before) goes in a few steps
                    pruned += store.prune_effects(int(settings.keep_effects_hours * 3_600_000),
                                                  2 * settings.checkpoint_interval)
        gone = [(f"pbft:{p.key}",) for p in last if p.value is None]
        if gone:  # deletions come with a checkpoint, not with every step
            store.conn.executemany("DELETE FROM meta WHERE key = ?", gone)
    if settings.durability != "none":
        store.sync()
    return pruned
