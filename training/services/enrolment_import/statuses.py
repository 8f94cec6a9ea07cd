"""An enrolment import's statuses and its rows' outcomes in words, what went wrong, and who may confirm it."""

from datetime import datetime, timedelta

from foundation.clock import utcnow
from foundation.errors import Conflict
from foundation.i18n import N_
from foundation.roles import Role
from people.services.auth import CurrentUser
from training.models import EnrolmentImport
from training.schemas.imports import ImportStatus, RowOutcome

STALE_AFTER = timedelta(minutes=10)

ALREADY_CONFIRMED = N_("This import was already confirmed.")
NOT_READY = N_("This import cannot be confirmed: it is not ready. Upload the file again.")
NOTHING_TO_ENROL = N_("This file has no trainee to enrol: correct it and upload it again.")
NOT_YOURS = N_("Only the person who uploaded this file, or an administrator, may confirm it.")
CHECK_FAILED = N_(
    "The file could not be checked because of an error on our side. Upload it again; "
    "if this happens again, tell NISA's administrators."
)
INTERRUPTED = N_("Checking this file stopped before the end (the server restarted). Upload the file again.")
COMMIT_FAILED = N_(
    "Nothing was saved: the import could not be completed, most likely because someone changed these "
    "trainees or this cohort meanwhile. Upload the file again to see the current state."
)

IMPORT_STATUS_NAMES = {
    ImportStatus.parsing: N_("Checking the file"),
    ImportStatus.ready: N_("Ready to confirm"),
    ImportStatus.failed: N_("Failed: nothing saved"),
    ImportStatus.done: N_("Confirmed"),
}
OUTCOME_NAMES = {
    RowOutcome.new: N_("New trainee"),
    RowOutcome.matched: N_("Matched existing trainee"),
    RowOutcome.already_enrolled: N_("Already in this cohort"),
    RowOutcome.duplicate: N_("Duplicate in the file"),
    RowOutcome.error: N_("Error"),
}
TO_ENROL = (RowOutcome.new.value, RowOutcome.matched.value)


class NothingSaved(Conflict):
    """The confirmation failed in the database and was rolled back; the caller records the failure."""


def status_of(job: EnrolmentImport, now: datetime | None = None) -> ImportStatus:
    """The import's status as users see it: a check interrupted by a restart counts as failed."""
    if job.status == ImportStatus.parsing and (now or utcnow()) - job.created_at > STALE_AFTER:
        return ImportStatus.failed
    return ImportStatus(job.status)


def error_of(job: EnrolmentImport) -> str | None:
    """What went wrong (a catalog msgid), for a failed import."""
    if status_of(job) != ImportStatus.failed:
        return None
    return job.error or INTERRUPTED


def may_confirm(user: CurrentUser, job: EnrolmentImport) -> bool:
    return job.created_by == user.id or user.has_role(Role.admin)
