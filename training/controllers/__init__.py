"""Litestar controllers of training delivery: parse input, call one service, render. Every route handler of
this package is listed here."""

from litestar.types import ControllerRouterHandler

from training.controllers.assessments import AssessmentApi, AssessmentController
from training.controllers.attendance import AttendanceApi, AttendanceController
from training.controllers.catalogue import CatalogueApi, CatalogueController
from training.controllers.cohorts import CohortApi, CohortController
from training.controllers.enrolment_import import EnrolmentImportController
from training.controllers.ethics_attempts import PaperResultController, TraineeEthicsController
from training.controllers.progress import CohortOverviewController, MyProgressController, ProgressApi

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    CatalogueController,
    CatalogueApi,
    MyProgressController,
    CohortOverviewController,
    ProgressApi,
    TraineeEthicsController,
    PaperResultController,
    AttendanceController,
    AttendanceApi,
    AssessmentController,
    AssessmentApi,
    CohortController,
    CohortApi,
    EnrolmentImportController,
]
