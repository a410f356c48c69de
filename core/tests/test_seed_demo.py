import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts.models import User


def test_seed_demo_is_idempotent_and_prints_sign_in_details(db, capsys):
    call_command("seed_demo", force=True, password="a-long-demo-password")
    call_command("seed_demo", force=True, password="a-long-demo-password")
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
    call_command("seed_demo", force=True)
    lead = User.objects.get(email="force.lead@example.org")
    assert lead.check_password("inspect-children-safely")
    lead.set_password("a-password-of-her-own")
    lead.save()
    call_command("seed_demo", force=True)
    lead.refresh_from_db()
    assert lead.check_password("a-password-of-her-own")
    call_command("seed_demo", force=True, password="a-long-demo-password")  # asked for: set for all
    lead.refresh_from_db()
    assert lead.check_password("a-long-demo-password")


def test_seed_demo_refuses_with_debug_off(db, settings):
    # Its users' password is in the README, and whoever signs in with it sets
    # up their own authenticator app: on production it would have made an
    # admin anyone could be.
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_the_demo_inspector_leads_nothing(db):
    from inspections.models import Inspection

    call_command("seed_demo", force=True)
    led = Inspection.objects.exclude(lead_inspector__role=User.Role.LEAD_INSPECTOR)
    assert not led.exists()
    history = User.objects.get(email="history.lead@example.org")
    assert not history.has_usable_password()
    # Nobody is sent a link to set one, even by asking (found by a review).
    from accounts.services import password_turned_off

    assert password_turned_off(history)
    assert Inspection.objects.filter(lead_inspector=history).count() >= 25


def test_no_demo_topic_with_a_cause_of_concern_is_graded_good_or_adequate(db):
    # The scale: a cause of concern is a serious, critical or systemic
    # shortcoming, and "Inadequate: there are causes of concern, with
    # recommendations". The demo graded investigation good (Dorset's
    # published report, Kent, West Yorkshire) or adequate (Merseyside) beside
    # its cause of concern and a rationale of delayed, unsupervised cases.
    from inspections.models import Finding, Grade, Judgment

    call_command("seed_demo", force=True)
    concerns = Finding.objects.filter(kind__in=Finding.CONCERN_KINDS)
    graded = Judgment.objects.exclude(grade="").filter(
        inspection__findings__in=concerns, topic=F("inspection__findings__topic")
    )
    assert graded.exists()
    assert set(graded.values_list("grade", flat=True)) <= {
        Grade.REQUIRES_IMPROVEMENT,
        Grade.INADEQUATE,
    }
