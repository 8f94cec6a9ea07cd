"""Certificates: issuance, PDF and QR rendering, public verification, credentials."""
