"""The national data set of `nisa demo --trainees N`: cohorts across the country over the years, with their
enrolments, attendance, assessments, module completions, ethics results and certificates, written in bulk.

Sized from N: about N/40 cohorts, 3 enrolments per trainee and 1.5 certificates per trainee (100,000
trainees: 2,500 cohorts, 300,000 enrolments, 150,000 certificates). Rows are plain dicts inserted with
Core executemany, a few thousand per statement and one transaction per batch of cohorts, with ids numbered
here so nothing is read back. The demo logins get the same cohorts whatever N is (a running cohort of 500
for the demo trainer, finished courses for the demo trainee), so pages can be compared across sizes.
"""

import dataclasses
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rich.progress import Progress
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from certificates.authority import IssuingAuthority
from certificates.codes import grouped, new_code
from certificates.document import CertificateDocument
from certificates.models import Certificate, CertificateStatus
from certificates.services.issuance import add_months, course_template, status_position
from courses.models import Competency, Course, CourseCompetency, CourseModule, CourseStatus, ModuleKind
from foundation.clock import today, utcnow
from foundation.columns import table
from foundation.roles import Role
from nisa.demo.people import FAMILY_NAMES, GIVEN_NAMES, Row, insert_numbered
from people.models import Province, Sex, Trainee, User, UserRole
from training.models import (
    Assessment,
    Attendance,
    ClassSession,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    ModuleCompletion,
    PledgeAcceptance,
    QuizAttempt,
    SessionModule,
)

TRAINEES_PER_COHORT = 40  # 100,000 trainees: 2,500 cohorts
ENROLMENTS_PER_TRAINEE = 3
COHORTS_PER_TRAINER = 20
FIRST_YEAR = 2019
STATEMENT_ROWS = 5_000  # rows per INSERT statement
TRANSACTION_ENROLMENTS = 6_000  # cohorts are written in transactions of about this many enrolments
DEMO_TRAINER, DEMO_TRAINEE = "trainer@nisa.example.org", "trainee@nisa.example.org"
# (course code, first day relative to today, sessions, trainees, demo trainee enrolled): the demo trainer's
# cohorts, the same at every size: a running cohort of 500, an open one, and finished ones.
DEMO_TRAINER_COHORTS = [
    ("CP201", -6, 10, 500, False),
    ("CM201", 12, 5, 40, False),
    ("CM201", -400, 6, 40, True),
    ("DI201", -760, 5, 40, True),
    ("SW101", -1100, 5, 40, False),
    ("CP201", -1500, 6, 40, False),
]
# How enrolments of a closed cohort ended; a few certificates are revoked, some replaced by a reissue.
ENDINGS = {EnrolmentStatus.completed: 52, EnrolmentStatus.not_completed: 41, EnrolmentStatus.withdrawn: 7}
ISSUED_SHARE, REVOKED_SHARE, REISSUED_SHARE = 0.97, 0.02, 0.04
MISSED = ("attendance", "competencies", "quiz", "pledge")  # what a trainee who did not complete missed
WITHDRAWAL_REASONS = [
    "Moved to another province.",
    "Family reasons.",
    "Assigned to other duties by the employer.",
]
REVOCATION_REASONS = [
    "Issued in error: the trainee did not attend the course.",
    "Attendance records were falsified.",
]
METHODS = ["observation", "written", "case_study", "portfolio"]


# ---------------------------------------------------------------- what the generator knows


@dataclass(frozen=True)
class CourseShape:
    """A published course as the generator needs it, with what its certificates say and a signed credential
    of that shape (one per course: signing 150,000 credentials one by one would take most of an hour)."""

    id: int
    code: str
    modules: list[CourseModule]
    competency_ids: list[int]  # the required ones
    validity_months: int | None
    template: CertificateDocument
    credential: dict[str, Any]

    @property
    def ethics_module_ids(self) -> list[int]:
        return [m.id for m in self.modules if m.kind == ModuleKind.ethics and m.id is not None]


@dataclass
class CohortPlan:
    code: str
    course: CourseShape
    province: str
    venue: str
    start: date
    sessions: int
    trainer_id: int
    members: list[int]
    waitlisted: int = 0  # the last members wait for a seat
    finishers: frozenset[int] = frozenset()  # members who complete it whatever the dice say

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.sessions - 1)

    def status(self, day: date) -> CohortStatus:
        if self.end < day:
            return CohortStatus.closed
        if self.start <= day:
            return CohortStatus.running
        return CohortStatus.open if self.start <= day + timedelta(days=45) else CohortStatus.planned


