"""Counting the SQL statements a page or a service sends, for the query-count tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# The public verification's log settles in the background on its own clock (certificates.services.lookup_log):
# its statements would make a count depend on timing, not on the page.
BACKGROUND_TABLES = ("verification_lookup",)


@contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement sent on this engine while the block runs, but those of background work."""
    sent: list[str] = []

    def count(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not any(table in statement for table in BACKGROUND_TABLES):
            sent.append(statement)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
