"""The JSON API (/api/v1) of certificates. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from certificates.api.verification import VerificationApi

ROUTE_HANDLERS: list[ControllerRouterHandler] = [VerificationApi]
