"""Who may read what: one table of operations and queries (node/access.py)."""

from __future__ import annotations

import pytest

from node import access
from node.access import AccessError, allow_op, allowed, role_of


def test_every_operation_and_query_is_declared_with_known_roles() -> None:
    assert set(access.OPS) == {"submit", "status", "subscribe", "query"}
    for name, q in access.QUERIES.items():
        assert q.roles and q.roles <= access.ROLES, name
        assert q.handler is not None or name == "receipt", name  # the endpoint's own
        assert q.roles == access.ROLES or q.refusal, name  # a refused role is told why


@pytest.mark.parametrize(("identity", "op"), [
    ("validator-0", "status"), ("validator-0", "query"), ("nobody", "submit"),
    ("regulator-1", "delete"), ("regulator-1", None),
])
def test_an_operation_outside_the_table_or_role_is_refused(identity: str, op: object) -> None:
    with pytest.raises(AccessError):
        allow_op(role_of(identity)[0], op)


def test_a_query_is_refused_to_a_role_it_does_not_list_with_its_reason() -> None:
    with pytest.raises(AccessError, match="for the regulator"):
        allowed("terminal", "compliance")
    with pytest.raises(AccessError, match="only a terminal"):
        allowed("clerk", "offer")
    with pytest.raises(AccessError, match="unknown query"):
        allowed("regulator", "everything")
    assert allowed("regulator", "compliance").handler is not None
    assert allowed("terminal", "receipt").handler is None
