"""Open Badges credentials: their shape, the eddsa-rdfc-2022 proof, and the revocation status list."""

import copy
import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from certificates.contexts import UnknownContext, load_context_document
from certificates.credentials import achievement_credential, status_list_credential
from certificates.document import AchievedCompetency, CertificateDocument
from certificates.keys import IssuerKey, create_key, did_document, verification_keys
from certificates.signing import UnsignableContent, canonical_nquads, sign, verify
from certificates.status_list import MIN_STATUS_LIST_SIZE, decode_status_list, encode_status_list, is_set

BASE_URL = "https://verify.nisa.gov.kh"
DID = "did:web:verify.nisa.gov.kh"
STATUS_LIST_URL = f"{BASE_URL}/credentials/status/1"
ISSUED_AT = datetime(2025, 6, 30, 2, 30, tzinfo=UTC)


def sample_document(**changes: Any) -> CertificateDocument:
    document = CertificateDocument(
        code="K7QM-3XPD-9RTA-2VHC",
        verification_url=f"{BASE_URL}/v/K7QM-3XPD-9RTA-2VHC",
        holder_name_km="សុខ ចាន់ថា",
        holder_name_latin="Sok Chantha",
        course_code="SW101",
        course_title_km="មូលដ្ឋានគ្រឹះនៃការអនុវត្តការងារសង្គមកិច្ច",
        course_title_en="Foundations of social work practice",
        hours=Decimal("40"),
        completed_on=date(2025, 6, 27),
        issued_on=date(2025, 6, 30),
        expires_on=date(2028, 6, 30),
        competencies=(
            AchievedCompetency("SW-1.1", "ការទំនាក់ទំនងជាមួយកុមារ", "Engage with children and families"),
            AchievedCompetency(
                "SW-1.2",
                "ការវាយតម្លៃតម្រូវការ",
                "Assess needs and risks",
                url=f"{BASE_URL}/frameworks/SW#SW-1.2",
            ),
            AchievedCompetency("SW-2.4", "ក្រមសីលធម៌", "Apply the code of ethics"),
        ),
    )
    return dataclasses.replace(document, **changes)


def sample_credential(document: CertificateDocument | None = None, status_index: int = 42) -> dict[str, Any]:
    return achievement_credential(
        document or sample_document(),
        issuer_did=DID,
        base_url=BASE_URL,
        credential_id=f"{BASE_URL}/v/K7QM3XPD9RTA2VHC/credential.json",
        status_list_url=STATUS_LIST_URL,
        status_index=status_index,
        issued_at=ISSUED_AT,
    )


def signed(credential: dict[str, Any], key: IssuerKey) -> dict[str, Any]:
    return sign(credential, key, verification_method=key.verification_method(DID), created=ISSUED_AT)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> IssuerKey:
    return create_key(tmp_path_factory.mktemp("keys"))


def test_credential_is_an_open_badge_from_our_did() -> None:
    credential = sample_credential()

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": DID,
        "type": ["Profile"],
        "name": "National Institute of Social Affairs",
        "url": BASE_URL,
    }
    assert credential["validFrom"] == "2025-06-30T02:30:00Z"
    # Valid through the whole expiry day in Cambodia.
    assert credential["validUntil"] == "2028-06-30T23:59:59+07:00"


def test_no_expiry_means_no_valid_until() -> None:
    assert "validUntil" not in sample_credential(sample_document(expires_on=None))


def test_subject_names_the_holder_and_the_achievement() -> None:
    subject = sample_credential()["credentialSubject"]

    assert subject["type"] == ["AchievementSubject"]
    assert [
        (item["identityType"], item["identityHash"], item["hashed"]) for item in subject["identifier"]
    ] == [
        ("name", "Sok Chantha", False),
        ("name", "សុខ ចាន់ថា", False),
    ]
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE_URL}/catalogue/SW101"
    assert achievement["achievementType"] == "Certificate"
    assert achievement["name"] == "Foundations of social work practice"
    assert "មូលដ្ឋានគ្រឹះនៃការអនុវត្តការងារសង្គមកិច្ច" in achievement["description"]
    assert "40-hour" in achievement["criteria"]["narrative"]


def test_fractional_hours_are_written_as_on_the_certificate() -> None:
    achievement = sample_credential(sample_document(hours=Decimal("12.50")))["credentialSubject"][
        "achievement"
    ]

    assert "12.5-hour" in achievement["description"]


