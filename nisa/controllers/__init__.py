"""Pages of what every package shares: health, home and audit log, the outbox, scheduled jobs, the API docs.
Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from nisa.controllers import health
from nisa.controllers.api_docs import api_docs
from nisa.controllers.audit import AuditController
from nisa.controllers.home import PageController
from nisa.controllers.jobs import JobController
from nisa.controllers.outbox import OutboxController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    health.live,
    health.ready,
    PageController,
    AuditController,
    api_docs,
    JobController,
    OutboxController,
]
