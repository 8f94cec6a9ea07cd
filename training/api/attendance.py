"""The JSON API of a session's attendance register: the marks and each trainee's attendance rate."""

from typing import Any

from litestar import Controller, Request, get, put
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import INVALID, SESSION, JsonObjectAs
from foundation.forms import validated
from foundation.guards import STAFF
from foundation.http import actor_of
from training.schemas.attendance import AttendanceMarks, RegisterRead
from training.services import attendance


class AttendanceApi(Controller):
    path = "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}/attendance"
    guards = STAFF
    tags = ["Attendance"]
    security = SESSION

    @get("/")
    async def get_register(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> RegisterRead:
        """Every trainee on the cohort's register with this session's mark and their attendance rate."""
        return (await attendance.get_register(db, request.user, cohort_id, session_id)).read()

    @put("/", dto=JsonObjectAs[AttendanceMarks], responses=INVALID)
    async def record_attendance(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int, data: dict[str, Any]
    ) -> RegisterRead:
        """Saves the given marks (others keep theirs); changes after the session's day are audited."""
        marks = {mark.enrolment_id: mark.status.value for mark in validated(AttendanceMarks, data).marks}
        register = await attendance.record_attendance(
            db, actor_of(request), request.user, cohort_id, session_id, marks
        )
        return register.read()
