"""The certificates package's routes, registered by the app factory."""

from certificates.controllers.issuance import ISSUANCE_ROUTES
from certificates.controllers.verification import VERIFICATION_ROUTES

ROUTE_HANDLERS = [*VERIFICATION_ROUTES, *ISSUANCE_ROUTES]
