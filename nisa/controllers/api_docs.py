"""The API's documentation page: Swagger UI over the OpenAPI document, for people exploring /api/v1."""

from litestar import get
from litestar.response import Template


@get("/api/docs", include_in_schema=False)
async def api_docs() -> Template:
    """Swagger UI over /api/schema/openapi.json, served from our own static files (no CDN)."""
    return Template("training/api_docs.html")
