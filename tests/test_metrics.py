"""A validator's Prometheus endpoint (issue 29, operations): off by default; when asked for,
GET /metrics parses with the client library's own parser and carries the height, the view,
the commit latency histogram, requests waiting and refused, the loop's stall and state
transfer's counters; anything else is 404; the port is closed when the node stops."""

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
