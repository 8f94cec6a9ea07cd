"""Write schemas of the ethics module as trainees take it: a quiz result taken on paper, a pledge signed on
paper."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic import Field as Limits
from sqlmodel import SQLModel

from foundation.clock import today
from foundation.i18n import N_


def _not_in_future(value: date) -> date:
    if value > today():
        raise ValueError(N_("This date is in the future."))
    return value


class PaperResultInput(SQLModel):
    """A quiz taken on paper and marked by the trainer."""

    score_percent: Annotated[int, Limits(ge=0, le=100)]
    taken_on: Annotated[date, AfterValidator(_not_in_future)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class PaperPledgeInput(SQLModel):
    """A code of ethics pledge the trainee signed on paper."""

    signed_on: Annotated[date, AfterValidator(_not_in_future)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