def test_one_alignment_per_competency() -> None:
    alignment = sample_credential()["credentialSubject"]["achievement"]["alignment"]

    assert [(item["targetCode"], item["targetName"]) for item in alignment] == [
        ("SW-1.1", "Engage with children and families"),
        ("SW-1.2", "Assess needs and risks"),
        ("SW-2.4", "Apply the code of ethics"),
    ]
    assert {item["targetType"] for item in alignment} == {"ceasn:Competency"}
    assert alignment[0]["targetUrl"] == f"{BASE_URL}/catalogue/SW101#SW-1.1"
    assert alignment[1]["targetUrl"] == f"{BASE_URL}/frameworks/SW#SW-1.2"


def test_a_trailing_slash_in_the_base_url_is_not_doubled() -> None:
    credential = achievement_credential(
        sample_document(),
        issuer_did=DID,
        base_url=f"{BASE_URL}/",
        credential_id="urn:uuid:0",
        status_list_url=STATUS_LIST_URL,
        status_index=0,
        issued_at=ISSUED_AT,
    )

    assert credential["credentialSubject"]["achievement"]["id"] == f"{BASE_URL}/catalogue/SW101"


def test_status_entry_points_at_the_revocation_bit() -> None:
    assert sample_credential(status_index=70_001)["credentialStatus"] == {
        "id": f"{STATUS_LIST_URL}#70001",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "70001",
        "statusListCredential": STATUS_LIST_URL,
    }


def test_every_term_is_defined_by_the_contexts() -> None:
    # Canonicalisation refuses undefined terms (they would be dropped, unsigned), so this fails on any typo.
    credential = sample_credential()
    status_list = status_list_credential(
        issuer_did=DID, url=STATUS_LIST_URL, encoded_list=encode_status_list([]), valid_from=ISSUED_AT
    )

    assert '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode> "SW-2.4"' in canonical_nquads(
        credential
    )
    assert "#encodedList>" in canonical_nquads(status_list)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        achievement_credential(
            sample_document(),
            issuer_did=DID,
            base_url=BASE_URL,
            credential_id="urn:uuid:0",
            status_list_url=STATUS_LIST_URL,
            status_index=0,
            issued_at=datetime(2025, 6, 30, 9, 0),
        )


def test_signed_credential_verifies_and_the_original_is_untouched(key: IssuerKey) -> None:
    credential = sample_credential()
    before = copy.deepcopy(credential)

    result = signed(credential, key)

    assert credential == before
    proof = result["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2025-06-30T02:30:00Z"
    assert proof["verificationMethod"] == key.verification_method(DID)
    assert proof["proofValue"].startswith("z")
    assert verify(result, verification_keys(did_document(BASE_URL, [key])))


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
        pytest.param(lambda c: c.update(validUntil="2099-12-31T23:59:59+07:00"), id="expiry"),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"]["alignment"].pop(), id="competency removed"
        ),
        pytest.param(lambda c: c["proof"].update(created="2025-07-01T00:00:00Z"), id="proof options"),
        pytest.param(lambda c: c["credentialStatus"].update(statusListIndex="43"), id="status index"),
    ],
)
def test_any_change_breaks_the_proof(key: IssuerKey, tamper: Any) -> None:
    credential = signed(sample_credential(), key)
    keys = verification_keys(did_document(BASE_URL, [key]))
    tamper(credential)

    assert not verify(credential, keys)


def test_a_key_not_published_does_not_verify(key: IssuerKey, tmp_path: Path) -> None:
    stranger = create_key(tmp_path)
    credential = sign(
        sample_credential(), stranger, verification_method=key.verification_method(DID), created=ISSUED_AT
    )

    assert not verify(credential, verification_keys(did_document(BASE_URL, [key])))
    assert not verify(signed(sample_credential(), stranger), verification_keys(did_document(BASE_URL, [key])))


def test_credentials_signed_before_a_rotation_still_verify(tmp_path: Path) -> None:
    old = create_key(tmp_path, now=datetime(2024, 1, 5, tzinfo=UTC))
    credential = signed(sample_credential(), old)
    new = create_key(tmp_path)

    assert verify(credential, verification_keys(did_document(BASE_URL, [old, new])))


