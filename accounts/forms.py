import math
from contextlib import contextmanager

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.validators import EmailValidator, validate_email
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.forms import FilterFormMixin, GovukForm, GovukFormMixin, GovukMessagesMixin
from core.text import has_invisible

from . import lockout, services, sign_in_limit
from .models import User, email_key
from .two_factor import CODE_PATTERN, normalise_code

NOT_AN_ADDRESS = "Enter an email address in the correct format, like name@example.org"
LOCAL_PART_TOO_LONG = "The part of the email address before the @ must be 64 characters or fewer"


def check_local_part(address: str) -> None:
    """Refuses an address no mail server takes: more than 64 characters before
    the @ (RFC 5321), which Django's own check allows. A person given one was
    never reached by their invitation (found by the bad input review)."""
    if len(address.rpartition("@")[0]) > 64:
        raise forms.ValidationError(LOCAL_PART_TOO_LONG, code="local_part_too_long")


class _VisibleEmailValidator(EmailValidator):
    """Django's check of an address, refusing one with a character that shows
    as nothing inside it (a zero-width space pasted with it). Django's own
    reads its domain without one, and it was stored as pasted: the person,
    typing their address to sign in, was never found, and an address already
    taken looked free (found by the bad input review)."""

    def __call__(self, value):
        if has_invisible(str(value)):
            raise forms.ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


validate_visible_email = _VisibleEmailValidator()


def visible_email_validators(validators: list) -> list:
    """A field's validators, Django's check of an address made validate_visible_email."""
    return [validate_visible_email if v is validate_email else v for v in validators]


