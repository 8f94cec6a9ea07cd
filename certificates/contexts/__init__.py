"""The JSON-LD contexts our credentials use, bundled, and a pyld document loader that never fetches."""

import json
from pathlib import Path
from typing import Any

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_FOLDER = Path(__file__).resolve().parent
_FILES = {
    CREDENTIALS_V2: "credentials-v2.json",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json",
}


class UnknownContext(LookupError):
    """A document asked for a context we do not bundle: we refuse rather than fetch it from the web."""


def load_context_document(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld `documentLoader`: serve a bundled context, raise for any other URL."""
    name = _FILES.get(url)
    if name is None:
        raise UnknownContext(f"JSON-LD context not bundled (never fetched): {url}")
    return {
        "contextUrl": None,
        "documentUrl": url,
        # Read afresh each time because pyld may rewrite what it is given; the "static" tag lets pyld
        # keep the processed context in its shared cache, so this runs once per process.
        "document": json.loads((_FOLDER / name).read_text(encoding="utf-8")),
        "tag": "static",
    }
