"""Tables and input/output schemas for people, places, sign-in and the audit log."""

import enum
import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, cast

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, StringConstraints, field_validator
from sqlalchemy import JSON, Column, DateTime, Index, Table, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from training.i18n import N_


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        value = value.astimezone(UTC)
        # SQLite compares timestamps as text: store them all in one (naive UTC) form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def timestamp(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def table(model: type[SQLModel]) -> Table:
    """A model's Core table: bulk reads of a few columns through it skip the ORM's work on every row."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def row_id(row: Any) -> int:
    """The primary key of a row that has been flushed (SQLModel types it as optional)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush the session first")
    return int(row.id)


class Role(enum.StrEnum):
    admin = "admin"
    trainer = "trainer"
    trainee = "trainee"


ROLE_NAMES = {Role.admin: N_("Admin"), Role.trainer: N_("Trainer"), Role.trainee: N_("Trainee")}


class Sex(enum.StrEnum):
    female = "female"
    male = "male"


class OrganisationKind(enum.StrEnum):
    government = "government"
    ngo = "ngo"
    other = "other"


# ---------------------------------------------------------------- validation of input fields

KHMER_LETTERS = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÿ' .\-]+$")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def khmer_text(value: str) -> str:
    if not KHMER_LETTERS.search(value):
        raise ValueError(N_("Write this in Khmer script."))
    return value


def _latin_name(value: str) -> str:
    if not LATIN_NAME.match(value):
        raise ValueError(N_("Write this in Latin letters, as the person spells it."))
    return value


def normalise_phone(value: str | None) -> str | None:
    """A Cambodian (or international) phone number in E.164 form, e.g. +85512345678."""
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, "KH")
    except phonenumbers.NumberParseException:
        raise ValueError(N_("Not a phone number: write it as 012 345 678 or +855 12 345 678.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(N_("Not a phone number: write it as 012 345 678 or +855 12 345 678."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError(N_("Not an email address: write it as name@example.org.")) from None


def _commune_chosen(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(N_("Choose the province, district and commune."))
    return value


def _not_in_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError(N_("This date is in the future."))
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
KhmerName = Annotated[Text, AfterValidator(khmer_text)]
LatinName = Annotated[Text, AfterValidator(_latin_name)]
OptionalText = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None,
    BeforeValidator(_blank_to_none),
]
Phone = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(normalise_phone)]
Email = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(normalise_email)]
RequiredEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(normalise_email)
]
CommuneCode = Annotated[
    Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None, BeforeValidator(_blank_to_none)
]
RequiredCommuneCode = Annotated[str, BeforeValidator(_commune_chosen), StringConstraints(pattern=r"^\d{6}$")]
BirthDate = Annotated[date | None, BeforeValidator(_blank_to_none), AfterValidator(_not_in_future)]
OptionalId = Annotated[int | None, BeforeValidator(_blank_to_none)]


# ---------------------------------------------------------------- locations


class Province(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name_km: str
    name_en: str


class District(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=4)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=2)
    name_km: str
    name_en: str


class Commune(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=6)
    district_code: str = Field(foreign_key="district.code", index=True, max_length=4)
    name_km: str
    name_en: str


class LocationRead(SQLModel):
    code: str
    name_km: str
    name_en: str


# ---------------------------------------------------------------- organisations


class OrganisationBase(SQLModel):
    name_km: KhmerName
    name_en: Text
    kind: OrganisationKind = OrganisationKind.government
    commune_code: RequiredCommuneCode


class OrganisationCreate(OrganisationBase):
    pass


class OrganisationUpdate(OrganisationBase):
    pass


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name_km: str = Field(max_length=120)
    name_en: str = Field(max_length=120, index=True)
    kind: str = Field(max_length=20, default=OrganisationKind.government.value)
    commune_code: str = Field(foreign_key="commune.code", index=True, max_length=6)
    active: bool = True
    created_at: datetime = timestamp(default_factory=utcnow)
    updated_at: datetime = timestamp(default_factory=utcnow)


class OrganisationRead(OrganisationBase):
    id: int
    active: bool


# ---------------------------------------------------------------- trainees


class TraineeBase(SQLModel):
    name_km: KhmerName
    name_latin: LatinName
    sex: Sex
    date_of_birth: BirthDate = None
    phone: Phone = None
    email: Email = None
    organisation_id: OptionalId = None
    position: OptionalText = None
    commune_code: CommuneCode = None


