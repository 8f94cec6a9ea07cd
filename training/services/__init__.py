"""Domain logic of training delivery: plain async functions taking a database session; no Litestar here."""
