"""Signing in safely: the second step, setting up an app, recovery codes, sign-in history,
ending other sessions, the password change, and the idle-timeout keep-alive."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts import second_factor
from alongside.accounts.forms import CodeForm, PasswordConfirmForm
from alongside.accounts.models import SignInEvent
from alongside.accounts.signals import SECOND_STEP_CREDENTIAL

HISTORY_LENGTH = 30


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _to(name: str, next_url: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


def _verified(request: HttpRequest) -> bool:
    return request.session.get(second_factor.SESSION_KEY) == second_factor.VERIFIED


def _second_step_passed(request: HttpRequest, kind: str | None) -> None:
    """Mark the session, give it a new key (the verified session is a new one), and
    forget the failed attempts that led here."""
    request.session[second_factor.SESSION_KEY] = second_factor.VERIFIED
    request.session.cycle_key()
    axes_reset(username=request.user.username)
    if kind:
        second_factor.record_sign_in_event(request.user, kind, request)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """The page for a paused sign-in, after a wrong password (axes calls this:
    AXES_LOCKOUT_CALLABLE) or a wrong code: says how long to wait, and who can help."""
    if request.user.is_authenticated:
        logout(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if _verified(request):
        return redirect(next_url)
    if second_factor.app_device(user) is None:
        return _to("accounts:second_factor_setup", next_url)
    recovery = (request.POST or request.GET).get("recovery") == "1"
    form = CodeForm(request.POST or None, recovery=recovery)
    credentials = {"username": user.username, SECOND_STEP_CREDENTIAL: True}
    status = 200
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, credentials):
            return locked_out(request)
        kind = (
            second_factor.check_code(user, form.cleaned_data["code"]) if form.is_valid() else None
        )
        if kind is not None:
            _second_step_passed(request, kind)
            if kind == SignInEvent.Kind.RECOVERY_CODE_USED:
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(left)s are left. Make new ones on the "
                        "Sign-in and security page if you are running low."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if not AxesProxyHandler.is_allowed(request, credentials):
            return locked_out(request)
        form.errors.clear()
        form.add_error(
            "code",
            _("That code did not match. Use the newest code your app shows, or a recovery code."),
        )
        status = 400
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": next_url, "recovery": recovery},
        status=status,
    )


def _qr_svg(device) -> str:
    qr = segno.make(device.config_url, error="m")
    # segno's own SVG of a URL built here: no markup from anyone's input.
    return mark_safe(
        qr.svg_inline(scale=5, border=2, title=_("QR code for your authenticator app"))
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    try:
        device = second_factor.enrollment_start(user, verified_session=_verified(request))
    except PermissionDenied:
        return _to("accounts:second_factor_verify", next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = second_factor.enrollment_confirm(user, device, form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                _second_step_passed(request, None)
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": next_url, "first_time": True},
                )
        status = 400
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr": _qr_svg(device),
            "secret": second_factor.secret_text(device),
            "required": second_factor.is_staff_user(user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    """The person's own page: their second step, recent sign-ins, other sessions."""
    user = request.user
    device = second_factor.app_device(user)
    return render(
        request,
        "accounts/security.html",
        {
            "device": device,
            "recovery_left": second_factor.recovery_codes_left(user) if device else 0,
            "staff": second_factor.is_staff_user(user),
            "events": list(user.sign_in_events.all()[:HISTORY_LENGTH]),
            "password_form": PasswordConfirmForm(),
        },
    )


def _password_confirmed(request: HttpRequest) -> PasswordConfirmForm | None:
    """The posted password form if it holds the person's password; None after a message."""
    form = PasswordConfirmForm(request.POST)
    if form.is_valid() and request.user.check_password(form.cleaned_data["password"]):
        return form
    messages.error(request, _("That password is not right; nothing was changed."))
    return None


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if _password_confirmed(request) is None:
        return redirect("accounts:security")
    try:
        codes = second_factor.recovery_codes_renew(
            request.user, verified_session=_verified(request)
        )
    except PermissionDenied as refused:
        messages.error(request, str(refused))
        return redirect("accounts:security")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:security"), "first_time": False},
    )


@login_required
@require_POST
def second_factor_turn_off(request: HttpRequest) -> HttpResponse:
    try:
        second_factor.second_factor_turn_off(request.user, request.POST.get("password", ""))
    except (PermissionDenied, ValidationError) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    else:
        request.session[second_factor.SESSION_KEY] = second_factor.NOT_NEEDED
        messages.success(request, _("Two-step sign-in is off."))
    return redirect("accounts:security")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """Sign out on every other browser and phone; this one stays signed in."""
    if _password_confirmed(request) is None:
        return redirect("accounts:security")
    second_factor.sessions_end_all(request.user)
    update_session_auth_hash(request, request.user)
    second_factor.record_sign_in_event(request.user, SignInEvent.Kind.SESSIONS_ENDED, request)
    messages.success(request, _("You are signed out everywhere else."))
    return redirect("accounts:security")


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The idle warning's "Stay signed in": any request renews the session."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return HttpResponse(status=204)


class PasswordChange(PasswordChangeView):
    """Django's view; every other session ends with the old password, and the history
    says so."""

    template_name = "core/form_page.html"
    success_url = reverse_lazy("accounts:password_done")
    extra_context = {
        "title": gettext_lazy("Change your password"),
        "submit_label": gettext_lazy("Change"),
    }

    def form_valid(self, form):
        response = super().form_valid(form)
        second_factor.record_sign_in_event(
            self.request.user, SignInEvent.Kind.PASSWORD_CHANGED, self.request
        )
        return response
