"""What the public catalogue shows: published courses, their modules, competencies, rules and next cohorts."""

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import SQLModel


class CatalogueCohort(SQLModel):
    """A cohort open for enrolment, as the public catalogue shows it."""

    starts_on: date
    ends_on: date
    province_km: str
    province_en: str


class CatalogueCourse(SQLModel):
    """A published course as the public catalogue lists it (its latest published version)."""

    code: str
    version: int
    title_km: str
    title_en: str
    description_km: str
    description_en: str
    category: str
    hours: Decimal
    module_count: int
    has_ethics_module: bool
    competency_count: int
    issues_certificate: bool
    validity_months: int | None
    upcoming_cohorts: list[CatalogueCohort] = []


class CatalogueModule(SQLModel):
    title_km: str
    title_en: str
    hours: Decimal
    ethics: bool
    required: bool


class CatalogueCompetency(SQLModel):
    code: str
    title_km: str
    title_en: str
    required: bool


class CatalogueDomain(SQLModel):
    code: str
    title_km: str
    title_en: str
    competencies: list[CatalogueCompetency]


class CompletionRules(SQLModel):
    """What a trainee must do to complete the course, as data the catalogue says in plain words."""

    min_attendance_percent: int
    required_modules: int
    optional_modules: int
    required_competencies: int
    ethics_pass_mark_percent: int | None
    pledge_required: bool
    requires_approval: bool


class CatalogueCourseDetail(CatalogueCourse):
    published_at: datetime | None
    certificate_title_km: str
    certificate_title_en: str
    modules: list[CatalogueModule]
    domains: list[CatalogueDomain]
    completion: CompletionRules