class TraineeCreate(TraineeBase):
    pass


class TraineeUpdate(TraineeBase):
    pass


class Trainee(SQLModel, table=True):
    __table_args__ = (
        Index("ix_trainee_name_km_dob", "name_km", "date_of_birth"),
        # The admin list's count and pages from the index alone (migration 0007, with the trigram indexes).
        Index("ix_trainee_active_name_latin", "active", "name_latin", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name_km: str = Field(max_length=120)
    name_latin: str = Field(max_length=120, index=True)
    sex: str = Field(max_length=10)
    date_of_birth: date | None = None
    phone: str | None = Field(default=None, max_length=20, index=True)
    email: str | None = Field(default=None, max_length=254)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    position: str | None = Field(default=None, max_length=120)
    commune_code: str | None = Field(default=None, foreign_key="commune.code", index=True, max_length=6)
    active: bool = True
    created_at: datetime = timestamp(default_factory=utcnow)
    updated_at: datetime = timestamp(default_factory=utcnow)


class TraineeRead(SQLModel):
    id: int
    name_km: str
    name_latin: str
    sex: Sex
    date_of_birth: date | None
    phone: str | None
    email: str | None
    organisation_id: int | None
    position: str | None
    commune_code: str | None
    active: bool


# ---------------------------------------------------------------- users and sign-in

Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]


class UserBase(SQLModel):
    email: RequiredEmail
    display_name: Text
    roles: list[Role]
    trainee_id: OptionalId = None
    language: str = "km"

    @field_validator("roles")
    @classmethod
    def _at_least_one_role(cls, roles: list[Role]) -> list[Role]:
        if not roles:
            raise ValueError(N_("Choose at least one role."))
        return sorted(set(roles))


class UserCreate(UserBase):
    pass


class UserUpdate(UserBase):
    pass


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=120)
    password_hash: str | None = Field(default=None, max_length=200)
    language: str = Field(default="km", max_length=5)
    trainee_id: int | None = Field(default=None, foreign_key="trainee.id", unique=True)
    active: bool = True
    created_at: datetime = timestamp(default_factory=utcnow)
    last_login_at: datetime | None = timestamp(default=None)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    role: str = Field(primary_key=True, max_length=20)


class UserRead(SQLModel):
    id: int
    email: str
    display_name: str
    roles: list[Role]
    trainee_id: int | None
    language: str
    active: bool
    invited: bool


class WebSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds a random token, the table only its hash."""

    __tablename__ = "web_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = timestamp(default_factory=utcnow)
    last_seen_at: datetime = timestamp(default_factory=utcnow)
    expires_at: datetime = timestamp(index=True)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_at", "account", "at"),
        Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(default_factory=utcnow)
    account: str = Field(max_length=254)
    ip: str = Field(max_length=64)


class TokenPurpose(enum.StrEnum):
    invite = "invite"
    password_reset = "password_reset"


class UserToken(SQLModel, table=True):
    """A one-time link (invitation or password reset); stored hashed."""

    __tablename__ = "user_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=20)
    created_at: datetime = timestamp(default_factory=utcnow)
    expires_at: datetime = timestamp()
    used_at: datetime | None = timestamp(default=None)


# ---------------------------------------------------------------- audit log


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    ip: str | None = Field(default=None, max_length=64)


# ================================================================ training delivery


class CohortStatus(enum.StrEnum):
    planned = "planned"
    open = "open"
    running = "running"
    closed = "closed"


class EnrolmentStatus(enum.StrEnum):
    waitlisted = "waitlisted"
    enrolled = "enrolled"
    completed = "completed"
    not_completed = "not_completed"
    withdrawn = "withdrawn"


class AttendanceStatus(enum.StrEnum):
    present = "present"
    late = "late"
    excused = "excused"
    absent = "absent"


class AssessmentResult(enum.StrEnum):
    competent = "competent"
    not_yet_competent = "not_yet_competent"


class AssessmentMethod(enum.StrEnum):
    observation = "observation"
    written = "written"
    case_study = "case_study"
    portfolio = "portfolio"


class Cohort(SQLModel, table=True):
    """One run of a published course version. `enrolled_count` guards capacity atomically."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    venue_province_code: str = Field(foreign_key="province.code", max_length=2, index=True)
    venue: str = Field(default="", max_length=200)
    start_date: date = Field(index=True)
    end_date: date
    capacity: int
    enrolled_count: int = 0
    status: str = Field(default=CohortStatus.planned.value, max_length=20, index=True)
    created_at: datetime = timestamp(default_factory=utcnow)
    updated_at: datetime = timestamp(default_factory=utcnow)


