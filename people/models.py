"""Tables and input/output schemas for people, places and sign-in."""

import enum
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, StringConstraints, field_validator
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from foundation.clock import utcnow
from foundation.columns import timestamp
from foundation.i18n import N_
from foundation.roles import Role
from foundation.text import blank_to_none, khmer_text, one_line


class Sex(enum.StrEnum):
    female = "female"
    male = "male"


class OrganisationKind(enum.StrEnum):
    government = "government"
    ngo = "ngo"
    other = "other"


# ---------------------------------------------------------------- validation of input fields

LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÿ' .\-]+$")


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


def masked_phone(phone: str | None) -> str:
    """Enough of a phone number to tell two people apart, not enough to call them: ••• ••• 678."""
    return f"••• ••• {phone[-3:]}" if phone else ""


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


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), AfterValidator(one_line)
]
KhmerName = Annotated[Text, AfterValidator(khmer_text)]
LatinName = Annotated[Text, AfterValidator(_latin_name)]
OptionalText = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), AfterValidator(one_line)] | None,
    BeforeValidator(blank_to_none),
]
Phone = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(normalise_phone)]
Email = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(normalise_email)]
CommuneCode = Annotated[
    Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None, BeforeValidator(blank_to_none)
]
RequiredCommuneCode = Annotated[str, BeforeValidator(_commune_chosen), StringConstraints(pattern=r"^\d{6}$")]
BirthDate = Annotated[date | None, BeforeValidator(blank_to_none), AfterValidator(_not_in_future)]
OptionalId = Annotated[int | None, BeforeValidator(blank_to_none)]


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
    """A login signs in with its email, its phone number, or either: at least one of them."""

    email: Email = None
    phone: Phone = None
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
    email: str | None = Field(default=None, max_length=254, unique=True)
    # E.164 (+85512345678), as `normalise_phone` writes it: sign-in finds the account whatever form is typed.
    phone: str | None = Field(default=None, max_length=20, unique=True)
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
    email: str | None
    phone: str | None
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


# How long a one-time link opens the account.
LINK_LIFETIME = {TokenPurpose.invite: timedelta(days=7), TokenPurpose.password_reset: timedelta(hours=24)}


class UserToken(SQLModel, table=True):
    """A one-time link (invitation or password reset); stored hashed."""

    __tablename__ = "user_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=20)
    created_at: datetime = timestamp(default_factory=utcnow)
    expires_at: datetime = timestamp()
    used_at: datetime | None = timestamp(default=None)


# How long a printed sign-in card opens its trainee's first login.
CARD_LIFETIME = timedelta(days=14)


class SignInCard(SQLModel, table=True):
    """A printed card for a trainee without a login: its code (stored hashed) opens a page that creates the
    login. Printing again voids the trainee's earlier unused cards (`voided_at`), so only the newest works."""

    __tablename__ = "sign_in_card"

    code_hash: str = Field(primary_key=True, max_length=64)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    issued_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp(default_factory=utcnow)
    expires_at: datetime = timestamp()
    used_at: datetime | None = timestamp(default=None)
    voided_at: datetime | None = timestamp(default=None)