@dataclass
class Serials:
    """The next free id of each table whose ids the data set gives itself."""

    next_ids: dict[str, int]

    def take(self, table: str, count: int = 1) -> list[int]:
        first = self.next_ids[table]
        self.next_ids[table] = first + count
        return list(range(first, first + count))


NUMBERED: list[type[SQLModel]] = [Cohort, ClassSession, Enrolment, Certificate, User]
# The order rows are written in, so every foreign key points at a row already there.
WRITE_ORDER: list[type[SQLModel]] = [
    Cohort,
    CohortTrainer,
    ClassSession,
    SessionModule,
    Enrolment,
    Attendance,
    Assessment,
    ModuleCompletion,
    QuizAttempt,
    PledgeAcceptance,
    Certificate,
]


@dataclass
class Batch:
    """The rows of a batch of cohorts, by table, and the certificate links to set once all are written."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    superseded: list[Row] = field(default_factory=list)

    def add(self, model: type[SQLModel], row: Row) -> None:
        self.rows.setdefault(table(model).name, []).append(row)

    def count(self, model: type[SQLModel]) -> int:
        return len(self.rows.get(table(model).name, []))

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


# ---------------------------------------------------------------- the command's entry point


async def load_national_data(session: AsyncSession, authority: IssuingAuthority, *, seed: int) -> None:
    """Add the national data set around the demo data already loaded (its trainees, logins, courses)."""
    rng = random.Random(seed + 1)
    people = table(Trainee)
    trainee_ids = list((await session.execute(select(people.c.id).order_by(people.c.id))).scalars())
    names = await _trainee_names(session)
    courses = await _course_shapes(session, authority)
    serials = Serials({table(m).name: await _next_id(session, m) for m in NUMBERED})
    demo_trainer = await _user_id(session, DEMO_TRAINER)
    demo_trainee = (
        await session.execute(select(col(User.trainee_id)).where(col(User.email) == DEMO_TRAINEE))
    ).scalar()
    admin = await _user_id(session, "admin@nisa.example.org")
    cohort_count = max(1, len(trainee_ids) // TRAINEES_PER_COHORT)
    trainers = await _trainers(session, rng, serials, max(2, cohort_count // COHORTS_PER_TRAINER))
    await session.commit()
    provinces = list((await session.execute(select(Province).order_by(col(Province.code)))).scalars())
    plans = _demo_trainer_cohorts(rng, courses, trainee_ids, demo_trainer, demo_trainee)
    plans += _national_cohorts(rng, courses, provinces, trainee_ids, trainers, cohort_count)
    writer = _Writer(session, rng, serials, names, admin)
    with Progress() as progress:
        task = progress.add_task("Cohorts, enrolments, certificates", total=len(plans))
        for group in _transactions(plans):
            await writer.write(group)
            progress.advance(task, len(group))
    await _after_bulk_load(session, serials)


async def _next_id(session: AsyncSession, model: type[SQLModel]) -> int:
    return int((await session.execute(select(func.max(table(model).c.id)))).scalar() or 0) + 1


async def _user_id(session: AsyncSession, email: str) -> int:
    return int((await session.execute(select(table(User).c.id).where(col(User.email) == email))).scalar_one())


async def _trainee_names(session: AsyncSession) -> dict[int, tuple[str, str]]:
    people = table(Trainee)
    rows = await session.execute(select(people.c.id, people.c.name_km, people.c.name_latin))
    return {i: (km, latin) for i, km, latin in rows}


async def _course_shapes(session: AsyncSession, authority: IssuingAuthority) -> dict[str, CourseShape]:
    """The published courses by code, each with its certificate's wording and a credential signed once."""
    courses = (
        await session.execute(select(Course).where(col(Course.status) == CourseStatus.published))
    ).scalars()
    shapes = {}
    for course in courses:
        assert course.id is not None
        modules = await session.execute(
            select(CourseModule)
            .where(col(CourseModule.course_id) == course.id)
            .order_by(col(CourseModule.position))
        )
        competencies = list(
            (
                await session.execute(
                    select(Competency)
                    .join(CourseCompetency, col(CourseCompetency.competency_id) == Competency.id)
                    .where(col(CourseCompetency.course_id) == course.id, col(CourseCompetency.required))
                    .order_by(col(Competency.code))
                )
            ).scalars()
        )
        template = course_template(authority, course, competencies)
        shapes[course.code] = CourseShape(
            course.id,
            course.code,
            list(modules.scalars()),
            [c.id for c in competencies if c.id is not None],
            course.validity_months,
            template,
            sample_credential(authority, template),
        )
    return shapes


