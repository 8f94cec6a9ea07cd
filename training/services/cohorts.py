"""Cohorts (runs of a published course): trainers, sessions, seats, status, and the trainer's dashboard."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints, ValidationInfo, field_validator
from pydantic import Field as Limits
from sqlalchemy import ColumnElement, and_, delete, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from courses.models import Code, Course, CourseCompetency, CourseModule, CourseStatus
from foundation import audit
from foundation.audit import Actor
from foundation.clock import today, utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, Forbidden, InvalidInput, NotFound
from foundation.i18n import N_, format_date, gettext
from foundation.paging import Page
from foundation.roles import Role
from people.models import Province, User, UserRole
from people.services.auth import CurrentUser
from training.messages import WAITLIST_PROMOTED, tell_enrolled
from training.models import (
    Assessment,
    Attendance,
    ClassSession,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    SessionModule,
)
from training.services import progress

CLOSED = N_("This cohort is closed: it can no longer be changed.")
COHORT_STATUS_NAMES = {
    CohortStatus.planned: N_("Planned"),
    CohortStatus.open: N_("Open for enrolment"),
    CohortStatus.running: N_("Running"),
    CohortStatus.closed: N_("Closed"),
}
# Enrolments that hold a seat: `Cohort.enrolled_count` counts exactly these.
SEATED = (
    EnrolmentStatus.enrolled.value,
    EnrolmentStatus.completed.value,
    EnrolmentStatus.not_completed.value,
)
UPCOMING_DAYS = 14


# ---------------------------------------------------------------- input and read schemas


def _chosen(message: str) -> BeforeValidator:
    """A select left on its empty option gets `message` rather than a type error."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(message)
        return value

    return BeforeValidator(check)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


ProvinceCode = Annotated[str, _chosen(N_("Choose the province.")), StringConstraints(pattern=r"^\d{2}$")]
Venue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Capacity = Annotated[int, Limits(ge=1, le=10000)]
OptionalTime = Annotated[time | None, BeforeValidator(_blank_to_none)]


class CohortBase(SQLModel):
    code: Code
    trainer_ids: list[int] = []
    venue_province_code: ProvinceCode
    venue: Venue = ""
    start_date: date
    end_date: date
    capacity: Capacity

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and end < start:
            raise ValueError(N_("The end date is before the start date."))
        return end


class CohortCreate(CohortBase):
    """A new cohort; a trainer who creates one is always among its trainers."""

    course_id: Annotated[int, _chosen(N_("Choose a published course."))]


class CohortUpdate(CohortBase):
    """The course of a cohort is fixed when it is created."""


class StatusChange(SQLModel):
    status: CohortStatus
    confirm: bool = False


class SessionInput(SQLModel):
    day: date
    starts_at: OptionalTime = None
    ends_at: OptionalTime = None
    module_ids: list[int] = []

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, ends: time | None, info: ValidationInfo) -> time | None:
        starts = info.data.get("starts_at")
        if ends is not None and starts is not None and ends <= starts:
            raise ValueError(N_("The session must end after it starts."))
        return ends


class CohortRead(SQLModel):
    id: int
    code: str
    course_id: int
    trainer_ids: list[int]
    venue_province_code: str
    venue: str
    start_date: date
    end_date: date
    capacity: int
    enrolled_count: int
    waitlisted_count: int
    status: CohortStatus


class SessionRead(SQLModel):
    id: int
    cohort_id: int
    day: date
    starts_at: time | None
    ends_at: time | None
    module_ids: list[int]


# ---------------------------------------------------------------- access


async def trains(session: AsyncSession, user: CurrentUser, cohort_id: int) -> bool:
    """Whether the user is one of the cohort's trainers."""
    query = select(CohortTrainer.user_id).where(
        col(CohortTrainer.cohort_id) == cohort_id, col(CohortTrainer.user_id) == user.id
    )
    return (await session.execute(query)).first() is not None


async def cohort_for(
    session: AsyncSession, user: CurrentUser, cohort_id: int, *, write: bool = False
) -> Cohort:
    """The cohort if this user may see it (admins, its own trainers); `write` also refuses a closed one."""
    cohort = await session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound(N_("No such cohort."))
    if not user.has_role(Role.admin) and not (
        user.has_role(Role.trainer) and await trains(session, user, cohort_id)
    ):
        raise Forbidden(N_("This cohort is not one of yours."))
    if write and cohort.status == CohortStatus.closed:
        raise Conflict(CLOSED)
    return cohort


