"""What a backup writes before each COMMIT: its prepared certificate (consensus/durable.py).
Times building and JSON-encoding the record of one batch (as the node stores it) against
re-encoding the PRE-PREPARE canonically.  Prints JSON.

    python bench/persist_record.py [--batch 500] [--rounds 50]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node.consensus import durable
from node.consensus.messages import Prepare, PrePrepare, batch_digest
from tests.support.world import World


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    w = World(validators=4, seed=1)
    texts = tuple(w.issue_tx(deposit=100)[0].encode().decode() for _ in range(args.batch))
    bid = batch_digest(1, 123, texts)
    pp = PrePrepare(0, "", 0, 1, 123, bid, texts).signed(w.keys["validator-0"])
    votes = tuple(Prepare(i, "", 0, 1, bid).signed(w.keys[f"validator-{i}"]) for i in (2, 3))
    out: dict[str, object] = {"benchmark": "persist_record", "batch": args.batch}
    for name, build in (
            ("record", lambda: durable.prepared_record(pp, votes)),  # type: ignore[arg-type]
            ("canonical", lambda: [x.encode().decode() for x in (pp, *votes)])):
        t = time.perf_counter()
        for _ in range(args.rounds):
            data = json.dumps(build())
        out[f"{name}_ms_per_batch"] = round((time.perf_counter() - t) / args.rounds * 1e3, 2)
        out[f"{name}_bytes"] = len(data)
    out["machine"] = {"cores": os.cpu_count(), "python": platform.python_version()}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
