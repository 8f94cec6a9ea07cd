"""Administrators build courses: drafts, modules, target competencies, publication and new versions."""

from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import FormMultiDict
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from courses.models import (
    CompetencyTargets,
    Course,
    CourseDetail,
    CourseInput,
    CourseModule,
    CourseRead,
    CourseStatus,
    ModuleInput,
    ModuleKind,
    ModuleRead,
    TargetRead,
)
from courses.services import courses
from courses.services.courses import CourseOutline, PublishRefused, publish_problems
from foundation.api import INVALID, SESSION, JsonObjectAs, PageNumber, PerPage, Q
from foundation.columns import row_id
from foundation.errors import InvalidInput
from foundation.forms import form_values, validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.i18n import gettext

ADMIN_COURSES = "/admin/courses"
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


def course_url(course_id: int) -> str:
    return f"{ADMIN_COURSES}/{course_id}"


def quiz_url(course_id: int, module_id: int) -> str:
    """The ethics module's quiz pages (built in courses/controllers/ethics.py)."""
    return f"{course_url(course_id)}/modules/{module_id}/quiz"


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


# ---------------------------------------------------------------- JSON API


class CoursePage(SQLModel):
    items: list[CourseRead]
    total: int
    page: int
    per_page: int


class PublishProblems(SQLModel):
    status_code: int
    detail: str
    problems: list[str]


def on_publish_refused(_: Request, exc: PublishRefused) -> Response[PublishProblems]:
    problems = [problem.text() for problem in exc.problems]
    answer = PublishProblems(status_code=exc.status_code, detail=gettext(exc.message), problems=problems)
    return Response(answer, status_code=exc.status_code)


def _module_read(module: CourseModule) -> ModuleRead:
    url = quiz_url(module.course_id, row_id(module)) if module.kind == ModuleKind.ethics else None
    return ModuleRead.model_validate(module.model_dump() | {"quiz_url": url})


def _detail(outline: CourseOutline) -> CourseDetail:
    targets = [
        TargetRead(
            competency_id=row_id(t.competency),
            framework_code=t.framework.code,
            domain_code=t.domain.code,
            code=t.competency.code,
            title_km=t.competency.title_km,
            title_en=t.competency.title_en,
            required=t.required,
        )
        for t in outline.targets
    ]
    problems = [p.text() for p in publish_problems(outline)] if outline.editable else []
    return CourseDetail(
        **CourseRead.model_validate(outline.course).model_dump(),
        modules=[_module_read(m) for m in outline.modules],
        competencies=targets,
        publish_problems=problems,
    )


async def _course_detail(db: AsyncSession, course_id: int) -> CourseDetail:
    return _detail(await courses.get_outline(db, course_id))


NOT_READY = {
    409: ResponseSpec(
        PublishProblems, description="Not published: every problem is listed.", generate_examples=False
    )
}


class CourseApi(Controller):
    path = "/api/v1/courses"
    guards = [requires_admin]
    tags = ["Courses"]
    security = SESSION
    exception_handlers = {PublishRefused: on_publish_refused}

    @get("/")
    async def list_courses(
        self,
        db: AsyncSession,
        q: Q = "",
        status: CourseStatus | None = None,
        page: PageNumber = 1,
        per_page: PerPage = 25,
    ) -> CoursePage:
        """Every version of every course (drafts too), by code and newest version first."""
        found = await courses.search_courses(db, q, status=status, page=page, per_page=per_page)
        items = [CourseRead.model_validate(course) for course in found.items]
        return CoursePage(items=items, total=found.total, page=found.page, per_page=found.per_page)

    @get("/{course_id:int}")
    async def get_course(self, db: AsyncSession, course_id: int) -> CourseDetail:
        """The course with its modules, target competencies and, for a draft, what stops its publication."""
        return await _course_detail(db, course_id)

    @post("/", dto=JsonObjectAs[CourseInput], responses=INVALID)
    async def create_course(self, request: Request, db: AsyncSession, data: dict[str, Any]) -> CourseDetail:
        """A new course: version 1, a draft. The code may not be used by another course."""
        course = await courses.create_course(db, actor_of(request), validated(CourseInput, data))
        return await _course_detail(db, row_id(course))

    @put("/{course_id:int}", dto=JsonObjectAs[CourseInput], responses=INVALID)
    async def update_course(
        self, request: Request, db: AsyncSession, course_id: int, data: dict[str, Any]
    ) -> CourseDetail:
        """Only a draft is changed; a published course answers 409 (make a new version)."""
        await courses.update_course(db, actor_of(request), course_id, validated(CourseInput, data))
        return await _course_detail(db, course_id)

    @post("/{course_id:int}/modules", dto=JsonObjectAs[ModuleInput], responses=INVALID)
    async def add_module(
        self, request: Request, db: AsyncSession, course_id: int, data: dict[str, Any]
    ) -> ModuleRead:
        """A module of a draft: last, or at `position` (1 is first). An ethics module gets a quiz."""
        module = await courses.add_module(db, actor_of(request), course_id, validated(ModuleInput, data))
        return _module_read(module)

    @put("/{course_id:int}/modules/{module_id:int}", dto=JsonObjectAs[ModuleInput], responses=INVALID)
    async def update_module(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, data: dict[str, Any]
    ) -> ModuleRead:
        """`position` 0 keeps the module's place."""
        data_in = validated(ModuleInput, data)
        return _module_read(await courses.update_module(db, actor_of(request), course_id, module_id, data_in))

    @delete("/{course_id:int}/modules/{module_id:int}")
    async def remove_module(self, request: Request, db: AsyncSession, course_id: int, module_id: int) -> None:
        """Removes the module of a draft with its quiz, questions and options."""
        await courses.remove_module(db, actor_of(request), course_id, module_id)

    @put("/{course_id:int}/competencies", dto=JsonObjectAs[CompetencyTargets], responses=INVALID)
    async def set_competencies(
        self, request: Request, db: AsyncSession, course_id: int, data: dict[str, Any]
    ) -> CourseDetail:
        """Replaces the set of competencies the draft targets."""
        targets = validated(CompetencyTargets, data)
        await courses.set_competencies(db, actor_of(request), course_id, targets)
        return await _course_detail(db, course_id)

    @post("/{course_id:int}/publish", status_code=200, responses=NOT_READY)
    async def publish_course(self, request: Request, db: AsyncSession, course_id: int) -> CourseDetail:
        """Publishes a ready draft and archives the version it replaces (cohorts keep their version)."""
        await courses.publish_course(db, actor_of(request), course_id)
        return await _course_detail(db, course_id)

    @post("/{course_id:int}/new-version")
    async def start_new_version(self, request: Request, db: AsyncSession, course_id: int) -> CourseDetail:
        """Copies a published course to a draft of the next version; 409 if a draft already exists."""
        course = await courses.start_new_version(db, actor_of(request), course_id)
        return await _course_detail(db, row_id(course))

    @post("/{course_id:int}/archive", status_code=200)
    async def archive_course(self, request: Request, db: AsyncSession, course_id: int) -> CourseDetail:
        await courses.archive_course(db, actor_of(request), course_id)
        return await _course_detail(db, course_id)
