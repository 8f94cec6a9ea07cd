"""Issuer keys: did:web names, the DID document, key files on disk, rotation."""

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from certificates.keys import (
    InvalidKeyFile,
    NoSigningKey,
    active_key,
    create_key,
    did_document,
    did_web,
    load_keys,
    verification_keys,
)

BASE_URL = "https://verify.nisa.gov.kh"


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("https://verify.nisa.gov.kh", "did:web:verify.nisa.gov.kh"),
        ("https://verify.nisa.gov.kh/", "did:web:verify.nisa.gov.kh"),
        ("https://Verify.NISA.gov.kh", "did:web:verify.nisa.gov.kh"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://nisa.gov.kh/training/certificates", "did:web:nisa.gov.kh:training:certificates"),
        ("https://localhost:8443/nisa/", "did:web:localhost%3A8443:nisa"),
    ],
)
def test_did_web_follows_the_method_rules(base_url: str, did: str) -> None:
    assert did_web(base_url) == did


@pytest.mark.parametrize("base_url", ["", "verify.nisa.gov.kh", "ftp://verify.nisa.gov.kh"])
def test_did_web_refuses_what_is_not_a_web_address(base_url: str) -> None:
    with pytest.raises(ValueError, match="did:web"):
        did_web(base_url)


def test_a_key_file_is_private_to_its_owner(tmp_path: Path) -> None:
    keys_dir = tmp_path / "var" / "keys"
    key = create_key(keys_dir)

    path = keys_dir / f"{key.key_id}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    content = json.loads(path.read_text())
    assert content["publicKeyMultibase"] == key.public_key_multibase
    assert content["secretKeyMultibase"].startswith("z3u2")  # Multikey's Ed25519 secret key header


def test_key_id_names_the_day_and_the_key(tmp_path: Path) -> None:
    key = create_key(tmp_path, now=datetime(2025, 6, 30, 9, 15, tzinfo=UTC))

    assert key.key_id.startswith("key-20250630-")
    assert len(key.key_id) == len("key-20250630-") + 4
    assert key.public_key_multibase.startswith("z6Mk")


def test_loaded_keys_sign_like_the_created_ones(tmp_path: Path) -> None:
    created = create_key(tmp_path)

    [loaded] = load_keys(tmp_path)

    assert (loaded.key_id, loaded.created) == (created.key_id, created.created)
    message = b"K7QM-3XPD-9RTA-2VHC"
    created.public_key.verify(loaded.private_key.sign(message), message)


def test_rotation_keeps_old_keys_and_signs_with_the_newest(tmp_path: Path) -> None:
    first = create_key(tmp_path, now=datetime(2024, 1, 5, tzinfo=UTC))
    second = create_key(tmp_path, now=datetime(2025, 6, 30, tzinfo=UTC))

    keys = load_keys(tmp_path)

    assert [key.key_id for key in keys] == [first.key_id, second.key_id]
    assert active_key(keys).key_id == second.key_id
    published = did_document(BASE_URL, keys)
    assert published["assertionMethod"] == [
        f"did:web:verify.nisa.gov.kh#{first.key_id}",
        f"did:web:verify.nisa.gov.kh#{second.key_id}",
    ]


def test_no_key_yet_says_how_to_make_one(tmp_path: Path) -> None:
    keys = load_keys(tmp_path / "missing")

    assert keys == []
    with pytest.raises(NoSigningKey, match="run `nisa keys create`"):
        active_key(keys)


def test_did_document_lists_multikeys_controlled_by_the_did(tmp_path: Path) -> None:
    key = create_key(tmp_path)

    document = did_document(BASE_URL, [key])

    did = "did:web:verify.nisa.gov.kh"
    assert document["id"] == did
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert document["verificationMethod"] == [
        {
            "id": f"{did}#{key.key_id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
    ]
    assert document["assertionMethod"] == [f"{did}#{key.key_id}"]


def test_verification_keys_read_back_the_published_keys(tmp_path: Path) -> None:
    keys = [create_key(tmp_path, now=datetime(2024, 1, 5, tzinfo=UTC)), create_key(tmp_path)]

    published = verification_keys(did_document(BASE_URL, keys))

    assert list(published) == [key.verification_method("did:web:verify.nisa.gov.kh") for key in keys]
    message = b"hours: 40"
    published[keys[0].verification_method("did:web:verify.nisa.gov.kh")].verify(
        keys[0].private_key.sign(message), message
    )


def test_a_key_file_whose_halves_do_not_match_is_refused(tmp_path: Path) -> None:
    key = create_key(tmp_path)
    other = create_key(tmp_path, now=datetime(2020, 1, 1, tzinfo=UTC))
    path = tmp_path / f"{key.key_id}.json"
    content = json.loads(path.read_text())
    content["publicKeyMultibase"] = other.public_key_multibase
    path.write_text(json.dumps(content))

    with pytest.raises(InvalidKeyFile, match="does not match"):
        load_keys(tmp_path)
