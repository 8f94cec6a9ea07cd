"""Benchmarks of issue 5: bulk certificate issuance and public verification under load (see README)."""
