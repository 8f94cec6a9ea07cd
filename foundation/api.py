"""Helpers of every JSON controller: bodies as dicts documented as schemas, result pages, the OpenAPI bits
they share."""

from collections.abc import Generator
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.dto import AbstractDTO
from litestar.dto.data_structures import DTOFieldDefinition
from litestar.exceptions import ClientException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Reference, Schema
from litestar.params import Parameter
from litestar.typing import FieldDefinition
from pydantic import BaseModel
from sqlmodel import SQLModel

from foundation.numbers import unstorable_numbers
from foundation.paging import Page

Model = TypeVar("Model")
Item = TypeVar("Item")

# ---------------------------------------------------------------- request bodies


# Choice: bodies arrive as dicts (our translated 422 errors via validated()); this DTO documents XCreate.
class JsonObjectAs(AbstractDTO[Model], Generic[Model]):
    """The body as a plain dict, documented in OpenAPI as `Model`.

    Litestar would validate a typed `data: Model` itself and answer 400 in English; we want the same
    translated 422 field errors as the HTML forms, so handlers take the dict and call `validated()`.
    """

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        """Nothing to build: no transfer model, the dict goes to the handler as it came."""

    @classmethod
    def is_supported_model_type_field(cls, field_definition: FieldDefinition) -> bool:
        return False  # never used for responses: those are the XRead schemas

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(cls.model_type))

    def decode_bytes(self, value: bytes) -> dict[str, Any]:
        try:
            decoded = msgspec.json.decode(value)
        except (msgspec.DecodeError, RecursionError):  # the decoder's stack runs out before DEEPEST matters
            raise ClientException() from None
        return self.decode_builtins(decoded)

    def decode_builtins(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or unstorable_numbers(value):
            raise ClientException()
        return value

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False


# ---------------------------------------------------------------- response bodies


class ResultPage(BaseModel, Generic[Item]):
    """One page of a search: the items and where they stand in the whole result."""

    items: list[Item]
    total: int
    page: int
    per_page: int

    @classmethod
    def of(cls, found: Page[Any], items: list[Item]) -> "ResultPage[Item]":
        return cls(items=items, total=found.total, page=found.page, per_page=found.per_page)


class FieldErrors(SQLModel):
    status_code: int
    detail: str
    errors: dict[str, str]


# The session cookie; POST and PUT also need the x-csrftoken header (see the OpenAPI description).
SESSION: list[dict[str, list[str]]] = [{"session": []}]
Q = Annotated[str, Parameter(description="Search text (names; for trainees also phone digits).")]
PageNumber = Annotated[int, Parameter(ge=1)]
PerPage = Annotated[int, Parameter(ge=1, le=100)]
IncludeInactive = Annotated[bool, Parameter(description="Also list deactivated records.")]
INVALID = {
    422: ResponseSpec(
        FieldErrors, description="Field errors, in the user's language.", generate_examples=False
    )
}
