"""Emails printed as people read them, for `make run`.

Django's console backend prints the MIME message: quoted-printable, so a long
link breaks over two lines with a trailing "=", and curly quotes read
"=E2=80=98". Found by a newcomer's first run: the link to set a password,
copied from the terminal, was dead. This prints who it is to, the subject and
the plain text as it is. Development only (settings use it with DEBUG on).
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        self.stream.write(
            f"From: {message.from_email}\n"
            f"To: {', '.join(message.to)}\n"
            f"Subject: {message.subject}\n\n"
            f"{message.body}\n"
        )
        self.stream.write("-" * 79 + "\n")
