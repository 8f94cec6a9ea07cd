"""Realistic demo data: organisations across provinces, trainees with Khmer and Latin names, demo logins."""

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rich.progress import Progress
from sqlalchemy import Table, func, insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import Course, CourseModule, ModuleKind
from foundation.audit import Actor
from foundation.clock import today as cambodian_today
from foundation.clock import utcnow
from foundation.columns import row_id, table
from foundation.roles import Role
from nisa.demo.curriculum import load_demo_curriculum
from people.models import Commune, District, Organisation, Province, Sex, Trainee, User, UserCreate
from people.services import users
from training.models import (
    Attendance,
    ClassSession,
    Cohort,
    CohortTrainer,
    Enrolment,
    QuizAttempt,
    SessionModule,
)

DEMO_PASSWORD = "nisa-demo-2026"
DEMO_LOGINS = [
    ("admin", "admin@nisa.example.org", DEMO_PASSWORD),
    ("trainer", "trainer@nisa.example.org", DEMO_PASSWORD),
    ("trainer", "trainer2@nisa.example.org", DEMO_PASSWORD),
    ("trainee", "trainee@nisa.example.org", DEMO_PASSWORD),
]
DEMO_TRAINEES = 300  # without --trainees
BATCH = 5000
Row = dict[str, Any]
MOBILE_PREFIXES = ["12", "11", "77", "92", "95", "89", "85", "17", "61", "76", "99", "78"]

# (Khmer, Latin) pairs; a Latin name follows the family's usual spelling, not a transliteration scheme.
FAMILY_NAMES = [
    ("សុខ", "Sok"),
    ("ចាន់", "Chan"),
    ("គឹម", "Kim"),
    ("លី", "Ly"),
    ("ស៊ុន", "Sun"),
    ("ហេង", "Heng"),
    ("ម៉ៅ", "Mao"),
    ("ឈឹម", "Chhim"),
    ("ព្រំ", "Prom"),
    ("សេង", "Seng"),
    ("កែវ", "Keo"),
    ("នូ", "Nou"),
    ("ទេព", "Tep"),
    ("ឡុង", "Long"),
    ("ពៅ", "Pov"),
    ("អ៊ុក", "Ouk"),
    ("យិន", "Yin"),
    ("ឃុន", "Khun"),
    ("ស្រី", "Srey"),
    ("វ៉ាន់", "Vann"),
    ("ហ៊ុន", "Hun"),
    ("ជា", "Chea"),
    ("ខៀវ", "Khiev"),
    ("មាស", "Meas"),
]
GIVEN_NAMES = {
    Sex.female: [
        ("ស្រីមុំ", "Sreymom"),
        ("សុភា", "Sophea"),
        ("ចន្ទ្រា", "Chantrea"),
        ("ស្រីនាង", "Sreyneang"),
        ("បុប្ផា", "Bopha"),
        ("ធីតា", "Thida"),
        ("សុខា", "Sokha"),
        ("ម៉ាលី", "Maly"),
        ("រតនា", "Rathana"),
        ("ស្រីពៅ", "Sreypov"),
        ("កញ្ញា", "Kanha"),
        ("ដាវី", "Davy"),
        ("សុគន្ធា", "Sokunthea"),
        ("វណ្ណា", "Vanna"),
    ],
    Sex.male: [
        ("វិចិត្រ", "Vichet"),
        ("សុផល", "Sophal"),
        ("ដារ៉ា", "Dara"),
        ("វុទ្ធី", "Vuthy"),
        ("ពិសិដ្ឋ", "Piseth"),
        ("រតនៈ", "Ratanak"),
        ("សំណាង", "Samnang"),
        ("បូរ៉ា", "Bora"),
        ("ចំរើន", "Chamroeun"),
        ("វាសនា", "Veasna"),
        ("សុវណ្ណ", "Sovann"),
        ("ពន្លក", "Ponlok"),
        ("មករា", "Makara"),
        ("សុភ័ក្រ", "Sopheak"),
    ],
}
POSITIONS = [
    "Social worker",
    "Social work assistant",
    "Commune focal point for women and children",
    "Case manager",
    "Child protection officer",
    "Disability inclusion officer",
    "Community development officer",
]
NGOS = [
    ("អង្គការថែទាំកុមារ", "Child Care Cambodia"),
    ("អង្គការជំនួយសហគមន៍", "Community Aid Cambodia"),
    ("អង្គការគាំពារជនពិការ", "Disability Support Organisation"),
    ("អង្គការគ្រួសាររឹងមាំ", "Strong Families Cambodia"),
]


