"""The command line against real validators: each exit code of the README's table, a
merchant order charged once (a retry, a second terminal), and a payment whose outcome was
unknown resubmitted from the outbox as the same bytes."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from app import cli, exits
from app.consortium import DEMO_PASSPHRASE
from app.outbox import Outbox
from node.ledger.cycles import cycle_of
from tests.support.cluster import LocalCluster, wait_connected

pytestmark = pytest.mark.slow



def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = cli.main(list(argv))
    cap = capsys.readouterr()
    try:
        out = json.loads(cap.out)
    except ValueError:
        out = cap.out
    return code, out, cap.err


def test_exit_codes_and_a_payment_charged_once(cluster: LocalCluster, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    async def up() -> None:
        cs = [await cluster.client(i) for i in range(cluster.n)]
        await wait_connected(cs)
        for c in cs:
            await c.close()

    asyncio.run(up())
    monkeypatch.setenv("CARDCHAIN_PASSPHRASE", DEMO_PASSPHRASE)
    home = str(cluster.cons.home)
    genesis = str(cluster.cons.home / "genesis.json")
    card, pin, journal = tmp_path / "c.json", tmp_path / "pin", tmp_path / "till.jsonl"
    pin.write_text("246810\n")
    code, out, _ = _run(capsys, "issue-card", home, "--as", "clerk-EHB-1", "--bank", "EHB",
                        "--out", str(card), "--deposit", "100000", "--pin-file", str(pin))
    assert code == exits.EXIT_OK, out
    number = out["card"]
    pay = ["pay", home, "--card-file", str(card), "--pin-file", str(pin), "--items",
           "TEA-250:1"]
    code, out, _ = _run(capsys, *pay, "--as", "terminal-M001-T01", "--order", "X-1",
                        "--journal", str(journal))
    assert code == exits.EXIT_OK and out["receipt"]["code"] == "ok", out
    first = out["receipt"]["id"]

    # the same merchant order: a retry signed anew, and another terminal of the merchant
    for till in ("terminal-M001-T01", "terminal-M001-T02"):
        code, out, _ = _run(capsys, *pay, "--as", till, "--order", "X-1")
        assert code == exits.EXIT_REFUSED, out
        assert out["receipt"]["code"] == "duplicate_order" and first in \
            out["receipt"]["message"]

    # a refusal by a rule, and a usage error
    code, out, _ = _run(capsys, "submit", home, "--as", "clerk-EHB-1", "top_up",
                        "card=6214830000000000000", "amount=100")
    assert code == exits.EXIT_REFUSED and out["code"] == "bad_card_number", out
    bad_pin = tmp_path / "bad-pin"
    bad_pin.write_text("111111\n")
    code, _, err = _run(capsys, "pay", home, "--as", "terminal-M001-T01", "--card-file",
                        str(card), "--pin-file", str(bad_pin), "--items", "TEA-250:1")
    assert code == exits.EXIT_USAGE and "PIN" in err

    # receipts: both forms written by `receipt`, the query's output as it is; one edited
    for form in ([], ["--qr"]):
        path = tmp_path / f"r{len(form)}.txt"
        code, _, _ = _run(capsys, "receipt", home, "--as", "terminal-M001-T01", first,
                          "--out", str(path), *form)
        assert code == exits.EXIT_OK
        code, out, _ = _run(capsys, "verify-receipt", str(path), "--genesis", genesis)
        assert code == exits.EXIT_OK and "result       ok" in out, out
    code, out, _ = _run(capsys, "query", home, "--as", "terminal-M001-T01", "receipt",
                        f"id={first}")
    assert code == exits.EXIT_OK
    queried = tmp_path / "queried.json"
    queried.write_text(json.dumps(out))
    assert _run(capsys, "verify-receipt", str(queried), "--genesis", genesis)[0] \
        == exits.EXIT_OK
    out["result"]["outcome"][2] = "insufficient_funds"
    queried.write_text(json.dumps(out))
    code, printed, _ = _run(capsys, "verify-receipt", str(queried), "--genesis", genesis)
    assert code == exits.EXIT_INVALID_RECEIPT and printed.startswith("invalid: outcome")

    # reconciliation: clean, then a sale the till recorded that never reached the chain
    m = next(x for x in cluster.cons.genesis.merchants if x["id"] == "M001")
    cycle = str(cycle_of(int(time.time() * 1000), m["cutoff_min"],
                         cluster.cons.genesis.params["utc_offset_min"]))
    rec = ["reconcile", home, "--as", "terminal-M001-T01", "--merchant", "M001", "--cycle",
           cycle, "--journal", str(journal)]
    code, out, _ = _run(capsys, *rec)
    assert code == exits.EXIT_OK and out["clean"], json.dumps(out)
    with journal.open("a") as fh:
        fh.write(json.dumps({"tx": "ab" * 32, "type": "payment", "amount": 4800,
                             "order": "LOST", "terminal": "M001-T01",
                             "sent": int(time.time() * 1000)}) + "\n")
    code, out, _ = _run(capsys, *rec)
    assert code == exits.EXIT_UNCLEAN and out["on_till_not_on_chain"], out

    # an unknown outcome: two of four validators paused, no quorum
    for i in (2, 3):
        cluster.procs[i].send_signal(signal.SIGSTOP)
    code, _, err = _run(capsys, *pay, "--as", "terminal-M001-T01", "--order", "X-2",
                        "--wait-ms", "2000", "--node", "0")
    assert code == exits.EXIT_UNKNOWN and "outbox" in err
    box = Outbox.for_identity(cluster.cons.home, "terminal-M001-T01")
    [pending] = box.pending()
    assert pending.order == "X-2"
    box.close()
    code, out, _ = _run(capsys, "outbox", home, "--as", "terminal-M001-T01")
    assert code == exits.EXIT_OK and out["outbox"][0]["state"] == "pending"
    for i in (2, 3):
        cluster.procs[i].send_signal(signal.SIGCONT)
    # running the same sale again resubmits the very bytes that wait in the outbox
    code, out, _ = _run(capsys, *pay, "--as", "terminal-M001-T01", "--order", "X-2")
    assert code == exits.EXIT_OK and out.get("resubmitted") and \
        out["receipt"]["id"] == pending.id, out
    code, out, _ = _run(capsys, "outbox", home, "--as", "terminal-M001-T01", "--resubmit")
    assert code == exits.EXIT_OK and out == {"decided": [], "pending": []}
    code, out, _ = _run(capsys, "query", home, "--as", "clerk-EHB-1", "card",
                        f"card={number}")
    assert out["result"]["balance"] == 100_000 - 2 * 4_800  # each once

    # the holder's own view, signed by the card's key from its file
    code, out, _ = _run(capsys, "query", home, "--as", "terminal-M001-T01", "my_card",
                        "--card-file", str(card), "--pin-file", str(pin))
    assert code == exits.EXIT_OK and out["result"]["card"]["balance"] == 100_000 - 2 * 4_800
    assert [(h["kind"], h["code"]) for h in out["result"]["history"]].count(("pay", "ok")) \
        == 2, out
    code, _, err = _run(capsys, "query", home, "--as", "terminal-M001-T01", "my_card")
    assert code == exits.EXIT_USAGE and "--card-file" in err

    # a statement of a cycle with nothing in it says so, and status names the open cycles
    code, out, _ = _run(capsys, "statement", home, "--as", "clearing-1", "--merchant", "M001",
                        "--cycle", "20200101")
    assert code == exits.EXIT_OK and out["lines"] == 0
    assert "no payments or refunds for M001 in cycle 20200101; it is closed" in out["note"]
    code, printed, _ = _run(capsys, "status", home)
    assert code == exits.EXIT_OK and re.search(rf"^M001 +{cycle} ", printed, re.M), printed
    # and, asked, each validator's latency budget: every stage a block went through
    code, printed, _ = _run(capsys, "status", home, "--stages")
    budget = [line for line in printed.splitlines() if line.startswith("validator-")]
    assert code == exits.EXIT_OK and len(budget) == 8, printed  # the table, the budget
    assert all(re.fullmatch(r"validator-\d( +(\d+\.\d / \d+\.\d|-)){5}", line)
               for line in budget[4:]), printed
