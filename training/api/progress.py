"""The JSON API of progress: trainees' own enrolments and checklists, a cohort's overview for its trainers."""

from litestar import Controller, Request, get
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import SESSION
from foundation.columns import row_id
from foundation.guards import requires_role
from foundation.roles import Role
from training.models import EnrolmentStatus
from training.schemas.progress import (
    ChecklistItemRead,
    CohortOverviewRead,
    EnrolmentProgressRead,
    MyProgressRead,
    Requirement,
    UpcomingSessionRead,
)
from training.services import progress, trainee_progress
from training.services.progress import CohortOverview, Progress
from training.services.trainee_progress import MyProgress

requires_trainee = requires_role(Role.trainee)
requires_staff = requires_role(Role.admin, Role.trainer)


def _progress_read(found: Progress) -> EnrolmentProgressRead:
    """The checklist's sentences in the reader's language; titles and names in both."""
    enrolment, trainee, cohort, course = found.enrolment, found.trainee, found.cohort, found.course
    return EnrolmentProgressRead(
        enrolment_id=row_id(enrolment),
        status=EnrolmentStatus(enrolment.status),
        trainee_id=row_id(trainee),
        trainee_name_km=trainee.name_km,
        trainee_name_latin=trainee.name_latin,
        cohort_id=row_id(cohort),
        cohort_code=cohort.code,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        course_code=course.code,
        course_title_km=course.title_km,
        course_title_en=course.title_en,
        complete=found.complete,
        missing=found.checklist.missing,
        checklist=[
            ChecklistItemRead(
                requirement=item.requirement,
                met=item.met,
                text=item.text(),
                missing=[str(name) for name in item.missing],
                module_id=item.module_id,
            )
            for item in found.checklist.items
        ],
    )


def _my_progress_read(mine: MyProgress) -> MyProgressRead:
    return MyProgressRead(
        enrolments=[_progress_read(p) for p in mine.enrolments],
        upcoming_sessions=[
            UpcomingSessionRead(
                cohort_id=row_id(u.cohort),
                cohort_code=u.cohort.code,
                day=u.meeting.day,
                starts_at=u.meeting.starts_at,
                ends_at=u.meeting.ends_at,
                venue=u.cohort.venue,
                module_titles_km=[m.title_km for m in u.modules],
                module_titles_en=[m.title_en for m in u.modules],
                cancelled_reason=u.meeting.cancelled_reason,
            )
            for u in mine.upcoming
        ],
    )


def _overview_read(overview: CohortOverview) -> CohortOverviewRead:
    return CohortOverviewRead(
        cohort_id=row_id(overview.cohort),
        cohort_code=overview.cohort.code,
        total=len(overview.progress),
        complete=len(overview.ready),
        missing_counts=overview.missing_counts,
        missing=overview.missing,
        enrolments=[_progress_read(p) for p in overview.shown],
    )


class ProgressApi(Controller):
    path = "/api/v1"
    tags = ["Progress"]
    security = SESSION

    @get("/me/progress", guards=[requires_trainee])
    async def my_progress(self, request: Request, db: AsyncSession) -> MyProgressRead:
        """The signed-in trainee's own enrolments with their completion checklists, and next sessions."""
        return _my_progress_read(await trainee_progress.my_progress(db, request.user))

    @get("/cohorts/{cohort_id:int}/overview", guards=[requires_staff])
    async def cohort_overview(
        self, request: Request, db: AsyncSession, cohort_id: int, missing: Requirement | None = None
    ) -> CohortOverviewRead:
        """Every enrolled trainee of the cohort with their checklist; `missing` keeps those missing that
        kind of requirement (the counts are always of everyone). Admins and the cohort's trainers only."""
        return _overview_read(await progress.overview_for(db, request.user, cohort_id, missing))
