"""`cardchain init` and `cardchain demo` as a user runs them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from app import cli, exits
from app.demo import load_demo_pins, run_demo
from node import codec
from node.cardfile import CardFile
from node.consortium import Consortium
from node.ledger import Genesis, GenesisError
from node.ledger import queries as q
from node.store import Store
from tests.support.invariants import check_store
from ui import cli as ui_cli


def _init(tmp_path: Path, *extra: str) -> tuple[int, Path]:
    pw = tmp_path / "pw.txt"
    pw.write_text("a long passphrase\n")
    home = tmp_path / "cons"
    rc = cli.main(["init", str(home), "--passphrase-file", str(pw),
                   "--genesis-time", "1795478400000", *extra])
    return rc, home


@pytest.mark.parametrize("n", [4, 7, 10])
def test_init_writes_genesis_and_encrypted_keys(tmp_path: Path, n: int,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    rc, home = _init(tmp_path, "--validators", str(n))
    assert rc == 0
    out = capsys.readouterr().out
    assert f"tolerates {(n - 1) // 3} faulty" in out
    g = Genesis.load(home / "genesis.json")
    assert len(g.validators) == n
    assert len(g.banks) == 2 and len(g.merchants) == 3
    assert all(m["catalogue"] and m["terminals"] for m in g.merchants)
    assert g.limits == {"named_balance_cap": 500_000, "anonymous_balance_cap": 100_000,
                        "real_name_threshold": 1_000_000, "offline_per_payment": 20_000,
                        "offline_per_card_day": 50_000, "organisation_cash_limit": 500_000,
                        "person_cash_limit": 5_000_000}
    pems = list((home / "keys").glob("*.key.pem"))
    # validators, clerks (JRB's two: it takes some acts from two clerks), clearing house
    # and regulator, terminals, the consortium CA, and the keys personal details are
    # sealed for (two banks and the regulator)
    assert len(pems) == n + 3 + 2 + 4 + 1 + 3
    assert {p.name for p in pems} >= {"seal-bank-EHB.key.pem", "seal-bank-JRB.key.pem",
                                      "seal-regulator.key.pem"}
    assert all(g.seal_key(r) for r in ("EHB", "JRB", "regulator"))
    assert g.ca_certificate and g.ca_certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert len(list((home / "tls").glob("*.crt"))) == n + 3 + 2 + 4
    assert [len(b["clerks"]) for b in g.banks] == [1, 2] and g.banks[1]["four_eyes"]
    assert (home / "nodes" / "validator-0" / "node.json").exists()
    for p in pems:
        assert p.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    cons = Consortium.open(home, "a long passphrase")
    assert cons.key("validator-0").public == g.validators[0]["public_key"]
    assert "a long passphrase" not in "".join(p.read_text() for p in home.rglob("*.json"))


def test_init_hosts_for_several_machines(tmp_path: Path) -> None:
    rc, home = _init(tmp_path, "--hosts", "10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000,"
                                          "10.0.0.4:7001")
    assert rc == 0
    g = Genesis.load(home / "genesis.json")
    assert [(v["host"], v["port"]) for v in g.validators][3] == ("10.0.0.4", 7001)


@pytest.mark.parametrize(("args", "message"), [
    (["--validators", "5"], "3f+1"),
    (["--hosts", "a:1,b:2"], "2 host:port pairs given for 4"),
    (["--hosts", "a,b,c,d"], "bad host:port"),
])
def test_init_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    rc, home = _init(tmp_path, *args)
    assert rc == 2
    assert message in capsys.readouterr().err
    assert not (home / "genesis.json").exists()


def test_init_refuses_existing_consortium_and_short_passphrase(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _init(tmp_path)[0] == 0
    assert _init(tmp_path)[0] == 2
    assert "already holds a consortium" in capsys.readouterr().err
    short = tmp_path / "short.txt"
    short.write_text("abc")
    assert cli.main(["init", str(tmp_path / "x"), "--passphrase-file", str(short)]) == 2
    assert "at least 8" in capsys.readouterr().err


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    _, home = _init(tmp_path)
    cons = Consortium.open(home, "not the passphrase")
    with pytest.raises(Exception, match="wrong passphrase"):
        cons.key("clearing-1")


def test_offline_commands_name_what_is_wrong_with_their_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, home = _init(tmp_path)
    genesis = str(home / "genesis.json")
    junk = tmp_path / "receipt.txt"
    junk.write_text("hello")
    assert cli.main(["verify-receipt", str(junk), "--genesis", genesis]) \
        == exits.EXIT_INVALID_RECEIPT
    assert "invalid: receipt: neither" in capsys.readouterr().out
    assert cli.main(["verify-receipt", str(tmp_path / "none.json"), "--genesis", genesis]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert cli.main(["audit", "--home", str(tmp_path)]) == 2  # not a node's folder
    assert "no node ledger" in capsys.readouterr().err
    assert not (tmp_path / "ledger.db").exists()  # and none was created there
    for bad in ("2026", "20261332", "x"):
        with pytest.raises(SystemExit):
            cli.main(["statement", str(home), "--as", "clearing-1", "--merchant", "M001",
                      "--cycle", bad])
        assert "is not a cycle" in capsys.readouterr().err
    assert ui_cli.position_arg("40,60") == (40, 60)
    for bad in ("40", "a,b", "-5,0"):
        with pytest.raises(Exception, match=r"X,Y|off any screen"):
            ui_cli.position_arg(bad)


def test_genesis_validation_names_the_problem(tmp_path: Path) -> None:
    _, home = _init(tmp_path)
    raw = codec.decode((home / "genesis.json").read_bytes())
    bad = dict(raw, validators=raw["validators"][:3])
    with pytest.raises(GenesisError, match="3f\\+1"):
        Genesis.from_dict(bad)
    bad = dict(raw, limits={**raw["limits"], "named_balance_cap": 1.5})
    with pytest.raises(GenesisError):
        Genesis.from_dict(bad)
    (home / "genesis.json").write_text(json.dumps(raw, indent=2))
    with pytest.raises(GenesisError, match="canonical"):
        Genesis.load(home / "genesis.json")


def test_demo_day(tmp_path: Path) -> None:
    lines: list[str] = []
    day = run_demo(tmp_path, lines.append, cluster=False)
    text = "\n".join(lines)
    assert "REJECTED real_name_required" in text
    assert "REJECTED settlement_mismatch" in text
    assert "REJECTED balance_cap" in text
    assert "REJECTED anonymous_card" in text  # an anonymous card is not reported lost
    assert "sum of all balances per asset" in text and "SQLite integrity check: ok" in text
    home = tmp_path / "consortium"
    store = Store(home / "nodes" / "validator-0" / "ledger.db")
    check_store(store, day.genesis)
    assert set(day.cycles.values()) == {20261124}
    for m in day.genesis.merchants:
        s = q.cycle_statement(store, day.genesis, m["id"], 20261124)
        assert s["settled"] and s["count"] >= 1
    pins = load_demo_pins(home)
    number, pin = next(iter(pins.items()))
    cf = CardFile.load(home / "cards" / f"{number}.card.json")
    assert cf.unlock(pin).public == cf.public_key
    assert not re.search(r"PIN\D{0,8}\d{6}", text)  # PINs never printed
    # running it again starts over cleanly
    run_demo(tmp_path, lambda _: None, cluster=False)


def test_make_demo_headless_writes_every_screen(tmp_path: Path) -> None:
    """What `make demo` does without a display: the day on 4 validator processes, then the
    three windows driven headless, a screenshot of every screen in both languages and in
    the dark palette, the exported statement, and every process stopped."""
    import struct
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-m", "ui.cli", "demo", "--out", str(tmp_path)],
                         env=env, cwd=root, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "regulator: Audit passed" in out.stdout and "Validators stopped." in out.stdout
    assert "propagateSizeHints" not in out.stdout + out.stderr  # Qt's noise goes to the log
    # no connection left open at exit (a status refresh under way when the windows closed)
    assert "Task was destroyed" not in out.stdout + out.stderr
    shots = sorted((tmp_path / "screenshots").glob("*/*.png"))
    names = {p.name for p in shots if p.parent.name == "en"}
    assert {p.name for p in shots if p.parent.name == "zh_CN"} <= names
    assert len(shots) >= 28 and {"pos-1-sale.png", "console-1-cards.png",
                                 "regulator-3-charts.png"} <= names
    assert {p.name for p in shots if p.parent.name == "dark"} <= names  # the dark palette
    for p in shots:  # the windows at 1280x800, a transaction's detail dialog smaller
        size = {"regulator-6-transaction.png": (760, 640),
                "pos-5-customer-display.png": (800, 600)}.get(p.name, (1280, 800))
        assert struct.unpack(">II", p.read_bytes()[16:24]) == size, p
    assert (tmp_path / "statement-M001.pdf").read_bytes()[:5] == b"%PDF-"
    from tests.support.cluster import processes_mentioning

    assert not processes_mentioning(str(tmp_path)), "processes left running"
    # no machine holds a cardholder's details in clear (sealed on chain), and the till's
    # folder holds no other merchant's sales: every byte of every file, WALs included
    from app.demo import DEMO_HOLDERS

    private = [p for name, (id_number, phone) in DEMO_HOLDERS.items()
               for p in (*name.rsplit(" ", 1), id_number, phone)] + ["Liu Yang", "刘洋"]
    nodes = tmp_path / "consortium" / "nodes"
    for folder in nodes.iterdir():
        blob = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
        assert not [x for x in private if x.encode() in blob], folder.name
    till = nodes / "terminal-M001-T01"
    blob = b"".join(p.read_bytes() for p in till.rglob("*") if p.is_file())
    assert (till / "headers.db").exists() and not (till / "ledger.db").exists()
    assert b"M001-T01" in blob and b"M002" not in blob and b"M003" not in blob


def test_a_node_log_rolls_over_by_size(tmp_path: Path) -> None:
    import logging

    from app.runner import node_logging

    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    log = tmp_path / "node.log"
    try:
        node_logging("info", log, max_bytes=2_000, backups=2)
        for i in range(300):
            logging.getLogger("cardchain.net").warning("closed a connection: junk %d", i)
        logging.shutdown()
    finally:
        for h in root.handlers[:]:
            root.removeHandler(h)
            h.close()
        for h in kept[0]:
            root.addHandler(h)
        root.setLevel(kept[1])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["node.log", "node.log.1", "node.log.2"]  # two old ones kept, no more
    assert all(p.stat().st_size <= 2_100 for p in tmp_path.iterdir())
    assert "junk 299" in log.read_text("utf-8")



def test_a_spawned_node_leaves_no_file_open_in_the_parent(tmp_path: Path) -> None:
    """The child's stderr file belongs to the child: the parent (the demo, a cluster runner)
    left its copy to the collector, one ResourceWarning per node under `python -X dev`."""
    import gc
    import warnings

    from app.runner import spawn_node

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        proc = spawn_node(tmp_path / "no-such-home", "unused", log_file=tmp_path / "node.log")
        gc.collect()
    try:
        assert not [w for w in seen if issubclass(w.category, ResourceWarning)]
    finally:
        proc.kill()
        proc.wait(timeout=15)


def _cardchain(*argv: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "app.cli", *argv]


def test_cluster_runs_from_a_relative_folder(tmp_path: Path) -> None:
    """`cardchain cluster DIR` with DIR relative to where it is typed: the validators (which
    run in the project's folder) come up and answer `status`."""
    import signal
    import subprocess

    from tests.support.cluster import processes_mentioning
    from tests.support.waiting import poll

    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "CARDCHAIN_PASSPHRASE": "a long passphrase",
           "PYTHONPATH": str(repo)}
    subprocess.run(_cardchain("init", "rel", "--hosts", ",".join(
        f"127.0.0.1:{p}" for p in _free(4))), cwd=tmp_path, env=env, check=True,
        capture_output=True, timeout=120)
    proc = subprocess.Popen(_cardchain("cluster", "rel"), cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def status() -> str:
            return subprocess.run(_cardchain("status", "rel"), cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=60).stdout

        printed = poll(status, lambda out: out.count("connected to") == 4, timeout=60)
        assert "unreachable" not in printed, printed
        logs = list((tmp_path / "rel" / "nodes").glob("validator-*/node.log"))
        assert len(logs) == 4 and all("listening" in p.read_text() for p in logs)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "restarting" not in out, out
    assert "all nodes stopped" in out
    assert not processes_mentioning(str(tmp_path)), "processes left running"


def _free(n: int) -> list[int]:
    from app.runner import free_ports

    return free_ports(n)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`cardchain init DIR | head -1`: the reader goes away; no traceback, the pipe's exit
    status, and the consortium written all the same."""
    import subprocess

    env = {**os.environ, "CARDCHAIN_PASSPHRASE": "a long passphrase"}
    proc = subprocess.Popen(_cardchain("init", str(tmp_path / "c")), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parent.parent)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before init (scrypt) has printed anything
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert proc.returncode == 141
    assert (tmp_path / "c" / "genesis.json").is_file()


def test_cluster_leaves_stopped_a_validator_that_cannot_start(tmp_path: Path) -> None:
    """A validator that dies right after starting, again and again (here: its node folder
    names no identity), is not restarted for ever: after five quick exits the supervisor
    leaves it stopped and says where its log is; with none left it ends."""
    import subprocess

    env = {**os.environ, "CARDCHAIN_PASSPHRASE": "a long passphrase"}
    repo = Path(__file__).resolve().parent.parent
    subprocess.run(_cardchain("init", str(tmp_path / "c"), "--hosts", ",".join(
        f"127.0.0.1:{p}" for p in _free(4))), env=env, check=True, capture_output=True,
        timeout=120, cwd=repo)
    for node_json in (tmp_path / "c" / "nodes").glob("validator-*/node.json"):
        node_json.write_text("{}")
    done = subprocess.run(_cardchain("cluster", str(tmp_path / "c")), env=env, cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("times within 10 s of starting; left stopped") == 4
    assert "node.log" in done.stdout and "no validator left running" in done.stdout


def test_a_tills_identity_runs_no_standalone_node(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A till keeps no copy of the chain: `cardchain node` says where its node runs."""
    rc, home = _init(tmp_path)
    assert rc == 0
    pw = tmp_path / "pw.txt"
    assert cli.main(["node", "--home", str(home / "nodes" / "terminal-M001-T01"),
                     "--passphrase-file", str(pw)]) == 2
    assert "light node runs inside its window" in capsys.readouterr().err
