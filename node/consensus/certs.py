"""Checking transferable proofs: commit certificates, checkpoint proofs, prepared
certificates, VIEW-CHANGE messages, and computing the PRE-PREPAREs of a NEW-VIEW.

Pure functions of their inputs and the config, shared by the replica, state transfer and
anyone verifying a block or a receipt.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from node import codec, crypto
from node.consensus import messages as m
from node.consensus.messages import (
    Checkpoint,
    Commit,
    Msg,
    Prepared,
    PrePrepare,
    ViewChange,
    batch_digest,
    batch_root,
)
from node.consensus.types import Config, Execute
from node.findings import Finding


def signed_by(cfg: Config, m: Msg) -> bool:
    return 0 <= m.sender < cfg.n and cfg.verify(cfg.publics[m.sender], m.digest(), m.sig)


def batch_ids(cfg: Config, batch: Iterable[str]) -> tuple[str, ...] | None:
    ids = []
    for t in batch:
        i = cfg.request_id(t)
        if i is None:
            return None
        ids.append(i)
    return tuple(ids)


# batches found well formed lately: a view change brings each batch in up to 2f+1
# VIEW-CHANGEs and the NEW-VIEW again (tens of thousands of requests under full load, each
# re-hashed every time); an equal batch under the same seq, time and id needs no second look.
# A stable checkpoint drops what is at or below it (forget_batches); the bound is a backstop
_WELL_FORMED: OrderedDict[tuple[Any, int, int, str], tuple[str, ...]] = OrderedDict()
_WELL_FORMED_MAX = 1024


def well_formed(cfg: Config, pp: PrePrepare) -> bool:
    """The PRE-PREPARE's batch id is the digest of its own seq, time and transactions."""
    key = (cfg.request_id, pp.seq, pp.time, pp.batch_id)
    known = _WELL_FORMED.get(key)
    if known is not None and known == pp.batch:
        return True
    ids = batch_ids(cfg, pp.batch)
    ok = ids is not None and len(set(ids)) == len(ids) and \
        pp.batch_id == batch_digest(pp.seq, pp.time, pp.batch)
    if ok and len(pp.batch) > 1:
        _WELL_FORMED[key] = pp.batch
        while len(_WELL_FORMED) > _WELL_FORMED_MAX:
            _WELL_FORMED.popitem(last=False)
    return ok


def forget_batches(cfg: Config, upto: int) -> None:
    """A stable checkpoint at ``upto``: nothing at or below it is voted on again, and a view
    change brings only higher batches, so their texts are not kept for the shortcut above.
    Kept for the last 1,024 batches, they grew a backup's memory for minutes under load, to
    about 120 MiB above the primary's after 10 minutes at 1,000 payments/s (the primary
    never checks its own batches)."""
    for k in [k for k in _WELL_FORMED if k[1] <= upto and k[0] == cfg.request_id]:
        del _WELL_FORMED[k]


def valid_commit_cert(cfg: Config, cert: Sequence[Commit], seq: int, batch_id: str) -> bool:
    """2f+1 COMMITs from distinct replicas, one view, for this seq and batch."""
    if not cert:
        return False
    view = cert[0].view
    senders: set[int] = set()
    for c in cert:
        if not isinstance(c, Commit) or c.view != view or c.seq != seq \
                or c.batch_id != batch_id or c.sender in senders or not signed_by(cfg, c):
            return False
        senders.add(c.sender)
    return len(senders) >= cfg.quorum


def checkpoint_root(cfg: Config, proof: Sequence[Checkpoint], seq: int) -> str | None:
    """The state root that 2f+1 distinct replicas signed for ``seq``, if the proof holds."""
    if seq == 0 and not proof:
        return ""
    roots: dict[str, set[int]] = {}
    for c in proof:
        if not isinstance(c, Checkpoint) or c.seq != seq or not signed_by(cfg, c):
            return None
        roots.setdefault(c.state_root, set()).add(c.sender)
    for root, senders in roots.items():
        if len(senders) >= cfg.quorum:
            return root
    return None


def valid_prepared(cfg: Config, cert: Prepared, below_view: int) -> bool:
    """A PRE-PREPARE from its view's primary and 2f matching PREPAREs from backups."""
    pp = cert.pre_prepare
    if pp.view >= below_view or pp.sender != cfg.primary(pp.view):
        return False
    if not signed_by(cfg, pp) or not well_formed(cfg, pp):
        return False
    senders: set[int] = set()
    for p in cert.prepares:
        if (p.view, p.seq, p.batch_id) != (pp.view, pp.seq, pp.batch_id) \
                or p.sender == pp.sender or p.sender in senders or not signed_by(cfg, p):
            return False
        senders.add(p.sender)
    return len(senders) >= 2 * cfg.f


def valid_committed(cfg: Config, cert: Prepared, below_view: int) -> bool:
    """An executed batch's commit certificate from an earlier view, with an unsigned
    PRE-PREPARE naming the batch (its transactions left out: the block is decided, and a
    replica without it fetches it by state transfer; if they are there, they must match)."""
    pp = cert.pre_prepare
    if pp.view >= below_view or pp.sender != cfg.primary(pp.view) or pp.sig:
        return False
    return (not pp.batch or well_formed(cfg, pp)) and \
        valid_commit_cert(cfg, cert.commits, pp.seq, pp.batch_id) and \
        cert.commits[0].view == pp.view


