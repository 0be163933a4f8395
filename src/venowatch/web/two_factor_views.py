"""The second factor's pages: give a code, set up an authenticator (a QR code and its secret
in text), see the recovery codes once, and (patients only) turn it off."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from venowatch.services.errors import FieldError
from venowatch.services.security import second_factor
from venowatch.web import signin_views
from venowatch.web.qr import qr_svg
from venowatch.web.signin_forms import CodeForm, SetupCodeForm


def _next(request: HttpRequest) -> str:
    """Where to go after the code: the page first asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target else reverse("home")


def _signed_in_with(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A session that gains a factor gets a new id, as one does at sign-in.
    request.session.cycle_key()


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not second_factor.has_second_factor(user):
        return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(user, form.cleaned_data["code"])
        except FieldError as refused:
            form.add_error("code", refused.message)
        else:
            _signed_in_with(request, device)
            left = second_factor.recovery_codes_left(user)
            if second_factor.is_recovery(device):
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(n)d is left. New ones: Your account page.",
                        "You used a recovery code; %(n)d are left. New ones: Your account page.",
                        left,
                    )
                    % {"n": left},
                )
            return redirect(_next(request))
    context = {"form": form, "next": _next(request)}
    return render(request, "venowatch/two_factor_verify.html", context)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if second_factor.has_second_factor(user):
        return redirect("account" if user.is_verified() else "two-factor")
    device = second_factor.pending_device(user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = second_factor.confirm(user, form.cleaned_data["code"])
        except FieldError as refused:
            form.add_error("code", refused.message)
        else:
            _signed_in_with(request, device)
            # Shown in this answer only: the codes are not kept anywhere they could be read.
            return render(
                request,
                "venowatch/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next(request),
        "qr": qr_svg(device.config_url, _("Picture to scan with your authenticator app")),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": second_factor.is_staff_account(user),
    }
    return render(request, "venowatch/two_factor_setup.html", context)


@login_required
@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes for a current code (the old ones stop working), shown once."""
    form = CodeForm(request.POST, auto_id=signin_views.CODES_ID)
    if form.is_valid():
        try:
            codes = second_factor.replace_recovery_codes(request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
        except FieldError as refused:
            form.add_error("code", refused.message)
        else:
            context = {"codes": codes, "next": reverse("account")}
            return render(request, "venowatch/two_factor_codes.html", context)
    return signin_views.account_page(request, codes_form=form, status=422)


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, auto_id=signin_views.OFF_ID)
    if form.is_valid():
        try:
            second_factor.turn_off(request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
        except FieldError as refused:
            form.add_error("code", refused.message)
        else:
            messages.success(request, _("Two-step sign-in is off. You sign in with your password."))
            return redirect("account")
    return signin_views.account_page(request, off_form=form, status=422)
