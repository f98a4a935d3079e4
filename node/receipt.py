"""Receipts anyone can verify against nothing but the genesis file.

A receipt (version 2) holds:

* ``tx``, ``index`` and ``proof``: the transaction's text and its Merkle path to the header's
  ``tx_root`` at that position in a block of ``ntx`` transactions;
* ``header``: the block header's canonical text;
* ``certificate``: the block's commit certificate, 2f+1 signed COMMITs of the digest of
  (height, time, tx_root): the transaction was *ordered* there;
* ``outcome`` and ``outcome_proof`` (chain format 3): the transaction's result entry (id,
  kind, code, message, card, merchant, bank, amount, consumes, postings) and its Merkle path
  to the header's ``results`` root;
* ``attest``: the result certificate, f+1 validators' signed ATTESTs of the header's hash
  (node/consensus/results.py): the header, with its results root, is what execution gave.

``verify`` checks every link and returns only facts it checked; anything malformed or
inconsistent raises ``ReceiptError`` naming the part ("invalid: <part>: why").  In a chain
older than format 3 (no results root) a receipt proves the order only, and says its result
is not proved; from format 3 on a receipt without its result certificate is invalid (a
node answers a receipt query only once the certificate is gathered).
``to_qr``/``from_qr``: the ``CCR1:`` form (zlib + base64) for a QR code.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from node import codec, crypto
from node.consensus import messages as m
from node.consensus.certs import cert_problem
from node.consensus.results import attest_problem
from node.ledger.effects import block_hash, result_leaf
from node.ledger.genesis import Genesis
from node.ledger.tx import Tx

VERSION = 2
QR_PREFIX = "CCR1:"
QR_MAX = 2_953  # bytes a version-40 QR code holds at the lowest error correction
FIELDS = ("version", "tx", "height", "index", "proof", "header", "certificate", "outcome",
          "outcome_proof", "attest")
HEADER_FIELDS = {"chain": str, "height": int, "prev": str, "tx_root": str, "state_root": str,
                 "time": int, "ntx": int}
CERT_FIELDS = ("batch_id", "commits", "time", "view")
OUTCOME_TYPES = (str, str, str, str, (str, type(None)), (str, type(None)),
                 (str, type(None)), (int, type(None)), int, list)


class ReceiptError(ValueError):
    """The receipt does not verify; the message names the part that is wrong."""

    def __init__(self, part: str, why: str) -> None:
        super().__init__(f"invalid: {part}: {why}")
        self.part = part
        self.why = why


def build(store: Any, height: int, pos: int) -> dict[str, Any]:
    """Assemble a receipt from a node's store (on its database thread)."""
    block = store.block(height)
    if block is None or block.cert is None:
        raise LookupError(f"block {height} is not committed with a certificate")
    rows = store.block_txs(height)
    leaves = [codec.sha256(r.wire) for r in rows]
    out: dict[str, Any] = {
        "version": VERSION, "tx": rows[pos].wire.decode(), "height": height, "index": pos,
        "proof": [list(x) for x in crypto.merkle_proof(leaves, pos)],
        "header": block.header.decode(), "certificate": block.cert.decode(),
        "outcome": None, "outcome_proof": None, "attest": None}
    header = codec.loads(block.header)
    if "results" in header:
        entries = _result_entries(store, height, rows)
        out["outcome"] = entries[pos]
        out["outcome_proof"] = [list(x) for x in crypto.merkle_proof(
            [result_leaf(e) for e in entries], pos)]
        attest = store.attest(height)
        out["attest"] = None if attest is None else codec.loads(attest)
    return out


def _result_entries(store: Any, height: int, rows: list[Any]) -> list[list[Any]]:
    lines: dict[int, list[list[Any]]] = {}
    for pos, acct, asset, amount in store.query(
            "SELECT pos, account, asset, amount FROM postings WHERE height = ? "
            "ORDER BY pos, seq", (height,)):
        lines.setdefault(pos, []).append([acct, asset, amount])
    return [[r.id, r.kind, r.code, r.message, r.card, r.merchant, r.bank, r.amount,
             int(r.consumes), lines.get(r.pos, [])] for r in rows]


def unwrap(doc: Any) -> Any:
    """A receipt as ``cardchain query ... receipt`` prints it (``{"result": receipt}``) or
    bare."""
    if isinstance(doc, dict) and set(doc) == {"result"} and isinstance(doc["result"], dict):
        return doc["result"]
    return doc


