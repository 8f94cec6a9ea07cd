"""Administrators build courses: drafts, modules, target competencies, publication and new versions."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from courses.models import CompetencyTargets, Course, CourseInput, CourseStatus, ModuleInput, ModuleKind
from courses.pages import ADMIN_COURSES, course_url, quiz_url
from courses.services import courses
from courses.services.courses import CourseOutline, PublishRefused, publish_problems
from foundation.columns import row_id
from foundation.errors import InvalidInput
from foundation.forms import form_values, validated
from foundation.guards import requires_admin
from foundation.http import actor_of

COURSE_CHECKBOXES = ("issues_certificate", "requires_approval", "pledge_required")
MODULE_CHECKBOXES = ("required",)


def _defaults(schema: type[SQLModel]) -> dict[str, Any]:
    """An empty form for the schema: its defaults, blank where a value is required."""
    return {name: "" if f.is_required() else f.default for name, f in schema.model_fields.items()}


def _submitted(form: FormMultiDict, checkboxes: tuple[str, ...]) -> dict[str, Any]:
    """The form's values; an unticked checkbox is not sent at all, so it means False."""
    values = form_values(form) | {name: name in form for name in checkboxes}
    if values.get("validity_months") == "":
        values["validity_months"] = None  # left empty: the certificate never expires
    return values


# ---------------------------------------------------------------- pages


def _course_form(
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
    editing: Course | None = None,
) -> Template:
    """`editing`: the draft as stored, when its form is shown again (None for a new course)."""
    context = {
        "course": _defaults(CourseInput) | values,
        "errors": errors,
        "action": action,
        "editing": editing,
    }
    return Template("courses/courses/form.html", context=context, status_code=status_code)


def _module_form(
    course: Course, values: dict[str, Any], errors: dict[str, str], *, action: str, status_code: int = 200
) -> Template:
    context = {
        "course": course,
        "module": _defaults(ModuleInput) | values,
        "errors": errors,
        "action": action,
        "kinds": list(ModuleKind),
    }
    return Template("courses/courses/module_form.html", context=context, status_code=status_code)


async def _course_page(
    db: AsyncSession, course_id: int, *, refused: PublishRefused | None = None, status_code: int = 200
) -> Template:
    outline = await courses.get_outline(db, course_id)
    if refused is not None:
        problems = refused.problems
    else:
        problems = publish_problems(outline) if outline.editable else []
    context = {
        "outline": outline,
        "course": outline.course,
        "versions": await courses.course_versions(db, outline.course.code),
        "refused": refused,
        "problems": problems,
        "quiz_url": quiz_url,
    }
    return Template("courses/courses/course.html", context=context, status_code=status_code)


