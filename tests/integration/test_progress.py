"""Progress and completion with real rows on both databases: checklists, My progress, the cohort overview,
settling a closed cohort, and the bounded number of queries behind the overview."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Competency, Course, CourseModule
from foundation.audit import AuditEntry
from foundation.clock import today
from foundation.formatting import format_date
from foundation.i18n import current_language
from foundation.roles import Role
from people.models import Trainee, UserRead
from tests.conftest import sign_in
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import SYSTEM, make_trainee, make_user
from tests.statements import statements_sent
from training.models import (
    Assessment,
    Attendance,
    ClassSession,
    Cohort,
    Enrolment,
    ModuleCompletion,
    PledgeAcceptance,
    QuizAttempt,
)
from training.services.progress import cohort_overview, enrolment_progress
from training.services.settlement import settle_cohort


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


# ---------------------------------------------------------------- a course, a cohort and what trainees did


class Setup:
    """A published course (3 required competencies, a regular and an ethics module) and a running cohort."""

    def __init__(self, course: Course, competencies: list[int], modules: list[CourseModule], cohort: Cohort):
        self.course = course
        self.competencies = competencies
        self.regular, self.ethics = modules
        self.cohort = cohort


async def running_course(
    db: AsyncSession,
    *,
    trainer_ids: list[int] = (),
    status: str = "running",
    start: date | None = None,  # type: ignore[assignment]
) -> Setup:
    """A published course and a cohort of 4 daily sessions from `start`: by default, a week ago (the course
    has been delivered; pass today for sessions still to come)."""
    framework = await make_framework(db, domains=1, per_domain=3)
    query = select(Competency.id).where(Competency.framework_id == framework.id).order_by(Competency.code)
    competencies = list((await db.execute(query)).scalars())
    course = await make_course(
        db, competency_ids=competencies, status="published", published_at=datetime.now(UTC)
    )
    modules = (
        await db.execute(
            select(CourseModule).where(CourseModule.course_id == course.id).order_by(CourseModule.position)
        )
    ).scalars()
    start = start or date.today() - timedelta(days=7)
    cohort = await make_cohort(db, course, trainer_ids=trainer_ids, status=status, start=start)
    return Setup(course, competencies, list(modules), cohort)


async def enrol_user(db: AsyncSession, cohort: Cohort, user: UserRead, status: str = "enrolled") -> Enrolment:
    trainee = await db.get(Trainee, user.trainee_id)
    assert trainee is not None
    return await enrol(db, cohort, trainee, status=status)


async def enrol_new(db: AsyncSession, cohort: Cohort, status: str = "enrolled", **names: Any) -> Enrolment:
    return await enrol(db, cohort, await make_trainee(db, **names), status=status)


async def record(
    db: AsyncSession,
    setup: Setup,
    enrolment: Enrolment,
    *,
    present: int = 4,
    modules: bool = True,
    competent: int = 3,
    quiz: int | None = 90,
    pledge: bool = True,
) -> None:
    """What a trainee did: `present` of the cohort's 4 sessions (absent from the rest), both modules done
    or none, the first `competent` competencies competent (the rest not yet), an online quiz score (None:
    not taken) and the pledge."""
    meetings = (
        await db.execute(
            select(ClassSession.id)
            .where(ClassSession.cohort_id == setup.cohort.id)
            .order_by(ClassSession.day)
        )
    ).scalars()
    for n, session_id in enumerate(meetings):
        status = "present" if n < present else "absent"
        db.add(Attendance(enrolment_id=enrolment.id, session_id=session_id, status=status))
    if modules:
        db.add_all(
            ModuleCompletion(enrolment_id=enrolment.id, module_id=m.id, completed_on=date.today())
            for m in (setup.regular, setup.ethics)
        )
    for n, competency_id in enumerate(setup.competencies):
        # An earlier attempt with the other result: the latest one counts.
        for result in (
            ("not_yet_competent", "competent") if n < competent else ("competent", "not_yet_competent")
        ):
            db.add(
                Assessment(
                    enrolment_id=enrolment.id,
                    competency_id=competency_id,
                    result=result,
                    method="observation",
                    assessed_on=date.today(),
                )
            )
            await db.flush()
    if quiz is not None:
        db.add(
            QuizAttempt(
                enrolment_id=enrolment.id,
                module_id=setup.ethics.id,
                submitted_at=datetime.now(UTC),
                score_percent=quiz,
                passed=quiz >= 80,
            )
        )
    if pledge:
        db.add(PledgeAcceptance(enrolment_id=enrolment.id, module_id=setup.ethics.id))
    await db.commit()


def texts(progress: Any) -> list[str]:
    return [item.text() for item in progress.checklist.items]


# ---------------------------------------------------------------- checklists from real rows


async def test_a_trainee_who_did_everything_is_complete(db):
    setup = await running_course(db)
    enrolment = await enrol_new(db, setup.cohort)
    await record(db, setup, enrolment)
    progress = (await enrolment_progress(db, [enrolment.id]))[enrolment.id]
    assert progress.complete
    assert texts(progress)[1:] == [
        "Attendance 100% of 80% required",
        "Modules: 2 of 2 done",
        "Competencies: 3 of 3 competent",
        "Ethics quiz: passed (best 90%, pass mark 80%)",
        f"Code of ethics pledge: accepted online ({format_date(today())})",
    ]


async def test_the_checklist_says_what_is_missing_with_the_numbers(db):
    setup = await running_course(db)
    enrolment = await enrol_new(db, setup.cohort)
    await record(db, setup, enrolment, present=3, modules=False, competent=2, quiz=60, pledge=False)
    progress = (await enrolment_progress(db, [enrolment.id]))[enrolment.id]
    assert not progress.complete
    assert texts(progress)[1:] == [
        "Attendance 75% of 80% required",
        "Modules: 0 of 2 done (missing: Module 1, Ethics)",
        "Competencies: 2 of 3 competent (missing: D1.3)",
        "Ethics quiz: not passed yet (best 60%, pass mark 80%, 2 of 3 attempts left)",
        "Code of ethics pledge: not accepted",
    ]
    assert [r.value for r in progress.checklist.missing] == [
        "attendance",
        "modules",
        "competencies",
        "quiz",
        "pledge",
    ]


async def test_a_paper_pass_after_failing_online_passes_the_quiz(db):
    setup = await running_course(db)
    enrolment = await enrol_new(db, setup.cohort)
    await record(db, setup, enrolment, quiz=50)
    db.add(
        QuizAttempt(
            enrolment_id=enrolment.id,
            module_id=setup.ethics.id,
            mode="paper",
            submitted_at=datetime.now(UTC),
            score_percent=85,
            passed=True,
            note="Read aloud",
        )
    )
    # An attempt started and never submitted counts for nothing.
    db.add(QuizAttempt(enrolment_id=enrolment.id, module_id=setup.ethics.id))
    await db.commit()
    progress = (await enrolment_progress(db, [enrolment.id]))[enrolment.id]
    assert progress.complete
    assert "Ethics quiz: passed (best 85%, pass mark 80%)" in texts(progress)


async def test_progress_of_many_enrolments_at_once_and_unknown_ids(db):
    first, second = await running_course(db), await running_course(db)
    a = await enrol_new(db, first.cohort)
    b = await enrol_new(db, second.cohort)
    await record(db, first, a)
    found = await enrolment_progress(db, [a.id, b.id, 999_999])
    assert set(found) == {a.id, b.id}
    assert found[a.id].complete and not found[b.id].complete
    assert found[b.id].course.id == second.course.id
    assert texts(found[b.id])[1] == "Attendance: not taken yet (80% required)"


# ---------------------------------------------------------------- My progress


async def test_my_progress_shows_my_enrolments_checklist_sessions_and_a_link_to_my_certificates(
    client, db, as_role
):
    me = await as_role(Role.trainee, language="en")
    setup = await running_course(db, start=date.today())
    enrolment = await enrol_user(db, setup.cohort, me)
    await record(db, setup, enrolment, present=3, quiz=None)
    answer = await client.get("/me")
    assert answer.status_code == 200
    page = answer.text
    assert setup.course.title_en in page and setup.cohort.code in page
    assert "Attendance 75% of 80% required" in page
    assert f"/me/enrolments/{enrolment.id}/ethics/{setup.ethics.id}" in page
    assert "Upcoming sessions" in page and "Module 1" in page
    assert 'href="/me/certificates"' in page


async def test_my_progress_is_in_khmer_for_a_khmer_user(client, db, as_role):
    me = await as_role(Role.trainee)  # language km by default
    setup = await running_course(db)
    await enrol_user(db, setup.cohort, me)
    page = (await client.get("/me")).text
    assert setup.course.title_km in page
    assert setup.course.title_en not in page


async def test_a_trainee_sees_only_their_own_enrolments(client, db, as_role):
    me = await as_role(Role.trainee, language="en")
    setup = await running_course(db, start=date.today())
    mine = await enrol_user(db, setup.cohort, me)
    other_setup = await running_course(db)
    await enrol_new(db, other_setup.cohort)
    await enrol_new(db, setup.cohort)
    answer = await client.get("/api/v1/me/progress")
    assert answer.status_code == 200
    body = answer.json()
    assert [e["enrolment_id"] for e in body["enrolments"]] == [mine.id]
    assert body["enrolments"][0]["trainee_id"] == me.trainee_id
    assert {s["cohort_id"] for s in body["upcoming_sessions"]} == {setup.cohort.id}
    page = (await client.get("/me")).text
    assert other_setup.course.title_en not in page


async def test_only_upcoming_sessions_of_cohorts_i_am_enrolled_in(client, db, as_role):
    me = await as_role(Role.trainee, language="en")
    past = await running_course(db, start=date.today() - timedelta(days=10))
    waiting = await running_course(db)
    await enrol_user(db, past.cohort, me)
    await enrol_user(db, waiting.cohort, me, status="waitlisted")
    body = (await client.get("/api/v1/me/progress")).json()
    assert body["upcoming_sessions"] == []
    assert {e["status"] for e in body["enrolments"]} == {"enrolled", "waitlisted"}
    page = (await client.get("/me")).text
    assert "No sessions are planned for you." in page
    assert "You will be enrolled when a place becomes free." in page


@pytest.mark.parametrize("roles", [[Role.trainer], [Role.admin]])
async def test_my_progress_is_for_trainees_only(client, db, as_role, roles):
    await as_role(roles[0])
    assert (await client.get("/me")).status_code == 403
    assert (await client.get("/api/v1/me/progress")).status_code == 403


async def test_a_trainer_who_is_also_a_trainee_has_their_progress(client, db):
    trainee = await make_trainee(db)
    user = await make_user(db, [Role.trainer, Role.trainee], trainee_id=trainee.id, language="en")
    setup = await running_course(db)
    enrolment = await enrol_user(db, setup.cohort, user)
    await sign_in(client, user.email)
    page = await client.get("/me")
    assert page.status_code == 200 and setup.course.title_en in page.text
    body = (await client.get("/api/v1/me/progress")).json()
    assert [(e["enrolment_id"], e["trainee_id"]) for e in body["enrolments"]] == [(enrolment.id, trainee.id)]


async def test_anonymous_visitors_are_sent_to_sign_in(client):
    answer = await client.get("/me")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert (await client.get("/api/v1/me/progress")).status_code == 401


# ---------------------------------------------------------------- the cohort overview


async def overview_cohort(db: AsyncSession, trainer: UserRead) -> tuple[Setup, dict[str, Enrolment]]:
    """Trainees complete, missing attendance, missing the quiz, waitlisted and withdrawn."""
    setup = await running_course(db, trainer_ids=[trainer.id])
    enrolments = {
        "complete": await enrol_new(db, setup.cohort, name_latin="Chan Dara"),
        "absent": await enrol_new(db, setup.cohort, name_latin="Keo Bopha"),
        "no quiz": await enrol_new(db, setup.cohort, name_latin="Sok Thida"),
        "waiting": await enrol_new(db, setup.cohort, status="waitlisted", name_latin="Ly Vanna"),
        "gone": await enrol_new(db, setup.cohort, status="withdrawn", name_latin="Meas Sokha"),
    }
    await record(db, setup, enrolments["complete"])
    await record(db, setup, enrolments["absent"], present=2)
    await record(db, setup, enrolments["no quiz"], quiz=None)
    return setup, enrolments


async def test_overview_shows_who_is_complete_and_who_misses_what(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup, enrolments = await overview_cohort(db, trainer)
    answer = await client.get(f"/cohorts/{setup.cohort.id}/overview")
    assert answer.status_code == 200
    page = answer.text
    assert "1 of 3 trainees complete (ready for a certificate)" in page
    assert "Chan Dara" in page and "Keo Bopha" in page and "Sok Thida" in page
    assert "Ly Vanna" not in page and "Meas Sokha" not in page
    assert "Missing: Attendance (1)" in page and "Missing: Ethics quiz (1)" in page
    paper = f"/cohorts/{setup.cohort.id}/enrolments/{enrolments['no quiz'].id}/ethics/{setup.ethics.id}/paper"
    assert paper in page


async def test_overview_filters_by_missing_item(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup, _ = await overview_cohort(db, trainer)
    page = (await client.get(f"/cohorts/{setup.cohort.id}/overview?missing=quiz")).text
    assert "Sok Thida" in page and "Keo Bopha" not in page and "Chan Dara" not in page
    page = (await client.get(f"/cohorts/{setup.cohort.id}/overview?missing=pledge")).text
    assert "Nobody is missing this." in page
    assert (await client.get(f"/cohorts/{setup.cohort.id}/overview?missing=nonsense")).status_code == 400


async def test_overview_as_json(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup, enrolments = await overview_cohort(db, trainer)
    body = (await client.get(f"/api/v1/cohorts/{setup.cohort.id}/overview?missing=attendance")).json()
    assert (body["total"], body["complete"], body["missing"]) == (3, 1, "attendance")
    assert body["missing_counts"] == {
        "sessions": 0,
        "attendance": 1,
        "modules": 0,
        "competencies": 0,
        "quiz": 1,
        "pledge": 0,
    }
    (only,) = body["enrolments"]
    assert only["enrolment_id"] == enrolments["absent"].id
    assert only["checklist"][1] == {
        "requirement": "attendance",
        "met": False,
        "text": "Attendance 50% of 80% required",
        "missing": [],
        "module_id": None,
    }


async def test_overview_is_for_the_cohorts_trainers_and_admins(client, db, as_role):
    owner = await make_user(db, [Role.trainer])
    setup, _ = await overview_cohort(db, owner)
    await as_role(Role.trainer)
    for url in (f"/cohorts/{setup.cohort.id}/overview", f"/api/v1/cohorts/{setup.cohort.id}/overview"):
        assert (await client.get(url)).status_code == 403
    client.cookies.clear()
    await as_role(Role.admin)
    assert (await client.get(f"/cohorts/{setup.cohort.id}/overview")).status_code == 200
    assert (await client.get("/cohorts/999999/overview")).status_code == 404
    client.cookies.clear()
    await as_role(Role.trainee)
    assert (await client.get(f"/cohorts/{setup.cohort.id}/overview")).status_code == 403


async def test_overview_loads_in_the_same_number_of_queries_for_5_or_30_trainees(db):
    async def statements_for(trainees: int) -> int:
        setup = await running_course(db)
        for n in range(trainees):
            enrolment = await enrol_new(db, setup.cohort)
            await record(db, setup, enrolment, present=n % 5, quiz=None if n % 3 else 70)
        async with AsyncSession(db.bind, expire_on_commit=False) as fresh:
            with statements_sent(db.bind) as counted:  # type: ignore[arg-type]
                overview = await cohort_overview(fresh, setup.cohort.id, "attendance")
        assert len(overview.progress) == trainees
        return len(counted)

    few, many = await statements_for(5), await statements_for(30)
    assert few == many


# ---------------------------------------------------------------- closing a cohort


async def test_settling_a_closed_cohort_sets_each_enrolled_trainees_status(db):
    setup = await running_course(db)
    done = await enrol_new(db, setup.cohort)
    short = await enrol_new(db, setup.cohort)
    waiting = await enrol_new(db, setup.cohort, status="waitlisted")
    await record(db, setup, done)
    await record(db, setup, short, pledge=False)
    done_id, short_id, waiting_id, cohort_id = done.id, short.id, waiting.id, setup.cohort.id
    settlement = await settle_cohort(db, SYSTEM, cohort_id)
    await db.commit()
    assert (settlement.completed, settlement.not_completed) == (1, 1)
    db.expire_all()
    statuses = {e.id: e.status for e in (await db.execute(select(Enrolment))).scalars()}
    assert statuses[done_id] == "completed"
    assert statuses[short_id] == "not_completed"
    assert statuses[waiting_id] == "waitlisted"
    entries = (
        await db.execute(
            select(AuditEntry).where(AuditEntry.action == "enrolment.settle").order_by(AuditEntry.id)
        )
    ).scalars()
    by_enrolment = {int(e.entity_id): e for e in entries}
    assert set(by_enrolment) == {done_id, short_id}
    assert by_enrolment[short_id].before["status"] == "enrolled"
    assert by_enrolment[short_id].after["status"] == "not_completed"
    assert by_enrolment[short_id].after["missing"] == ["pledge"]
    # A second run changes nothing: nobody is left enrolled.
    assert await settle_cohort(db, SYSTEM, cohort_id) == type(settlement)(0, 0)
