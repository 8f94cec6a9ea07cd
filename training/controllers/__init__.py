"""Litestar controllers: parse input, call one service, render. Every route handler is listed here."""

from litestar.types import ControllerRouterHandler

from training.controllers import health
from training.controllers.api import LocationApi, OrganisationApi, TraineeApi, UserApi, api_docs
from training.controllers.assessments import AssessmentApi, AssessmentController
from training.controllers.attendance import AttendanceApi, AttendanceController
from training.controllers.auth import AuthController
from training.controllers.cohorts import CohortApi, CohortController
from training.controllers.enrolment_import import EnrolmentImportController
from training.controllers.ethics_attempts import PaperResultController, TraineeEthicsController
from training.controllers.locations import LocationOptionsController
from training.controllers.organisations import OrganisationController
from training.controllers.outbox import OutboxController
from training.controllers.pages import PageController
from training.controllers.progress import CohortOverviewController, MyProgressController, ProgressApi
from training.controllers.trainees import TraineeController
from training.controllers.users import UserController
from training.scheduling.controllers import JobController

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
    JobController,
    OutboxController,
]
