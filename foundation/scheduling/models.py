"""Tables of scheduled work: each run of a job (and each "run now" request), and the scheduler processes."""

import enum
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from foundation.clock import utcnow
from foundation.columns import timestamp
from foundation.i18n import N_

# Kept as the error of a run whose scheduler stopped (killed, or lost its lock) before it finished; the
# admin page shows it translated.
INTERRUPTED = N_("Interrupted: the scheduler stopped before the run finished.")


class JobOutcome(enum.StrEnum):
    # Asked for from the admin page; the active scheduler claims it within a tick.
    requested = "requested"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class JobRun(SQLModel, table=True):
    """One run of a job: started by its schedule, or requested by an administrator and then started."""

    __tablename__ = "job_run"
    __table_args__ = (
        Index("ix_job_run_job_id", "job", "id"),
        Index("ix_job_run_outcome", "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    outcome: str = Field(max_length=10)
    requested_by: int | None = Field(default=None, foreign_key="user_account.id")
    requested_at: datetime | None = timestamp(default=None)
    started_at: datetime | None = timestamp(default=None)
    finished_at: datetime | None = timestamp(default=None)
    items: int = 0
    error: str | None = Field(default=None, max_length=2000)
    # The scheduler process that ran it (see SchedulerInstance.id).
    instance: str | None = Field(default=None, max_length=80)


class SchedulerInstance(SQLModel, table=True):
    """A running `nisa scheduler` process and whether it holds the lock; it writes `seen_at` every tick,
    so the admin page can tell when no scheduler is alive."""

    __tablename__ = "scheduler_instance"

    id: str = Field(primary_key=True, max_length=80)
    host: str = Field(max_length=255)
    pid: int
    active: bool = False
    started_at: datetime = timestamp(default_factory=utcnow)
    seen_at: datetime = timestamp(default_factory=utcnow, index=True)
