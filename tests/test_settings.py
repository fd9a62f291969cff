"""Configuration from the environment; production refuses an unsafe configuration."""

import os
import subprocess
import sys

import pytest

GOOD_SECRET = "k3J9x-" * 10


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    full.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [sys.executable, "-m", "rapport.cli", "check", "--deploy", "--fail-level", "CRITICAL"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "SECRET_KEY is missing or insecure"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is missing or insecure"),
        ({"SECRET_KEY": GOOD_SECRET, "DEBUG": "1"}, "DEBUG must be off"),
    ],
)
def test_production_refuses_unsafe_settings(env, message):
    result = _check(env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_safe_settings(tmp_path):
    result = _check(
        {
            "SECRET_KEY": GOOD_SECRET,
            "ALLOWED_HOSTS": "crm.example.com",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )

    assert result.returncode == 0, result.stderr


def test_database_url_selects_the_database():
    code = (
        "import django;from django.conf import settings;django.setup();"
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": "postgres://u:p@db.example:5432/crm",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()

    assert out == ["django.db.backends.postgresql", "crm"]
