"""`make demo` for the desktop: a demo consortium, four validator processes, a day of
business on the chain, then three app instances: a bank console, a merchant's POS (an
observer node) and the regulator's window.

With a display the three are separate `cardchain app` processes the user drives.  With no
display the same flows run headless in one process and every screen is written as a PNG
(1280x800) in English and in Chinese.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.consortium import DEMO_PASSPHRASE
from app.demo import Day, run_demo
from app.runner import die_with_parent

APPS = ("clerk-EHB-1", "terminal-M001-T01", "regulator-1")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(out: Path, *, headless: bool | None = None, langs: tuple[str, ...] = ("en", "zh_CN"),
        say: Callable[[str], None] = print) -> int:
    headless = (not has_display()) if headless is None else headless
    out = Path(out)
    say("Setting up the demo consortium and running a day of business on 4 validators…")
    day = run_demo(out, out=say, cluster=True, keep_running=True)
    say(f"  {len(day.pins)} cards issued, payments, refunds, a lost card, settlements: "
        "on chain.")
    try:
        if not headless and not _open_windows(day, say):
            say("The windows could not open on this display (Qt's xcb plugin needs system "
                "libraries such as libxcb-cursor0); running the flows headless instead.")
            headless = True
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if headless:
            shots = out / "screenshots"
            n = asyncio_run_headless(day, shots, langs, say)
            say(f"No display: ran the flows headless and wrote {n} screenshots to {shots}")
    finally:
        day.backend.close()
        say("Validators stopped.")
    return 0


def _open_windows(day: Day, say: Callable[[str], None]) -> bool:
    """Three `cardchain app` processes; False if none of them could open a window."""
    env = {**os.environ, "CARDCHAIN_PASSPHRASE": DEMO_PASSPHRASE}
    root = Path(__file__).resolve().parent.parent
    procs = []
    for i, who in enumerate(APPS):
        home = day.cons.home / "nodes" / who
        extra = ["--cards", str(day.cards_dir)] if who.startswith("terminal-") else []
        # cascaded, so that each window's title shows even without a window manager
        extra += ["--position", f"{40 + 60 * i},{40 + 60 * i}"]
        procs.append(subprocess.Popen([sys.executable, "-m", "ui.cli", "app", "--home",
                                       str(home), *extra], env=env, cwd=str(root),
                                      preexec_fn=die_with_parent))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(p.poll() is None for p in procs):
        time.sleep(0.1)
    if all(p.poll() not in (None, 0) for p in procs):
        return False  # every one failed at once: no usable display
    pins = ", ".join(f"{n[:6]}…{n[-4:]}" for n in day.pins)
    say("Opened the bank console, the POS and the regulator's window; close them to stop.")
    say(f"Demo card files are in {day.cards_dir} ({pins}); their PINs are sealed in "
        "keys/demo-pins.json (demo passphrase in the README).")
    try:
        for p in procs:
            p.wait()
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()
    return True


def asyncio_run_headless(day: Day, shots: Path, langs: tuple[str, ...],
                         say: Callable[[str], None]) -> int:
    import qasync

    from ui.main import qt_app

    app = qt_app()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    driver = Driver(day, shots, say)
    with loop:
        return int(loop.run_until_complete(driver.run(app, langs)))


async def until(cond: Callable[[], Any], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo step timed out: {what}")
        await asyncio.sleep(0.05)


async def settled(notice: Any, what: str) -> None:
    """Wait for a form's inline message; a demo step that fails stops the demo loudly."""
    await until(lambda: notice.kind in ("ok", "error"), what=what)
    if notice.kind == "error":
        raise RuntimeError(f"demo step failed ({what}): {notice.text()}")


