"""What an enrolment import's columns hold: its statuses, and the outcomes of its preview's rows."""

import enum


class ImportStatus(enum.StrEnum):
    """EnrolmentImport.status: checked in the background (parsing), then ready to confirm, or failed, or
    confirmed (done)."""

    parsing = "parsing"
    ready = "ready"
    failed = "failed"
    done = "done"


class RowOutcome(enum.StrEnum):
    """A preview row's "outcome": what confirming the import does with it."""

    new = "new"
    matched = "matched"
    already_enrolled = "already_enrolled"
    duplicate = "duplicate"
    error = "error"
