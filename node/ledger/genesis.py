"""The genesis file: the one source of membership, keys, limits and the initial state.

It is canonical JSON (node/codec.py) so its hash is well defined; every block chains back
to ``Genesis.hash``.  ``load`` checks every field and names the first thing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node import codec
from node.ledger import tx as f
from node.ledger.errors import Rejected

# Defaults follow the PRC single-purpose prepaid card rules; genesis may override each.
DEFAULT_LIMITS: dict[str, int] = {
    "named_balance_cap": 500_000,        # 5,000 CNY
    "anonymous_balance_cap": 100_000,    # 1,000 CNY
    # cards bought in one go at or above 10,000 CNY need the buyer's real-name registration
    # (chain format 5, node/ledger/sales.py; before, spending at a merchant was checked)
    "real_name_threshold": 1_000_000,
}
# from chain format 5 (node/ledger/sales.py): cash paid in one go for prepaid value at or
# above these is refused (a bank transfer); optional in genesis, these when absent
SALE_LIMITS: dict[str, int] = {
    "organisation_cash_limit": 500_000,  # 5,000 CNY
    "person_cash_limit": 5_000_000,      # 50,000 CNY
}
# offline acceptance at a till (no validator reachable): the most one payment, and one card
# in a day, may be taken before the network decides; 0 turns it off.  Optional in genesis
# (consortia created before it have none: no offline acceptance); new ones get these.
OFFLINE_LIMITS: dict[str, int] = {
    "offline_per_payment": 20_000,       # 200 CNY
    "offline_per_card_day": 50_000,      # 500 CNY
}
DEFAULT_PARAMS: dict[str, int] = {
    "max_ttl_ms": 24 * 3600 * 1000,      # a transaction may not expire further out than this
    "utc_offset_min": 480,               # business days and cut-offs are in China time
    "checkpoint_interval": 100,
    "max_batch": 500,
}


# the chain format new consortia get (Genesis.chain_format); older ones keep theirs
CHAIN_FORMAT = 6


class GenesisError(ValueError):
    pass


@dataclass(frozen=True)
class Genesis:
    raw: dict[str, Any]
    hash: bytes

    @property
    def chain_id(self) -> str:
        return str(self.raw["chain_id"])

    @property
    def limits(self) -> dict[str, int]:
        return dict(self.raw["limits"])

    @property
    def params(self) -> dict[str, int]:
        return dict(self.raw["params"])

    @property
    def validators(self) -> list[dict[str, Any]]:
        return list(self.raw["validators"])

    @property
    def banks(self) -> list[dict[str, Any]]:
        return list(self.raw["banks"])

    @property
    def bank_ids(self) -> list[str]:
        return [b["id"] for b in self.raw["banks"]]

    @property
    def merchants(self) -> list[dict[str, Any]]:
        return list(self.raw["merchants"])

    @property
    def clearing_house(self) -> dict[str, Any]:
        return dict(self.raw["clearing_house"])

    @property
    def regulator(self) -> dict[str, Any]:
        return dict(self.raw["regulator"])

    def seal_key(self, recipient: str) -> str | None:
        """The public key a bank (by id) or "regulator" has personal details sealed for
        (None before chain format 4)."""
        entry = self.regulator if recipient == "regulator" else \
            next((b for b in self.banks if b["id"] == recipient), {})
        key = entry.get("seal_key")
        return None if key is None else str(key)

    @property
    def ca_certificate(self) -> str | None:
        ca = self.raw.get("ca_certificate")
        return None if ca is None else str(ca)

    @property
    def chain_format(self) -> int:
        """1: a block's state root hashes its writes and result codes one by one; 2 (new
        consortia): it hashes the block's effects texts (every write, and every result with
        its message, index columns and postings), which a catching-up node copies instead
        of re-executing the block (node/ledger/effects.py); 3: the header also carries the
        Merkle root of the block's results, so a receipt proves its transaction's result;
        4: a named card's holder details are sealed for its bank and the regulator (each
        has a ``seal_key`` here), never in clear on chain (node/ledger/cards.py); 5: points
        are held in dated lots that expire (node/ledger/lots.py), a bank's contract names
        the goods its points pay for per terminal, and the prepaid-card rules apply to
        the sale of cards and to top-ups (node/ledger/sales.py)."""
        return int(self.raw["version"])

    @property
    def genesis_time(self) -> int:
        return int(self.raw["genesis_time"])

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Genesis:
        try:
            validate(raw)
        except Rejected as exc:
            raise GenesisError(exc.message) from exc
        try:
            return cls(raw, codec.digest(raw))
        except codec.EncodingError as exc:
            raise GenesisError(str(exc)) from exc

    @classmethod
    def load(cls, path: Path) -> Genesis:
        try:
            raw = codec.decode(Path(path).read_bytes())
        except FileNotFoundError as exc:
            raise GenesisError(f"no genesis file at {path}") from exc
        except codec.EncodingError as exc:
            raise GenesisError(f"genesis file is not canonical JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise GenesisError("genesis must be an object")
        return cls.from_dict(raw)

    def save(self, path: Path) -> None:
        Path(path).write_bytes(codec.encode(self.raw))


def validate_contract(c: Any) -> dict[str, Any]:
    """A bank's points contract: how many points make 1 CNY and how much may be redeemed,
    and (optional, ``earn``) what its cardholders earn (node/ledger/points.py ``earned``)."""
    if not isinstance(c, dict):
        raise Rejected(f.Reason.MALFORMED, "points contract must be an object")
    f.check_body(c, {"points_per_cny", "max_share_bp", "max_fen_per_order"},
                 {"earn", "expire_days", "terminals"})
    f.integer(c["points_per_cny"], "points_per_cny", 1, 1_000_000)
    if "expire_days" in c:  # lots expire this many whole days after the day earned
        f.integer(c["expire_days"], "expire_days", 0, 36_500)
    f.integer(c["max_share_bp"], "max_share_bp", 0, 10_000)
    f.amount(c["max_fen_per_order"], "max_fen_per_order", allow_zero=True)
    if "earn" in c:
        validate_earning(c["earn"])
    if "terminals" in c:
        validate_terminal_rules(c["terminals"])
    return dict(c)


def validate_terminal_rules(t: Any) -> None:
    """Per terminal, the goods (by sku) this bank's points may pay for there and the most
    they may pay of one order there (chain format 5; a terminal not named keeps the
    merchant catalogue's choice and the contract's cap)."""
    if not isinstance(t, dict) or len(t) > 1000:
        raise Rejected(f.Reason.MALFORMED, "terminals maps at most 1000 terminal ids")
    for tid, entry in t.items():
        f.ident(tid, "terminal id")
        if not isinstance(entry, dict):
            raise Rejected(f.Reason.MALFORMED, f"terminals.{tid} must be an object")
        f.check_body(entry, {"skus", "max_fen_per_order"}, set())
        skus = entry["skus"]
        if not isinstance(skus, list) or len(skus) > 1000 or len(set(skus)) != len(skus):
            raise Rejected(f.Reason.MALFORMED,
                           f"terminals.{tid}.skus must be a list of at most 1000 distinct skus")
        for sku in skus:
            f.ident(sku, "sku")
        f.amount(entry["max_fen_per_order"], f"terminals.{tid}.max_fen_per_order",
                 allow_zero=True)


def validate_earning(e: Any) -> None:
    """Points per CNY of card cash spent (``per_cny``; per merchant in ``merchants``, per
    merchant category in ``categories``, the merchant's own rate first) and per CNY topped
    up (``top_up_per_cny``), at most ``daily_cap`` points a card a day (0: no cap)."""
    if not isinstance(e, dict):
        raise Rejected(f.Reason.MALFORMED, "earn must be an object")
    f.check_body(e, set(), {"per_cny", "top_up_per_cny", "daily_cap", "merchants",
                            "categories"})
    for k in ("per_cny", "top_up_per_cny"):
        if k in e:
            f.integer(e[k], f"earn.{k}", 0, 10_000)
    if "daily_cap" in e:
        f.integer(e["daily_cap"], "earn.daily_cap", 0, 10**9)
    for key, what in (("merchants", "merchant id"), ("categories", "merchant category")):
        rates = e.get(key, {})
        if not isinstance(rates, dict) or len(rates) > 1000:
            raise Rejected(f.Reason.MALFORMED, f"earn.{key} maps at most 1000 of them")
        for m, v in rates.items():
            f.ident(m, what)
            f.integer(v, f"earn.{key}.{m}", 0, 10_000)


def validate_catalogue(items: Any, banks: set[str], *, categories: bool = True) \
        -> list[dict[str, Any]]:
    """A merchant's goods: sku, name, price, the banks whose points may pay for it and
    (``categories``: genesis, and catalogue changes from chain format 6) a category the
    till groups its goods by."""
    if not isinstance(items, list) or len(items) > 1000:
        raise Rejected(f.Reason.MALFORMED, "catalogue must be a list of at most 1000 goods")
    seen: set[str] = set()
    for it in items:
        if not isinstance(it, dict):
            raise Rejected(f.Reason.MALFORMED, "each catalogue entry must be an object")
        f.check_body(it, {"sku", "name", "price", "points_banks"},
                     {"category"} if categories else set())
        f.ident(it["sku"], "sku")
        if "category" in it:
            f.name(it["category"], "goods category")
        if it["sku"] in seen:
            raise Rejected(f.Reason.MALFORMED, f"sku {it['sku']} listed twice")
        seen.add(it["sku"])
        f.name(it["name"], "goods name")
        f.amount(it["price"], "price")
        pb = it["points_banks"]
        if not isinstance(pb, list) or len(set(pb)) != len(pb):
            raise Rejected(f.Reason.MALFORMED, "points_banks must be a list of distinct banks")
        for b in pb:
            if b not in banks:
                raise Rejected(f.Reason.UNKNOWN_BANK, f"catalogue names unknown bank {b!r}")
    return items


FOUR_EYES_ACTS = ("unfreeze", "close_card", "set_points_contract", "transfer")


def _four_eyes(b: dict[str, Any]) -> None:
    """A bank's acts that take two clerks (node/ledger/approvals.py, chain format 6)."""
    acts = b.get("four_eyes", [])
    if not isinstance(acts, list) or len(set(acts)) != len(acts) or \
            any(a not in FOUR_EYES_ACTS for a in acts):
        raise Rejected(f.Reason.MALFORMED, f"four_eyes lists distinct acts of "
                                           f"{', '.join(FOUR_EYES_ACTS)}")
    if acts and len(b.get("clerks") or []) < 2:
        raise Rejected(f.Reason.MALFORMED, f"bank {b.get('id')!r} takes acts from two clerks "
                                           "and needs at least two")


def _seal_key(raw: dict[str, Any], entry: dict[str, Any], who: str) -> None:
    """From chain format 4 a bank and the regulator each publish the key personal details
    are sealed for (its private half stays with them)."""
    if "seal_key" in entry:
        f.public_key(entry["seal_key"], f"{who}'s seal key")
    elif type(raw.get("version")) is int and raw["version"] >= 4:
        raise Rejected(f.Reason.MALFORMED, f"{who} needs a seal_key (chain format 4)")


def validate(raw: dict[str, Any]) -> None:
    f.check_body(raw, {"chain_id", "version", "genesis_time", "params", "limits",
                       "validators", "banks", "clearing_house", "regulator", "merchants"},
                 {"ca_certificate", "compliance"})
    f.ident(raw["chain_id"], "chain_id")
    comp = raw.get("compliance", {})
    if not isinstance(comp, dict) or not all(
            isinstance(v, dict) and all(type(x) is int for x in v.values())
            for v in comp.values()):
        raise Rejected(f.Reason.MALFORMED, "compliance must map rule names to integer settings")
    if "ca_certificate" in raw and not (isinstance(raw["ca_certificate"], str)
                                        and raw["ca_certificate"].startswith("-----BEGIN")):
        raise Rejected(f.Reason.MALFORMED, "ca_certificate must be a PEM certificate")
    f.integer(raw["version"], "version", 1, CHAIN_FORMAT)
    f.integer(raw["genesis_time"], "genesis_time", 0, 2**62)
    for key, default, optional in (("params", DEFAULT_PARAMS, {}),
                                   ("limits", DEFAULT_LIMITS,
                                    {**OFFLINE_LIMITS, **SALE_LIMITS})):
        got = raw[key]
        if not isinstance(got, dict) or not set(default) <= set(got) <= {*default, *optional}:
            raise Rejected(f.Reason.MALFORMED, f"{key} must have exactly {sorted(default)}"
                           + (f" and may have {sorted(optional)}" if optional else ""))
        for k, v in got.items():
            f.integer(v, f"{key}.{k}", 0, 10**12)
    vals = raw["validators"]
    if not isinstance(vals, list) or len(vals) < 4 or (len(vals) - 1) % 3:
        raise Rejected(f.Reason.MALFORMED, "validators must number 3f+1 with f >= 1")
    for i, v in enumerate(vals):
        f.check_body(v, {"id", "name", "org", "public_key", "host", "port"}, {"tls_cert"})
        f.integer(v["id"], "validator id", i, i)
        f.name(v["name"], "validator name")
        f.name(v["org"], "validator org")
        f.public_key(v["public_key"], "validator key")
        f.name(v["host"], "validator host")
        f.integer(v["port"], "validator port", 1, 65535)
    bank_ids: set[str] = set()
    bins: set[str] = set()
    for b in raw["banks"]:
        f.check_body(b, {"id", "name", "bin", "clerks", "points_contract"},
                     {"seal_key", "four_eyes"})
        _four_eyes(b)
        _seal_key(raw, b, f"bank {b.get('id')!r}")
        f.ident(b["id"], "bank id")
        f.name(b["name"], "bank name")
        if not (isinstance(b["bin"], str) and len(b["bin"]) == 6 and b["bin"].isdigit()):
            raise Rejected(f.Reason.MALFORMED, "bank bin must be 6 digits")
        if b["id"] in bank_ids or b["bin"] in bins:
            raise Rejected(f.Reason.MALFORMED, f"bank {b['id']} or its BIN is listed twice")
        bank_ids.add(b["id"])
        bins.add(b["bin"])
        for k in b["clerks"]:
            f.public_key(k, "clerk key")
        validate_contract(b["points_contract"])
    for role in ("clearing_house", "regulator"):
        r = raw[role]
        f.check_body(r, {"id", "name", "keys"}, {"seal_key"} if role == "regulator" else set())
        if role == "regulator":
            _seal_key(raw, r, "the regulator")
        f.ident(r["id"], f"{role} id")
        f.name(r["name"], f"{role} name")
        for k in r["keys"]:
            f.public_key(k, f"{role} key")
    mids: set[str] = set()
    for m in raw["merchants"]:
        f.check_body(m, {"id", "name", "acquirer", "fee_bp", "cutoff_min", "terminals",
                         "catalogue"}, {"category"})
        if "category" in m:
            f.ident(m["category"], "merchant category")
        f.ident(m["id"], "merchant id")
        if m["id"] in mids:
            raise Rejected(f.Reason.MALFORMED, f"merchant {m['id']} listed twice")
        mids.add(m["id"])
        f.name(m["name"], "merchant name")
        if m["acquirer"] not in bank_ids:
            raise Rejected(f.Reason.UNKNOWN_BANK, f"acquirer {m['acquirer']!r} is not a bank")
        f.integer(m["fee_bp"], "fee_bp", 0, 10_000)
        f.integer(m["cutoff_min"], "cutoff_min", 0, 1439)
        for t in m["terminals"]:
            f.check_body(t, {"id", "public_key"}, set())
            f.ident(t["id"], "terminal id")
            f.public_key(t["public_key"], "terminal key")
        validate_catalogue(m["catalogue"], bank_ids)