def sample_credential(authority: IssuingAuthority, template: CertificateDocument) -> dict[str, Any]:
    """A genuinely signed credential of a certificate of this course, stored with each of its certificates
    for its size and shape (signing each would take most of an hour at national size; it names a sample
    holder and code, each certificate's own code is in its row). Demo and benchmark data only."""
    code = new_code()
    document = dataclasses.replace(
        template,
        code=grouped(code),
        verification_url=authority.verification_url(code),
        holder_name_km="សុខ ស្រីមុំ",
        holder_name_latin="Sok Sreymom",
    )
    unsaved = Certificate(
        code=code,
        enrolment_id=0,
        trainee_id=0,
        cohort_id=0,
        course_id=0,
        status_list=1,
        status_index=0,
        issued_at=utcnow(),
    )
    return authority.sign_credential(document, unsaved)


async def _trainers(session: AsyncSession, rng: random.Random, serials: Serials, count: int) -> list[int]:
    """Trainers of the provincial departments (invited: no password yet)."""
    rows = []
    for n in range(count):
        (_, family), (_, given) = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES[rng.choice(list(Sex))])
        rows.append(
            {
                "email": f"trainer{n + 1:03d}@provinces.nisa.example.org",
                "display_name": f"{family} {given}",
                "language": "km",
                "created_at": utcnow(),
            }
        )
    ids = serials.take(table(User).name, count)
    await insert_numbered(session, table(User), rows, ids)
    roles = [{"user_id": user_id, "role": Role.trainer.value} for user_id in ids]
    await session.execute(insert(table(UserRole)), roles)
    return ids


# ---------------------------------------------------------------- the cohorts to write


def _members(
    rng: random.Random, trainee_ids: Sequence[int], size: int, *, include: int | None = None
) -> list[int]:
    """`size` distinct trainees; `include` among them if given."""
    size = min(size, len(trainee_ids))
    chosen = rng.sample(trainee_ids, size)
    if include is None:
        return chosen
    return [include, *[t for t in chosen if t != include][: size - 1]]


def _demo_trainer_cohorts(
    rng: random.Random,
    courses: dict[str, CourseShape],
    trainee_ids: Sequence[int],
    trainer_id: int,
    demo_trainee: int | None,
) -> list[CohortPlan]:
    plans = []
    for n, (code, offset, sessions, size, with_trainee) in enumerate(DEMO_TRAINER_COHORTS, start=1):
        include = demo_trainee if with_trainee else None
        start = today() + timedelta(days=offset)
        plans.append(
            CohortPlan(
                code=f"{code}-{start:%y%m}-T{n:03d}",
                course=courses[code],
                province="12",
                venue="NISA, Phnom Penh",
                start=start,
                sessions=sessions,
                trainer_id=trainer_id,
                members=_members(rng, trainee_ids, size, include=include),
                finishers=frozenset([include] if include else []),
            )
        )
    return plans


def _national_cohorts(
    rng: random.Random,
    courses: dict[str, CourseShape],
    provinces: list[Province],
    trainee_ids: Sequence[int],
    trainers: list[int],
    count: int,
) -> list[CohortPlan]:
    """`count` cohorts from the start of FIRST_YEAR to three months ahead, in every province, of sizes that
    add up to about ENROLMENTS_PER_TRAINEE enrolments per trainee."""
    first, last = date(FIRST_YEAR, 1, 1), today() + timedelta(days=90)
    average = ENROLMENTS_PER_TRAINEE * len(trainee_ids) / count
    shapes = list(courses.values())
    plans = []
    for n in range(1, count + 1):
        course, province = rng.choice(shapes), rng.choice(provinces)
        start = first + timedelta(days=rng.randrange((last - first).days))
        plan = CohortPlan(
            code=f"{course.code}-{start:%y%m}-{n:05d}",
            course=course,
            province=province.code,
            venue=f"Department of Social Affairs, {province.name_en}",
            start=start,
            sessions=len(course.modules),
            trainer_id=trainers[n % len(trainers)],
            members=_members(rng, trainee_ids, round(average * rng.uniform(0.5, 1.5))),
        )
        status = plan.status(today())
        if status == CohortStatus.planned:
            plan.members = []  # not open for enrolment yet
        elif status == CohortStatus.open:
            plan.waitlisted = len(plan.members) // 10
        plans.append(plan)
    return plans


