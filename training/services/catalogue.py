"""The public catalogue: the latest published version of each course, read by anyone, in a few queries."""

from collections.abc import Sequence

from sqlalchemy import and_, case, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from courses.models import (
    Competency,
    CompetencyDomain,
    Course,
    CourseCompetency,
    CourseModule,
    CourseStatus,
    EthicsQuiz,
    ModuleKind,
)
from foundation.clock import today
from foundation.columns import row_id
from foundation.errors import NotFound
from foundation.i18n import N_
from people.models import Province
from training.models import Cohort, CohortStatus
from training.schemas.catalogue import (
    CatalogueCohort,
    CatalogueCompetency,
    CatalogueCourse,
    CatalogueCourseDetail,
    CatalogueDomain,
    CatalogueModule,
    CompletionRules,
)


def _latest_published() -> SelectOfScalar[Course]:
    """Per course code, the highest published version (a course may briefly have two published)."""
    latest = (
        select(col(Course.code), func.max(Course.version).label("version"))
        .where(col(Course.status) == CourseStatus.published)
        .group_by(col(Course.code))
        .subquery()
    )
    return (
        select(Course)
        .join(latest, and_(col(Course.code) == latest.c.code, col(Course.version) == latest.c.version))
        .where(col(Course.status) == CourseStatus.published)
    )


async def _counts(
    session: AsyncSession, course_ids: Sequence[int]
) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """Modules (and ethics modules) and target competencies of all the courses: two grouped queries."""
    is_ethics = case((col(CourseModule.kind) == ModuleKind.ethics, 1), else_=0)
    modules = await session.execute(
        select(col(CourseModule.course_id), func.count(), func.sum(is_ethics))
        .where(col(CourseModule.course_id).in_(course_ids))
        .group_by(col(CourseModule.course_id))
    )
    competencies = await session.execute(
        select(col(CourseCompetency.course_id), func.count())
        .where(col(CourseCompetency.course_id).in_(course_ids))
        .group_by(col(CourseCompetency.course_id))
    )
    return (
        {course_id: (int(total), int(ethics or 0)) for course_id, total, ethics in modules.all()},
        {course_id: int(total) for course_id, total in competencies.all()},
    )


UPCOMING_PER_COURSE = 5


async def _upcoming_cohorts(session: AsyncSession, codes: Sequence[str]) -> dict[str, list[CatalogueCohort]]:
    """Planned or open cohorts starting from today, of any version of these courses: one query."""
    rows = await session.execute(
        select(col(Course.code), Cohort, Province)
        .join(Cohort, col(Cohort.course_id) == Course.id)
        .join(Province, col(Province.code) == Cohort.venue_province_code)
        .where(
            col(Course.code).in_(codes),
            col(Cohort.status).in_([CohortStatus.planned, CohortStatus.open]),
            col(Cohort.start_date) >= today(),
        )
        .order_by(col(Cohort.start_date), col(Cohort.id))
    )
    upcoming: dict[str, list[CatalogueCohort]] = {}
    for code, cohort, province in rows.all():
        listed = upcoming.setdefault(code, [])
        if len(listed) < UPCOMING_PER_COURSE:
            listed.append(
                CatalogueCohort(
                    starts_on=cohort.start_date,
                    ends_on=cohort.end_date,
                    province_km=province.name_km,
                    province_en=province.name_en,
                )
            )
    return upcoming


def _entry(
    course: Course, modules: tuple[int, int], competencies: int, cohorts: list[CatalogueCohort]
) -> dict[str, object]:
    return course.model_dump() | {
        "module_count": modules[0],
        "has_ethics_module": modules[1] > 0,
        "competency_count": competencies,
        "upcoming_cohorts": cohorts,
    }


async def list_catalogue(session: AsyncSession) -> list[CatalogueCourse]:
    """Every published course (its latest version), by category and code: three queries whatever the count."""
    query = _latest_published().order_by(col(Course.category), col(Course.code))
    courses = list((await session.execute(query)).scalars())
    modules, competencies = await _counts(session, [row_id(c) for c in courses])
    cohorts = await _upcoming_cohorts(session, [c.code for c in courses])
    return [
        CatalogueCourse.model_validate(
            _entry(
                course,
                modules.get(row_id(course), (0, 0)),
                competencies.get(row_id(course), 0),
                cohorts.get(course.code, []),
            )
        )
        for course in courses
    ]


async def _domains(session: AsyncSession, course_id: int) -> list[CatalogueDomain]:
    rows = await session.execute(
        select(Competency, CompetencyDomain, col(CourseCompetency.required))
        .join(CourseCompetency, col(CourseCompetency.competency_id) == Competency.id)
        .join(CompetencyDomain, col(CompetencyDomain.id) == Competency.domain_id)
        .where(col(CourseCompetency.course_id) == course_id)
        .order_by(
            col(CompetencyDomain.position),
            col(CompetencyDomain.code),
            col(Competency.position),
            col(Competency.code),
        )
    )
    domains: dict[int, CatalogueDomain] = {}
    for competency, domain, required in rows.all():
        group = domains.setdefault(
            row_id(domain), CatalogueDomain.model_validate(domain.model_dump() | {"competencies": []})
        )
        group.competencies.append(
            CatalogueCompetency.model_validate(competency.model_dump() | {"required": required})
        )
    return list(domains.values())


async def get_catalogue_course(session: AsyncSession, code: str) -> CatalogueCourseDetail:
    """The latest published version of the course with this code (any letter case): four queries."""
    query = _latest_published().where(func.lower(Course.code) == code.strip().lower())
    course = (await session.execute(query)).scalars().first()
    if course is None:
        raise NotFound(N_("There is no published course with this code."))
    course_id = row_id(course)
    modules = list(
        (
            await session.execute(
                select(CourseModule)
                .where(col(CourseModule.course_id) == course_id)
                .order_by(col(CourseModule.position), col(CourseModule.id))
            )
        ).scalars()
    )
    ethics_modules = [row_id(m) for m in modules if m.kind == ModuleKind.ethics]
    pass_marks = (
        await session.execute(
            select(col(EthicsQuiz.pass_mark_percent)).where(col(EthicsQuiz.module_id).in_(ethics_modules))
        )
    ).scalars()
    domains = await _domains(session, course_id)
    competencies = [c for domain in domains for c in domain.competencies]
    completion = CompletionRules(
        min_attendance_percent=course.min_attendance_percent,
        required_modules=sum(m.required for m in modules),
        optional_modules=sum(not m.required for m in modules),
        required_competencies=sum(c.required for c in competencies),
        # An ethics module whose quiz was never set up uses the default pass mark.
        ethics_pass_mark_percent=max(pass_marks, default=EthicsQuiz.model_fields["pass_mark_percent"].default)
        if ethics_modules
        else None,
        pledge_required=course.pledge_required and bool(ethics_modules),
        requires_approval=course.requires_approval,
    )
    return CatalogueCourseDetail.model_validate(
        _entry(
            course,
            (len(modules), len(ethics_modules)),
            len(competencies),
            (await _upcoming_cohorts(session, [course.code])).get(course.code, []),
        )
        | {
            "modules": [
                CatalogueModule.model_validate(m.model_dump() | {"ethics": m.kind == ModuleKind.ethics})
                for m in modules
            ],
            "domains": domains,
            "completion": completion,
        }
    )
