"""The JSON API of competency frameworks (/api/v1/frameworks): domains, competencies, CSV/JSON imports."""

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from courses.models import CompetencyInput, DomainInput, FrameworkInput
from courses.services import frameworks
from foundation.api import INVALID, SESSION, JsonObjectAs
from foundation.columns import row_id
from foundation.files import FileRejected
from foundation.forms import validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.i18n import gettext


class FrameworkRead(SQLModel):
    id: int
    code: str
    title_km: str
    title_en: str
    description_km: str
    description_en: str


class FrameworkSummaryRead(FrameworkRead):
    domain_count: int
    competency_count: int


class CompetencyRead(SQLModel):
    id: int
    domain_id: int
    code: str
    title_km: str
    title_en: str
    description_km: str
    description_en: str
    criteria_km: str  # one criterion per line
    criteria_en: str
    position: int


class DomainRead(SQLModel):
    id: int
    code: str
    title_km: str
    title_en: str
    position: int


class DomainOutlineRead(DomainRead):
    competencies: list[CompetencyRead]


class FrameworkOutlineRead(FrameworkRead):
    targeted: bool  # some course targets its competencies: its content can no longer be replaced by a file
    domains: list[DomainOutlineRead]


class ImportProblem(SQLModel):
    line: int | None
    field: str
    message: str


class ImportRejected(SQLModel):
    status_code: int
    detail: str
    problems: list[ImportProblem]


@dataclass
class ContentUpload:
    file: UploadFile  # .csv or .json, as exported; at most 2 MB


@dataclass
class FrameworkUpload(ContentUpload):
    """For a new framework: code and titles, which override a JSON file's own (a CSV file has none)."""

    code: str = ""
    title_km: str = ""
    title_en: str = ""


MultipartBody = Body(media_type=RequestEncodingType.MULTI_PART)
IMPORT_ANSWERS = {
    422: ResponseSpec(
        ImportRejected,
        description="Every problem of the file, by line (or `errors` for code and titles). Nothing saved.",
        generate_examples=False,
    )
}


def on_file_rejected(_: Request, exc: FileRejected) -> Response[ImportRejected]:
    problems = [ImportProblem(**asdict(problem)) for problem in exc.problems]
    return Response(
        ImportRejected(status_code=422, detail=gettext(exc.message), problems=problems), status_code=422
    )


def _outline_read(outline: frameworks.FrameworkOutline) -> FrameworkOutlineRead:
    domains = [
        DomainOutlineRead(
            **item.domain.model_dump(),
            competencies=[CompetencyRead.model_validate(c) for c in item.competencies],
        )
        for item in outline.domains
    ]
    return FrameworkOutlineRead(**outline.framework.model_dump(), targeted=outline.targeted, domains=domains)


