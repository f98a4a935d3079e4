"""A validator's metrics in the Prometheus text format (``cardchain node --metrics
HOST:PORT``, off by default): height, view, the commit latency as a histogram, requests
waiting and refused, the event loop's longest stall, state transfer's progress.

The figures are read from the node when Prometheus scrapes (a custom collector over
``Node.status``); only the commit latency is observed as it happens (``observe_commit``).
The endpoint is a small HTTP/1.0 server on the node's own event loop: GET /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

COMMIT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _StatusCollector(Collector):
    def __init__(self, status: Callable[[], dict[str, Any]]) -> None:
        self.status = status

    def collect(self) -> Iterator[Any]:
        st = self.status()
        for name, what, value in (
                ("cardchain_height", "Blocks executed", st.get("height", 0)),
                ("cardchain_view", "The PBFT view", st.get("view", 0)),
                ("cardchain_stable_checkpoint", "The stable checkpoint's sequence number",
                 st.get("stable", 0)),
                ("cardchain_requests_pending", "Requests waiting to be ordered",
                 st.get("pending", 0)),
                ("cardchain_admission_bound", "Requests admitted before clients hear busy",
                 st.get("admission_bound", 0)),
                ("cardchain_loop_max_stall_seconds",
                 "The event loop's longest stall in the last interval",
                 st.get("max_stall_us", 0) / 1e6),
                ("cardchain_peers_connected", "Peers this validator is connected to",
                 sum(bool(v) for v in (st.get("peers") or {}).values())),
                ("cardchain_view_changing", "1 while a view change is under way",
                 int(bool(st.get("view_changing"))))):
            g = GaugeMetricFamily(name, what)
            g.add_metric([], float(value or 0))
            yield g
        for name, what, key in (
                ("cardchain_requests_refused", "Clients told busy, retry later", "refused"),
                ("cardchain_blocks", "Blocks executed since start", "blocks"),
                ("cardchain_state_transfer_fetched_blocks",
                 "Blocks fetched from peers and executed (state transfer)", "fetched_blocks"),
                ("cardchain_state_transfer_copied_blocks",
                 "Blocks copied from peers with their effects (state transfer)",
                 "copied_blocks"),
                ("cardchain_bad_peer_frames", "Frames from peers that did not parse",
                 "bad_peer_frames")):
            c = CounterMetricFamily(name, what)
            c.add_metric([], float(st.get(key, 0) or 0))
            yield c


class Metrics:
    """The registry of one node and its HTTP endpoint."""

    def __init__(self, status: Callable[[], dict[str, Any]]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_StatusCollector(status))
        self.commit = Histogram("cardchain_commit_latency_seconds",
                                "From a block's PRE-PREPARE to 2f+1 commits, as seen here",
                                buckets=COMMIT_BUCKETS, registry=self.registry)
        self.server: asyncio.Server | None = None

    def observe_commit(self, seconds: float) -> None:
        self.commit.observe(seconds)

    def text(self) -> bytes:
        return bytes(generate_latest(self.registry))

    async def start(self, host: str, port: int) -> None:
        self.server = await asyncio.start_server(self._serve, host, port)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()
            self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request: GET /metrics gets the text; anything else 404; a client that says
        nothing within 5 s is dropped."""
        try:
            line = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            parts = line.decode("latin-1").split()
            if len(parts) >= 2 and parts[0] == "GET" and parts[1].split("?")[0] == "/metrics":
                body, head = self.text(), f"200 OK\r\nContent-Type: {CONTENT_TYPE_LATEST}"
            else:
                body, head = b"not found\n", "404 Not Found\r\nContent-Type: text/plain"
            writer.write(f"HTTP/1.0 {head}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                         + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def serve_metrics(address: str, node: Any,
                        tasks: list[asyncio.Task[Any]]) -> Metrics | None:
    """The endpoint of ``node`` (its ``status`` and ``stages``) at ``address``
    ("host:port"; "" for none), served by a task added to ``tasks`` (cancelling it closes
    the endpoint)."""
    if not address:
        return None
    host, _, port = address.rpartition(":")
    metrics = Metrics(node.status)
    await metrics.start(host or "127.0.0.1", int(port))
    node.stages.on_commit = metrics.observe_commit
    assert metrics.server is not None
    tasks.append(asyncio.create_task(metrics.server.serve_forever(), name="metrics"))
    return metrics


__all__ = ["Metrics", "serve_metrics"]
