import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.forms import add_service_errors
from core.models import AuditEvent
from core.stale import offer_to_replace

from . import link_requests, lockout, services, sign_in_limit
from .access import get_user_for_admin, require_admin
from .forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    ForgottenPasswordForm,
    ReasonForm,
    SignInForm,
    TwoFactorCodeForm,
    UserAddForm,
    UserDetailsForm,
    UserFilterForm,
)
from .middleware import LAST_SEEN, SIGNED_OUT_BECAUSE, seconds_left, two_factor_not_required
from .models import User
from .tokens import password_link_tokens
from .two_factor import confirmed_device, key_for_reading, qr_code_svg, two_factor_pending

USERS_PER_PAGE = 25
HISTORY_PER_PAGE = 25
HISTORY_LABELS = {
    "user_created": "Account created",
    "user_changed": "Account changed",
    "user_deactivated": "Account deactivated",
    "user_reactivated": "Account reactivated",
    "user_two_factor_set_up": "Two-factor authentication set up",
    "user_two_factor_reset": "Two-factor authentication reset",
    "user_password_set": "Password set by an admin",
    "user_password_disabled": "Password sign-in turned off by an admin",
    "user_password_link_sent": "Link to set a password sent",
    "user_password_link_not_sent": "Link to set a password not sent",
    "user_password_set_with_link": "Password set with an emailed link",
    "user_password_changed": "Password changed by its owner",
    "user_sign_in_limited": "Password sign-in refused for a while: too many wrong passwords",
}
# The address a forgotten-password link was asked for, shown on the next page.
LINK_ASKED_FOR = "password_link_asked_for"


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """The safe next page, but never this one: a signed-in person sent
        back to sign in would be redirected to it for ever (Django refuses
        with an error). Nor signing out, which takes only a POST: Sign out
        pressed after the session had ended sent the person here with it as
        the next page, and signing in again left them on a blank page."""
        url = super().get_redirect_url()
        path = url.split("?")[0]
        return "" if path in (self.request.path, reverse("accounts:sign_out")) else url

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, sign_in_limit.CODE):
            response.status_code = 429  # Too Many Requests, as the lockout page
        return response

    def get_context_data(self, **kwargs):
        # Say why someone was signed out (30 minutes idle, or 12 hours), once.
        signed_out_because = self.request.session.pop(SIGNED_OUT_BECAUSE, None)
        return super().get_context_data(signed_out_because=signed_out_because, **kwargs)


sign_in = SignInView.as_view()
sign_out = two_factor_not_required(auth_views.LogoutView.as_view())


def _next_url(request: HttpRequest) -> str:
    """A path on this site to go on to, or home. Only a path: a bare word
    would be taken by redirect() for the name of a view (and fail)."""
    url = request.POST.get("next") or request.GET.get("next", "")
    safe = url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else reverse("core:home")


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    # A new session key for the more trusted session: a key seen before the
    # code was given is worth nothing after it.
    request.session.cycle_key()
    otp_login(request, device)
    return HttpResponseRedirect(_next_url(request))


@two_factor_not_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: the code from the person's authenticator app."""
    if request.user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:two_factor_setup')}?{request.GET.urlencode()}")
    form = TwoFactorCodeForm(request.POST or None, device=device, heading=True)
    if form.is_valid():
        return _verified(request, device)
    return render(request, "accounts/two_factor.html", {"form": form})


@two_factor_not_required
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: add the service to an authenticator app, then give a code from it."""
    if confirmed_device(request.user) is not None:
        return redirect(f"{reverse('accounts:two_factor')}?{request.GET.urlencode()}")
    device = services.two_factor_device_for_enrolment(user=request.user, session=request.session)
    form = TwoFactorCodeForm(request.POST or None, device=device, heading=False)
    if form.is_valid():
        services.two_factor_device_confirm(device=device, by=request.user)
        messages.success(request, "Two-factor authentication is set up")
        return _verified(request, device)
    context = {"form": form, "key": key_for_reading(device), "qr_code": qr_code_svg(device)}
    return render(request, "accounts/two_factor_setup.html", context)


@login_not_required
@two_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def session_clock(request: HttpRequest) -> JsonResponse:
    """How long the person's session has left, for the page's timeout warning.

    GET only reads it (SessionTimeoutMiddleware does not count it as work);
    POST is "Stay signed in", and restarts the idle clock. Someone signed out
    (the middleware has just ended a session too old) gets signed_in false,
    and the sign-in page then says why.
    """
    user = request.user
    if not user.is_authenticated or two_factor_pending(user):
        return JsonResponse({"signed_in": False})
    now = int(time.time())
    if request.method == "POST":
        request.session[LAST_SEEN] = now
    idle, absolute = seconds_left(request.session, now)
    return JsonResponse(
        {"signed_in": True, "idle_seconds_left": idle, "absolute_seconds_left": absolute}
    )


def your_account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: who the service knows them as."""
    context = {
        "dates": services.account_dates(request.user),
        "two_factor": request.user.is_verified(),
    }
    return render(request, "accounts/your_account.html", context)


