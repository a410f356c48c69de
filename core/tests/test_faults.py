"""Fault tests against the real database: a dropped connection recovers.

These go through live_server, not the test client: the test client switches
off Django's per-request connection checks, which are what is under test.
"""

import socket
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL to kill a backend"
    ),
]


def _kill_other_connections() -> int:
    """Terminate every other session on this database, as a failover would."""
    import psycopg2

    params = connection.get_connection_params()
    with psycopg2.connect(**params) as killer, killer.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _get(url: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


@pytest.mark.parametrize("conn_max_age", [0, 600])
def test_next_request_succeeds_after_the_database_connection_drops(
    live_server, client_for, admin_user, conn_max_age
):
    # The settings dict is shared by every thread's connection, the live server's too.
    connection.settings_dict["CONN_MAX_AGE"] = conn_max_age
    try:
        session = client_for(admin_user).cookies["sessionid"].value
        url = live_server.url + reverse("forces:list")
        assert _get(url, session)[0] == 200
        assert _kill_other_connections() >= 1
        status, html = _get(url, session)
        assert status == 200
        assert "43 forces" in html
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


def test_healthz_is_503_while_the_database_is_unreachable(live_server):
    # As if PostgreSQL had stopped: the live server's next connection goes to
    # a port nothing listens on. The load balancer takes this process out.
    url = live_server.url + "/healthz"
    assert _status(url) == 200
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "9"
    try:
        assert _status(url) == 503
    finally:
        connection.settings_dict["PORT"] = port
        connection.close()
    assert _status(url) == 200


def _status(url: str, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_healthz_is_503_soon_while_the_database_takes_connections_and_never_answers(live_server):
    """A database that hangs (packets dropped, a failover half done) rather
    than refusing: found by the on-call review, a new connection waited for
    ever, so /healthz never answered and neither did any page."""
    url = live_server.url + "/healthz"
    port = connection.settings_dict["PORT"]
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        connection.settings_dict["PORT"] = str(silent.getsockname()[1])
        try:
            started = time.monotonic()
            assert _status(url, timeout=30) == 503
            assert time.monotonic() - started < 15
        finally:
            connection.settings_dict["PORT"] = port
            connection.close()
    assert _status(url) == 200
