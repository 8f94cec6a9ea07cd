"""The composition root: `create_app` is the only place that builds the web application."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from certificates.api import ROUTE_HANDLERS as CERTIFICATE_API
from certificates.authority import IssuingAuthority
from certificates.controllers import ROUTE_HANDLERS as CERTIFICATE_PAGES
from certificates.services.finder import CertificateFinder
from certificates.services.lookup_log import LookupLog, RateLimit
from courses.api import ROUTE_HANDLERS as CURRICULUM_API
from courses.controllers import ROUTE_HANDLERS as CURRICULUM_PAGES
from foundation.access_log import redact_access_log
from foundation.clock import utcnow
from foundation.csrf import SessionBoundCSRFMiddleware
from foundation.database import create_engine, create_sessionmaker, ensure_migrated, session_scope
from foundation.http import add_security_headers, parse_trusted_proxies, refuse_unstorable_numbers
from foundation.responses import exception_handlers
from foundation.settings import Settings
from foundation.templating import STATIC_DIR, build_environment
from nisa.audit_words import register_audit_words
from nisa.controllers import ROUTE_HANDLERS as SHARED_ROUTES
from nisa.messages import register_message_kinds
from people.api import ROUTE_HANDLERS as PEOPLE_API
from people.controllers import ROUTE_HANDLERS as PEOPLE_PAGES
from people.pages import CARD_PAGE, PASSWORD_LINK_PAGE
from people.request_context import RequestContextMiddleware
from people.services import auth
from people.services.trainees import TraineeScope
from training.api import ROUTE_HANDLERS as TRAINING_API
from training.controllers import ROUTE_HANDLERS as TRAINING_PAGES
from training.services.access import trainee_scope


def verification_rate_limit(settings: Settings) -> RateLimit:
    return RateLimit(settings.verify_rate_limit, timedelta(seconds=settings.verify_rate_window_seconds))


def freeze_start_up_objects() -> None:
    """What start-up built (modules, routes, templates, the ORM's tables) lives as long as the process: kept
    out of the garbage collector's full passes, which otherwise stall every request in flight (measured
    ~100 ms under load, the public verification's p99). Frozen as they are: start-up leaves no garbage in
    the older generations (measured), and a full collection of its ~180,000 objects first was 90 ms of it."""
    gc.freeze()


def create_served_app() -> Litestar:
    """The app as `nisa serve` runs it (tests build theirs with create_app: many apps in one process)."""
    app = create_app()
    app.on_startup.append(freeze_start_up_objects)
    return app


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    register_message_kinds()
    register_audit_words()
    auth.limit_concurrent_hashes(settings.password_hash_threads)
    secret_key = settings.resolve_secret_key()
    engine = create_engine(settings.effective_database_url)
    sessionmaker = create_sessionmaker(engine)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    redact_access_log(PASSWORD_LINK_PAGE, CARD_PAGE)

    lookup_log = LookupLog(engine, verification_rate_limit(settings))
    certificate_finder = CertificateFinder(engine)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await ensure_migrated(engine)
        stop_settling = asyncio.Event()
        settling = asyncio.create_task(
            lookup_log.keep_settling(settings.verify_log_seconds, utcnow, stop_settling)
        )
        try:
            yield
        finally:
            stop_settling.set()
            await settling  # its last round writes what was queued
            await certificate_finder.close()
            await engine.dispose()

    authority = IssuingAuthority.from_settings(settings)
    csrf = CSRFConfig(
        secret=secret_key, cookie_secure=settings.secure_cookies, cookie_httponly=True, cookie_samesite="lax"
    )

    def provide_authority() -> IssuingAuthority:
        return authority

    def provide_trainee_scope(request: Request) -> TraineeScope:
        """The trainee pages and API are people's, which knows no cohorts: the scope comes from training."""
        return trainee_scope(request.user)

    async def provide_db() -> AsyncIterator[object]:
        async for session in session_scope(sessionmaker):
            yield session

    return Litestar(
        route_handlers=[
            *SHARED_ROUTES,
            *PEOPLE_PAGES,
            *PEOPLE_API,
            *TRAINING_PAGES,
            *TRAINING_API,
            *CURRICULUM_PAGES,
            *CURRICULUM_API,
            *CERTIFICATE_PAGES,
            *CERTIFICATE_API,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                include_in_schema=False,
                cache_control=CacheControlHeader(max_age=365 * 24 * 3600, public=True),
            ),
        ],
        dependencies={
            "db": Provide(provide_db),
            "authority": Provide(provide_authority, sync_to_thread=False),
            "trainee_scope": Provide(provide_trainee_scope, sync_to_thread=False),
        },
        middleware=[RequestContextMiddleware, DefineMiddleware(SessionBoundCSRFMiddleware, config=csrf)],
        before_send=[add_security_headers],
        before_request=refuse_unstorable_numbers,
        exception_handlers=exception_handlers,
        template_config=TemplateConfig(instance=JinjaTemplateEngine(engine_instance=build_environment())),
        openapi_config=OpenAPIConfig(
            title="NISA Training & Certification API",
            version="1",
            path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
            use_handler_docstrings=True,
            description=(
                "JSON API of NISA's training and certification system (/api/v1); "
                "interactive docs at /api/docs.\n\n"
                "**Authentication** is the browser session: sign in at /login and send the `nisa_session` "
                "cookie. Anonymous requests get 401, signed-in users without the role get 403.\n\n"
                "**CSRF**: every POST and PUT must also send the header `x-csrftoken` with the value of the "
                "`csrftoken` cookie (double submit); without it the answer is 403.\n\n"
                "**Errors** are JSON `{status_code, detail}` in the user's language (cookie `nisa_lang`: "
                "`km` or `en`); invalid input answers 422 with `errors` (field name > message), "
                "a suspected duplicate trainee 409 with `matches`."
            ),
            tags=[
                Tag(name="Users", description="Logins and roles (administrators only)."),
                Tag(name="Trainees", description="People of the workforce (administrators and trainers)."),
                Tag(name="Organisations", description="Employers (administrators only)."),
                Tag(name="Locations", description="Provinces, districts and communes (any signed-in user)."),
                Tag(
                    name="Verification",
                    description="Public verification of certificate codes: no sign-in, every lookup logged, "
                    "rate-limited per client.",
                ),
            ],
            components=Components(
                security_schemes={
                    "session": SecurityScheme(
                        type="apiKey",
                        name="nisa_session",
                        security_scheme_in="cookie",
                        description="The browser session cookie set by /login.",
                    ),
                    "csrf": SecurityScheme(
                        type="apiKey",
                        name="x-csrftoken",
                        security_scheme_in="header",
                        description="The csrftoken cookie's value; needed on POST and PUT.",
                    ),
                }
            ),
        ),
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "csrf": csrf,
                "engine": engine,
                "sessionmaker": sessionmaker,
                "authority": authority,
                "lookup_log": lookup_log,
                "certificate_finder": certificate_finder,
                "trusted_proxies": parse_trusted_proxies(settings.trusted_proxies),
            }
        ),
        debug=False,
    )
