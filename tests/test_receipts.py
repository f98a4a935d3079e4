"""Receipts verified against the genesis file alone, and each kind of tampering named."""

from __future__ import annotations

import copy
import json

import pytest

from node import codec, crypto
from node.receipt import QR_MAX, ReceiptError, build, from_qr, to_qr, verify
from tests.support.scenarios import run_clean


@pytest.fixture(scope="module")
def chain() -> tuple[object, list[dict[str, object]]]:
    sim = run_clean(3, 4)
    store = sim.nodes[1].store
    receipts = []
    for h in range(1, store.height() + 1):
        for r in store.block_txs(h):
            receipts.append(build(store, h, r.pos, r.code, r.message))
    return sim.genesis, receipts


def _flip(text: str, at: int) -> str:
    c = text[at]
    return text[:at] + ("1" if c != "1" else "2") + text[at + 1:]


def test_every_receipt_of_a_chain_verifies(chain: tuple[object, list[dict]]) -> None:
    genesis, receipts = chain
    assert len(receipts) >= 10
    for r in receipts:
        out = verify(r, genesis)  # type: ignore[arg-type]
        assert out["valid"] and len(out["signers"]) >= 3


def test_tampering_is_named(chain: tuple[object, list[dict]]) -> None:
    genesis, receipts = chain
    r = next(x for x in receipts if len(x["proof"]) >= 2)  # a block with several txs

    def fails(mutated: dict, reason: str) -> None:
        with pytest.raises(ReceiptError, match=reason):
            verify(mutated, genesis)  # type: ignore[arg-type]

    t = copy.deepcopy(r)
    t["tx"] = t["tx"].replace('"amount":', '"amount":1', 1) if '"amount":' in t["tx"] \
        else t["tx"].replace('"nonce":', '"nonce":1', 1)
    fails(t, "signature on the transaction|malformed")
    t = copy.deepcopy(r)
    sig_at = t["tx"].rindex('"]]') - 5  # inside the last signature's hex
    t["tx"] = _flip(t["tx"], sig_at)
    fails(t, "signature on the transaction does not verify")
    t = copy.deepcopy(r)
    t["proof"][0][1] = _flip(t["proof"][0][1], 10)
    fails(t, "Merkle proof")
    t = copy.deepcopy(r)
    t["header"] = _flip(r["header"], r["header"].index('"tx_root":"') + 12)
    fails(t, "Merkle proof")
    t = copy.deepcopy(r)
    t["header"] = r["header"].replace('"height":', '"height":9', 1)
    fails(t, "another height")
    t = copy.deepcopy(r)
    cert = codec.decode(t["certificate"].encode())
    commit = json.loads(cert["commits"][0])
    commit["sig"] = _flip(commit["sig"], 7)
    cert["commits"][0] = codec.encode(commit).decode()
    t["certificate"] = codec.encode(cert).decode()
    fails(t, f"COMMIT of validator-{commit['sender']} has a bad signature")
    t = copy.deepcopy(r)
    cert = codec.decode(t["certificate"].encode())
    cert["commits"] = cert["commits"][:2]
    t["certificate"] = codec.encode(cert).decode()
    fails(t, "only 2 validators signed; 3 are needed")
    t = copy.deepcopy(r)
    cert = codec.decode(t["certificate"].encode())
    cert["view"] += 1
    t["certificate"] = codec.encode(cert).decode()
    fails(t, "view differs")
    t = copy.deepcopy(r)
    cert = codec.decode(t["certificate"].encode())
    cert["time"] += 1
    t["certificate"] = codec.encode(cert).decode()
    fails(t, "certificate is for another block")


def test_a_receipt_fits_a_qr_code(chain: tuple[object, list[dict]]) -> None:
    genesis, receipts = chain
    biggest = max(receipts, key=lambda r: len(to_qr(r)))
    code = to_qr(biggest)
    assert len(code.encode()) <= QR_MAX
    assert verify(from_qr(code), genesis)["valid"]  # type: ignore[arg-type]
    with pytest.raises(ReceiptError, match="damaged"):
        from_qr(code[:-8] + "AAAAAAAA")


def test_merkle_proofs_for_every_position() -> None:
    for n in range(1, 12):
        leaves = [crypto.sha256(bytes([i])) for i in range(n)]
        root = crypto.merkle_root(leaves)
        for i in range(n):
            path = crypto.merkle_proof(leaves, i)
            assert crypto.merkle_verify(leaves[i], path, root)
            assert not crypto.merkle_verify(leaves[(i + 1) % n], path, root) or n == 1
