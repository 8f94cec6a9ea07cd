"""The audit log for admins (/admin/audit): in people's words, filtered, paged by keyset, exported as CSV."""

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foundation import audit_words
from foundation.errors import DomainError
from foundation.guards import requires_admin
from foundation.i18n import N_, current_language
from foundation.numbers import LARGEST
from foundation.responses import attachment_headers
from foundation.spreadsheets import csv_part
from people.services import audit_log
from people.services.audit_log import AuditFilter

SYSTEM = "system"  # the "who" of changes made by jobs and commands
EntryId = Annotated[int | None, Parameter(ge=1, le=LARGEST)]
Text = Annotated[str | None, Parameter(max_length=40)]
# Phnom Penh days, both included; as text, since an empty date field sends "from=".
Since = Annotated[str | None, QueryParameter(name="from", max_length=10)]
Until = Annotated[str | None, QueryParameter(name="to", max_length=10)]
NOT_A_DAY = N_("Give the dates as the date fields do, for example 2026-03-31.")


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(NOT_A_DAY) from None


def _filter(
    entity: str | None, record: str | None, actor: str | None, since: str | None, until: str | None
) -> AuditFilter:
    return AuditFilter(
        entity_type=entity or None,
        entity_id=(record or None) if entity else None,
        actor_id=audit_words.as_id(actor),
        by_system=actor == SYSTEM,
        since=_day(since),
        until=_day(until),
    )


def _query(wanted: AuditFilter, actor: str | None) -> dict[str, str]:
    """The filter as the page's query (for its links), without what is empty."""
    values = {
        "entity": wanted.entity_type,
        "record": wanted.entity_id,
        "actor": actor,
        "from": wanted.since.isoformat() if wanted.since else None,
        "to": wanted.until.isoformat() if wanted.until else None,
    }
    return {key: value for key, value in values.items() if value}


class AuditController(Controller):
    include_in_schema = False
    path = "/admin"
    guards = [requires_admin]

    @get("/audit")
    async def audit_log(
        self,
        db: AsyncSession,
        entity: Text = None,
        record: Text = None,
        actor: Text = None,
        since: Since = None,
        until: Until = None,
        before: EntryId = None,
        after: EntryId = None,
    ) -> Template:
        wanted = _filter(entity, record, actor, since, until)
        page = await audit_log.list_entries(db, wanted, before=before, after=after)
        query = _query(wanted, actor)
        context = {
            "entries": await audit_words.describe(db, page.entries),
            "page": page,
            "wanted": wanted,
            "actor": actor or "",
            "record_types": audit_words.record_type_choices(),
            "actors": await audit_log.actor_choices(db, wanted.actor_id),
            "record": await _record_named(db, wanted),
            "query": urlencode(query),
            "filtered": bool(query),
        }
        return Template("training/audit.html", context=context)

    @get("/audit.csv")
    async def audit_export(
        self,
        request: Request,
        db: AsyncSession,
        entity: Text = None,
        record: Text = None,
        actor: Text = None,
        since: Since = None,
        until: Until = None,
    ) -> Stream:
        """Every entry the filter selects, streamed in batches from a session of the export's own (the
        request's has closed by the time the file is sent)."""
        wanted = _filter(entity, record, actor, since, until)
        language = current_language.get()
        return Stream(
            _csv(request.app.state.sessionmaker, wanted, language),
            media_type="text/csv",
            headers=attachment_headers("audit-log.csv"),
        )


async def _record_named(db: AsyncSession, wanted: AuditFilter) -> audit_words.Named | None:
    """The record whose history is shown, by name."""
    if not (wanted.entity_type and wanted.entity_id):
        return None
    return await audit_words.record_named(db, wanted.entity_type, wanted.entity_id)


async def _csv(
    maker: async_sessionmaker[AsyncSession], wanted: AuditFilter, language: str
) -> AsyncIterator[bytes]:
    current_language.set(language)
    yield csv_part([], audit_words.export_headings())
    async with maker() as session:
        async for entries in audit_log.all_entries(session, wanted):
            described = await audit_words.describe(session, entries)
            yield csv_part(audit_words.export_row(entry) for entry in described)
