"""Administrators keep the competency frameworks (domains > competencies): pages and CSV/JSON files."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import CompetencyInput, DomainInput, FrameworkInput
from courses.services import frameworks
from courses.services.framework_files import MAX_FILE_BYTES, framework_csv, framework_json
from foundation.columns import row_id
from foundation.errors import InvalidInput
from foundation.files import FileProblem, FileRejected
from foundation.forms import form_values, validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.responses import download

EMPTY_FRAMEWORK = {"code": "", "title_km": "", "title_en": "", "description_km": "", "description_en": ""}
EMPTY_DOMAIN: dict[str, Any] = {"code": "", "title_km": "", "title_en": "", "position": ""}
EMPTY_COMPETENCY: dict[str, Any] = {
    "domain_id": "",
    "code": "",
    "title_km": "",
    "title_en": "",
    "description_km": "",
    "description_en": "",
    "criteria_km": "",
    "criteria_en": "",
    "position": "",
}
IMPORT_FIELDS = ("code", "title_km", "title_en")


def _page_url(framework_id: int, notice: str, anchor: str = "") -> str:
    return f"/admin/frameworks/{framework_id}?notice={notice}" + (f"#{anchor}" if anchor else "")


def _form_input(values: dict[str, Any]) -> dict[str, Any]:
    """A blank position means 0: at the end for a new record, unchanged for an existing one."""
    return values | {"position": 0} if not str(values.get("position") or "").strip() else values


def _framework_form(
    framework: dict[str, Any], errors: dict[str, str], *, action: str, status_code: int = 200
) -> Template:
    context = {"framework": EMPTY_FRAMEWORK | framework, "errors": errors, "action": action}
    return Template("courses/frameworks/form.html", context=context, status_code=status_code)


async def _domain_form(
    db: AsyncSession,
    framework_id: int,
    domain: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
) -> Template:
    context = {
        "framework": await frameworks.get_framework(db, framework_id),
        "domain": EMPTY_DOMAIN | domain,
        "errors": errors,
        "action": action,
    }
    return Template("courses/frameworks/domain.html", context=context, status_code=status_code)


async def _competency_form(
    db: AsyncSession,
    framework_id: int,
    competency: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
) -> Template:
    context = {
        "framework": await frameworks.get_framework(db, framework_id),
        "domains": await frameworks.list_domains(db, framework_id),
        "competency": EMPTY_COMPETENCY | competency,
        "errors": errors,
        "action": action,
    }
    return Template("courses/frameworks/competency.html", context=context, status_code=status_code)


async def _import_form(
    db: AsyncSession,
    framework_id: int | None,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    problems: list[FileProblem] | None = None,
    status_code: int = 200,
) -> Template:
    """The import page: of a new framework (framework_id None), or replacing an existing one's content."""
    context = {
        "outline": await frameworks.framework_outline(db, framework_id) if framework_id is not None else None,
        "values": dict.fromkeys(IMPORT_FIELDS, "") | values,
        "errors": errors or {},
        "problems": problems or [],
        "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
    }
    return Template("courses/frameworks/import.html", context=context, status_code=status_code)


async def _uploaded(request: Request) -> tuple[str, bytes, dict[str, Any]]:
    """The uploaded file's name and bytes, and the other fields of the form."""
    values = form_values(await request.form())
    upload = values.pop("file", None)
    if not isinstance(upload, UploadFile):
        return "", b"", values
    return upload.filename or "", await upload.read(), values


