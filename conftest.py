import gc
import os

import pytest

from tests.smtp import smtp_server  # noqa: F401  (a loopback SMTP server)

# Playwright's sync API runs an event loop in the test thread, and the tests
# touch the ORM from that same thread; Django would refuse without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(live_server, django_db_setup):
    """pytest-django's live server; and, once the session's browser tests are
    done, every database connection closed before the test database is
    dropped. Django keeps a connection per context (asgiref's Local), and
    Playwright's sync API leaves the test thread in more than one, so a
    connection opened in another context outlived pytest-django's close_all
    and dropping the database warned "being accessed by other users"."""
    yield live_server
    from django.db.backends.base.base import BaseDatabaseWrapper

    for wrapper in gc.get_objects():
        if isinstance(wrapper, BaseDatabaseWrapper) and wrapper.connection is not None:
            wrapper.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def force_a(db):
    from forces.tests.factories import force

    return force("greater-manchester")


@pytest.fixture
def force_b(db):
    from forces.tests.factories import force

    return force("cleveland")


@pytest.fixture
def admin_user(db):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    return UserFactory(email="admin@example.org", full_name="Ada Admin", role=User.Role.ADMIN)


@pytest.fixture
def staff(admin_user):
    """The admin, with the Django admin's rights too (a superuser)."""
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    return admin_user


@pytest.fixture
def lead_inspector(db):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    return UserFactory(
        email="lead@example.org", full_name="Lena Lead", role=User.Role.LEAD_INSPECTOR
    )


@pytest.fixture
def inspector(db):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    return UserFactory(
        email="inspector@example.org", full_name="Ian Inspector", role=User.Role.INSPECTOR
    )


@pytest.fixture
def other_inspector(db):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    # A lead inspector: tests have her lead another force's inspection, and
    # only an active lead inspector may (inspections.services._check_people).
    return UserFactory(
        email="other.inspector@example.org",
        full_name="Olga Outsider",
        role=User.Role.LEAD_INSPECTOR,
    )


@pytest.fixture
def force_lead_a(force_a):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    return UserFactory(
        email="lead.a@example.org",
        full_name="Faye Forcelead",
        role=User.Role.FORCE_LEAD,
        force=force_a,
    )


@pytest.fixture
def force_lead_b(force_b):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    return UserFactory(
        email="lead.b@example.org", full_name="Owen Other", role=User.Role.FORCE_LEAD, force=force_b
    )


@pytest.fixture
def client_for(client):
    """client_for(user): the test client, signed in as that user, with their code given."""

    def sign_in(user):
        from accounts.tests.factories import signed_in

        return signed_in(client, user)

    return sign_in


@pytest.fixture(autouse=True)
def _forces_present(request):
    """Transactional tests flush every table after them, the 43 forces too.

    The forces come from a data migration, so tests that run after a flush
    would find none; put them back before each transactional test.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        from forces.tests.factories import ensure_forces

        request.getfixturevalue("transactional_db")
        ensure_forces()


@pytest.fixture(autouse=True)
def _empty_fragment_cache():
    """Each test starts with no cached fragments: a test's pages must not be
    served from another test's data (core/fragments.py)."""
    from django.core.cache import cache

    from core import fragments

    fragments._State.paused_until, fragments._State.owed = 0.0, False
    cache.clear()


def pytest_collection_modifyitems(config, items):
    """Playwright's fixtures are for browser tests (marked "browser") only. A
    test that took one by accident (a parameter named "page") was run in a
    browser, and pytest then moved every browser test, each flushing the
    database, before half the suite's ordinary tests, which failed by the
    dozen without the 43 forces (found when CI did)."""
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and item.get_closest_marker("browser") is None
    ]
    if strays:
        raise pytest.UsageError(f"Playwright's fixtures outside a browser test: {strays[:3]}")
