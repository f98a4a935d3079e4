"""A validator's settings: every tunable number, declared once, with its production default.

`Settings()` is what production runs. The replica reads the protocol's part through its
`Config`; the node reads the rest. A `Settings` is checked when it is made, so a bad value
is refused with the setting's name before any node starts. `Settings.from_env` reads the
`CARDCHAIN_<NAME>` variables an operator (or a test, or a benchmark) sets.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass

# blocks in one state-transfer reply at most: a receiver takes no more
REPLY_BLOCKS = 200
DURABILITY = ("full", "votes", "none")


class ConfigError(ValueError):
    """A setting out of its range, or an unreadable environment variable."""


@dataclass(frozen=True)
class Settings:
    # --- the protocol (node/consensus) ----------------------------------------------------
    checkpoint_interval: int = 50     # a checkpoint every this many blocks
    window: int = 200                 # L: sequence numbers accepted above the stable checkpoint
    max_batch: int = 500              # requests per block at most
    max_batch_bytes: int = 1 << 20    # request text per block: the primary cuts a batch
                                      # here, a backup refuses a larger PRE-PREPARE
    batch_delay_ms: int = 0           # the primary waits this long for a batch to fill (0:
                                      # the loop's next turn; with max_in_flight the
                                      # batches fill while a block is in flight)
    max_in_flight: int = 1            # blocks proposed and not executed before the primary
                                      # waits (0: no limit); under load batches grow instead
    request_timeout_ms: int = 1_000   # a request not executed by then: suspect the primary
    max_time_skew_ms: int = 30_000    # a PRE-PREPARE's time this far from ours is refused
    stash_per_peer: int = 256         # messages held for later per peer ...
    stash_total: int = 1_024          # ... and in all
    stash_peer_bytes: int = 16 << 20  # encoded bytes held for later per peer ...
    stash_total_bytes: int = 48 << 20  # ... and in all
    max_pending: int = 400            # requests held before clients are told "busy, retry"
    fetch_chunk: int = REPLY_BLOCKS   # blocks asked of a peer per state-transfer request
    status_interval_ms: int = 5_000   # STATUS again after this long without progress
    # --- the node (node/service.py) -------------------------------------------------------
    verify_threads: int = 2           # threads checking signatures off the loop
    inline_verify_below: int = 16     # a PRE-PREPARE with more unchecked requests than this
                                      # is checked on the verify threads
    fetch_bytes: int = 2 << 20        # transaction text per state-transfer reply
    metrics: str = ""                 # host:port of the Prometheus endpoint ("": none)
    keep_effects_hours: float = 24.0  # blocks' effects kept for peers that fall behind
                                      # (0: all); older blocks are executed, not copied
    # what is synced to disk before the node acts on it (DURABILITY; docs/OPERATIONS.md):
    # "full": its votes and its blocks; "votes": its votes (a power cut can cost the last
    # blocks, fetched again from peers); "none": nothing (a process killed loses nothing,
    # a power cut can make the validator forget votes: it then counts against f)
    durability: str = "full"
    # where to dial a peer when not at its genesis address (a relay, a tunnel, NAT):
    # (id, host, port); its certificate is checked all the same
    peer_addresses: tuple[tuple[int, str, int], ...] = ()

    def __post_init__(self) -> None:
        at_least = {"checkpoint_interval": 1, "max_batch": 1, "max_batch_bytes": 1,
                    "batch_delay_ms": 0, "max_in_flight": 0, "request_timeout_ms": 50,
                    "max_time_skew_ms": 1_000, "stash_per_peer": 1, "stash_total": 1,
                    "stash_peer_bytes": 1, "stash_total_bytes": 1, "max_pending": 1,
                    "fetch_chunk": 1, "status_interval_ms": 100, "verify_threads": 0,
                    "inline_verify_below": 0, "fetch_bytes": 1}
        for name, low in at_least.items():
            value = getattr(self, name)
            if type(value) is not int or value < low:
                raise ConfigError(f"{name} must be a whole number of at least {low}, "
                                  f"not {value!r}")
        if type(self.window) is not int or self.window < 2 * self.checkpoint_interval:
            raise ConfigError(f"window must be at least twice checkpoint_interval "
                              f"({2 * self.checkpoint_interval}), not {self.window!r}")
        if self.fetch_chunk > REPLY_BLOCKS:
            raise ConfigError(f"fetch_chunk must be at most {REPLY_BLOCKS} (a reply's "
                              f"blocks), not {self.fetch_chunk}")
        if self.stash_total < self.stash_per_peer or \
                self.stash_total_bytes < self.stash_peer_bytes:
            raise ConfigError("the stash's total must be at least its per-peer share")
        if not isinstance(self.keep_effects_hours, int | float) or self.keep_effects_hours < 0:
            raise ConfigError(f"keep_effects_hours must be 0 or more, "
                              f"not {self.keep_effects_hours!r}")
        if self.durability not in DURABILITY:
            raise ConfigError(f"durability must be one of {', '.join(DURABILITY)}, "
                              f"not {self.durability!r}")
        for entry in self.peer_addresses:
            ident, host, port = entry
            if type(ident) is not int or ident < 0 or not host or not 0 < port < 65_536:
                raise ConfigError(f"peer address {entry!r} is not (id, host, port)")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 base: Settings | None = None) -> Settings:
        """``base`` (production defaults) with every ``CARDCHAIN_<NAME>`` variable set for
        one of its fields; ``CARDCHAIN_PEER_ADDRESSES`` is ``"1=host:port,2=host:port"``."""
        env = os.environ if environ is None else environ
        changes: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            var = f"CARDCHAIN_{f.name.upper()}"
            if var not in env:
                continue
            text = env[var]
            if f.name == "peer_addresses":
                changes[f.name] = peer_addresses(text)
                continue
            if f.name in ("durability", "metrics"):
                changes[f.name] = text
                continue
            kind = float if f.name == "keep_effects_hours" else int
            try:
                changes[f.name] = kind(text)
            except ValueError:
                raise ConfigError(f"{var}: {text!r} is not a number") from None
        try:
            return dataclasses.replace(base or cls(), **changes)
        except ConfigError as exc:
            raise ConfigError(f"CARDCHAIN_* settings: {exc}") from None


def peer_addresses(text: str) -> tuple[tuple[int, str, int], ...]:
    """``"1=10.0.0.5:7001,2=relay:7002"``: where to dial validators 1 and 2."""
    out = []
    for item in text.split(","):
        ident, _, addr = item.strip().partition("=")
        host, _, port = addr.rpartition(":")
        if not (ident.isdigit() and host and port.isdigit()):
            raise ConfigError(f"CARDCHAIN_PEER_ADDRESSES: {item!r} is not id=host:port")
        out.append((int(ident), host, int(port)))
    return tuple(out)
