"""A cohort's sessions (dated class meetings covering modules of its course): its schedule and changes."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import CourseModule
from foundation import audit
from foundation.audit import Actor
from foundation.clock import cambodian_now, utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.formatting import format_date
from foundation.i18n import N_, gettext
from people.services.auth import CurrentUser
from training.models import Attendance, ClassSession, Cohort, CohortStatus, SessionModule
from training.schemas.cohorts import SessionCancellation, SessionInput, SessionRead
from training.services.access import cohort_for
from training.services.cohorts import CohortRow, get_cohort_row
from training.services.completion import Meeting, session_held

# ---------------------------------------------------------------- the schedule


@dataclass(frozen=True)
class SessionView:
    meeting: ClassSession
    modules: list[CourseModule]

    @property
    def read(self) -> SessionRead:
        return SessionRead.model_validate(
            self.meeting.model_dump() | {"module_ids": [row_id(m) for m in self.modules]}
        )


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


# ---------------------------------------------------------------- changing the sessions


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
    return meeting


async def remove_session(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, session_id: int
) -> None:
    """A session whose attendance has been taken stays: the register is part of the trainees' record."""
    await cohort_for(session, user, cohort_id, write=True)
    meeting = await _meeting(session, cohort_id, session_id)
    if await _register_taken(session, session_id):
        raise Conflict(N_("Attendance has been taken for this session: it cannot be removed."))
    before = _session_snapshot(meeting, await _module_ids(session, session_id))
    audit.record(session, actor, "session.delete", meeting, before, None)
    await session.execute(delete(SessionModule).where(col(SessionModule.session_id) == session_id))
    await session.delete(meeting)


# ---------------------------------------------------------------- cancelling a session


async def _register_taken(session: AsyncSession, session_id: int) -> bool:
    taken = select(Attendance.session_id).where(col(Attendance.session_id) == session_id).limit(1)
    return (await session.execute(taken)).first() is not None


async def cancel_session(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    session_id: int,
    data: SessionCancellation,
) -> ClassSession:
    """A session that will not take place: kept, with the reason, but no longer counted (attendance,
    reminders, the course's completion). One already held (or whose register was taken) cannot be."""
    await cohort_for(session, user, cohort_id, write=True)
    meeting = await _meeting(session, cohort_id, session_id)
    if meeting.cancelled:
        raise Conflict(N_("This session is already cancelled."))
    held = Meeting(meeting.day, meeting.ends_at, register_taken=await _register_taken(session, session_id))
    if session_held(held, cambodian_now()):
        raise Conflict(N_("This session has already taken place: it cannot be cancelled."))
    before = audit.snapshot(meeting)
    meeting.cancelled_at, meeting.cancelled_by = utcnow(), actor.user_id
    meeting.cancelled_reason = data.reason
    audit.record(session, actor, "session.cancel", meeting, before, audit.snapshot(meeting))
    return meeting


async def restore_session(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, session_id: int
) -> ClassSession:
    """Undo a cancellation: the session counts again (its record keeps the audit trail)."""
    await cohort_for(session, user, cohort_id, write=True)
    meeting = await _meeting(session, cohort_id, session_id)
    if not meeting.cancelled:
        raise Conflict(N_("This session is not cancelled."))
    before = audit.snapshot(meeting)
    meeting.cancelled_at = meeting.cancelled_by = meeting.cancelled_reason = None
    audit.record(session, actor, "session.restore", meeting, before, audit.snapshot(meeting))
    return meeting
