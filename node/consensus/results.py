"""Result certificates: what makes a receipt prove a transaction's outcome, not only its
order.

A commit certificate (2f+1 COMMITs) fixes a block's height, time and transactions before
anyone executes them; it says nothing about what execution gave.  So after executing block
``seq`` every validator signs ATTEST(seq, hash of the header it computed) and sends it to
its peers.  The header carries the state root and the results root (the Merkle root of
every transaction's result: code, message, postings), so f+1 ATTESTs for one hash, at least
one of them from an honest validator, prove every fact of the header, as Castro and
Liskov's f+1 matching replies prove a result.  A replica that gathers f+1 for the hash it
computed itself emits ``Certified`` and the runtime stores the ATTESTs with the block.

Bounds: ATTESTs are kept only for heights within one window of what this replica executed
and one per sender and height; once certified (or fallen out of the window) a height's
ATTESTs are dropped.
"""

from __future__ import annotations

from node import codec
from node.consensus.certs import signed_by
from node.consensus.core import Core
from node.consensus.messages import Attest, BadMessage, decode
from node.consensus.types import Broadcast, Certified, Config


def needed(n: int) -> int:
    """ATTESTs for one header that certify it: f+1."""
    return (n - 1) // 3 + 1


def executed(r: Core, seq: int, block_hash: str) -> None:
    """This replica executed ``seq`` and got the header hashed ``block_hash``."""
    if not block_hash:
        return
    a = r.sign(Attest(r.id, "", seq, block_hash))
    r.own_blocks[seq] = block_hash
    r.emit(Broadcast(a))
    on_attest(r, a)  # type: ignore[arg-type]
    _forget_below(r, r.executed - r.cfg.settings.window)


def on_attest(r: Core, a: Attest) -> None:
    if a.seq in r.certified or not r.executed - r.cfg.settings.window < a.seq \
            <= r.executed + r.cfg.settings.window:
        return
    votes = r.attests.setdefault(a.seq, {})
    if a.sender in votes:
        return
    votes[a.sender] = a
    mine = r.own_blocks.get(a.seq)
    if mine is None:
        return
    # signatures are checked here, only those a certificate needs (f of the peers' at
    # n = 3f+1 while all agree), not one per ATTEST received; a bad one is dropped
    good = [v for v in votes.values() if v.sender == r.id and v.block == mine]
    for v in [v for v in votes.values() if v.sender != r.id and v.block == mine]:
        if len(good) >= needed(r.cfg.n):
            break
        if signed_by(r.cfg, v):
            good.append(v)
        else:
            del votes[v.sender]
    if len(good) >= needed(r.cfg.n):
        r.certified.add(a.seq)
        r.attests.pop(a.seq, None)
        r.emit(Certified(a.seq, mine, tuple(sorted(good, key=lambda v: v.sender))))


def _forget_below(r: Core, seq: int) -> None:
    for s in [s for s in r.attests if s <= seq]:
        del r.attests[s]
    for s in [s for s in r.own_blocks if s <= seq]:
        del r.own_blocks[s]
    r.certified = {s for s in r.certified if s > seq}


def attest_problem(cfg_or_publics: Config | tuple[str, ...], seq: int, block_hash: str,
                   attests: list[Attest]) -> str | None:
    """What is wrong with a stored result certificate for block ``seq`` with header hash
    ``block_hash`` (None if f+1 distinct validators signed it)."""
    publics = cfg_or_publics.publics if isinstance(cfg_or_publics, Config) else cfg_or_publics
    signers: set[int] = set()
    for a in attests:
        if not isinstance(a, Attest) or a.seq != seq or a.block != block_hash:
            return "an attestation is not for this block"
        if not 0 <= a.sender < len(publics) or a.sender in signers:
            return "an attestation's validator is unknown or repeated"
        if isinstance(cfg_or_publics, Config):
            ok = signed_by(cfg_or_publics, a)
        else:
            ok = a.verify(publics[a.sender])
        if not ok:
            return f"the attestation of validator-{a.sender} has a bad signature"
        signers.add(a.sender)
    if len(signers) < needed(len(publics)):
        return f"only {len(signers)} validators attested; {needed(len(publics))} are needed"
    return None


def encode_attests(attests: tuple[Attest, ...] | list[Attest]) -> str:
    """A result certificate as stored with a block: the canonical list of ATTEST texts."""
    return codec.encode([a.encode().decode("utf-8") for a in attests]).decode("utf-8")


def decode_attests(text: str) -> list[Attest]:
    """The stored form back; raises BadMessage."""
    try:
        items = codec.loads(text)
    except ValueError as exc:
        raise BadMessage(f"attestations: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        raise BadMessage("attestations must be a list of message texts")
    out = []
    for t in items:
        a = decode(t.encode("utf-8"))
        if not isinstance(a, Attest):
            raise BadMessage("an attestation is not an ATTEST")
        out.append(a)
    return out


def valid_text(cfg: Config, seq: int, block_hash: str, text: str) -> bool:
    """A stored or fetched result certificate holds for this block."""
    try:
        return attest_problem(cfg, seq, block_hash, decode_attests(text)) is None
    except BadMessage:
        return False