async def _organisations(session: AsyncSession, rng: random.Random) -> list[int]:
    """A provincial Department of Social Affairs in every province, and a few NGOs."""
    rows = (
        await session.execute(select(col(District.province_code), col(Commune.code)).join(District))
    ).all()
    first_commune: dict[str, str] = {}
    for province_code, commune_code in rows:
        first_commune.setdefault(province_code, commune_code)
    provinces = (await session.execute(select(Province).order_by(col(Province.code)))).scalars().all()
    values = [
        {
            "name_km": f"មន្ទីរសង្គមកិច្ច អតីតយុទ្ធជន និងយុវនីតិសម្បទា{p.name_km}",
            "kind": "government",
            "name_en": f"Department of Social Affairs, {p.name_en}",
            "commune_code": first_commune[p.code],
        }
        for p in provinces
    ]
    values += [
        {
            "name_km": km,
            "name_en": en,
            "kind": "ngo",
            "commune_code": rng.choice(list(first_commune.values())),
        }
        for km, en in NGOS
    ]
    ids = (
        (await session.execute(insert(Organisation).returning(col(Organisation.id)), values)).scalars().all()
    )
    return [int(i) for i in ids if i is not None]


async def insert_numbered(
    session: AsyncSession, table: Table, rows: Sequence[Row], ids: Sequence[int]
) -> None:
    """Insert rows with the ids given in one executemany: thousands of rows a second where RETURNING the
    ids the database chose gives hundreds. On PostgreSQL the id sequence is moved past them afterwards."""
    await session.execute(insert(table), [row | {"id": n} for row, n in zip(rows, ids, strict=True)])
    if (await session.connection()).dialect.name == "postgresql":
        move = text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)")
        await session.execute(move, {"table": table.name, "last": max(ids)})