class FrameworkController(Controller):
    path = "/admin/frameworks"
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def list_frameworks(self, db: AsyncSession) -> Template:
        return Template(
            "courses/frameworks/list.html", context={"frameworks": await frameworks.list_frameworks(db)}
        )

    @get("/new")
    async def new_framework(self) -> Template:
        return _framework_form(EMPTY_FRAMEWORK, {}, action="/admin/frameworks/new")

    @post("/new")
    async def create_framework(self, request: Request, db: AsyncSession) -> Template | Redirect:
        values = form_values(await request.form())
        try:
            framework = await frameworks.create_framework(
                db, actor_of(request), validated(FrameworkInput, values)
            )
        except InvalidInput as invalid:
            return _framework_form(
                values, invalid.field_errors, action="/admin/frameworks/new", status_code=422
            )
        return Redirect(_page_url(row_id(framework), "created"), status_code=303)

    @get("/{framework_id:int}")
    async def show_framework(self, db: AsyncSession, framework_id: int) -> Template:
        outline = await frameworks.framework_outline(db, framework_id)
        return Template("courses/frameworks/framework.html", context={"outline": outline})

    @get("/{framework_id:int}/edit")
    async def edit_framework(self, db: AsyncSession, framework_id: int) -> Template:
        framework = await frameworks.get_framework(db, framework_id)
        return _framework_form(framework.model_dump(), {}, action=f"/admin/frameworks/{framework_id}/edit")

    @post("/{framework_id:int}/edit")
    async def update_framework(
        self, request: Request, db: AsyncSession, framework_id: int
    ) -> Template | Redirect:
        await frameworks.get_framework(db, framework_id)
        values = form_values(await request.form())
        try:
            data = validated(FrameworkInput, values)
            await frameworks.update_framework(db, actor_of(request), framework_id, data)
        except InvalidInput as invalid:
            action = f"/admin/frameworks/{framework_id}/edit"
            return _framework_form(
                values | {"id": framework_id}, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(_page_url(framework_id, "saved"), status_code=303)

    @get("/{framework_id:int}/domains/new")
    async def new_domain(self, db: AsyncSession, framework_id: int) -> Template:
        action = f"/admin/frameworks/{framework_id}/domains/new"
        return await _domain_form(db, framework_id, EMPTY_DOMAIN, {}, action=action)

    @post("/{framework_id:int}/domains/new")
    async def create_domain(
        self, request: Request, db: AsyncSession, framework_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        try:
            data = validated(DomainInput, _form_input(values))
            domain = await frameworks.create_domain(db, actor_of(request), framework_id, data)
        except InvalidInput as invalid:
            action = f"/admin/frameworks/{framework_id}/domains/new"
            return await _domain_form(
                db, framework_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(_page_url(framework_id, "created", f"domain-{domain.id}"), status_code=303)

    @get("/{framework_id:int}/domains/{domain_id:int}")
    async def edit_domain(self, db: AsyncSession, framework_id: int, domain_id: int) -> Template:
        domain = await frameworks.get_domain(db, framework_id, domain_id)
        action = f"/admin/frameworks/{framework_id}/domains/{domain_id}"
        return await _domain_form(db, framework_id, domain.model_dump(), {}, action=action)

    @post("/{framework_id:int}/domains/{domain_id:int}")
    async def update_domain(
        self, request: Request, db: AsyncSession, framework_id: int, domain_id: int
    ) -> Template | Redirect:
        await frameworks.get_domain(db, framework_id, domain_id)
        values = form_values(await request.form())
        try:
            data = validated(DomainInput, _form_input(values))
            await frameworks.update_domain(db, actor_of(request), framework_id, domain_id, data)
        except InvalidInput as invalid:
            action = f"/admin/frameworks/{framework_id}/domains/{domain_id}"
            values |= {"id": domain_id}
            return await _domain_form(
                db, framework_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(_page_url(framework_id, "saved", f"domain-{domain_id}"), status_code=303)

    @get("/{framework_id:int}/competencies/new")
    async def new_competency(
        self, db: AsyncSession, framework_id: int, domain_id: int | None = None
    ) -> Template:
        action = f"/admin/frameworks/{framework_id}/competencies/new"
        competency = EMPTY_COMPETENCY | {"domain_id": domain_id or ""}
        return await _competency_form(db, framework_id, competency, {}, action=action)

    @post("/{framework_id:int}/competencies/new")
    async def create_competency(
        self, request: Request, db: AsyncSession, framework_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        try:
            data = validated(CompetencyInput, _form_input(values))
            competency = await frameworks.create_competency(db, actor_of(request), framework_id, data)
        except InvalidInput as invalid:
            action = f"/admin/frameworks/{framework_id}/competencies/new"
            return await _competency_form(
                db, framework_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(_page_url(framework_id, "created", f"competency-{competency.id}"), status_code=303)

    @get("/{framework_id:int}/competencies/{competency_id:int}")
    async def edit_competency(self, db: AsyncSession, framework_id: int, competency_id: int) -> Template:
        competency = await frameworks.get_competency(db, framework_id, competency_id)
        action = f"/admin/frameworks/{framework_id}/competencies/{competency_id}"
        return await _competency_form(db, framework_id, competency.model_dump(), {}, action=action)

    @post("/{framework_id:int}/competencies/{competency_id:int}")
    async def update_competency(
        self, request: Request, db: AsyncSession, framework_id: int, competency_id: int
    ) -> Template | Redirect:
        await frameworks.get_competency(db, framework_id, competency_id)
        values = form_values(await request.form())
        try:
            data = validated(CompetencyInput, _form_input(values))
            await frameworks.update_competency(db, actor_of(request), framework_id, competency_id, data)
        except InvalidInput as invalid:
            action = f"/admin/frameworks/{framework_id}/competencies/{competency_id}"
            values |= {"id": competency_id}
            return await _competency_form(
                db, framework_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(_page_url(framework_id, "saved", f"competency-{competency_id}"), status_code=303)

    @get("/import")
    async def new_import(self, db: AsyncSession) -> Template:
        return await _import_form(db, None, {})

    @post("/import")
    async def import_framework(self, request: Request, db: AsyncSession) -> Template | Redirect:
        filename, content, values = await _uploaded(request)
        try:
            framework = await frameworks.import_framework(db, actor_of(request), filename, content, values)
        except FileRejected as rejected:
            return await _import_form(db, None, values, problems=rejected.problems, status_code=422)
        except InvalidInput as invalid:
            return await _import_form(db, None, values, errors=invalid.field_errors, status_code=422)
        return Redirect(_page_url(row_id(framework), "imported"), status_code=303)

    @get("/{framework_id:int}/import")
    async def replacement_import(self, db: AsyncSession, framework_id: int) -> Template:
        return await _import_form(db, framework_id, {})

    @post("/{framework_id:int}/import")
    async def replace_content(
        self, request: Request, db: AsyncSession, framework_id: int
    ) -> Template | Redirect:
        filename, content, _ = await _uploaded(request)
        try:
            await frameworks.replace_framework_content(db, actor_of(request), framework_id, filename, content)
        except FileRejected as rejected:
            return await _import_form(db, framework_id, {}, problems=rejected.problems, status_code=422)
        return Redirect(_page_url(framework_id, "imported"), status_code=303)

    @get("/{framework_id:int}/export.csv")
    async def export_csv(self, db: AsyncSession, framework_id: int) -> Response[bytes]:
        document = await frameworks.export_framework(db, framework_id)
        return download(framework_csv(document), "text/csv", f"{document.code}.csv")

    @get("/{framework_id:int}/export.json")
    async def export_json(self, db: AsyncSession, framework_id: int) -> Response[bytes]:
        document = await frameworks.export_framework(db, framework_id)
        return download(framework_json(document), "application/json", f"{document.code}.json")
