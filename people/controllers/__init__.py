"""The pages of people and places. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from people.controllers.auth import AuthController
from people.controllers.locations import LocationOptionsController
from people.controllers.organisations import OrganisationController
from people.controllers.sign_in_cards import SignInCardPageController
from people.controllers.trainees import TraineeController
from people.controllers.users import UserController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    AuthController,
    SignInCardPageController,
    LocationOptionsController,
    UserController,
    TraineeController,
    OrganisationController,
]
