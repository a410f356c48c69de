import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class UserQuerySet(models.QuerySet):
    def search(self, text: str) -> "UserQuerySet":
        """People whose name or email address contains the text."""
        if not text:
            return self
        return self.filter(Q(full_name__icontains=text) | Q(email__icontains=text))

    def with_two_factor(self) -> "UserQuerySet":
        """Annotate has_two_factor: whether they have set up an authenticator app."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return self.annotate(has_two_factor=Exists(devices))


def email_key(address: str) -> str:
    """An address as every look-up by it reads it: emails are stored in lower case."""
    return str(address).strip().lower()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("role", User.Role.ADMIN)
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        """By the address exactly as stored, in lower case, as the lockout
        counts it (accounts.lockout.axes_username). Not email__iexact: the
        database compares in capitals, where "ſ" is "S" and "ı" is "I", so a
        look-alike address signed in as another's with a count of failures
        of its own (found by the security review)."""
        return self.get(email=email_key(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The role decides what they may see and do."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        LEAD_INSPECTOR = "lead_inspector", "Lead inspector"
        INSPECTOR = "inspector", "Inspector"
        FORCE_LEAD = "force_lead", "Force lead"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    force = models.ForeignKey(
        "forces.Force",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="force_leads",
        help_text="Force leads belong to exactly one force; nobody else has one.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    sessions_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When an admin last ended this person's open sessions "
            "(a deactivation, a two-factor reset)."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            # Sign-in finds a person by email ignoring case: two addresses that
            # differ only in capitals would be two people behind one sign-in.
            models.UniqueConstraint(
                Lower("email"),
                name="email_unique_ignoring_case",
                violation_error_message="A person with this email address already exists",
            ),
            models.CheckConstraint(
                name="force_lead_has_exactly_one_force",
                condition=(
                    Q(role="force_lead", force__isnull=False)
                    | (~Q(role="force_lead") & Q(force__isnull=True))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        # Stored in lower case wherever it is entered (create_user, the Django admin).
        self.email = self.email.lower() if self.email else self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session hash (of the password), which also changes when an
        admin ends the person's sessions: a session open before a deactivation
        stays signed out after the reactivation (a stolen laptop's, say).
        Django's own hash while no admin has ended any, so sessions open at
        deploy are kept."""
        if self.sessions_ended_at is None:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.models.User.get_session_auth_hash",
            f"{self.password}|{self.sessions_ended_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def changed_in_django_admin(self) -> bool:
        """Admins and anyone with Django admin rights: their details are
        changed by a superuser in the Django admin, never on the Users pages,
        so an admin cannot take over an account with more rights than theirs
        (a new email address, then a link to set its password)."""
        return self.is_admin or self.is_staff or self.is_superuser

    @property
    def is_lead_inspector(self) -> bool:
        return self.role == self.Role.LEAD_INSPECTOR

    @property
    def is_inspector(self) -> bool:
        """Inspectors and lead inspectors: the inspectorate's field staff."""
        return self.role in (self.Role.INSPECTOR, self.Role.LEAD_INSPECTOR)

    @property
    def is_force_lead(self) -> bool:
        return self.role == self.Role.FORCE_LEAD

    @property
    def is_inspectorate(self) -> bool:
        """Staff of the inspectorate (admins and inspectors), as opposed to forces."""
        return self.role != self.Role.FORCE_LEAD


class PasswordEmail(models.Model):
    """The email answering one event on a person's history: a link to set a
    password sent (user_password_link_sent), their password changed
    (user_password_changed), or refused from anywhere for a while after too
    many wrong ones (user_sign_in_limited). The row is the proof it was dealt
    with, so a task the broker delivers twice (acks_late: a worker lost after
    sending, before saying so) sends it once
    (accounts.services.password_email_claim)."""

    event = models.OneToOneField(
        "core.AuditEvent", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A refusal for good (core.mail.permanent_refusal): not tried again either.
    refused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="password_email_emailed_or_refused",
                condition=Q(emailed_at__isnull=False) | Q(refused_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"Email for event {self.event_id}"
