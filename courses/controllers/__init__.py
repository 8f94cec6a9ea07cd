"""The curriculum's pages. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from courses.controllers.courses import CourseController
from courses.controllers.ethics import EthicsQuizController
from courses.controllers.frameworks import FrameworkController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [EthicsQuizController, CourseController, FrameworkController]
