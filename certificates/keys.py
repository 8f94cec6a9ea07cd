"""The issuer's Ed25519 signing keys: key files outside the database, rotation, and the did:web document."""

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

# Multicodec prefixes of Multikey (W3C Controlled Identifiers): ed25519-pub 0xed, ed25519-priv 0x1300.
_PUBLIC_PREFIX = b"\xed\x01"
_SECRET_PREFIX = b"\x80\x26"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class NoSigningKey(RuntimeError):
    def __init__(self) -> None:
        super().__init__("No issuer signing key: run `nisa keys create`")


class InvalidKeyFile(ValueError):
    """A file in the keys folder is not an issuer key we wrote."""


@dataclass(frozen=True)
class IssuerKey:
    key_id: str  # the fragment of its verification method: did:web:host#<key_id>
    created: datetime
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return to_multibase(_PUBLIC_PREFIX + raw)

    def verification_method(self, did: str) -> str:
        return f"{did}#{self.key_id}"


def create_key(keys_dir: Path, *, now: datetime | None = None) -> IssuerKey:
    """Make a new key and write it; being the newest, it becomes the signing key (rotation)."""
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    private_key = Ed25519PrivateKey.generate()
    raw_public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    # The suffix comes from the public key, so an id names one key for good and two keys of a day differ.
    key = IssuerKey(
        f"key-{created:%Y%m%d}-{hashlib.sha256(raw_public).hexdigest()[:4]}", created, private_key
    )
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys_dir.chmod(0o700)
    _write_private(keys_dir / f"{key.key_id}.json", json.dumps(_key_file(key), indent=2) + "\n")
    return key


def load_keys(keys_dir: Path) -> list[IssuerKey]:
    """Every key in the folder, oldest first (none if the folder does not exist yet)."""
    if not keys_dir.is_dir():
        return []
    keys = [_read_key_file(path) for path in keys_dir.glob("key-*.json")]
    return sorted(keys, key=lambda key: (key.created, key.key_id))


def active_key(keys: list[IssuerKey]) -> IssuerKey:
    """The key new credentials are signed with: the newest one."""
    if not keys:
        raise NoSigningKey()
    return max(keys, key=lambda key: (key.created, key.key_id))


def did_web(base_url: str) -> str:
    """The did:web identifier of the site at base_url (port as %3A, path segments joined by ':')."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Not a web address for did:web: {base_url!r}")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def did_document(base_url: str, keys: Iterable[IssuerKey]) -> dict[str, Any]:
    """The DID document to publish: every key, old ones included, so older credentials still verify."""
    did = did_web(base_url)
    methods = [
        {
            "id": key.verification_method(did),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def verification_keys(document: dict[str, Any]) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys a DID document accepts for credentials, by verification method id."""
    allowed = set(document.get("assertionMethod", []))
    return {
        method["id"]: Ed25519PublicKey.from_public_bytes(
            _multikey_bytes(method["publicKeyMultibase"], _PUBLIC_PREFIX)
        )
        for method in document.get("verificationMethod", [])
        if method["id"] in allowed and method.get("type") == "Multikey"
    }


def _key_file(key: IssuerKey) -> dict[str, str]:
    raw_private = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return {
        "id": key.key_id,
        "type": "Multikey",
        "created": key.created.isoformat().replace("+00:00", "Z"),
        "publicKeyMultibase": key.public_key_multibase,
        "secretKeyMultibase": to_multibase(_SECRET_PREFIX + raw_private),
    }


def _read_key_file(path: Path) -> IssuerKey:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = IssuerKey(
            key_id=data["id"],
            created=datetime.fromisoformat(data["created"]),
            private_key=Ed25519PrivateKey.from_private_bytes(
                _multikey_bytes(data["secretKeyMultibase"], _SECRET_PREFIX)
            ),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidKeyFile(f"{path}: not an issuer key file ({error})") from error
    if key.public_key_multibase != data.get("publicKeyMultibase"):
        raise InvalidKeyFile(f"{path}: the public key does not match the private key")
    return key


def _write_private(path: Path, text: str) -> None:
    # Created 0600 from the start (never readable by others, even briefly); O_EXCL never overwrites a key.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def to_multibase(data: bytes) -> str:
    """Multibase base58btc ('z...'), the encoding of Multikey values and of Data Integrity proofs."""
    return "z" + base58.b58encode(data).decode("ascii")


def from_multibase(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("expected multibase base58btc ('z...')")
    return base58.b58decode(text[1:])


def _multikey_bytes(text: str, prefix: bytes) -> bytes:
    data = from_multibase(text)
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise ValueError("not an Ed25519 Multikey value")
    return data[len(prefix) :]
