"""Bulk enrolment from a CSV or Excel file: template, upload, progress, preview and confirmation."""

import asyncio
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foundation.columns import row_id
from foundation.files import FileProblem, FileRejected
from foundation.guards import requires_role
from foundation.http import actor_of
from foundation.responses import download
from foundation.roles import Role
from training.schemas.imports import ImportStatus, RowOutcome
from training.services import enrolment_import
from training.services.access import cohort_for
from training.services.enrolment import ENROLMENT_STATUS_NAMES
from training.services.enrolment_import.statuses import IMPORT_STATUS_NAMES, OUTCOME_NAMES
from training.services.roster_uploads import (
    COLUMN_HELP,
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    RosterRow,
    roster_template_csv,
    roster_template_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMES = {
    "OUTCOME_NAMES": OUTCOME_NAMES,
    "IMPORT_STATUS_NAMES": IMPORT_STATUS_NAMES,
    "OUTCOMES": list(RowOutcome),
    "ENROLMENT_STATUS_NAMES": ENROLMENT_STATUS_NAMES,
    "COLUMNS": COLUMNS,
}
# The checks of uploaded files run as tasks of this process's event loop (see services/enrolment_import/);
# the loop keeps only weak references to tasks, so these are held here until they finish.
_running_checks: set[asyncio.Task[None]] = set()


def import_url(cohort_id: int, import_id: int | None = None) -> str:
    return f"/cohorts/{cohort_id}/import" + (f"/{import_id}" if import_id is not None else "")


def _start_check(maker: async_sessionmaker[AsyncSession], import_id: int, rows: list[RosterRow]) -> None:
    task = asyncio.create_task(enrolment_import.check_rows(maker, import_id, rows))
    _running_checks.add(task)
    task.add_done_callback(_running_checks.discard)


async def _uploaded(request: Request) -> tuple[str, bytes]:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile):
        return "", b""
    return upload.filename or "", await upload.read()


async def _upload_page(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    problems: list[FileProblem] | None = None,
    status_code: int = 200,
) -> Template:
    cohort, imports = await enrolment_import.recent_imports(db, request.user, cohort_id)
    context = {
        "cohort": cohort,
        "imports": imports,
        "problems": problems or [],
        "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
        "max_rows": MAX_ROWS,
        "COLUMN_HELP": COLUMN_HELP,
        **NAMES,
    }
    return Template("training/import/upload.html", context=context, status_code=status_code)


class EnrolmentImportController(Controller):
    path = "/cohorts/{cohort_id:int}/import"
    guards = [requires_role(Role.admin, Role.trainer)]
    include_in_schema = False

    @get("/")
    async def upload_form(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        return await _upload_page(request, db, cohort_id)

    @post("/")
    async def upload(self, request: Request, db: AsyncSession, cohort_id: int) -> Template | Redirect:
        """Read the file now (a file that cannot be used is refused with nothing stored), then check its
        rows in the background while the browser shows the progress."""
        filename, content = await _uploaded(request)
        try:
            job, rows = await enrolment_import.start_import(db, request.user, cohort_id, filename, content)
        except FileRejected as rejected:
            return await _upload_page(request, db, cohort_id, rejected.problems, status_code=422)
        await db.commit()  # the check reads the import in a session of its own
        _start_check(request.app.state.sessionmaker, row_id(job), rows)
        return Redirect(import_url(cohort_id, row_id(job)), status_code=303)

    @get("/template.xlsx")
    async def template_xlsx(self, request: Request, db: AsyncSession, cohort_id: int) -> Response[bytes]:
        await cohort_for(db, request.user, cohort_id)
        return download(roster_template_xlsx(), XLSX, "trainees-template.xlsx")

    @get("/template.csv")
    async def template_csv(self, request: Request, db: AsyncSession, cohort_id: int) -> Response[bytes]:
        await cohort_for(db, request.user, cohort_id)
        return download(roster_template_csv(), "text/csv", "trainees-template.csv")

    @get("/{import_id:int}")
    async def show_import(
        self,
        request: Request,
        db: AsyncSession,
        cohort_id: int,
        import_id: int,
        outcome: str = "",
        page: int = 1,
    ) -> Template:
        preview = await enrolment_import.import_preview(
            db, request.user, cohort_id, import_id, outcome=outcome, page=page
        )
        context: dict[str, Any] = {"preview": preview, "summary": preview.summary, **NAMES}
        return Template("training/import/preview.html", context=context)

    @get("/{import_id:int}/progress")
    async def show_progress(
        self, request: Request, db: AsyncSession, cohort_id: int, import_id: int
    ) -> Template:
        """Polled by the page every second while the file is checked; once it is no longer, htmx reloads
        the page (HX-Refresh), which then shows the preview or the error."""
        summary = await enrolment_import.import_summary(db, request.user, cohort_id, import_id)
        headers = {} if summary.status == ImportStatus.parsing else {"HX-Refresh": "true"}
        context = {"summary": summary, **NAMES}
        return Template("training/import/_progress.html", context=context, headers=headers)

    @post("/{import_id:int}/confirm")
    async def confirm(self, request: Request, db: AsyncSession, cohort_id: int, import_id: int) -> Redirect:
        try:
            await enrolment_import.confirm_import(db, actor_of(request), request.user, cohort_id, import_id)
        except enrolment_import.NothingSaved as failed:
            # The confirmation is rolled back; that it failed is saved on its own, for the import's page.
            await db.rollback()
            await enrolment_import.record_failure(db, import_id, failed.message)
            await db.commit()
            raise
        return Redirect(import_url(cohort_id, import_id), status_code=303)
