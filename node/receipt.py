"""Receipts a cardholder can verify alone, against nothing but the genesis file.

A receipt holds the transaction, its Merkle proof to the block's ``tx_root``, the block
header and the block's commit certificate (2f+1 signed COMMITs whose batch id is the digest
of height, time and that same Merkle root).  ``verify`` checks each link and says exactly
which one fails.  It proves the transaction was ordered in that block by a quorum of the
consortium's validators; the receipt's ``code`` (accepted or the rejection reason) is
what the issuing node reported.  ``to_qr`` packs a receipt (zlib + base64) for a QR code.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

from node import codec, crypto
from node.consensus.certs import cert_problem
from node.ledger.genesis import Genesis
from node.ledger.tx import Tx

QR_PREFIX = "CCR1:"
QR_MAX = 2_953  # bytes a version-40 QR code holds at the lowest error correction


class ReceiptError(ValueError):
    """The receipt does not verify; the message says which part is wrong."""


def build(store: Any, height: int, pos: int, code: str, message: str) -> dict[str, Any]:
    """Assemble a receipt from a node's store (on its database thread)."""
    block = store.block(height)
    if block is None or block.cert is None:
        raise ReceiptError(f"block {height} is not committed with a certificate")
    rows = store.block_txs(height)
    leaves = [codec.sha256(r.wire) for r in rows]
    return {"version": 1, "tx": rows[pos].wire.decode(), "height": height, "index": pos,
            "proof": [list(x) for x in crypto.merkle_proof(leaves, pos)],
            "header": block.header.decode(), "certificate": block.cert.decode(),
            "code": code, "message": message}


def verify(receipt: Any, genesis: Genesis) -> dict[str, Any]:
    """Check a receipt; return a summary or raise ReceiptError naming what is wrong."""
    if not isinstance(receipt, dict):
        raise ReceiptError("not a receipt")
    try:
        tx_text, height = receipt["tx"], receipt["height"]
        proof, header_text, cert_text = receipt["proof"], receipt["header"], \
            receipt["certificate"]
    except KeyError as exc:
        raise ReceiptError(f"receipt lacks {exc.args[0]}") from exc
    try:
        tx = Tx.decode(tx_text.encode("utf-8"))
    except Exception as exc:
        raise ReceiptError(f"the transaction is malformed: {exc}") from exc
    if not tx.signatures_valid():
        raise ReceiptError("a signature on the transaction does not verify")
    try:
        header = codec.decode(header_text.encode("utf-8"))
        root = bytes.fromhex(header["tx_root"])
    except Exception as exc:
        raise ReceiptError(f"the block header is malformed: {exc}") from exc
    if header.get("chain") != genesis.chain_id or tx.chain != genesis.chain_id:
        raise ReceiptError("the receipt is for another chain")
    if header.get("height") != height:
        raise ReceiptError("the header is for another height")
    if not crypto.merkle_verify(codec.sha256(tx_text.encode("utf-8")), proof, root):
        raise ReceiptError("the Merkle proof does not lead from the transaction to the "
                           "header's tx_root")
    try:
        cert = codec.decode(cert_text.encode("utf-8"))
    except codec.EncodingError as exc:
        raise ReceiptError(f"the certificate is malformed: {exc}") from exc
    publics = [v["public_key"] for v in genesis.validators]
    problem, signers = cert_problem(publics, height, header["tx_root"], cert)
    if problem:
        raise ReceiptError(problem)
    return {"valid": True, "tx": tx.hex_id, "kind": tx.kind, "height": height,
            "block": codec.sha256(header_text.encode()).hex(), "time": header["time"],
            "signers": signers, "code": receipt.get("code")}


def to_qr(receipt: dict[str, Any]) -> str:
    raw = zlib.compress(codec.encode(receipt), 9)
    return QR_PREFIX + base64.b64encode(raw).decode()


def from_qr(text: str) -> dict[str, Any]:
    if not text.startswith(QR_PREFIX):
        raise ReceiptError("not a CardChain receipt code")
    try:
        out = codec.decode(zlib.decompress(base64.b64decode(text[len(QR_PREFIX):])))
    except Exception as exc:
        raise ReceiptError(f"the receipt code is damaged: {exc}") from exc
    if not isinstance(out, dict):
        raise ReceiptError("not a receipt")
    return out
