"""Four (and seven) validator processes over TLS on loopback: payments, kills, restarts,
a wiped database, and what a node leaves behind."""


from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from pathlib import Path
from typing import Any

import pytest

from app import cli, exits
from node import codec
from node.access import card_query_digest
from node.ledger.tx import Tx
from node.net.client import Client, ClientError
from node.receipt import to_qr
from tests.support.cluster import (
    LocalCluster,
    block_hashes,
    close_all,
    connect_all,
    processes_mentioning,
    wait_heights_equal,
)
from tests.support.waiting import poll, until

pytestmark = pytest.mark.slow









def test_payments_at_different_nodes_commit_everywhere_with_equal_hashes(
        cluster: LocalCluster) -> None:
    async def main() -> None:
        cs = await connect_all(cluster)
        try:
            issued = [cluster.issue() for _ in range(12)]
            rs = await asyncio.gather(*[cs[i % 4].submit(t) for i, (t, _, _) in
                                        enumerate(issued)])
            assert {r["code"] for r in rs} == {"ok"}
            # a client that asks for progress hears the sequence number before the receipt
            stages: list[dict[str, Any]] = []
            reply = await cs[2].call("submit", tx=cluster.issue()[0].to_wire(),
                                     wait_ms=20_000, on_progress=stages.append)
            assert reply["receipt"]["code"] == "ok"
            assert [s["stage"] for s in stages] == ["ordered"]
            assert stages[0]["seq"] == reply["receipt"]["height"]
            pays = [cluster.pay(n, k, f"O{i}") for i, (_, n, k) in enumerate(issued)]
            rs = await asyncio.gather(*[cs[(i + 1) % 4].submit(t) for i, t in enumerate(pays)])
            assert {r["code"] for r in rs} == {"ok"}
            again = await cs[1].submit(pays[0])  # rs[0] came from node 1
            assert again == rs[0]  # resubmitting returns the same receipt
            elsewhere = await cs[3].submit(pays[0])  # another node: its own certificate
            assert {k: v for k, v in elsewhere.items() if k != "certificate"} == \
                {k: v for k, v in rs[0].items() if k != "certificate"}
            cert = codec.decode(rs[0]["certificate"].encode())
            assert len(cert["commits"]) == 3  # 2f+1 signed COMMITs come with the receipt
            twin = Tx(pays[0].chain, pays[0].kind, pays[0].body, pays[0].nonce,
                      pays[0].expires).signed_by(cluster.keys["terminal-M001-T01"],
                                                 issued[0][2])  # same id, other signatures
            assert twin.hex_id == pays[0].hex_id and twin.encode() != pays[0].encode()
            with pytest.raises(ClientError, match="another transaction with this id"):
                await cs[1].submit(twin)
            # a receipt the cardholder verifies with the genesis file alone (CLI)
            rec = await cs[2].query("receipt", id=rs[0]["id"])
            path = cluster.root / "receipt.json"
            path.write_text(json.dumps(rec))
            genesis = str(cluster.cons.home / "genesis.json")
            assert cli.main(["verify-receipt", str(path), "--genesis", genesis]) == 0
            path.write_text(to_qr(rec))
            assert cli.main(["verify-receipt", str(path), "--genesis", genesis]) == 0
            rec["proof"] = rec["proof"][:-1] if rec["proof"] else [["L", "00" * 32]]
            path.write_text(json.dumps(rec))
            assert cli.main(["verify-receipt", str(path), "--genesis", genesis]) \
                == exits.EXIT_INVALID_RECEIPT
            sts = await wait_heights_equal(cs, max(r["height"] for r in rs))
            assert len({s["hash"] for s in sts}) == 1
            # each validator's latency budget: every block went through each stage there
            for s in sts:
                stages = s["stages"]
                assert {"prepare", "commit", "execute", "persist"} <= set(stages)
                assert stages["execute"]["n"] >= 3 and stages["commit"]["p50_us"] > 0
            assert sum(s["stages"].get("queue", {}).get("n", 0) for s in sts) >= 12
            hashes = await block_hashes(cs)
            assert all(h == hashes[0] for h in hashes) and len(hashes[0]) > 1
            info = await cs[2].query("card", card=issued[0][1])
            assert info["balance"] == 100_000 - 4_800
            # scopes: another bank's clerk, a terminal of another merchant
            jrb = await cluster.client(0, "clerk-JRB-1")
            other = await cluster.client(0, "terminal-M002-T01")
            mine = await cluster.client(0, "terminal-M001-T01")
            try:
                with pytest.raises(ClientError, match="not visible"):
                    await jrb.query("card", card=issued[0][1])
                with pytest.raises(ClientError, match="not visible"):
                    await other.query("merchant_txs", merchant="M001")
                assert len(await mine.query("merchant_txs", merchant="M001")) == 12
                with pytest.raises(ClientError, match="not visible"):
                    await other.query("refundable", merchant="M001")
                assert len(await mine.query("refundable")) == 12  # its own merchant's
                # arguments a query cannot use get a reason, not "internal error"
                with pytest.raises(ClientError, match="2026 is not a date in yyyymmdd"):
                    await mine.query("statement", merchant="M001", cycle=2026)
                with pytest.raises(ClientError, match="bad query arguments"):
                    await mine.query("blocks", **{"from": "x"})
                # a cardholder proves the card key and sees only that card
                number, key = issued[0][1], issued[0][2]
                t = int(time.time() * 1000)
                sig = key.sign(card_query_digest(number, t))
                got = await other.query("my_card", card=number, time=t, sig=sig)
                assert got["card"]["balance"] == 95_200 and len(got["history"]) == 2
                with pytest.raises(ClientError, match="does not verify"):
                    await other.query("my_card", card=issued[1][1], time=t, sig=sig)
            finally:
                await close_all([jrb, other, mine])
        finally:
            await close_all(cs)

    asyncio.run(main())