def _transactions(plans: list[CohortPlan]) -> Iterator[list[CohortPlan]]:
    """The cohorts in groups of about TRANSACTION_ENROLMENTS enrolments."""
    group: list[CohortPlan] = []
    for plan in plans:
        group.append(plan)
        if sum(len(p.members) for p in group) >= TRANSACTION_ENROLMENTS:
            yield group
            group = []
    if group:
        yield group


# ---------------------------------------------------------------- rows of one cohort


def _at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, time(hour), UTC)


@dataclass
class _Writer:
    """Turns planned cohorts into rows, and writes them in one transaction per group."""

    session: AsyncSession
    rng: random.Random
    serials: Serials
    names: dict[int, tuple[str, str]]
    admin_id: int

    async def write(self, plans: list[CohortPlan]) -> None:
        batch = Batch()
        for plan in plans:
            self._cohort(batch, plan)
        for model in WRITE_ORDER:
            rows = batch.rows.get(table(model).name, [])
            for start in range(0, len(rows), STATEMENT_ROWS):
                await self.session.execute(insert(table(model)), rows[start : start + STATEMENT_ROWS])
        if batch.superseded:
            certificates = table(Certificate)
            link = (
                update(certificates)
                .where(certificates.c.id == bindparam("old_id"))
                .values(superseded_by_id=bindparam("new_id"))
            )
            await self.session.execute(link, batch.superseded)
        await self.session.commit()

    def _cohort(self, batch: Batch, plan: CohortPlan) -> None:
        status = plan.status(today())
        [cohort_id] = self.serials.take(table(Cohort).name)
        seated = len(plan.members) - plan.waitlisted
        batch.add(
            Cohort,
            {
                "id": cohort_id,
                "code": plan.code,
                "course_id": plan.course.id,
                "venue_province_code": plan.province,
                "venue": plan.venue,
                "start_date": plan.start,
                "end_date": plan.end,
                "capacity": max(seated, 1) if status != CohortStatus.planned else 40,
                "enrolled_count": seated,  # corrected below for those who withdrew
                "status": status.value,
                "created_at": _at(plan.start - timedelta(days=60)),
                "updated_at": _at(min(plan.end, today())),
            },
        )
        batch.add(CohortTrainer, {"cohort_id": cohort_id, "user_id": plan.trainer_id})
        sessions = self._sessions(batch, plan, cohort_id)
        withdrawn = 0
        for n, trainee_id in enumerate(plan.members):
            waiting = n >= seated
            withdrawn += self._enrolment(batch, plan, status, cohort_id, sessions, trainee_id, waiting)
        batch.rows[table(Cohort).name][-1]["enrolled_count"] = seated - withdrawn

    def _sessions(self, batch: Batch, plan: CohortPlan, cohort_id: int) -> list[tuple[int, date, int]]:
        """(session id, day, module id) of each class meeting: one a day, covering the modules in turn."""
        ids = self.serials.take(table(ClassSession).name, plan.sessions)
        modules = plan.course.modules
        found = []
        for n, session_id in enumerate(ids):
            day, module_id = plan.start + timedelta(days=n), modules[n % len(modules)].id
            assert module_id is not None
            batch.add(
                ClassSession,
                {
                    "id": session_id,
                    "cohort_id": cohort_id,
                    "day": day,
                    "starts_at": time(8),
                    "ends_at": time(16, 30),
                },
            )
            batch.add(SessionModule, {"session_id": session_id, "module_id": module_id})
            found.append((session_id, day, module_id))
        return found

    def _enrolment(
        self,
        batch: Batch,
        plan: CohortPlan,
        status: CohortStatus,
        cohort_id: int,
        sessions: list[tuple[int, date, int]],
        trainee_id: int,
        waiting: bool,
    ) -> int:
        """Write one enrolment and what it did; 1 if the trainee withdrew from a seat, else 0."""
        rng = self.rng
        if waiting:
            ending = EnrolmentStatus.waitlisted
        elif status != CohortStatus.closed:
            ending = EnrolmentStatus.enrolled
        elif trainee_id in plan.finishers:
            ending = EnrolmentStatus.completed
        else:
            ending = rng.choices(list(ENDINGS), list(ENDINGS.values()))[0]
        [enrolment_id] = self.serials.take(table(Enrolment).name)
        asked = _at(plan.start - timedelta(days=rng.randrange(3, 40)), rng.randrange(8, 17))
        settled = _at(plan.end) if status == CohortStatus.closed else asked
        batch.add(
            Enrolment,
            {
                "id": enrolment_id,
                "cohort_id": cohort_id,
                "trainee_id": trainee_id,
                "status": ending.value,
                "requested_at": asked,
                "withdrawn_reason": rng.choice(WITHDRAWAL_REASONS)
                if ending == EnrolmentStatus.withdrawn
                else None,
                "status_changed_at": settled,
            },
        )
        record = _Record(batch, rng, plan, enrolment_id, [s for s in sessions if s[1] < today()])
        if ending == EnrolmentStatus.completed:
            record.everything()
            if rng.random() < ISSUED_SHARE or trainee_id in plan.finishers:
                self._certificates(batch, plan, cohort_id, enrolment_id, trainee_id)
        elif ending == EnrolmentStatus.not_completed:
            record.everything(but=rng.choice(MISSED))
        elif ending == EnrolmentStatus.withdrawn:
            record.attendance(sessions=record.past[:1])
            return 1
        elif ending == EnrolmentStatus.enrolled:
            record.so_far()
        return 0

    def _certificates(
        self, batch: Batch, plan: CohortPlan, cohort_id: int, enrolment_id: int, trainee_id: int
    ) -> None:
        """The certificate of a completed enrolment: usually valid; some revoked; some replaced by a reissue
        (the old one superseded, pointing at the new one)."""
        rng, course = self.rng, plan.course
        issued_on = min(plan.end + timedelta(days=rng.randrange(1, 21)), today())
        expires_on = add_months(issued_on, course.validity_months) if course.validity_months else None
        fate = rng.random()
        [first_id] = self.serials.take(table(Certificate).name)
        row = self._certificate(plan, cohort_id, enrolment_id, trainee_id, first_id, issued_on, expires_on)
        if fate < REVOKED_SHARE:
            revoked_on = min(issued_on + timedelta(days=rng.randrange(30, 400)), today())
            row |= {
                "status": CertificateStatus.revoked.value,
                "revoked_at": _at(revoked_on, 10),
                "revoked_by": self.admin_id,
                "revoked_reason": rng.choice(REVOCATION_REASONS),
            }
        batch.add(Certificate, row)
        if REVOKED_SHARE <= fate < REVOKED_SHARE + REISSUED_SHARE:
            row["status"] = CertificateStatus.superseded.value
            [new_id] = self.serials.take(table(Certificate).name)
            reissued_on = min(issued_on + timedelta(days=rng.randrange(10, 200)), today())
            new = self._certificate(
                plan, cohort_id, enrolment_id, trainee_id, new_id, reissued_on, expires_on
            )
            batch.add(Certificate, new | {"supersedes_id": first_id})
            batch.superseded.append({"old_id": first_id, "new_id": new_id})

    def _certificate(
        self,
        plan: CohortPlan,
        cohort_id: int,
        enrolment_id: int,
        trainee_id: int,
        certificate_id: int,
        issued_on: date,
        expires_on: date | None,
    ) -> Row:
        code = new_code()
        name_km, name_latin = self.names[trainee_id]
        document = dataclasses.replace(
            plan.course.template,
            code=grouped(code),
            verification_url=f"{plan.course.template.issuer.url}/v/{grouped(code)}",
            holder_name_km=name_km,
            holder_name_latin=name_latin,
            completed_on=plan.end,
            issued_on=issued_on,
            expires_on=expires_on,
            cohort_code=plan.code,
        )
        status_list, status_index = status_position(certificate_id)
        return {
            "id": certificate_id,
            "code": code,
            "enrolment_id": enrolment_id,
            "trainee_id": trainee_id,
            "cohort_id": cohort_id,
            "course_id": plan.course.id,
            "status": CertificateStatus.valid.value,
            "snapshot": document.to_snapshot(),
            "credential": plan.course.credential,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "requested_by": plan.trainer_id,
            "requested_at": _at(issued_on, 9),
            "issued_by": plan.trainer_id,
            "issued_at": _at(issued_on, 9),
            "revoked_at": None,
            "revoked_by": None,
            "revoked_reason": None,
            "supersedes_id": None,
            "status_list": status_list,
            "status_index": status_index,
        }


