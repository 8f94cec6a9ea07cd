"""The JSON API (/api/v1) of training delivery. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from training.api.assessments import AssessmentApi
from training.api.attendance import AttendanceApi
from training.api.catalogue import CatalogueApi
from training.api.cohorts import CohortApi
from training.api.progress import ProgressApi

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    CatalogueApi,
    ProgressApi,
    AttendanceApi,
    AssessmentApi,
    CohortApi,
]