def _phone(number: int) -> str:
    """A distinct, valid Cambodian mobile number for each demo trainee, digits spread as real ones are
    (7919 and 800,000 have no common factor: each number below 800,000 gets its own)."""
    prefix = MOBILE_PREFIXES[number // 800_000 % len(MOBILE_PREFIXES)]
    return f"+855{prefix}{200_000 + number * 7919 % 800_000}"


def _trainee(
    rng: random.Random, number: int, organisations: list[int], communes: list[str]
) -> dict[str, object]:
    sex = rng.choice(list(Sex))
    family_km, family_latin = rng.choice(FAMILY_NAMES)
    given_km, given_latin = rng.choice(GIVEN_NAMES[sex])
    return {
        "name_km": f"{family_km} {given_km}",
        "name_latin": f"{family_latin} {given_latin}",
        "sex": sex.value,
        "date_of_birth": date(1970, 1, 1) + timedelta(days=rng.randrange(0, 365 * 33))
        if rng.random() < 0.8
        else None,
        "phone": _phone(number),
        "email": f"{given_latin.lower()}.{family_latin.lower()}.{number}@example.org"
        if rng.random() < 0.4
        else None,
        "organisation_id": rng.choice(organisations),
        "position": rng.choice(POSITIONS),
        "commune_code": rng.choice(communes),
    }


async def load_demo(session: AsyncSession, *, trainees: int, seed: int) -> None:
    rng = random.Random(seed)
    organisations = await _organisations(session, rng)
    communes = list((await session.execute(select(col(Commune.code)))).scalars())
    first_trainee_id = int((await session.execute(select(func.max(Trainee.id)))).scalar() or 0) + 1
    with Progress() as progress:
        task = progress.add_task("Trainees", total=trainees)
        for start in range(0, trainees, BATCH):
            numbers = range(start, min(start + BATCH, trainees))
            rows = [_trainee(rng, n, organisations, communes) for n in numbers]
            ids = [first_trainee_id + n for n in numbers]
            await insert_numbered(session, table(Trainee), rows, ids)
            await session.commit()
            progress.advance(task, len(rows))
    system = Actor(None)
    for role, email, password in DEMO_LOGINS:
        name = email.split("@")[0].capitalize()
        data = UserCreate(
            email=email,
            display_name=f"Demo {name}",
            roles=[Role(role)],
            language="km",
            trainee_id=first_trainee_id if role == "trainee" else None,
        )
        await users.create_user(session, system, data, password=password)
    await session.commit()  # the service leaves the commit to its caller: here, the loader
    await load_demo_curriculum(session)
    await _cohorts(session, rng, first_trainee_id or 0)


# (course code, trainer email, status, first day relative to today, sessions, trainees)
DEMO_COHORTS = [
    ("SW101", "trainer@nisa.example.org", "running", -3, 6, 24),
    ("CM201", "trainer2@nisa.example.org", "open", 7, 5, 12),
]
# Typed by staff, so in both languages: what a Khmer page and an English one each show.
VENUE = "វិទ្យាស្ថានជាតិសង្គមកិច្ច ភ្នំពេញ · NISA, Phnom Penh"
CANCELLED_BECAUSE = "សាលប្រជុំត្រូវបានជួសជុល · The training room is being repaired"
PAPER_QUIZ_TAKERS = 6  # of the running cohort: passed the ethics quiz on paper, their pledge still to record


async def _cohorts(session: AsyncSession, rng: random.Random, demo_trainee_id: int) -> None:
    """A running cohort that spans today (attendance taken for its past sessions, one future session
    cancelled, a few trainees who passed the ethics quiz on paper and now need their paper pledge) and an
    open one."""
    today = cambodian_today()
    trainee_ids = [int(t) for t in (await session.execute(select(col(Trainee.id)).limit(200))).scalars() if t]
    for number, (code, trainer_email, status, offset, days, size) in enumerate(DEMO_COHORTS, start=1):
        course = (await session.execute(select(Course).where(col(Course.code) == code))).scalar_one()
        trainer = (await session.execute(select(User).where(col(User.email) == trainer_email))).scalar_one()
        start = today + timedelta(days=offset)
        cohort = Cohort(
            code=f"{code}-DEMO-{number}",
            course_id=row_id(course),
            venue_province_code="12",
            venue=VENUE,
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            capacity=30,
            enrolled_count=size,
            status=status,
        )
        session.add(cohort)
        await session.flush()
        session.add(CohortTrainer(cohort_id=row_id(cohort), user_id=row_id(trainer)))
        members: list[int] = [demo_trainee_id] if number == 1 else []
        members += rng.sample([t for t in trainee_ids if t != demo_trainee_id], size - len(members))
        enrolments = [Enrolment(cohort_id=row_id(cohort), trainee_id=t) for t in members]
        session.add_all(enrolments)
        modules = list(
            (
                await session.execute(select(CourseModule).where(col(CourseModule.course_id) == course.id))
            ).scalars()
        )
        await session.flush()
        for day in range(days):
            meeting = ClassSession(
                cohort_id=row_id(cohort),
                day=start + timedelta(days=day),
                starts_at=time(8, 0),
                ends_at=time(16, 30),
            )
            if status == "running" and day == days - 2:  # the day after tomorrow: the room is not ready
                meeting.cancelled_at, meeting.cancelled_by = utcnow(), trainer.id
                meeting.cancelled_reason = CANCELLED_BECAUSE
            session.add(meeting)
            await session.flush()
            session.add(
                SessionModule(session_id=row_id(meeting), module_id=row_id(modules[day % len(modules)]))
            )
            if meeting.day < today:
                session.add_all(
                    Attendance(
                        enrolment_id=row_id(e),
                        session_id=row_id(meeting),
                        status=_attendance(rng),
                        recorded_by=trainer.id,
                    )
                    for e in enrolments
                )
        if status == "running":
            await _passed_on_paper(session, enrolments[1 : 1 + PAPER_QUIZ_TAKERS], row_id(trainer), start)
    await session.commit()


async def _passed_on_paper(
    session: AsyncSession, enrolments: Sequence[Enrolment], trainer_id: int, first_day: date
) -> None:
    """The ethics quiz taken on paper on the first day and recorded by the trainer: only the pledge is left
    of the ethics module, for the trainer to record from the signed paper."""
    ethics = await session.execute(
        select(col(CourseModule.id))
        .join(Cohort, col(Cohort.course_id) == CourseModule.course_id)
        .where(col(Cohort.id) == enrolments[0].cohort_id, col(CourseModule.kind) == ModuleKind.ethics)
    )
    taken = datetime.combine(first_day, time(12), tzinfo=UTC)
    session.add_all(
        QuizAttempt(
            enrolment_id=row_id(enrolment),
            module_id=module_id,
            mode="paper",
            started_at=taken,
            submitted_at=taken,
            score_percent=85,
            passed=True,
            recorded_by=trainer_id,
        )
        for module_id in ethics.scalars()
        if module_id is not None
        for enrolment in enrolments
    )


def _attendance(rng: random.Random) -> str:
    return rng.choices(["present", "late", "excused", "absent"], weights=[80, 8, 5, 7])[0]
