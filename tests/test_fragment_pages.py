"""Every key page served from the fragment cache (core/fragments.py):

- opened again, it runs fewer queries (its body comes from the cache) and
  shows the same main content, byte for byte, as when it was drawn;
- after any committed write, it is drawn afresh, with all its queries, and
  shows what the page draws with the cache turned off.

With core/tests/test_fragments.py, which shows that every kind of committed
write (save, QuerySet.update, bulk delete, raw SQL) starts a new data version,
this is why no page can show data older than the last commit.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from forces.models import Force
from tests.test_query_budgets import PAGES, World

pytestmark = pytest.mark.django_db(transaction=True)

CACHED = {name: page for name, page in PAGES.items() if not name.startswith("export")}


def main(html: str) -> str:
    html = html[html.index("<main") : html.index("</main>")]
    # Each drawing masks the CSRF token afresh; the secret under it is the same.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def fetch(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return main(response.content.decode()), len(captured)


@pytest.fixture
def world():
    from accounts.tests.factories import UserFactory
    from casefiles.tests.factories import ensure_categories

    ensure_categories()  # an earlier transactional test may have flushed them
    call_command("seed_scale", factor=0.05, seed=7, force=True, stdout=io.StringIO())
    return World(UserFactory(email="fragments.admin@example.org", role=User.Role.ADMIN))


def test_every_key_page_is_cached_until_the_data_changes(world):
    problems = []
    force = Force.objects.exclude(pk=world.inspection.force_id).first()
    for name, page in CACHED.items():
        client, url = world.clients[page.role], world.url(page)
        drawn, drawn_queries = fetch(client, url)
        served, served_queries = fetch(client, url)
        if served_queries >= drawn_queries:
            problems.append(f"{name}: {served_queries} queries served, {drawn_queries} drawn")
        if served != drawn:
            problems.append(f"{name}: served content differs from what was drawn")
        # Any committed write, even one that changes nothing shown.
        Force.objects.filter(pk=force.pk).update(short_name=force.short_name)
        redrawn, redrawn_queries = fetch(client, url)
        if redrawn_queries != drawn_queries:
            problems.append(f"{name}: {redrawn_queries} queries after a write, not redrawn")
        with override_settings(FRAGMENT_CACHE=False):
            uncached, _ = fetch(client, url)
        if redrawn != uncached:
            problems.append(f"{name}: differs from the page drawn without the cache")
    assert not problems, "\n".join(problems)


def test_sign_in_bookkeeping_is_shown_on_no_cached_page(world):
    """core.fragments ignores the writes of signing in. That is safe only
    while no cached page shows any of it: change all of it, for everyone,
    and every page is drawn the same."""
    from datetime import UTC, datetime

    from axes.models import AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def pages() -> dict:
        with override_settings(FRAGMENT_CACHE=False):
            return {
                name: fetch(world.clients[p.role], world.url(p))[0] for name, p in CACHED.items()
            }

    mine = [user.pk for user in world.users.values()]
    for someone in User.objects.exclude(pk__in=mine)[:20]:
        TOTPDevice.objects.create(user=someone, name="Phone", confirmed=True)
    before = pages()
    odd = datetime(2001, 2, 3, 4, 5, tzinfo=UTC)
    User.objects.update(last_login=odd)
    # Whether someone else has confirmed their device (one's own decides, in
    # the frame and never cached, whether one is let in at all).
    TOTPDevice.objects.exclude(user__in=mine).update(confirmed=False)
    TOTPDevice.objects.update(
        name="Renamed device",
        last_t=1,
        throttling_failure_count=9,
        throttling_failure_timestamp=odd,
        last_used_at=odd,
    )
    AccessLog.objects.create(username=world.users["admin"].email, ip_address="192.0.2.1")
    after = pages()
    changed = [name for name in CACHED if before[name] != after[name]]
    assert changed == [], f"these pages show sign-in bookkeeping: {changed}"


def test_someone_signing_in_keeps_the_cached_pages(world):
    from django.test import Client

    page = CACHED["programme"]
    client, url = world.clients[page.role], world.url(page)
    drawn, drawn_queries = fetch(client, url)
    someone = world.users["lead"]
    Client().force_login(someone)  # last_login, the session, axes' log
    someone.refresh_from_db()
    assert someone.last_login is not None
    served, served_queries = fetch(client, url)
    assert served == drawn and served_queries < drawn_queries
