"""A tiny SMTP server on loopback, for tests of what the real SMTP backend
does when a mail server refuses: the edge itself, not a mock of it.

It accepts everything unless told otherwise: ``replies`` maps an address (or
"MAIL" for the sender, "DATA" for the message) to the reply to give, like
``"550 5.1.1 No such user"``. It counts the RCPT commands each address got
(``tries``) and keeps the recipients of each message it accepted
(``delivered``).
"""

import re
import socketserver
import threading
from collections import Counter

import pytest


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: SMTPServer = self.server  # type: ignore[assignment]
        recipients: list[str] = []
        self.reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                recipients = []
                self.reply(server.replies.get("MAIL", "250 2.1.0 OK"))
            elif verb == "RCPT":
                address = re.search(r"<([^>]*)>", command).group(1).lower()
                server.tries[address] += 1
                answer = server.replies.get(address, "250 2.1.5 OK")
                if answer.startswith("2"):
                    recipients.append(address)
                self.reply(answer)
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                answer = server.replies.get("DATA", "250 2.0.0 Queued")
                if answer.startswith("2"):
                    server.delivered.append(recipients)
                self.reply(answer)
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 2.0.0 OK")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.replies: dict[str, str] = {}
        self.tries: Counter = Counter()
        self.delivered: list[list[str]] = []

    def refuse(self, what: str, reply: str) -> None:
        self.replies[what if what in ("MAIL", "DATA") else what.lower()] = reply


@pytest.fixture
def smtp_server(settings):
    """A loopback SMTP server, and the service's mail sent to it by Django's
    real SMTP backend (rather than the tests' in-memory outbox)."""
    server = SMTPServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.server_address[1], "timeout": 5},
        }
    }
    yield server
    server.shutdown()
    server.server_close()
