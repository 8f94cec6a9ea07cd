"""Our signed credentials checked by an independent implementation (Digital Bazaar's vc libraries, Node)."""

import fcntl
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from certificates.credentials import status_list_credential
from certificates.keys import IssuerKey, create_key, did_document
from certificates.signing import sign
from certificates.status_list import encode_status_list
from tests.unit.test_credentials import (
    BASE_URL,
    DID,
    ISSUED_AT,
    STATUS_LIST_URL,
    sample_credential,
    sample_document,
)

VERIFIER = Path(__file__).resolve().parent.parent / "credential_verifier"
Verdict = dict[str, Any]


@pytest.fixture(scope="module")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are needed for the independent credential check")
    # Two test workers may get here at once: one installs, the other waits for it.
    with open(Path(tempfile.gettempdir()) / "nisa-credential-verifier.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (VERIFIER / "node_modules").is_dir():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=VERIFIER,
                check=True,
                capture_output=True,
                timeout=300,
            )
    return node


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> list[IssuerKey]:
    folder = tmp_path_factory.mktemp("keys")
    return [create_key(folder, now=datetime(2024, 1, 5, tzinfo=UTC)), create_key(folder)]


@pytest.fixture
def check(node: str, keys: list[IssuerKey], tmp_path: Path) -> Callable[..., Verdict]:
    """Run the Node verifier on a credential, with our DID document and a status list revoking `revoked`."""

    def run(credential: dict[str, Any], revoked: tuple[int, ...] = ()) -> Verdict:
        status_list = status_list_credential(
            issuer_did=DID,
            url=STATUS_LIST_URL,
            encoded_list=encode_status_list(revoked),
            valid_from=ISSUED_AT,
        )
        files = {
            "credential.json": credential,
            "did.json": did_document(BASE_URL, keys),
            "status.json": signed(status_list, keys[-1]),
        }
        for name, content in files.items():
            (tmp_path / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        finished = subprocess.run(
            [node, "verify.mjs", *(str(tmp_path / name) for name in files)],
            cwd=VERIFIER,
            capture_output=True,
            text=True,
            timeout=60,
        )
        verdict: Verdict = json.loads(finished.stdout)
        assert (finished.returncode == 0) == (verdict["verified"] and not verdict["revoked"]), finished.stderr
        return verdict

    return run


def signed(credential: dict[str, Any], key: IssuerKey) -> dict[str, Any]:
    return sign(credential, key, verification_method=key.verification_method(DID), created=ISSUED_AT)


def test_our_credential_verifies_elsewhere(check: Callable[..., Verdict], keys: list[IssuerKey]) -> None:
    assert check(signed(sample_credential(), keys[-1])) == {"verified": True, "revoked": False, "errors": []}


def test_credential_signed_with_a_rotated_key_still_verifies(
    check: Callable[..., Verdict], keys: list[IssuerKey]
) -> None:
    assert check(signed(sample_credential(), keys[0]))["verified"]


def test_text_escaping_agrees_with_rdfc_1_0(check: Callable[..., Verdict], keys: list[IssuerKey]) -> None:
    # Tabs, line breaks, quotes and backslashes are escaped in N-Quads: both sides must do it the same way.
    document = sample_document(course_title_en='Foundations "of"\tsocial\nwork \\ practice', expires_on=None)

    assert check(signed(sample_credential(document), keys[-1]))["verified"]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="Sok Chanthy"), id="name"
        ),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"].update(
                description=c["credentialSubject"]["achievement"]["description"].replace(
                    "40-hour", "400-hour"
                )
            ),
            id="hours",
        ),
        # A term no context defines would not be signed: safe mode refuses it.
        pytest.param(lambda c: c["credentialSubject"].update(hours="400"), id="added undefined claim"),
    ],
)
def test_a_tampered_copy_fails(
    check: Callable[..., Verdict], keys: list[IssuerKey], tamper: Callable[[dict[str, Any]], None]
) -> None:
    credential = signed(sample_credential(), keys[-1])
    assert check(credential)["verified"]
    tamper(credential)

    verdict = check(credential)

    assert not verdict["verified"]
    assert verdict["errors"]


def test_a_key_missing_from_the_did_document_fails(check: Callable[..., Verdict], tmp_path: Path) -> None:
    stranger = create_key(tmp_path / "stranger")

    verdict = check(signed(sample_credential(), stranger))

    assert not verdict["verified"]


def test_revocation_is_seen_in_the_status_list(check: Callable[..., Verdict], keys: list[IssuerKey]) -> None:
    credential = signed(sample_credential(status_index=70_001), keys[-1])

    assert check(credential, revoked=(70_000, 70_002)) == {"verified": True, "revoked": False, "errors": []}
    assert check(credential, revoked=(70_001,)) == {"verified": True, "revoked": True, "errors": []}
