"""Settings (secret key rules), client address behind proxies, language formatting."""

from datetime import date
from pathlib import Path

import pytest

from foundation.formatting import format_date, format_number
from foundation.http import parse_trusted_proxies, trusted_client_ip
from foundation.i18n import current_language
from foundation.settings import ConfigurationError, Settings


def test_production_without_secret_key_refuses_to_start(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="NISA_SECRET_KEY is not set"):
        Settings(env="production", data_dir=tmp_path).resolve_secret_key()


def test_short_secret_key_is_refused(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="too short"):
        Settings(secret_key="short", data_dir=tmp_path).resolve_secret_key()


def test_development_key_is_generated_once_and_kept(tmp_path: Path):
    first = Settings(data_dir=tmp_path).resolve_secret_key()
    assert len(first) >= 32
    assert Settings(data_dir=tmp_path).resolve_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/nisa.db"
    assert not settings.secure_cookies
    assert Settings(base_url="https://nisa.example.org").secure_cookies


def scope(peer: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"client": (peer, 1234), "headers": headers}


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    proxies = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")
    assert trusted_client_ip(scope("203.0.113.9", "1.2.3.4"), proxies) == "203.0.113.9"
    assert trusted_client_ip(scope("127.0.0.1", "198.51.100.7"), proxies) == "198.51.100.7"
    # A client cannot hide behind a forged first hop: the nearest untrusted hop counts.
    assert trusted_client_ip(scope("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.1.1"), proxies) == "198.51.100.7"
    assert trusted_client_ip(scope("127.0.0.1"), proxies) == "127.0.0.1"


def test_numbers_and_dates_follow_the_language():
    token = current_language.set("km")
    try:
        assert format_number(1234) == "១,២៣៤"
        assert "២០២៦" in format_date(date(2026, 11, 21))
        current_language.set("en")
        assert format_number(1234) == "1,234"
        assert format_date(date(2026, 11, 21)) == "21 Nov 2026"
    finally:
        current_language.reset(token)
