"""The one settings object, read from NISA_* environment variables (documented in the README)."""

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The settings cannot run the app; the message says what to change."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NISA_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    default_language: Literal["km", "en"] = "km"
    # A session ends after this many hours without a request, and in any case this many days after sign-in.
    session_hours: int = Field(default=12, ge=1)
    session_max_days: int = Field(default=7, ge=1)
    # Addresses of reverse proxies whose X-Forwarded-For / -Proto headers are believed.
    trusted_proxies: str = "127.0.0.1"
    # Failed sign-ins allowed per window: per account from one address, and per address across accounts.
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 20
    login_window_minutes: int = 15
    # Password hashes (argon2) computed at once, each in a worker thread, per instance.
    password_hash_threads: int = Field(default=2, ge=1)
    log_level: str = "INFO"
    # Email: without an SMTP host (development) messages are written to the log and marked sent.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_timeout: float = Field(default=30, gt=0)
    mail_from: str = "NISA <no-reply@localhost>"
    # Each run of the sender sends due messages in batches of this size; a temporary failure retries after
    # mail_retry_seconds, doubling each time (at most 6 hours), and gives up after mail_max_attempts.
    mail_batch_size: int = Field(default=50, ge=1)
    mail_retry_seconds: int = Field(default=60, ge=1)
    mail_max_attempts: int = Field(default=12, ge=1)
    # Certificates: the issuer's signing keys live outside the database (default: <data_dir>/keys).
    keys_dir: Path | None = None
    issuer_name_km: str = "វិទ្យាស្ថានជាតិសង្គមកិច្ច"
    issuer_name_en: str = "National Institute of Social Affairs"
    # Images printed on certificates (PNG or JPEG); without them a drawn emblem and a signature line.
    issuer_logo: Path | None = None
    signature_image: Path | None = None
    # Public verification lookups allowed per client in each window (counted across all instances).
    verify_rate_limit: int = Field(default=30, ge=1)
    verify_rate_window_seconds: int = Field(default=60, ge=1)
    # How often each instance writes its lookups to the log and reads the others' (the limit's lag).
    verify_log_seconds: float = Field(default=1.0, gt=0)
    # Scheduled work (`nisa scheduler`): how often it checks its lock, "run now" requests and standbys.
    scheduler_tick_seconds: float = Field(default=5, gt=0)
    # Nightly backups kept in <data_dir>/backups (0: no nightly backup); job runs kept this many days.
    backup_keep: int = Field(default=14, ge=0)
    job_run_keep_days: int = Field(default=90, ge=1)
    # "module:attribute" of another job registry; for the scheduler's own tests only.
    scheduler_jobs: str = ""

    @cached_property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'nisa.db'}"

    @property
    def effective_keys_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"

    @property
    def certificate_store(self) -> Path:
        """Rendered certificate PDFs: a cache, each can be rendered again from its stored snapshot."""
        return self.data_dir / "certificates"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def resolve_secret_key(self) -> str:
        """The signing key: given in production, generated once and kept in the data dir otherwise."""
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
                raise ConfigurationError(
                    f"NISA_SECRET_KEY is too short: use at least {MIN_SECRET_KEY_LENGTH} random characters, "
                    'for example: python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
            return self.secret_key
        if self.is_production:
            raise ConfigurationError(
                "NISA_SECRET_KEY is not set. A production start needs a real secret key: "
                'generate one with python -c "import secrets; print(secrets.token_urlsafe(48))" '
                "and set it in the environment."
            )
        key_file = self.data_dir / DEV_KEY_FILE
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
