"""An audit finding: its English text, and the wording and parts it was made from.

A `Finding` is a `str` (the CLI prints it, the tests read it) that also keeps its wording
(``template``, with %1, %2, ... for its parts) and the ``parts``, so that a window words it
in its own language without parsing the text back.
"""

from __future__ import annotations

from typing import Any


class Finding(str):
    template: str
    parts: tuple[str, ...]

    def __new__(cls, template: str, *parts: object) -> Finding:
        text = template
        for i in range(len(parts), 0, -1):  # %10 before %1
            text = text.replace(f"%{i}", str(parts[i - 1]))
        self = super().__new__(cls, text)
        self.template = template
        self.parts = tuple(str(p) for p in parts)
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # across the audit's worker processes
        return (Finding, (self.template, *self.parts))
