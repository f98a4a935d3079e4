"""Client subcommands: submit any transaction, issue cards, pay, settle, query.

Each runs as one identity of the consortium (``--as``), signs with that identity's key and
talks to a validator over TLS (``--node N``, or the first that answers).  Output is JSON on
stdout so scripts can use it; errors go to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from app.consortium import Consortium
from app.flows import new_card
from app.reconcile import journal_append, read_journal, reconcile
from node import crypto
from node.cardfile import CardFile, CardFileError, valid_pin
from node.ledger.builder import Builder
from node.ledger.cycles import valid_cycle
from node.ledger.errors import Rejected
from node.net.client import Client, ClientError

YEAR_MS = 365 * 86_400_000


class UsageError(Exception):
    pass


def cycle_arg(text: str) -> int:
    """A settlement cycle on the command line: its business day as yyyymmdd."""
    try:
        cycle = int(text)
    except ValueError:
        cycle = 0
    if not valid_cycle(cycle):
        raise argparse.ArgumentTypeError(f"{text!r} is not a cycle: give its day as "
                                         "yyyymmdd, like 20261124")
    return cycle


def parse_fields(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; a value that parses as JSON (numbers, true, lists) is used as
    such, anything else (and any run of 16 or more digits: a card number) is a string.
    ``amount=12.5`` is refused: money is integer fen."""
    out: dict[str, Any] = {}
    for p in pairs:
        key, sep, raw = p.partition("=")
        if not sep or not key:
            raise UsageError(f"expected key=value, got {p!r}")
        try:
            # card numbers and ids stay text even when they are all digits
            value = raw if raw.isdigit() and len(raw) >= 16 else json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, float):
            raise UsageError(f"{key}: decimals are not allowed; give integer fen")
        out[key] = value
    return out


async def connect(cons: Consortium, identity: str, node: int | None) -> Client:
    order = [node] if node is not None else list(range(len(cons.genesis.validators)))
    last: Exception | None = None
    for i in order:
        v = cons.genesis.validators[i]
        c = Client(cons.home, identity, cons.keys)
        try:
            await c.connect(v["host"], v["port"], timeout=3)
            return c
        except (OSError, TimeoutError, ClientError) as exc:
            last = exc
            await c.close()
    raise ClientError(f"no validator answered ({last})")


def _read_pin(args: argparse.Namespace) -> str:
    if getattr(args, "pin_file", None):
        pin = Path(args.pin_file).read_text().strip()
    else:
        import getpass

        pin = getpass.getpass("Card PIN: ")
    if not valid_pin(pin):
        raise UsageError("a PIN is exactly 6 digits")
    return pin


async def run(args: argparse.Namespace, passphrase: str) -> dict[str, Any]:
    cons = Consortium.open(Path(args.dir), passphrase)
    builder = Builder(cons.genesis.chain_id)
    now = int(time.time() * 1000)
    me = cons.key(args.identity)
    client = await connect(cons, args.identity, args.node)
    try:
        if args.cmd == "submit":
            tx = builder.make(args.kind, parse_fields(args.fields), now, me)
            if args.journal:
                journal_append(Path(args.journal), tx, args.identity[len("terminal-"):])
            return await client.submit(tx)
        if args.cmd == "reconcile":
            return await _reconcile(client, args)
        if args.cmd == "query":
            return {"result": await client.query(args.q, **parse_fields(args.fields))}
        if args.cmd == "issue-card":
            return await _issue(cons, client, builder, me, args, now)
        if args.cmd == "pay":
            return await _pay(client, builder, me, args, now)
        if args.cmd == "statement":
            from app.statement_export import to_csv, write_pdf

            s = await client.query("statement", merchant=args.merchant, cycle=args.cycle)
            lines = await client.query("statement_lines", merchant=args.merchant,
                                       cycle=args.cycle)
            if args.csv:
                Path(args.csv).write_text(to_csv(s, lines), "utf-8")
            if args.pdf:
                write_pdf(s, lines, Path(args.pdf))
            return {"statement": s, "lines": len(lines), "csv": args.csv, "pdf": args.pdf}
        if args.cmd == "settle":
            s = await client.query("statement", merchant=args.merchant, cycle=args.cycle)
            keys = ("count", "refund_count", "gross", "refunds", "points", "fee", "net")
            body = {"merchant": args.merchant, "cycle": args.cycle, **{k: s[k] for k in keys}}
            return await client.submit(builder.make("settle", body, now, me))
        raise UsageError(f"unknown command {args.cmd}")
    finally:
        await client.close()


async def _issue(cons: Consortium, client: Client, builder: Builder, me: crypto.SigningKey,
                 args: argparse.Namespace, now: int) -> dict[str, Any]:
    pin = _read_pin(args) if args.pin_file else None
    if args.holder and not args.id_number:
        raise UsageError("a named card needs --id-number (stored only as a salted hash)")
    try:
        made = new_card(cons, args.bank, now, holder=args.holder, id_number=args.id_number,
                        deposit=args.deposit, pin=pin)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    body, card, pin, number = made.body, made.card, made.pin, made.card.card
    receipt = await client.submit(builder.make("issue_card", body, now, me))
    if receipt["code"] == "ok":
        card.save(Path(args.out))
    out = {"receipt": receipt, "card": number, "card_file": str(args.out)}
    if receipt["code"] == "ok" and not args.pin_file:
        out["pin"] = pin  # shown once to the cardholder; never stored in clear
    return out


