"""Route guards alone: anonymous, wrong role, right role."""

from types import SimpleNamespace

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from foundation.guards import requires_admin, requires_role, requires_sign_in
from foundation.roles import Role
from people.services.auth import CurrentUser


def connection(*roles: str):  # type: ignore[no-untyped-def]
    user = None
    if roles:
        user = CurrentUser(
            id=1,
            email="a@example.org",
            display_name="A",
            roles=frozenset(roles),
            trainee_id=None,
            language="km",
            session_hash="x",
        )
    return SimpleNamespace(scope={"user": user})


def test_anonymous_must_sign_in():
    with pytest.raises(NotAuthorizedException):
        requires_sign_in(connection(), None)  # type: ignore[arg-type]
    with pytest.raises(NotAuthorizedException):
        requires_admin(connection(), None)  # type: ignore[arg-type]


def test_wrong_role_is_denied():
    with pytest.raises(PermissionDeniedException):
        requires_admin(connection("trainer", "trainee"), None)  # type: ignore[arg-type]


def test_any_listed_role_is_enough():
    guard = requires_role(Role.admin, Role.trainer)
    guard(connection("trainer"), None)  # type: ignore[arg-type]
    requires_sign_in(connection("trainee"), None)  # type: ignore[arg-type]
    assert guard.__name__ == "requires_admin_or_trainer"
