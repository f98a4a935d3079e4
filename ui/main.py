"""`cardchain app`: one window on top of its bundled node, sharing one asyncio loop (qasync).

The window is chosen by the identity's role: a terminal gets the point of sale, a bank
clerk or the clearing house the console, the regulator the regulator's window.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from app.consortium import Consortium
from app.session import Session, SessionError
from ui import palette
from ui.shell import Languages, Window, install_excepthook, load_fonts, route_qt_messages

log = logging.getLogger("cardchain.ui")


def identity_of(node_home: Path) -> str:
    cfg = node_home / "node.json"
    try:
        return str(json.loads(cfg.read_text("utf-8"))["identity"])
    except (OSError, ValueError, KeyError) as exc:
        raise SessionError(f"{node_home} is not a node folder (no readable node.json)") from exc


def locate(home: Path, identity: str | None) -> tuple[Path, str]:
    """(consortium folder, identity) from either a node folder or a consortium folder
    with ``--as``."""
    home = Path(home)
    if (home / "node.json").exists():
        return home.parent.parent, identity or identity_of(home)
    if (home / "genesis.json").exists():
        if not identity:
            raise SessionError("this is a consortium folder: say which identity with --as")
        return home, identity
    raise SessionError(f"{home} is neither a node folder nor a consortium folder")


def make_window(session: Session, languages: Languages, **kw: object) -> Window:
    if session.role == "terminal":
        from ui.pos import PosWindow

        return PosWindow(session, languages, **kw)  # type: ignore[arg-type]
    if session.role in ("clerk", "clearing"):
        from ui.console import ConsoleWindow

        return ConsoleWindow(session, languages)
    from ui.regulator import RegulatorWindow

    return RegulatorWindow(session, languages)


def qt_app() -> object:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CardChain")
    app.setOrganizationName("CardChain")
    load_fonts(app)  # type: ignore[arg-type]
    install_excepthook(app)  # type: ignore[arg-type]
    route_qt_messages()
    return app


class StallMeter:
    """How late the shared event loop runs a 5 ms Qt timer: the longest stall a user (and
    the bundled node) would feel.  Written as JSON by ``--measure``."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.gc_ms: list[float] = []
        self.last = 0

    def start(self) -> None:
        self.clock.start()
        self.last = self.clock.elapsed()
        self.timer.start()
        self.seen: dict[str, int] = {}
        self._tick_wall = time.monotonic()
        main = threading.get_ident()

        def watch() -> None:  # what the window's thread is doing when it is 50 ms late
            while True:
                time.sleep(0.01)
                if time.monotonic() - self._tick_wall > 0.05:
                    frame = sys._current_frames().get(main)
                    if frame is not None:
                        where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
                                           f" {f.name}" for f in
                                           traceback.extract_stack(frame)[-4:][::-1])
                        self.seen[where] = self.seen.get(where, 0) + 1
                    time.sleep(0.04)

        threading.Thread(target=watch, daemon=True, name="stall-watch").start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.gaps.append(max(0.0, now - self.last - 5))
        self.last = now
        self._tick_wall = time.monotonic()

    def report(self) -> dict[str, float]:
        g = sorted(self.gaps) or [0.0]
        return {"max_stall_ms": round(g[-1], 1), "p99_stall_ms": round(g[int(len(g) * .99)], 1),
                "ticks": len(self.gaps), "gc_max_ms": round(max(self.gc_ms, default=0), 1),
                "gc_passes_over_20ms": sum(1 for x in self.gc_ms if x > 20),
                "late_in": sorted(self.seen.items(), key=lambda kv: -kv[1])[:6]}

    def watch_gc(self) -> None:
        t = [0.0]

        def cb(phase: str, _info: dict[str, int]) -> None:
            if phase == "start":
                t[0] = time.perf_counter()
            else:
                self.gc_ms.append((time.perf_counter() - t[0]) * 1000)

        gc.callbacks.append(cb)


def quiet_collector(loop: asyncio.AbstractEventLoop, every_s: float = 600.0) -> None:
    """Keep the garbage collector's full passes from stalling the window.  What exists once
    the window is usable (Qt, the modules, the caught-up chain) is frozen out of every pass;
    automatic full passes are off (young generations are still collected, and plain
    reference counting frees the node's rows); a full pass runs every ``every_s`` seconds,
    after which the survivors are frozen too."""
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000_000)

    def full_pass() -> None:
        gc.collect()
        gc.freeze()
        loop.call_later(every_s, full_pass)

    loop.call_later(every_s, full_pass)


def run_app(home: Path, identity: str | None, passphrase: str, lang: str | None,
            card_dir: Path | None = None, measure: Path | None = None,
            quit_after: float | None = None, position: tuple[int, int] | None = None,
            look: str | None = None) -> int:
    import qasync

    t0 = time.perf_counter()
    # the bundled node executes blocks on its database thread; hand the GIL back to the
    # window's thread sooner than the default 5 ms
    sys.setswitchinterval(0.001)
    app = qt_app()
    palette.use(app, look or palette.saved())  # type: ignore[arg-type]
    app.setQuitOnLastWindowClosed(False)  # main() ends the loop once the node has stopped
    cons_home, who = locate(home, identity)
    cons = Consortium.open(cons_home, passphrase)
    languages = Languages(app)  # type: ignore[arg-type]
    languages.use(lang or Languages.system_choice())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    session = Session(cons, who)
    kw = {"card_dir": card_dir} if session.role == "terminal" and card_dir else {}
    window = make_window(session, languages, **kw)
    if position is not None:
        window.move(*position)
    window.show()
    done = asyncio.Event()
    window.closed.connect(done.set)

    meter = StallMeter() if measure else None

    async def main() -> None:
        await session.start()
        window.start()
        with contextlib.suppress(TimeoutError):
            await session.wait_synced(30)  # usable: the window shows the current chain
        usable = time.perf_counter() - t0
        log.info("window usable %.2f s after launch", usable)
        quiet_collector(loop)
        if meter is not None and measure is not None:
            measure.write_text(json.dumps({"usable_at": time.time(), "usable_s": usable}))
            meter.start()
            meter.watch_gc()
        if quit_after:
            loop.call_later(quit_after, window.close)
        await done.wait()
        if meter is not None and measure is not None:
            measure.write_text(json.dumps({"usable_s": round(usable, 3),
                                           "height": session.status()["height"],
                                           **meter.report()}))
        await session.stop()

    with loop:
        loop.run_until_complete(main())
    return 0


__all__ = ["locate", "make_window", "qt_app", "run_app"]
