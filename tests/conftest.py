from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.nodes import NODE_PASS, local_consortium  # noqa: E402
from tests.support.world import World  # noqa: E402


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def cons(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Four validators on loopback, for tests that run validator Nodes in one process."""
    return local_consortium(tmp_path_factory.mktemp("nodes") / "cons", NODE_PASS)
