"""The `cardchain` command line."""

from __future__ import annotations

import argparse
import datetime
import getpass
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.consortium import DEMO_PASSPHRASE, InitError, init
from app.exits import (
    EXIT_INVALID_RECEIPT,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_UNCLEAN,
    EXIT_USAGE,
)
from node.config import ConfigError
from node.crypto import CryptoError
from node.ledger.genesis import Genesis, GenesisError


class CliError(Exception):
    pass


# adds subcommands: (the subparsers, the function that adds the passphrase options)
Windows = Callable[[Any, Callable[[argparse.ArgumentParser], None]], None]


def read_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    if getattr(args, "demo_passphrase", False):
        return DEMO_PASSPHRASE
    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).read_text("utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CliError(f"cannot read passphrase file: {exc.strerror}") from exc
    env = os.environ.get("CARDCHAIN_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise CliError("no passphrase: use --passphrase-file, CARDCHAIN_PASSPHRASE or a terminal")
    first = getpass.getpass("Passphrase for the consortium's keys: ")
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise CliError("the passphrases differ")
    return first


def cmd_init(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args, confirm=True)
    cons = init(Path(args.dir), passphrase, validators=args.validators, hosts=args.hosts,
                genesis_time=args.genesis_time or int(time.time() * 1000))
    g = cons.genesis
    print(f"Consortium {g.chain_id} written to {args.dir}")
    print(f"  genesis hash   {g.hash.hex()}")
    print(f"  validators     {len(g.validators)} (tolerates {(len(g.validators) - 1) // 3} "
          "faulty)")
    for v in g.validators:
        print(f"    {v['id']}: {v['host']}:{v['port']}  {v['org']}")
    print(f"  banks          {', '.join(g.bank_ids)}")
    print(f"  merchants      {', '.join(m['id'] for m in g.merchants)}")
    print(f"  keys           {len(cons.keys.names())} encrypted PKCS#8 files in "
          f"{Path(args.dir) / 'keys'}")
    return 0


def metrics_arg(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (like 127.0.0.1:9464)")
    return text


def cmd_node(args: argparse.Namespace) -> int:
    from app.runner import run_node

    return run_node(Path(args.home), read_passphrase(args, confirm=False), args)


def cmd_cluster(args: argparse.Namespace) -> int:
    from app.runner import run_cluster

    return run_cluster(Path(args.dir), read_passphrase(args, confirm=False), args)


def cmd_status(args: argparse.Namespace) -> int:
    from app.runner import run_status

    return run_status(Path(args.dir), read_passphrase(args, confirm=False), args)


def _passphrase_args(p: argparse.ArgumentParser) -> None:
    pw = p.add_mutually_exclusive_group()
    pw.add_argument("--passphrase-file", help="file whose first line is the passphrase")
    pw.add_argument("--demo-passphrase", action="store_true",
                    help=f"use the documented demo passphrase {DEMO_PASSPHRASE!r}")


def cmd_client(args: argparse.Namespace) -> int:
    from app import client_cli

    return client_cli.main(args, read_passphrase(args, confirm=False))


def cmd_verify_receipt(args: argparse.Namespace) -> int:
    from node.receipt import ReceiptError, parse_text, verify

    try:
        text = Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from exc
    genesis = Genesis.load(Path(args.genesis))
    try:
        out = verify(parse_text(text), genesis)
    except ReceiptError as exc:
        print(exc)  # "invalid: <part>: why"
        return EXIT_INVALID_RECEIPT
    for line in receipt_lines(out):
        print(line)
    return EXIT_OK


def receipt_lines(facts: dict[str, Any]) -> list[str]:
    """What ``verify-receipt`` prints: only the facts ``verify`` checked."""
    out = ["VALID",
           f"  transaction  {facts['tx']} ({facts['kind']})",
           f"  ordered      block {facts['height']}, position {facts['index']}, by the "
           f"COMMITs of validators {facts['ordered_by']}"]
    if facts["result_proved"]:
        when = datetime.datetime.fromtimestamp(facts["time"] / 1000, datetime.UTC)
        message = f" ({facts['message']})" if facts["message"] else ""
        out += [f"  result       {facts['code']}{message}, attested by validators "
                f"{facts['attested_by']}",
                f"  block        {facts['block']}",
                f"  time         {when:%Y-%m-%d %H:%M:%S} UTC",
                f"  state root   {facts['state_root']}"]
    else:
        out.append(f"  result       not proved: {facts['result_note']}")
    return out


def cmd_backup(args: argparse.Namespace) -> int:
    import json

    from app.backup import BackupError, backup

    try:
        print(json.dumps(backup(Path(args.home), Path(args.out)), indent=1))
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    import json

    from app.backup import BackupError, restore

    home = Path(args.home)
    try:
        genesis = Genesis.load(home.parent.parent / "genesis.json")
        print(json.dumps(restore(home, Path(args.backup), genesis), indent=1))
    except (BackupError, OSError) as exc:
        raise CliError(str(exc)) from exc
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import json
    import time

    from node.audit import audit

    home = Path(args.home)
    if not (home / "ledger.db").is_file():
        raise CliError(f"no node ledger in {home}: give a node's folder, like "
                       "CONSORTIUM/nodes/validator-0")
    genesis = Genesis.load(home.parent.parent / "genesis.json")
    started = time.perf_counter()

    def bar(done: int, total: int) -> None:
        width = 40
        filled = width * done // total
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}% "
              f"block {done}/{total}", end="", file=sys.stderr, flush=True)

    report = audit(home / "ledger.db", genesis, progress=bar)
    print(file=sys.stderr)
    summary = {"ok": report.ok, "height": report.height, "transactions": report.transactions,
               "seconds": round(time.perf_counter() - started, 2),
               "first_bad_height": report.first_bad_height,
               "problems": [{"height": h, "problem": p} for h, p in report.problems[:50]]}
    print(json.dumps(summary, indent=1))
    if report.ok:
        print(f"audit passed: {report.height} blocks, {report.transactions} transactions",
              file=sys.stderr)
    else:
        print(f"AUDIT FAILED: first problem at height {report.first_bad_height}: "
              f"{min(report.problems)[1]}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_UNCLEAN


def build_parser(windows: Windows | None = None) -> argparse.ArgumentParser:
    """The command line; ``windows`` adds the desktop commands (ui/cli.py), which this
    layer does not know."""
    p = argparse.ArgumentParser(prog="cardchain", description=(
        "Prepaid cards and bank loyalty points on a permissioned PBFT ledger."))
    sub = p.add_subparsers(dest="command", required=True)

    pi = sub.add_parser("init", help="create a consortium: genesis file and encrypted keys")
    pi.add_argument("dir", help="an empty folder to create the consortium in")
    pi.add_argument("--validators", type=int, default=4, help="3f+1 validators (4, 7, 10...)")
    pi.add_argument("--hosts", help="host:port per validator, comma separated "
                                    "(default: 127.0.0.1 with ports from 7700)")
    pi.add_argument("--genesis-time", type=int, help="genesis time in ms (default: now)")
    pw = pi.add_mutually_exclusive_group()
    pw.add_argument("--passphrase-file", help="file whose first line is the passphrase")
    pw.add_argument("--demo-passphrase", action="store_true",
                    help=f"use the documented demo passphrase {DEMO_PASSPHRASE!r}")
    pi.set_defaults(func=cmd_init)

    pn = sub.add_parser("node", help="run one headless node: a validator, or an observer "
                                     "(any other identity) that follows and verifies the chain")
    pn.add_argument("--home", required=True, help="the node's folder (DIR/nodes/IDENTITY)")
    pn.add_argument("--listen", help="observer: host:port to serve clients on")
    pn.add_argument("--keep-effects-hours", type=float, metavar="H",
                    help="validator: keep the effects of the last H hours of blocks for "
                         "peers that fall behind (default 24; 0 keeps all)")
    pn.add_argument("--metrics", metavar="HOST:PORT", type=metrics_arg,
                    help="validator: serve its metrics in the Prometheus text format at "
                         "http://HOST:PORT/metrics (off by default)")
    pn.add_argument("--log-level", default=os.environ.get("CARDCHAIN_LOG_LEVEL", "INFO"))
    pn.add_argument("--log-file", help="write the log here, rolled over at 10 MiB with five "
                                       "old files kept (default: standard error)")
    _passphrase_args(pn)
    pn.set_defaults(func=cmd_node)

    pc = sub.add_parser("cluster", help="run every local validator of a consortium, "
                                        "each as its own process, until Ctrl-C")
    pc.add_argument("dir")
    _passphrase_args(pc)
    pc.set_defaults(func=cmd_cluster)

    ps = sub.add_parser("status", help="height, view, primary and peers of every validator")
    ps.add_argument("dir")
    ps.add_argument("--as", dest="identity", default="regulator-1",
                    help="identity whose certificate is used (default regulator-1)")
    ps.add_argument("--stages", action="store_true",
                    help="also each validator's latency budget: where a request's time goes")
    _passphrase_args(ps)
    ps.set_defaults(func=cmd_status)

    from app import client_cli

    client_cli.add_parsers(sub, _passphrase_args)
    for name in ("submit", "query", "issue-card", "pay", "settle", "statement", "netting",
                 "reconcile", "receipt", "outbox"):
        sub.choices[name].set_defaults(func=cmd_client, cmd=name)

    pv = sub.add_parser("verify-receipt", help="check a receipt (JSON or CCR1: code) against "
                                               "the genesis file alone")
    pv.add_argument("file")
    pv.add_argument("--genesis", required=True, help="the consortium's genesis.json")
    pv.set_defaults(func=cmd_verify_receipt)

    pb = sub.add_parser("backup", help="copy a node's ledger while it runs (SQLite's online "
                                       "backup: one consistent snapshot)")
    pb.add_argument("--home", required=True, help="the node's folder (DIR/nodes/IDENTITY)")
    pb.add_argument("out", help="the backup file to write (a new file)")
    pb.set_defaults(func=cmd_backup)
    pr = sub.add_parser("restore", help="put a backup in place as a stopped node's ledger, "
                                        "once the full audit passes it")
    pr.add_argument("--home", required=True, help="the node's folder (DIR/nodes/IDENTITY)")
    pr.add_argument("backup", help="the backup file")
    pr.set_defaults(func=cmd_restore)
    pa = sub.add_parser("audit", help="re-verify and re-execute a node's whole chain")
    pa.add_argument("--home", required=True, help="the node's folder (DIR/nodes/IDENTITY)")
    pa.set_defaults(func=cmd_audit)

    if windows is not None:
        windows(sub, _passphrase_args)
    return p


def main(argv: list[str] | None = None, windows: Windows | None = None) -> int:
    args = build_parser(windows).parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the reader stopped reading (`| head`): nothing more to say, and nothing left for
        # the interpreter to flush at exit into the closed pipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except (CliError, InitError, GenesisError, CryptoError, ConfigError) as exc:
        print(f"cardchain: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cardchain: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
