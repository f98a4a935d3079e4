"""The `cardchain` program: the command line of app/cli.py plus the desktop commands
(`app`, `demo`), which only this layer knows."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import cli


def cmd_demo(args: argparse.Namespace) -> int:
    if args.text or args.local:
        from app.demo import run_demo

        run_demo(Path(args.out), cluster=not args.local)
        return 0
    from ui.demo import run

    return run(Path(args.out), headless=True if args.headless else None)


def position_arg(text: str) -> tuple[int, int]:
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y (like 40,60)") from None
    if not (0 <= x <= 20_000 and 0 <= y <= 20_000):
        raise argparse.ArgumentTypeError(f"{text!r} is off any screen")
    return x, y


def cmd_app(args: argparse.Namespace) -> int:
    from app.session import SessionError
    from ui.main import run_app

    try:
        return run_app(Path(args.home), args.identity,
                       cli.read_passphrase(args, confirm=False),
                       args.lang, Path(args.cards) if args.cards else None,
                       Path(args.measure) if args.measure else None, args.quit_after,
                       args.position, args.palette)
    except SessionError as exc:
        raise cli.CliError(str(exc)) from exc


def windows(sub: Any, passphrase_args: Callable[[argparse.ArgumentParser], None]) -> None:
    pd = sub.add_parser("demo", help="a demo consortium, 4 validators, a day of business, "
                                     "then the bank console, a POS and the regulator's window "
                                     "(headless with screenshots when there is no display)")
    pd.add_argument("--out", default="demo-out", help="output folder (default demo-out)")
    pd.add_argument("--headless", action="store_true",
                    help="run the desktop flows without windows and write screenshots")
    pd.add_argument("--text", action="store_true",
                    help="only print the scripted day (no desktop app)")
    pd.add_argument("--local", action="store_true",
                    help="print the day on one in-process ledger instead of a 4-node cluster")
    pd.set_defaults(func=cmd_demo)

    pp = sub.add_parser("app", help="the desktop app for one identity, on its bundled node")
    pp.add_argument("--home", required=True,
                    help="the identity's node folder (DIR/nodes/IDENTITY) or, with --as, the "
                         "consortium folder")
    pp.add_argument("--as", dest="identity", help="identity (with a consortium folder)")
    pp.add_argument("--lang", choices=["en", "zh_CN"], help="language (default: the system's)")
    pp.add_argument("--palette", choices=["system", "light", "dark"],
                    help="colours (default: as last chosen in the View menu, else the "
                         "system's)")
    pp.add_argument("--cards", help="POS: folder the card-file dialog opens in")
    pp.add_argument("--measure", help="write the start-up time and the event loop's longest "
                                      "stall to this JSON file (bench/gui_responsiveness.py)")
    pp.add_argument("--quit-after", type=float, help="close the window after this many "
                                                     "seconds of being usable")
    pp.add_argument("--position", type=position_arg, metavar="X,Y",
                    help="where the window's top-left corner goes on the screen")
    passphrase_args(pp)
    pp.set_defaults(func=cmd_app)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, windows)


if __name__ == "__main__":
    sys.exit(main())
