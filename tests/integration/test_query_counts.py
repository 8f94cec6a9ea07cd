"""The key pages of the performance targets read the database a fixed number of times, however many rows
they show (no query per row): counted through HTTP with 2 rows and with 20, on both databases."""

import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.codes import grouped
from certificates.document import AchievedCompetency, CertificateDocument
from courses.models import Course
from foundation.roles import Role
from nisa.demo.people import GIVEN_NAMES
from people.models import Trainee
from tests.certificate_factories import make_certificate
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee
from training.models import Attendance, ClassSession, Cohort

FEW, MANY = 2, 20
GIVEN = [latin for latin_names in GIVEN_NAMES.values() for _, latin in latin_names]


@contextmanager
def selects() -> Iterator[list[str]]:
    """The SELECT statements any engine runs meanwhile (the app's own included). The verification log is
    written and read in the background, whenever its batch is due: its statements are left out."""
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "verification_lookup" not in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def statements_for(client: AsyncTestClient[Litestar], url: str, *shown: str) -> int:
    """SELECTs behind one answer of the page (after a first visit), which must show every one of `shown`."""
    await client.get(url)
    with selects() as seen:
        answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    missing = [text for text in shown if text not in answer.text]
    assert not missing, f"the page does not show {missing}"
    return len(seen)


async def same_count_for_few_and_many(
    client: AsyncTestClient[Litestar], url: str, add_rows: Callable[[int], Awaitable[list[str]]]
) -> None:
    """`add_rows(n)` adds n rows to what the page shows and returns a text of each, shown by the page."""
    few = await add_rows(FEW)
    counted_few = await statements_for(client, url, *few)
    many = few + await add_rows(MANY - FEW)
    assert await statements_for(client, url, *many) == counted_few


async def published_course(db: AsyncSession) -> Course:
    return await make_course(db, status="published", published_at=datetime.now(UTC))


def people(db: AsyncSession, family: str = "Sok") -> Callable[[int], Awaitable[list[Trainee]]]:
    """A maker of trainees with distinct Latin names of one family."""
    made: list[Trainee] = []

    async def add(count: int) -> list[Trainee]:
        for _ in range(count):
            made.append(await make_trainee(db, name_latin=f"{family} {GIVEN[len(made)]}"))
        return made[-count:]

    return add


def names(add: Callable[[int], Awaitable[list[Trainee]]]) -> Callable[[int], Awaitable[list[str]]]:
    async def named(count: int) -> list[str]:
        return [trainee.name_latin for trainee in await add(count)]

    return named


async def test_trainee_search(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(db, await published_course(db), trainer_ids=[trainer.id])
    url = f"/cohorts/{cohort.id}/enrol/candidates?q=Sok"
    await same_count_for_few_and_many(client, url, names(people(db)))


async def test_admin_trainee_list(client, db, as_role):
    await as_role(Role.admin, language="en")
    await same_count_for_few_and_many(client, "/admin/trainees", names(people(db, family="Chan")))


async def test_cohort_roster(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(db, await published_course(db), trainer_ids=[trainer.id], capacity=50)
    first = select(ClassSession.id).where(ClassSession.cohort_id == cohort.id).order_by(ClassSession.day)
    session_id = (await db.execute(first.limit(1))).scalar_one()
    add_trainees = people(db)

    async def enrolled(count: int) -> list[str]:
        trainees = await add_trainees(count)
        for trainee in trainees:
            enrolment = await enrol(db, cohort, trainee)
            db.add(Attendance(enrolment_id=enrolment.id, session_id=session_id, status="present"))
        await db.commit()
        return [trainee.name_latin for trainee in trainees]

    await same_count_for_few_and_many(client, f"/cohorts/{cohort.id}", enrolled)


async def test_cohort_sign_in_cards_page(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(db, await published_course(db), trainer_ids=[trainer.id], capacity=50)
    add_trainees = people(db)

    async def enrolled(count: int) -> list[str]:
        trainees = await add_trainees(count)
        for trainee in trainees:
            await enrol(db, cohort, trainee)
        return [trainee.name_latin for trainee in trainees]

    await same_count_for_few_and_many(client, f"/cohorts/{cohort.id}/sign-in-cards", enrolled)


async def test_trainee_progress(client, db, as_role):
    trainee_user = await as_role(Role.trainee, language="en")
    courses = [await published_course(db), await published_course(db)]
    me = await db.get_one(Trainee, trainee_user.trainee_id)
    made: list[Cohort] = []

    async def enrolments(count: int) -> list[str]:
        codes = []
        for _ in range(count):
            cohort = await make_cohort(db, courses[len(made) % 2], status="running", start=date.today())
            await enrol(db, cohort, me)
            made.append(cohort)
            codes.append(cohort.code)
        return codes

    await same_count_for_few_and_many(client, "/me", enrolments)


async def test_trainer_dashboard(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    course = await published_course(db)
    add_trainees = people(db)

    async def running_cohorts(count: int) -> list[str]:
        codes = []
        for trainee in await add_trainees(count):
            started = date.today() - timedelta(days=1)
            cohort = await make_cohort(db, course, trainer_ids=[trainer.id], status="running", start=started)
            await enrol(db, cohort, trainee)
            codes.append(cohort.code)
        return codes

    await same_count_for_few_and_many(client, "/", running_cohorts)


async def test_verification_page(client, db):
    async def certificate_with(competencies: int) -> str:
        certificate = await make_certificate(db)
        document = CertificateDocument.from_snapshot(certificate.snapshot or {})
        listed = tuple(AchievedCompetency(f"SW-{n:02d}", "សមត្ថភាព", "Case work") for n in range(competencies))
        certificate.snapshot = dataclasses.replace(document, competencies=listed).to_snapshot()
        await db.commit()
        return f"/v/{grouped(certificate.code)}"

    few, many = await certificate_with(FEW), await certificate_with(MANY)
    shown = [f"SW-{n:02d}" for n in range(MANY)]
    assert await statements_for(client, many, *shown) == await statements_for(client, few, *shown[:FEW])
