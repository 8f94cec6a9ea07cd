"""Enrolment of trainees in a cohort: capacity and waitlist, withdrawal, and the roster."""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.i18n import N_, gettext
from foundation.paging import Page
from foundation.templating import place_name
from people.models import Commune, Organisation, Sex, Trainee, TraineeCreate, masked_phone
from people.services import trainees
from people.services.auth import CurrentUser
from people.services.locations import Place, find_places
from training.messages import ENROLMENT_CONFIRMED, tell_enrolled
from training.models import Enrolment, EnrolmentStatus
from training.schemas.enrolment import EnrolmentRead, WithdrawalInput
from training.services.access import SEATED, cohort_for
from training.services.attendance import attendance_rates
from training.services.class_sessions import CohortSchedule, get_schedule
from training.services.cohorts import CohortRow, get_cohort_row
from training.services.seats import fill_free_seats, release_seat, take_seat

ENROLMENT_STATUS_NAMES = {
    EnrolmentStatus.waitlisted: N_("Waitlisted"),
    EnrolmentStatus.enrolled: N_("Enrolled"),
    EnrolmentStatus.completed: N_("Completed"),
    EnrolmentStatus.not_completed: N_("Not completed"),
    EnrolmentStatus.withdrawn: N_("Withdrawn"),
}
SEX_NAMES = {Sex.female: N_("Female"), Sex.male: N_("Male")}
ALREADY_LISTED = N_("This trainee is already on this cohort's list: they are not enrolled twice.")
CHANGED_MEANWHILE = N_("This enrolment was changed meanwhile: reload the page and check.")
# Ways out of the cohort: a trainee who completed it (or not) keeps that result.
WITHDRAWABLE = (EnrolmentStatus.enrolled.value, EnrolmentStatus.waitlisted.value)
MAX_CANDIDATES = 20
ROSTER_PAGE = 100  # trainees holding a seat shown on one page of the cohort page


# ---------------------------------------------------------------- finding trainees to enrol


@dataclass(frozen=True)
class Candidate:
    """A trainee found for enrolment, and where they already stand in this cohort (if anywhere). The page
    shows only what tells people apart (names, masked phone, employer, commune): a search of the whole
    register is open to every trainer, the records are not."""

    trainee: Trainee
    organisation: Organisation | None
    enrolment: Enrolment | None
    commune: Commune | None = None

    @property
    def masked_phone(self) -> str:
        return masked_phone(self.trainee.phone)

    @property
    def status_name(self) -> str | None:
        return ENROLMENT_STATUS_NAMES[EnrolmentStatus(self.enrolment.status)] if self.enrolment else None

    @property
    def can_enrol(self) -> bool:
        return self.enrolment is None or self.enrolment.status == EnrolmentStatus.withdrawn


async def find_candidates(
    session: AsyncSession, user: CurrentUser, cohort_id: int, q: str
) -> tuple[list[Candidate], bool]:
    """Active trainees matching a name (either script), phone or organisation; and whether there are more."""
    await cohort_for(session, user, cohort_id)
    q = q.strip()
    if not q:
        return [], False
    pattern = f"%{q}%"
    # The few employers matching first, so each condition on trainees can use its own index.
    employers = select(col(Organisation.id)).where(
        or_(col(Organisation.name_km).ilike(pattern), col(Organisation.name_en).ilike(pattern))
    )
    employer_ids = list((await session.execute(employers)).scalars())
    matching = trainees.search_condition(q)
    if employer_ids:  # only then: an always-false alternative would keep SQLite from starting at the index
        matching = or_(matching, col(Trainee.organisation_id).in_(employer_ids))
    by_name = (col(Trainee.name_latin), col(Trainee.id))
    # The first ones by name, alone: joined before sorting, every match of a common name had its employer
    # and enrolment looked up (on SQLite), to keep 21 of them.
    first = (
        select(col(Trainee.id))
        .where(col(Trainee.active).is_(True), matching)
        .order_by(*by_name)
        .limit(MAX_CANDIDATES + 1)
        .subquery()
    )
    query = (
        select(Trainee, Organisation, Enrolment, Commune)
        .join(first, first.c.id == Trainee.id)
        .outerjoin(Organisation, col(Organisation.id) == Trainee.organisation_id)
        .outerjoin(Commune, col(Commune.code) == Trainee.commune_code)
        .outerjoin(
            Enrolment, (col(Enrolment.trainee_id) == Trainee.id) & (col(Enrolment.cohort_id) == cohort_id)
        )
        .order_by(*by_name)
    )
    found = [Candidate(t, o, e, c) for t, o, e, c in (await session.execute(query)).all()]
    return found[:MAX_CANDIDATES], len(found) > MAX_CANDIDATES


