"""Configuration read from the environment.

Every setting has one name, documented in docs/operations.md ("Configuration").
`create_app(config=...)` may override any of them (tests do). Outside development and tests
a missing `SECRET_KEY` stops start-up: a guessable key would let anyone forge a session.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _decimal(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0 or value > 24:
        raise ConfigError(f"{name} must be more than 0 and at most 24, got {raw!r}")
    return str(value)


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    overrides = dict(overrides or {})
    env = overrides.get("ENV") or os.environ.get("PDSERVICE_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PDSERVICE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")

    default_db = "sqlite:///" + str(Path(instance_path) / "pdservice.db")
    cfg: dict[str, Any] = {
        "ENV": env,
        "TESTING": env == "testing",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        ),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("PDSERVICE_SECURE_COOKIES")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(os.environ.get("PDSERVICE_SECURE_COOKIES")),
        "PERMANENT_SESSION_LIFETIME": _int("PDSERVICE_SESSION_HOURS", 10) * 3600,
        # Uploads larger than this answer 413 before any parsing.
        "MAX_CONTENT_LENGTH": _int("PDSERVICE_MAX_UPLOAD_BYTES", 2 * 1024 * 1024),
        # Languages
        "BABEL_DEFAULT_LOCALE": os.environ.get("PDSERVICE_DEFAULT_LANGUAGE", "fi"),
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "LANGUAGES": ("fi", "sv", "en"),
        # Sign-in throttling: after LOGIN_MAX_FAILURES failures on one account within
        # LOGIN_WINDOW_MINUTES, further attempts are refused until the window has passed.
        "LOGIN_MAX_FAILURES": _int("PDSERVICE_LOGIN_MAX_FAILURES", 5),
        "LOGIN_WINDOW_MINUTES": _int("PDSERVICE_LOGIN_WINDOW_MINUTES", 15),
        "PASSWORD_MIN_LENGTH": 10,
        "LOGIN_ATTEMPT_RETENTION_DAYS": _int("PDSERVICE_LOGIN_ATTEMPT_RETENTION_DAYS", 90),
        "PASSWORD_HASH_METHOD": os.environ.get("PDSERVICE_PASSWORD_HASH", "scrypt"),
        # Mail (SMTP); delivery happens in the jobs process.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(os.environ.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "pdservice@localhost"),
        "MAIL_ENABLED": _bool(os.environ.get("MAIL_ENABLED"), default=True),
        # The address users reach the service at, for links in mails and calendar feeds.
        "PUBLIC_BASE_URL": os.environ.get("PDSERVICE_PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Jobs process
        "JOBS_HEARTBEAT_SECONDS": _int("PDSERVICE_JOBS_HEARTBEAT_SECONDS", 30),
        "JOBS_LOCK_RENEW_SECONDS": _int("PDSERVICE_JOBS_LOCK_RENEW_SECONDS", 10),
        "JOBS_LOCK_STALE_SECONDS": _int("PDSERVICE_JOBS_LOCK_STALE_SECONDS", 45),
        # Mail delivery by the jobs process: how often, how many per round, how many
        # attempts (with growing pauses) before a mail is marked failed.
        "MAIL_DELIVERY_SECONDS": _int("PDSERVICE_MAIL_DELIVERY_SECONDS", 30),
        "MAIL_BATCH_SIZE": _int("PDSERVICE_MAIL_BATCH_SIZE", 100),
        "MAIL_MAX_ATTEMPTS": _int("PDSERVICE_MAIL_MAX_ATTEMPTS", 8),
        "MAIL_TIMEOUT_SECONDS": _int("PDSERVICE_MAIL_TIMEOUT_SECONDS", 20),
        # Training: reminders this many days before each session date; hours per VESO day.
        "REMINDER_DAYS_BEFORE": _int("PDSERVICE_REMINDER_DAYS_BEFORE", 2),
        "VESO_HOURS_PER_DAY": _decimal("PDSERVICE_VESO_HOURS_PER_DAY", "6"),
        # Demo
        "DEMO_PASSWORD": os.environ.get("PDSERVICE_DEMO_PASSWORD"),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
    }
    cfg.update(overrides)
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(cfg["SQLALCHEMY_DATABASE_URI"])

    if not cfg.get("SECRET_KEY"):
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                "random value (for example: python -c 'import secrets; "
                "print(secrets.token_hex(32))') before starting pdservice in production."
            )
        cfg["SECRET_KEY"] = _instance_secret(instance_path) if env == "development" else "test"
    if env == "development" and not cfg.get("DEMO_PASSWORD"):
        cfg["DEMO_PASSWORD"] = DEVELOPMENT_DEMO_PASSWORD
    return cfg


DEVELOPMENT_DEMO_PASSWORD = "demo-salasana-2025"


def _instance_secret(instance_path: str) -> str:
    """Development only: one random key kept in the instance folder across restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
