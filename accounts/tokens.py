"""The tokens in emailed links to set a password."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from core.models import AuditEvent

# A link stops working when any of these happens after it was made: a newer
# link is sent, or an admin deactivates, reactivates or resets the account's
# two-factor authentication (a changed phone, a suspected compromise). It
# also ends when the person's role, force or Django admin rights change: a
# link sent for one set of rights does not let anyone in with another.
ENDS_LINKS = [
    "user_password_link_sent",
    "user_deactivated",
    "user_reactivated",
    "user_two_factor_reset",
]


class PasswordLinkTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens (signed with the password hash, the last sign-in
    and the email address, so a link works once and dies with either
    change), which also end with the events in ENDS_LINKS and with a change
    of role, force or admin rights."""

    key_salt = "accounts.tokens.PasswordLinkTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        latest = (
            AuditEvent.objects.for_object(user)
            .filter(action__in=ENDS_LINKS)
            .order_by("-at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        rights = f"{user.role}|{user.force_id}|{user.is_staff}|{user.is_superuser}"
        # A deactivation in the Django admin records no ENDS_LINKS event, but
        # stamps this, as one on the Users pages does.
        ended = user.sessions_ended_at
        return (
            f"{super()._make_hash_value(user, timestamp)}|{user.is_active}|{latest}|{rights}"
            f"|{ended.isoformat() if ended else ''}"
        )


password_link_tokens = PasswordLinkTokenGenerator()