@dataclass
class _Record:
    """What one enrolment did: attendance, modules, assessments, the ethics quiz and the pledge."""

    batch: Batch
    rng: random.Random
    plan: CohortPlan
    enrolment_id: int
    past: list[tuple[int, date, int]]  # the sessions that have taken place

    def everything(self, but: str | None = None) -> None:
        """Everything the course requires, except `but` (then the trainee did not complete)."""
        course, day = self.plan.course, self.plan.end
        if but == "attendance":  # absent from more than half of the sessions
            absent = len(self.past) // 2 + 1
            self.attendance(sessions=self.past[:absent], weights=(0, 0, 0, 1))
            self.attendance(sessions=self.past[absent:], weights=(1, 0, 0, 0))
        else:
            self.attendance(weights=(94, 6, 0, 0))
        for module in course.modules:
            self._module_done(module.id, day)
        failed = self.rng.choice(course.competency_ids) if but == "competencies" else None
        for competency_id in course.competency_ids:
            if self.rng.random() < 0.05:  # a first attempt that was not yet competent
                self._assessed(competency_id, "not_yet_competent", day - timedelta(days=1))
            self._assessed(
                competency_id, "not_yet_competent" if competency_id == failed else "competent", day
            )
        for module_id in course.ethics_module_ids:
            self._quiz(module_id, day, passed=but != "quiz")
            if but != "pledge":
                self.batch.add(
                    PledgeAcceptance,
                    {"enrolment_id": self.enrolment_id, "module_id": module_id, "accepted_at": _at(day, 12)},
                )

    def so_far(self) -> None:
        """A cohort under way: attendance of the sessions held, and some modules and assessments done."""
        self.attendance()
        covered = {module_id: day for _, day, module_id in self.past}  # a module's last session
        for module_id, day in covered.items():
            if self.rng.random() < 0.85:
                self._module_done(module_id, day)
        if self.past:
            last = self.past[-1][1]
            for competency_id in self.plan.course.competency_ids:
                if self.rng.random() < 0.4:
                    self._assessed(competency_id, "competent", last)

    def attendance(
        self, *, sessions: list[tuple[int, date, int]] | None = None, weights: tuple[int, ...] = (80, 8, 5, 7)
    ) -> None:
        for session_id, day, _ in self.past if sessions is None else sessions:
            status = self.rng.choices(("present", "late", "excused", "absent"), weights)[0]
            self.batch.add(
                Attendance,
                {
                    "enrolment_id": self.enrolment_id,
                    "session_id": session_id,
                    "status": status,
                    "recorded_by": self.plan.trainer_id,
                    "recorded_at": _at(day, 17),
                },
            )

    def _module_done(self, module_id: int | None, day: date) -> None:
        row = {
            "enrolment_id": self.enrolment_id,
            "module_id": module_id,
            "completed_on": day,
            "recorded_by": self.plan.trainer_id,
            "recorded_at": _at(day, 17),
        }
        self.batch.add(ModuleCompletion, row)

    def _assessed(self, competency_id: int, result: str, day: date) -> None:
        self.batch.add(
            Assessment,
            {
                "enrolment_id": self.enrolment_id,
                "competency_id": competency_id,
                "result": result,
                "method": self.rng.choice(METHODS),
                "evidence": "",
                "assessed_on": day,
                "assessor_id": self.plan.trainer_id,
                "recorded_at": _at(day, 17),
            },
        )

    def _quiz(self, module_id: int, day: date, *, passed: bool) -> None:
        """A paper result recorded by the trainer (as in provinces without a connection in class)."""
        self.batch.add(
            QuizAttempt,
            {
                "enrolment_id": self.enrolment_id,
                "module_id": module_id,
                "mode": "paper",
                "started_at": _at(day, 9),
                "submitted_at": _at(day, 10),
                "score_percent": self.rng.randrange(80, 101) if passed else self.rng.randrange(30, 75),
                "passed": passed,
                "note": "",
                "recorded_by": self.plan.trainer_id,
            },
        )


# ---------------------------------------------------------------- after the load


async def _after_bulk_load(session: AsyncSession, serials: Serials) -> None:
    """Move PostgreSQL's id sequences past the ids given here, and refresh the planner's statistics."""
    dialect = (await session.connection()).dialect.name
    if dialect == "postgresql":
        for model in NUMBERED:
            name = table(model).name
            last = serials.next_ids[name] - 1
            if last > 0:
                move = text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)")
                await session.execute(move, {"table": name, "last": last})
    await session.execute(text("ANALYZE"))
    await session.commit()
