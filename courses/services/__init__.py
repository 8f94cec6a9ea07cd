"""Curriculum logic: plain async functions taking a database session; no Litestar here."""
