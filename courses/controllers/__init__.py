"""Litestar controllers of the curriculum. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from courses.controllers.courses import CourseApi, CourseController
from courses.controllers.ethics import EthicsQuizApi, EthicsQuizController
from courses.controllers.frameworks import FrameworkApi, FrameworkController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    EthicsQuizController,
    EthicsQuizApi,
    CourseController,
    CourseApi,
    FrameworkController,
    FrameworkApi,
]
