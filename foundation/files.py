"""Problems with an uploaded file, reported line by line; a file with any problem saves nothing."""

from dataclasses import dataclass

from foundation.errors import DomainError
from foundation.i18n import N_


@dataclass(frozen=True)
class FileProblem:
    """One problem with a file: its line (None: the whole file), the column or key, and what is wrong."""

    line: int | None
    field: str
    message: str  # already in the user's language


class FileRejected(DomainError):
    """A file with problems: nothing of it is saved."""

    status_code = 422

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(N_("Nothing was imported: correct the problems listed and try again."))
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)
