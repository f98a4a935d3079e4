"""The one canonical encoding for everything that is hashed or signed.

Rules (they never change without a new chain id; tests/test_codec.py pins golden vectors):

* The value space is JSON without numbers other than integers: ``None``, ``bool``, ``int``
  (at most 2**63 - 1 in absolute value), ``str`` (valid Unicode), ``list``/``tuple``,
  and ``dict`` with ``str`` keys.  A ``float`` anywhere is an error, and so are bytes,
  sets and any other type: callers encode binary data as lowercase hex.
* Objects are written with their keys sorted by code point, no whitespace, and
  non-ASCII characters as raw UTF-8 (not ``\\u`` escapes).
* ``decode`` is strict: it rejects floats, duplicate keys, and any text that is not
  exactly what ``encode`` would have produced for the same value.

The bytes come from orjson (sorted keys, compact, raw UTF-8: the rules above, byte for byte
the standard library's ``json`` with ``sort_keys``, ``separators=(",", ":")`` and
``ensure_ascii=False``, which ``tests/test_codec.py`` checks on random values).  It is about
ten times faster at both ends, and a validator encodes or decodes every request several
times.  Input orjson refuses, or reads otherwise than the
rules (an integer past 64 bits becomes a float there), goes through the standard library's
parser, which names what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson

MAX_INT = 2**63 - 1
MAX_DEPTH = 32

_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_SORTED = orjson.OPT_SORT_KEYS


# canonical JSON text this process checked (a transaction's wire text), written into an
# encoding as the value it is rather than as a string that holds it
Embedded = orjson.Fragment


def embed(text: str | bytes) -> Embedded:
    """``text`` (canonical JSON, checked by its holder) to be written as is by ``encode``."""
    return Embedded(text)


def text_of(value: Any) -> str:
    """The canonical text of a value taken out of a decoded frame: the bytes its sender
    embedded, when the frame was canonical.  EncodingError if it has no encoding."""
    try:
        return orjson.dumps(value, option=_SORTED).decode("utf-8")
    except orjson.JSONEncodeError as exc:
        raise EncodingError(f"no canonical encoding: {exc}") from exc


class EncodingError(ValueError):
    """A value that has no canonical encoding, or bytes that are not canonical."""


class FloatError(EncodingError):
    """A float where only integers are allowed (money is integer fen)."""


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise EncodingError("value nested too deeply")
    t = type(value)
    if t is str or t is bool or value is None or t is Embedded:
        return
    if t is int:
        if -MAX_INT <= value <= MAX_INT:
            return
        raise EncodingError(f"integer out of range: {value}")
    if t is dict:
        for k, v in value.items():
            if type(k) is not str:
                raise EncodingError(f"object key is not a string: {k!r}")
            _check(v, depth + 1)
        return
    if t is list or t is tuple:
        for v in value:
            _check(v, depth + 1)
        return
    if t is float:
        raise FloatError(f"floats are not allowed (got {value!r}); use integers")
    raise EncodingError(f"type {t.__name__} has no canonical encoding")


def encode(value: Any) -> bytes:
    """Canonical bytes of ``value``; raises EncodingError for anything outside the rules."""
    _check(value, 0)
    try:  # after the walk only a string that is not Unicode can be refused
        return orjson.dumps(value, option=_SORTED)
    except orjson.JSONEncodeError as exc:
        raise EncodingError("string is not valid Unicode (lone surrogate)") from exc


def encode_trusted(value: Any) -> bytes:
    """Canonical bytes of a value this program built itself from already-checked input
    (ledger state rows): the same output as ``encode`` without the type walk."""
    try:
        return orjson.dumps(value, option=_SORTED)
    except orjson.JSONEncodeError:  # a key of a str subclass, say: the same bytes, slower
        return _ENCODER.encode(value).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """Plain JSON, not checked for canonical form (texts this node stored itself, and
    blocks that prove themselves by their certificates)."""
    return orjson.loads(data)


_LONG_INT = re.compile(rb"[:,\[]-?(\d{19,})")  # a 19+ digit number, not a digit string


def _no_float(text: str) -> Any:
    raise FloatError(f"floats are not allowed (got {text})")


def _no_constant(text: str) -> Any:
    raise EncodingError(f"{text} is not allowed")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise EncodingError("duplicate object key")
    return out


def decode(data: bytes) -> Any:
    """Parse canonical bytes; anything non-canonical is an EncodingError."""
    try:
        value = orjson.loads(data)
        _check(value, 0)  # a float, an integer out of range, nesting too deep
    except (orjson.JSONDecodeError, EncodingError):
        return _decode_strict(data)  # the standard library's parser says what is wrong
    if orjson.dumps(value, option=_SORTED) != data:
        return _decode_strict(data)  # (a duplicate key, say, or spaces)
    return value


def _decode_strict(data: bytes) -> Any:
    """Raises the EncodingError that names what is wrong with ``data``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError("not UTF-8") from exc
    try:
        value = json.loads(
            text,
            parse_float=_no_float,
            parse_constant=_no_constant,
            object_pairs_hook=_pairs,
        )
    except EncodingError:
        raise
    except (ValueError, RecursionError) as exc:
        raise EncodingError(f"malformed: {exc}") from exc
    # json.loads already refused floats, NaN and duplicate keys; only an integer too large
    # (or nesting too deep) needs the full walk, and only a long digit run can be one (a
    # 19-digit nonce is common and in range, so each run is compared before walking)
    if (data.count(b"[") + data.count(b"{") > MAX_DEPTH
            or any(len(m) > 19 or int(m) > MAX_INT for m in _LONG_INT.findall(data))):
        canonical = encode(value)
    else:
        try:
            canonical = _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError as exc:  # an escaped lone surrogate ("\\ud800")
            raise EncodingError("string is not valid Unicode (lone surrogate)") from exc
    if canonical != data:
        raise EncodingError("not in canonical form")
    return value


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def digest(value: Any) -> bytes:
    """SHA-256 of the canonical encoding."""
    return hashlib.sha256(encode(value)).digest()
