"""A till's light node: it keeps only checked headers, takes an answer only when f+1
validators sign it, and holds nothing of other merchants or of any cardholder."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.flows import my_card_query, new_card
from app.session import Session, SessionError
from node import codec, crypto, protocol
from node.config import Settings
from node.errors import ClientError, Refused
from node.light import HeaderError, LightNode, agreed, check_header, genesis_block_hash
from node.service import Node
from tests.support.nodes import run_nodes, until
from tests.support.world import World

HOLDER, ID_NUMBER = "Gao Yuan 高远", "110101198001010030"


def _headers(node: Node, first: int, last: int) -> list[tuple[int, str, str, str]]:
    assert node.store is not None
    out = []
    for h in range(first, last + 1):
        b, at = node.store.block(h), node.store.attest(h)
        assert b is not None and b.cert is not None and at is not None
        out.append((h, b.header.decode(), b.cert.decode(), at))
    return out


def test_a_light_node_follows_proves_and_keeps_nothing_private(cons: Any,
                                                                tmp_path: Path) -> None:
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]
    till = Session(cons, "terminal-M001-T01", data_dir=tmp_path / "till")
    other = Session(cons, "terminal-M002-T01", data_dir=tmp_path / "other-till")
    clerk = Session(cons, "clerk-EHB-1", data_dir=tmp_path / "clerk")
    assert isinstance(till.node, LightNode) and isinstance(other.node, LightNode)
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        for s in (till, other, clerk):
            await s.start()
            await s.wait_synced(20)
        made = new_card(cons, "EHB", clerk.now(), holder=HOLDER, id_number=ID_NUMBER,
                        deposit=100_000)
        assert (await clerk.submit(clerk.make("issue_card", made.body))).ok
        key = made.card.unlock(made.pin)
        number = made.card.card
        items = [{"sku": "TEA-250", "qty": 1}]
        # the till: an offer for the card in front of it, a payment, its decision
        offer = await till.query("offer", items=items, banks=[],
                                 **my_card_query(number, key, till.now(), "offer"))
        pay = till.make("pay", {"terminal": "M001-T01", "card": number, "order": "L-1",
                                "items": items, "amount": offer["total"]}, key)
        d = await till.submit(pay)
        assert d.ok and d.height is not None
        # the other merchant's till sells too: the first till must never hold it
        items2 = [{"sku": "BOOK-ATLAS", "qty": 1}]
        offer2 = await other.query("offer", items=items2, banks=[],
                                   **my_card_query(number, key, other.now(), "offer"))
        pay2 = other.make("pay", {"terminal": "M002-T01", "card": number, "order": "L-2",
                                  "items": items2, "amount": offer2["total"]}, key)
        assert (await other.submit(pay2)).ok
        top = max(n.height for n in nodes)
        await until(lambda: till.node.height >= top and other.node.height >= top, 20,
                    "the light nodes to follow the headers")
        h = till.node.height
        assert till.node.head_hash == await nodes[0].on_db(lambda: nodes[0].store.block(h).hash)
        # answers f+1 validators signed, in the till's own scope
        cat = await till.query("catalogue")
        assert cat["merchant"] == "M001"
        assert (await till.query("tx", id=pay.hex_id))["code"] == "ok"
        r = await till.query("receipt", id=pay.hex_id)
        assert r["tx"] == pay.encode().decode()
        for refused in [till.query("tx", id=pay2.hex_id),  # another merchant's sale
                        till.query("receipt", id=pay2.hex_id),
                        till.query("fetch_blocks", first=1),  # whole blocks: not a till's
                        till.query("card", card=number),
                        till.query("offer", card=number, items=items, banks=[])]:
            with pytest.raises(SessionError, match=r"not visible|banks and the regulator|"
                                                   r"did not sign"):
                await refused
        seen["number"], seen["pay2"] = number, pay2.hex_id
        for s in (till, other, clerk):
            await s.stop()

    run_nodes(nodes, scenario, timeout=90)
    # the till's folder, every byte of every file (the SQLite WAL included)
    files = [p for p in (tmp_path / "till").rglob("*") if p.is_file()]
    assert files and not (tmp_path / "till" / "ledger.db").exists()
    blob = b"".join(p.read_bytes() for p in files)
    for secret in (HOLDER.encode(), "高远".encode(), ID_NUMBER.encode(),
                   seen["pay2"].encode(), b'"L-2"', b"BOOK-ATLAS"):
        assert secret not in blob, secret


def test_a_header_that_does_not_hold_is_refused(cons: Any, tmp_path: Path) -> None:
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]
    got: list[tuple[int, str, str, str]] = []

    async def scenario() -> None:
        from tests.support.nodes import commit_blocks

        for n in nodes:
            await n.start()
        await commit_blocks(nodes, 4, 2)
        for _ in range(100):  # the result certificates come a message delay later
            if await nodes[0].on_db(lambda: nodes[0].store.attest(3)) is not None:
                break
            await asyncio.sleep(0.05)  # not a wait: polled, bounded
        got.extend(await nodes[0].on_db(_headers, nodes[0], 1, 3))

    run_nodes(nodes, scenario)
    publics = [v["public_key"] for v in cons.genesis.validators]
    chain = cons.genesis.chain_id
    prev = genesis_block_hash(cons)
    hashes = [prev]
    for h, text, cert, at in got:  # the real ones hold, in order
        hashes.append(check_header(publics, chain, h, hashes[-1], text, cert, at)[0])
    h, text, cert, at = got[1]
    atts = codec.loads(at)
    header, c = codec.decode(text.encode()), codec.decode(cert.encode())
    forged = codec.encode({**header, "state_root": "00" * 32}).decode()
    short = codec.encode({**c, "commits": c["commits"][:2]}).decode()  # 2 of 2f+1 = 3
    bad_sig = dict(codec.decode(c["commits"][0].encode()))
    bad_sig["sig"] = bad_sig["sig"][:-2] + ("00" if bad_sig["sig"][-2:] != "00" else "11")
    tampered = codec.encode({**c, "commits": [codec.encode(bad_sig).decode(),
                                               *c["commits"][1:]]}).decode()
    cases = [
        (h, hashes[1], forged, cert, at),  # a state root changed, the tx_root kept
        (h, hashes[1], codec.encode({**header, "tx_root": "11" * 32}).decode(), cert, at),
        (h, hashes[1], text, short, at),  # a certificate short of 2f+1
        (h, hashes[1], text, tampered, at),  # a COMMIT's signature broken
        (h, hashes[1], text, got[2][2], at),  # another block's certificate
        (h, hashes[1], text, cert, got[2][3]),  # another block's result certificate
        (h, hashes[1], text, cert, codec.encode(atts[:1]).decode()),  # one ATTEST of f+1
        (h, hashes[1], text, cert, codec.encode([atts[0], atts[0]]).decode()),  # repeated
        (h, hashes[1], text, cert, "{}"), (h, hashes[1], text, cert, "x"),
        (h, hashes[0], text, cert, at),  # does not follow the header before it
        (h + 1, hashes[1], text, cert, at),  # served as another height
        (h, hashes[1], "not json", cert, at), (h, hashes[1], text, "[]", at),
    ]
    for height, prev_hash, t, c_text, a_text in cases:
        with pytest.raises(HeaderError):
            check_header(publics, chain, height, prev_hash, t, c_text, a_text)


def test_an_answer_counts_only_when_f_plus_1_validators_sign_it() -> None:
    w = World()
    keys = [w.k(f"validator-{i}") for i in range(4)]
    publics = [k.public for k in keys]
    chain, args, result = w.genesis.chain_id, {"merchant": "M001"}, {"items": [1, 2]}

    def reply(i: int, res: Any = result, height: int = 7, key: Any = None) -> dict[str, Any]:
        d = protocol.reply_digest(chain, "catalogue", args, height, res)
        return {"result": res, "signed": {"validator": i, "height": height,
                                          "sig": (key or keys[i]).sign(d)}}

    assert agreed(chain, publics, "catalogue", args, {0: reply(0), 2: reply(2, height=8)},
                  2) == (True, result)
    lies = {1: reply(1, {"items": []}), 3: reply(3, {"items": [9]})}
    assert not agreed(chain, publics, "catalogue", args, {0: reply(0), **lies}, 2)[0]
    forged = {0: reply(0), 1: reply(1, key=keys[0])}  # validator 1's name, 0's key
    assert not agreed(chain, publics, "catalogue", args, forged, 2)[0]
    posed = {0: reply(0), 1: {**reply(0), "signed": {**reply(0)["signed"], "validator": 1}}}
    assert not agreed(chain, publics, "catalogue", args, posed, 2)[0]
    other_query = {0: reply(0), 1: reply(1)}
    assert not agreed(chain, publics, "catalogue", {"merchant": "M002"}, other_query, 2)[0]
    assert not agreed(chain, publics, "catalogue", args, {0: reply(0)}, 2)[0]  # one alone
    junk = {0: {"result": result}, 1: {"signed": "x"}, 2: {**reply(2), "result": "other"}}
    assert not agreed(chain, publics, "catalogue", args, junk, 2)[0]
    unsigned = crypto.generate()
    assert not agreed(chain, publics, "catalogue", args,
                      {0: reply(0), 1: reply(1, key=unsigned)}, 2)[0]


def test_f_plus_1_refusals_are_the_answer(cons: Any, tmp_path: Path) -> None:
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]
    light = LightNode(cons, "terminal-M001-T01", tmp_path / "till")

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        await light.start()
        await asyncio.wait_for(light.connected.wait(), 20)
        with pytest.raises(Refused, match="for the regulator"):
            await light.ask("compliance", {})
        # a validator that hangs (stopped, or a database stuck) is not waited for
        import time as clock

        real = nodes[3].endpoint._signed_query

        def hang(*a: Any) -> Any:
            clock.sleep(2.5)  # not a wait: validator 3's database thread, stuck
            return real(*a)

        nodes[3].endpoint._signed_query = hang  # type: ignore[method-assign]
        t = clock.monotonic()
        assert (await light.ask("catalogue", {}))["merchant"] == "M001"
        assert clock.monotonic() - t < 1.5
        nodes[1].signer = None  # validators that do not sign: their answers count for none
        nodes[2].signer = None
        nodes[3].signer = None
        with pytest.raises(ClientError, match="do not agree"):
            await light.ask("catalogue", {})
        await light.stop()

    run_nodes(nodes, scenario)


def test_a_till_folder_keeps_no_copy_of_the_ledger(cons: Any, tmp_path: Path) -> None:
    """A till folder from before light nodes holds a full copy: it goes at start."""
    folder = tmp_path / "till"
    folder.mkdir()
    for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
        (folder / name).write_bytes(b"other merchants' sales")
    light = LightNode(cons, "terminal-M001-T01", folder)
    light._open()
    assert not any((folder / n).exists() for n in ("ledger.db", "ledger.db-wal",
                                                   "ledger.db-shm"))
    assert light.height == 0 and light.head_hash == genesis_block_hash(cons)
    assert light.conn is not None
    light.conn.close()
    light.db.shutdown()


def test_a_validator_serving_forged_headers_is_left_for_an_honest_one(
        cons: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from node import light as light_module

    monkeypatch.setattr(light_module, "KEEP_HEADERS", 2)  # and old headers are dropped
    nodes = [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]
    light = LightNode(cons, "terminal-M001-T01", tmp_path / "till")

    async def scenario() -> None:
        from tests.support.nodes import commit_blocks

        for n in nodes:
            await n.start()
        real = nodes[0].endpoint._query

        def forging(role: Any, request: Any) -> Any:  # validator 0 alters every state root
            out = real(role, request)
            if request.name == "headers":
                out = [[h, codec.encode({**codec.decode(t.encode()), "state_root": "ab" * 32}
                                        ).decode(), c, a] for h, t, c, a in out]
            return out

        nodes[0].endpoint._query = forging  # type: ignore[method-assign]
        await commit_blocks(nodes, 3, 2)
        await light.start()
        await until(lambda: light.height >= nodes[1].height and light.upstream != 0, 20,
                    "the light node to follow an honest validator")
        h = light.height
        assert light.head_hash == await nodes[1].on_db(lambda: nodes[1].store.block(h).hash)
        assert light.rejected_blocks >= 1
        kept = await light.on_db(lambda: light.conn.execute(  # type: ignore[union-attr]
            "SELECT MIN(height), COUNT(*) FROM headers").fetchone())
        assert kept == (h - 1, 2)
        await light.stop()

    run_nodes(nodes, scenario)
