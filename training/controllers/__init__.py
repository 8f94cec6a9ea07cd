"""The pages of training delivery: parse input, call one service, render. Every route handler of
this package is listed here."""

from litestar.types import ControllerRouterHandler

from training.controllers.assessments import AssessmentController
from training.controllers.attendance import AttendanceController
from training.controllers.catalogue import CatalogueController
from training.controllers.cohorts import CohortController
from training.controllers.enrolment import EnrolmentController
from training.controllers.enrolment_import import EnrolmentImportController
from training.controllers.ethics_attempts import (
    PaperPledgeController,
    PaperResultController,
    TraineeEthicsController,
)
from training.controllers.progress import CohortOverviewController, MyProgressController
from training.controllers.sign_in_cards import SignInCardController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    CatalogueController,
    MyProgressController,
    CohortOverviewController,
    TraineeEthicsController,
    PaperResultController,
    PaperPledgeController,
    AttendanceController,
    AssessmentController,
    CohortController,
    EnrolmentController,
    EnrolmentImportController,
    SignInCardController,
]
