"""Competency frameworks: domains > competencies, edited by administrators and targeted by courses.

Nothing here is deleted: courses may target any competency. A framework's whole content can be replaced
from a file only while no course targets it.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    CompetencyInput,
    CourseCompetency,
    DomainInput,
    FrameworkInput,
)
from courses.services.framework_files import (
    COMPETENCY_FIELDS,
    CompetencyEntry,
    DomainEntry,
    FrameworkDocument,
    canonical_text,
    document_dict,
    read_framework_file,
)
from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.forms import validated
from foundation.i18n import N_


@dataclass(frozen=True)
class FrameworkSummary:
    framework: CompetencyFramework
    domains: int
    competencies: int


@dataclass(frozen=True)
class DomainOutline:
    domain: CompetencyDomain
    competencies: list[Competency]


@dataclass(frozen=True)
class FrameworkOutline:
    """A framework with its domains and their competencies, in reading order."""

    framework: CompetencyFramework
    domains: list[DomainOutline]
    targeted: bool  # some course targets one of its competencies


# ---------------------------------------------------------------- reading


async def list_competencies(
    session: AsyncSession, framework_id: int | None = None
) -> list[tuple[Competency, CompetencyDomain, CompetencyFramework]]:
    """Every competency (of one framework, or of all) with its domain and framework, in reading order."""
    query = (
        select(Competency, CompetencyDomain, CompetencyFramework)
        .join(CompetencyDomain, col(CompetencyDomain.id) == Competency.domain_id)
        .join(CompetencyFramework, col(CompetencyFramework.id) == Competency.framework_id)
        .order_by(
            col(CompetencyFramework.code),
            col(CompetencyDomain.position),
            col(CompetencyDomain.code),
            col(Competency.position),
            col(Competency.code),
        )
    )
    if framework_id is not None:
        query = query.where(col(Competency.framework_id) == framework_id)
    return [(c, d, f) for c, d, f in (await session.execute(query)).all()]


async def get_competencies(session: AsyncSession, ids: set[int]) -> dict[int, Competency]:
    """The competencies with these ids, by id; unknown ids are simply absent."""
    if not ids:
        return {}
    rows = await session.execute(select(Competency).where(col(Competency.id).in_(ids)))
    return {row_id(competency): competency for competency in rows.scalars()}


async def list_frameworks(session: AsyncSession) -> list[FrameworkSummary]:
    frameworks = (
        await session.execute(select(CompetencyFramework).order_by(col(CompetencyFramework.code)))
    ).scalars()
    domains = await _counts(session, CompetencyDomain.framework_id)
    competencies = await _counts(session, Competency.framework_id)
    return [
        FrameworkSummary(f, domains.get(row_id(f), 0), competencies.get(row_id(f), 0)) for f in frameworks
    ]


async def _counts(session: AsyncSession, framework_column: Any) -> dict[int, int]:
    query = select(framework_column, func.count()).group_by(framework_column)
    return {framework_id: n for framework_id, n in (await session.execute(query)).all()}


async def get_framework(session: AsyncSession, framework_id: int) -> CompetencyFramework:
    framework = await session.get(CompetencyFramework, framework_id)
    if framework is None:
        raise NotFound(N_("No such competency framework."))
    return framework


async def list_domains(session: AsyncSession, framework_id: int) -> list[CompetencyDomain]:
    query = (
        select(CompetencyDomain)
        .where(col(CompetencyDomain.framework_id) == framework_id)
        .order_by(col(CompetencyDomain.position), col(CompetencyDomain.code))
    )
    return list((await session.execute(query)).scalars())


async def framework_outline(session: AsyncSession, framework_id: int) -> FrameworkOutline:
    framework = await get_framework(session, framework_id)
    competencies: dict[int, list[Competency]] = {}
    for competency, domain, _ in await list_competencies(session, framework_id):
        competencies.setdefault(row_id(domain), []).append(competency)
    domains = [
        DomainOutline(domain, competencies.get(row_id(domain), []))
        for domain in await list_domains(session, framework_id)
    ]
    return FrameworkOutline(framework, domains, await is_targeted(session, framework_id))


async def is_targeted(session: AsyncSession, framework_id: int) -> bool:
    """Whether any course (of any status) targets a competency of this framework."""
    query = (
        select(CourseCompetency.course_id)
        .join(Competency, col(Competency.id) == CourseCompetency.competency_id)
        .where(col(Competency.framework_id) == framework_id)
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def get_domain(session: AsyncSession, framework_id: int, domain_id: int) -> CompetencyDomain:
    domain = await session.get(CompetencyDomain, domain_id)
    if domain is None or domain.framework_id != framework_id:
        raise NotFound(N_("No such domain in this framework."))
    return domain


async def get_competency(session: AsyncSession, framework_id: int, competency_id: int) -> Competency:
    competency = await session.get(Competency, competency_id)
    if competency is None or competency.framework_id != framework_id:
        raise NotFound(N_("No such competency in this framework."))
    return competency


# ---------------------------------------------------------------- writing one record


async def _require_free_framework_code(session: AsyncSession, code: str, exclude_id: int | None) -> None:
    query = select(func.count()).select_from(CompetencyFramework).where(col(CompetencyFramework.code) == code)
    if exclude_id is not None:
        query = query.where(col(CompetencyFramework.id) != exclude_id)
    if (await session.execute(query)).scalar_one():
        raise InvalidInput({"code": N_("This code is already used by another framework.")})


async def _require_free_code(
    session: AsyncSession,
    model: type[CompetencyDomain] | type[Competency],
    framework_id: int,
    code: str,
    exclude_id: int | None,
) -> None:
    """Domain codes, and competency codes, are unique within their framework."""
    query = (
        select(func.count())
        .select_from(model)
        .where(col(model.framework_id) == framework_id, col(model.code) == code)
    )
    if exclude_id is not None:
        query = query.where(col(model.id) != exclude_id)
    if (await session.execute(query)).scalar_one():
        raise InvalidInput({"code": N_("This code is already used in this framework.")})


async def _next_position(session: AsyncSession, position: Any, parent: Any, parent_id: int) -> int:
    """After the last of its siblings (the rows whose `parent` column is `parent_id`)."""
    query = select(func.coalesce(func.max(position), 0)).where(parent == parent_id)
    return int((await session.execute(query)).scalar_one()) + 1


async def create_framework(session: AsyncSession, actor: Actor, data: FrameworkInput) -> CompetencyFramework:
    await _require_free_framework_code(session, data.code, None)
    framework = CompetencyFramework(**canonical_text(data.model_dump()))
    session.add(framework)
    await session.flush()
    audit.record(session, actor, "competency_framework.create", framework, None, audit.snapshot(framework))
    return framework


async def update_framework(
    session: AsyncSession, actor: Actor, framework_id: int, data: FrameworkInput
) -> CompetencyFramework:
    framework = await get_framework(session, framework_id)
    await _require_free_framework_code(session, data.code, framework_id)
    before = audit.snapshot(framework)
    framework.sqlmodel_update(canonical_text(data.model_dump()) | {"updated_at": utcnow()})
    audit.record(session, actor, "competency_framework.update", framework, before, audit.snapshot(framework))
    return framework


async def create_domain(
    session: AsyncSession, actor: Actor, framework_id: int, data: DomainInput
) -> CompetencyDomain:
    """A new domain; position 0 puts it after the others."""
    await get_framework(session, framework_id)
    await _require_free_code(session, CompetencyDomain, framework_id, data.code, None)
    position = data.position or await _next_position(
        session, CompetencyDomain.position, CompetencyDomain.framework_id, framework_id
    )
    domain = CompetencyDomain(**data.model_dump() | {"framework_id": framework_id, "position": position})
    session.add(domain)
    await session.flush()
    audit.record(session, actor, "competency_domain.create", domain, None, audit.snapshot(domain))
    return domain


async def update_domain(
    session: AsyncSession, actor: Actor, framework_id: int, domain_id: int, data: DomainInput
) -> CompetencyDomain:
    """Position 0 keeps the domain where it is."""
    domain = await get_domain(session, framework_id, domain_id)
    await _require_free_code(session, CompetencyDomain, framework_id, data.code, domain_id)
    before = audit.snapshot(domain)
    domain.sqlmodel_update(data.model_dump() | {"position": data.position or domain.position})
    audit.record(session, actor, "competency_domain.update", domain, before, audit.snapshot(domain))
    return domain


async def _require_own_domain(session: AsyncSession, framework_id: int, domain_id: int) -> None:
    try:
        await get_domain(session, framework_id, domain_id)
    except NotFound:
        raise InvalidInput({"domain_id": N_("Choose one of this framework's domains.")}) from None


async def create_competency(
    session: AsyncSession, actor: Actor, framework_id: int, data: CompetencyInput
) -> Competency:
    """A new competency; position 0 puts it after the others of its domain."""
    await get_framework(session, framework_id)
    await _require_own_domain(session, framework_id, data.domain_id)
    await _require_free_code(session, Competency, framework_id, data.code, None)
    position = data.position or await _next_position(
        session, Competency.position, Competency.domain_id, data.domain_id
    )
    competency = Competency(
        **canonical_text(data.model_dump()) | {"framework_id": framework_id, "position": position}
    )
    session.add(competency)
    await session.flush()
    audit.record(session, actor, "competency.create", competency, None, audit.snapshot(competency))
    return competency


async def update_competency(
    session: AsyncSession, actor: Actor, framework_id: int, competency_id: int, data: CompetencyInput
) -> Competency:
    """Position 0 keeps the competency where it is, or puts it last when it moves to another domain."""
    competency = await get_competency(session, framework_id, competency_id)
    await _require_own_domain(session, framework_id, data.domain_id)
    await _require_free_code(session, Competency, framework_id, data.code, competency_id)
    position = data.position
    if not position:
        moved = data.domain_id != competency.domain_id
        position = (
            await _next_position(session, Competency.position, Competency.domain_id, data.domain_id)
            if moved
            else competency.position
        )
    before = audit.snapshot(competency)
    competency.sqlmodel_update(canonical_text(data.model_dump()) | {"position": position})
    audit.record(session, actor, "competency.update", competency, before, audit.snapshot(competency))
    return competency


# ---------------------------------------------------------------- files


def _document(outline: FrameworkOutline) -> FrameworkDocument:
    framework = outline.framework
    return FrameworkDocument(
        domains=tuple(
            DomainEntry(
                item.domain.code,
                item.domain.title_km,
                item.domain.title_en,
                tuple(
                    CompetencyEntry(**{name: getattr(c, name) for name in COMPETENCY_FIELDS})
                    for c in item.competencies
                ),
            )
            for item in outline.domains
        ),
        code=framework.code,
        title_km=framework.title_km,
        title_en=framework.title_en,
        description_km=framework.description_km,
        description_en=framework.description_en,
    )


async def export_framework(session: AsyncSession, framework_id: int) -> FrameworkDocument:
    return _document(await framework_outline(session, framework_id))


async def _add_content(session: AsyncSession, framework_id: int, document: FrameworkDocument) -> None:
    domains = [
        CompetencyDomain(
            framework_id=framework_id, code=d.code, title_km=d.title_km, title_en=d.title_en, position=n
        )
        for n, d in enumerate(document.domains, start=1)
    ]
    session.add_all(domains)
    await session.flush()
    session.add_all(
        Competency(
            framework_id=framework_id,
            domain_id=row_id(domain),
            position=n,
            **{name: getattr(competency, name) for name in COMPETENCY_FIELDS},
        )
        for domain, entry in zip(domains, document.domains, strict=True)
        for n, competency in enumerate(entry.competencies, start=1)
    )
    await session.flush()


def _domains_for_audit(document: FrameworkDocument) -> list[dict[str, Any]]:
    return list(document_dict(document)["domains"])


async def import_framework(
    session: AsyncSession, actor: Actor, filename: str, content: bytes, header: dict[str, Any]
) -> CompetencyFramework:
    """A new framework from a file. `header` (code, titles: typed on the import form) overrides what a
    JSON file says; a CSV file says nothing of the framework itself. All or nothing."""
    document = read_framework_file(filename, content)
    given = {name: value for name, value in header.items() if isinstance(value, str) and value.strip()}
    data = validated(FrameworkInput, document.header() | given)
    await _require_free_framework_code(session, data.code, None)
    framework = CompetencyFramework(**canonical_text(data.model_dump()))
    session.add(framework)
    await session.flush()
    await _add_content(session, row_id(framework), document)
    after = audit.snapshot(framework, file=filename, domains=_domains_for_audit(document))
    audit.record(session, actor, "competency_framework.import", framework, None, after)
    return framework


async def replace_framework_content(
    session: AsyncSession, actor: Actor, framework_id: int, filename: str, content: bytes
) -> CompetencyFramework:
    """The framework's domains and competencies replaced by a file's (its code and titles stay), as long
    as no course targets it. All or nothing."""
    outline = await framework_outline(session, framework_id)
    if outline.targeted:
        raise Conflict(
            N_(
                "Courses already target competencies of this framework, so its content cannot be replaced "
                "from a file. Edit its domains and competencies one by one instead."
            )
        )
    document = read_framework_file(filename, content)
    framework = outline.framework
    before = audit.snapshot(framework, domains=_domains_for_audit(_document(outline)))
    await session.execute(delete(Competency).where(col(Competency.framework_id) == framework_id))
    await session.execute(delete(CompetencyDomain).where(col(CompetencyDomain.framework_id) == framework_id))
    await _add_content(session, framework_id, document)
    framework.updated_at = utcnow()
    after = audit.snapshot(framework, file=filename, domains=_domains_for_audit(document))
    audit.record(session, actor, "competency_framework.import", framework, before, after)
    return framework
