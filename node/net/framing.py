"""Length-prefixed frames: 4-byte big-endian length, then that many bytes.

The length is checked against ``MAX_FRAME`` before anything is read, so a peer cannot make
us allocate what it announces.  Payloads are canonical JSON objects.
"""

from __future__ import annotations

import asyncio
from typing import Any

from node import codec

MAX_FRAME = 8 * 1024 * 1024
# between validators (authenticated by TLS): a state-transfer reply goes out in parts of
# about PART_BYTES (node/transfer.py); a PRE-PREPARE is at most a batch's budget
# (Settings.max_batch_bytes, 1 MiB), and a VIEW-CHANGE or NEW-VIEW carries whole only the
# few batches prepared and not yet executed
PEER_MAX_FRAME = 16 * 1024 * 1024


class FrameError(ValueError):
    """The other side broke the framing or sent a payload that is not a message."""


def frame(payload: bytes, limit: int = MAX_FRAME) -> bytes:
    if not 0 < len(payload) <= limit:
        raise ValueError(f"frame of {len(payload)} bytes is outside 1..{limit}")
    return len(payload).to_bytes(4, "big") + payload


def pack(obj: Any, limit: int = MAX_FRAME) -> bytes:
    return frame(codec.encode(obj), limit)


async def read_frame(reader: asyncio.StreamReader, limit: int = MAX_FRAME) -> bytes:
    header = await reader.readexactly(4)
    n = int.from_bytes(header, "big")
    if n == 0 or n > limit:
        raise FrameError(f"frame length {n} outside 1..{limit}")
    return await reader.readexactly(n)


async def read_obj(reader: asyncio.StreamReader) -> dict[str, Any]:
    data = await read_frame(reader)
    try:
        obj = codec.decode(data)
    except codec.EncodingError as exc:
        raise FrameError(f"payload is not canonical JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise FrameError("payload is not an object")
    return obj
