"""The GUI tests' world: four in-process validators over TLS on loopback and the four
windows, each on its own observer node, on one asyncio loop that pumps Qt; and the
helpers that drive the windows as a user would."""


from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from app.consortium import init
from app.runner import free_ports
from app.session import Session
from node.config import Settings
from node.service import Node
from tests.support.waiting import Timeout, until
from ui.common import RecordModel
from ui.main import make_window
from ui.shell import Languages, load_fonts

ROOT = Path(__file__).resolve().parent.parent.parent


PASS = "gui-test-passphrase"


class Env:
    def __init__(self, loop: Any, cons: Any, nodes: list[Node], sessions: dict[str, Session],
                 languages: Languages) -> None:
        self.loop, self.cons, self.nodes, self.sessions = loop, cons, nodes, sessions
        self.languages = languages
        self.windows: dict[str, Any] = {}

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    async def wait(self, cond: Callable[[], Any], timeout: float = 30,
                   what: str | Callable[[], str] = "") -> None:
        try:
            await until(cond, timeout)
        except Timeout:
            raise AssertionError(
                f"timed out waiting for {what() if callable(what) else what}") from None

    def height(self) -> int:
        """The chain's height as the validators have it (observers may trail a block)."""
        return max(int(n.height) for n in self.nodes)

    async def settle_notice(self, notice: Any, what: str) -> str:
        await self.wait(lambda: notice.kind in ("ok", "error"), what=what)
        return str(notice.kind)


def gui_world(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The validators, sessions and windows of one test module (its ``env`` fixture)."""
    load_fonts(qapp)
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)  # window sizes and documents: not the user's
    # A plain asyncio loop that pumps Qt events while it runs.  (The app itself runs on
    # qasync, as `make demo` and bench/gui_responsiveness.py do; here pytest-qt processes
    # Qt events between tests, when no asyncio loop is running, and qasync would then step
    # the nodes' tasks outside a running loop.)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    home = tmp_path_factory.mktemp("gui") / "cons"
    hosts = ",".join(f"127.0.0.1:{p}" for p in free_ports(4))
    cons = init(home, PASS, hosts=hosts, genesis_time=int(time.time() * 1000) - 60_000,
                kdf_n=2**10)
    nodes = [Node(cons, f"validator-{i}", home / "nodes" / f"validator-{i}",
                  Settings()) for i in range(4)]
    who = ["clerk-EHB-1", "clerk-JRB-1", "terminal-M001-T01", "regulator-1", "clearing-1"]
    sessions = {w: Session(cons, w) for w in who}
    qapp.setQuitOnLastWindowClosed(False)  # the fixture closes the windows, not the app
    languages = Languages(qapp)
    languages.use("en")
    e = Env(loop, cons, nodes, sessions, languages)

    async def pump() -> None:
        while True:
            qapp.processEvents()
            await asyncio.sleep(0.004)  # not a wait: Qt's events pumped between turns

    pumping = loop.create_task(pump())

    async def up() -> None:
        for n in nodes:
            await n.start()
        for s in sessions.values():
            await s.start()
        for s in sessions.values():
            await s.wait_synced()

        for name in ("clerk-EHB-1", "terminal-M001-T01", "regulator-1", "clearing-1"):
            kw = {"card_dir": home / "cards"} if name.startswith("terminal") else {}
            w = make_window(sessions[name], languages, **kw)
            w.resize(1280, 800)
            w.show()
            w.start()
            e.windows[name] = w

    e.run(up())
    yield e
    async def down() -> None:
        for w in e.windows.values():
            w.close()
        for s in sessions.values():
            await s.stop()
        for n in nodes:
            await n.stop()

    e.run(down())
    pumping.cancel()
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    asyncio.set_event_loop(None)


def click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown_cells(model: RecordModel, keys: tuple[str, ...]) -> list[str]:
    """What the view shows in these columns, every row."""
    cols = [i for i, c in enumerate(model.columns) if c.key in keys]
    return [str(model.data(model.index(r, c))) for r in range(model.rowCount()) for c in cols]


def at_done(notice: Any, look: Any) -> list[Any]:
    """What ``look()`` returns at the moment the form says "done": a screen shows the change
    before it says so (a reload after the message would leave the old figures up)."""
    seen: list[Any] = []
    real = notice.ok

    def ok(text: str) -> None:
        seen.append(look())
        real(text)

    notice.ok = ok
    return seen


def check_models(qtmodeltester: Any, window: Any) -> int:
    models = window.findChildren(RecordModel)
    for m in models:
        qtmodeltester.check(m, force_py=True)
    return len(models)


async def read_card(env: Env, qtbot: Any, pos: Any, path: Any, pin: str) -> None:
    """The cashier reads the card: its file and PIN, until its state shows."""
    pos.card_path.setText(str(path))
    pos.pin.setText(pin)
    pos.card_state = None
    click(qtbot, pos.read_btn)
    await env.wait(lambda: getattr(pos, "card_state", None) is not None, what="card read")


async def new_card_file(env: Env, deposit: int, holder: str | None = None,
                        bank: str = "EHB") -> tuple[str, str, Path]:
    """A card the bank's clerk issued (named when ``holder`` is given), its card file
    written beside the others."""
    from app.flows import new_card

    s = env.sessions[f"clerk-{bank}-1"]
    made = new_card(env.cons, bank, s.now(), deposit=deposit, holder=holder,
                    id_number="110105199001011234" if holder else None)
    r = await s.submit(s.make("issue_card", made.body))
    assert r.ok, r
    path = env.cons.home / "cards" / f"{made.card.card}.card.json"
    path.parent.mkdir(exist_ok=True)
    made.card.save(path)
    await env.wait(lambda: env.sessions["terminal-M001-T01"].node.height >= r.height,
                   what="the till's node has the card")
    return made.card.card, made.pin, path


async def sell(env: Env, qtbot: Any, pos: Any, card: tuple[str, str, Path], sku: str) -> str:
    """Read the card, put one item in the basket, press Pay; the notice's kind."""
    _number, pin, path = card
    pos.new_sale()
    await read_card(env, qtbot, pos, path, pin)
    pos.add(sku)
    await env.wait(lambda: pos.offer is not None, what="offer")
    pos.notice.clear()
    click(qtbot, pos.pay_btn)
    return await env.settle_notice(pos.notice, f"paying for {sku}")


async def topped_up_card(env: Env, deposit: int = 50_000, top_up: int = 20_000) \
        -> tuple[str, str, Path]:
    """A named card of a test's own: issued by the EHB clerk, then topped up."""
    card = await new_card_file(env, deposit, holder="Liu Yang 刘洋")
    s = env.sessions["clerk-EHB-1"]
    r = await s.submit(s.make("top_up", {"card": card[0], "amount": top_up}))
    assert r.ok, r
    return card


async def a_payment(env: Env, qtbot: Any) -> str:
    """A sale of a test's own at M001's till window (journaled like any), with a fresh
    card, seen by every window's node: its id."""
    pos = env.windows["terminal-M001-T01"]
    card = await new_card_file(env, 100_000)
    assert await sell(env, qtbot, pos, card, "TEA-250") == "ok", pos.notice.text()
    from app.model import Tx

    tx_id = Tx.decode(pos.last_receipt["tx"].encode()).hex_id
    pos.new_sale()
    height = env.height()
    await env.wait(lambda: all(s.node.height >= height for s in env.sessions.values()),
                   what="every window's node has the payment")
    return tx_id
