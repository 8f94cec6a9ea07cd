"""Assessments of competencies (every attempt kept, the latest counts) and module completion."""

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from training.models import Assessment


async def latest_results(
    session: AsyncSession, enrolment_ids: list[int]
) -> dict[tuple[int, int], Assessment]:
    """The latest attempt (highest id) per (enrolment, competency), in one query."""
    if not enrolment_ids:
        return {}
    latest = (
        select(func.max(Assessment.id))
        .where(col(Assessment.enrolment_id).in_(enrolment_ids))
        .group_by(col(Assessment.enrolment_id), col(Assessment.competency_id))
    )
    rows = await session.execute(select(Assessment).where(col(Assessment.id).in_(latest)))
    return {(a.enrolment_id, a.competency_id): a for a in rows.scalars()}