async def _load(c: LocalCluster, targets: list[Client], stop: asyncio.Event,
                receipts: list[tuple[float, dict[str, object]]]) -> None:
    k = 0
    while not stop.is_set():
        tx, _, _ = c.issue(deposit=1_000)
        cl = targets[k % len(targets)]
        k += 1
        try:
            r = await cl.submit(tx, wait_ms=20_000)
            receipts.append((time.monotonic(), r))
        except (TimeoutError, ClientError):
            pass
        await asyncio.sleep(0.02)  # not a wait: the load's pace


def test_primary_killed_under_load_view_change_then_catch_up(cluster: LocalCluster) -> None:
    async def main() -> None:
        backups = await connect_all(cluster, [1, 2, 3])
        stop = asyncio.Event()
        receipts: list[tuple[float, dict[str, object]]] = []
        load = [asyncio.create_task(_load(cluster, backups, stop, receipts)) for _ in range(3)]
        try:
            await until(lambda: len(receipts) >= 10, 30, "ten payments")
            cluster.kill(0)  # the primary of view 0
            killed_at = time.monotonic()
            before = len(receipts)
            await until(lambda: len(receipts) >= before + 10, 30,
                        "commits resumed after the kill")
            sts = [await b.status() for b in backups]
            assert all(s["view"] >= 1 and s["primary"] != 0 for s in sts)
            resumed = min(t for t, r in receipts[before:]) - killed_at
            cluster.start(0)
            zero = await cluster.client(0)
            await asyncio.sleep(3)  # not a wait: load goes on while validator-0 catches up
        finally:
            stop.set()
            await asyncio.gather(*load)
        try:
            sts = await wait_heights_equal([zero, *backups], 1, timeout=40)
            assert len({s["hash"] for s in sts}) == 1
            hashes = await block_hashes([zero, *backups])
            assert all(h == hashes[0] for h in hashes)
            print(f"commits resumed {resumed:.2f} s after the primary was killed")
        finally:
            await close_all([zero, *backups])

    asyncio.run(main())


