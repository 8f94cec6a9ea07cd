"""Issuing, downloading, approving, revoking and reissuing certificates (trainers and admins)."""

from typing import Any

ISSUANCE_ROUTES: list[Any] = []
