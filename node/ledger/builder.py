"""Client-side helpers that build and sign transactions (used by the CLI, demo, tests)."""

from __future__ import annotations

import random
import secrets
from typing import Any

from node import crypto
from node.ledger.tx import Tx

DEFAULT_TTL_MS = 10 * 60 * 1000


class Builder:
    def __init__(self, chain: str, ttl_ms: int = DEFAULT_TTL_MS,
                 rng: random.Random | None = None) -> None:
        self.chain = chain
        self.ttl_ms = ttl_ms
        self.rng = rng  # seeded nonces for simulations; None draws from the OS

    def make(self, kind: str, body: dict[str, Any], now_ms: int,
             *keys: crypto.SigningKey, nonce: int | None = None) -> Tx:
        if nonce is None:
            nonce = self.rng.getrandbits(62) if self.rng else secrets.randbits(62)
        tx = Tx(self.chain, kind, body, nonce,
                now_ms + self.ttl_ms)
        return tx.signed_by(*keys)
