"""Demo data for `make run`: one user per role, and the work they see.

Safe to run again and again: every row is found or created by a natural key.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import actionplans.seed
import casefiles.seed
import dashboard.seed
import inspections.seed
from accounts.models import User
from forces.models import Force

DEFAULT_PASSWORD = "inspect-children-safely"  # noqa: S105 - demo users only

DEMO_USERS = [
    ("admin@example.org", "Ada Admin", User.Role.ADMIN, None),
    ("lead.inspector@example.org", "Lena Lead", User.Role.LEAD_INSPECTOR, None),
    ("inspector@example.org", "Ian Inspector", User.Role.INSPECTOR, None),
    ("force.lead@example.org", "Faye Forcelead", User.Role.FORCE_LEAD, "greater-manchester"),
    ("other.force.lead@example.org", "Owen Other", User.Role.FORCE_LEAD, "cleveland"),
]


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=(
                "Password for every demo user. Without it, a demo user created now gets "
                f"{DEFAULT_PASSWORD!r} and one that exists keeps theirs."
            ),
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off")

    @transaction.atomic
    def handle(self, *args, password: str | None, force: bool, **options):
        # The demo users' password is published (README) and the first to sign
        # in with it sets up their own authenticator app: on a production
        # database the demo admin would be anyone's.
        if not (settings.DEBUG or force):
            raise CommandError(
                "seed_demo makes users with a published password: run with DEBUG on, or --force"
            )
        for email, full_name, role, force_slug in DEMO_USERS:
            user, created = User.objects.update_or_create(
                email=email,
                defaults={
                    "full_name": full_name,
                    "role": role,
                    "force": Force.objects.get(slug=force_slug) if force_slug else None,
                    "is_staff": role == User.Role.ADMIN,
                    "is_superuser": role == User.Role.ADMIN,
                    "is_active": True,
                },
            )
            # `make run` seeds at every start: a password changed since (on
            # Your account) is kept unless a new one is asked for.
            if created or password:
                user.set_password(password or DEFAULT_PASSWORD)
                user.save(update_fields=["password"])
        # Each app adds its own demo data, in dependency order.
        for seed in (
            inspections.seed.seed,
            casefiles.seed.seed,
            actionplans.seed.seed,
            dashboard.seed.seed,
        ):
            seed(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Sign in at {settings.SERVICE_URL}/ with:")
        )
        for email, _, role, force_slug in DEMO_USERS:
            where = f" ({force_slug.replace('-', ' ').title()})" if force_slug else ""
            self.stdout.write(f"  {email:<32} {User.Role(role).label}{where}")
        if password:
            self.stdout.write(f"  password for all: {password}")
        else:
            self.stdout.write(
                f"  password: {DEFAULT_PASSWORD} (unless changed since; "
                "seed_demo --password sets a new one for all)"
            )
