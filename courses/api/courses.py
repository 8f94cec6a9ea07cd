"""The JSON API of courses (/api/v1/courses): drafts, modules, target competencies, publication, versions."""

from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from courses.models import (
    CompetencyTargets,
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
from courses.pages import quiz_url
from courses.services import courses
from courses.services.courses import CourseOutline, PublishRefused, publish_problems
from foundation.api import INVALID, SESSION, JsonObjectAs, PageNumber, PerPage, Q
from foundation.columns import row_id
from foundation.forms import validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.i18n import gettext


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
