"""Bitstring Status List v1.0: the published revocation bits, GZIP-compressed and multibase base64url."""

import base64
import gzip
from collections.abc import Iterable

# The spec's minimum (16 KB): a list this long hides which certificate a verifier is asking about.
MIN_STATUS_LIST_SIZE = 131_072


def encode_status_list(revoked_indices: Iterable[int], size: int = MIN_STATUS_LIST_SIZE) -> str:
    """The `encodedList` value with a 1 bit at each revoked index (index 0 = left-most bit of byte 0)."""
    if size < MIN_STATUS_LIST_SIZE or size % 8:
        raise ValueError(f"A status list has a multiple of 8 bits, at least {MIN_STATUS_LIST_SIZE}: {size}")
    bits = bytearray(size // 8)
    for index in revoked_indices:
        if not 0 <= index < size:
            raise ValueError(f"Status list index {index} is outside 0..{size - 1}")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0 makes the output depend on the bits only, so the same list encodes (and signs) the same.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_status_list(encoded: str) -> bytes:
    """The bitstring of an `encodedList` value."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    """Whether the bit at `index` is 1 (for revocation: the credential is revoked)."""
    if not 0 <= index < len(bitstring) * 8:
        raise IndexError(f"Status list index {index} is outside 0..{len(bitstring) * 8 - 1}")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
