from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent

from . import services
from .access import get_user_for_admin, require_admin
from .forms import ReasonForm, SignInForm, TwoFactorCodeForm, UserFilterForm
from .middleware import SIGNED_OUT_BECAUSE, two_factor_not_required
from .models import User
from .two_factor import confirmed_device, key_for_reading, qr_code_svg

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
}


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """The safe next page, but never this one: a signed-in person sent
        back to sign in would be redirected to it for ever (Django refuses
        with an error)."""
        url = super().get_redirect_url()
        return "" if url.split("?")[0] == self.request.path else url

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
    device = services.two_factor_device_for_enrolment(user=request.user)
    form = TwoFactorCodeForm(request.POST or None, device=device, heading=False)
    if form.is_valid():
        services.two_factor_device_confirm(device=device, by=request.user)
        messages.success(request, "Two-factor authentication is set up")
        return _verified(request, device)
    context = {"form": form, "key": key_for_reading(device), "qr_code": qr_code_svg(device)}
    return render(request, "accounts/two_factor_setup.html", context)


def user_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    form = UserFilterForm(request.GET or None)
    users = form.filter(User.objects.select_related("force").with_two_factor())
    page = Paginator(users.order_by("full_name", "email"), USERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


def user_detail(request: HttpRequest, user_id: UUID) -> HttpResponse:
    person = get_user_for_admin(request, user_id)
    events = AuditEvent.objects.for_object(person).select_related("actor")
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    history = [(event, HISTORY_LABELS.get(event.action, event.action)) for event in page]
    context = {"person": person, "history": history, "history_page": page}
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
        warning="Their authenticator app will stop working for this service. They will "
        "have to set up two-factor authentication again the next time they sign in.",
        button="Reset two-factor authentication",
        reason_required="Enter why you are resetting two-factor authentication",
        done="{name}’s two-factor authentication has been reset",
        already="{name} has no two-factor authentication to reset",
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
    )
    if form.is_valid():
        spec.service(user=person, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, spec.done.format(name=person.full_name))
        return redirect("accounts:user_detail", user_id=person.pk)
    context = {"person": person, "form": form, "change": spec}
    return render(request, "accounts/user_change.html", context)
