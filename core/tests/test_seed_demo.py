from django.core.management import call_command

from accounts.models import User


def test_seed_demo_is_idempotent_and_prints_sign_in_details(db, capsys):
    call_command("seed_demo", password="a-long-demo-password")
    call_command("seed_demo", password="a-long-demo-password")
    out = capsys.readouterr().out
    assert "admin@example.org" in out
    assert "a-long-demo-password" in out
    assert User.objects.count() == 5
    lead = User.objects.get(email="force.lead@example.org")
    assert lead.force.slug == "greater-manchester"
    assert User.objects.get(email="other.force.lead@example.org").force.slug == "cleveland"
    assert lead.check_password("a-long-demo-password")
