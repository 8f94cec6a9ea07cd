"""Litestar controllers of the curriculum. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

ROUTE_HANDLERS: list[ControllerRouterHandler] = []