class CourseController(Controller):
    path = ADMIN_COURSES
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def list_courses(self, db: AsyncSession, q: str = "", status: str = "", page: int = 1) -> Template:
        chosen = CourseStatus(status) if status in {s.value for s in CourseStatus} else None
        found = await courses.search_courses(db, q, status=chosen, page=max(page, 1))
        context = {"page": found, "q": q, "status": status, "statuses": list(CourseStatus)}
        return Template("courses/courses/list.html", context=context)

    @get("/new")
    async def new_course(self) -> Template:
        return _course_form({}, {}, action=f"{ADMIN_COURSES}/new")

    @post("/new")
    async def create_course(self, request: Request, db: AsyncSession) -> Template | Redirect:
        values = _submitted(await request.form(), COURSE_CHECKBOXES)
        try:
            course = await courses.create_course(db, actor_of(request), validated(CourseInput, values))
        except InvalidInput as invalid:
            return _course_form(values, invalid.field_errors, action=f"{ADMIN_COURSES}/new", status_code=422)
        return Redirect(f"{course_url(row_id(course))}?notice=created", status_code=303)

    @get("/{course_id:int}")
    async def show_course(self, db: AsyncSession, course_id: int) -> Template:
        return await _course_page(db, course_id)

    @get("/{course_id:int}/edit")
    async def edit_course(self, db: AsyncSession, course_id: int) -> Template:
        course = await courses.get_draft(db, course_id)
        return _course_form(course.model_dump(), {}, action=f"{course_url(course_id)}/edit", editing=course)

    @post("/{course_id:int}/edit")
    async def update_course(self, request: Request, db: AsyncSession, course_id: int) -> Template | Redirect:
        values = _submitted(await request.form(), COURSE_CHECKBOXES)
        try:
            await courses.update_course(db, actor_of(request), course_id, validated(CourseInput, values))
        except InvalidInput as invalid:
            course = await courses.get_course(db, course_id)
            action = f"{course_url(course_id)}/edit"
            return _course_form(values, invalid.field_errors, action=action, status_code=422, editing=course)
        return Redirect(f"{course_url(course_id)}?notice=saved", status_code=303)

    # ------------------------------------------------------------ modules

    @get("/{course_id:int}/modules/new")
    async def new_module(self, db: AsyncSession, course_id: int) -> Template:
        course = await courses.get_draft(db, course_id)
        return _module_form(course, {}, {}, action=f"{course_url(course_id)}/modules/new")

    @post("/{course_id:int}/modules/new")
    async def create_module(self, request: Request, db: AsyncSession, course_id: int) -> Template | Redirect:
        values = _submitted(await request.form(), MODULE_CHECKBOXES)
        try:
            await courses.add_module(db, actor_of(request), course_id, validated(ModuleInput, values))
        except InvalidInput as invalid:
            course = await courses.get_course(db, course_id)
            action = f"{course_url(course_id)}/modules/new"
            return _module_form(course, values, invalid.field_errors, action=action, status_code=422)
        return Redirect(f"{course_url(course_id)}?notice=saved#modules", status_code=303)

    @get("/{course_id:int}/modules/{module_id:int}")
    async def edit_module(self, db: AsyncSession, course_id: int, module_id: int) -> Template:
        course = await courses.get_draft(db, course_id)
        module = await courses.get_module(db, course_id, module_id)
        action = f"{course_url(course_id)}/modules/{module_id}"
        return _module_form(course, module.model_dump() | {"position": 0}, {}, action=action)

    @post("/{course_id:int}/modules/{module_id:int}")
    async def update_module(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Template | Redirect:
        values = _submitted(await request.form(), MODULE_CHECKBOXES)
        try:
            data = validated(ModuleInput, values)
            await courses.update_module(db, actor_of(request), course_id, module_id, data)
        except InvalidInput as invalid:
            course = await courses.get_course(db, course_id)
            action = f"{course_url(course_id)}/modules/{module_id}"
            values |= {"id": module_id}
            return _module_form(course, values, invalid.field_errors, action=action, status_code=422)
        return Redirect(f"{course_url(course_id)}?notice=saved#modules", status_code=303)

    @post("/{course_id:int}/modules/{module_id:int}/move")
    async def move_module(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Redirect:
        steps = -1 if (await request.form()).get("direction") == "up" else 1
        await courses.move_module(db, actor_of(request), course_id, module_id, steps)
        return Redirect(f"{course_url(course_id)}#modules", status_code=303)

    @get("/{course_id:int}/modules/{module_id:int}/delete")
    async def confirm_module_removal(self, db: AsyncSession, course_id: int, module_id: int) -> Template:
        outline = await courses.get_outline(db, course_id)
        module = await courses.get_module(db, course_id, module_id)
        courses.require_draft(outline.course)
        context = {
            "course": outline.course,
            "module": module,
            "questions": outline.question_counts.get(module_id, 0),
        }
        return Template("courses/courses/module_delete.html", context=context)

    @post("/{course_id:int}/modules/{module_id:int}/delete")
    async def remove_module(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Redirect:
        await courses.remove_module(db, actor_of(request), course_id, module_id)
        return Redirect(f"{course_url(course_id)}?notice=saved#modules", status_code=303)

    # ------------------------------------------------------------ target competencies

    @get("/{course_id:int}/competencies")
    async def choose_competencies(self, db: AsyncSession, course_id: int) -> Template:
        outline, groups = await courses.competency_choices(db, course_id)
        courses.require_draft(outline.course)
        targets = {t.competency.id: t.required for t in outline.targets}
        return _competency_form(outline, groups, targets, {})

    @post("/{course_id:int}/competencies")
    async def set_competencies(
        self, request: Request, db: AsyncSession, course_id: int
    ) -> Template | Redirect:
        form = await request.form()
        required = set(form.getall("required", []))
        chosen = [{"competency_id": c, "required": c in required} for c in form.getall("competency", [])]
        try:
            data = validated(CompetencyTargets, {"competencies": chosen})
            await courses.set_competencies(db, actor_of(request), course_id, data)
        except InvalidInput as invalid:
            outline, groups = await courses.competency_choices(db, course_id)
            targets = {t["competency_id"]: t["required"] for t in chosen}
            return _competency_form(outline, groups, targets, invalid.field_errors, status_code=422)
        return Redirect(f"{course_url(course_id)}?notice=saved#competencies", status_code=303)

    # ------------------------------------------------------------ lifecycle

    @get("/{course_id:int}/publish")
    async def confirm_publish(self, db: AsyncSession, course_id: int) -> Template | Redirect:
        """What publishing will do, asked before it is done; a draft not ready shows what stops it."""
        outline = await courses.get_outline(db, course_id)
        if not outline.editable:
            return Redirect(course_url(course_id), status_code=303)
        if problems := publish_problems(outline):
            refused = PublishRefused(problems)
            return await _course_page(db, course_id, refused=refused, status_code=refused.status_code)
        versions = await courses.course_versions(db, outline.course.code)
        context = {
            "course": outline.course,
            "identical": await courses.identical_previous_version(db, course_id),
            "published": next((v for v in versions if v.status == CourseStatus.published), None),
        }
        return Template("courses/courses/publish_confirm.html", context=context)

    @post("/{course_id:int}/publish")
    async def publish_course(self, request: Request, db: AsyncSession, course_id: int) -> Template | Redirect:
        try:
            await courses.publish_course(db, actor_of(request), course_id)
        except PublishRefused as refused:
            return await _course_page(db, course_id, refused=refused, status_code=refused.status_code)
        return Redirect(f"{course_url(course_id)}?notice=published", status_code=303)

    @post("/{course_id:int}/new-version")
    async def start_new_version(self, request: Request, db: AsyncSession, course_id: int) -> Redirect:
        course = await courses.start_new_version(db, actor_of(request), course_id)
        return Redirect(f"{course_url(row_id(course))}?notice=new_version", status_code=303)

    @post("/{course_id:int}/archive")
    async def archive_course(self, request: Request, db: AsyncSession, course_id: int) -> Redirect:
        await courses.archive_course(db, actor_of(request), course_id)
        return Redirect(f"{course_url(course_id)}?notice=archived", status_code=303)


def _competency_form(
    outline: CourseOutline,
    groups: list[courses.FrameworkGroup],
    targets: dict[Any, bool],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    """`targets`: the chosen competencies' ids (as numbers, or as sent back by a refused form) > required."""
    chosen = {str(competency_id): required for competency_id, required in targets.items()}
    context = {"course": outline.course, "groups": groups, "chosen": chosen, "errors": errors}
    return Template("courses/courses/competencies.html", context=context, status_code=status_code)
