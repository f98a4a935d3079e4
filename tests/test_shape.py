"""The code's shape, checked like any behaviour: no import cycle, no module over 500 lines,
no sleep used as a wait in the tests. (The layers, ui -> app -> node, are import-linter's
contracts in pyproject.toml, run by `make lint`.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "node", "ui", "tests")
MAX_LINES = 500
# the one place that may sleep to wait: polling what offers no event (tests/support/waiting.py)
WAITING = ROOT / "tests" / "support" / "waiting.py"
# a sleep that is not a wait says why on its line: pacing load, holding a fault, stalling a
# loop on purpose, or a child process's part in a crash test
NOT_A_WAIT = "# not a wait:"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    """Counting imports made only for type checking: a cycle there is a cycle of design."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    edges = {m: {x for x in graph.find_modules_directly_imported_by(m) if x in graph.modules}
             for m in graph.modules}
    found = cycles(edges)
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_module_over_500_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for d in (*PACKAGES, "bench")
            for p in (ROOT / d).rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_sleep_used_as_a_wait_in_tests() -> None:
    """Tests wait on events (a height reached, a node idle) or poll with a deadline through
    tests/support/waiting.py; any other sleep says on its line why it is not a wait."""
    found = []
    for p in (ROOT / "tests").rglob("*.py"):
        if p in (WAITING, Path(__file__).resolve()):
            continue
        for i, line in enumerate(p.read_text("utf-8").splitlines(), 1):
            if re.search(r"\bsleep\(", line) and NOT_A_WAIT not in line \
                    and "sleep(0)" not in line:
                found.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not found, "sleeps used to wait:\n" + "\n".join(found)