def _visible_to(user: CurrentUser) -> list[ColumnElement[bool]]:
    """Admins see every cohort; anyone else only those they train."""
    if user.has_role(Role.admin):
        return []
    return [col(Cohort.id).in_(select(CohortTrainer.cohort_id).where(col(CohortTrainer.user_id) == user.id))]


# ---------------------------------------------------------------- seats: capacity held by one atomic UPDATE


async def take_seat(session: AsyncSession, cohort_id: int) -> bool:
    """Take a free seat if there is one. Concurrent callers queue on the cohort's row: never over capacity."""
    taken = await session.execute(
        update(Cohort)
        .where(col(Cohort.id) == cohort_id, col(Cohort.enrolled_count) < col(Cohort.capacity))
        .values(enrolled_count=col(Cohort.enrolled_count) + 1)
        .returning(col(Cohort.id))
        .execution_options(synchronize_session=False)
    )
    return taken.first() is not None


async def release_seat(session: AsyncSession, cohort_id: int) -> None:
    await session.execute(
        update(Cohort)
        .where(col(Cohort.id) == cohort_id)
        .values(enrolled_count=col(Cohort.enrolled_count) - 1)
        .execution_options(synchronize_session=False)
    )


async def fill_free_seats(session: AsyncSession, actor: Actor, cohort_id: int) -> list[Enrolment]:
    """Promote waitlisted trainees, first asked first served, while seats are free, and tell them (no
    commit)."""
    promoted: list[Enrolment] = []
    while True:
        candidate = (
            (
                await session.execute(
                    select(Enrolment)
                    .where(
                        col(Enrolment.cohort_id) == cohort_id,
                        col(Enrolment.status) == EnrolmentStatus.waitlisted.value,
                    )
                    .order_by(col(Enrolment.requested_at), col(Enrolment.id))
                    .limit(1)
                    .with_for_update(skip_locked=True)
                    .execution_options(populate_existing=True)
                )
            )
            .scalars()
            .first()
        )
        if candidate is None or not await take_seat(session, cohort_id):
            await tell_enrolled(session, [row_id(e) for e in promoted], WAITLIST_PROMOTED)
            return promoted
        before = audit.snapshot(candidate)
        candidate.status = EnrolmentStatus.enrolled.value
        candidate.status_changed_at = utcnow()
        await session.flush()
        audit.record(session, actor, "enrolment.promote", candidate, before, audit.snapshot(candidate))
        promoted.append(candidate)


