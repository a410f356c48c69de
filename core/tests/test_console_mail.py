from io import StringIO

from django.core.mail import EmailMessage

from core.console_mail import ReadableConsoleBackend


def test_an_email_in_the_terminal_keeps_its_link_whole_and_its_quotes():
    link = (
        "http://127.0.0.1:8000/account/set-password/" + "ZDhhYzczY2ItYTI4MC00" * 4 + "/dioexk-2d47/"
    )
    stream = StringIO()
    message = EmailMessage(
        subject="Set your password",
        body=f"Use this link to set your password:\n\n{link}\n\nIt’s for you alone.",
        from_email="no-reply@inspections.example.org",
        to=["new.person@example.org"],
    )
    assert ReadableConsoleBackend(stream=stream).send_messages([message]) == 1
    printed = stream.getvalue()
    assert f"\n{link}\n" in printed  # one line, no "=" break
    assert "It’s for you alone." in printed  # not =E2=80=99
    assert "To: new.person@example.org\nSubject: Set your password\n" in printed