def email_field(
    *,
    required: str = "Enter your email address",
    help_text: str = "",
    autocomplete="email",
    validators=(),
) -> forms.EmailField:
    field = forms.EmailField(
        label="Email address",
        help_text=help_text,
        max_length=254,
        validators=list(validators),
        error_messages={
            "required": required,
            "invalid": NOT_AN_ADDRESS,
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )
    field.validators = visible_email_validators(field.validators)
    return field


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Email and password, with GOV.UK error wording."""

    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been deactivated. Contact the programme team.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"] = email_field()
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean(self):
        refuse_when_over_address_limit(self.request)
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        with account_limit(self.request, email, password):
            if email and password:
                checked = self._refuse_deactivated_with(email, password)
                self.user_cache = authenticate(self.request, username=email, password=password)
                if self.user_cache is None:
                    if not checked:
                        # The same hashing whoever the address is: a deactivated
                        # account's password was checked, and nobody else's was.
                        User().set_password(password)
                    raise forms.ValidationError(
                        self.error_messages["invalid_login"], code="invalid_login"
                    )
                self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _refuse_deactivated_with(self, email: str, password: str) -> bool:
        """Refuse a deactivated account's right password, saying why, before
        it is given to authenticate(): the person who knows it is told, and
        nobody else learns anything. Django's backend refuses a deactivated
        account as it refuses a wrong password, and its refusal is counted
        toward the lockout and the limits; the right password is no guess, so
        it is not (it used to lock the person out after 5 tries, and count
        toward their office's limit). Not while the lockout holds for this
        address from this computer: then no password is checked, or the
        lockout would not stop anyone guessing a deactivated account's.
        Whether a password was checked (and found wrong)."""
        person = User.objects.filter(email=email_key(email), is_active=False).first()
        if person is None or not lockout.allows(self.request, email):
            return False
        if person.check_password(password):
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        return True


def refuse_when_over_address_limit(request) -> None:
    """Refuse any password from an IP address that has given too many wrong
    ones this hour (accounts.sign_in_limit), before it is checked: the same
    refusal whatever address was typed."""
    if request is not None and not sign_in_limit.allows(request):
        raise forms.ValidationError(sign_in_limit.REFUSAL, code=sign_in_limit.CODE)


@contextmanager
def account_limit(request, email: str | None, password: str | None):
    """Refuse any password for an email address given too many wrong ones
    from anywhere (accounts.sign_in_limit), before it is checked, whether or
    not the address has an account. The page is the lockout page, word for
    word, as after 5 wrong passwords from one computer: django-axes's
    middleware draws it for a request with its flag set, at either door.

    A password to check is counted first (sign_in_limit.claim_account_try),
    so guesses sent at once cannot all pass the limit; when the block is done
    without it proving wrong (the right password, a deactivated account's,
    or another refusal), it is taken off again."""
    if request is None or not email:
        yield
        return
    key = email_key(email)
    if password:
        allowed = sign_in_limit.claim_account_try(request, key)
    else:
        allowed = sign_in_limit.allows_account(key)
    if not allowed:
        request.axes_locked_out = True
        raise forms.ValidationError(sign_in_limit.REFUSAL, code=sign_in_limit.ACCOUNT_CODE)
    try:
        yield
    finally:
        sign_in_limit.give_back_account_try(request)


class AdminSignInForm(AdminAuthenticationForm):
    """The Django admin's sign-in, under the same limits per IP address and
    per account as the service's: otherwise a second door for trying one
    password on every account, or many on one."""

    def clean(self):
        refuse_when_over_address_limit(self.request)
        email = self.cleaned_data.get("username")
        with account_limit(self.request, email, self.cleaned_data.get("password")):
            return super().clean()


class TwoFactorCodeForm(GovukForm):
    """The 6-digit code from the person's authenticator app, checked against their device.

    django-otp makes each wrong code wait longer before the next try (1, 2, 4,
    8... seconds) and refuses a code that has already been used.
    """

    submit_label = "Continue"
    code = forms.CharField(
        label="Enter the 6-digit code from your authenticator app",
        max_length=20,
        help_text="The code changes every 30 seconds.",
        error_messages={
            "required": "Enter the 6-digit code",
            "max_length": "Enter the 6-digit code shown in your authenticator app",
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-5 govuk-input--extra-letter-spacing",
            }
        ),
    )

    def __init__(self, *args, device: TOTPDevice, heading: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        # The question is the page's heading on the code page, and the
        # heading of the last step on the set-up page.
        self.helper.layout[0] = Field.text(
            "code",
            label_size=Size.LARGE if heading else Size.MEDIUM,
            label_tag="h1" if heading else "h2",
        )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not CODE_PATTERN.fullmatch(code):
            raise forms.ValidationError("The code must be 6 numbers")
        self.device.refresh_from_db()
        allowed, details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "You have entered a wrong code too many times. "
                f"Wait {_wait_phrase(details['locked_until'])} and try again"
            )
        if verify_token(self.device.user, self.device.persistent_id, code) is None:
            raise forms.ValidationError(
                "The code is not correct. Check your authenticator app and try again"
            )
        return code


def _wait_phrase(until) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 120:
        return f"{seconds} second{pluralize(seconds)}"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


class ReasonForm(GovukForm):
    """Why an admin is changing someone's access: kept in the audit trail."""

    reason = forms.CharField(
        label="Why are you doing this?",
        help_text="This is kept in the account's history.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # What the page showed, for a change that asks (AccountChange.version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, submit_label: str, required_message: str, dangerous: bool, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = required_message
        self.helper.layout[0] = Field.textarea("reason", max_characters=500)
        if dangerous:
            self.helper.layout[-1] = Button.warning(self.submit_name, submit_label)


class UserFilterForm(FilterFormMixin, GovukMessagesMixin, forms.Form):
    STATUS_CHOICES = [("", "All"), ("active", "Active"), ("deactivated", "Deactivated")]

    q = forms.CharField(label="Name or email address", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Role", choices=[("", "All"), *User.Role.choices], required=False
    )
    force = forms.ModelChoiceField(label="Force", queryset=None, required=False, empty_label="All")
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        from forces.models import Force

        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Force.objects.order_by("name")

    def filter(self, users):
        """By the filters given; a value that is not valid (a status not on
        the list, a search too long to be a name) is left out, the rest kept."""
        if not self.is_bound:
            return users
        self.is_valid()
        data = self.cleaned_data
        if "q" in data:
            users = users.search(data["q"].strip())
        elif self.data.get("q"):
            return users.none()  # a search longer than any name or address
        if data.get("role"):
            users = users.filter(role=data["role"])
        if data.get("force"):
            users = users.filter(force=data["force"])
        if data.get("status"):
            users = users.filter(is_active=data["status"] == "active")
        return users


class UserAddForm(GovukForm):
    """Who a new person is and what they do. They choose their own password."""

    submit_label = "Add user and send invitation"
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter their full name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = email_field(
        required="Enter their email address",
        help_text="We will email them a link to choose their password.",
        autocomplete="off",
        # Only for addresses the service is to write to: whoever already has
        # one still signs in, or asks for a link, with it.
        validators=[check_local_part],
    )
    role = forms.ChoiceField(
        label="Role",
        # Not admin: one admin adding another at an address they control
        # would be a second admin in one person's hands. Admins are added by
        # a superuser in the Django admin.
        choices=[(value, label) for value, label in User.Role.choices if value != User.Role.ADMIN],
        help_text="To add an admin, ask the service's system administrators.",
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role"},
    )
    force = forms.ModelChoiceField(
        label="Force (force leads only)",
        help_text="A force lead sees their own force and nothing else.",
        queryset=None,
        required=False,
        empty_label="No force",
    )
    layout_fields = [
        Field.text("full_name"),
        Field.text("email"),
        Field.radios("role", legend_size=Size.SMALL),
        Field("force"),
    ]

    def __init__(self, *args, **kwargs):
        from forces.models import Force

        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Force.objects.order_by("name")

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    person: User | None = None  # whose details these are, when changing them

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        others = User.objects.exclude(pk=self.person.pk) if self.person else User.objects
        if others.filter(email__iexact=email).exists():
            raise forms.ValidationError(services.EMAIL_TAKEN)
        return email

    def clean(self):
        data = super().clean()
        is_force_lead = data.get("role") == User.Role.FORCE_LEAD
        if is_force_lead and not data.get("force"):
            self.add_error("force", "Select the force this force lead belongs to")
        elif data.get("role") and not is_force_lead and data.get("force"):
            self.add_error("force", "Select ‘No force’: only force leads belong to a force")
        return data


class ForgottenPasswordForm(GovukForm):
    submit_label = "Send me a link"
    email = email_field()


class ChoosePasswordForm(GovukFormMixin, SetPasswordForm):
    """A new password, twice. Whether the password rules accept it (12
    characters or more, not a common password, not like the person's name or
    address) is the service's to say, for every caller alike
    (services.password_rules_check); the view shows why beside the field."""

    submit_label = "Save password"
    error_messages = {"password_mismatch": "Enter the same password twice"}

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        first, again = self.fields["new_password1"], self.fields["new_password2"]
        first.label = "New password"
        first.help_text = (
            "Use 12 characters or more. A few words you will remember, "
            "strung together, make a good password."
        )
        first.error_messages["required"] = "Enter a new password"
        again.label = "Enter the new password again"
        again.help_text = ""
        again.error_messages["required"] = "Enter the new password again"

    def clean(self):
        # As SetPasswordForm, less the password rules: the service checks
        # those, and names the field it was typed in, not the repeat.
        self.validate_passwords("new_password1", "new_password2")
        return super(SetPasswordForm, self).clean()


class ChangePasswordForm(ChoosePasswordForm):
    """Their current password, then a new one twice, for a signed-in person.
    Whether the current one is right (and differs from the new) is the
    service's to say: it counts wrong ones toward the lockout."""

    submit_label = "Change password"
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=4096,
        error_messages={"required": "Enter your current password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password1", "new_password2"]


class UserDetailsForm(UserAddForm):
    """Change who a person is or what they do: a new name or address, a new
    role, a force lead moving force. Why is kept in the account's history."""

    submit_label = "Save changes"
    reason = forms.CharField(
        label="Why are you making this change?",
        help_text="This is kept in the account's history.",
        max_length=500,
        error_messages={"required": "Enter why you are making this change"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The details as the page showed them (services.user_details_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person: User, seen: str, **kwargs):
        self.person = person
        initial = {name: getattr(person, name) for name in ("full_name", "email", "role")}
        initial |= {"force": person.force_id, "seen": seen}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields[
            "email"
        ].help_text = (
            "If you change it, any link to set a password already sent to them stops working."
        )
        self.fields["role"].help_text = ""
        self.helper.layout.insert(4, Field.textarea("reason", max_characters=500))
        self.helper.layout.insert(5, Field("seen"))