def test_rolling_restart_then_the_primary_killed(cluster: LocalCluster) -> None:
    """Every validator SIGKILLed and started again in turn (its database kept), then the
    primary killed for good: each restarted node takes back the blocks above its stable
    checkpoint with their certificates, the view change keeps every height, commits go on
    and the three nodes end with the same chain."""
    async def one_payment(i: int) -> dict[str, object]:
        cl = (await connect_all(cluster, [i]))[0]
        try:
            return await cl.submit(cluster.issue(deposit=1_000)[0], wait_ms=30_000)
        finally:
            await cl.close()

    async def main() -> None:
        for k in range(3):
            assert (await one_payment(k % 4))["code"] == "ok"
        for i in range(4):
            height = (await one_payment((i + 1) % 4))["height"]
            cluster.kill(i)
            cluster.start(i)
            await (await cluster.client(i)).close()  # it answers again
            r = await one_payment((i + 2) % 4)
            assert r["code"] == "ok" and int(r["height"]) > int(height)  # type: ignore[arg-type]
            log = (cluster.home(i) / "node.log").read_text()
            assert "blocks above it recovered" in log.rsplit("listening on", 1)[1]
        cluster.kill(0)
        cs = await connect_all(cluster, [1, 2, 3])
        try:
            for k in range(3):
                r = await cs[k].submit(cluster.issue(deposit=1_000)[0], wait_ms=30_000)
                assert r["code"] == "ok"
            sts = await wait_heights_equal(cs, int(r["height"]), timeout=40)  # type: ignore[arg-type]
            assert len({s["hash"] for s in sts}) == 1 and all(s["view"] >= 1 for s in sts)
            hashes = await block_hashes(cs)
            assert all(h == hashes[0] for h in hashes)
        finally:
            await close_all(cs)

    asyncio.run(main())


def test_node_restarted_with_database_deleted_rebuilds(cluster: LocalCluster) -> None:
    async def main() -> None:
        cs = await connect_all(cluster, [0, 1, 2])
        stop = asyncio.Event()
        receipts: list[tuple[float, dict[str, object]]] = []
        load = asyncio.create_task(_load(cluster, cs, stop, receipts))
        try:
            await until(lambda: len(receipts) >= 15, 30, "fifteen payments")
            good = cluster.issue()[0]  # a forged signature is refused before ordering
            bad = Tx(good.chain, good.kind, good.body, good.nonce, good.expires,
                     ((good.sigs[0][0], "11" * 64),))
            refused = await cs[0].submit(bad)
            assert refused["code"] == "bad_signature" and refused["height"] is None
            cluster.kill(3)
            for f in cluster.home(3).glob("ledger.db*"):
                os.remove(f)
            await asyncio.sleep(1)  # not a wait: the others commit on without it
            cluster.start(3)
            three = await cluster.client(3)
            await asyncio.sleep(4)  # not a wait: load goes on while it rebuilds
        finally:
            stop.set()
            await load
        try:
            sts = await wait_heights_equal([three, *cs], 1, timeout=40)
            assert len({s["hash"] for s in sts}) == 1
            hashes = await block_hashes([three, *cs])
            assert all(h == hashes[0] for h in hashes)
        finally:
            await close_all([three, *cs])

    asyncio.run(main())


def test_seven_validators_commit(tmp_path: Path) -> None:
    c = LocalCluster(tmp_path, n=7)
    c.start_all()
    try:
        async def main() -> None:
            cs = await connect_all(c)
            try:
                txs = [c.issue()[0] for _ in range(7)]
                rs = await asyncio.gather(*[cs[i].submit(t) for i, t in enumerate(txs)])
                assert {r["code"] for r in rs} == {"ok"}
                sts = await wait_heights_equal(cs, max(r["height"] for r in rs))
                assert len({s["hash"] for s in sts}) == 1
            finally:
                await close_all(cs)

        asyncio.run(main())
    finally:
        c.stop_all()


