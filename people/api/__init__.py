"""The JSON API (/api/v1) of people and places. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from people.api.locations import LocationApi
from people.api.organisations import OrganisationApi
from people.api.trainees import TraineeApi
from people.api.users import UserApi

ROUTE_HANDLERS: list[ControllerRouterHandler] = [UserApi, TraineeApi, OrganisationApi, LocationApi]
