"""A till in a process of its own, for tests/test_till_crash.py.

``python -m tests.support.till_child CONSORTIUM CARD_FILE PIN STAGE`` opens the POS of
terminal M001-T01 offscreen, reads the card, puts a TEA-250 in the basket and presses Pay,
and kills itself (SIGKILL: no clean-up of any kind) when the payment reaches STAGE:
``signed`` (recorded, not sent), ``sent`` (handed to the network) or
``ordered`` (a validator gave it a sequence number).  ``sent`` kills 20 ms after the
hand-over, so the network may already have decided it.

With STAGE ``resume`` it opens the till, waits until no payment is pending and the sale
screen is unlocked, and prints the recorded payments' outcomes and the stage line as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.support.nodes import until

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    home, card_file, pin, stage = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    from app.consortium import DEMO_PASSPHRASE
    from app.session import Session
    from node.consortium import Consortium
    from ui.main import make_window, qt_app
    from ui.shell import Languages

    app: Any = qt_app()
    session = Session(Consortium.open(home, DEMO_PASSPHRASE), "terminal-M001-T01")
    languages = Languages(app)
    languages.use("en")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def pump() -> None:
        while True:
            app.processEvents()
            await asyncio.sleep(0.005)  # not a wait: Qt's events pumped between turns

    async def run() -> None:
        pumping = asyncio.create_task(pump())
        await session.start()
        await session.wait_synced()
        w: Any = make_window(session, languages)
        w.show()
        w.start()
        await until(lambda: bool(w.catalogue))
        if stage == "resume":
            try:
                await until(lambda: not w.till.pending() and not w.locked())
            except TimeoutError:
                print(json.dumps({"error": "still pending", "stage": w.stage.text(),
                                  "notice": w.notice.text(), "height": session.node.height,
                                  "pending": [e.as_dict() for e in w.till.pending()]}))
                raise
            print(json.dumps({"outcomes": [[o.entry.order, o.state] for o in w.till.recent()],
                              "stage": w.stage.text(), "notice": w.notice.text()}))
        else:
            real = w.till.pay

            async def pay(tx: Any, on_stage: Any = None) -> Any:
                def watch(name: str, details: dict[str, Any]) -> None:
                    if on_stage is not None:
                        on_stage(name, details)
                    if name == stage == "sent":
                        loop.call_later(0.02, os.kill, os.getpid(), signal.SIGKILL)
                    elif name == stage:
                        os.kill(os.getpid(), signal.SIGKILL)

                return await real(tx, watch)

            w.till.pay = pay
            w.card_path.setText(card_file)
            w.pin.setText(pin)
            w.read_card()
            await until(lambda: getattr(w, "card_state", None) is not None)
            w.add("TEA-250")
            await until(lambda: w.offer is not None)
            w.pay()
            await asyncio.sleep(60)  # not a wait: killed during it; the end is the failure
            print(json.dumps({"error": "not killed", "stage": w.stage.text(),
                              "notice": w.notice.text()}))
        w.close()
        try:
            await asyncio.wait_for(asyncio.shield(session.stop()), 20)
        except TimeoutError:
            import traceback

            for t in asyncio.all_tasks():
                print("TASK", t, file=sys.stderr)
                for f in t.get_stack():
                    traceback.print_stack(f, file=sys.stderr)
            raise
        pumping.cancel()

    # whatever happens, the process ends (a node's threads would hold it open) and says why
    try:
        loop.run_until_complete(asyncio.wait_for(run(), 100))
    except BaseException as exc:
        print(json.dumps({"error": repr(exc), "height": session.node.height,
                          "connected": session.online()}), flush=True)
        os._exit(3)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
