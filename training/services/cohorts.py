"""Cohorts (runs of a published course): finding them, creating and changing them, moving their status."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import Course, CourseStatus
from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput
from foundation.i18n import N_, gettext
from foundation.paging import Page
from foundation.roles import Role
from people.models import Province, User, UserRole
from people.services.auth import CurrentUser
from training.models import ClassSession, Cohort, CohortStatus, CohortTrainer, Enrolment, EnrolmentStatus
from training.schemas.cohorts import CohortBase, CohortCreate, CohortRead, CohortUpdate, StatusChange
from training.services.access import cohort_for, visible_to
from training.services.seats import fill_free_seats
from training.services.settlement import refuse_early_closing, sessions_to_come, settle_cohort

COHORT_STATUS_NAMES = {
    CohortStatus.planned: N_("Planned"),
    CohortStatus.open: N_("Open for enrolment"),
    CohortStatus.running: N_("Running"),
    CohortStatus.closed: N_("Closed"),
}


# ---------------------------------------------------------------- finding cohorts


@dataclass(frozen=True)
class CohortRow:
    """A cohort as lists show it: its course, venue province, trainers and waitlist length."""

    cohort: Cohort
    course: Course
    province: Province
    trainers: list[User]
    waitlisted: int

    @property
    def status_name(self) -> str:
        return COHORT_STATUS_NAMES[CohortStatus(self.cohort.status)]

    @property
    def read(self) -> CohortRead:
        return CohortRead.model_validate(
            self.cohort.model_dump()
            | {"trainer_ids": [row_id(u) for u in self.trainers], "waitlisted_count": self.waitlisted}
        )


@dataclass(frozen=True)
class CohortFilters:
    q: str = ""
    status: CohortStatus | None = None
    course_id: int | None = None
    province_code: str | None = None


async def _trainers_of(session: AsyncSession, cohort_ids: list[int]) -> dict[int, list[User]]:
    rows = await session.execute(
        select(CohortTrainer.cohort_id, User)
        .join(User, col(User.id) == CohortTrainer.user_id)
        .where(col(CohortTrainer.cohort_id).in_(cohort_ids))
        .order_by(col(User.display_name))
    )
    trainers: dict[int, list[User]] = {cid: [] for cid in cohort_ids}
    for cohort_id, user in rows.all():
        trainers[cohort_id].append(user)
    return trainers


async def _waitlist_lengths(session: AsyncSession, cohort_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Enrolment.cohort_id, func.count())
        .where(
            col(Enrolment.cohort_id).in_(cohort_ids),
            col(Enrolment.status) == EnrolmentStatus.waitlisted.value,
        )
        .group_by(col(Enrolment.cohort_id))
    )
    return dict(rows.all())


async def cohort_rows(session: AsyncSession, found: list[tuple[Cohort, Course, Province]]) -> list[CohortRow]:
    """Each cohort with its trainers and waitlist length, in two more queries whatever their number."""
    ids = [row_id(cohort) for cohort, _, _ in found]
    if not ids:
        return []
    trainers = await _trainers_of(session, ids)
    waitlisted = await _waitlist_lengths(session, ids)
    return [
        CohortRow(cohort, course, province, trainers[row_id(cohort)], waitlisted.get(row_id(cohort), 0))
        for cohort, course, province in found
    ]


def with_course_and_province() -> Any:
    """A query of cohorts with their course and venue province: the rows `cohort_rows` completes."""
    return (
        select(Cohort, Course, Province)
        .join(Course, col(Course.id) == Cohort.course_id)
        .join(Province, col(Province.code) == Cohort.venue_province_code)
    )


async def search_cohorts(
    session: AsyncSession,
    user: CurrentUser,
    filters: CohortFilters = CohortFilters(),
    *,
    page: int = 1,
    per_page: int = 25,
) -> Page[CohortRow]:
    """The cohorts this user may see, newest start first; `q` matches the cohort's code."""
    conditions = visible_to(user)
    if filters.q.strip():
        conditions.append(col(Cohort.code).ilike(f"%{filters.q.strip()}%"))
    if filters.status is not None:
        conditions.append(col(Cohort.status) == filters.status.value)
    if filters.course_id is not None:
        conditions.append(col(Cohort.course_id) == filters.course_id)
    if filters.province_code:
        conditions.append(col(Cohort.venue_province_code) == filters.province_code)
    total = (await session.execute(select(func.count()).select_from(Cohort).where(*conditions))).scalar_one()
    found = await session.execute(
        with_course_and_province()
        .where(*conditions)
        .order_by(col(Cohort.start_date).desc(), col(Cohort.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(await cohort_rows(session, list(found.all())), total, page, per_page)


async def courses_with_cohorts(session: AsyncSession, user: CurrentUser) -> list[Course]:
    """The course versions of the cohorts this user sees: the choices of the list's course filter."""
    query = select(Course).where(col(Course.id).in_(select(Cohort.course_id).where(*visible_to(user))))
    return list((await session.execute(query.order_by(col(Course.code), col(Course.version)))).scalars())


async def get_cohort_row(
    session: AsyncSession, user: CurrentUser, cohort_id: int, *, write: bool = False
) -> CohortRow:
    """The cohort as lists show it; `write` for the pages that change it (refused once it is closed)."""
    await cohort_for(session, user, cohort_id, write=write)
    found = await session.execute(with_course_and_province().where(col(Cohort.id) == cohort_id))
    [row] = await cohort_rows(session, list(found.all()))
    return row


@dataclass(frozen=True)
class CohortChoices:
    """What the cohort form offers: published courses, provinces, and the users who train."""

    courses: list[Course]
    provinces: list[Province]
    trainers: list[User]


async def active_trainers(session: AsyncSession, user_ids: list[int] | None = None) -> list[User]:
    """Active users with the trainer role (among `user_ids`, if given)."""
    query = select(User).where(
        col(User.active).is_(True),
        col(User.id).in_(select(UserRole.user_id).where(col(UserRole.role) == Role.trainer.value)),
    )
    if user_ids is not None:
        query = query.where(col(User.id).in_(user_ids))
    return list((await session.execute(query.order_by(col(User.display_name), col(User.id)))).scalars())


async def cohort_choices(session: AsyncSession) -> CohortChoices:
    courses = await session.execute(
        select(Course)
        .where(col(Course.status) == CourseStatus.published.value)
        .order_by(col(Course.code), col(Course.version).desc())
    )
    provinces = await session.execute(select(Province).order_by(col(Province.code)))
    return CohortChoices(list(courses.scalars()), list(provinces.scalars()), await active_trainers(session))


# ---------------------------------------------------------------- writing cohorts


async def _checked_trainers(session: AsyncSession, user: CurrentUser, trainer_ids: list[int]) -> list[int]:
    """The chosen trainers; a trainer who is not an admin always stays one of them."""
    chosen = set(trainer_ids)
    if not user.has_role(Role.admin):
        chosen.add(user.id)
    if not chosen:
        raise InvalidInput({"trainer_ids": gettext(N_("Choose at least one trainer."))})
    found = [row_id(u) for u in await active_trainers(session, sorted(chosen))]
    if len(found) != len(chosen):
        raise InvalidInput({"trainer_ids": gettext(N_("Choose trainers among the active users who train."))})
    return found


async def _check_cohort(session: AsyncSession, data: CohortBase, cohort: Cohort | None) -> None:
    """Everything the schema cannot know: a free code, a real province, sessions within the dates."""
    errors: dict[str, str] = {}
    same_code = select(Cohort.id).where(col(Cohort.code) == data.code)
    if cohort is not None:
        same_code = same_code.where(col(Cohort.id) != cohort.id)
    if (await session.execute(same_code)).first() is not None:
        errors["code"] = gettext(N_("This code is already used by another cohort: choose another one."))
    if await session.get(Province, data.venue_province_code) is None:
        errors["venue_province_code"] = gettext(N_("Choose the province."))
    if cohort is not None:
        outside = await session.execute(
            select(func.count())
            .select_from(ClassSession)
            .where(
                col(ClassSession.cohort_id) == cohort.id,
                or_(col(ClassSession.day) < data.start_date, col(ClassSession.day) > data.end_date),
            )
        )
        if count := outside.scalar_one():
            errors["end_date"] = gettext(
                N_("%(count)s of its sessions fall outside these dates: move or remove them first.")
            ) % {"count": count}
        if data.capacity < cohort.enrolled_count:
            errors["capacity"] = gettext(
                N_("%(count)s trainees hold a seat: the capacity cannot be lower than that.")
            ) % {"count": cohort.enrolled_count}
    if errors:
        raise InvalidInput(errors)


def _cohort_snapshot(cohort: Cohort, trainer_ids: list[int]) -> dict[str, Any] | None:
    return audit.snapshot(cohort, trainer_ids=sorted(trainer_ids))


async def create_cohort(session: AsyncSession, actor: Actor, user: CurrentUser, data: CohortCreate) -> Cohort:
    course = await session.get(Course, data.course_id)
    if course is None or course.status != CourseStatus.published:
        raise InvalidInput({"course_id": gettext(N_("Choose a published course."))})
    trainer_ids = await _checked_trainers(session, user, data.trainer_ids)
    await _check_cohort(session, data, None)
    cohort = Cohort(**data.model_dump(exclude={"trainer_ids"}))
    session.add(cohort)
    await session.flush()
    session.add_all(CohortTrainer(cohort_id=row_id(cohort), user_id=uid) for uid in trainer_ids)
    audit.record(session, actor, "cohort.create", cohort, None, _cohort_snapshot(cohort, trainer_ids))
    return cohort


async def update_cohort(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, data: CohortUpdate
) -> Cohort:
    cohort = await cohort_for(session, user, cohort_id, write=True)
    await session.refresh(cohort)  # the seat count as it is now
    trainer_ids = await _checked_trainers(session, user, data.trainer_ids)
    await _check_cohort(session, data, cohort)
    before = _cohort_snapshot(
        cohort, [row_id(u) for u in (await _trainers_of(session, [cohort_id]))[cohort_id]]
    )
    # Conditional, so a trainee enrolled meanwhile is never left without a seat.
    resized = await session.execute(
        update(Cohort)
        .where(col(Cohort.id) == cohort_id, col(Cohort.enrolled_count) <= data.capacity)
        .values(capacity=data.capacity)
        .returning(col(Cohort.id))
        .execution_options(synchronize_session=False)
    )
    if resized.first() is None:  # refused, so nothing was changed: the caller's rollback has nothing to undo
        raise Conflict(N_("Trainees were enrolled meanwhile: reload the page and check the capacity."))
    cohort.sqlmodel_update(data.model_dump(exclude={"trainer_ids"}) | {"updated_at": utcnow()})
    await session.execute(delete(CohortTrainer).where(col(CohortTrainer.cohort_id) == cohort_id))
    session.add_all(CohortTrainer(cohort_id=cohort_id, user_id=uid) for uid in trainer_ids)
    await session.flush()
    await fill_free_seats(session, actor, cohort_id)  # a larger capacity takes people off the waitlist
    await session.refresh(cohort)
    audit.record(session, actor, "cohort.update", cohort, before, _cohort_snapshot(cohort, trainer_ids))
    return cohort


async def change_status(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, change: StatusChange
) -> Cohort:
    """Only forward (planned > open > running > closed); closing must be confirmed, as it cannot be undone.

    Closing is refused while sessions are still to come (neither held nor cancelled); it settles every
    enrolled trainee as completed or not completed, as their checklist says.
    """
    cohort = await cohort_for(session, user, cohort_id, write=True)
    statuses = list(CohortStatus)
    if statuses.index(change.status) <= statuses.index(CohortStatus(cohort.status)):
        raise Conflict(N_("A cohort's status only moves forward: planned, open, running, closed."))
    if change.status == CohortStatus.closed and not change.confirm:
        raise InvalidInput(
            {"confirm": gettext(N_("Tick the box to confirm: a closed cohort can no longer be changed."))}
        )
    if change.status == CohortStatus.closed:
        refuse_early_closing(await sessions_to_come(session, cohort_id))
    before = audit.snapshot(cohort)
    if change.status == CohortStatus.closed:
        await settle_cohort(session, actor, cohort_id)
    cohort.status = change.status.value
    cohort.updated_at = utcnow()
    audit.record(session, actor, "cohort.status", cohort, before, audit.snapshot(cohort))
    return cohort