@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if form.is_valid():
        try:
            services.user_password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except ValidationError as error:
            if lockout.is_locked_out(request):
                # Too many wrong passwords: whoever is at this desk may not
                # be the person signed in, so they are signed out as well.
                logout(request)
                return lockout.locked_out(request, signed_out=True)
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Your password has been changed. Any other device or browser signed "
                "in to your account has been signed out",
            )
            return redirect("accounts:your_account")
    return render(request, "accounts/password_change.html", {"form": form})


def user_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    form = UserFilterForm(request.GET or None)
    users = form.filter(User.objects.select_related("force").with_two_factor())
    page = Paginator(users.order_by("full_name", "email"), USERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    filters = [form["role"], form["force"], form["status"]]
    context = {"form": form, "filters": filters, "page": page}
    return render(request, "accounts/user_list.html", context)


def user_add(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    form = UserAddForm(request.POST or None)
    if form.is_valid():
        try:
            person = services.user_create(**form.cleaned_data, by=request.user)
        except ValidationError as error:  # the address was taken a moment ago
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{person.full_name} has been added. "
                "We are sending them an email with a link to choose their password",
            )
            return redirect("accounts:user_detail", user_id=person.pk)
    context = {"form": form, "link_days": services.LINK_DAYS}
    return render(request, "accounts/user_add.html", context)


def user_edit(request: HttpRequest, user_id: UUID) -> HttpResponse:
    person = get_user_for_admin(request, user_id)
    if person.pk == request.user.pk or person.changed_in_django_admin:
        raise PermissionDenied("Admins' accounts are changed in the Django admin")
    seen = services.user_details_version(person)
    form = UserDetailsForm(request.POST or None, person=person, seen=seen)
    if form.is_valid():
        answers = {**form.cleaned_data, "seen": form.cleaned_data["seen"] or None}
        try:
            changed = services.user_details_change(user=person, by=request.user, **answers)
        except ValidationError as error:
            add_service_errors(form, error)
            offer_to_replace(form, services.STALE_DETAILS, lambda: _details_now(person))
        else:
            if changed:
                messages.success(
                    request, f"{form.cleaned_data['full_name']}’s details have been saved"
                )
            else:
                messages.info(request, "Nothing was changed")
            return redirect("accounts:user_detail", user_id=person.pk)
    context = {"person": person, "form": form}
    return render(request, "accounts/user_edit.html", context)


def _details_now(person: User) -> str:
    person.refresh_from_db(fields=["email", "full_name", "role", "force"])
    return services.user_details_version(person)


def user_detail(request: HttpRequest, user_id: UUID) -> HttpResponse:
    person = get_user_for_admin(request, user_id)
    # Once each: not again as filed under a force the person left.
    events = (
        AuditEvent.objects.for_object(person)
        .exclude(action=services.LEFT_FORCE)
        .select_related("actor")
    )
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    history = [(event, HISTORY_LABELS.get(event.action, event.action)) for event in page]
    context = {
        "person": person,
        "history": history,
        "history_page": page,
        "password_turned_off": services.password_turned_off(person),
        "link_not_sent": services.password_link_not_sent(person),
    }
    return render(request, "accounts/user_detail.html", context)


@dataclass(frozen=True)
class AccountChange:
    """One of the changes an admin can make to someone's access, and its words."""

    service: Callable[..., User]
    applies: Callable[[User], bool]
    dangerous: bool
    title: str
    warning: str
    button: str
    reason_required: str
    done: str
    already: str  # said when the page is out of date: someone else made the change
    # What the page carries back to the service (as "seen"), for a change
    # that must not be made twice from one page.
    version: Callable[[User], str] | None = None


CHANGES = {
    "deactivate": AccountChange(
        service=services.user_deactivate,
        applies=lambda person: person.is_active,
        dangerous=True,
        title="Deactivate this account",
        warning="They will be signed out at once and will not be able to sign in "
        "until an admin reactivates their account.",
        button="Deactivate account",
        reason_required="Enter why you are deactivating this account",
        done="{name}’s account has been deactivated",
        already="{name}’s account is already deactivated",
    ),
    "reactivate": AccountChange(
        service=services.user_reactivate,
        applies=lambda person: not person.is_active,
        dangerous=False,
        title="Reactivate this account",
        warning="They will be able to sign in again, with their existing password "
        "and authenticator app.",
        button="Reactivate account",
        reason_required="Enter why you are reactivating this account",
        done="{name}’s account has been reactivated",
        already="{name}’s account is already active",
    ),
    "reset_two_factor": AccountChange(
        service=services.user_two_factor_reset,
        applies=lambda person: person.has_two_factor,
        dangerous=True,
        title="Reset two-factor authentication",
        warning="Their authenticator app will stop working for this service, and they "
        "will be signed out at once. They will have to set up two-factor authentication "
        "again the next time they sign in.",
        button="Reset two-factor authentication",
        reason_required="Enter why you are resetting two-factor authentication",
        done="{name}’s two-factor authentication has been reset",
        already="{name} has no two-factor authentication to reset",
    ),
    "send_password_link": AccountChange(
        service=services.user_password_link_send,
        applies=lambda person: person.is_active,
        dangerous=False,
        title="Send a link to set a password",
        warning="We will email them a link to choose a password. It works once, for "
        f"{services.LINK_DAYS} days. A password they already have keeps working until "
        "they use the link.",
        button="Send link",
        reason_required="Enter why you are sending a link",
        done="We are sending {name} an email with a link to set their password",
        already="{name}’s account is deactivated. Reactivate it before sending a link",
        version=services.last_link_sent,
    ),
}


def user_change(request: HttpRequest, user_id: UUID, change: str) -> HttpResponse:
    """Check the person, give a reason, confirm: deactivate, reactivate or reset 2FA."""
    person = get_user_for_admin(request, user_id)
    if person.pk == request.user.pk:
        raise PermissionDenied("Admins cannot change their own access")
    spec = CHANGES[change]
    if not spec.applies(person):
        # A page drawn before another admin made the change (or a bookmark).
        messages.info(request, spec.already.format(name=person.full_name))
        return redirect("accounts:user_detail", user_id=person.pk)
    form = ReasonForm(
        request.POST or None,
        submit_label=spec.button,
        required_message=spec.reason_required,
        dangerous=spec.dangerous,
        initial={"seen": spec.version(person) if spec.version else ""},
    )
    if form.is_valid():
        # None from a page that carried nothing back: never refused.
        seen = {"seen": request.POST.get("seen")} if spec.version else {}
        try:
            spec.service(user=person, by=request.user, reason=form.cleaned_data["reason"], **seen)
        except ValidationError as error:
            if getattr(error, "code", None) != "stale":
                raise
            # Done already from this page (a second click): said, not done again.
            messages.info(request, error.messages[0])
        else:
            messages.success(request, spec.done.format(name=person.full_name))
        return redirect("accounts:user_detail", user_id=person.pk)
    context = {
        "person": person,
        "form": form,
        "change": spec,
        "password_turned_off": services.password_turned_off(person),
        # Found by a review: deactivating a lead inspector said nothing of
        # the inspections left with nobody to moderate and sign them off.
        "leading": services.inspections_led_not_closed(person) if change == "deactivate" else [],
        "handing_back": services.cases_to_hand_back(person) if change == "deactivate" else [],
    }
    context["hand_back_warning"] = services.hand_back_warning(person, context["handing_back"])
    return render(request, "accounts/user_change.html", context)


@login_not_required
@never_cache
def forgotten_password(request: HttpRequest) -> HttpResponse:
    """Ask for a link to set a password. Whether or not the address has an
    account, the page does the same (queues a task) and the next page says
    the same, so neither tells anyone who has one."""
    form = ForgottenPasswordForm(request.POST or None)
    if form.is_valid():
        if not link_requests.allow(request):
            form.add_error(None, link_requests.REFUSAL)
            context = {"form": form}
            return render(request, "accounts/forgotten_password.html", context, status=429)
        email = form.cleaned_data["email"]
        link_requests.queue(email)
        request.session[LINK_ASKED_FOR] = email
        return redirect("accounts:forgotten_password_sent")
    return render(request, "accounts/forgotten_password.html", {"form": form})


@login_not_required
@never_cache
def forgotten_password_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(LINK_ASKED_FOR)
    if not email:
        return redirect("accounts:forgotten_password")
    context = {"email": email, "link_days": services.LINK_DAYS}
    return render(request, "accounts/forgotten_password_sent.html", context)


@method_decorator(login_not_required, name="dispatch")
class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page an emailed link opens: choose a password.

    Django's view moves the link's token into the session and drops it from
    the address, so it is never sent on in a Referer header. A deactivated
    account's link does not work.
    """

    form_class = ChoosePasswordForm
    template_name = "accounts/set_password.html"
    token_generator = password_link_tokens
    success_url = reverse_lazy("accounts:set_password_done")
    extra_context = {"link_days": services.LINK_DAYS}

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("token") != self.reset_url_token:
            # The token is about to be kept in this session: a new session
            # key first, so a key planted in this browser beforehand (session
            # fixation) cannot be used to set the password.
            request.session.cycle_key()
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        token = self.request.session.get(INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            services.user_password_set_with_link(
                user=self.user, token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # the password rules refused it
                add_service_errors(form, error)
                return self.form_invalid(form)
            # The link was used a moment ago in another tab.
            self.validlink = False
            return self.render_to_response(self.get_context_data())
        # Sign out whoever was signed in on this browser (a shared computer),
        # and forget the token with the session.
        logout(self.request)
        return HttpResponseRedirect(self.success_url)


set_password = SetPasswordView.as_view()


@login_not_required
def set_password_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/set_password_done.html")
