"""A consortium as a node opens it: its folder, its genesis and its encrypted keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from node import crypto
from node.ledger.genesis import Genesis


@dataclass(frozen=True)
class Consortium:
    home: Path
    genesis: Genesis
    keys: crypto.KeyStore

    @classmethod
    def open(cls, home: Path, passphrase: str) -> Consortium:
        home = Path(home)
        genesis = Genesis.load(home / "genesis.json")
        return cls(home, genesis, crypto.KeyStore(home / "keys", passphrase))

    def key(self, name: str) -> crypto.SigningKey:
        return self.keys.load(name)
