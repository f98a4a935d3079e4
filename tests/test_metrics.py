"""Operations (issue 29): a validator's Prometheus endpoint, off by default; when asked
for, GET /metrics parses with the client library's own parser and carries the height, the
view, the commit latency histogram, requests waiting and refused, the loop's stall and
state transfer's counters; anything else is 404; the port is closed when the node stops.
And a node's ledger backed up while payments flow, restored and audited."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.consortium import init
from node.config import Settings
from node.net.client import Client
from node.service import Node
from tests.support.cluster import free_ports
from tests.support.waiting import until

pytestmark = pytest.mark.slow
PASS = "metrics test passphrase"


async def _get(port: int, path: str) -> tuple[str, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = data.decode().partition("\r\n\r\n")
    return head.splitlines()[0], body


def test_metrics_parse_and_follow_the_chain(tmp_path: Path) -> None:
    home = tmp_path / "cons"
    hosts = ",".join(f"127.0.0.1:{p}" for p in free_ports(4))
    cons = init(home, PASS, hosts=hosts, genesis_time=int(time.time() * 1000) - 60_000,
                kdf_n=2**10)
    port = free_ports(1)[0]
    nodes = [Node(cons, f"validator-{i}", home / "nodes" / f"validator-{i}",
                  dataclasses.replace(Settings(), metrics=f"127.0.0.1:{port}")
                  if i == 0 else Settings()) for i in range(4)]

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        try:
            assert nodes[1].metrics is None  # off by default
            # a transaction committed: the height and the commit latency move
            from app.api import Signer

            clerk = Signer(cons, "clerk-EHB-1")
            v = cons.genesis.validators[0]
            client = Client(home, "clerk-EHB-1", cons.keys)
            tx = clerk.make("attest_custody", {"bank": "EHB", "amount": 1_000})
            await client.connect(v["host"], v["port"])
            try:
                receipt = await client.submit(tx, 20_000)
            finally:
                await client.close()
            assert receipt["code"] == "ok", receipt
            status, body = await _get(port, "/metrics")
            assert status.endswith("200 OK")
            fams = {f.name: f for f in text_string_to_metric_families(body)}
            for name in ("cardchain_height", "cardchain_view", "cardchain_requests_pending",
                         "cardchain_requests_refused", "cardchain_loop_max_stall_seconds",
                         "cardchain_state_transfer_fetched_blocks",
                         "cardchain_commit_latency_seconds"):
                assert name in fams, sorted(fams)
            assert fams["cardchain_height"].samples[0].value >= 1
            counts = [s for s in fams["cardchain_commit_latency_seconds"].samples
                      if s.name.endswith("_count")]
            assert counts and counts[0].value >= 1
            assert (await _get(port, "/other"))[0].endswith("404 Not Found")
        finally:
            for n in nodes:
                await n.stop()
        with pytest.raises(OSError):  # the port is closed with the node
            await asyncio.open_connection("127.0.0.1", port)

    asyncio.run(asyncio.wait_for(scenario(), 90))


def test_backup_under_load_restore_and_the_audit(tmp_path: Path) -> None:
    """cardchain backup while payments flow: one consistent snapshot; the node stopped,
    cardchain restore puts it back (refused while the node answers, and for a backup the
    audit finds edited); the restored validator catches up with the others."""
    import sqlite3
    import subprocess
    import sys

    from app.backup import BackupError, backup, restore
    from node.audit import audit

    home = tmp_path / "cons"
    hosts = ",".join(f"127.0.0.1:{p}" for p in free_ports(4))
    cons = init(home, PASS, hosts=hosts, genesis_time=int(time.time() * 1000) - 60_000,
                kdf_n=2**10)
    nodes = [Node(cons, f"validator-{i}", home / "nodes" / f"validator-{i}", Settings())
             for i in range(4)]
    v0 = home / "nodes" / "validator-0"
    out = tmp_path / "v0-backup.db"

    async def load(client: Client, signer: object, n: int) -> int:
        done = 0
        for k in range(n):
            tx = signer.make("attest_custody", {"bank": "EHB", "amount": 1_000 + k})  # type: ignore[attr-defined]
            done += (await client.submit(tx, 20_000))["code"] == "ok"
        return done

    async def scenario() -> None:
        from app.api import Signer

        for n in nodes:
            await n.start()
        clerk = Signer(cons, "clerk-EHB-1")
        v = cons.genesis.validators[1]
        client = Client(home, "clerk-EHB-1", cons.keys)
        await client.connect(v["host"], v["port"])
        try:
            flowing = asyncio.create_task(load(client, clerk, 30))
            await until(lambda: nodes[0].height >= 3, 20, "the load under way")
            got = await asyncio.get_running_loop().run_in_executor(None, backup, v0, out)
            assert await flowing == 30
            assert 1 <= got["height"] <= nodes[0].height
            with pytest.raises(BackupError, match="exists"):
                backup(v0, out)
            with pytest.raises(BackupError, match="stop it first"):
                restore(v0, out, cons.genesis)
        finally:
            await client.close()
            for n in nodes:
                await n.stop()

    asyncio.run(asyncio.wait_for(scenario(), 120))
    assert audit(out, cons.genesis).ok  # the snapshot is whole
    # an edited backup is refused by the audit
    edited = tmp_path / "edited.db"
    edited.write_bytes(out.read_bytes())
    con = sqlite3.connect(edited)
    con.execute("UPDATE banks SET data = json_set(data, '$.custody', 7) WHERE key = 'EHB'")
    con.commit()
    assert con.total_changes == 1
    con.close()
    with pytest.raises(BackupError, match="does not pass the audit"):
        restore(v0, edited, cons.genesis)
    # the command line puts the good one back, keeping what it replaced
    env = {"CARDCHAIN_PASSPHRASE": PASS, "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "app.cli", "restore", "--home", str(v0),
                        str(out)], capture_output=True, text=True, env=env, timeout=120,
                       cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 0, r.stderr
    assert (v0 / "ledger.db.before-restore").exists()
    assert audit(v0 / "ledger.db", cons.genesis).ok
    # restarted, the restored validator catches up with the others
    nodes2 = [Node(cons, f"validator-{i}", home / "nodes" / f"validator-{i}", Settings())
              for i in range(4)]

    async def again() -> None:
        for n in nodes2:
            await n.start()
        try:
            from app.api import Signer

            client = Client(home, "clerk-EHB-1", cons.keys)
            v = cons.genesis.validators[2]
            await client.connect(v["host"], v["port"])
            try:
                assert await load(client, Signer(cons, "clerk-EHB-1"), 1) == 1
            finally:
                await client.close()
            await until(lambda: nodes2[0].height >= nodes2[2].height > 1, 30,
                        "the restored validator caught up")
        finally:
            for n in nodes2:
                await n.stop()

    asyncio.run(asyncio.wait_for(again(), 120))
