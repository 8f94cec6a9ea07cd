"""Curriculum tables: competency frameworks, courses (versioned), modules, ethics quizzes."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints, model_validator
from pydantic import Field as Limits
from sqlalchemy import Column, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from foundation.clock import utcnow
from foundation.columns import timestamp
from foundation.i18n import N_
from foundation.text import khmer_text


class CourseStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class ModuleKind(enum.StrEnum):
    regular = "regular"
    ethics = "ethics"


class QuestionKind(enum.StrEnum):
    single = "single"
    multiple = "multiple"


Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._-]+$")
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


def long_text(**kwargs: Any) -> Any:
    return Field(default="", sa_column=Column(Text, nullable=False, server_default=""), **kwargs)


# ---------------------------------------------------------------- competency frameworks


class CompetencyFramework(SQLModel, table=True):
    __tablename__ = "competency_framework"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    title_km: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_km: str = long_text()
    description_en: str = long_text()
    created_at: datetime = timestamp(default_factory=utcnow)
    updated_at: datetime = timestamp(default_factory=utcnow)


class CompetencyDomain(SQLModel, table=True):
    __tablename__ = "competency_domain"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="competency_framework.id", index=True)
    code: str = Field(max_length=30)
    title_km: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    position: int = 0


class Competency(SQLModel, table=True):
    """A competency; performance criteria are one per line in each language."""

    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="competency_framework.id", index=True)
    domain_id: int = Field(foreign_key="competency_domain.id", index=True)
    code: str = Field(max_length=30)
    title_km: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_km: str = long_text()
    description_en: str = long_text()
    criteria_km: str = long_text()
    criteria_en: str = long_text()
    position: int = 0


# ---------------------------------------------------------------- courses


class Course(SQLModel, table=True):
    """One version of a course. Published versions are never edited: a new version is a draft copy."""

    __table_args__ = (UniqueConstraint("code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, index=True)
    version: int = 1
    status: str = Field(default=CourseStatus.draft.value, max_length=20, index=True)
    previous_version_id: int | None = Field(default=None, foreign_key="course.id")
    title_km: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_km: str = long_text()
    description_en: str = long_text()
    category: str = Field(default="", max_length=100)
    hours: Decimal = Field(sa_column=Column(Numeric(6, 1), nullable=False))
    issues_certificate: bool = True
    validity_months: int | None = None
    requires_approval: bool = False
    # Completion rules (modules and competencies that must be done are flagged on their links).
    min_attendance_percent: int = 80
    pledge_required: bool = True
    # The certificate's wording.
    certificate_title_km: str = Field(default="", max_length=200)
    certificate_title_en: str = Field(default="", max_length=200)
    signatory_name_km: str = Field(default="", max_length=120)
    signatory_name_en: str = Field(default="", max_length=120)
    signatory_title_km: str = Field(default="", max_length=200)
    signatory_title_en: str = Field(default="", max_length=200)
    created_at: datetime = timestamp(default_factory=utcnow)
    updated_at: datetime = timestamp(default_factory=utcnow)
    published_at: datetime | None = timestamp(default=None)


class CourseCompetency(SQLModel, table=True):
    """A competency the course targets; `required` ones must be assessed competent for completion."""

    __tablename__ = "course_competency"

    course_id: int = Field(foreign_key="course.id", primary_key=True)
    competency_id: int = Field(foreign_key="competency.id", primary_key=True, index=True)
    required: bool = True


class CourseModule(SQLModel, table=True):
    __tablename__ = "course_module"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    position: int = 0
    title_km: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    hours: Decimal = Field(sa_column=Column(Numeric(6, 1), nullable=False))
    kind: str = Field(default=ModuleKind.regular.value, max_length=20)
    required: bool = True


# ---------------------------------------------------------------- ethics modules


class EthicsQuiz(SQLModel, table=True):
    """Settings of an ethics module's quiz and its code-of-ethics pledge."""

    __tablename__ = "ethics_quiz"

    module_id: int = Field(foreign_key="course_module.id", primary_key=True)
    questions_per_attempt: int = 10
    pass_mark_percent: int = 80
    attempts_allowed: int = 3
    pledge_km: str = long_text()
    pledge_en: str = long_text()


class QuizQuestion(SQLModel, table=True):
    __tablename__ = "quiz_question"

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", index=True)
    position: int = 0
    kind: str = Field(default=QuestionKind.single.value, max_length=20)
    text_km: str = long_text()
    text_en: str = long_text()
    explanation_km: str = long_text()
    explanation_en: str = long_text()


class QuizOption(SQLModel, table=True):
    __tablename__ = "quiz_option"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="quiz_question.id", index=True)
    position: int = 0
    text_km: str = Field(max_length=500)
    text_en: str = Field(max_length=500)
    correct: bool = False


# ---------------------------------------------------------------- input schemas

