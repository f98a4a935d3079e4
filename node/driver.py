"""What a replica's step asks for, grouped, and the one driver that carries it out.

A step's actions come as a `Ready` (after etcd raft's): what to persist, the messages to
send, the timers to set or cancel, the blocks to execute, the state to fetch and the result
certificates to store. The runtime makes `persist` durable first (a validator writes it in
one SQLite transaction on its database thread; the simulator keeps it in a dict), then
hands the rest to `Driver.carry_out`, which turns each action into a call on the runtime's
`Ports`: the network, the clock, the executor, the store. The validator (service.py) and the
simulator (tests/support/sim.py) both run this driver; only their ports differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from node.consensus.messages import Msg
from node.consensus.types import (
    Action,
    Broadcast,
    CancelTimer,
    Certified,
    Event,
    Execute,
    FetchState,
    Persist,
    Send,
    SetTimer,
)


@dataclass(frozen=True)
class Ready:
    persist: tuple[Persist, ...] = ()
    messages: tuple[Send | Broadcast, ...] = ()
    timers: tuple[SetTimer | CancelTimer, ...] = ()
    execute: tuple[Execute, ...] = ()
    fetch: tuple[FetchState, ...] = ()
    certified: tuple[Certified, ...] = ()


def ready(actions: Sequence[Action]) -> Ready:
    """A step's actions grouped by kind, each group in the order the replica gave it."""
    persist: list[Persist] = []
    messages: list[Send | Broadcast] = []
    timers: list[SetTimer | CancelTimer] = []
    execute: list[Execute] = []
    fetch: list[FetchState] = []
    certified: list[Certified] = []
    for a in actions:
        if isinstance(a, Persist):
            persist.append(a)
        elif isinstance(a, Send | Broadcast):
            messages.append(a)
        elif isinstance(a, SetTimer | CancelTimer):
            timers.append(a)
        elif isinstance(a, Execute):
            execute.append(a)
        elif isinstance(a, FetchState):
            fetch.append(a)
        elif isinstance(a, Certified):
            certified.append(a)
        else:  # an action the driver does not know is a bug in the replica
            raise TypeError(f"unknown action {a!r}")
    return Ready(tuple(persist), tuple(messages), tuple(timers), tuple(execute),
                 tuple(fetch), tuple(certified))


class Ports(Protocol):
    """What a runtime gives the driver: its network, its timers, its executor, its store."""

    def send(self, to: int, msg: Msg) -> None: ...

    def broadcast(self, msg: Msg) -> None: ...

    def arm(self, name: str, at: int) -> None:
        """Step ``TimerFired(name)`` at ``at`` (ms), replacing an earlier one of the name."""

    def disarm(self, name: str) -> None: ...

    def execute(self, a: Execute) -> Event | None:
        """Execute the block (now, or queued in order); an ``Executed`` to step at once, if
        it was executed now."""

    def fetch(self, a: FetchState) -> None: ...

    def certified(self, a: Certified) -> None: ...


class Driver:
    def __init__(self, ports: Ports,
                 on_error: Callable[[Action, Exception], None] | None = None) -> None:
        """``on_error``: an action that fails is handed to it and the step's other actions
        are still carried out (a validator logs it); without it the failure propagates
        (the simulator's checks raise)."""
        self.ports = ports
        self.on_error = on_error

    def carry_out(self, r: Ready) -> list[Event]:
        """Everything of ``r`` but ``persist``, which the runtime made durable before: the
        messages in order, then the timers, the executions, the fetches and the result
        certificates. Returns the events a port produced at once (a block executed
        synchronously) for the runtime to step next."""
        p = self.ports
        follow: list[Event] = []
        groups: tuple[tuple[tuple[Any, ...], Callable[[Any], Event | None]], ...] = (
            (r.messages, self._message), (r.timers, self._timer), (r.execute, p.execute),
            (r.fetch, p.fetch), (r.certified, p.certified))
        for actions, handle in groups:  # (``ready`` sorted them: no kind is asked again)
            for a in actions:
                try:
                    ev = handle(a)
                except Exception as exc:
                    if self.on_error is None:
                        raise
                    self.on_error(a, exc)
                    continue
                if ev is not None:
                    follow.append(ev)
        return follow

    def _message(self, a: Send | Broadcast) -> None:
        if isinstance(a, Send):
            self.ports.send(a.to, a.msg)
        else:
            self.ports.broadcast(a.msg)

    def _timer(self, a: SetTimer | CancelTimer) -> None:
        if isinstance(a, SetTimer):
            self.ports.arm(a.name, a.at)
        else:
            self.ports.disarm(a.name)
