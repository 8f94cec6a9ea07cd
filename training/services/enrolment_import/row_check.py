"""An uploaded roster's rows checked against the register: valid trainees, known organisations and communes,
and who is already recorded, already in the cohort, or twice in the file."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation.errors import InvalidInput
from foundation.forms import validated
from foundation.i18n import N_, gettext
from people.models import Organisation, TraineeCreate
from people.services.locations import find_places
from people.services.same_person import MATCH_CHUNK, PersonKey, person_keys, recorded_matches
from training.models import Enrolment
from training.schemas.imports import RowOutcome
from training.services.roster_uploads import COLUMNS, RosterRow, trainee_fields

# TraineeCreate's fields that a roster column gives under another name.
FIELD_COLUMNS = {"organisation_id": "organisation"}


@dataclass(frozen=True)
class Reference:
    """What the check needs from the database, loaded in a fixed number of queries."""

    organisations: dict[str, set[int]]  # active organisations by each of their names, folded
    communes: set[str]
    enrolments: dict[int, str]  # this cohort's trainees and their enrolment status


@dataclass
class Checked:
    """A row once validated: its preview entry and, if it holds a valid trainee, that trainee."""

    entry: dict[str, Any]
    data: TraineeCreate | None


def _folded(name: str) -> str:
    return " ".join(name.lower().split())


async def reference_for(session: AsyncSession, cohort_id: int, rows: list[RosterRow]) -> Reference:
    organisations: dict[str, set[int]] = defaultdict(set)
    query = select(Organisation.id, Organisation.name_km, Organisation.name_en).where(
        col(Organisation.active).is_(True)
    )
    for organisation_id, name_km, name_en in (await session.execute(query)).all():
        organisations[_folded(name_km)].add(organisation_id)
        organisations[_folded(name_en)].add(organisation_id)
    codes = {str(row.cells.get("commune_code", "")) for row in rows} - {""}
    enrolments = await session.execute(
        select(Enrolment.trainee_id, Enrolment.status).where(col(Enrolment.cohort_id) == cohort_id)
    )
    return Reference(
        dict(organisations),
        set(await find_places(session, codes)),
        dict(enrolments.all()),
    )


def check_row(row: RosterRow, reference: Reference) -> Checked:
    cells = {column: _shown(value) for column, value in row.cells.items()}
    entry: dict[str, Any] = {"line": row.line, "cells": cells}
    if row.problem:
        return Checked(entry | {"outcome": RowOutcome.error, "problems": {"": row.problem}}, None)
    values, problems = trainee_fields(row.cells)
    organisation = cells.get("organisation", "")
    if organisation:
        found = reference.organisations.get(_folded(organisation), set())
        if len(found) == 1:
            values["organisation_id"] = next(iter(found))
        else:
            problems["organisation"] = gettext(
                N_("No active organisation has this name in the system.")
                if not found
                else N_("Several organisations have this name: ask an administrator to tell them apart.")
            )
    commune = cells.get("commune_code", "")
    if commune and "commune_code" not in problems and commune not in reference.communes:
        problems["commune_code"] = gettext(N_("Unknown commune code."))
    data = None
    try:
        data = validated(TraineeCreate, values)
    except InvalidInput as invalid:
        by_column = {FIELD_COLUMNS.get(name, name): message for name, message in invalid.field_errors.items()}
        problems = by_column | problems  # the file's own wording (e.g. for sex) says more than the form's
    if problems or data is None:
        ordered = {column: problems[column] for column in (*COLUMNS, "") if column in problems}
        return Checked(entry | {"outcome": RowOutcome.error, "problems": ordered}, None)
    return Checked(entry, data)


def _shown(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value


async def classified(
    session: AsyncSession, checked: list[Checked], reference: Reference, *, chunk: int = MATCH_CHUNK
) -> list[dict[str, Any]]:
    """Each valid row as a new trainee, a match of a recorded one, one already in the cohort, or a
    duplicate of an earlier row (by the same-person rule of people.services.same_person, asked for
    `chunk` rows at a time); the preview entries in file order."""
    valid = [c for c in checked if c.data is not None]
    recorded = await recorded_matches(session, [c.data for c in valid if c.data is not None], chunk=chunk)
    first_line: dict[PersonKey, int] = {}  # each person key, and the row that first gave it
    line_of_trainee: dict[int, int] = {}
    for item in valid:
        assert item.data is not None
        entry, keys = item.entry, person_keys(item.data)
        earlier = next((first_line[key] for key in keys if key in first_line), None)
        for key in keys:
            first_line.setdefault(key, entry["line"])
        if earlier is not None:
            entry |= {"outcome": RowOutcome.duplicate, "duplicate_of": earlier}
            continue
        trainee_ids = recorded.of(item.data)
        if not trainee_ids:
            entry |= {"outcome": RowOutcome.new, "fields": item.data.model_dump(mode="json")}
            continue
        if len(trainee_ids) > 1:
            message = N_(
                "This row matches several recorded trainees: enrol this person from the cohort's page."
            )
            entry |= {"outcome": RowOutcome.error, "problems": {"": gettext(message)}}
            continue
        trainee = recorded.trainees[trainee_id := trainee_ids.pop()]
        entry |= {
            "trainee_id": trainee_id,
            "trainee": {"name_km": trainee.name_km, "name_latin": trainee.name_latin},
        }
        if not trainee.active:
            message = N_("This row matches a deactivated trainee: ask an administrator to reactivate them.")
            entry |= {"outcome": RowOutcome.error, "problems": {"": gettext(message)}}
        elif trainee_id in reference.enrolments:
            entry |= {
                "outcome": RowOutcome.already_enrolled,
                "enrolment_status": reference.enrolments[trainee_id],
            }
        elif trainee_id in line_of_trainee:
            entry |= {"outcome": RowOutcome.duplicate, "duplicate_of": line_of_trainee[trainee_id]}
        else:
            line_of_trainee[trainee_id] = entry["line"]
            entry["outcome"] = RowOutcome.matched
    return [item.entry for item in checked]
