"""The one settings declaration: production defaults, validation, the environment."""

from __future__ import annotations

import dataclasses

import pytest

from app.cli import main
from app.exits import EXIT_USAGE
from node.config import REPLY_BLOCKS, ConfigError, Settings


def test_production_defaults_are_valid_and_documented() -> None:
    s = Settings()
    assert (s.checkpoint_interval, s.window, s.max_batch, s.max_pending) == (50, 200, 500, 400)
    assert s.fetch_chunk == REPLY_BLOCKS
    assert s.durability == "full"  # the safe choice (docs/OPERATIONS.md, "Durability")


@pytest.mark.parametrize(("change", "named"), [
    ({"checkpoint_interval": 0}, "checkpoint_interval"),
    ({"window": 60}, "window"),                       # under twice the checkpoint interval
    ({"max_batch": -1}, "max_batch"),
    ({"request_timeout_ms": 10}, "request_timeout_ms"),
    ({"fetch_chunk": REPLY_BLOCKS + 1}, "fetch_chunk"),
    ({"stash_total": 10, "stash_per_peer": 20}, "stash"),
    ({"keep_effects_hours": -1.0}, "keep_effects_hours"),
    ({"max_pending": 1.5}, "max_pending"),
    ({"peer_addresses": ((1, "", 7000),)}, "peer address"),
    ({"durability": "fast"}, "durability must be one of full, votes, none"),
])
def test_a_setting_out_of_range_is_refused_by_name(change: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        dataclasses.replace(Settings(), **change)


def test_from_env_reads_each_field_and_leaves_the_rest() -> None:
    s = Settings.from_env({"CARDCHAIN_WINDOW": "40", "CARDCHAIN_CHECKPOINT_INTERVAL": "10",
                           "CARDCHAIN_KEEP_EFFECTS_HOURS": "0.5",
                           "CARDCHAIN_PEER_ADDRESSES": "1=127.0.0.1:7001, 2=relay:7002",
                           "CARDCHAIN_DURABILITY": "votes",
                           "CARDCHAIN_PASSPHRASE": "not a setting"})
    assert (s.window, s.checkpoint_interval, s.keep_effects_hours) == (40, 10, 0.5)
    assert s.peer_addresses == ((1, "127.0.0.1", 7001), (2, "relay", 7002))
    assert s.durability == "votes"
    assert s.max_batch == Settings().max_batch


@pytest.mark.parametrize(("env", "named"), [
    ({"CARDCHAIN_WINDOW": "lots"}, "CARDCHAIN_WINDOW"),
    ({"CARDCHAIN_WINDOW": "10"}, "window"),
    ({"CARDCHAIN_PEER_ADDRESSES": "1=nowhere"}, "CARDCHAIN_PEER_ADDRESSES"),
    ({"CARDCHAIN_DURABILITY": "off"}, "durability"),
])
def test_from_env_names_a_bad_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_a_bad_setting_stops_the_node_command_with_a_usage_error(
        tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.consortium import DEMO_PASSPHRASE, init

    init(tmp_path / "c", DEMO_PASSPHRASE, validators=4, genesis_time=1_700_000_000_000,
         kdf_n=2**10)
    monkeypatch.setenv("CARDCHAIN_WINDOW", "3")
    code = main(["node", "--home", str(tmp_path / "c" / "nodes" / "validator-0"),
                 "--demo-passphrase"])
    assert code == EXIT_USAGE
    assert "window must be at least twice checkpoint_interval" in capsys.readouterr().err
