"""The JSON API (/api/v1) of the curriculum. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from courses.api.courses import CourseApi
from courses.api.ethics import EthicsQuizApi
from courses.api.frameworks import FrameworkApi

ROUTE_HANDLERS: list[ControllerRouterHandler] = [EthicsQuizApi, CourseApi, FrameworkApi]
