"""Demo certificates: a closed cohort whose trainees completed, issued, with one revoked and one reissued."""

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.authority import IssuingAuthority
from certificates.services import issuance
from courses.models import Course, CourseCompetency, CourseModule, ModuleKind
from foundation.audit import Actor
from foundation.clock import today
from foundation.columns import row_id
from foundation.roles import Role
from people.models import Trainee, User
from people.services.auth import CurrentUser
from training.models import (
    Assessment,
    Attendance,
    ClassSession,
    Cohort,
    CohortTrainer,
    Enrolment,
    ModuleCompletion,
    PledgeAcceptance,
    QuizAttempt,
)

# Reasons typed by staff, so in both languages.
REVOKED_BECAUSE = "កំណត់ត្រាវត្តមានត្រូវបានក្លែងបន្លំ។ · Attendance records were falsified."
REISSUED_BECAUSE = "បានកែអក្ខរាវិរុទ្ធឈ្មោះ។ · Name spelling corrected."
COURSE, TRAINER, DEMO_TRAINEE = "SW101", "trainer@nisa.example.org", "trainee@nisa.example.org"
SIZE, SESSIONS = 16, 5


async def load_demo_certificates(session: AsyncSession, authority: IssuingAuthority, seed: int = 7) -> None:
    """A cohort that ended two months ago; all but two trainees completed it and hold certificates (the
    demo trainee among them)."""
    rng = random.Random(seed)
    trainer = (await session.execute(select(User).where(col(User.email) == TRAINER))).scalar_one()
    holder = (await session.execute(select(User).where(col(User.email) == DEMO_TRAINEE))).scalar_one()
    demo_trainee_id = holder.trainee_id or 0
    cohort = await _closed_cohort(session, row_id(trainer))
    others = [t for t in (await session.execute(select(col(Trainee.id)).limit(300))).scalars() if t]
    members = [demo_trainee_id, *rng.sample([t for t in others if t != demo_trainee_id], SIZE - 1)]
    enrolments = [Enrolment(cohort_id=row_id(cohort), trainee_id=t, status="completed") for t in members]
    session.add_all(enrolments)
    await session.flush()
    for enrolment in enrolments[: SIZE - 2]:
        await _did_everything(session, cohort, enrolment)
    await session.commit()
    actor = Actor(row_id(trainer))
    as_trainer = CurrentUser(
        row_id(trainer), TRAINER, "Demo", frozenset({Role.trainer.value}), None, "km", ""
    )
    issued = (await issuance.issue_for_cohort(session, authority, actor, as_trainer, row_id(cohort))).issued
    await issuance.revoke(
        session,
        actor,
        row_id(issued[-1].certificate),
        REVOKED_BECAUSE,
    )
    await issuance.reissue(
        session,
        authority,
        actor,
        row_id(issued[-2].certificate),
        REISSUED_BECAUSE,
    )
    # One commit for the three: their PDFs are rendered when first downloaded (the store is a cache).
    await session.commit()


async def _closed_cohort(session: AsyncSession, trainer_id: int) -> Cohort:
    course = (
        await session.execute(
            select(Course).where(col(Course.code) == COURSE, col(Course.status) == "published")
        )
    ).scalar_one()
    start = today() - timedelta(days=60)
    cohort = Cohort(
        code=f"{COURSE}-DEMO-0",
        course_id=row_id(course),
        venue_province_code="17",
        venue="មន្ទីរសង្គមកិច្ចខេត្តសៀមរាប · Siem Reap provincial department of social affairs",
        start_date=start,
        end_date=start + timedelta(days=SESSIONS - 1),
        capacity=SIZE,
        enrolled_count=SIZE,
        status="closed",
    )
    session.add(cohort)
    await session.flush()
    session.add(CohortTrainer(cohort_id=row_id(cohort), user_id=trainer_id))
    for day in range(SESSIONS):
        session.add(
            ClassSession(
                cohort_id=row_id(cohort), day=start + timedelta(days=day), starts_at=time(8), ends_at=time(16)
            )
        )
    await session.flush()
    return cohort


async def _did_everything(session: AsyncSession, cohort: Cohort, enrolment: Enrolment) -> None:
    """Present at every session, every module done, competent in every competency, quiz and pledge."""
    enrolment_id, done_on = row_id(enrolment), cohort.end_date
    last_day = datetime.combine(done_on, time(8), tzinfo=UTC)  # the certificates' completion date
    meetings = await session.execute(
        select(col(ClassSession.id)).where(col(ClassSession.cohort_id) == cohort.id)
    )
    session.add_all(
        Attendance(enrolment_id=enrolment_id, session_id=m, status="present") for m in meetings.scalars() if m
    )
    modules = list(
        (
            await session.execute(select(CourseModule).where(col(CourseModule.course_id) == cohort.course_id))
        ).scalars()
    )
    session.add_all(
        ModuleCompletion(enrolment_id=enrolment_id, module_id=row_id(m), completed_on=done_on)
        for m in modules
    )
    competencies = await session.execute(
        select(col(CourseCompetency.competency_id)).where(col(CourseCompetency.course_id) == cohort.course_id)
    )
    session.add_all(
        Assessment(
            enrolment_id=enrolment_id,
            competency_id=c,
            result="competent",
            method="observation",
            assessed_on=done_on,
        )
        for c in competencies.scalars()
    )
    for module in (m for m in modules if m.kind == ModuleKind.ethics):
        session.add(
            QuizAttempt(
                enrolment_id=enrolment_id,
                module_id=row_id(module),
                started_at=last_day,
                submitted_at=last_day,
                score_percent=90,
                passed=True,
            )
        )
        pledge = PledgeAcceptance(enrolment_id=enrolment_id, module_id=row_id(module), accepted_at=last_day)
        session.add(pledge)