class FrameworkApi(Controller):
    path = "/api/v1/frameworks"
    guards = [requires_admin]
    tags = ["Competency frameworks"]
    security = SESSION
    exception_handlers = {FileRejected: on_file_rejected}

    @get("/")
    async def list_frameworks(self, db: AsyncSession) -> list[FrameworkSummaryRead]:
        return [
            FrameworkSummaryRead(
                **s.framework.model_dump(), domain_count=s.domains, competency_count=s.competencies
            )
            for s in await frameworks.list_frameworks(db)
        ]

    @get("/{framework_id:int}")
    async def get_framework(self, db: AsyncSession, framework_id: int) -> FrameworkOutlineRead:
        """The framework with its domains and their competencies, in order."""
        return _outline_read(await frameworks.framework_outline(db, framework_id))

    @post("/", dto=JsonObjectAs[FrameworkInput], responses=INVALID)
    async def create_framework(
        self, request: Request, db: AsyncSession, data: dict[str, Any]
    ) -> FrameworkRead:
        framework = await frameworks.create_framework(db, actor_of(request), validated(FrameworkInput, data))
        return FrameworkRead.model_validate(framework)

    @put("/{framework_id:int}", dto=JsonObjectAs[FrameworkInput], responses=INVALID)
    async def update_framework(
        self, request: Request, db: AsyncSession, framework_id: int, data: dict[str, Any]
    ) -> FrameworkRead:
        framework = await frameworks.update_framework(
            db, actor_of(request), framework_id, validated(FrameworkInput, data)
        )
        return FrameworkRead.model_validate(framework)

    @post("/{framework_id:int}/domains", dto=JsonObjectAs[DomainInput], responses=INVALID)
    async def create_domain(
        self, request: Request, db: AsyncSession, framework_id: int, data: dict[str, Any]
    ) -> DomainRead:
        """A new domain; `position` 0 (the default) puts it after the others."""
        domain = await frameworks.create_domain(
            db, actor_of(request), framework_id, validated(DomainInput, data)
        )
        return DomainRead.model_validate(domain)

    @put("/{framework_id:int}/domains/{domain_id:int}", dto=JsonObjectAs[DomainInput], responses=INVALID)
    async def update_domain(
        self, request: Request, db: AsyncSession, framework_id: int, domain_id: int, data: dict[str, Any]
    ) -> DomainRead:
        """`position` 0 (the default) keeps the domain where it is."""
        domain = await frameworks.update_domain(
            db, actor_of(request), framework_id, domain_id, validated(DomainInput, data)
        )
        return DomainRead.model_validate(domain)

    @post("/{framework_id:int}/competencies", dto=JsonObjectAs[CompetencyInput], responses=INVALID)
    async def create_competency(
        self, request: Request, db: AsyncSession, framework_id: int, data: dict[str, Any]
    ) -> CompetencyRead:
        """A new competency in one of the framework's domains; criteria one per line; `position` 0 (the
        default) puts it after the others of its domain."""
        competency = await frameworks.create_competency(
            db, actor_of(request), framework_id, validated(CompetencyInput, data)
        )
        return CompetencyRead.model_validate(competency)

    @put(
        "/{framework_id:int}/competencies/{competency_id:int}",
        dto=JsonObjectAs[CompetencyInput],
        responses=INVALID,
    )
    async def update_competency(
        self, request: Request, db: AsyncSession, framework_id: int, competency_id: int, data: dict[str, Any]
    ) -> CompetencyRead:
        """`position` 0 (the default) keeps the competency where it is (or puts it last in a new domain)."""
        competency = await frameworks.update_competency(
            db, actor_of(request), framework_id, competency_id, validated(CompetencyInput, data)
        )
        return CompetencyRead.model_validate(competency)

    @post("/import", responses=IMPORT_ANSWERS)
    async def import_framework(
        self,
        request: Request,
        db: AsyncSession,
        data: Annotated[FrameworkUpload, MultipartBody],
    ) -> FrameworkOutlineRead:
        """A new framework from a .csv or .json file (as exported by /admin/frameworks/{id}/export.csv or
        .json). All or nothing."""
        header = {"code": data.code, "title_km": data.title_km, "title_en": data.title_en}
        framework = await frameworks.import_framework(
            db, actor_of(request), data.file.filename, await data.file.read(), header
        )
        return _outline_read(await frameworks.framework_outline(db, row_id(framework)))

    @post("/{framework_id:int}/import", status_code=200, responses=IMPORT_ANSWERS)
    async def replace_content(
        self,
        request: Request,
        db: AsyncSession,
        framework_id: int,
        data: Annotated[ContentUpload, MultipartBody],
    ) -> FrameworkOutlineRead:
        """Replace the framework's domains and competencies by a file's; its code and titles stay.
        Refused (409) once a course targets any of its competencies. All or nothing."""
        await frameworks.replace_framework_content(
            db, actor_of(request), framework_id, data.file.filename, await data.file.read()
        )
        return _outline_read(await frameworks.framework_outline(db, framework_id))