def parse_text(text: str) -> Any:
    """A receipt file's text: a ``CCR1:`` code or JSON (duplicate keys and non-numbers
    refused); raises ReceiptError."""
    text = text.strip()
    if text.startswith(QR_PREFIX):
        return from_qr(text)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            raise ValueError("a key is repeated")
        return out

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    try:
        return unwrap(json.loads(text, object_pairs_hook=pairs, parse_constant=no_constant))
    except (ValueError, RecursionError) as exc:
        raise ReceiptError("receipt", f"neither a receipt's JSON nor a CCR1: code ({exc})") \
            from None


def verify(receipt: Any, genesis: Genesis) -> dict[str, Any]:
    """Check a receipt against the genesis; the facts it proves, or ReceiptError."""
    try:
        return _verify(unwrap(receipt), genesis)
    except ReceiptError:
        raise
    except Exception as exc:  # a shape no check above foresaw: still an answer, not a crash
        raise ReceiptError("receipt", f"malformed ({type(exc).__name__})") from None


def _field(r: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    v = r[key]
    if not isinstance(v, kind) or (isinstance(v, bool) and kind in (int, (int,))):
        raise ReceiptError(key, "wrong type")
    return v


def _hex64(v: Any, part: str) -> str:
    if not isinstance(v, str) or len(v) != 64 or v.strip("0123456789abcdef"):
        raise ReceiptError(part, "not a 64-digit hash")
    return v


def _verify(r: Any, genesis: Genesis) -> dict[str, Any]:
    if not isinstance(r, dict):
        raise ReceiptError("receipt", "not a receipt object")
    missing = [k for k in FIELDS if k not in r]
    if missing:
        raise ReceiptError("receipt", f"lacks {', '.join(missing)}")
    extra = sorted(k for k in r if k not in FIELDS)
    if extra:
        raise ReceiptError("receipt", f"unexpected field {', '.join(extra)}")
    if type(r["version"]) is not int or r["version"] != VERSION:
        raise ReceiptError("version", f"not a version-{VERSION} receipt")
    height, index = _field(r, "height", int), _field(r, "index", int)
    if height < 1 or index < 0:
        raise ReceiptError("height", "out of range")
    # the transaction
    try:
        tx = Tx.decode(_field(r, "tx", str).encode("utf-8"))
    except ReceiptError:
        raise
    except Exception as exc:
        raise ReceiptError("tx", f"malformed ({exc})") from None
    if tx.chain != genesis.chain_id:
        raise ReceiptError("tx", "for another chain")
    if not tx.signatures_valid():
        raise ReceiptError("tx", "a signature does not verify")
    # the header
    header_text = _field(r, "header", str)
    header = _header(header_text, genesis, height)
    if index >= header["ntx"]:
        raise ReceiptError("index", "past the block's transactions")
    if not crypto.merkle_verify_at(codec.sha256(r["tx"].encode("utf-8")), index,
                                   header["ntx"], _path(r, "proof"),
                                   bytes.fromhex(header["tx_root"])):
        raise ReceiptError("proof", "does not lead from the transaction at this index to the "
                                    "header's tx_root")
    # the commit certificate: ordered at this height, in this batch
    cert = _certificate(_field(r, "certificate", str))
    publics = [v["public_key"] for v in genesis.validators]
    problem, signers = cert_problem(publics, height, header["tx_root"], cert)
    if problem:
        raise ReceiptError("certificate", problem)
    if header["time"] < cert["time"]:
        raise ReceiptError("header", "its time is before the certified batch time")
    facts: dict[str, Any] = {"valid": True, "tx": tx.hex_id, "kind": tx.kind,
                             "height": height, "index": index, "ordered_by": signers,
                             "result_proved": False}
    # the outcome and the result certificate
    if "results" not in header:
        for k in ("outcome", "outcome_proof", "attest"):
            if r[k] is not None:
                raise ReceiptError(k, "a header without a results root proves no outcome")
        facts["result_note"] = "this chain's headers carry no results root (format < 3)"
        return facts
    outcome = _outcome(r["outcome"], tx)
    if not crypto.merkle_verify_at(result_leaf(outcome), index, header["ntx"],
                                   _path(r, "outcome_proof"),
                                   bytes.fromhex(header["results"])):
        raise ReceiptError("outcome", "does not lead to the header's results root at this "
                                      "index")
    if r["attest"] is None:
        raise ReceiptError("attest", "missing: no validator vouches for the result")
    bhash = block_hash(header)
    attests = _attests(r["attest"])
    problem = attest_problem(tuple(publics), height, bhash, attests)
    if problem:
        raise ReceiptError("attest", problem)
    facts.update({"result_proved": True, "code": outcome[2], "message": outcome[3],
                  "block": bhash, "time": header["time"], "prev": header["prev"],
                  "state_root": header["state_root"],
                  "attested_by": sorted(a.sender for a in attests)})
    return facts


def _header(text: str, genesis: Genesis, height: int) -> dict[str, Any]:
    try:
        header = codec.decode(text.encode("utf-8"))
    except Exception as exc:
        raise ReceiptError("header", f"malformed ({exc})") from None
    if not isinstance(header, dict):
        raise ReceiptError("header", "not an object")
    want = dict(HEADER_FIELDS)
    if genesis.chain_format >= 3:
        want["results"] = str
    if set(header) != set(want):
        raise ReceiptError("header", f"fields differ from {sorted(want)}")
    for k, kind in want.items():
        if type(header[k]) is not kind:
            raise ReceiptError("header", f"{k} has the wrong type")
    for k in ("prev", "tx_root", "state_root", *(("results",) if "results" in want else ())):
        _hex64(header[k], "header")
    if header["chain"] != genesis.chain_id:
        raise ReceiptError("header", "for another chain")
    if header["height"] != height:
        raise ReceiptError("header", "for another height")
    if header["ntx"] < 1 or header["time"] < 0:
        raise ReceiptError("header", "ntx or time out of range")
    return header


def _path(r: dict[str, Any], key: str) -> list[list[str]]:
    path = r[key]
    if not isinstance(path, list) or not all(
            isinstance(p, list) and len(p) == 2 and p[0] in ("L", "R") for p in path):
        raise ReceiptError(key, "not a Merkle path")
    for p in path:
        _hex64(p[1], key)
    return path


def _certificate(text: str) -> dict[str, Any]:
    try:
        cert = codec.decode(text.encode("utf-8"))
    except Exception as exc:
        raise ReceiptError("certificate", f"malformed ({exc})") from None
    if not isinstance(cert, dict) or sorted(cert) != list(CERT_FIELDS):
        raise ReceiptError("certificate", "fields differ from the commit certificate's")
    if type(cert["time"]) is not int or type(cert["view"]) is not int or \
            not isinstance(cert["commits"], list) or \
            not all(isinstance(c, str) for c in cert["commits"]):
        raise ReceiptError("certificate", "a field has the wrong type")
    return cert


def _outcome(outcome: Any, tx: Tx) -> list[Any]:
    if not isinstance(outcome, list) or len(outcome) != len(OUTCOME_TYPES):
        raise ReceiptError("outcome", "not a result entry")
    for v, kind in zip(outcome, OUTCOME_TYPES, strict=True):
        if not isinstance(v, kind) or isinstance(v, bool):
            raise ReceiptError("outcome", "a field has the wrong type")
    if outcome[0] != tx.hex_id or outcome[1] != tx.kind:
        raise ReceiptError("outcome", "for another transaction")
    return outcome


def _attests(items: Any) -> list[m.Attest]:
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        raise ReceiptError("attest", "not a list of attestations")
    out = []
    for t in items:
        try:
            a = m.decode(t.encode("utf-8"))
        except Exception as exc:
            raise ReceiptError("attest", f"malformed ({exc})") from None
        if not isinstance(a, m.Attest):
            raise ReceiptError("attest", "an entry is not an ATTEST")
        out.append(a)
    return out


def to_qr(receipt: dict[str, Any]) -> str:
    raw = zlib.compress(codec.encode(receipt), 9)
    return QR_PREFIX + base64.b64encode(raw).decode()


def from_qr(text: str) -> dict[str, Any]:
    if not text.startswith(QR_PREFIX):
        raise ReceiptError("code", "not a CardChain receipt code")
    try:
        raw = zlib.decompress(base64.b64decode(text[len(QR_PREFIX):], validate=True))
        out = codec.decode(raw)
    except (binascii.Error, zlib.error, ValueError, codec.EncodingError) as exc:
        raise ReceiptError("code", f"damaged ({exc})") from None
    if not isinstance(out, dict):
        raise ReceiptError("code", "not a receipt")
    return out
