"""Trainers take attendance: a register per session (htmx saves each change) and a cohort summary."""

from typing import Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.errors import InvalidInput
from foundation.guards import STAFF
from foundation.http import actor_of, is_htmx
from foundation.numbers import whole_number
from training.schemas.attendance import AttendanceSheet
from training.services import attendance
from training.services.attendance import STATUS_NAMES, Register

STATUS_FIELD = "status-"


def register_url(cohort_id: int, session_id: int) -> str:
    return f"/cohorts/{cohort_id}/sessions/{session_id}/attendance"


def _marks(form: Any) -> dict[int, str]:
    """The register's radio groups, one per trainee: `status-<enrolment id>` = present|late|excused|absent."""
    return {
        enrolment_id: str(value)
        for key, value in form.items()
        if key.startswith(STATUS_FIELD)
        and (enrolment_id := whole_number(key.removeprefix(STATUS_FIELD))) is not None
    }


def _register_page(
    register: Register, *, errors: dict[str, str] | None = None, marks: dict[int, str] | None = None
) -> Template:
    context = {
        "register": register,
        "errors": errors or {},
        "chosen": marks or {},
        "STATUS_NAMES": STATUS_NAMES,
    }
    return Template("training/attendance/register.html", context=context, status_code=422 if errors else 200)


def _sheet_pdf(sheet: AttendanceSheet) -> bytes:
    from training.attendance_sheet import render_attendance_sheet  # reportlab and HarfBuzz: when first needed

    return render_attendance_sheet(sheet)


class AttendanceController(Controller):
    path = "/cohorts/{cohort_id:int}"
    guards = STAFF
    include_in_schema = False

    @get("/attendance")
    async def attendance_summary(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        summary = await attendance.attendance_summary(db, request.user, cohort_id)
        context = {"summary": summary, "STATUS_NAMES": STATUS_NAMES}
        return Template("training/attendance/summary.html", context=context)

    @get("/sessions/{session_id:int}/attendance")
    async def show_register(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Template:
        return _register_page(await attendance.get_register(db, request.user, cohort_id, session_id))

    @post("/sessions/{session_id:int}/attendance")
    async def take_attendance(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Template | Redirect:
        """The whole register (or, from htmx, one trainee's row); "Mark all present" sends `mark_all`."""
        form = await request.form()
        marks = _marks(form)
        actor, user = actor_of(request), request.user
        try:
            if form.get("mark_all"):
                register = await attendance.mark_all_present(db, actor, user, cohort_id, session_id)
            else:
                register = await attendance.record_attendance(db, actor, user, cohort_id, session_id, marks)
        except InvalidInput as invalid:
            register = await attendance.get_register(db, user, cohort_id, session_id)
            return _register_page(register, errors=invalid.field_errors, marks=marks)
        if is_htmx(request):
            rows = [register.row(enrolment_id) for enrolment_id in marks]
            context = {"register": register, "rows": rows, "STATUS_NAMES": STATUS_NAMES}
            return Template("training/attendance/_saved_rows.html", context=context)
        return Redirect(f"{register_url(cohort_id, session_id)}?notice=saved", status_code=303)

    @get("/sessions/{session_id:int}/attendance-sheet.pdf")
    async def attendance_sheet(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Response[bytes]:
        """The session's register on paper (A4): every seated trainee with a line to sign."""
        sheet = await attendance.attendance_sheet(db, request.user, cohort_id, session_id)
        pdf = await anyio.to_thread.run_sync(_sheet_pdf, sheet)
        file_name = f"attendance-cohort-{cohort_id}-{sheet.day.isoformat()}.pdf"
        headers = {"content-disposition": f'inline; filename="{file_name}"', "cache-control": "no-store"}
        return Response(pdf, media_type="application/pdf", headers=headers)
