"""The issuing authority as configured for this deployment: who issues, where its keys and files are."""

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_process

from certificates import credentials, keys, signing
from certificates.codes import grouped
from certificates.document import CertificateDocument, Issuer, VoidMark
from certificates.models import Certificate
from certificates.status_list import encode_status_list
from foundation.clock import today as cambodia_today
from foundation.clock import utcnow
from foundation.errors import Conflict
from foundation.i18n import N_
from foundation.settings import Settings

NO_KEY = N_(
    "Certificates cannot be signed: no issuer key is installed. An administrator must run `nisa keys create`."
)


@dataclass
class IssuingAuthority:
    """NISA as the issuer: base URL (and so its did:web), names, signing keys, images, PDF store."""

    base_url: str
    issuer: Issuer
    keys_dir: Path
    store: Path
    logo: Path | None = None
    signature: Path | None = None

    def __post_init__(self) -> None:
        # Not fields: the web framework validates injected dataclasses field by field.
        self._keys: list[keys.IssuerKey] = []
        self._keys_seen = -1.0
        self._lock = threading.Lock()
        # Each status list as last signed here, by number: its revoked bits, the key folder's state, the
        # signed credential.
        self._status_lists: dict[int, tuple[tuple[int, ...], float, dict[str, Any]]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> "IssuingAuthority":
        base_url = settings.base_url.rstrip("/")
        return cls(
            base_url=base_url,
            issuer=Issuer(settings.issuer_name_km, settings.issuer_name_en, base_url),
            keys_dir=settings.effective_keys_dir,
            store=settings.certificate_store,
            logo=settings.issuer_logo,
            signature=settings.signature_image,
        )

    # ------------------------------------------------------------ addresses

    @property
    def did(self) -> str:
        return keys.did_web(self.base_url)

    def verification_url(self, code: str) -> str:
        return f"{self.base_url}/v/{grouped(code)}"

    def credential_url(self, code: str) -> str:
        return f"{self.verification_url(code)}/credential.json"

    def status_list_url(self, number: int) -> str:
        return f"{self.base_url}/credentials/status/{number}"

    @staticmethod
    def today() -> date:
        return cambodia_today()

    # ------------------------------------------------------------ keys and credentials

    def signing_keys(self) -> list[keys.IssuerKey]:
        """Every published key, oldest first; read again when the key folder changes (rotation)."""
        with self._lock:
            seen = self.keys_dir.stat().st_mtime if self.keys_dir.is_dir() else 0.0
            if seen != self._keys_seen:
                self._keys, self._keys_seen = keys.load_keys(self.keys_dir), seen
            return self._keys

    def did_document(self) -> dict[str, Any]:
        return keys.did_document(self.base_url, self.signing_keys())

    def _signed(self, unsigned: dict[str, Any], moment: datetime) -> dict[str, Any]:
        try:
            key = keys.active_key(self.signing_keys())
        except keys.NoSigningKey:
            raise Conflict(NO_KEY) from None
        return signing.sign(
            unsigned, key, verification_method=key.verification_method(self.did), created=moment
        )

    def sign_credential(self, document: CertificateDocument, certificate: Certificate) -> dict[str, Any]:
        """The certificate as a signed Open Badges 3.0 credential."""
        if certificate.status_list is None or certificate.status_index is None:
            raise ValueError("the certificate has no place in a status list yet: flush it first")
        issued_at = certificate.issued_at or utcnow()
        unsigned = credentials.achievement_credential(
            document,
            issuer_did=self.did,
            base_url=self.base_url,
            credential_id=self.credential_url(certificate.code),
            status_list_url=self.status_list_url(certificate.status_list),
            status_index=certificate.status_index,
            issued_at=issued_at,
        )
        return self._signed(unsigned, issued_at)

    def status_list(self, number: int, revoked_indices: list[int]) -> dict[str, Any]:
        """The signed Bitstring Status List credential of list `number`: signed again only when its bits
        (read from the database on every request, so a revocation shows at once on every instance) or the
        signing keys changed since it was last signed here (signing took 7-10 ms a request)."""
        bits = tuple(sorted(revoked_indices))
        self.signing_keys()  # notices a key rotation
        cached = self._status_lists.get(number)
        if cached is not None and cached[:2] == (bits, self._keys_seen):
            return cached[2]
        credential = self._sign_status_list(number, bits)
        self._status_lists[number] = (bits, self._keys_seen, credential)
        return credential

    def _sign_status_list(self, number: int, revoked_indices: tuple[int, ...]) -> dict[str, Any]:
        now = utcnow().replace(microsecond=0)
        unsigned = credentials.status_list_credential(
            issuer_did=self.did,
            url=self.status_list_url(number),
            encoded_list=encode_status_list(revoked_indices),
            valid_from=now,
        )
        return self._signed(unsigned, now)

    # ------------------------------------------------------------ PDFs

    def render(
        self, document: CertificateDocument, credential: dict[str, Any] | None, void: VoidMark | None = None
    ) -> bytes:
        """The certificate's PDF, with its signed credential attached inside (and marked if void)."""
        from certificates.pdf import render_certificate

        attached = json.dumps(credential, ensure_ascii=False, indent=2).encode() if credential else None
        return render_certificate(
            document, logo=self.logo, signature=self.signature, credential_json=attached, void=void
        )

    def pdf_path(self, code: str) -> Path:
        return self.store / code[:2] / f"{code}.pdf"

    def stored_pdf(self, certificate: Certificate, void: VoidMark | None = None) -> bytes:
        """The PDF from the store, rendered (and stored) again from the snapshot if it is not there. A void
        certificate's copy is rendered afresh with its mark, never stored: the unmarked file is not served
        again."""
        if void is not None:
            return self.render(self._document(certificate), certificate.credential, void)
        path = self.pdf_path(certificate.code)
        if path.is_file():
            return path.read_bytes()
        return self.store_pdf(certificate)

    @staticmethod
    def _document(certificate: Certificate) -> CertificateDocument:
        if certificate.snapshot is None:
            raise ValueError("a certificate waiting for approval has nothing to render yet")
        return CertificateDocument.from_snapshot(certificate.snapshot)

    def store_pdf(self, certificate: Certificate) -> bytes:
        pdf = self.render(self._document(certificate), certificate.credential)
        path = self.pdf_path(certificate.code)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(pdf)
        partial.replace(path)  # atomic: a reader never sees half a file
        return pdf

    async def store_pdfs(self, certificates: Sequence[Certificate]) -> None:
        """Render and store several PDFs on every core: each in a worker process (the render is pure Python,
        so threads would share one core); a single one in a thread (no process to wake for it)."""
        if len(certificates) == 1:
            await anyio.to_thread.run_sync(self.store_pdf, certificates[0])
            return
        async with anyio.create_task_group() as group:
            for certificate in certificates:
                group.start_soon(partial(anyio.to_process.run_sync, _store_pdf, self, certificate))

    # Sent to worker processes: without the lock and the loaded keys (a worker reads keys again if needed).
    def __getstate__(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("_lock", "_keys", "_keys_seen", "_status_lists")
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()


def _store_pdf(authority: IssuingAuthority, certificate: Certificate) -> None:
    """In a worker process: the PDF stays in the store, nothing is sent back."""
    authority.store_pdf(certificate)