@dataclass(frozen=True)
class EnrolPage:
    """The enrol page: the cohort's seats, the trainees found, and who was just enrolled (if anyone)."""

    row: CohortRow
    q: str
    candidates: list[Candidate]
    more: bool
    done: tuple[Enrolment, Trainee] | None


async def enrol_page(
    session: AsyncSession, user: CurrentUser, cohort_id: int, q: str, done_id: int | None
) -> EnrolPage:
    row = await get_cohort_row(session, user, cohort_id, write=True)
    candidates, more = await find_candidates(session, user, cohort_id, q)
    done = None
    enrolment = await session.get(Enrolment, done_id) if done_id is not None else None
    if enrolment is not None and enrolment.cohort_id == cohort_id:
        done = (enrolment, await trainees.get_trainee(session, enrolment.trainee_id))
    return EnrolPage(row, q, candidates, more, done)


# ---------------------------------------------------------------- enrolling and withdrawing


async def _active_trainee(session: AsyncSession, trainee_id: int) -> Trainee:
    trainee = await session.get(Trainee, trainee_id)
    if trainee is None:
        raise InvalidInput({"trainee_id": gettext(N_("No such trainee."))})
    if not trainee.active:
        raise InvalidInput({"trainee_id": gettext(N_("This trainee's record is deactivated."))})
    return trainee


async def _seat_or_waitlist(session: AsyncSession, cohort_id: int) -> str:
    seated = await take_seat(session, cohort_id)
    return EnrolmentStatus.enrolled.value if seated else EnrolmentStatus.waitlisted.value


async def enrol(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, trainee_id: int
) -> Enrolment:
    """Enrolled while seats are free, else waitlisted. A trainee who withdrew may come back (at the end)."""
    await cohort_for(session, user, cohort_id, write=True)
    await _active_trainee(session, trainee_id)
    earlier = (
        await session.execute(
            select(Enrolment).where(
                col(Enrolment.cohort_id) == cohort_id, col(Enrolment.trainee_id) == trainee_id
            )
        )
    ).scalar_one_or_none()
    if earlier is not None and earlier.status != EnrolmentStatus.withdrawn:
        raise Conflict(ALREADY_LISTED)
    status = await _seat_or_waitlist(session, cohort_id)
    now = utcnow()
    if earlier is None:
        enrolment = Enrolment(
            cohort_id=cohort_id, trainee_id=trainee_id, status=status, requested_at=now, status_changed_at=now
        )
        session.add(enrolment)
        try:
            await session.flush()
        except IntegrityError:  # listed meanwhile; the caller's rollback gives the seat back
            raise Conflict(ALREADY_LISTED) from None
        before = None
    else:
        before = audit.snapshot(earlier)
        await _change(
            session,
            earlier,
            EnrolmentStatus.withdrawn.value,
            status=status,
            requested_at=now,
            withdrawn_reason=None,
        )
        enrolment = earlier
    audit.record(session, actor, "enrolment.create", enrolment, before, audit.snapshot(enrolment))
    if status == EnrolmentStatus.enrolled:
        await tell_enrolled(session, [row_id(enrolment)], ENROLMENT_CONFIRMED)
    return enrolment


async def enrol_new_trainee(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    data: TraineeCreate,
    *,
    confirm_duplicate: bool = False,
) -> Enrolment:
    """Record a new trainee (with the usual duplicate check) and enrol them."""
    await cohort_for(session, user, cohort_id, write=True)  # before anything is saved
    trainee = await trainees.create_trainee(session, actor, data, confirm_duplicate=confirm_duplicate)
    return await enrol(session, actor, user, cohort_id, row_id(trainee))


