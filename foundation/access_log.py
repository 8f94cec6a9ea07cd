"""The server's access log without secrets: the token in a one-time link's path is never written out."""

import logging
import re
from dataclasses import dataclass

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"


@dataclass
class RedactSecretPaths(logging.Filter):
    """Replaces the path segment after each of `prefixes` (e.g. /password/<token>) in uvicorn's access log
    lines, whose arguments are (client, method, path with query, HTTP version, status)."""

    prefixes: tuple[str, ...]  # equal filters are installed once

    def redact(self, path: str) -> str:
        alternatives = "|".join(re.escape(prefix.rstrip("/")) for prefix in self.prefixes)
        return re.sub(rf"^({alternatives})/[^/?#\s]+", rf"\1/{REDACTED}", path)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            record.args = (*record.args[:2], self.redact(record.args[2]), *record.args[3:])
        return True


def redact_access_log(*prefixes: str) -> None:
    """Install the redaction on the access log (once, however many apps a process builds)."""
    logging.getLogger(ACCESS_LOGGER).addFilter(RedactSecretPaths(prefixes))
