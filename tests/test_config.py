"""Configuration from the environment."""

import pytest

from pdservice import create_app
from pdservice.config import ConfigError, load_config, normalise_database_url


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PDSERVICE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(str(tmp_path))


def test_development_keeps_a_generated_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PDSERVICE_ENV", "development")
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_unknown_environment_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PDSERVICE_ENV", "staging")
    with pytest.raises(ConfigError, match="PDSERVICE_ENV"):
        load_config(str(tmp_path))


def test_database_url_defaults_to_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    cfg = load_config(str(tmp_path), {"ENV": "testing"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/pdservice.db"


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_use_psycopg3(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u@h/db"


def test_environment_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("PDSERVICE_DEFAULT_LANGUAGE", "sv")
    monkeypatch.setenv("PDSERVICE_SECURE_COOKIES", "1")
    cfg = load_config(str(tmp_path), {"ENV": "testing"})
    assert cfg["MAIL_SERVER"] == "smtp.example.org" and cfg["MAIL_PORT"] == 587
    assert cfg["BABEL_DEFAULT_LOCALE"] == "sv"
    assert cfg["SESSION_COOKIE_SECURE"] is True


def test_bad_number_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        load_config(str(tmp_path), {"ENV": "testing"})


def test_web_app_never_starts_a_scheduler(tmp_path):
    """Creating the app (as every gunicorn worker does) starts no scheduler thread."""
    import threading

    before = {t.name for t in threading.enumerate()}
    create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    after = {t.name for t in threading.enumerate()}
    assert not [n for n in after - before if "APScheduler" in n or "scheduler" in n.lower()]
