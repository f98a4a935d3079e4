"""Receipts verified against the genesis file alone: every fact printed is covered by the
validators' signatures, and any edit either fails (naming the part) or changes no fact."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from node import codec, crypto
from node.receipt import QR_MAX, ReceiptError, build, from_qr, parse_text, to_qr, verify
from tests.support.sim import Sim


@pytest.fixture(scope="module")
def chain() -> tuple[Any, list[dict[str, Any]]]:
    sim = Sim(3, n=4, txs=12)
    w = sim.world
    card = next(iter(w.card_keys))  # funded with 50,000 fen; this basket costs more
    w.now = sim.now + 2_000
    sim.submit_at(sim.now + 2_000, w.pay_tx(card, [{"sku": "TEA-250", "qty": 40}],
                                           order="TOO-MUCH"))
    sim.settle(sim.now)
    store = sim.nodes[1].store
    receipts = []
    for h in range(1, store.height() + 1):
        assert store.attest(h) is not None, f"block {h} has no result certificate"
        for r in store.block_txs(h):
            receipts.append(build(store, h, r.pos))
    return sim.genesis, receipts


def refused(receipts: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in receipts if r["outcome"][2] == "insufficient_funds")


def test_every_receipt_of_a_chain_proves_its_result(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    assert len(receipts) >= 13
    for r in receipts:
        out = verify(r, genesis)
        assert out["valid"] and out["result_proved"]
        assert len(out["ordered_by"]) >= 3 and len(out["attested_by"]) >= 2
        assert out["code"] == r["outcome"][2]
    assert verify(refused(receipts), genesis)["code"] == "insufficient_funds"


def test_a_refused_receipt_relabelled_ok_is_invalid(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    r = copy.deepcopy(refused(receipts))
    r["outcome"][2], r["outcome"][3] = "ok", ""
    with pytest.raises(ReceiptError, match="invalid: outcome"):
        verify(r, genesis)
    # the same edit in the QR form
    code = to_qr(r)
    with pytest.raises(ReceiptError, match="invalid: outcome"):
        verify(from_qr(code), genesis)
    # and with the results root in the header recomputed to match: the header hash changes,
    # so the validators' attestations no longer cover it
    header = json.loads(r["header"])
    from node.ledger.effects import result_leaf

    header["results"] = crypto.merkle_root([result_leaf(r["outcome"])]).hex()
    header["ntx"] = 1
    r.update(header=codec.encode(header).decode(), index=0, proof=[], outcome_proof=[])
    with pytest.raises(ReceiptError, match=r"invalid: (proof|attest)"):
        verify(r, genesis)


def _facts(text: str, genesis: Any) -> dict[str, Any] | None:
    try:
        return verify(parse_text(text), genesis)
    except ReceiptError as exc:
        assert str(exc).startswith("invalid: ") and exc.part
        return None


def _sweep(text: str, genesis: Any) -> tuple[int, int]:
    """Every single-byte change at every position (two replacement bytes each)."""
    want = _facts(text, genesis)
    assert want is not None
    data = text.encode()
    failed = same = 0
    for i in range(len(data)):
        for b in {data[i] ^ 0x01, 0x30 if data[i] != 0x30 else 0x41}:
            mutated = data[:i] + bytes([b]) + data[i + 1:]
            try:
                got = _facts(mutated.decode("utf-8"), genesis)
            except UnicodeDecodeError:
                continue
            if got is None:
                failed += 1
            else:
                assert got == want, f"byte {i} -> {b:#x} changed the facts"
                same += 1
    return failed, same


def test_byte_sweep_of_the_json_form(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    text = json.dumps(refused(receipts), indent=1)
    failed, same = _sweep(text, genesis)
    assert failed > 2 * len(text) * 0.9  # every change but a few is caught; those few
    assert same <= 0.1 * len(text)  # verified with exactly the same facts (_sweep)


def test_byte_sweep_of_the_qr_form(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    text = to_qr(refused(receipts))
    failed, same = _sweep(text, genesis)
    assert failed > 0 and same <= 8  # base64's padding bits may change unseen


def _edits(r: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Structural edits: keys removed, renamed, retyped; numbers out of range; the same in
    the header, the certificate and the outcome."""
    out: list[tuple[str, dict[str, Any]]] = []
    for k in r:
        t = copy.deepcopy(r)
        del t[k]
        out.append((f"drop {k}", t))
        t = copy.deepcopy(r)
        t[k[0] + "Z" + k[2:]] = t.pop(k)
        out.append((f"rename {k}", t))
        for v in (None, "x", 7, -1, 2**70, 1.5, True, [], {}, [["L", "00"]]):
            if v != r[k]:
                t = copy.deepcopy(r)
                t[k] = v
                out.append((f"retype {k}={v!r}", t))
    for part in ("header", "certificate"):
        doc = json.loads(r[part])
        for k in doc:
            for edit in ("drop", "rename", "str", "neg", "big", "null"):
                d = copy.deepcopy(doc)
                if edit == "drop":
                    del d[k]
                elif edit == "rename":
                    d[k[0] + "Z" + k[2:]] = d.pop(k)
                else:
                    d[k] = {"str": "7", "neg": -1, "big": 2**63, "null": None}[edit]
                t = copy.deepcopy(r)
                t[part] = json.dumps(d, separators=(",", ":"), sort_keys=True)
                out.append((f"{part}.{k} {edit}", t))
    for i in range(len(r["outcome"])):
        for v in (None, "ok", 0, -5, [], True):
            if v != r["outcome"][i]:
                t = copy.deepcopy(r)
                t["outcome"][i] = v
                out.append((f"outcome[{i}]={v!r}", t))
    t = copy.deepcopy(r)
    t["attest"] = t["attest"][:1]
    out.append(("one attestation", t))
    t = copy.deepcopy(r)
    t["attest"] = [t["attest"][0], t["attest"][0]]
    out.append(("the same attestation twice", t))
    return out


