"""Domain logic of certificates: issuance, revocation, verification (no Litestar here)."""
