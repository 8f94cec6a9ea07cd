"""Liveness and readiness for load balancers and the container health check."""

from litestar import Request, Response, get
from sqlalchemy import text

from foundation.database import DatabaseNotMigrated, ensure_migrated


@get("/health/live", include_in_schema=False, sync_to_thread=False)
def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", include_in_schema=False)
async def ready(request: Request) -> Response[dict[str, str]]:
    """Ready when the database answers and its schema matches the code."""
    engine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        await ensure_migrated(engine)
    except DatabaseNotMigrated as exc:
        return Response({"status": "unavailable", "reason": str(exc)}, status_code=503)
    except Exception as exc:
        return Response({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
    return Response({"status": "ok"})
