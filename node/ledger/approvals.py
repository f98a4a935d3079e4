"""Four eyes (chain format 6): acts a bank names in its genesis entry (``four_eyes``) take
effect only when a second clerk of that bank approves them on chain.

One clerk proposes the act (``propose``: the act's kind and body, and why), which records
it and changes nothing else; another clerk of the same bank approves it (``approve``: the
act runs then, inside the approval, with the approval's signer as the one acting) or
declines it (``decline``).  Both signatures stay on chain, each in its own transaction.
The same act sent directly by a clerk of that bank is refused.  The regulator's own acts
(an unfreeze, say) are not the bank's and need no second clerk.
"""

from __future__ import annotations

from typing import Any

from node.ledger import tx as f
from node.ledger.errors import Reason, Rejected
from node.ledger.genesis import FOUR_EYES_ACTS
from node.ledger.rules import RULES, rule
from node.ledger.state import Ctx, Row

# what a bank may put under four eyes
ACTS = frozenset(FOUR_EYES_ACTS)


def _clerk(ctx: Ctx) -> tuple[str, str]:
    """The signing clerk's key and bank; UNAUTHORIZED if no clerk signed."""
    for pub, _sig in ctx.tx.sigs:
        p = ctx.st.get("principals", pub)
        if p is not None and p["role"] == "clerk":
            return pub, str(p["entity"])
    raise Rejected(Reason.UNAUTHORIZED, f"{ctx.tx.kind} must be signed by a bank's clerk")


def needs_second_clerk(ctx: Ctx, kind: str) -> None:
    """Refuse ``kind`` sent directly by a clerk of a bank that put it under four eyes."""
    if ctx.chain_format < 6 or kind not in ACTS or ctx.approving:
        return
    for pub, _sig in ctx.tx.sigs:
        p = ctx.st.get("principals", pub)
        if p is None or p["role"] != "clerk":
            continue
        bank = ctx.st.get("banks", p["entity"]) or {}
        if kind in (bank.get("four_eyes") or []):
            raise Rejected(Reason.SECOND_CLERK_REQUIRED,
                           f"bank {p['entity']} takes {kind} from two clerks: propose it "
                           "and have another clerk approve it")


def _format(ctx: Ctx) -> None:
    if ctx.chain_format < 6:
        raise Rejected(Reason.MALFORMED, f"{ctx.tx.kind} needs chain format 6")


@rule("propose", {"act", "body"}, {"reason"})
def propose(ctx: Ctx, b: dict[str, Any]) -> None:
    _format(ctx)
    maker, bank = _clerk(ctx)
    act = b["act"]
    brow = ctx.st.get("banks", bank) or {}
    if not isinstance(act, str) or act not in (brow.get("four_eyes") or []):
        raise Rejected(Reason.MALFORMED,
                       f"bank {bank} does not take {act!r} from two clerks: send it directly")
    body = b["body"]
    if not isinstance(body, dict):
        raise Rejected(Reason.MALFORMED, "the proposed act's body must be an object")
    r = RULES[act]
    f.check_body(body, r.required, r.optional)
    ctx.bank = bank
    card = body.get("card")
    ctx.card = card if isinstance(card, str) and len(card) <= 19 else None
    row: Row = {"bank": bank, "act": act, "body": body, "maker": maker, "status": "pending",
                "time": ctx.time, "height": ctx.height}
    if "reason" in b:
        row["reason"] = f.name(b["reason"], "reason")
    ctx.put("proposals", ctx.tx.hex_id, row)


def _pending(ctx: Ctx, b: dict[str, Any]) -> tuple[str, Row, str]:
    """The proposal named, pending, of the signing clerk's bank, not the clerk's own."""
    _format(ctx)
    checker, bank = _clerk(ctx)
    pid = f.hex64(b["proposal"], "proposal id")
    p = ctx.get("proposals", pid)
    if p is None or p["bank"] != bank:
        raise Rejected(Reason.UNKNOWN_PROPOSAL, f"bank {bank} has no proposal {pid[:16]}")
    if p["status"] != "pending":
        raise Rejected(Reason.PROPOSAL_DECIDED, f"that proposal is already {p['status']}")
    if checker == p["maker"]:
        raise Rejected(Reason.SAME_CLERK, "a clerk cannot approve or decline their own "
                                          "proposal: another clerk must")
    ctx.bank = bank
    card = p["body"].get("card")
    ctx.card = card if isinstance(card, str) and len(card) <= 19 else None
    return pid, p, checker


@rule("approve", {"proposal"})
def approve(ctx: Ctx, b: dict[str, Any]) -> None:
    """The second clerk's yes: the act runs now, as this clerk's; if it is refused (the
    card was closed meanwhile, say) so is the approval, and the proposal stays pending."""
    pid, p, checker = _pending(ctx, b)
    ctx.approving = True
    try:
        RULES[p["act"]].apply(ctx, p["body"])
    finally:
        ctx.approving = False
    ctx.put("proposals", pid, {**p, "status": "approved", "checker": checker,
                               "decided": ctx.time})


@rule("decline", {"proposal"}, {"reason"})
def decline(ctx: Ctx, b: dict[str, Any]) -> None:
    pid, p, checker = _pending(ctx, b)
    row = {**p, "status": "declined", "checker": checker, "decided": ctx.time}
    if "reason" in b:
        row["declined_because"] = f.name(b["reason"], "reason")
    ctx.put("proposals", pid, row)
