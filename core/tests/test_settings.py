"""Start-up configuration: bad values stop the process and name the variable."""

import os
import subprocess
import sys

import pytest

# What production names that development takes for granted, besides
# SECRET_KEY and SERVICE_URL (the tests of those leave them out).
PRODUCTION = {
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "PRIVATE_STORAGE_ROOT": "/srv/inspections/private",
    "PROXY_COUNT": "1",
}


def _import_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DEBUG", "SECRET_KEY", "SERVICE_URL"}
    }
    clean.update(PRODUCTION)
    clean.update(env)
    clean = {k: v for k, v in clean.items() if v is not None}  # None: unset
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.TIME_ZONE, s.LANGUAGE_CODE)"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("service_url", "message"),
    [
        ("", "SERVICE_URL must be set when DEBUG is off"),
        ("http://inspections.example.org", "SERVICE_URL must start with https://"),
    ],
)
def test_production_needs_an_https_service_url_for_emailed_links(service_url, message):
    result = _import_settings(SECRET_KEY="x" * 50, SERVICE_URL=service_url)
    assert result.returncode != 0
    assert message in result.stderr
    fine = _import_settings(SECRET_KEY="x" * 50, SERVICE_URL="https://inspections.example.org")
    assert fine.returncode == 0, fine.stderr


@pytest.mark.parametrize(
    ("variable", "why"),
    [
        ("CELERY_BROKER_URL", "the Redis that web and the workers share"),
        ("PRIVATE_STORAGE_ROOT", "a folder every web and worker process shares"),
        ("PROXY_COUNT", "the number of proxies in front of web, or 0"),
    ],
)
def test_production_names_what_one_machine_would_take_for_granted(variable, why):
    # A folder broker, a folder of uploads on each machine, or no proxy
    # counted each went wrong quietly with more than one machine.
    production = {"SECRET_KEY": "x" * 50, "SERVICE_URL": "https://x.example.org"}
    result = _import_settings(**production, **{variable: None})
    assert result.returncode != 0
    assert f"{variable} must be set when DEBUG is off: {why}" in result.stderr
    assert _import_settings(**production, **{variable: None}, DEBUG="true").returncode == 0
    assert _import_settings(**production, PROXY_COUNT="0").returncode == 0


def test_debug_runs_without_a_secret_key_in_london_time():
    result = _import_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Europe/London en-gb"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("CONN_MAX_AGE", "forever"),
        ("DATABASE_URL", "nonsense://x"),
        ("CELERY_BROKER_URL", "carrier-pigeon://loft"),
        ("REMINDER_DAYS_BEFORE", "a week"),
        ("REMINDER_DAYS_BEFORE", "7,-1"),
        ("REMINDER_DAYS_BEFORE", "7,²"),
        ("SECOND_REVIEW_SHARE", "ten per cent"),
        ("SECOND_REVIEW_SHARE", "10"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_names_the_variable(variable, value):
    env = {"SECRET_KEY": "x" * 50, "SERVICE_URL": "https://x.example.org", variable: value}
    result = _import_settings(**env)
    assert result.returncode != 0
    # The message itself, not the traceback's quoted source line, names it
    # (found on call: "invalid literal for int()" named nothing).
    assert variable in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("level", ["WARN", "WARNING", "DEBUG"])
def test_every_level_logging_takes_starts(level):
    """Found by a code review: WARN, which logging takes, was refused, so a
    deployment that set it would no longer start."""
    env = {"SECRET_KEY": "x" * 50, "SERVICE_URL": "https://x.example.org", "LOG_LEVEL": level}
    result = _import_settings(**env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.smtp.EmailBackend",
    ],
)
def test_any_mail_backend_opens_with_debug_off(backend):
    # SMTP's host and port go only to SMTP: locmem refuses unknown options.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.mail import get_connection; "
            "print(type(get_connection()).__module__)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}},
            **PRODUCTION,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x" * 50,
            "SERVICE_URL": "https://inspections.example.org",
            "EMAIL_BACKEND": backend,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend.rsplit(".", 1)[0]


