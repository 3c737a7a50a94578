"""Settings from the environment: bad values fail at start-up with a message naming the
variable, production refuses to start without a secret key, and production-like
settings pass `manage.py check --deploy` without a warning."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from collections_app.settings import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent


# Production needs PII keys too (core.checks): random ones, as a deployment has.
PII_ENV = {
    "PII_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
    "PII_HMAC_KEY": base64.b64encode(os.urandom(32)).decode(),
}


def test_env_bool_rejects_a_value_that_is_neither_true_nor_false(monkeypatch):
    monkeypatch.setenv("x", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"^x='maybe' is not a boolean"):
        env_bool("x", False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("x", raw)
    assert env_bool("x", not expected) is expected


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("x", raising=False)
    assert env_bool("x", True) is True


def test_env_int_rejects_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "a year")
    with pytest.raises(ImproperlyConfigured, match="SECURE_HSTS_SECONDS='a year'"):
        env_int("SECURE_HSTS_SECONDS", 0)
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "-1")
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        env_int("SECURE_HSTS_SECONDS", 0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " example.com, ,www.example.com ")
    assert env_list("ALLOWED_HOSTS", []) == ["example.com", "www.example.com"]


def test_env_time_zone_rejects_a_zone_that_does_not_exist(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Base")
    with pytest.raises(
        ImproperlyConfigured, match=r"TIME_ZONE='Mars/Base' is not an IANA time zone"
    ):
        env_time_zone("TIME_ZONE", "Asia/Shanghai")


def test_env_time_zone_accepts_an_iana_zone(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Europe/London")
    assert env_time_zone("TIME_ZONE", "Asia/Shanghai") == "Europe/London"


def test_env_database_rejects_an_unsupported_engine(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/collections")
    with pytest.raises(
        ImproperlyConfigured, match=r"DATABASE_URL='mysql://root@localhost/collections'"
    ):
        env_database("DATABASE_URL", "sqlite:///x.sqlite3")


def test_env_database_reads_postgres_and_sqlite_urls(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/collections")
    config = env_database("DATABASE_URL", "")
    # Django's backends, counting queries for /metrics (django-prometheus).
    assert config["ENGINE"] == "django_prometheus.db.backends.postgresql"
    assert config["NAME"] == "collections"
    assert config["PORT"] == 5432

    monkeypatch.delenv("DATABASE_URL")
    config = env_database("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert config["ENGINE"] == "django_prometheus.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_env_redis_url_rejects_other_schemes(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379/0")
    with pytest.raises(
        ImproperlyConfigured, match="REDIS_URL='http://127.0.0.1:6379/0'"
    ):
        env_redis_url("REDIS_URL")


def _start_django(**overrides: str | None) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with the given environment."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "collections_app.settings"}
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _start_django(SECRET_KEY=None, DEBUG="0", TESTING="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_start_up_fails_on_an_unknown_default_rule_pack():
    result = _start_django(DEFAULT_RULE_PACK="mars", DEBUG="1")
    assert result.returncode != 0
    assert "DEFAULT_RULE_PACK='mars'" in result.stderr
    assert "cn, us, uk" in result.stderr


def test_start_up_succeeds_with_a_secret_key_in_production():
    result = _start_django(
        SECRET_KEY=secrets.token_urlsafe(50), DEBUG="0", TESTING="0", **PII_ENV
    )
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(50),
        **PII_ENV,
        "DEBUG": "0",
        "TESTING": "0",
        "ALLOWED_HOSTS": "example.com",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_production_static_files_collect_with_hashed_names(tmp_path):
    # The Dockerfile runs this at build time; whitenoise's manifest storage fails on
    # any reference to a missing file (e.g. a vendored script's source map).
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(50),
        **PII_ENV,
        "DEBUG": "0",
        "TESTING": "0",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    assert "css/app.css" in manifest["paths"]


def test_an_unknown_identity_question_refuses_to_start():
    result = _start_django(
        SELF_SERVICE_IDENTITY_QUESTION="mothers_maiden_name", DEBUG="1"
    )
    assert result.returncode != 0
    assert "SELF_SERVICE_IDENTITY_QUESTION must be" in result.stderr
