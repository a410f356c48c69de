from django.core.management import call_command

from accounts.models import User


def test_seed_demo_is_idempotent_and_prints_sign_in_details(db, capsys):
    call_command("seed_demo", password="a-long-demo-password")
    call_command("seed_demo", password="a-long-demo-password")
    out = capsys.readouterr().out
    assert "admin@example.org" in out
    assert "a-long-demo-password" in out
    # The five demo users, and the lead inspector of the history (dashboard.seed).
    assert User.objects.count() == 6
    lead = User.objects.get(email="force.lead@example.org")
    assert lead.force.slug == "greater-manchester"
    assert User.objects.get(email="other.force.lead@example.org").force.slug == "cleveland"
    assert lead.check_password("a-long-demo-password")


def test_a_second_seed_keeps_a_password_changed_since(db, capsys):
    # `make run` seeds at every start: it reset a password changed on Your account.
    call_command("seed_demo")
    lead = User.objects.get(email="force.lead@example.org")
    assert lead.check_password("inspect-children-safely")
    lead.set_password("a-password-of-her-own")
    lead.save()
    call_command("seed_demo")
    lead.refresh_from_db()
    assert lead.check_password("a-password-of-her-own")
    call_command("seed_demo", password="a-long-demo-password")  # asked for: set for all
    lead.refresh_from_db()
    assert lead.check_password("a-long-demo-password")


def test_the_demo_inspector_leads_nothing(db):
    from inspections.models import Inspection

    call_command("seed_demo")
    led = Inspection.objects.exclude(lead_inspector__role=User.Role.LEAD_INSPECTOR)
    assert not led.exists()
    history = User.objects.get(email="history.lead@example.org")
    assert not history.has_usable_password()
    # Nobody is sent a link to set one, even by asking (found by a review).
    from accounts.services import password_turned_off

    assert password_turned_off(history)
    assert Inspection.objects.filter(lead_inspector=history).count() >= 25
