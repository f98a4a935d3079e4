"""What a client or a peer may throw at real validators: junk requests of every shape,
foreign certificates, malformed frames and floods; an observer that follows and serves;
the CLI against a running cluster."""


from __future__ import annotations

import asyncio
import json
import os
import random
import ssl
import time
from pathlib import Path

import pytest

from app import cli
from app.consortium import DEMO_PASSPHRASE, init
from node import crypto, tls
from node.consensus.messages import Prepare
from node.ledger.tx import Tx
from node.net.client import Client, ClientError
from node.net.framing import pack
from tests.support.cluster import (
    LocalCluster,
    close_all,
    connect_all,
)
from tests.support.waiting import apoll

pytestmark = pytest.mark.slow









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
            await close_all(list(cs.values()))
        return internal

    assert asyncio.run(main()) == []


def test_foreign_ca_and_mismatched_certificates_are_refused(cluster: LocalCluster,
                                                            tmp_path: Path) -> None:
    other = init(tmp_path / "other", DEMO_PASSPHRASE, genesis_time=int(time.time() * 1000),
                 kdf_n=2**10)
    host, port = cluster.addr(0)

    async def main() -> None:
        await close_all(await connect_all(cluster))  # the cluster is up
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
        await close_all(await connect_all(cluster))  # the cluster is up
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
        cs = await connect_all(cluster)
        try:
            tx, _, _ = cluster.issue()
            r = await cs[0].submit(tx)
            assert r["code"] == "ok"
            st = await cs[0].status()
            assert st["bad_peer_frames"] >= 2
        finally:
            await close_all(cs)

    asyncio.run(main())


def test_observer_follows_verifies_serves_and_forwards(cluster: LocalCluster) -> None:
    from app.runner import free_ports, spawn_node

    port = free_ports(1)[0]
    home = cluster.cons.home / "nodes" / "regulator-1"
    obs = spawn_node(home, DEMO_PASSPHRASE, log_file=home / "node.log",
                     listen=f"127.0.0.1:{port}")

    async def main() -> None:
        cs = await connect_all(cluster)
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
            await apoll(o.status, lambda st: st["height"] >= r2["height"], timeout=20,
                        every=0.1)
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
            await close_all(cs)

    try:
        asyncio.run(main())
    finally:
        obs.terminate()
        obs.wait(timeout=10)


def test_cli_issue_card_writes_a_card_file_that_unlocks(cluster: LocalCluster, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) \
        -> None:
    from node.cardfile import CardFile

    async def up() -> None:
        await close_all(await connect_all(cluster))

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