def test_structural_edits_are_named_never_a_traceback(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    r = refused(receipts)
    want = verify(r, genesis)
    edits = _edits(r)
    assert len(edits) > 150
    for name, t in edits:
        try:
            got = verify(t, genesis)
        except ReceiptError as exc:
            assert str(exc).startswith("invalid: "), name
            continue
        assert got == want, f"{name} verified with other facts"


def test_query_output_is_accepted_as_it_is(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    wrapped = json.dumps({"result": receipts[0]}, indent=2)
    assert verify(parse_text(wrapped), genesis)["valid"]


def test_a_receipt_without_its_attestation_is_invalid(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    with pytest.raises(ReceiptError, match="invalid: attest: missing"):
        verify(dict(refused(receipts), attest=None), genesis)


def test_a_receipt_fits_a_qr_code(chain: tuple[Any, list[dict]]) -> None:
    genesis, receipts = chain
    biggest = max(receipts, key=lambda r: len(to_qr(r)))
    code = to_qr(biggest)
    assert len(code.encode()) <= QR_MAX
    assert verify(from_qr(code), genesis)["valid"]
    with pytest.raises(ReceiptError, match="damaged"):
        from_qr(code[:-8] + "AAAAAAAA")


def test_merkle_proofs_bind_the_position() -> None:
    for n in range(1, 40):
        leaves = [crypto.sha256(bytes([i])) for i in range(n)]
        root = crypto.merkle_root(leaves)
        for i in range(n):
            path = crypto.merkle_proof(leaves, i)
            assert crypto.merkle_verify_at(leaves[i], i, n, path, root)
            for j in range(n):
                if j != i:
                    assert not crypto.merkle_verify_at(leaves[i], j, n, path, root)
            assert not crypto.merkle_verify_at(leaves[i], i, n + 1, path, root) or \
                crypto.merkle_path_sides(i, n) == crypto.merkle_path_sides(i, n + 1)
