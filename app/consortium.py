"""`cardchain init`: create a consortium's genesis file and its encrypted keys.

Layout written under DIR::

    genesis.json          canonical JSON: membership, keys, limits, demo merchants
    keys/kdf.json         scrypt parameters that stretch the passphrase
    keys/*.key.pem        encrypted PKCS#8 private keys, one per identity
    identities.json       which key belongs to which identity (public data only)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from node import crypto, tls
from node.consortium import Consortium
from node.ledger.genesis import (
    CHAIN_FORMAT,
    DEFAULT_LIMITS,
    DEFAULT_PARAMS,
    OFFLINE_LIMITS,
    SALE_LIMITS,
    Genesis,
)

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO_PASSPHRASE = "cardchain-demo"  # documented in README: the demo's keys are not secret
BASE_PORT = 7700


class InitError(ValueError):
    pass


def parse_hosts(spec: str | None, n: int) -> list[tuple[str, int]]:
    """``host:port,host:port,...`` for each validator, or loopback with default ports."""
    if not spec:
        return [("127.0.0.1", BASE_PORT + i) for i in range(n)]
    out: list[tuple[str, int]] = []
    for part in spec.split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise InitError(f"bad host:port {part!r}")
        out.append((host, int(port)))
    if len(out) != n:
        raise InitError(f"{len(out)} host:port pairs given for {n} validators")
    return out


def init(home: Path, passphrase: str, *, validators: int = 4, hosts: str | None = None,
         genesis_time: int, kdf_n: int = crypto.SCRYPT_N) -> Consortium:
    home = Path(home)
    if validators < 4 or (validators - 1) % 3:
        raise InitError("validators must be 3f+1 with f >= 1: 4, 7, 10, ...")
    if len(passphrase) < 8:
        raise InitError("the passphrase must have at least 8 characters")
    if (home / "genesis.json").exists():
        raise InitError(f"{home} already holds a consortium; choose an empty folder")
    addrs = parse_hosts(hosts, validators)
    keys = crypto.KeyStore(home / "keys", passphrase, n=kdf_n)
    signing = {name: crypto.generate() for name in identity_names(validators)}
    sealing = {name: crypto.generate() for name in seal_key_names()}
    for name, k in {**signing, **sealing}.items():
        keys.save(name, k)
    ca_pem = _write_tls(home, keys, signing, addrs, genesis_time)
    genesis = build_genesis({n: k.public for n, k in {**signing, **sealing}.items()}, addrs,
                            genesis_time, ca_pem=ca_pem.decode())
    genesis.save(home / "genesis.json")
    identities = {n: k.public for n, k in signing.items()}
    (home / "identities.json").write_text(
        json.dumps(identities, indent=1, ensure_ascii=False) + "\n", "utf-8")
    # every identity but the CA gets a node folder: its app bundles an observer node
    observers = [n for n in signing if not n.startswith("validator-")]
    for name in [f"validator-{i}" for i in range(validators)] + observers:
        node_home = home / "nodes" / name
        node_home.mkdir(parents=True, exist_ok=True)
        (node_home / "node.json").write_text(json.dumps({"identity": name}) + "\n")
    return Consortium(home, genesis, keys)


def _write_tls(home: Path, keys: crypto.KeyStore, signing: dict[str, crypto.SigningKey],
               addrs: list[tuple[str, int]], genesis_time: int) -> bytes:
    """The consortium CA and a certificate for every identity's key, under DIR/tls/."""
    now = dt.datetime.fromtimestamp(genesis_time / 1000, dt.UTC)
    ca_key = crypto.generate()
    keys.save("ca", ca_key)
    ca_pem = tls.make_ca(ca_key, "CardChain consortium CA", now)
    folder = home / "tls"
    folder.mkdir(exist_ok=True)
    (folder / "ca.pem").write_bytes(ca_pem)
    for name, key in signing.items():
        hosts = ["127.0.0.1", "localhost"]
        if name.startswith("validator-"):
            hosts.append(addrs[int(name.split("-")[1])][0])
        (folder / f"{name}.crt").write_bytes(
            tls.issue(ca_key, ca_pem, key, name, sorted(set(hosts)), now))
    return ca_pem


def demo_data() -> dict[str, Any]:
    return dict(json.loads((RESOURCES / "demo" / "consortium.json").read_text("utf-8")))


def identity_names(validators: int) -> list[str]:
    """Key names of every identity in the demo consortium."""
    demo = demo_data()
    names = [f"validator-{i}" for i in range(validators)]
    names += [f"clerk-{b['id']}-1" for b in demo["banks"]]
    # a bank that takes some acts from two clerks (four eyes) has a second one
    names += [f"clerk-{b['id']}-2" for b in demo["banks"] if b.get("four_eyes")]
    names += ["clearing-1", "regulator-1"]
    names += [f"terminal-{t}" for m in demo["merchants"] for t in m["terminals"]]
    return names


def seal_key_name(recipient: str) -> str:
    """The key store name of the key a bank (by id) or "regulator" opens sealed personal
    details with."""
    return "seal-regulator" if recipient == "regulator" else f"seal-bank-{recipient}"


def seal_key_names() -> list[str]:
    demo = demo_data()
    return [seal_key_name(b["id"]) for b in demo["banks"]] + [seal_key_name("regulator")]


def build_genesis(pub: dict[str, str], addrs: list[tuple[str, int]],
                  genesis_time: int, ca_pem: str | None = None) -> Genesis:
    """The demo consortium's genesis for the given public keys (by identity name)."""
    demo = demo_data()
    vals = [{"id": i, "name": f"validator-{i}", "org": _validator_org(demo, i),
             "public_key": pub[f"validator-{i}"], "host": h, "port": p}
            for i, (h, p) in enumerate(addrs)]
    banks = [{"id": b["id"], "name": b["name"], "bin": b["bin"],
              "clerks": [pub[n] for n in (f"clerk-{b['id']}-1", f"clerk-{b['id']}-2")
                         if n in pub],
              "points_contract": b["points_contract"],
              "seal_key": pub[seal_key_name(b["id"])],
              **({"four_eyes": b["four_eyes"]} if b.get("four_eyes") else {})}
             for b in demo["banks"]]
    merchants = [{**m, "terminals": [{"id": t, "public_key": pub[f"terminal-{t}"]}
                                     for t in m["terminals"]]} for m in demo["merchants"]]
    raw = {
        "chain_id": demo["chain_id"], "version": CHAIN_FORMAT, "genesis_time": genesis_time,
        "params": dict(DEFAULT_PARAMS), "limits": {**DEFAULT_LIMITS, **OFFLINE_LIMITS,
                                                          **SALE_LIMITS},
        "validators": vals, "banks": banks,
        "clearing_house": {**demo["clearing_house"], "keys": [pub["clearing-1"]]},
        "regulator": {**demo["regulator"], "keys": [pub["regulator-1"]],
                      "seal_key": pub[seal_key_name("regulator")]},
        "merchants": merchants,
    }
    if ca_pem is not None:
        raw["ca_certificate"] = ca_pem
    return Genesis.from_dict(raw)


def _validator_org(demo: dict[str, Any], i: int) -> str:
    orgs = [b["name"] for b in demo["banks"]] + [demo["clearing_house"]["name"],
                                                 demo["regulator"]["name"]]
    return str(orgs[i % len(orgs)])
