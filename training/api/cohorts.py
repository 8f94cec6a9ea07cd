"""The JSON API of cohorts (/api/v1/cohorts): details, status, sessions, enrolment and withdrawal."""

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import INVALID, SESSION, JsonObjectAs, PageNumber, PerPage, Q, ResultPage
from foundation.columns import row_id
from foundation.forms import validated
from foundation.guards import STAFF
from foundation.http import actor_of
from training.models import CohortStatus
from training.schemas.cohorts import (
    CohortCreate,
    CohortRead,
    CohortUpdate,
    SessionCancellation,
    SessionInput,
    SessionRead,
    StatusChange,
)
from training.schemas.enrolment import EnrolmentInput, EnrolmentRead, WithdrawalInput
from training.services import class_sessions
from training.services import cohorts as cohort_service
from training.services import enrolment as enrolment_service
from training.services.cohorts import CohortFilters


class CohortApi(Controller):
    path = "/api/v1/cohorts"
    guards = STAFF
    tags = ["Cohorts"]
    security = SESSION

    @get("/")
    async def list_cohorts(
        self,
        request: Request,
        db: AsyncSession,
        q: Q = "",
        status: CohortStatus | None = None,
        course_id: int | None = None,
        province_code: str | None = None,
        page: PageNumber = 1,
        per_page: PerPage = 25,
    ) -> ResultPage[CohortRead]:
        """Admins see every cohort; a trainer sees the cohorts they train. `q` matches the code."""
        filters = CohortFilters(q=q, status=status, course_id=course_id, province_code=province_code)
        found = await cohort_service.search_cohorts(db, request.user, filters, page=page, per_page=per_page)
        return ResultPage[CohortRead].of(found, [row.read for row in found.items])

    @get("/{cohort_id:int}")
    async def get_cohort(self, request: Request, db: AsyncSession, cohort_id: int) -> CohortRead:
        return (await cohort_service.get_cohort_row(db, request.user, cohort_id)).read

    @post("/", dto=JsonObjectAs[CohortCreate], responses=INVALID)
    async def create_cohort(self, request: Request, db: AsyncSession, data: dict[str, Any]) -> CohortRead:
        """From a published course version; a trainer who creates it is always one of its trainers."""
        cohort = await cohort_service.create_cohort(
            db, actor_of(request), request.user, validated(CohortCreate, data)
        )
        return (await cohort_service.get_cohort_row(db, request.user, row_id(cohort))).read

    @put("/{cohort_id:int}", dto=JsonObjectAs[CohortUpdate], responses=INVALID)
    async def update_cohort(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> CohortRead:
        """A closed cohort answers 409. A larger capacity promotes waitlisted trainees."""
        await cohort_service.update_cohort(
            db, actor_of(request), request.user, cohort_id, validated(CohortUpdate, data)
        )
        return (await cohort_service.get_cohort_row(db, request.user, cohort_id)).read

    @post("/{cohort_id:int}/status", dto=JsonObjectAs[StatusChange], responses=INVALID, status_code=200)
    async def change_status(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> CohortRead:
        """Only forward; closing needs `confirm: true` and cannot be undone."""
        change = validated(StatusChange, data)
        await cohort_service.change_status(db, actor_of(request), request.user, cohort_id, change)
        return (await cohort_service.get_cohort_row(db, request.user, cohort_id)).read

    @get("/{cohort_id:int}/sessions")
    async def list_sessions(self, request: Request, db: AsyncSession, cohort_id: int) -> list[SessionRead]:
        schedule = await class_sessions.get_schedule(db, request.user, cohort_id)
        return [view.read for view in schedule.sessions]

    @post("/{cohort_id:int}/sessions", dto=JsonObjectAs[SessionInput], responses=INVALID)
    async def add_session(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> SessionRead:
        meeting = await class_sessions.add_session(
            db, actor_of(request), request.user, cohort_id, validated(SessionInput, data)
        )
        return (await class_sessions.get_session(db, request.user, cohort_id, row_id(meeting)))[1]

    @put("/{cohort_id:int}/sessions/{session_id:int}", dto=JsonObjectAs[SessionInput], responses=INVALID)
    async def update_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int, data: dict[str, Any]
    ) -> SessionRead:
        await class_sessions.update_session(
            db, actor_of(request), request.user, cohort_id, session_id, validated(SessionInput, data)
        )
        return (await class_sessions.get_session(db, request.user, cohort_id, session_id))[1]

    @delete("/{cohort_id:int}/sessions/{session_id:int}")
    async def remove_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> None:
        """Refused (409) once attendance has been taken for the session."""
        await class_sessions.remove_session(db, actor_of(request), request.user, cohort_id, session_id)

    @post(
        "/{cohort_id:int}/sessions/{session_id:int}/cancel",
        dto=JsonObjectAs[SessionCancellation],
        responses=INVALID,
        status_code=200,
    )
    async def cancel_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int, data: dict[str, Any]
    ) -> SessionRead:
        """The reason is required; refused (409) once the session has taken place. The session stays, no
        longer counted for attendance, reminders or completion."""
        await class_sessions.cancel_session(
            db, actor_of(request), request.user, cohort_id, session_id, validated(SessionCancellation, data)
        )
        return (await class_sessions.get_session(db, request.user, cohort_id, session_id))[1]

    @post("/{cohort_id:int}/sessions/{session_id:int}/restore", status_code=200)
    async def restore_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> SessionRead:
        """Undo a cancellation: the session counts again."""
        await class_sessions.restore_session(db, actor_of(request), request.user, cohort_id, session_id)
        return (await class_sessions.get_session(db, request.user, cohort_id, session_id))[1]

    @get("/{cohort_id:int}/enrolments")
    async def list_enrolments(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> list[EnrolmentRead]:
        """Everyone on the cohort's list: seated by name, the waitlist in order, then who withdrew."""
        roster = await enrolment_service.get_roster(db, request.user, cohort_id)
        return [entry.read for entry in roster.entries]

    @post("/{cohort_id:int}/enrolments", dto=JsonObjectAs[EnrolmentInput], responses=INVALID)
    async def enrol(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> EnrolmentRead:
        """`enrolled` while seats are free, else `waitlisted`; the same trainee twice answers 409."""
        trainee_id = validated(EnrolmentInput, data).trainee_id
        enrolment = await enrolment_service.enrol(db, actor_of(request), request.user, cohort_id, trainee_id)
        return await enrolment_service.enrolment_read(db, request.user, cohort_id, row_id(enrolment))

    @post(
        "/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw",
        dto=JsonObjectAs[WithdrawalInput],
        responses=INVALID,
        status_code=200,
    )
    async def withdraw(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, data: dict[str, Any]
    ) -> EnrolmentRead:
        """The reason is required. A freed seat goes to the first trainee on the waitlist."""
        await enrolment_service.withdraw(
            db, actor_of(request), request.user, cohort_id, enrolment_id, validated(WithdrawalInput, data)
        )
        return await enrolment_service.enrolment_read(db, request.user, cohort_id, enrolment_id)