KhmerTitle = Annotated[Title, AfterValidator(khmer_text)]
Hours = Annotated[Decimal, Limits(gt=0, le=9999, max_digits=6, decimal_places=1)]
Percent = Annotated[int, Limits(ge=0, le=100)]


class FrameworkInput(SQLModel):
    code: Code
    title_km: KhmerTitle
    title_en: Title
    description_km: LongText = ""
    description_en: LongText = ""


class DomainInput(SQLModel):
    code: Code
    title_km: KhmerTitle
    title_en: Title
    position: int = 0


class CompetencyInput(SQLModel):
    domain_id: int
    code: Code
    title_km: KhmerTitle
    title_en: Title
    description_km: LongText = ""
    description_en: LongText = ""
    criteria_km: LongText = ""
    criteria_en: LongText = ""
    position: int = 0


class CourseInput(SQLModel):
    code: Code
    title_km: KhmerTitle
    title_en: Title
    description_km: LongText = ""
    description_en: LongText = ""
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    hours: Hours
    issues_certificate: bool = True
    validity_months: Annotated[int | None, Limits(ge=1, le=600)] = None
    requires_approval: bool = False
    min_attendance_percent: Percent = 80
    pledge_required: bool = True
    certificate_title_km: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    certificate_title_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    signatory_name_km: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    signatory_name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    signatory_title_km: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    signatory_title_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class ModuleInput(SQLModel):
    title_km: KhmerTitle
    title_en: Title
    hours: Hours
    kind: ModuleKind = ModuleKind.regular
    required: bool = True
    position: int = 0


class EthicsQuizInput(SQLModel):
    questions_per_attempt: Annotated[int, Limits(ge=1, le=100)] = 10
    pass_mark_percent: Percent = 80
    attempts_allowed: Annotated[int, Limits(ge=1, le=20)] = 3
    pledge_km: LongText = ""
    pledge_en: LongText = ""


class OptionInput(SQLModel):
    text_km: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    text_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    correct: bool = False


class QuestionInput(SQLModel):
    kind: QuestionKind = QuestionKind.single
    text_km: Annotated[LongText, StringConstraints(min_length=1)]
    text_en: Annotated[LongText, StringConstraints(min_length=1)]
    explanation_km: LongText = ""
    explanation_en: LongText = ""
    options: list[OptionInput]

    @model_validator(mode="after")
    def _right_answers(self) -> "QuestionInput":
        correct = sum(option.correct for option in self.options)
        if len(self.options) < 2:
            raise ValueError(N_("Give at least two options."))
        if self.kind == QuestionKind.single and correct != 1:
            raise ValueError(N_("A single-choice question needs exactly one correct option."))
        if self.kind == QuestionKind.multiple and correct < 1:
            raise ValueError(N_("Mark at least one option as correct."))
        return self


# ---------------------------------------------------------------- ethics quizzes: read schemas


class OptionRead(SQLModel):
    id: int
    position: int
    text_km: str
    text_en: str
    correct: bool


class QuestionRead(SQLModel):
    id: int
    position: int
    kind: QuestionKind
    text_km: str
    text_en: str
    explanation_km: str
    explanation_en: str
    options: list[OptionRead]


class EthicsQuizRead(SQLModel):
    """An ethics module's quiz settings, pledge and question bank, with the right answers (admins only)."""

    course_id: int
    module_id: int
    editable: bool
    questions_per_attempt: int
    pass_mark_percent: int
    attempts_allowed: int
    pledge_km: str
    pledge_en: str
    questions: list[QuestionRead]


# ---------------------------------------------------------------- courses and modules: input and read schemas


class CompetencyTarget(SQLModel):
    competency_id: int
    required: bool = True


class CompetencyTargets(SQLModel):
    """The whole set of competencies a course targets (replaces the previous set)."""

    competencies: list[CompetencyTarget]


class ModuleRead(SQLModel):
    id: int
    position: int
    title_km: str
    title_en: str
    hours: Decimal
    kind: ModuleKind
    required: bool
    quiz_url: str | None = None


class TargetRead(SQLModel):
    competency_id: int
    framework_code: str
    domain_code: str
    code: str
    title_km: str
    title_en: str
    required: bool


class CourseRead(SQLModel):
    id: int
    code: str
    version: int
    status: CourseStatus
    previous_version_id: int | None
    title_km: str
    title_en: str
    description_km: str
    description_en: str
    category: str
    hours: Decimal
    issues_certificate: bool
    validity_months: int | None
    requires_approval: bool
    min_attendance_percent: int
    pledge_required: bool
    certificate_title_km: str
    certificate_title_en: str
    signatory_name_km: str
    signatory_name_en: str
    signatory_title_km: str
    signatory_title_en: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class CourseDetail(CourseRead):
    modules: list[ModuleRead]
    competencies: list[TargetRead]
    publish_problems: list[str] = Field(
        default=[], description="What stops this draft from being published; empty when it is ready."
    )
