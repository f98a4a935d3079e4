"""Where a request's time goes on a validator: the latency budget, stage by stage.

The node tells ``Stages`` what it sees happen (it does no I/O and reads only its clock):

* ``queue``: a request this validator admitted from a client, until a PRE-PREPARE orders
  it (waiting for a batch to be cut, and for the blocks in flight before it);
* ``prepare``: a block's PRE-PREPARE sent (the primary) or accepted (a backup's PREPARE
  sent), until 2f PREPAREs match it (its COMMIT sent);
* ``commit``: from there until 2f+1 COMMITs (the block handed to the executor);
* ``execute``: from there until the block is executed and written (the executor's queue
  included);
* ``persist``: each write of a step's protocol records, which comes before anything of
  that step is sent.

``summary`` gives each stage's sample count and p50, p90 and p99 in microseconds (whole
numbers: the status reply is canonical JSON) over the last ``keep`` samples, or over those
of the last ``within`` seconds; a validator's ``status`` carries it (a status request's
``stages_s`` sets ``within``), and ``bench/cluster.py`` prints it for its timed window
beside the latency a client measured (the rest is network and client).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

STAGES = ("queue", "prepare", "commit", "execute", "persist")
KEEP = 4_096
IN_FLIGHT_MAX = 4_096  # blocks whose stages are followed at once (older ones are dropped)


class Stages:
    def __init__(self, keep: int = KEEP, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        # per stage: (when taken, seconds)
        self.samples: dict[str, deque[tuple[float, float]]] = {s: deque(maxlen=keep)
                                                               for s in STAGES}
        self._block: dict[int, list[float]] = {}  # seq -> [proposed, prepared, committed]
        self._admitted: dict[str, float] = {}  # request id -> when this validator took it
        # told each block's time from its PRE-PREPARE to 2f+1 commits (node/metrics.py)
        self.on_commit: Callable[[float], None] | None = None

    def admitted(self, request_id: str) -> None:
        if len(self._admitted) >= IN_FLIGHT_MAX * 4:  # never ordered here (refused, lost)
            for k in list(self._admitted)[:IN_FLIGHT_MAX]:
                del self._admitted[k]
        self._admitted.setdefault(request_id, self.clock())

    def proposed(self, seq: int, request_ids: Iterable[str]) -> None:
        now = self.clock()
        if seq in self._block:
            return  # (a PRE-PREPARE seen again in a new view keeps its first time)
        if len(self._block) >= IN_FLIGHT_MAX:
            del self._block[min(self._block)]
        self._block[seq] = [now, 0.0, 0.0]
        queue, admitted = self.samples["queue"], self._admitted
        for rid in request_ids:
            t = admitted.pop(rid, None)
            if t is not None:
                queue.append((now, now - t))

    def prepared(self, seq: int) -> None:
        self._mark(seq, 1, "prepare")

    def committed(self, seq: int) -> None:
        self._mark(seq, 2, "commit")
        times = self._block.get(seq)
        if self.on_commit is not None and times is not None and times[0] and times[2]:
            self.on_commit(times[2] - times[0])

    def executed(self, seq: int) -> None:
        times = self._block.pop(seq, None)
        if times is not None and times[2]:
            now = self.clock()
            self.samples["execute"].append((now, now - times[2]))

    def persisted(self, seconds: float) -> None:
        self.samples["persist"].append((self.clock(), seconds))

    def _mark(self, seq: int, at: int, stage: str) -> None:
        times = self._block.get(seq)
        if times is None or any(times[at:]):  # marked already, or a later stage was
            return
        times[at] = now = self.clock()
        if times[at - 1]:
            self.samples[stage].append((now, now - times[at - 1]))

    def summary(self, within: float | None = None) -> dict[str, dict[str, int]]:
        since = -1.0 if within is None else self.clock() - within
        out: dict[str, dict[str, int]] = {}
        for stage, values in self.samples.items():
            s = sorted(v for t, v in values if t >= since)
            if s:
                out[stage] = {"n": len(s), **{f"p{p}_us": round(1e6 * s[len(s) * p // 100])
                                              for p in (50, 90, 99)}}
        return out
