"""Sessions end after 30 minutes idle and 12 hours after sign-in."""

from datetime import timedelta

import time_machine

NOW = "2027-03-01 09:00:00+00:00"


def test_29_minutes_idle_keeps_you_signed_in(client_for, inspector):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(inspector)
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200


def test_30_minutes_idle_signs_you_out_and_says_why(client_for, inspector):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(inspector)
        clock.shift(timedelta(minutes=30, seconds=1))
        response = client.get("/forces/")
        assert response.status_code == 302
        assert response.url == "/account/sign-in/?next=/forces/"
        assert "_auth_user_id" not in client.session
        html = client.get(response.url).content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in html


def test_each_request_restarts_the_idle_clock(client_for, inspector):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(inspector)
        for _ in range(4):
            clock.shift(timedelta(minutes=25))
            assert client.get("/").status_code == 200


def test_12_hours_after_sign_in_you_are_signed_out_however_busy(client_for, inspector):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(inspector)
        for _ in range(47):  # a request every quarter of an hour for 11 h 45 min
            clock.shift(timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=15))
        response = client.get("/")
        assert response.status_code == 302
        html = client.get(response.url).content.decode()
    assert "You were signed out because you signed in more than 12 hours ago" in html


def test_the_notice_is_shown_once(client_for, inspector):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(inspector)
        clock.shift(timedelta(hours=1))
        client.get("/")
        assert "You were signed out" in client.get("/account/sign-in/").content.decode()
        assert "You were signed out" not in client.get("/account/sign-in/").content.decode()


def test_most_requests_do_not_write_the_session(client_for, inspector, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(inspector)
        clock.shift(timedelta(seconds=30))
        # The session, the user and their authenticator app: nothing written.
        with django_assert_num_queries(3):
            client.get("/accessibility/")
