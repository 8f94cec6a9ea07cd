"""Litestar controllers: parse input, call one service, render. Every route handler is listed here."""

from litestar.types import ControllerRouterHandler

from training.controllers import health
from training.controllers.api import LocationApi, OrganisationApi, TraineeApi, UserApi, api_docs
from training.controllers.auth import AuthController
from training.controllers.locations import LocationOptionsController
from training.controllers.organisations import OrganisationController
from training.controllers.pages import PageController
from training.controllers.trainees import TraineeController
from training.controllers.users import UserController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    health.live,
    health.ready,
    AuthController,
    PageController,
    LocationOptionsController,
    UserController,
    TraineeController,
    OrganisationController,
    UserApi,
    TraineeApi,
    OrganisationApi,
    LocationApi,
    api_docs,
]