def test_unsigned_or_foreign_proofs_do_not_verify(key: IssuerKey) -> None:
    keys = verification_keys(did_document(BASE_URL, [key]))
    credential = signed(sample_credential(), key)

    assert not verify(sample_credential(), keys)
    assert not verify({name: value for name, value in credential.items() if name != "@context"}, keys)
    assert not verify(
        {**credential, "proof": {**credential["proof"], "cryptosuite": "ecdsa-rdfc-2019"}}, keys
    )
    assert not verify({**credential, "proof": {**credential["proof"], "proofValue": "not multibase"}}, keys)


def test_contexts_are_never_fetched(key: IssuerKey) -> None:
    credential = sample_credential()
    credential["@context"] = [*credential["@context"], "https://example.org/elsewhere/v1"]

    with pytest.raises(UnknownContext, match="never fetched"):
        load_context_document("https://example.org/elsewhere/v1")
    with pytest.raises(jsonld.JsonLdError):
        signed(credential, key)
    assert not verify({**credential, "proof": signed(sample_credential(), key)["proof"]}, {})


def test_control_characters_are_refused(key: IssuerKey) -> None:
    # pyld and RDFC-1.0 escape these differently in N-Quads: other verifiers would reject the signature.
    with pytest.raises(UnsignableContent, match="Control character"):
        signed(sample_credential(sample_document(holder_name_latin="Sok\x0bChantha")), key)


@pytest.mark.parametrize(
    ("addition", "refusal"),
    [
        pytest.param(
            lambda c: c["credentialSubject"].update(hours="400"), "Term not defined", id="undefined term"
        ),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"]["alignment"][0].update(targetname="x"),
            "Term not defined",
            id="misspelt term",
        ),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"]["type"].append("Diploma"),
            "absolute IRI",
            id="bare type",
        ),
        pytest.param(
            lambda c: c["credentialSubject"].update(id="trainee/17"), "absolute IRI", id="relative id"
        ),
    ],
)
def test_what_would_go_unsigned_is_refused(key: IssuerKey, addition: Any, refusal: str) -> None:
    # JSON-LD drops these silently, so they would not be covered by the signature: a forger could add them.
    keys = verification_keys(did_document(BASE_URL, [key]))
    credential = signed(sample_credential(), key)
    addition(credential)

    assert not verify(credential, keys)
    with pytest.raises(UnsignableContent, match=refusal):
        canonical_nquads(credential)


def test_status_list_credential_is_signed_like_the_credentials(key: IssuerKey) -> None:
    encoded = encode_status_list([5])
    status_list = status_list_credential(
        issuer_did=DID, url=STATUS_LIST_URL, encoded_list=encoded, valid_from=ISSUED_AT
    )

    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["issuer"] == DID
    assert status_list["credentialSubject"] == {
        "id": f"{STATUS_LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": encoded,
    }
    assert verify(signed(status_list, key), verification_keys(did_document(BASE_URL, [key])))


def test_status_list_sets_exactly_the_revoked_bits() -> None:
    revoked = {0, 7, 8, 42, 70_001, MIN_STATUS_LIST_SIZE - 1}

    bitstring = decode_status_list(encode_status_list(revoked))

    assert len(bitstring) == MIN_STATUS_LIST_SIZE // 8
    assert {index for index in range(MIN_STATUS_LIST_SIZE) if is_set(bitstring, index)} == revoked
    # Index 0 is the left-most (most significant) bit of the first byte.
    assert bitstring[0] == 0b1000_0001
    assert bitstring[1] == 0b1000_0000


def test_status_list_encoding_is_multibase_base64url_and_stable() -> None:
    encoded = encode_status_list([3, 1])

    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert encoded == encode_status_list([1, 3])
    assert len(decode_status_list(encode_status_list([], size=262_144))) == 262_144 // 8


@pytest.mark.parametrize(
    ("indices", "size"),
    [([MIN_STATUS_LIST_SIZE], MIN_STATUS_LIST_SIZE), ([-1], MIN_STATUS_LIST_SIZE), ([], 1024), ([], 131_073)],
)
def test_status_list_refuses_impossible_lists(indices: list[int], size: int) -> None:
    with pytest.raises(ValueError, match=r"[Ss]tatus list"):
        encode_status_list(indices, size=size)
