"""Attendance: the register of each session and the attendance rate of each enrolment."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import Course, CourseModule
from foundation import audit
from foundation.audit import Actor
from foundation.clock import cambodian_now, today, utcnow
from foundation.columns import row_id, table
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.i18n import N_, gettext
from people.models import Province, Trainee, User
from people.services.auth import CurrentUser
from training.models import (
    Attendance,
    AttendanceStatus,
    ClassSession,
    Cohort,
    CohortTrainer,
    Enrolment,
    SessionModule,
)
from training.schemas.attendance import AttendanceSheet, RegisterRead, RegisterRowRead, SheetTrainee
from training.services.access import SEATED, cohort_for, course_of, writable
from training.services.completion import Delivery, Meeting, course_delivery

STATUSES = tuple(status.value for status in AttendanceStatus)
ATTENDED = frozenset({AttendanceStatus.present.value, AttendanceStatus.late.value})
STATUS_NAMES = {
    AttendanceStatus.present.value: N_("Present"),
    AttendanceStatus.late.value: N_("Late"),
    AttendanceStatus.excused.value: N_("Excused"),
    AttendanceStatus.absent.value: N_("Absent"),
}


def attendance_rate(statuses: list[str], sessions_held: int) -> Decimal | None:
    """The percentage of held sessions an enrolment attended, rounded DOWN to 0.1 (never overstated).

    `statuses` are the enrolment's attendance records; `sessions_held` counts the cohort's sessions
    for which attendance has been taken (for anyone): a session without any record yet is not counted.
    Present and late count as attended; excused sessions leave the denominator; absent, and a held
    session without a record for this enrolment, count as missed. None when nothing counts yet.
    """
    excused = statuses.count(AttendanceStatus.excused.value)
    counted = max(sessions_held, len(statuses)) - excused
    if counted <= 0:
        return None
    attended = sum(1 for status in statuses if status in ATTENDED)
    return (Decimal(100 * attended) / counted).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


@dataclass
class CohortMarks:
    """Every attendance mark of one cohort: who was marked what at which session."""

    by_enrolment: dict[int, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    held: set[int] = field(default_factory=set)

    def add(self, enrolment_id: int, session_id: int, status: str) -> None:
        self.by_enrolment[enrolment_id][session_id] = status
        self.held.add(session_id)

    def status(self, enrolment_id: int, session_id: int) -> str | None:
        return self.by_enrolment.get(enrolment_id, {}).get(session_id)

    def rate(self, enrolment_id: int) -> Decimal | None:
        return attendance_rate(list(self.by_enrolment.get(enrolment_id, {}).values()), len(self.held))


async def _marks_of_cohorts(session: AsyncSession, cohort_ids: Iterable[int]) -> dict[int, CohortMarks]:
    marked, meetings = table(Attendance), table(ClassSession)
    rows = await session.execute(
        select(meetings.c.cohort_id, marked.c.enrolment_id, marked.c.session_id, marked.c.status)
        .join(meetings, meetings.c.id == marked.c.session_id)
        .where(meetings.c.cohort_id.in_(list(cohort_ids)))
    )
    marks: dict[int, CohortMarks] = defaultdict(CohortMarks)
    for cohort_id, enrolment_id, session_id, status in rows.all():
        marks[cohort_id].add(enrolment_id, session_id, status)
    return marks


async def attendance_rates(session: AsyncSession, enrolment_ids: list[int]) -> dict[int, Decimal | None]:
    """The attendance rate of each enrolment, in two queries whatever their number."""
    if not enrolment_ids:
        return {}
    enrolments = table(Enrolment)
    cohorts = await session.execute(
        select(enrolments.c.id, enrolments.c.cohort_id).where(enrolments.c.id.in_(enrolment_ids))
    )
    cohort_of: dict[int, int] = {enrolment_id: cohort_id for enrolment_id, cohort_id in cohorts.all()}
    marks = await _marks_of_cohorts(session, set(cohort_of.values()))
    return {eid: marks[cohort_of[eid]].rate(eid) if eid in cohort_of else None for eid in enrolment_ids}


async def course_deliveries(session: AsyncSession, end_dates: Mapping[int, date]) -> dict[int, Delivery]:
    """How far each of these cohorts (by id, with its end date) has been delivered by now, in one query."""
    if not end_dates:
        return {}
    meetings, marked = table(ClassSession), table(Attendance)
    taken = select(marked.c.session_id).where(marked.c.session_id == meetings.c.id).exists()
    rows = await session.execute(
        select(
            meetings.c.cohort_id,
            meetings.c.day,
            meetings.c.ends_at,
            meetings.c.cancelled_at.is_not(None),
        )
        .add_columns(taken)
        .where(meetings.c.cohort_id.in_(list(end_dates)))
    )
    found: dict[int, list[Meeting]] = defaultdict(list)
    for cohort_id, day, ends_at, cancelled, register_taken in rows.all():
        found[cohort_id].append(Meeting(day, ends_at, bool(cancelled), bool(register_taken)))
    now = cambodian_now()
    return {cohort_id: course_delivery(found[cohort_id], end, now) for cohort_id, end in end_dates.items()}


# ---------------------------------------------------------------- the people on a cohort's register


@dataclass(frozen=True)
class RosterEntry:
    enrolment: Enrolment
    trainee: Trainee

    @property
    def enrolment_id(self) -> int:
        return row_id(self.enrolment)


async def roster(session: AsyncSession, cohort_id: int) -> list[RosterEntry]:
    """The cohort's enrolled (and finished) trainees, by name: the rows of its register and grids."""
    rows = await session.execute(
        select(Enrolment, Trainee)
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status).in_(SEATED))
        .order_by(col(Trainee.name_latin), col(Trainee.id))
    )
    return [RosterEntry(enrolment, trainee) for enrolment, trainee in rows.all()]


