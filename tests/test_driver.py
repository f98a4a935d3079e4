"""The driver both runtimes carry a replica's steps out with (node/driver.py)."""

from __future__ import annotations

from typing import Any

import pytest

from node.consensus.messages import Prepare
from node.consensus.types import (
    Broadcast,
    CancelTimer,
    Event,
    Execute,
    Executed,
    Persist,
    Send,
    SetTimer,
)
from node.driver import Driver, ready


class Ports:
    def __init__(self, fail: str = "") -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail = fail

    def _log(self, name: str, arg: Any) -> None:
        if name == self.fail:
            raise RuntimeError(f"{name} failed")
        self.calls.append((name, arg))

    def send(self, to: int, msg: Any) -> None:
        self._log("send", to)

    def broadcast(self, msg: Any) -> None:
        self._log("broadcast", msg.view)

    def arm(self, name: str, at: int) -> None:
        self._log("arm", name)

    def disarm(self, name: str) -> None:
        self._log("disarm", name)

    def execute(self, a: Execute) -> Event | None:
        self._log("execute", a.seq)
        return Executed(a.seq, "", ())

    def fetch(self, a: Any) -> None:
        self._log("fetch", a)

    def certified(self, a: Any) -> None:
        self._log("certified", a)


def _step() -> list[Any]:
    p = Prepare(0, "", 7, 1, "ab" * 32)
    return [SetTimer("request", 5), Send(2, p), Persist("vote:7:1", "x"),
            Execute(1, 7, 0, (), "ab" * 32, ()), Broadcast(p), CancelTimer("batch")]


def test_a_step_is_grouped_persist_first_and_carried_out_in_order_within_a_kind() -> None:
    r = ready(_step())
    assert [a.key for a in r.persist] == ["vote:7:1"]
    ports = Ports()
    follow = Driver(ports).carry_out(r)
    assert [c[0] for c in ports.calls] == ["send", "broadcast", "arm", "disarm", "execute"]
    assert [type(e) for e in follow] == [Executed]


def test_a_failing_action_is_reported_and_the_rest_still_carried_out() -> None:
    seen: list[str] = []
    ports = Ports(fail="send")
    Driver(ports, lambda a, exc: seen.append(f"{type(a).__name__}: {exc}")).carry_out(
        ready(_step()))
    assert seen == ["Send: send failed"]
    assert [c[0] for c in ports.calls] == ["broadcast", "arm", "disarm", "execute"]
    with pytest.raises(RuntimeError):  # without a handler (the simulator) it propagates
        Driver(Ports(fail="send")).carry_out(ready(_step()))


def test_an_unknown_action_is_a_bug_said_at_once() -> None:
    with pytest.raises(TypeError):
        ready([object()])  # type: ignore[list-item]


def test_a_stop_writes_the_result_certificates_no_block_took() -> None:
    """node/attest_writer.py: certificates wait a moment for the next block's commit; a
    validator stopped meanwhile writes them at once instead of losing them."""
    import asyncio

    from node.attest_writer import AttestWriter

    written: list[list[tuple[int, str]]] = []
    stored: list[list[tuple[int, str]]] = []

    class Store:
        def set_attest(self, items: list[tuple[int, str]]) -> None:
            written.append(items)

    async def on_db(fn: Any, *args: Any) -> Any:
        return fn(*args)

    async def run() -> None:
        w = AttestWriter(on_db, Store, stored.append)
        w.save([(7, "a7"), (8, "a8")])
        await w.stop()  # before its flush: nothing may be lost
        assert w.take() == []

    asyncio.run(run())
    assert written == [[(7, "a7"), (8, "a8")]]
