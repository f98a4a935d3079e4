"""Real validator processes on 127.0.0.1 with TLS: agreement, a killed primary, a wiped
node, refused certificates, hostile bytes, seven validators.  Every process is stopped
and every port closed by the fixtures, whatever the outcome."""

from __future__ import annotations

import asyncio
import json
import os
import random
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.consortium import DEMO_PASSPHRASE, init
from node import codec, crypto, tls
from node.consensus.messages import Prepare
from node.endpoint import card_query_digest
from node.ledger.tx import Tx
from node.net.client import Client, ClientError
from node.net.framing import pack
from node.receipt import to_qr
from tests.support.cluster import (
    LocalCluster,
    processes_mentioning,
    running_cluster,
    wait_connected,
    wait_heights_equal,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    with running_cluster(tmp_path) as c:
        yield c


async def _clients(c: LocalCluster, ids: list[int] | None = None) -> list[Client]:
    cs = [await c.client(i) for i in (ids if ids is not None else range(c.n))]
    await wait_connected(cs)
    return cs


async def _close(clients: list[Client]) -> None:
    for cl in clients:
        await cl.close()


async def _block_hashes(clients: list[Client]) -> list[list[list[object]]]:
    return [await cl.query("blocks", **{"from": 0}) for cl in clients]


def test_payments_at_different_nodes_commit_everywhere_with_equal_hashes(
        cluster: LocalCluster) -> None:
    async def main() -> None:
        cs = await _clients(cluster)
        try:
            issued = [cluster.issue() for _ in range(12)]
            rs = await asyncio.gather(*[cs[i % 4].submit(t) for i, (t, _, _) in
                                        enumerate(issued)])
            assert {r["code"] for r in rs} == {"ok"}
            # a client that asks for progress hears the sequence number before the receipt
            stages: list[dict[str, Any]] = []
            reply = await cs[2].call("submit", tx=cluster.issue()[0].encode().decode(),
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
                == cli.EXIT_INVALID_RECEIPT
            sts = await wait_heights_equal(cs, max(r["height"] for r in rs))
            assert len({s["hash"] for s in sts}) == 1
            hashes = await _block_hashes(cs)
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
                await _close([jrb, other, mine])
        finally:
            await _close(cs)

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
        await asyncio.sleep(0.02)


QUERIES = ["blocks", "block_list", "compliance", "summary", "receipt", "fetch_blocks", "tx",
           "card", "history", "my_card", "txs", "merchant_txs", "offer", "statement",
           "statement_lines", "contracts", "refundable", "catalogue", "cards", "issuers",
           "merchant_volumes", "merchants", "bank_payable", "nosuch"]
ARG_KEYS = ["from", "to", "limit", "id", "card", "time", "sig", "filters", "merchant",
            "offset", "after", "items", "banks", "cycle", "bank", "text", "status", "first",
            "tx", "wait_ms", "progress", "q"]
ARG_VALUES = [None, -1, 0, 1, 2**62, "", "x", "20261124", [], [1], [1, 2], ["a", "b"], {},
              {"merchant": 1}, {"kind": []}, {"amount_min": "x"}, {"nosuch": 1}, True,
              "6214830000000000000", [{"sku": 1}], [{"sku": "TEA-250", "qty": -1}], "\u0000",
              "{}", "x" * 5000]


def test_requests_of_any_shape_get_a_reason_never_an_internal_error(cluster: LocalCluster
                                                                   ) -> None:
    """Seeded junk for every query and operation, from each kind of client: each gets a
    refusal that says what is wrong (found: a cycle that is no date, a list as a card
    status, a wait_ms that is not a number), and the node keeps serving."""
    rng = random.Random(5)
    names = ["regulator-1", "clerk-EHB-1", "terminal-M001-T01", "clearing-1"]

    async def main() -> list[tuple[object, ...]]:
        cs = {n: await cluster.client(1, n) for n in names}
        internal: list[tuple[object, ...]] = []
        try:
            for _ in range(1_500):
                who = rng.choice(names)
                kw = {k: rng.choice(ARG_VALUES)
                      for k in rng.sample(ARG_KEYS, rng.randint(0, 4))}
                op = rng.choice(["query", "query", "query", "submit", "status", "nosuch"])
                if op == "query":
                    kw["q"] = rng.choice(QUERIES)
                try:
                    await asyncio.wait_for(cs[who].call(op, timeout=5, **kw), 6)
                except ClientError as exc:
                    if "internal error" in str(exc):
                        internal.append((who, op, kw))
            assert (await cs["regulator-1"].status())["height"] >= 0
        finally:
            await _close(list(cs.values()))
        return internal

    assert asyncio.run(main()) == []


def test_primary_killed_under_load_view_change_then_catch_up(cluster: LocalCluster) -> None:
    async def main() -> None:
        backups = await _clients(cluster, [1, 2, 3])
        stop = asyncio.Event()
        receipts: list[tuple[float, dict[str, object]]] = []
        load = [asyncio.create_task(_load(cluster, backups, stop, receipts)) for _ in range(3)]
        try:
            while len(receipts) < 10:
                await asyncio.sleep(0.1)
            cluster.kill(0)  # the primary of view 0
            killed_at = time.monotonic()
            before = len(receipts)
            deadline = killed_at + 30
            while len(receipts) < before + 10 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert len(receipts) >= before + 10, "commits did not resume after the kill"
            sts = [await b.status() for b in backups]
            assert all(s["view"] >= 1 and s["primary"] != 0 for s in sts)
            resumed = min(t for t, r in receipts[before:]) - killed_at
            cluster.start(0)
            zero = await cluster.client(0)
            await asyncio.sleep(3)
        finally:
            stop.set()
            await asyncio.gather(*load)
        try:
            sts = await wait_heights_equal([zero, *backups], 1, timeout=40)
            assert len({s["hash"] for s in sts}) == 1
            hashes = await _block_hashes([zero, *backups])
            assert all(h == hashes[0] for h in hashes)
            print(f"commits resumed {resumed:.2f} s after the primary was killed")
        finally:
            await _close([zero, *backups])

    asyncio.run(main())


def test_rolling_restart_then_the_primary_killed(cluster: LocalCluster) -> None:
    """Every validator SIGKILLed and started again in turn (its database kept), then the
    primary killed for good: each restarted node takes back the blocks above its stable
    checkpoint with their certificates, the view change keeps every height, commits go on
    and the three nodes end with the same chain."""
    async def one_payment(i: int) -> dict[str, object]:
        cl = (await _clients(cluster, [i]))[0]
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
            await asyncio.sleep(0.5)
            r = await one_payment((i + 2) % 4)
            assert r["code"] == "ok" and int(r["height"]) > int(height)  # type: ignore[arg-type]
            log = (cluster.home(i) / "node.log").read_text()
            assert "blocks above it recovered" in log.rsplit("listening on", 1)[1]
        cluster.kill(0)
        cs = await _clients(cluster, [1, 2, 3])
        try:
            for k in range(3):
                r = await cs[k].submit(cluster.issue(deposit=1_000)[0], wait_ms=30_000)
                assert r["code"] == "ok"
            sts = await wait_heights_equal(cs, int(r["height"]), timeout=40)  # type: ignore[arg-type]
            assert len({s["hash"] for s in sts}) == 1 and all(s["view"] >= 1 for s in sts)
            hashes = await _block_hashes(cs)
            assert all(h == hashes[0] for h in hashes)
        finally:
            await _close(cs)

    asyncio.run(main())


def test_node_restarted_with_database_deleted_rebuilds(cluster: LocalCluster) -> None:
    async def main() -> None:
        cs = await _clients(cluster, [0, 1, 2])
        stop = asyncio.Event()
        receipts: list[tuple[float, dict[str, object]]] = []
        load = asyncio.create_task(_load(cluster, cs, stop, receipts))
        try:
            while len(receipts) < 15:
                await asyncio.sleep(0.1)
            good = cluster.issue()[0]  # a forged signature is refused before ordering
            bad = Tx(good.chain, good.kind, good.body, good.nonce, good.expires,
                     ((good.sigs[0][0], "11" * 64),))
            refused = await cs[0].submit(bad)
            assert refused["code"] == "bad_signature" and refused["height"] is None
            cluster.kill(3)
            for f in cluster.home(3).glob("ledger.db*"):
                os.remove(f)
            await asyncio.sleep(1)
            cluster.start(3)
            three = await cluster.client(3)
            await asyncio.sleep(4)
        finally:
            stop.set()
            await load
        try:
            sts = await wait_heights_equal([three, *cs], 1, timeout=40)
            assert len({s["hash"] for s in sts}) == 1
            hashes = await _block_hashes([three, *cs])
            assert all(h == hashes[0] for h in hashes)
        finally:
            await _close([three, *cs])

    asyncio.run(main())


def test_foreign_ca_and_mismatched_certificates_are_refused(cluster: LocalCluster,
                                                            tmp_path: Path) -> None:
    other = init(tmp_path / "other", DEMO_PASSPHRASE, genesis_time=int(time.time() * 1000),
                 kdf_n=2**10)
    host, port = cluster.addr(0)

    async def main() -> None:
        await _close(await _clients(cluster))  # the cluster is up
        stranger = Client(other.home, "regulator-1", other.keys)
        with pytest.raises((ssl.SSLError, ConnectionError, ClientError, OSError,
                            asyncio.TimeoutError)):
            await stranger.connect(host, port)
            await stranger.status()
        await stranger.close()
        # a certificate from the right CA, named validator-1, but for another key
        ca_key = cluster.cons.key("ca")
        ca_pem = (cluster.cons.home / "tls" / "ca.pem").read_bytes()
        rogue = crypto.generate()
        cluster.cons.keys.save("rogue", rogue)
        cert = tls.issue(ca_key, ca_pem, rogue, "validator-1", ["127.0.0.1"],
                         __import__("datetime").datetime.now(__import__("datetime").timezone.utc))
        (cluster.cons.home / "tls" / "rogue.crt").write_bytes(cert)
        ctx = tls.client_context(cluster.cons.home / "tls" / "ca.pem",
                                 cluster.cons.home / "tls" / "rogue.crt",
                                 cluster.cons.keys.path("rogue"), cluster.cons.keys.password)
        reader, writer = await asyncio.open_connection(host, port, ssl=ctx)
        writer.write(pack({"rid": 1, "op": "status"}))
        await writer.drain()
        assert await reader.read(100) == b""  # closed without an answer
        writer.close()
        ok = await cluster.client(0, "regulator-1")
        assert (await ok.status())["height"] >= 0
        await ok.close()

    asyncio.run(main())


def test_malformed_frames_and_floods_do_not_hurt_the_node(cluster: LocalCluster) -> None:
    home = cluster.cons.home
    host, port = cluster.addr(0)

    def ctx(identity: str) -> ssl.SSLContext:
        return tls.client_context(home / "tls" / "ca.pem", home / "tls" / f"{identity}.crt",
                                  cluster.cons.keys.path(identity), cluster.cons.keys.password)

    async def hostile(identity: str, payload: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(host, port, ssl=ctx(identity))
        writer.write(payload)
        await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(100), 5)
        finally:
            writer.close()

    async def main() -> None:
        await _close(await _clients(cluster))  # the cluster is up
        for payload in [b"\xff\xff\xff\xff" + b"x" * 100,  # oversize length prefix
                        b"\x00\x00\x00\x05hello",           # not JSON
                        os.urandom(300),
                        b"\x00\x00\x00\x00"]:               # empty frame
            assert await hostile("regulator-1", payload) == b""
        # a validator's connection flooded with well-formed but invalid messages
        _, writer = await asyncio.open_connection(host, port, ssl=ctx("validator-3"))
        junk = b"".join(pack({"t": "pbft", "m": {**Prepare(3, "00" * 64, 10**6, k, "ab" * 32)
                                                  .body(), "sig": "00" * 64}})
                        for k in range(1, 3000))
        writer.write(junk + pack({"t": "nonsense"}) + pack({"t": "pbft", "m": {"kind": 5}}))
        await writer.drain()
        writer.close()
        cs = await _clients(cluster)
        try:
            tx, _, _ = cluster.issue()
            r = await cs[0].submit(tx)
            assert r["code"] == "ok"
            st = await cs[0].status()
            assert st["bad_peer_frames"] >= 2
        finally:
            await _close(cs)

    asyncio.run(main())


def test_seven_validators_commit(tmp_path: Path) -> None:
    c = LocalCluster(tmp_path, n=7)
    c.start_all()
    try:
        async def main() -> None:
            cs = await _clients(c)
            try:
                txs = [c.issue()[0] for _ in range(7)]
                rs = await asyncio.gather(*[cs[i].submit(t) for i, t in enumerate(txs)])
                assert {r["code"] for r in rs} == {"ok"}
                sts = await wait_heights_equal(cs, max(r["height"] for r in rs))
                assert len({s["hash"] for s in sts}) == 1
            finally:
                await _close(cs)

        asyncio.run(main())
    finally:
        c.stop_all()


def test_observer_follows_verifies_serves_and_forwards(cluster: LocalCluster) -> None:
    from app.runner import free_ports, spawn_node

    port = free_ports(1)[0]
    home = cluster.cons.home / "nodes" / "regulator-1"
    obs = spawn_node(home, DEMO_PASSPHRASE, log_file=home / "node.log",
                     listen=f"127.0.0.1:{port}")

    async def main() -> None:
        cs = await _clients(cluster)
        o = await Client.connect_when_up(cluster.cons.home, "clerk-EHB-1", cluster.cons.keys,
                                         "127.0.0.1", port)
        try:
            # validators write their own (size-limited) logs (one may have been wiped by the
            # restart-with-a-deleted-database test)
            logs = [cluster.home(i) / "node.log" for i in range(4)]
            assert any(p.exists() and "listening on" in p.read_text("utf-8") for p in logs)
            tx, number, _ = cluster.issue()
            r = await o.submit(tx)  # forwarded to a validator; receipt once executed here
            assert r["code"] == "ok"
            # a forged signature is refused at once, by the observer as by a validator,
            # and never reaches a block (the certificate then vouches for signatures)
            good = cluster.issue()[0]
            bad = Tx(good.chain, good.kind, good.body, good.nonce, good.expires,
                     ((good.sigs[0][0], "11" * 64),))
            for who in (cs[2], o):
                refused = await asyncio.wait_for(who.submit(bad), 5)
                assert refused["code"] == "bad_signature" and refused["height"] is None
            r2 = await cs[1].submit(cluster.issue()[0])
            deadline = time.monotonic() + 20
            while (await o.status())["height"] < r2["height"]:
                assert time.monotonic() < deadline, "observer fell behind"
                await asyncio.sleep(0.1)
            st = await o.status()
            assert st["observer"] and st["rejected_blocks"] == 0
            theirs = await cs[0].query("blocks", **{"from": 0, "to": st["height"]})
            mine = await o.query("blocks", **{"from": 0, "to": st["height"]})
            assert mine == theirs
            assert (await o.query("card", card=number))["balance"] == 100_000
            # on an idle network the observer gathers the last block's result certificate
            # too: its receipt proves the result, verified here with the genesis alone
            from node.receipt import verify

            proved = verify(await o.query("receipt", id=r2["id"]), cluster.cons.genesis)
            assert proved["result_proved"] and proved["code"] == "ok"
        finally:
            await o.close()
            await _close(cs)

    try:
        asyncio.run(main())
    finally:
        obs.terminate()
        obs.wait(timeout=10)


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


def test_cli_issue_card_writes_a_card_file_that_unlocks(cluster: LocalCluster, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) \
        -> None:
    from node.cardfile import CardFile

    async def up() -> None:
        await _close(await _clients(cluster))

    asyncio.run(up())
    monkeypatch.setenv("CARDCHAIN_PASSPHRASE", DEMO_PASSPHRASE)
    home, out, pin = str(cluster.cons.home), tmp_path / "c.card.json", tmp_path / "pin"
    pin.write_text("246810\n")
    base = ["issue-card", home, "--as", "clerk-EHB-1", "--bank", "EHB", "--out", str(out)]
    assert cli.main([*base, "--holder", "Liu Yang"]) == 2  # a named card needs an ID
    assert "needs --id-number" in capsys.readouterr().err and not out.exists()
    assert cli.main([*base, "--holder", "Liu Yang", "--id-number", "110105199001011234",
                     "--deposit", "5000", "--pin-file", str(pin)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["receipt"]["code"] == "ok" and "pin" not in printed
    card = CardFile.load(out)
    assert card.card == printed["card"] and card.unlock("246810").public == card.public_key


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
        "time.sleep(60)\n")
    root = Path(__file__).resolve().parent.parent
    node = subprocess.Popen([sys.executable, "-c", script, str(marker)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert node.stdout is not None and node.stdout.readline().strip() == "ready"
        assert len(processes_mentioning(str(marker))) == 2  # the node and its worker
        node.send_signal(signal.SIGKILL)
        node.wait(timeout=10)
        deadline = time.monotonic() + 10
        while processes_mentioning(str(marker)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not processes_mentioning(str(marker))
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