class Driver:
    """Drives the three windows through the day's flows like a user would."""

    def __init__(self, day: Day, shots: Path, say: Callable[[str], None]) -> None:
        self.day, self.shots, self.say = day, shots, say
        self.count = 0

    async def run(self, app: Any, langs: tuple[str, ...]) -> int:
        from app.session import Session
        from ui import palette
        from ui.main import make_window
        from ui.shell import Languages

        app.setQuitOnLastWindowClosed(False)  # closing the windows at the end is not a quit
        palette.use(app, "light")  # the same screenshots whatever this machine chose
        languages = Languages(app)
        languages.use(langs[0])
        # (JRB's console too: JRB takes some acts from two clerks, its Approvals tab)
        sessions = [Session(self.day.cons, who) for who in (*APPS, "clerk-JRB-1")]
        for s in sessions:
            await s.start()
        try:
            for s in sessions:
                await s.wait_synced()
            console = make_window(sessions[0], languages)
            pos = make_window(sessions[1], languages, card_dir=self.day.cards_dir)
            reg = make_window(sessions[2], languages)
            self.jrb = make_window(sessions[3], languages)
            for w in (console, pos, reg, self.jrb):
                w.resize(1280, 800)
                w.show()
                w.start()
            await asyncio.sleep(1.0)
            await self.business(console, pos, reg)
            for lang in langs:
                languages.use(lang)
                await asyncio.sleep(0.3)
                await self.tour(lang, console, pos, reg)
            palette.use(app, "dark")  # every screen once more in the dark palette
            languages.use(langs[0])
            await asyncio.sleep(0.3)
            await self.tour("dark", console, pos, reg)
            palette.use(app, "light")
            for w in (console, pos, reg, self.jrb):
                w.close()
        finally:
            for s in sessions:
                await s.stop()
        return self.count

    async def business(self, console: Any, pos: Any, reg: Any) -> None:
        # the clerk issues a named card with an opening deposit and tops it up
        cards = console.cards
        await until(lambda: cards.model.rowCount() > 0, what="cards listed")
        cards.holder.setText("Liu Yang 刘洋")
        cards.id_number.setText("110105199001011232")
        cards.phone.setText("13600136000")
        cards.deposit.setText("500")
        cards.issue()
        await until(lambda: cards.last_issued is not None, what="card issued")
        await until(lambda: cards.model.rowCount() > 0 and
                    cards.model.rows[0]["card"] == cards.last_issued[0], what="card listed")
        cards.view.selectRow(0)
        cards.amount.setText("200")
        cards.topup_pay.method.setCurrentIndex(cards.topup_pay.method.findData("debit_card"))
        cards.notice.clear()
        cards.top_up()
        await settled(cards.notice, "top-up")
        sales = console.sales  # a company's gift cards, paid by bank transfer
        sales.count.setValue(3)
        sales.value.setText("500")
        sales.payment.payer.setCurrentIndex(sales.payment.payer.findData("organisation"))
        sales.payment.method.setCurrentIndex(sales.payment.method.findData("transfer"))
        sales.payment.reference.setText("TRF-ACME-0001")
        sales.sell()
        await settled(sales.notice, "card sale")
        points = console.points  # EHB's own choice of goods at a Lotus till
        await until(lambda: points.terminal.count() > 0, what="terminals")
        points.terminal.setCurrentIndex(points.terminal.findData("M001-T02"))
        points.own.setChecked(True)
        points.rule_cap.setText("30")
        points.send_rule()  # asked first, with a reason that goes on chain
        points.confirm_dialog.reason.setText("tea and milk at Lotus")
        points.confirm_dialog.accept()
        await settled(points.notice, "terminal rule")
        console.custody.amount.setText("1500")
        console.custody.attest()
        await settled(console.custody.notice, "custody attestation")
        self.say("  console: issued a named card, topped it up, sold three gift cards, set a "
                 "terminal rule, attested the custody deposit")
        # the cashier sells a basket paid partly with points from both banks
        replacement = next(n for n, label in self.day.names.items() if "replacement" in label)
        await until(lambda: bool(pos.catalogue), what="catalogue")
        pos.day.shift.name.setText("Li Na 李娜")  # the cashier signs in for her shift
        pos.day.shift.sign_in()
        for sku in ("TEA-250", "MOON-BOX", "MILK-12"):
            pos.add(sku)
        card_file = self.day.cards_dir / f"{replacement}.card.json"
        with contextlib.suppress(ValueError):  # shown on screen: no absolute machine path
            card_file = card_file.relative_to(Path.cwd())
        pos.card_path.setText(str(card_file))
        pos.pin.setText(self.day.pins[replacement])
        pos.read_card()
        await until(lambda: pos.offer is not None, what="points offer")
        await self.shot(pos, "pos-offer", "en")
        pos.pay()
        await until(pos.pay_btn.isEnabled, what="payment")
        if pos.last_receipt is None:
            raise RuntimeError(f"the demo payment failed: {pos.notice.text()}")
        self.say(f"  POS: {pos.stage.text()}")
        await pos.day.run_reconcile()
        # the clearing view of the console: the merchant's statement, exported
        clearing = console.clearing
        await until(lambda: clearing.merchant.count() > 0, what="merchants")
        # the day's cycle: settled, paid out, its points settled and the banks netted
        settled_cycle = clearing.cycle.findData(self.day.cycles["M001"])
        if settled_cycle >= 0:
            clearing.cycle.setCurrentIndex(settled_cycle)
        await clearing.load()
        out = self.shots.parent
        await clearing.write("csv", out / "statement-M001.csv")
        await clearing.write("pdf", out / "statement-M001.pdf")
        self.say(f"  console: statement of {clearing.statement['merchant']} exported as CSV "
                 "and PDF")
        # the regulator sees the payment, the cases and runs the audit
        await reg.live.refresh()
        await reg.cases.refresh()
        await reg.charts.refresh()
        cases = reg.cases
        row = next(i for i, c in enumerate(cases.model.rows) if c["rule"] == "balance_cap")
        cases.view.selectRow(row)
        cases.note.setText("Called the issuing bank; the customer was told the limit.")
        cases.decide("acknowledged")
        await settled(cases.notice, "case acknowledged")
        reg.audit.run()
        await until(lambda: reg.audit.report is not None, 120, what="audit")
        self.say(f"  regulator: {reg.audit.result.text()}")

    async def tour(self, folder: str, console: Any, pos: Any, reg: Any) -> None:
        """A screenshot of every tab of the three windows into ``shots/folder``."""
        for w, name, tabs in ((console, "console", console.tabs), (pos, "pos", pos.tabs),
                              (reg, "regulator", reg.tabs)):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                page = tabs.widget(i)
                if hasattr(page, "_tick"):
                    await page.refresh()
                if page is getattr(console, "customers", None):  # one holder's file
                    page.search.setText("Wang Fang")
                    await page.refresh()
                    await asyncio.sleep(0.3)
                if page is getattr(reg, "cases", None) and page.model.rowCount():
                    page.view.selectRow(0)
                await asyncio.sleep(0.15)
                slug = page.objectName() or page.__class__.__name__.replace("Tab", "").lower()
                await self.shot(w, f"{name}-{i + 1}-{slug}", folder)
        await self.detail_shot(reg, folder)
        await self.display_shot(pos, folder)
        jrb = self.jrb  # the second bank's approvals (four eyes)
        jrb.tabs.setCurrentWidget(jrb.approvals)
        await jrb.approvals.refresh()
        if jrb.approvals.model.rowCount():
            jrb.approvals.view.selectRow(0)
        await self.shot(jrb, "console-jrb-approvals", folder)

    async def display_shot(self, pos: Any, folder: str) -> None:
        """The customer-facing display, with a basket on it."""
        pos.new_sale()
        pos.display_action.setChecked(True)
        for sku in ("TEA-250", "MOON-BOX"):
            pos.add(sku)
        await asyncio.sleep(0.1)
        await self.shot(pos.display, "pos-5-customer-display", folder, size=(800, 600))
        pos.display_action.setChecked(False)
        pos.new_sale()

    async def detail_shot(self, reg: Any, folder: str) -> None:
        """A payment in full, its receipt verified in place (the regulator's detail)."""
        pays = [r for r in reg.live.txs.rows if r.get("kind") == "pay" and r["code"] == "ok"]
        if not pays:
            return
        dlg = reg.live.open(str(pays[0]["id"]))
        await until(lambda: dlg.verified is not None, 20, "the transaction's receipt")
        await self.shot(dlg, "regulator-6-transaction", folder, size=(760, 640))
        dlg.close()

    async def shot(self, window: Any, name: str, folder_name: str,
                   before: Callable[[], Awaitable[None]] | None = None,
                   size: tuple[int, int] = (1280, 800)) -> None:
        if before:
            await before()
        folder = self.shots / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        window.resize(*size)
        await asyncio.sleep(0.05)
        window.grab().save(str(folder / f"{name}.png"))
        self.count += 1


__all__ = ["has_display", "run"]
