"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa): signing and checking."""

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

from certificates.contexts import load_context_document
from certificates.credentials import credential_time
from certificates.keys import IssuerKey, from_multibase, to_multibase

CRYPTOSUITE = "eddsa-rdfc-2022"
# pyld escapes only \t \n \r " \ in literals, RDFC-1.0 also the other control characters: with one of those
# in a value the two canonical forms (and so the signatures) would differ, so such values are refused.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A scheme (or "_" for blank nodes) and a colon; keywords such as "@json" are allowed as types of values.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*|_):\S*$|^@")


def sign(
    credential: dict[str, Any], key: IssuerKey, *, verification_method: str, created: datetime
) -> dict[str, Any]:
    """A copy of the credential with a DataIntegrityProof made with the issuer's key."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": credential_time(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.private_key.sign(_hash_data(credential, options))
    return {**credential, "proof": {**options, "proofValue": to_multibase(signature)}}


def verify(credential: dict[str, Any], public_keys_by_id: Mapping[str, Ed25519PublicKey]) -> bool:
    """Whether the credential's proof is ours (a key in public_keys_by_id) and nothing in it changed since."""
    proof = credential.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    if proof.get("type") != "DataIntegrityProof" or proof.get("proofPurpose") != "assertionMethod":
        return False
    public_key = public_keys_by_id.get(proof.get("verificationMethod", ""))
    if public_key is None or "@context" not in credential:
        return False
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    try:
        public_key.verify(from_multibase(proof.get("proofValue", "")), _hash_data(unsigned, options))
    except (InvalidSignature, ValueError, jsonld.JsonLdError):
        return False
    return True


class UnsignableContent(ValueError):
    """Something in a credential would not be covered by its signature, or would canonicalise differently."""


def canonical_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, with the bundled contexts only.

    Like the "safe mode" of other implementations, it refuses what JSON-LD would silently drop (undefined
    terms, relative IRIs): dropped content is not signed, so a forger could add it to a signed credential.
    """
    _refuse_control_characters(document)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": load_context_document,
        # No base IRI (as in other implementations): relative IRIs stay relative, and are refused.
        "base": None,
    }
    return str(
        _SafeJsonLdProcessor(on_property_dropped=_refuse_dropped_property).normalize(document, options)
    )


class _SafeJsonLdProcessor(jsonld.JsonLdProcessor):
    # Checking inside the one expansion that canonicalisation does costs nothing like a second expansion.
    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        expanded = super().expand(input_, options)
        _refuse_relative_iris(expanded)
        return expanded


def _hash_data(unsigned: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    # vc-di-eddsa: hash of the proof configuration (with the document's contexts), then of the document.
    proof_config = {"@context": unsigned["@context"], **proof_options}
    return _sha256(canonical_nquads(proof_config)) + _sha256(canonical_nquads(unsigned))


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _refuse_dropped_property(name: str | None) -> None:
    raise UnsignableContent(f"Term not defined by the credential's contexts: {name!r}")


def _refuse_relative_iris(expanded: Any) -> None:
    if isinstance(expanded, list):
        for item in expanded:
            _refuse_relative_iris(item)
    elif isinstance(expanded, dict):
        for name, value in expanded.items():
            if name in ("@id", "@type"):
                for iri in value if isinstance(value, list) else [value]:
                    if not _ABSOLUTE_IRI.match(iri):
                        raise UnsignableContent(f"Not an absolute IRI: {iri!r}")
            else:
                _refuse_relative_iris(value)


def _refuse_control_characters(value: Any) -> None:
    if isinstance(value, str) and _CONTROL_CHARACTERS.search(value):
        raise UnsignableContent(f"Control character in a credential value: {value!r}")
    if isinstance(value, dict):
        for name, item in value.items():
            _refuse_control_characters(name)
            _refuse_control_characters(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_control_characters(item)