async def _change(session: AsyncSession, enrolment: Enrolment, expected: str, **values: object) -> None:
    """Change the enrolment only if its status is still `expected`: of two people at once, one wins."""
    changed = await session.execute(
        update(Enrolment)
        .where(col(Enrolment.id) == enrolment.id, col(Enrolment.status) == expected)
        .values(status_changed_at=utcnow(), **values)
        .returning(col(Enrolment.id))
        .execution_options(synchronize_session=False)
    )
    if changed.first() is None:
        raise Conflict(CHANGED_MEANWHILE)
    await session.refresh(enrolment)


async def _enrolment_in(session: AsyncSession, cohort_id: int, enrolment_id: int) -> Enrolment:
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort_id:
        raise NotFound(N_("No such enrolment."))
    return enrolment


async def withdrawal_of(
    session: AsyncSession, user: CurrentUser, cohort_id: int, enrolment_id: int
) -> tuple[Enrolment, Trainee]:
    """The enrolment and its trainee, for the withdrawal form (refused once the cohort is closed)."""
    await cohort_for(session, user, cohort_id, write=True)
    enrolment = await _enrolment_in(session, cohort_id, enrolment_id)
    return enrolment, await trainees.get_trainee(session, enrolment.trainee_id)


async def withdraw(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    enrolment_id: int,
    data: WithdrawalInput,
) -> Enrolment:
    """The reason is kept. A seat given up goes to the first trainee on the waitlist, in the same unit of
    work."""
    await cohort_for(session, user, cohort_id, write=True)
    enrolment = await _enrolment_in(session, cohort_id, enrolment_id)
    if enrolment.status not in WITHDRAWABLE:
        raise Conflict(N_("Only an enrolled or waitlisted trainee can withdraw."))
    before = audit.snapshot(enrolment)
    previous = enrolment.status
    await _change(
        session, enrolment, previous, status=EnrolmentStatus.withdrawn.value, withdrawn_reason=data.reason
    )
    if previous == EnrolmentStatus.enrolled:
        await release_seat(session, cohort_id)
        await fill_free_seats(session, actor, cohort_id)
    audit.record(session, actor, "enrolment.withdraw", enrolment, before, audit.snapshot(enrolment))
    return enrolment


# ---------------------------------------------------------------- the roster


@dataclass(frozen=True)
class RosterEntry:
    enrolment: Enrolment
    trainee: Trainee
    organisation: Organisation | None
    place: Place | None
    attendance_percent: Decimal | None
    waitlist_position: int | None

    @property
    def status_name(self) -> str:
        return ENROLMENT_STATUS_NAMES[EnrolmentStatus(self.enrolment.status)]

    @property
    def read(self) -> EnrolmentRead:
        return EnrolmentRead.model_validate(
            self.enrolment.model_dump()
            | {
                "name_km": self.trainee.name_km,
                "name_latin": self.trainee.name_latin,
                "waitlist_position": self.waitlist_position,
                "attendance_percent": self.attendance_percent,
            }
        )


def _in_roster_order(entry: RosterEntry) -> tuple[int, int, str, int]:
    """Those holding a seat by name, then the waitlist in its order, then those who withdrew."""
    status = entry.enrolment.status
    group = 0 if status in SEATED else 1 if status == EnrolmentStatus.waitlisted else 2
    return (group, entry.waitlist_position or 0, entry.trainee.name_latin.lower(), row_id(entry.enrolment))


def waitlist_positions(enrolments: list[Enrolment]) -> dict[int, int]:
    """Each waitlisted enrolment's place in the queue (1 = promoted next): first asked, first served."""
    waiting = sorted(
        (e for e in enrolments if e.status == EnrolmentStatus.waitlisted),
        key=lambda e: (e.requested_at, row_id(e)),
    )
    return {row_id(e): position for position, e in enumerate(waiting, start=1)}


