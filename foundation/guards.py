"""Route guards: who may reach a handler. Plain functions, unit-tested alone."""

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from foundation.roles import Role

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def requires_sign_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException()


def requires_role(*roles: Role) -> Guard:
    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        requires_sign_in(connection, handler)
        if not connection.scope["user"].has_role(*roles):
            raise PermissionDeniedException()

    guard.__name__ = f"requires_{'_or_'.join(r.value for r in roles)}"
    return guard


requires_admin = requires_role(Role.admin)
STAFF = [requires_role(Role.admin, Role.trainer)]  # the guards of pages for those who run cohorts
