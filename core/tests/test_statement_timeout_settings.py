"""DATABASE_STATEMENT_TIMEOUT: PostgreSQL's statement_timeout in libpq's
connection options, 30 seconds for web (config/wsgi.py) and none elsewhere."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import statement_timeout_options

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


def _postgresql(**options) -> dict:
    return {"ENGINE": POSTGRESQL, "OPTIONS": {"connect_timeout": 5, **options}}


def test_no_timeout_when_the_variable_is_unset(monkeypatch):
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT", raising=False)
    assert statement_timeout_options(_postgresql()) == {"connect_timeout": 5}


def test_no_timeout_when_the_variable_is_0(monkeypatch):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "0")
    assert statement_timeout_options(_postgresql()) == {"connect_timeout": 5}


def test_seconds_become_milliseconds_in_the_connection_options(monkeypatch):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "30")
    assert statement_timeout_options(_postgresql()) == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=30000",
    }


def test_options_from_the_database_url_are_kept_and_win(monkeypatch):
    # PostgreSQL applies the options in order: the URL's own come last.
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "30")
    database = _postgresql(options="-c search_path=inspections -c statement_timeout=5000")
    assert statement_timeout_options(database)["options"] == (
        "-c statement_timeout=30000 -c search_path=inspections -c statement_timeout=5000"
    )
    assert database["OPTIONS"]["options"].startswith("-c search_path")  # not changed in place


def test_sqlite_is_left_alone(monkeypatch):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "30")
    database = {"ENGINE": SQLITE, "OPTIONS": {"timeout": 20}}
    assert statement_timeout_options(database) == {"timeout": 20}


@pytest.mark.parametrize("value", ["-1", "thirty", "1.5"])
def test_a_value_that_is_not_whole_seconds_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_STATEMENT_TIMEOUT"):
        statement_timeout_options(_postgresql())


def _database_options(module: str, **env: str) -> str:
    """The OPTIONS a fresh process gets on importing the module, so this
    process's own settings are left as they are."""
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_STATEMENT_TIMEOUT"}
    clean.update(
        DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/inspections?options=-c%20search_path%3Dx",
        **env,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {module}; from django.conf import settings; "
            "print(settings.DATABASES['default']['OPTIONS'].get('options'))",
        ],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_web_processes_get_30_seconds_from_config_wsgi():
    assert _database_options("config.wsgi") == "-c statement_timeout=30000 -c search_path=x"


def test_web_processes_take_the_variable_when_it_is_given():
    assert _database_options("config.wsgi", DATABASE_STATEMENT_TIMEOUT="0") == "-c search_path=x"
    assert _database_options("config.wsgi", DATABASE_STATEMENT_TIMEOUT="5") == (
        "-c statement_timeout=5000 -c search_path=x"
    )


def test_workers_and_commands_get_no_timeout_unless_the_variable_is_set():
    # Celery (config.celery) and manage.py load the settings without config.wsgi.
    assert _database_options("config.celery") == "-c search_path=x"