@dataclass(frozen=True)
class Roster:
    """A cohort's list. On the cohort page `seated_page` is set: `entries` then hold one page of those with
    a seat (by name), and the whole waitlist and those who withdrew."""

    schedule: CohortSchedule
    entries: list[RosterEntry]
    seated_page: Page[RosterEntry] | None = None

    @property
    def seated(self) -> list[RosterEntry]:
        return [e for e in self.entries if e.enrolment.status in SEATED]

    @property
    def waitlisted(self) -> list[RosterEntry]:
        return [e for e in self.entries if e.enrolment.status == EnrolmentStatus.waitlisted]

    @property
    def withdrawn(self) -> list[RosterEntry]:
        return [e for e in self.entries if e.enrolment.status == EnrolmentStatus.withdrawn]

    def find(self, enrolment_id: int | None) -> RosterEntry | None:
        return next((e for e in self.entries if e.enrolment.id == enrolment_id), None)


def _seated_page(cohort_id: int, page: int) -> Any:
    """The ids of one page of the enrolments holding a seat, in roster order (by name)."""
    return (
        select(col(Enrolment.id))
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status).in_(SEATED))
        .order_by(func.lower(Trainee.name_latin), col(Enrolment.id))
        .offset((page - 1) * ROSTER_PAGE)
        .limit(ROSTER_PAGE)
    )


async def get_roster(
    session: AsyncSession, user: CurrentUser, cohort_id: int, *, page: int | None = None
) -> Roster:
    """The cohort with everyone on its list, or with one `page` of those holding a seat (the cohort page: a
    roster of hundreds would be hundreds of kilobytes on a provincial phone connection). A fixed number of
    queries whatever its size."""
    schedule = await get_schedule(session, user, cohort_id)
    listed = col(Enrolment.cohort_id) == cohort_id
    if page is not None:
        listed &= col(Enrolment.status).not_in(SEATED) | col(Enrolment.id).in_(_seated_page(cohort_id, page))
    rows = list(
        (
            await session.execute(
                select(Enrolment, Trainee, Organisation)
                .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
                .outerjoin(Organisation, col(Organisation.id) == Trainee.organisation_id)
                .where(listed)
            )
        ).all()
    )
    enrolments = [e for e, _, _ in rows]
    positions = waitlist_positions(enrolments)
    rates = await attendance_rates(session, [row_id(e) for e in enrolments])
    places = await find_places(session, {t.commune_code for _, t, _ in rows if t.commune_code})
    entries = [
        RosterEntry(
            e,
            t,
            o,
            places.get(t.commune_code or ""),
            rates.get(row_id(e)),
            positions.get(row_id(e)),
        )
        for e, t, o in rows
    ]
    roster = Roster(schedule, sorted(entries, key=_in_roster_order))
    if page is None:
        return roster
    seated = Page(roster.seated, schedule.row.cohort.enrolled_count, page, ROSTER_PAGE)
    return dataclasses.replace(roster, seated_page=seated)


async def enrolment_read(
    session: AsyncSession, user: CurrentUser, cohort_id: int, enrolment_id: int
) -> EnrolmentRead:
    entry = (await get_roster(session, user, cohort_id)).find(enrolment_id)
    if entry is None:
        raise NotFound(N_("No such enrolment."))
    return entry.read


def roster_table(roster: Roster) -> tuple[list[str], list[list[object]]]:
    """The roster as a table for CSV and Excel: headings in the reader's language, one row per trainee."""
    headings = [
        gettext(N_("Name in Khmer")),
        gettext(N_("Name in Latin letters")),
        gettext(N_("Sex")),
        gettext(N_("Phone")),
        gettext(N_("Email")),
        gettext(N_("Organisation")),
        gettext(N_("Position")),
        gettext(N_("Workplace commune")),
        gettext(N_("Status")),
        gettext(N_("Attendance %")),
    ]
    rows: list[list[object]] = []
    for entry in roster.entries:
        t, o = entry.trainee, entry.organisation
        rows.append(
            [
                t.name_km,
                t.name_latin,
                gettext(SEX_NAMES.get(Sex(t.sex), t.sex)),
                t.phone or "",
                t.email or "",
                place_name(o) if o else "",
                t.position or "",
                place_name(entry.place.commune) if entry.place else "",
                gettext(ENROLMENT_STATUS_NAMES[EnrolmentStatus(entry.enrolment.status)]),
                entry.attendance_percent,
            ]
        )
    return headings, rows