def valid_view_change(cfg: Config, vc: ViewChange) -> bool:
    if not signed_by(cfg, vc) or vc.view < 1:
        return False
    if checkpoint_root(cfg, vc.checkpoint_proof, vc.stable_seq) is None:
        return False
    seqs: set[int] = set()
    for cert in vc.certificates():
        s = cert.pre_prepare.seq
        if s in seqs or not vc.stable_seq < s <= vc.stable_seq + cfg.settings.window:
            return False
        seqs.add(s)
        valid = valid_committed if cert.commits else valid_prepared
        if not valid(cfg, cert, vc.view):
            return False
    return True


def new_view_pre_prepares(cfg: Config, view: int, vcs: Sequence[ViewChange]) \
        -> tuple[int, int, list[PrePrepare]]:
    """(min-s, decided, the unsigned PRE-PREPAREs a NEW-VIEW for ``view`` must carry).

    ``decided``: the end of the run of seqs above min-s that each have a commit
    certificate in the VIEW-CHANGEs.  Those batches are decided; a replica that has not
    executed them fetches them with their certificates (state transfer), so the NEW-VIEW
    re-proposes only the seqs after them, each the prepared batch of the highest view or a
    null batch.  (A batch decided above ``decided`` is prepared, whole, in the VIEW-CHANGE
    of an honest replica of any 2f+1 that has not executed it: one that had would carry a
    commit certificate for every seq from its stable checkpoint up to it.)"""
    min_s = max(vc.stable_seq for vc in vcs)
    certs = [cert for vc in vcs for cert in vc.certificates()]
    executed = {c.pre_prepare.seq for c in certs if c.commits}
    decided = min_s
    while decided + 1 in executed:
        decided += 1
    best: dict[int, PrePrepare] = {}
    for cert in certs:
        pp = cert.pre_prepare
        if pp.seq <= decided or (cert.commits and not pp.batch):
            continue  # decided, or a batch not carried (it cannot be proposed again)
        if pp.seq not in best or pp.view > best[pp.seq].view:
            best[pp.seq] = pp
    max_s = max(best, default=decided)
    primary = cfg.primary(view)
    out = []
    for s in range(decided + 1, max_s + 1):
        old = best.get(s)
        if old is None:
            out.append(PrePrepare(primary, "", view, s, 0, batch_digest(s, 0, ()), ()))
        else:
            out.append(PrePrepare(primary, "", view, s, old.time, old.batch_id, old.batch))
    return min_s, decided, out


# --- a block's stored certificate ------------------------------------------------------------

def encode_cert(view: int, time: int, batch_id: str, commits: Sequence[Commit]) -> bytes:
    """The certificate stored with a block: the PRE-PREPARE's view and time, the batch id
    and the 2f+1 COMMITs (each as its canonical text)."""
    return codec.encode({"view": view, "time": time, "batch_id": batch_id,
                         "commits": [c.encode().decode() for c in commits]})


def certified_block(cfg: Config, height: int, cert_bytes: bytes,
                    batch: tuple[str, ...], root: str | None = None) -> Execute | None:
    """A fetched block, if its certificate proves 2f+1 validators committed exactly this
    batch at this height (state transfer and observers); None otherwise.  ``root``: the
    batch's Merkle root, if the caller computed it already."""
    try:
        c = codec.decode(cert_bytes)
        commits = tuple(m.from_obj(codec.decode(x.encode())) for x in c["commits"])
        view, time, batch_id = int(c["view"]), int(c["time"]), str(c["batch_id"])
    except (m.BadMessage, codec.EncodingError, KeyError, TypeError, ValueError):
        return None
    if root is None:
        root = batch_root(batch)
    if m.batch_digest_of_root(height, time, root) != batch_id or \
            not valid_commit_cert(cfg, commits, height, batch_id) or \
            commits[0].view != view:  # type: ignore[arg-type, attr-defined]
        return None
    return Execute(height, view, time, batch, batch_id, commits)  # type: ignore[arg-type]


def cert_problem(publics: Sequence[str], height: int, tx_root: str, cert: Any,
                 verify: Callable[[str, bytes, str], bool] = crypto.verify) \
        -> tuple[str | None, list[int]]:
    """What is wrong with a block's certificate against the genesis keys (None if nothing),
    and the validators whose COMMITs verified.  For receipts and the audit, which name the
    failing part."""
    try:
        commits = [m.from_obj(codec.decode(c.encode("utf-8"))) for c in cert["commits"]]
        expected = m.batch_digest_of_root(height, cert["time"], tx_root)
    except Exception as exc:
        return Finding("the certificate is malformed: %1", exc), []
    if cert.get("batch_id") != expected:
        return "the certificate is for another block (batch id differs)", []
    signers: set[int] = set()
    for c in commits:
        if not isinstance(c, m.Commit) or (c.seq, c.batch_id) != (height, expected):
            return "a certificate entry is not a COMMIT for this block", []
        if c.view != cert.get("view"):
            return "the certificate's view differs from its COMMITs'", []
        if not 0 <= c.sender < len(publics):
            return Finding("COMMIT from unknown validator %1", c.sender), []
        if not verify(publics[c.sender], c.digest(), c.sig):
            return Finding("the COMMIT of validator-%1 has a bad signature", c.sender), []
        signers.add(c.sender)
    need = 2 * ((len(publics) - 1) // 3) + 1
    if len(signers) < need:
        return Finding("only %1 validators signed; %2 are needed", len(signers), need), []
    return None, sorted(signers)