async def cohort_sessions(session: AsyncSession, cohort_id: int) -> list[ClassSession]:
    rows = await session.execute(
        select(ClassSession)
        .where(col(ClassSession.cohort_id) == cohort_id)
        .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- the register of one session


@dataclass(frozen=True)
class RegisterRow:
    entry: RosterEntry
    status: str | None
    rate: Decimal | None


@dataclass(frozen=True)
class Register:
    cohort: Cohort
    course: Course
    meeting: ClassSession
    modules: list[CourseModule]
    sessions: list[ClassSession]
    rows: list[RegisterRow]
    today: date

    @property
    def editable(self) -> bool:
        """Closed cohorts are read-only; no attendance for a session yet to come, or cancelled."""
        return writable(self.cohort) and self.meeting.day <= self.today and not self.meeting.cancelled

    @property
    def tally(self) -> dict[str, int]:
        counts = {status.value: 0 for status in AttendanceStatus} | {"unmarked": 0}
        for row in self.rows:
            counts[row.status or "unmarked"] += 1
        return counts

    def row(self, enrolment_id: int) -> RegisterRow:
        return next(row for row in self.rows if row.entry.enrolment_id == enrolment_id)

    def read(self) -> RegisterRead:
        rows = [
            RegisterRowRead(
                enrolment_id=row.entry.enrolment_id,
                trainee_id=row.entry.enrolment.trainee_id,
                name_km=row.entry.trainee.name_km,
                name_latin=row.entry.trainee.name_latin,
                status=AttendanceStatus(row.status) if row.status else None,
                attendance_rate=row.rate,
            )
            for row in self.rows
        ]
        meeting_id = row_id(self.meeting)
        return RegisterRead(
            cohort_id=row_id(self.cohort),
            session_id=meeting_id,
            day=self.meeting.day,
            editable=self.editable,
            rows=rows,
        )


async def _meeting(session: AsyncSession, cohort: Cohort, session_id: int) -> ClassSession:
    meeting = await session.get(ClassSession, session_id)
    if meeting is None or meeting.cohort_id != cohort.id:
        raise NotFound(N_("No such session in this cohort."))
    return meeting


async def _register(session: AsyncSession, cohort: Cohort, meeting: ClassSession) -> Register:
    cohort_id = row_id(cohort)
    modules = await session.execute(
        select(CourseModule)
        .join(SessionModule, col(SessionModule.module_id) == CourseModule.id)
        .where(col(SessionModule.session_id) == meeting.id)
        .order_by(col(CourseModule.position), col(CourseModule.id))
    )
    marks = (await _marks_of_cohorts(session, [cohort_id]))[cohort_id]
    rows = [
        RegisterRow(entry, marks.status(entry.enrolment_id, row_id(meeting)), marks.rate(entry.enrolment_id))
        for entry in await roster(session, cohort_id)
    ]
    return Register(
        cohort,
        await course_of(session, cohort),
        meeting,
        list(modules.scalars()),
        await cohort_sessions(session, cohort_id),
        rows,
        today(),
    )


async def get_register(session: AsyncSession, user: CurrentUser, cohort_id: int, session_id: int) -> Register:
    cohort = await cohort_for(session, user, cohort_id)
    return await _register(session, cohort, await _meeting(session, cohort, session_id))


def _check_marks(marks: Mapping[int, str], on_register: set[int]) -> None:
    problems = {}
    for enrolment_id, status in marks.items():
        if enrolment_id not in on_register:
            problems["__all__"] = gettext(N_("Someone in this list is not on this cohort's register."))
        elif status not in STATUSES:
            problems[f"status-{enrolment_id}"] = gettext(N_("Choose present, late, excused or absent."))
    if problems:
        raise InvalidInput(problems)


async def _save_marks(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    session_id: int,
    marks_for: Callable[[list[RosterEntry]], Mapping[int, str]],
) -> Register:
    """Save the marks {enrolment id: status} of one session (chosen from its roster) and return its register.

    Marks taken on the session's day are the register being taken: no audit entry. A change made
    after that day corrects the record, so it is audited with the value before and after.
    """
    cohort = await cohort_for(session, user, cohort_id, write=True)
    meeting = await _meeting(session, cohort, session_id)
    if meeting.cancelled:
        raise Conflict(N_("This session was cancelled: its attendance cannot be taken."))
    if meeting.day > today():
        raise Conflict(
            N_("This session has not taken place yet: its attendance can be taken from its day on.")
        )
    entries = await roster(session, cohort_id)
    marks = marks_for(entries)
    _check_marks(marks, {entry.enrolment_id for entry in entries})
    existing = await session.execute(
        select(Attendance).where(
            col(Attendance.session_id) == session_id, col(Attendance.enrolment_id).in_(list(marks))
        )
    )
    current = {mark.enrolment_id: mark for mark in existing.scalars()}
    enrolments = {entry.enrolment_id: entry.enrolment for entry in entries}
    audited = meeting.day < today()
    for enrolment_id, status in marks.items():
        mark = current.get(enrolment_id)
        if mark is not None and mark.status == status:
            continue
        before = audit.snapshot(mark)
        if mark is None:
            mark = Attendance(enrolment_id=enrolment_id, session_id=session_id, status=status)
            session.add(mark)
        mark.sqlmodel_update({"status": status, "recorded_by": actor.user_id, "recorded_at": utcnow()})
        if audited:
            # Attendance has no id of its own: the entry is filed under the enrolment it belongs to.
            audit.record(
                session, actor, "attendance.update", enrolments[enrolment_id], before, audit.snapshot(mark)
            )
    return await _register(session, cohort, meeting)


async def record_attendance(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    session_id: int,
    marks: Mapping[int, str],
) -> Register:
    """Save the given marks {enrolment id: status} of one session."""
    return await _save_marks(session, actor, user, cohort_id, session_id, lambda _: marks)


async def mark_all_present(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, session_id: int
) -> Register:
    """Everyone on the register present: the usual start, before changing the few exceptions."""

    def everyone_present(entries: list[RosterEntry]) -> dict[int, str]:
        return {entry.enrolment_id: AttendanceStatus.present.value for entry in entries}

    return await _save_marks(session, actor, user, cohort_id, session_id, everyone_present)


# ---------------------------------------------------------------- a cohort's attendance at a glance


@dataclass(frozen=True)
class SummaryRow:
    entry: RosterEntry
    statuses: list[str | None]  # one per session, in the order of the summary's sessions
    rate: Decimal | None


@dataclass(frozen=True)
class AttendanceSummary:
    cohort: Cohort
    course: Course
    sessions: list[ClassSession]
    rows: list[SummaryRow]
    held: int


async def attendance_summary(session: AsyncSession, user: CurrentUser, cohort_id: int) -> AttendanceSummary:
    """Trainees x sessions with each mark, and each trainee's attendance rate."""
    cohort = await cohort_for(session, user, cohort_id)
    sessions = await cohort_sessions(session, cohort_id)
    marks = (await _marks_of_cohorts(session, [cohort_id]))[cohort_id]
    rows = [
        SummaryRow(
            entry,
            [marks.status(entry.enrolment_id, row_id(meeting)) for meeting in sessions],
            marks.rate(entry.enrolment_id),
        )
        for entry in await roster(session, cohort_id)
    ]
    return AttendanceSummary(cohort, await course_of(session, cohort), sessions, rows, len(marks.held))


# ---------------------------------------------------------------- the printed sheet of one session


async def attendance_sheet(
    session: AsyncSession, user: CurrentUser, cohort_id: int, session_id: int
) -> AttendanceSheet:
    """What the session's printed sheet shows: every trainee on its register, for a room without a signal."""
    register = await get_register(session, user, cohort_id, session_id)
    cohort, course, meeting = register.cohort, register.course, register.meeting
    province = await session.get(Province, cohort.venue_province_code)
    trainers = await session.execute(
        select(User.display_name)
        .join(CohortTrainer, col(CohortTrainer.user_id) == User.id)
        .where(col(CohortTrainer.cohort_id) == cohort_id)
        .order_by(col(User.display_name))
    )
    places = [cohort.venue] if cohort.venue else []
    return AttendanceSheet(
        course_code=course.code,
        course_title_km=course.title_km,
        course_title_en=course.title_en,
        cohort_code=cohort.code,
        venue_km=", ".join(places + ([province.name_km] if province else [])),
        venue_en=", ".join(places + ([province.name_en] if province else [])),
        day=meeting.day,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        trainers=tuple(trainers.scalars()),
        trainees=tuple(
            SheetTrainee(row.entry.trainee.name_km, row.entry.trainee.name_latin) for row in register.rows
        ),
    )
