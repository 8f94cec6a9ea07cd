"""Every route, with every role and anonymously: each gets exactly the answer its access rule says.

A new route fails this test until it is listed in ACCESS below, so no page ships without a rule.
"""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Competency, Course, CourseModule, QuizQuestion
from foundation.outbox.models import OutboxMessage
from foundation.roles import Role
from people.models import Trainee, UserRead
from tests.certificate_factories import make_certificate
from tests.conftest import csrf_token, sign_in
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_organisation, make_trainee, make_user
from training.models import ClassSession

PUBLIC = frozenset({"anonymous", "trainee", "trainer", "admin"})
SIGNED_IN = frozenset({"trainee", "trainer", "admin"})
STAFF = frozenset({"trainer", "admin"})
ADMIN = frozenset({"admin"})
TRAINEE = frozenset({"trainee"})

# (method, path as Litestar lists it) -> who may use it
ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("POST", "/language"): PUBLIC,
    ("GET", "/password/{token:str}"): PUBLIC,
    ("POST", "/password/{token:str}"): PUBLIC,
    ("GET", "/card"): PUBLIC,
    ("POST", "/card"): PUBLIC,
    ("GET", "/card/{token:str}"): PUBLIC,
    ("POST", "/card/{token:str}"): PUBLIC,
    ("GET", "/fonts/noto-sans-khmer.ttf"): PUBLIC,
    ("GET", "/static/{file_path:path}"): PUBLIC,
    ("HEAD", "/static/{file_path:path}"): PUBLIC,
    ("GET", "/api/schema"): PUBLIC,
    ("GET", "/api/schema/openapi.json"): PUBLIC,
    ("GET", "/api/schema/{path:str}"): PUBLIC,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/admin/audit.csv"): ADMIN,
    ("GET", "/locations/districts"): SIGNED_IN,
    ("GET", "/locations/communes"): SIGNED_IN,
    ("GET", "/admin/users"): ADMIN,
    ("GET", "/admin/users/new"): ADMIN,
    ("POST", "/admin/users/new"): ADMIN,
    ("GET", "/admin/users/{user_id:int}"): ADMIN,
    ("POST", "/admin/users/{user_id:int}"): ADMIN,
    ("POST", "/admin/users/{user_id:int}/deactivate"): ADMIN,
    ("POST", "/admin/users/{user_id:int}/reactivate"): ADMIN,
    ("POST", "/admin/users/{user_id:int}/reset-password"): ADMIN,
    ("GET", "/admin/trainees"): STAFF,
    ("GET", "/admin/trainees/new"): STAFF,
    ("POST", "/admin/trainees/new"): STAFF,
    ("GET", "/admin/trainees/{trainee_id:int}"): STAFF,
    ("POST", "/admin/trainees/{trainee_id:int}"): STAFF,
    ("POST", "/admin/trainees/{trainee_id:int}/deactivate"): ADMIN,
    ("POST", "/admin/trainees/{trainee_id:int}/reactivate"): ADMIN,
    ("POST", "/admin/trainees/{trainee_id:int}/login"): ADMIN,
    ("GET", "/admin/organisations"): ADMIN,
    ("GET", "/admin/organisations/new"): ADMIN,
    ("POST", "/admin/organisations/new"): ADMIN,
    ("GET", "/admin/organisations/{organisation_id:int}"): ADMIN,
    ("POST", "/admin/organisations/{organisation_id:int}"): ADMIN,
    ("POST", "/admin/organisations/{organisation_id:int}/deactivate"): ADMIN,
    ("POST", "/admin/organisations/{organisation_id:int}/reactivate"): ADMIN,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/v1/locations/provinces"): SIGNED_IN,
    ("GET", "/api/v1/locations/provinces/{province_code:str}/districts"): SIGNED_IN,
    ("GET", "/api/v1/locations/districts/{district_code:str}/communes"): SIGNED_IN,
    ("GET", "/api/v1/trainees"): STAFF,
    ("POST", "/api/v1/trainees"): STAFF,
    ("GET", "/api/v1/trainees/{trainee_id:int}"): STAFF,
    ("PUT", "/api/v1/trainees/{trainee_id:int}"): STAFF,
    ("POST", "/api/v1/trainees/{trainee_id:int}/deactivate"): ADMIN,
    ("POST", "/api/v1/trainees/{trainee_id:int}/reactivate"): ADMIN,
    ("GET", "/api/v1/organisations"): ADMIN,
    ("POST", "/api/v1/organisations"): ADMIN,
    ("GET", "/api/v1/organisations/{organisation_id:int}"): ADMIN,
    ("PUT", "/api/v1/organisations/{organisation_id:int}"): ADMIN,
    ("POST", "/api/v1/organisations/{organisation_id:int}/deactivate"): ADMIN,
    ("POST", "/api/v1/organisations/{organisation_id:int}/reactivate"): ADMIN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/users/{user_id:int}"): ADMIN,
    ("PUT", "/api/v1/users/{user_id:int}"): ADMIN,
    ("POST", "/api/v1/users/{user_id:int}/deactivate"): ADMIN,
    ("POST", "/api/v1/users/{user_id:int}/reactivate"): ADMIN,
    ("POST", "/api/v1/users/{user_id:int}/reset-password"): ADMIN,
    # curriculum: courses
    ("GET", "/admin/courses"): ADMIN,
    ("GET", "/admin/courses/new"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/edit"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/modules/new"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/modules/{module_id:int}"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/modules/{module_id:int}/delete"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/competencies"): ADMIN,
    ("GET", "/api/v1/courses"): ADMIN,
    ("GET", "/api/v1/courses/{course_id:int}"): ADMIN,
    ("POST", "/admin/courses/new"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/edit"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/new"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/{module_id:int}"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/{module_id:int}/move"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/{module_id:int}/delete"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/competencies"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/publish"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/publish"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/new-version"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/archive"): ADMIN,
    ("POST", "/api/v1/courses"): ADMIN,
    ("POST", "/api/v1/courses/{course_id:int}/modules"): ADMIN,
    ("POST", "/api/v1/courses/{course_id:int}/publish"): ADMIN,
    ("POST", "/api/v1/courses/{course_id:int}/new-version"): ADMIN,
    ("POST", "/api/v1/courses/{course_id:int}/archive"): ADMIN,
    ("PUT", "/api/v1/courses/{course_id:int}"): ADMIN,
    ("PUT", "/api/v1/courses/{course_id:int}/modules/{module_id:int}"): ADMIN,
    ("PUT", "/api/v1/courses/{course_id:int}/competencies"): ADMIN,
    ("DELETE", "/api/v1/courses/{course_id:int}/modules/{module_id:int}"): ADMIN,
    # curriculum: ethics quizzes and the public catalogue
    ("GET", "/catalogue"): PUBLIC,
    ("GET", "/catalogue/{code:str}"): PUBLIC,
    ("GET", "/api/v1/catalogue"): PUBLIC,
    ("GET", "/api/v1/catalogue/{code:str}"): PUBLIC,
    ("GET", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/new"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/new"): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/{question_id:int}"): ADMIN,
    (
        "POST",
        "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/{question_id:int}",
    ): ADMIN,
    (
        "POST",
        "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/{question_id:int}/delete",
    ): ADMIN,
    (
        "POST",
        "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/{question_id:int}/move",
    ): ADMIN,
    ("GET", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/preview"): ADMIN,
    ("POST", "/admin/courses/{course_id:int}/modules/{module_id:int}/quiz/preview"): ADMIN,
    ("GET", "/api/v1/courses/{course_id:int}/modules/{module_id:int}/quiz"): ADMIN,
    ("PUT", "/api/v1/courses/{course_id:int}/modules/{module_id:int}/quiz"): ADMIN,
    ("POST", "/api/v1/courses/{course_id:int}/modules/{module_id:int}/quiz/questions"): ADMIN,
    (
        "PUT",
        "/api/v1/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/{question_id:int}",
    ): ADMIN,
    (
        "DELETE",
        "/api/v1/courses/{course_id:int}/modules/{module_id:int}/quiz/questions/{question_id:int}",
    ): ADMIN,
    # curriculum: competency frameworks
    ("GET", "/admin/frameworks"): ADMIN,
    ("GET", "/admin/frameworks/new"): ADMIN,
    ("POST", "/admin/frameworks/new"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/edit"): ADMIN,
    ("POST", "/admin/frameworks/{framework_id:int}/edit"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/domains/new"): ADMIN,
    ("POST", "/admin/frameworks/{framework_id:int}/domains/new"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/domains/{domain_id:int}"): ADMIN,
    ("POST", "/admin/frameworks/{framework_id:int}/domains/{domain_id:int}"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/competencies/new"): ADMIN,
    ("POST", "/admin/frameworks/{framework_id:int}/competencies/new"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/competencies/{competency_id:int}"): ADMIN,
    ("POST", "/admin/frameworks/{framework_id:int}/competencies/{competency_id:int}"): ADMIN,
    ("GET", "/admin/frameworks/import"): ADMIN,
    ("POST", "/admin/frameworks/import"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/import"): ADMIN,
    ("POST", "/admin/frameworks/{framework_id:int}/import"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/export.csv"): ADMIN,
    ("GET", "/admin/frameworks/{framework_id:int}/export.json"): ADMIN,
    ("GET", "/api/v1/frameworks"): ADMIN,
    ("POST", "/api/v1/frameworks"): ADMIN,
    ("GET", "/api/v1/frameworks/{framework_id:int}"): ADMIN,
    ("PUT", "/api/v1/frameworks/{framework_id:int}"): ADMIN,
    ("POST", "/api/v1/frameworks/{framework_id:int}/domains"): ADMIN,
    ("PUT", "/api/v1/frameworks/{framework_id:int}/domains/{domain_id:int}"): ADMIN,
    ("POST", "/api/v1/frameworks/{framework_id:int}/competencies"): ADMIN,
    ("PUT", "/api/v1/frameworks/{framework_id:int}/competencies/{competency_id:int}"): ADMIN,
    ("POST", "/api/v1/frameworks/import"): ADMIN,
    ("POST", "/api/v1/frameworks/{framework_id:int}/import"): ADMIN,
    # training delivery: trainers and admins for the cohorts they train (admins: all); trainees: their own
    ("GET", "/cohorts"): STAFF,
    ("GET", "/cohorts/new"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/assessments"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/assessments/{enrolment_id:int}/{competency_id:int}"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/assessments/all-competent"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/attendance"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/edit"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/enrol"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/enrol/candidates"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/ethics/{module_id:int}/paper"): STAFF,
    (
        "GET",
        "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/ethics/{module_id:int}/paper-pledge",
    ): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/import"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/import/template.csv"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/import/template.xlsx"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/import/{import_id:int}"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/import/{import_id:int}/progress"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/modules"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/overview"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/roster.csv"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/roster.xlsx"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/sign-in-cards"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sign-in-cards"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/sessions/new"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/sessions/{session_id:int}"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/sessions/{session_id:int}/attendance"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/sessions/{session_id:int}/attendance-sheet.pdf"): STAFF,
    ("GET", "/api/v1/cohorts"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}/assessments"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}/enrolments"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}/module-completions"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}/overview"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}/sessions"): STAFF,
    ("GET", "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}/attendance"): STAFF,
    ("POST", "/cohorts/new"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/assessments/{enrolment_id:int}/{competency_id:int}"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/assessments"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/assessments/all-competent"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/edit"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/enrolments"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/enrolments/new-trainee"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/ethics/{module_id:int}/paper"): STAFF,
    (
        "POST",
        "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/ethics/{module_id:int}/paper-pledge",
    ): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/import"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/import/{import_id:int}/confirm"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/modules"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sessions/new"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sessions/{session_id:int}"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sessions/{session_id:int}/attendance"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sessions/{session_id:int}/delete"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sessions/{session_id:int}/cancel"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/sessions/{session_id:int}/restore"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/status"): STAFF,
    ("POST", "/api/v1/cohorts"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/assessments"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/enrolments"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/sessions"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}/cancel"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}/restore"): STAFF,
    ("POST", "/api/v1/cohorts/{cohort_id:int}/status"): STAFF,
    ("PUT", "/api/v1/cohorts/{cohort_id:int}"): STAFF,
    ("PUT", "/api/v1/cohorts/{cohort_id:int}/module-completions/{module_id:int}"): STAFF,
    ("PUT", "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}"): STAFF,
    ("PUT", "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}/attendance"): STAFF,
    ("DELETE", "/api/v1/cohorts/{cohort_id:int}/sessions/{session_id:int}"): STAFF,
    ("GET", "/me"): TRAINEE,
    ("GET", "/me/enrolments/{enrolment_id:int}/ethics/{module_id:int}"): TRAINEE,
    ("GET", "/me/enrolments/{enrolment_id:int}/ethics/{module_id:int}/attempts/{attempt_id:int}"): TRAINEE,
    ("GET", "/api/v1/me/progress"): TRAINEE,
    ("POST", "/me/enrolments/{enrolment_id:int}/ethics/{module_id:int}/attempts"): TRAINEE,
    ("POST", "/me/enrolments/{enrolment_id:int}/ethics/{module_id:int}/attempts/{attempt_id:int}"): TRAINEE,
    ("POST", "/me/enrolments/{enrolment_id:int}/ethics/{module_id:int}/pledge"): TRAINEE,
    # certificates: trainers issue for their cohorts, holders download their own, admins approve/revoke
    ("GET", "/cohorts/{cohort_id:int}/certificates"): STAFF,
    ("POST", "/cohorts/{cohort_id:int}/certificates"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/certificates/all.zip"): STAFF,
    ("GET", "/cohorts/{cohort_id:int}/certificates/print.pdf"): STAFF,
    ("POST", "/enrolments/{enrolment_id:int}/certificate"): STAFF,
    ("GET", "/certificates/{certificate_id:int}/certificate.pdf"): SIGNED_IN,
    ("GET", "/certificates/{certificate_id:int}/credential.json"): SIGNED_IN,
    ("GET", "/me/certificates"): TRAINEE,
    ("GET", "/admin/certificates"): ADMIN,
    ("GET", "/admin/certificates/{certificate_id:int}"): ADMIN,
    ("POST", "/admin/certificates/{certificate_id:int}/approve"): ADMIN,
    ("POST", "/admin/certificates/{certificate_id:int}/revoke"): ADMIN,
    ("POST", "/admin/certificates/{certificate_id:int}/reissue"): ADMIN,
    ("GET", "/v/{code:str}/credential.json"): PUBLIC,
    ("GET", "/.well-known/did.json"): PUBLIC,
    ("GET", "/credentials/status/{number:int}"): PUBLIC,
    ("GET", "/v/{code:str}"): PUBLIC,
    ("GET", "/verify"): PUBLIC,
    ("GET", "/api/v1/verify/{code:str}"): PUBLIC,
    ("GET", "/admin/verifications"): ADMIN,
    # scheduled work: administrators see the jobs and ask for a run now
    ("GET", "/admin/jobs"): ADMIN,
    ("GET", "/admin/jobs/{name:str}"): ADMIN,
    ("POST", "/admin/jobs/{name:str}/run"): ADMIN,
    # email: administrators see the outbox, each message as sent, and queue a failed one again
    ("GET", "/admin/outbox"): ADMIN,
    ("GET", "/admin/outbox/{message_id:int}"): ADMIN,
    ("GET", "/admin/outbox/{message_id:int}/message.html"): ADMIN,
    ("POST", "/admin/outbox/{message_id:int}/retry"): ADMIN,
}


def listed_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        (method, route.path) for route in app.routes for method in route.methods if method != "OPTIONS"
    )


def fill(path: str, ids: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(
            ids.get(
                name,
                {"token": "not-a-real-token", "file_path": "css/app.css", "path": "openapi.json"}.get(
                    name, "1"
                ),
            )
        )

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def test_every_route_has_an_access_rule(app):
    unlisted = [route for route in listed_routes(app) if route not in ACCESS]
    assert not unlisted, f"routes without an access rule in ACCESS: {unlisted}"


async def _ids(db: AsyncSession, me: UserRead | None) -> dict[str, object]:
    victim = await make_user(db, [Role.trainer])
    curriculum = await _curriculum_ids(db)
    return (
        {
            "user_id": victim.id,
            "organisation_id": (await make_organisation(db)).id,
            "province_code": "12",
            "district_code": "1201",
            "name": "housekeeping",  # a scheduled job
            "message_id": await _failed_message(db),
        }
        | curriculum
        | await _delivery_ids(db, me, int(curriculum["course_id"]))
    )  # type: ignore[call-overload]


async def _failed_message(db: AsyncSession) -> int:
    """A message the sender gave up on: the outbox pages show it, retry queues it again."""
    context = {"display_name": "X", "token": "t", "expires_at": "2026-11-21T10:00:00+00:00"}
    message = OutboxMessage(
        template="password_reset", recipient="x@example.org", context=context, status="failed"
    )
    db.add(message)
    await db.commit()
    return int(message.id or 0)


async def _delivery_ids(db: AsyncSession, me: UserRead | None, course_id: int) -> dict[str, object]:
    """A cohort the signed-in trainer trains, with the signed-in trainee (or another) enrolled."""
    course = await db.get(Course, course_id)
    assert course is not None
    course.status = "published"
    trains = [me.id] if me is not None and Role.trainer in me.roles else []
    cohort = await make_cohort(db, course, trainer_ids=trains, sessions=2)
    trainee = (
        await db.get(Trainee, me.trainee_id) if me is not None and me.trainee_id else await make_trainee(db)
    )
    assert trainee is not None
    enrolment = await enrol(db, cohort, trainee)
    meeting = (
        (await db.execute(select(ClassSession).where(ClassSession.cohort_id == cohort.id))).scalars().first()
    )
    assert meeting is not None
    certificate = await make_certificate(db, enrolment=enrolment)
    return {
        "trainee_id": trainee.id,  # trainers see and change only the trainees of their own cohorts
        "cohort_id": cohort.id,
        "enrolment_id": enrolment.id,
        "session_id": meeting.id,
        "certificate_id": certificate.id,
    }


async def _curriculum_ids(db: AsyncSession) -> dict[str, object]:
    framework = await make_framework(db)
    competency = (
        (await db.execute(select(Competency).where(Competency.framework_id == framework.id)))
        .scalars()
        .first()
    )
    assert competency is not None
    course = await make_course(db, competency_ids=[competency.id])
    module = (
        await db.execute(
            select(CourseModule).where(CourseModule.course_id == course.id, CourseModule.kind == "ethics")
        )
    ).scalar_one()
    question = (
        (await db.execute(select(QuizQuestion).where(QuizQuestion.module_id == module.id))).scalars().first()
    )
    assert question is not None
    return {
        "framework_id": framework.id,
        "domain_id": competency.domain_id,
        "competency_id": competency.id,
        "course_id": course.id,
        "module_id": module.id,
        "question_id": question.id,
        "code": course.code,
    }


def denied_as_expected(role: str, path: str, status: int, location: str) -> bool:
    if role == "anonymous":
        return (
            status == 401 if path.startswith("/api/") else (status == 303 and location.startswith("/login"))
        )
    return status == 403


@pytest.mark.parametrize("role", ["anonymous", "trainee", "trainer", "admin"])
async def test_each_role_gets_what_its_rule_says(app, client, db, role):
    me = None
    if role != "anonymous":
        me = await make_user(db, [Role(role)])
        await sign_in(client, me.email)
    ids = await _ids(db, me)
    # Sign-out last, so the session lives through the walk.
    routes = sorted(listed_routes(app), key=lambda route: route[1] == "/logout")
    wrong = []
    for method, path in routes:
        url = fill(path, ids)
        headers = {"x-csrftoken": await csrf_token(client)} if method not in ("GET", "HEAD") else {}
        response = await client.request(method, url, headers=headers)
        allowed = role in ACCESS[(method, path)]
        location = response.headers.get("location", "")
        # A 401 outside the API is a refused sign-in (POST /login with no password), not a closed door.
        refused = (
            response.status_code == 403
            or location.startswith("/login?next=")
            or (response.status_code == 401 and path.startswith("/api/"))
        )
        if (allowed and refused) or (
            not allowed and not denied_as_expected(role, path, response.status_code, location)
        ):
            wrong.append(f"{method} {url} -> {response.status_code} {location}")
    assert not wrong, f"as {role}: " + "; ".join(wrong)


BIG = "9" * 25  # above 2^63: Python takes it, PostgreSQL and SQLite do not


@pytest.mark.parametrize("role", ["anonymous", "admin"])
async def test_big_integers_answer_4xx_on_every_id_taking_route(app, client, db, role):
    if role != "anonymous":
        await sign_in(client, (await make_user(db, [Role(role)])).email)
    ids = await _ids(db, None)
    routes = sorted(listed_routes(app), key=lambda route: route[1] == "/logout")
    wrong = []
    for method, path in routes:
        for name in re.findall(r"\{(\w+):int\}", path):
            url = fill(path, ids | {name: BIG})
            headers = {"x-csrftoken": await csrf_token(client)} if method not in ("GET", "HEAD") else {}
            response = await client.request(method, url, headers=headers)
            status = response.status_code
            if not (400 <= status < 500 or (role == "anonymous" and status == 303)):
                wrong.append(f"{method} {url} -> {response.status_code}")
    assert not wrong, f"as {role}: " + "; ".join(wrong)