async def _pay(client: Client, builder: Builder, me: crypto.SigningKey,
               args: argparse.Namespace, now: int) -> dict[str, Any]:
    try:
        card = CardFile.load(Path(args.card_file))
        card_key = card.unlock(_read_pin(args))
    except CardFileError as exc:
        raise UsageError(str(exc)) from exc
    items = []
    for part in args.items.split(","):
        sku, _, qty = part.partition(":")
        items.append({"sku": sku, "qty": int(qty or 1)})
    banks = [b for b in (args.points or "").split(",") if b]
    offer = await client.query("offer", card=card.card, items=items, banks=banks)
    body: dict[str, Any] = {"terminal": args.identity[len("terminal-"):], "card": card.card,
                            "order": args.order, "items": items, "amount": offer["total"]}
    redeem = [{"bank": r["bank"], "cash": r["cash"]} for r in offer["combination"]]
    if banks and redeem:
        body["redeem"] = redeem
    tx = builder.make("pay", body, now, me, card_key)
    if args.journal:
        journal_append(Path(args.journal), tx, body["terminal"])
    receipt = await client.submit(tx)
    return {"receipt": receipt, "total": offer["total"],
            "points": redeem if banks else [], "cash_due": offer["cash_due"] if banks
            else offer["total"]}


async def _reconcile(client: Client, args: argparse.Namespace) -> dict[str, Any]:
    try:
        journal = read_journal(Path(args.journal))
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    lines = await client.query("statement_lines", merchant=args.merchant, cycle=args.cycle)
    receipts: dict[str, dict[str, Any] | None] = {}
    for e in journal:
        if not any(x["tx"] == e["tx"] for x in lines):
            receipts[e["tx"]] = await client.query("tx", id=e["tx"])
    terminal = args.terminal or (args.identity[len("terminal-"):]
                                 if args.identity.startswith("terminal-") else None)
    rec = reconcile(journal, lines, lambda i: receipts.get(i), terminal)
    return {"merchant": args.merchant, "cycle": args.cycle, "terminal": terminal,
            **rec.as_dict()}


def add_parsers(sub: Any, passphrase_args: Any) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("dir", help="the consortium folder")
        p.add_argument("--as", dest="identity", required=True,
                       help="identity to act as (clerk-EHB-1, terminal-M001-T01, ...)")
        p.add_argument("--node", type=int, help="validator to talk to (default: any)")
        passphrase_args(p)

    p = sub.add_parser("submit", help="sign and submit any transaction: KIND key=value ...")
    common(p)
    p.add_argument("kind")
    p.add_argument("fields", nargs="*")
    p.add_argument("--journal", help="till journal to append payments and refunds to")
    p = sub.add_parser("query", help="role-scoped query: Q key=value ... "
                                     "(card, history, offer, statement, blocks, tx)")
    common(p)
    p.add_argument("q")
    p.add_argument("fields", nargs="*")
    p = sub.add_parser("issue-card", help="issue a card and write its card file")
    common(p)
    p.add_argument("--bank", required=True)
    p.add_argument("--holder", help="holder's name (a named card)")
    p.add_argument("--id-number", help="holder's ID number (only a salted hash is stored)")
    p.add_argument("--deposit", type=int, help="opening deposit in fen")
    p.add_argument("--pin-file", help="file holding the 6-digit PIN (default: a new one)")
    p.add_argument("--out", required=True, help="where to write the card file")
    p = sub.add_parser("pay", help="pay at a terminal with a card file")
    common(p)
    p.add_argument("--card-file", required=True)
    p.add_argument("--pin-file", help="file holding the PIN (default: ask)")
    p.add_argument("--items", required=True, help="SKU:QTY,SKU:QTY")
    p.add_argument("--points", help="banks whose points to use, e.g. EHB,JRB")
    p.add_argument("--order", default=f"CLI-{int(time.time())}")
    p.add_argument("--journal", help="till journal to append the payment to")
    p = sub.add_parser("reconcile", help="compare a till's journal with the chain for a cycle")
    common(p)
    p.add_argument("--merchant", required=True)
    p.add_argument("--cycle", type=cycle_arg, required=True, help="yyyymmdd")
    p.add_argument("--journal", required=True)
    p.add_argument("--terminal", help="only this terminal (default: the --as terminal)")
    p = sub.add_parser("statement", help="a merchant's statement for a cycle, to CSV/PDF")
    common(p)
    p.add_argument("--merchant", required=True)
    p.add_argument("--cycle", type=cycle_arg, required=True, help="yyyymmdd")
    p.add_argument("--csv", help="write the statement as CSV here")
    p.add_argument("--pdf", help="write the statement as PDF here")
    p = sub.add_parser("settle", help="clearing house: close a merchant's cycle")
    common(p)
    p.add_argument("--merchant", required=True)
    p.add_argument("--cycle", type=cycle_arg, required=True, help="yyyymmdd")


def main(args: argparse.Namespace, passphrase: str) -> int:
    try:
        out = asyncio.run(run(args, passphrase))
    except (UsageError, ClientError, Rejected, crypto.CryptoError) as exc:
        import sys

        msg = exc.message if isinstance(exc, Rejected) else str(exc)
        print(f"cardchain: error: {msg}", file=sys.stderr)
        return 2
    print(json.dumps(out, indent=1, ensure_ascii=False))
    receipt = out.get("receipt")
    return 0 if not isinstance(receipt, dict) or receipt.get("code") == "ok" else 1