def test_make_demo_day_on_a_real_cluster(tmp_path: Path) -> None:
    from app.demo import run_demo

    lines: list[str] = []
    run_demo(tmp_path, lines.append, cluster=True)
    text = "\n".join(lines)
    assert "4 validator processes talking PBFT over TLS" in text
    assert "REJECTED settlement_mismatch" in text and "REJECTED real_name_required" in text
    nodes = [ln for ln in lines if ln.strip().startswith("validator-")]
    assert len(nodes) == 4 and len({ln.split("hash ")[1] for ln in nodes}) == 1
    assert '"CNY": 0' in text
    # every merchant's cycle is closed, whatever the wall clock (cut-offs differ per merchant)
    assert "REJECTED cycle_open" not in text and text.count("(settled on chain)") == 3, text


def test_pool_workers_die_with_their_parent(tmp_path: Path) -> None:
    """A forked worker (the audit's signature checkers) must not outlive the process that
    started it (a SIGKILLed validator's worker used to hold its port for ever)."""
    import signal
    import subprocess
    import sys

    marker = tmp_path / "worker-marker"
    script = (
        "import concurrent.futures, sys, time\n"
        "from node.procs import pool_worker_init\n"
        "pool = concurrent.futures.ProcessPoolExecutor(1, initializer=pool_worker_init)\n"
        "pool.submit(time.sleep, 0).result()\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")  # not a wait: the child lives until it is killed
    root = Path(__file__).resolve().parent.parent
    node = subprocess.Popen([sys.executable, "-c", script, str(marker)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert node.stdout is not None and node.stdout.readline().strip() == "ready"
        assert len(processes_mentioning(str(marker))) == 2  # the node and its worker
        node.send_signal(signal.SIGKILL)
        node.wait(timeout=10)
        poll(lambda: processes_mentioning(str(marker)), lambda left: not left, timeout=10)
    finally:
        node.kill()
        for pid in processes_mentioning(str(marker)):
            os.kill(pid, signal.SIGKILL)


def test_a_link_to_a_peer_that_is_down_keeps_a_bounded_backlog() -> None:
    """Frames for a peer that is down are kept up to a byte budget, newest first: memory
    stays bounded, and the peer, once back, is not flooded with stale requests and votes
    (it catches up by state transfer)."""
    from node.net import transport

    async def main() -> None:
        link = transport.PeerLink(1, "127.0.0.1", 9, ssl.create_default_context(),
                                  ("validator-1", ""))  # never started: down
        frames = [bytes([k % 256]) * 100_000 for k in range(200)]
        for f in frames:
            link.send(f)
        def held() -> list[bytes]:
            return [data for _, data, _ in link.queue]

        assert link.queued_bytes == sum(map(len, held())) <= transport.QUEUE_BYTES
        assert link.dropped == 200 - len(link.queue) > 0
        assert held() == frames[-len(link.queue):]  # the newest are kept
        at, data, _ = link.queue[0]
        link.queue[0] = (at - transport.STALE_S - 1, data, False)  # queued long ago
        kept = len(link.queue)
        link.drop_stale()  # what a (re)connection does first
        assert len(link.queue) == kept - 1 and link.queued_bytes == sum(map(len, held()))
        # a VIEW-CHANGE bigger than the whole budget (sent with keep) outlives the small
        # frames sent after it; they are what the budget drops
        big = b"v" * (transport.QUEUE_BYTES + 1)
        link.send(big, keep=True)
        for f in frames:
            link.send(f)
        assert big in held() and link.queued_bytes <= transport.QUEUE_BYTES
        assert link.queued_bytes == sum(len(d) for _, d, k in link.queue if not k)

    asyncio.run(main())
