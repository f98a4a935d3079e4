"""Overload seen from a client: a busy validator says when to retry, a refusal says that
nothing was done, and an observer (a till's or a clerk's bundled node) retries a busy
validator by itself and tells the person waiting the truth once it gives up."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from node.config import Settings
from node.ledger.tx import Tx
from node.net.client import Busy, Client, ClientError, Refused
from node.observer import BUSY_NOT_SENT, OFFLINE_NOT_SENT, Observer
from node.service import Node
from tests.support.nodes import NODE_PASS, fresh_texts, local_consortium, run_nodes


def four(cons: Any, tmp_path: Path) -> list[Node]:
    return [Node(cons, f"validator-{i}", tmp_path / f"v{i}", Settings()) for i in range(4)]


def test_a_busy_validator_names_when_to_retry_and_a_refusal_says_nothing_was_done(
        tmp_path: Path) -> None:
    cons = local_consortium(tmp_path / "cons", NODE_PASS)
    nodes = four(cons, tmp_path)
    v = cons.genesis.validators[0]
    decided, fresh = fresh_texts(2)  # the second is decided too, after busy answers

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        c = await Client.connect_when_up(cons.home, "regulator-1", cons.keys, v["host"],
                                         v["port"])
        try:
            first = await c.submit(Tx.decode(decided.encode()), wait_ms=10_000)
            st = await c.status()  # what an operator reads of the admission control
            assert (st["admission_bound"], st["retry_pause_ms"]) == (400, 250)
            nodes[0].admission.limit, nodes[0].admission.pause = 150.0, 1.5
            st = await c.status()
            assert (st["admission_bound"], st["retry_pause_ms"]) == (150, 1500)
            nodes[0].admission.pause = 0.25
            nodes[0].busy = nodes[0].admission.refused  # type: ignore[method-assign]
            adm = nodes[0].admission
            real_clock, now = adm.clock, adm.clock()
            adm.clock = lambda: now  # the pause is not rescaled meanwhile (see health.py)
            nodes[0].admission.wait = 1.3  # the last block's requests waited 1.3 s
            with pytest.raises(Busy) as busy:
                await c.submit(Tx.decode(fresh.encode()), retry_busy=False)
            assert busy.value.retry_after_ms == 1300
            nodes[0].admission.wait = 0.01  # never sooner than a quarter of a second
            t0 = time.monotonic()
            with pytest.raises(Busy) as busy:  # asked again within the wait, then told
                await c.submit(Tx.decode(fresh.encode()), wait_ms=1_000)
            assert busy.value.retry_after_ms == 250 and time.monotonic() - t0 < 1.5
            adm.clock = real_clock
            refusals = [2]

            def busy_twice() -> int | None:
                refusals[0] -= 1
                return nodes[0].admission.refused() if refusals[0] >= 0 else None

            nodes[0].busy = busy_twice  # type: ignore[method-assign]
            assert (await c.submit(Tx.decode(fresh.encode()), wait_ms=10_000))["height"] is not None
            assert refusals[0] < 0  # asked three times
            nodes[0].busy = nodes[0].admission.refused  # type: ignore[method-assign]
            # busy or not, a decided transaction's retry gets its receipt: the id the
            # busy path computes from the text is the one stored
            again = await c.submit(Tx.decode(decided.encode()))
            assert again == first and again["height"] is not None
            nodes[0].busy = lambda: None  # type: ignore[method-assign]
            with pytest.raises(Refused, match="JSON object") as refused:
                await c.call("submit", tx=42)
            assert not isinstance(refused.value, Busy)
        finally:
            await c.close()

    run_nodes(nodes, scenario, timeout=60)


def test_an_observer_retries_a_busy_validator_and_tells_what_became_of_a_request(
        tmp_path: Path) -> None:
    cons = local_consortium(tmp_path / "cons", NODE_PASS)
    nodes = four(cons, tmp_path)
    obs = Observer(cons, "regulator-1", tmp_path / "obs")
    texts = fresh_texts(5)

    async def scenario() -> None:
        for n in nodes:
            await n.start()
        await obs.start()
        try:
            await asyncio.wait_for(obs.connected.wait(), 20)
            v = nodes[obs.upstream]
            real_busy, real_submit = v.busy, v.endpoint.submit

            # busy twice, then free: the request is decided, the waiter saw both pauses
            refusals = [2]

            def busy_twice() -> int | None:
                refusals[0] -= 1
                return v.admission.refused() if refusals[0] >= 0 else real_busy()

            v.busy = busy_twice  # type: ignore[method-assign]
            stages: list[dict[str, Any]] = []
            receipt = await obs.endpoint.submit(texts[0], 20_000, stages.append)
            assert receipt["height"] is not None
            busy = [s for s in stages if s["stage"] == "busy"]
            assert len(busy) == 2 and all(125 <= s["retry_in_ms"] <= 375 for s in busy)
            assert stages[-1]["stage"] == "ordered"

            # busy for good: the waiter hears that nothing was ordered before its wait ends
            v.busy = v.admission.refused  # type: ignore[method-assign]
            t0 = time.monotonic()
            with pytest.raises(Refused) as err:
                await obs.endpoint.submit(texts[1], 2_000)
            assert str(err.value) == BUSY_NOT_SENT and time.monotonic() - t0 < 2.0

            # a refusal reaches the waiter at once, word for word
            async def refusing(text: Any, wait_ms: int, progress: Any = None) -> Any:
                raise Refused("another transaction with this id was already "
                                            "decided")

            v.endpoint.submit = refusing  # type: ignore[method-assign]
            t0 = time.monotonic()
            with pytest.raises(Refused, match="already decided"):
                await obs.endpoint.submit(texts[2], 10_000)
            assert time.monotonic() - t0 < 5.0

            # an attempt whose outcome is unknown (no decision in time), then busy: it may
            # still be decided, so the waiter is not told "not ordered" but runs out of time
            calls = [0]

            async def undecided_then_busy(text: Any, wait_ms: int,
                                          progress: Any = None) -> Any:
                calls[0] += 1
                if calls[0] == 1:
                    raise TimeoutError
                raise Busy(250)

            v.endpoint.submit = undecided_then_busy  # type: ignore[method-assign]
            with pytest.raises(TimeoutError):
                await obs.endpoint.submit(texts[3], 2_000)
            assert calls[0] >= 2
            v.busy, v.endpoint.submit = real_busy, real_submit  # type: ignore[method-assign]

            # no validator to send it to for the whole wait: said so, not "may be decided"
            obs.connected.clear()
            try:
                with pytest.raises(Refused) as err:
                    await obs.endpoint.submit(texts[4], 1_000)
                assert str(err.value) == OFFLINE_NOT_SENT
            finally:
                obs.connected.set()
        finally:
            await obs.stop()

    run_nodes(nodes, scenario, timeout=90)


def test_a_client_reads_a_timeout_or_an_internal_error_as_no_refusal() -> None:
    """Only a reply marked "refused" says the node did nothing: "not decided in time" and
    "internal error" leave a submission's outcome open (a plain ClientError)."""
    class Writer:  # answers every request at once with one reply
        def __init__(self, client: Client, reply: dict[str, Any]) -> None:
            self.client, self.reply = client, reply

        def write(self, data: bytes) -> None:
            waiting = self.client._waiting
            waiting[max(waiting)].set_result(self.reply)

        async def drain(self) -> None:
            return None

        def is_closing(self) -> bool:
            return False

    async def run() -> None:
        for reply, kind in (({"ok": False, "error": "not decided in time"}, ClientError),
                            ({"ok": False, "error": "internal error (logged)"}, ClientError),
                            ({"ok": False, "error": "x", "refused": True}, Refused),
                            ({"ok": False, "error": "busy", "refused": True, "busy": True,
                              "retry_after_ms": 700}, Busy)):
            c = Client(Path("."), "regulator-1", None)  # type: ignore[arg-type]
            c._writer = Writer(c, reply)  # type: ignore[assignment]
            with pytest.raises(ClientError) as err:
                await c.call("submit", tx="t")
            assert type(err.value) is kind
            if kind is Busy:
                assert err.value.retry_after_ms == 700  # type: ignore[attr-defined]

    asyncio.run(run())