class CohortTrainer(SQLModel, table=True):
    __tablename__ = "cohort_trainer"

    cohort_id: int = Field(foreign_key="cohort.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)


class ClassSession(SQLModel, table=True):
    """A dated class meeting of a cohort (a "session" in the domain; not a database session)."""

    __tablename__ = "class_session"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    day: date = Field(index=True)
    starts_at: time | None = None
    ends_at: time | None = None


class SessionModule(SQLModel, table=True):
    __tablename__ = "session_module"

    session_id: int = Field(foreign_key="class_session.id", primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", primary_key=True, index=True)


class Enrolment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("cohort_id", "trainee_id"),
        Index("ix_enrolment_cohort_status", "cohort_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    status: str = Field(default=EnrolmentStatus.enrolled.value, max_length=20)
    # Waitlisted trainees are promoted in the order they asked.
    requested_at: datetime = timestamp(default_factory=utcnow)
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    status_changed_at: datetime = timestamp(default_factory=utcnow)


class Attendance(SQLModel, table=True):
    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True)
    session_id: int = Field(foreign_key="class_session.id", primary_key=True, index=True)
    status: str = Field(max_length=20)
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = timestamp(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    """One attempt; every attempt is kept and the latest (by id) counts."""

    __table_args__ = (Index("ix_assessment_enrolment_competency", "enrolment_id", "competency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    competency_id: int = Field(foreign_key="competency.id")
    result: str = Field(max_length=30)
    method: str = Field(max_length=30)
    evidence: str = Field(default="", max_length=2000)
    assessed_on: date
    assessor_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = timestamp(default_factory=utcnow)


class ModuleCompletion(SQLModel, table=True):
    __tablename__ = "module_completion"

    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", primary_key=True)
    completed_on: date
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = timestamp(default_factory=utcnow)


class QuizAttempt(SQLModel, table=True):
    """An ethics quiz attempt: taken online (graded on the server) or recorded from paper by a trainer."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (Index("ix_quiz_attempt_enrolment_module", "enrolment_id", "module_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    module_id: int = Field(foreign_key="course_module.id")
    mode: str = Field(default="online", max_length=10)
    started_at: datetime = timestamp(default_factory=utcnow)
    submitted_at: datetime | None = timestamp(default=None)
    # The drawn questions and option order (online), and the answers given.
    draw: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    answers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    score_percent: int | None = None
    passed: bool | None = None
    note: str = Field(default="", max_length=2000)
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")


class PledgeAcceptance(SQLModel, table=True):
    __tablename__ = "pledge_acceptance"

    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", primary_key=True)
    accepted_at: datetime = timestamp(default_factory=utcnow)


class EnrolmentImport(SQLModel, table=True):
    """A bulk enrolment file: parsed to a preview, confirmed by the trainer, committed in one transaction."""

    __tablename__ = "enrolment_import"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    file_name: str = Field(default="", max_length=200)
    status: str = Field(default="parsing", max_length=20)
    total_rows: int = 0
    processed_rows: int = 0
    preview: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp(default_factory=utcnow)
    finished_at: datetime | None = timestamp(default=None)


# ================================================================ notifications


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    """An email to send, written in the same transaction as the event that causes it.

    A sender job delivers pending rows; `dedupe_key` makes a message that must go once (a reminder, a
    notice) impossible to write twice.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_send_after", "status", "send_after"),)

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=60)
    recipient: str = Field(max_length=254)
    language: str = Field(default="km", max_length=5)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    status: str = Field(default=OutboxStatus.pending.value, max_length=10)
    attempts: int = 0
    created_at: datetime = timestamp(default_factory=utcnow)
    send_after: datetime = timestamp(default_factory=utcnow)
    sent_at: datetime | None = timestamp(default=None)
    last_error: str | None = Field(default=None, max_length=2000)
