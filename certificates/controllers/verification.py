"""Public verification of certificates: the page the QR code opens, the form, and the JSON API."""

from typing import Any

VERIFICATION_ROUTES: list[Any] = []
