from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.cluster import LocalCluster, running_cluster  # noqa: E402
from tests.support.nodes import NODE_PASS, local_consortium  # noqa: E402
from tests.support.rules import Cluster  # noqa: E402
from tests.support.world import World  # noqa: E402


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def c() -> Cluster:
    """Replicas driven by hand, for the PBFT rules tests (tests/support/rules.py)."""
    return Cluster()


@pytest.fixture(scope="module")
def cons(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Four validators on loopback, for tests that run validator Nodes in one process."""
    return local_consortium(tmp_path_factory.mktemp("nodes") / "cons", NODE_PASS)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """Four validator processes on loopback (tests/support/cluster.py), all stopped after."""
    with running_cluster(tmp_path) as c:
        yield c


# What `make test-fast` leaves out: tests that start validators (in-process or as
# processes), windows, crash children or the seeded network simulator. The unit and property
# tests that remain run in under a minute.
SLOW_MODULES = frozenset({
    "test_cluster", "test_cluster_edges", "test_cli_exit_codes", "test_till_crash",
    "test_nemesis", "test_gui", "test_gui_till", "test_consensus_sim", "test_node_paths",
    "test_node_transfer", "test_state_transfer", "test_overload", "test_store_crash",
    "test_audit_fuzz", "test_cli", "test_receipts",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