# ---------------------------------------------------------------- reading


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
class SessionView:
    meeting: ClassSession
    modules: list[CourseModule]

    @property
    def read(self) -> SessionRead:
        return SessionRead.model_validate(
            self.meeting.model_dump() | {"module_ids": [row_id(m) for m in self.modules]}
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


async def _rows(session: AsyncSession, found: list[tuple[Cohort, Course, Province]]) -> list[CohortRow]:
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


def _with_course_and_province() -> Any:
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
    conditions = _visible_to(user)
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
        _with_course_and_province()
        .where(*conditions)
        .order_by(col(Cohort.start_date).desc(), col(Cohort.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(await _rows(session, list(found.all())), total, page, per_page)


async def courses_with_cohorts(session: AsyncSession, user: CurrentUser) -> list[Course]:
    """The course versions of the cohorts this user sees: the choices of the list's course filter."""
    query = select(Course).where(col(Course.id).in_(select(Cohort.course_id).where(*_visible_to(user))))
    return list((await session.execute(query.order_by(col(Course.code), col(Course.version)))).scalars())


async def get_cohort_row(
    session: AsyncSession, user: CurrentUser, cohort_id: int, *, write: bool = False
) -> CohortRow:
    """The cohort as lists show it; `write` for the pages that change it (refused once it is closed)."""
    await cohort_for(session, user, cohort_id, write=write)
    found = await session.execute(_with_course_and_province().where(col(Cohort.id) == cohort_id))
    [row] = await _rows(session, list(found.all()))
    return row


async def _course_modules(session: AsyncSession, course_id: int) -> list[CourseModule]:
    query = (
        select(CourseModule)
        .where(col(CourseModule.course_id) == course_id)
        .order_by(col(CourseModule.position), col(CourseModule.id))
    )
    return list((await session.execute(query)).scalars())


async def _sessions_of(
    session: AsyncSession, cohort_id: int, modules: list[CourseModule]
) -> list[SessionView]:
    meetings = list(
        (
            await session.execute(
                select(ClassSession)
                .where(col(ClassSession.cohort_id) == cohort_id)
                .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
            )
        ).scalars()
    )
    links = await session.execute(
        select(SessionModule).where(col(SessionModule.session_id).in_([row_id(m) for m in meetings]))
    )
    covered: dict[int, set[int]] = {row_id(m): set() for m in meetings}
    for link in links.scalars():
        covered[link.session_id].add(link.module_id)
    return [SessionView(m, [mod for mod in modules if mod.id in covered[row_id(m)]]) for m in meetings]


@dataclass(frozen=True)
class CohortSchedule:
    """A cohort with its course's modules and its sessions, as the cohort page and the API show them."""

    row: CohortRow
    modules: list[CourseModule]
    sessions: list[SessionView]

    @property
    def next_statuses(self) -> list[CohortStatus]:
        """The statuses it may move on to: only forward."""
        statuses = list(CohortStatus)
        return statuses[statuses.index(CohortStatus(self.row.cohort.status)) + 1 :]


async def get_schedule(session: AsyncSession, user: CurrentUser, cohort_id: int) -> CohortSchedule:
    row = await get_cohort_row(session, user, cohort_id)
    modules = await _course_modules(session, row.cohort.course_id)
    return CohortSchedule(row, modules, await _sessions_of(session, cohort_id, modules))


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
    await session.commit()
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
    if resized.first() is None:
        await session.rollback()
        raise Conflict(N_("Trainees were enrolled meanwhile: reload the page and check the capacity."))
    cohort.sqlmodel_update(data.model_dump(exclude={"trainer_ids"}) | {"updated_at": utcnow()})
    await session.execute(delete(CohortTrainer).where(col(CohortTrainer.cohort_id) == cohort_id))
    session.add_all(CohortTrainer(cohort_id=cohort_id, user_id=uid) for uid in trainer_ids)
    await session.flush()
    await fill_free_seats(session, actor, cohort_id)  # a larger capacity takes people off the waitlist
    await session.refresh(cohort)
    audit.record(session, actor, "cohort.update", cohort, before, _cohort_snapshot(cohort, trainer_ids))
    await session.commit()
    return cohort


async def change_status(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, change: StatusChange
) -> Cohort:
    """Only forward (planned > open > running > closed); closing must be confirmed, as it cannot be undone.

    Closing settles every enrolled trainee as completed or not completed, as their checklist says.
    """
    cohort = await cohort_for(session, user, cohort_id, write=True)
    statuses = list(CohortStatus)
    if statuses.index(change.status) <= statuses.index(CohortStatus(cohort.status)):
        raise Conflict(N_("A cohort's status only moves forward: planned, open, running, closed."))
    if change.status == CohortStatus.closed and not change.confirm:
        raise InvalidInput(
            {"confirm": gettext(N_("Tick the box to confirm: a closed cohort can no longer be changed."))}
        )
    before = audit.snapshot(cohort)
    if change.status == CohortStatus.closed:
        await progress.settle_cohort(session, actor, cohort_id)
    cohort.status = change.status.value
    cohort.updated_at = utcnow()
    audit.record(session, actor, "cohort.status", cohort, before, audit.snapshot(cohort))
    await session.commit()
    return cohort


# ---------------------------------------------------------------- sessions (dated class meetings)


async def _check_session(session: AsyncSession, cohort: Cohort, data: SessionInput) -> None:
    errors: dict[str, str] = {}
    if not cohort.start_date <= data.day <= cohort.end_date:
        errors["day"] = gettext(N_("Choose a day within the cohort's dates, %(start)s to %(end)s.")) % {
            "start": format_date(cohort.start_date),
            "end": format_date(cohort.end_date),
        }
    if not data.module_ids:
        errors["module_ids"] = gettext(N_("Choose at least one module."))
    else:
        known = set(
            (
                await session.execute(
                    select(CourseModule.id).where(
                        col(CourseModule.course_id) == cohort.course_id,
                        col(CourseModule.id).in_(data.module_ids),
                    )
                )
            ).scalars()
        )
        if known != set(data.module_ids):
            errors["module_ids"] = gettext(N_("Choose modules of this cohort's course."))
    if errors:
        raise InvalidInput(errors)


def _session_snapshot(meeting: ClassSession, module_ids: list[int]) -> dict[str, Any] | None:
    return audit.snapshot(meeting, module_ids=sorted(module_ids))


async def _meeting(session: AsyncSession, cohort_id: int, session_id: int) -> ClassSession:
    meeting = await session.get(ClassSession, session_id)
    if meeting is None or meeting.cohort_id != cohort_id:
        raise NotFound(N_("No such session."))
    return meeting


async def _module_ids(session: AsyncSession, session_id: int) -> list[int]:
    query = select(SessionModule.module_id).where(col(SessionModule.session_id) == session_id)
    return sorted((await session.execute(query)).scalars())


async def get_session(
    session: AsyncSession, user: CurrentUser, cohort_id: int, session_id: int
) -> tuple[Cohort, SessionRead]:
    cohort = await cohort_for(session, user, cohort_id)
    meeting = await _meeting(session, cohort_id, session_id)
    module_ids = await _module_ids(session, session_id)
    return cohort, SessionRead.model_validate(meeting.model_dump() | {"module_ids": module_ids})


async def course_modules(session: AsyncSession, user: CurrentUser, cohort_id: int) -> list[CourseModule]:
    """The modules a session of this cohort may cover."""
    cohort = await cohort_for(session, user, cohort_id)
    return await _course_modules(session, cohort.course_id)


async def add_session(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, data: SessionInput
) -> ClassSession:
    cohort = await cohort_for(session, user, cohort_id, write=True)
    await _check_session(session, cohort, data)
    meeting = ClassSession(cohort_id=cohort_id, **data.model_dump(exclude={"module_ids"}))
    session.add(meeting)
    await session.flush()
    session.add_all(SessionModule(session_id=row_id(meeting), module_id=mid) for mid in data.module_ids)
    audit.record(session, actor, "session.create", meeting, None, _session_snapshot(meeting, data.module_ids))
    await session.commit()
    return meeting


async def update_session(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    session_id: int,
    data: SessionInput,
) -> ClassSession:
    cohort = await cohort_for(session, user, cohort_id, write=True)
    meeting = await _meeting(session, cohort_id, session_id)
    await _check_session(session, cohort, data)
    before = _session_snapshot(meeting, await _module_ids(session, session_id))
    meeting.sqlmodel_update(data.model_dump(exclude={"module_ids"}))
    await session.execute(delete(SessionModule).where(col(SessionModule.session_id) == session_id))
    session.add_all(SessionModule(session_id=session_id, module_id=mid) for mid in data.module_ids)
    audit.record(
        session, actor, "session.update", meeting, before, _session_snapshot(meeting, data.module_ids)
    )
    await session.commit()
    return meeting


async def remove_session(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, session_id: int
) -> None:
    """A session whose attendance has been taken stays: the register is part of the trainees' record."""
    await cohort_for(session, user, cohort_id, write=True)
    meeting = await _meeting(session, cohort_id, session_id)
    taken = select(Attendance.session_id).where(col(Attendance.session_id) == session_id).limit(1)
    if (await session.execute(taken)).first() is not None:
        raise Conflict(N_("Attendance has been taken for this session: it cannot be removed."))
    before = _session_snapshot(meeting, await _module_ids(session, session_id))
    audit.record(session, actor, "session.delete", meeting, before, None)
    await session.execute(delete(SessionModule).where(col(SessionModule.session_id) == session_id))
    await session.delete(meeting)
    await session.commit()


# ---------------------------------------------------------------- the trainer's dashboard


@dataclass(frozen=True)
class DatedSession:
    """A session with the cohort and course it belongs to."""

    meeting: ClassSession
    cohort: Cohort
    course: Course


@dataclass(frozen=True)
class AttendanceMissing(DatedSession):
    missing: int  # seated trainees without an attendance record for this session


@dataclass(frozen=True)
class Dashboard:
    """A trainer's day: their cohorts, the sessions coming up, and what needs doing."""

    today: date
    cohorts: list[CohortRow]
    sessions: list[DatedSession]
    attendance_missing: list[AttendanceMissing]
    assessments_missing: dict[int, int]  # cohort id > (trainee x required competency) pairs not assessed
    ready_for_certificate: dict[int, int]  # cohort id > enrolled trainees who meet every requirement

    @property
    def todays_sessions(self) -> list[DatedSession]:
        return [s for s in self.sessions if s.meeting.day == self.today]

    @property
    def upcoming_sessions(self) -> list[DatedSession]:
        return [s for s in self.sessions if s.meeting.day > self.today]

    @property
    def needs_action(self) -> bool:
        return bool(self.attendance_missing or self.assessments_missing or self.ready_for_certificate)


def _dated(rows: list[CohortRow]) -> Any:
    """Sessions of these cohorts, earliest first."""
    return (
        select(ClassSession)
        .where(col(ClassSession.cohort_id).in_([row_id(r.cohort) for r in rows]))
        .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
    )


async def _sessions_missing_attendance(
    session: AsyncSession, rows: list[CohortRow], before: date
) -> list[AttendanceMissing]:
    recorded = (
        select(Attendance.session_id)
        .where(col(Attendance.enrolment_id) == Enrolment.id, col(Attendance.session_id) == ClassSession.id)
        .correlate(Enrolment, ClassSession)
        .exists()
    )
    missing = (
        select(func.count(col(Enrolment.id)))
        .where(
            col(Enrolment.cohort_id) == ClassSession.cohort_id,
            col(Enrolment.status).in_(SEATED),
            ~recorded,
        )
        .correlate(ClassSession)
        .scalar_subquery()
    )
    query = _dated(rows).add_columns(missing).where(col(ClassSession.day) < before, missing > 0).limit(50)
    by_id = {row_id(r.cohort): r for r in rows}
    found = []
    for meeting, count in (await session.execute(query)).all():
        row = by_id[meeting.cohort_id]
        found.append(AttendanceMissing(meeting, row.cohort, row.course, count))
    return found


async def _assessments_missing(session: AsyncSession, cohort_ids: list[int]) -> dict[int, int]:
    assessed = (
        select(Assessment.id)
        .where(
            col(Assessment.enrolment_id) == Enrolment.id,
            col(Assessment.competency_id) == CourseCompetency.competency_id,
        )
        .correlate(Enrolment, CourseCompetency)
        .exists()
    )
    rows = await session.execute(
        select(Enrolment.cohort_id, func.count())
        .join(Cohort, col(Cohort.id) == Enrolment.cohort_id)
        .join(
            CourseCompetency,
            and_(
                col(CourseCompetency.course_id) == Cohort.course_id, col(CourseCompetency.required).is_(True)
            ),
        )
        .where(
            col(Enrolment.cohort_id).in_(cohort_ids),
            col(Enrolment.status) == EnrolmentStatus.enrolled.value,
            ~assessed,
        )
        .group_by(col(Enrolment.cohort_id))
    )
    return dict(rows.all())


async def _ready_for_certificate(session: AsyncSession, cohort_ids: list[int]) -> dict[int, int]:
    enrolled = await session.execute(
        select(Enrolment.id, Enrolment.cohort_id).where(
            col(Enrolment.cohort_id).in_(cohort_ids), col(Enrolment.status) == EnrolmentStatus.enrolled.value
        )
    )
    cohort_of: dict[int, int] = {enrolment_id: cohort_id for enrolment_id, cohort_id in enrolled.all()}
    ready: dict[int, int] = {}
    for enrolment_id in await progress.complete_enrolments(session, list(cohort_of)):
        ready[cohort_of[enrolment_id]] = ready.get(cohort_of[enrolment_id], 0) + 1
    return ready


async def dashboard_for(session: AsyncSession, user: CurrentUser) -> Dashboard:
    """The cohorts this user trains that are not closed; a fixed number of queries whatever their number."""
    day = today()
    found = await session.execute(
        _with_course_and_province()
        .where(
            col(Cohort.id).in_(select(CohortTrainer.cohort_id).where(col(CohortTrainer.user_id) == user.id)),
            col(Cohort.status) != CohortStatus.closed.value,
        )
        .order_by(col(Cohort.start_date), col(Cohort.id))
        .limit(50)
    )
    rows = await _rows(session, list(found.all()))
    by_id = {row_id(r.cohort): r for r in rows}
    coming = await session.execute(
        _dated(rows)
        .where(col(ClassSession.day) >= day, col(ClassSession.day) <= day + timedelta(days=UPCOMING_DAYS))
        .limit(100)
    )
    sessions = [
        DatedSession(m, by_id[m.cohort_id].cohort, by_id[m.cohort_id].course) for m in coming.scalars()
    ]
    started = [row_id(r.cohort) for r in rows if r.cohort.start_date <= day]
    return Dashboard(
        today=day,
        cohorts=rows,
        sessions=sessions,
        attendance_missing=await _sessions_missing_attendance(session, rows, day) if rows else [],
        assessments_missing=await _assessments_missing(session, started) if started else {},
        ready_for_certificate=await _ready_for_certificate(session, started) if started else {},
    )
