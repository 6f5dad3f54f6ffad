from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from baozhang.accounts import otp, services
from baozhang.accounts.models import Language
from baozhang.accounts.permissions import is_operator_staff
from baozhang.accounts.selectors import visible_tokens
from baozhang.accounts.signals import client_ip
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said

PENDING_KEY = "baozhang_otp_pending"
OTP_PENDING_SECONDS = 300  # the password step is good for five minutes


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class OtpForm(forms.Form):
    token = forms.CharField(label=_("Six-digit code"), max_length=8)


@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if is_operator_staff(user) and otp.has_confirmed_device(user):
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": _safe_next(request),
                "since": time.time(),
            }
            return redirect("accounts:otp")
        auth_login(request, user)
        return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")})


@never_cache
@csrf_protect
def otp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("since", 0) > OTP_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    user = get_object_or_404(get_user_model(), pk=pending["user"], is_active=True)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify(user, form.cleaned_data["token"])
        if device is not None:
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            auth_login(request, user)
            request.session[BACKEND_SESSION_KEY] = pending["backend"]
            otp_login(request, device)
            return redirect(pending["next"] or "/")
        form.add_error("token", _("The code is wrong or has expired."))
        record(
            EventKind.SIGN_IN_FAILED,
            user,
            actor_label=user.get_username(),
            summary=said("wrong two-factor code"),
            ip_address=client_ip(request),
        )
    return render(request, "accounts/otp.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in person's choice is remembered on their account."""
    language = request.POST.get("language", "")
    target = _safe_next(request)
    response = HttpResponseRedirect(target)
    if language not in Language.values:
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        services.set_language(request.user, request.user, language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in and API tokens of the signed-in person."""
    user = request.user
    new_secret = None
    otp_form = (
        OtpForm(request.POST or None) if request.POST.get("action") == "otp-confirm" else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "otp-start":
            otp.start_enrolment(user)
        elif action == "otp-confirm" and otp_form is not None and otp_form.is_valid():
            if otp.confirm_enrolment(user, otp_form.cleaned_data["token"]):
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("accounts:security")
            otp_form.add_error("token", _("The code is wrong or has expired."))
        elif action == "otp-disable":
            otp.disable(user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:security")
        elif action == "token-create":
            _token, new_secret = services.create_token(
                user, user, name=request.POST.get("name", "")[:100]
            )
    device = otp.pending_device(user) if is_operator_staff(user) else None
    context = {
        "otp_allowed": is_operator_staff(user),
        "otp_on": otp.has_confirmed_device(user),
        "pending_device": device,
        "qr_svg": otp.qr_svg(device) if device else "",
        "otp_form": otp_form or OtpForm(),
        "tokens": visible_tokens(user).filter(user=user),
        "new_secret": new_secret,
    }
    return render(request, "accounts/security.html", context)


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is changed."))
        return redirect("accounts:security")
    return render(request, "accounts/password.html", {"form": form})


@login_required
@require_POST
def revoke_token_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(visible_tokens(request.user), pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:security")
