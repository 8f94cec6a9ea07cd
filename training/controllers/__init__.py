"""Litestar controllers: parse input, call one service, render. Every route handler is listed here."""

from training.controllers import health
from training.controllers.auth import AuthController
from training.controllers.locations import LocationOptionsController
from training.controllers.pages import PageController
from training.controllers.users import UserController

ROUTE_HANDLERS = [
    health.live,
    health.ready,
    AuthController,
    PageController,
    LocationOptionsController,
    UserController,
]
