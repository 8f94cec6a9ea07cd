"""Domain logic of people and places: plain async functions taking a database session; no Litestar here."""
