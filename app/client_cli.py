"""Client subcommands: submit any transaction, issue cards, pay, settle, query, receipts,
and the outbox.

Each runs as one identity of the consortium (``--as``), signs with that identity's key and
talks to a validator over TLS (``--node N``, or the first that answers).  Every signed
transaction is written to the identity's durable outbox before it is sent (app/outbox.py);
an unknown outcome leaves it there, and ``outbox --resubmit`` (or running ``pay`` again for
the same order) sends the same bytes again.  Output is JSON on stdout; errors go to stderr;
the exit code says what happened (app/cli.py EXIT_*, README "Exit codes").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from app.courier import Courier
from app.flows import my_card_query, new_card
from app.holder import Opener
from app.outbox import Outbox
from app.reconcile import journal_append, read_journal, reconcile
from app.remote import Remote, connect
from app.till import Outcome, Till
from node import crypto
from node.cardfile import CardFile, CardFileError, valid_pin
from node.consortium import Consortium
from node.ledger.cycles import valid_cycle
from node.ledger.errors import Rejected
from node.ledger.tx import Tx
from node.net.client import Client, ClientError, Refused

YEAR_MS = 365 * 86_400_000


class UsageError(Exception):
    pass


class Unknown(Exception):
    """No decision is known for a sent transaction: it waits in the outbox."""

    def __init__(self, tx_id: str, why: str) -> None:
        super().__init__(f"no decision known for {tx_id} ({why}); it waits in the outbox: "
                         "`cardchain outbox DIR --as IDENTITY --resubmit` sends it again")
        self.tx_id = tx_id


async def send(api: Remote, box: Outbox, tx: Tx, wait_ms: int = 30_000) \
        -> dict[str, Any]:
    """Deliver a transaction (app/courier.py: recorded in the outbox first); its receipt
    once decided.  Raises ``Unknown`` when the outcome is open (it stays pending) and
    ``Refused`` when the network refused it unordered (recorded as not sent)."""
    entry = box.get(tx.hex_id) or box.add(tx)
    return _decided(await Courier(api, box).send(tx, entry, wait_ms))


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
    cons.key(args.identity)  # a wrong passphrase or an unknown identity stops here
    box = Outbox.for_identity(cons.home, args.identity)
    try:
        return await _run(cons, box, args, int(time.time() * 1000))
    finally:
        box.close()


async def _run(cons: Consortium, box: Outbox, args: argparse.Namespace, now: int) \
        -> dict[str, Any]:
    if args.cmd == "outbox" and not args.resubmit:
        return {"outbox": [e.as_dict() for e in box.recent(args.limit)]}
    client = await connect(cons, args.identity, args.node)
    api = Remote(cons, args.identity, client)
    try:
        if args.cmd == "submit":
            tx = api.make(args.kind, parse_fields(args.fields))
            if args.journal:
                journal_append(Path(args.journal), tx, args.identity[len("terminal-"):])
            return await send(api, box, tx, args.wait_ms)
        if args.cmd == "outbox":
            return await _resubmit(api, box, args.wait_ms)
        if args.cmd == "receipt":
            return await _receipt(client, args)
        if args.cmd == "reconcile":
            return await _reconcile(client, args)
        if args.cmd == "query":
            fields = parse_fields(args.fields)
            if args.q == "my_card":
                fields.update(_holder_proof(args, now))
            return {"result": opened(api.cons, args.identity, args.q,
                                     await client.query(args.q, **fields))}
        if args.cmd == "issue-card":
            return await _issue(api, box, args)
        if args.cmd == "pay":
            return await _pay(api, box, args)
        if args.cmd == "statement":
            from app.statement_export import to_csv, write_pdf

            s = await client.query("statement", merchant=args.merchant, cycle=args.cycle)
            lines = await client.query("statement_lines", merchant=args.merchant,
                                       cycle=args.cycle)
            if args.csv:
                Path(args.csv).write_text(to_csv(s, lines), "utf-8")
            if args.pdf:
                write_pdf(s, lines, Path(args.pdf))
            out = {"statement": s, "lines": len(lines), "csv": args.csv, "pdf": args.pdf}
            if not lines:  # a mistyped cycle must not pass for a quiet day
                out["note"] = cycle_note(args.merchant, args.cycle, s["closes_at"], now)
            return out
        if args.cmd == "netting":
            from app.statement_export import netting_csv, write_netting_pdf

            rows = await client.query("netting", cycle=args.cycle)
            if args.csv:
                Path(args.csv).write_text(netting_csv(args.cycle, rows), "utf-8")
            if args.pdf:
                write_netting_pdf(args.cycle, rows, Path(args.pdf))
            return {"netting": rows, "csv": args.csv, "pdf": args.pdf}
        if args.cmd == "settle":
            s = await client.query("statement", merchant=args.merchant, cycle=args.cycle)
            keys = ("count", "refund_count", "gross", "refunds", "points", "fee", "net")
            body = {"merchant": args.merchant, "cycle": args.cycle, **{k: s[k] for k in keys}}
            return await send(api, box, api.make("settle", body), args.wait_ms)
        raise UsageError(f"unknown command {args.cmd}")
    finally:
        await client.close()


def opened(cons: Consortium, identity: str, q: str, result: Any) -> Any:
    """A card query's result with each holder's name opened where this identity holds the
    seal key for it (app/holder.py); other results as they came."""
    opener = Opener(cons, identity)
    cards = result if q == "cards" and isinstance(result, list) else \
        [result] if q == "card" and isinstance(result, dict) else []
    for c in cards:
        if isinstance(c, dict) and c.get("pii") and (name := opener.name(c)):
            c["holder"] = name
    return result


def cycle_note(merchant: str, cycle: int, closes_at: int, now: int) -> str:
    """What a statement without lines says about its cycle."""
    when = "it is still open" if closes_at > now else "it is closed"
    return (f"no payments or refunds for {merchant} in cycle {cycle}; {when}. "
            "`cardchain status` shows each merchant's open cycle")


def _holder_proof(args: argparse.Namespace, now: int) -> dict[str, Any]:
    """``my_card``: the card file unlocked with its PIN signs the query."""
    if not args.card_file:
        raise UsageError("my_card needs the holder's card: --card-file FILE [--pin-file FILE]")
    try:
        card = CardFile.load(Path(args.card_file))
        key = card.unlock(_read_pin(args))
    except (OSError, CardFileError) as exc:
        raise UsageError(f"cannot open the card file: {exc}") from exc
    return my_card_query(card.card, key, now)


async def _resubmit(api: Remote, box: Outbox, wait_ms: int) -> dict[str, Any]:
    """Every pending transaction, oldest first: looked up, and sent again as the same
    bytes if the network has not decided it."""
    done, left = [], []
    courier = Courier(api, box)
    for e in box.pending():
        outcome = await courier.resend(e, wait_ms)
        if outcome.receipt is not None:
            done.append({"id": e.id, "kind": e.kind, "order": e.order,
                         "code": outcome.receipt.code,
                         "height": outcome.receipt.height})
        elif outcome.state == "not_sent":
            done.append({"id": e.id, "kind": e.kind, "order": e.order, "code": "not_sent",
                         "message": outcome.message})
        else:
            left.append(e.id)
    return {"decided": done, "pending": left}


async def _receipt(client: Client, args: argparse.Namespace) -> dict[str, Any]:
    from node.receipt import to_qr

    r = await client.query("receipt", id=args.tx)
    text = to_qr(r) if args.qr else json.dumps(r, indent=1, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", "utf-8")
        return {"receipt": args.out, "form": "CCR1" if args.qr else "json"}
    return {"print": text}


async def _issue(api: Remote, box: Outbox, args: argparse.Namespace) -> dict[str, Any]:
    pin = _read_pin(args) if args.pin_file else None
    if args.holder and not args.id_number:
        raise UsageError("a named card needs --id-number (sealed for the bank and the "
                         "regulator)")
    try:
        made = new_card(api.cons, args.bank, api.now(), holder=args.holder,
                        id_number=args.id_number, phone=args.phone or "",
                        deposit=args.deposit, pin=pin)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    body, card, pin, number = made.body, made.card, made.pin, made.card.card
    tx = api.make("issue_card", body)
    # the card file first: if the outcome is unknown the card may exist, and its key with it
    card.save(Path(args.out))
    try:
        receipt = await send(api, box, tx, args.wait_ms)
    except Unknown:
        if not args.pin_file:
            import sys

            print(f"card {number}: PIN {pin} (the card may have been issued)",
                  file=sys.stderr)
        raise
    except Refused:
        Path(args.out).unlink(missing_ok=True)
        raise
    if receipt["code"] != "ok":
        Path(args.out).unlink(missing_ok=True)
    out = {"receipt": receipt, "card": number, "card_file": str(args.out)}
    if receipt["code"] == "ok" and not args.pin_file:
        out["pin"] = pin  # shown once to the cardholder; never stored in clear
    return out


async def _pay(api: Remote, box: Outbox, args: argparse.Namespace) -> dict[str, Any]:
    """The till's payment (app/till.py), as the window makes it: recorded, then sent; an
    order already waiting in the outbox goes again as the same bytes, never re-signed."""
    till = Till(api, Path(args.journal) if args.journal else None, box)
    waiting = till.pending_order(args.order)
    if waiting is not None:
        tx = Tx.decode(waiting.wire.encode("utf-8"))
        outcome = await till.resolve(waiting)
        return {"receipt": _decided(outcome), "total": tx.body["amount"], "resubmitted": True}
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
    offer = await api.client.query("offer", items=items, banks=banks,
                                   **my_card_query(card.card, card_key, api.now(), "offer"))
    tx = till.sign(card.card, card_key, items, offer, banks, order=args.order)
    outcome = await till.pay(tx)
    return {"receipt": _decided(outcome), "total": offer["total"],
            "points": tx.body.get("redeem", []),
            "cash_due": offer["cash_due"] if banks else offer["total"]}


def _decided(outcome: Outcome) -> dict[str, Any]:
    """A payment's receipt once the network decided it; its open or refused outcome as the
    command line's errors (exit codes 5 and 1)."""
    if outcome.receipt is not None:
        return outcome.receipt.to_wire()
    if outcome.state == "not_sent":
        raise Refused(outcome.message)
    raise Unknown(outcome.entry.id, outcome.message or "no decision heard in time")


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
        p.add_argument("--wait-ms", type=int, default=30_000,
                       help="how long to wait for a decision (default 30000); then the "
                            "outcome is unknown and the transaction stays in the outbox")
        passphrase_args(p)

    p = sub.add_parser("submit", help="sign and submit any transaction: KIND key=value ...")
    common(p)
    p.add_argument("kind")
    p.add_argument("fields", nargs="*")
    p.add_argument("--journal", help="till journal to append payments and refunds to")
    p = sub.add_parser("query", help="role-scoped query: Q key=value ... (card, history, "
                                     "offer, statement, merchant_txs, compliance, blocks, "
                                     "tx; my_card with --card-file)")
    common(p)
    p.add_argument("q")
    p.add_argument("fields", nargs="*")
    p.add_argument("--card-file", help="my_card: the card file whose key signs the query")
    p.add_argument("--pin-file", help="my_card: file holding the card's PIN (default: ask)")
    p = sub.add_parser("issue-card", help="issue a card and write its card file")
    common(p)
    p.add_argument("--bank", required=True)
    p.add_argument("--holder", help="holder's name (a named card; sealed on chain for the "
                   "bank and the regulator)")
    p.add_argument("--id-number", help="holder's ID number (sealed likewise)")
    p.add_argument("--phone", help="holder's phone number (sealed likewise)")
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
    p = sub.add_parser("netting", help="a cycle's interbank positions, to CSV/PDF")
    common(p)
    p.add_argument("--cycle", type=cycle_arg, required=True, help="yyyymmdd")
    p.add_argument("--csv", help="write the netting statement as CSV here")
    p.add_argument("--pdf", help="write the netting statement as PDF here")
    p = sub.add_parser("settle", help="clearing house: close a merchant's cycle")
    common(p)
    p.add_argument("--merchant", required=True)
    p.add_argument("--cycle", type=cycle_arg, required=True, help="yyyymmdd")
    p = sub.add_parser("receipt", help="a decided transaction's receipt, verifiable with "
                                       "verify-receipt: JSON, or the CCR1: code with --qr")
    common(p)
    p.add_argument("tx", help="the transaction id")
    p.add_argument("--qr", action="store_true", help="write the CCR1: form (for a QR code)")
    p.add_argument("--out", help="write it to this file (default: standard output)")
    p = sub.add_parser("outbox", help="this identity's signed transactions: list them, or "
                                      "--resubmit the undecided ones (the same bytes)")
    common(p)
    p.add_argument("--resubmit", action="store_true")
    p.add_argument("--limit", type=int, default=50)


def main(args: argparse.Namespace, passphrase: str) -> int:
    import sys

    from app.exits import EXIT_OK, EXIT_REFUSED, EXIT_UNCLEAN, EXIT_UNKNOWN, EXIT_USAGE

    try:
        out = asyncio.run(run(args, passphrase))
    except (UsageError, Rejected, crypto.CryptoError) as exc:
        msg = exc.message if isinstance(exc, Rejected) else str(exc)
        print(f"cardchain: error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as exc:
        print(f"cardchain: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (Unknown, ClientError) as exc:
        print(f"cardchain: {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    if "print" in out:
        print(out["print"])
        return EXIT_OK
    print(json.dumps(out, indent=1, ensure_ascii=False))
    if args.cmd == "reconcile":
        return EXIT_OK if out["clean"] else EXIT_UNCLEAN
    if args.cmd == "outbox" and out.get("pending"):
        return EXIT_UNKNOWN
    receipt = out if args.cmd in ("submit", "settle") else out.get("receipt")
    if isinstance(receipt, dict) and receipt.get("code") != "ok":
        return EXIT_REFUSED
    return EXIT_OK