def _smtp_connection(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.mail import get_connection; "
            "c = get_connection(); print(c.host, c.port, c.use_tls, c.use_ssl, c.username, "
            "bool(c.password), c.timeout)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}},
            **PRODUCTION,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x" * 50,
            "SERVICE_URL": "https://inspections.example.org",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_smtp_relay_with_a_password_is_reached_over_tls():
    relay = {"EMAIL_HOST": "smtp.example.org", "EMAIL_HOST_USER": "inspections"}
    relay["EMAIL_HOST_PASSWORD"] = "relay-secret"  # noqa: S105 (a test value)
    result = _smtp_connection(**relay, EMAIL_PORT="587", EMAIL_USE_TLS="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "smtp.example.org", "587", "True", "False", "inspections", "True", "30"
    ]  # fmt: skip
    # Never the password in clear: refused at start-up, naming what to set.
    refused = _smtp_connection(**relay)
    assert refused.returncode != 0
    assert "need EMAIL_USE_TLS or EMAIL_USE_SSL" in refused.stderr
    both = _smtp_connection(EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")
    assert both.returncode != 0
    assert "cannot both be true" in both.stderr
    local = _smtp_connection()  # a local relay, as before: no user, no TLS
    assert local.returncode == 0, local.stderr
    assert local.stdout.split()[:4] == ["localhost", "25", "False", "False"]


def _fragment_setting(**env) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DEBUG", "CACHE_URL", "FRAGMENT_CACHE"}
    }
    clean.update(PRODUCTION)
    clean.update(SECRET_KEY="x" * 50, SERVICE_URL="https://inspections.example.org", **env)
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.FRAGMENT_CACHE)"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_fragments_are_not_cached_in_production_without_a_shared_cache():
    # Each machine's var/ would hold its own data version: one machine's
    # writes would not reach another's fragments.
    assert _fragment_setting() == "False"
    assert _fragment_setting(CACHE_URL="redis://127.0.0.1:6379/1") == "True"
    assert _fragment_setting(DEBUG="true") == "True"


def test_the_folder_broker_keeps_everything_under_var(tmp_path):
    # `make run`'s broker: a starting worker once wrote Kombu's exchange table
    # to ./control in the working tree, and it was committed.
    var, elsewhere = tmp_path / "var", tmp_path / "cwd"
    for folder in ("celery-queue", "celery-processed", "celery-control"):
        (var / folder).mkdir(parents=True)
    elsewhere.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from kombu import Exchange, Queue; "
            "from config.celery import app; conn = app.connection_for_write(); "
            # What a worker does as it starts: bind its queue for control commands.
            "Queue('probe', Exchange('celery.pidbox', type='fanout'))(conn.default_channel)"
            ".declare()",
        ],
        cwd=elsewhere,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION"}},
            "PYTHONPATH": os.getcwd(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "CELERY_BROKER_URL": "filesystem://",
            "VAR_DIR": str(var),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []
    assert (var / "celery-control" / "celery.pidbox.exchange").exists()


@pytest.mark.parametrize("inside", ["staticfiles/private", "static/uploads", "staticfiles"])
def test_the_private_files_cannot_be_put_where_static_files_are_served(inside, tmp_path):
    """Found by the uploads review: nothing stopped it."""
    from django.conf import settings

    base = settings.BASE_DIR
    env = {"DEBUG": "true", "STATIC_ROOT": str(base / "staticfiles")}
    result = _import_settings(PRIVATE_STORAGE_ROOT=str(base / inside), **env)
    assert result.returncode != 0
    assert "PRIVATE_STORAGE_ROOT" in result.stderr and "served to anyone" in result.stderr
    fine = _import_settings(PRIVATE_STORAGE_ROOT=str(tmp_path / "private"), **env)
    assert fine.returncode == 0, fine.stderr


@pytest.mark.parametrize("holder", [".", "..", "staticfiles/.."])
def test_the_private_files_folder_cannot_hold_the_code_or_static_files(holder):
    """Found by a code review: its nightly clean-up deletes every file in it
    that no upload names."""
    from django.conf import settings

    base = settings.BASE_DIR
    env = {"DEBUG": "true", "STATIC_ROOT": str(base / "staticfiles")}
    result = _import_settings(PRIVATE_STORAGE_ROOT=str(base / holder), **env)
    assert result.returncode != 0
    assert "must not hold" in result.stderr and "nightly clean-up" in result.stderr
