"""Domain errors of our own; controllers map them to pages and JSON in one place (training/app.py)."""

from typing import Any


class DomainError(Exception):
    """An error the user can act on. `message` is a catalog msgid; `params` fill its placeholders."""

    status_code = 400

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    """Signed in, but this record is not theirs to see or change (e.g. another trainer's cohort)."""

    status_code = 403


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    """Field-by-field problems with a submitted form or JSON body."""

    status_code = 422

    def __init__(
        self, field_errors: dict[str, str], message: str = "Please correct the marked fields."
    ) -> None:
        super().__init__(message)
        self.field_errors = field_errors


class DuplicateSuspected(DomainError):
    """A trainee looks like one already recorded; saving needs an explicit confirmation."""

    status_code = 409

    def __init__(self, matches: list[Any]) -> None:
        super().__init__("This trainee may already be recorded. Check the list below.")
        self.matches = matches


class SignInRefused(DomainError):
    status_code = 401


class TooManyAttempts(DomainError):
    status_code = 429


class LinkInvalid(DomainError):
    """A one-time link that is unknown, used or expired."""

    status_code = 410
