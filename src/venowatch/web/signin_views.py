"""Signing in, beyond Django's own views: the lockout page, password change and reset, and the
account page where a person sees how they sign in."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from venowatch.services.care.languages import chosen_language
from venowatch.services.clock import utc_now
from venowatch.services.security.second_factor import (
    has_second_factor,
    is_staff_account,
    recovery_codes_left,
)
from venowatch.services.security.throttle import lockout_of
from venowatch.web.language_views import language_form
from venowatch.web.signin_forms import CodeForm, OutboxPasswordResetForm

CODES_ID, OFF_ID = "codes_%s", "off_%s"


def locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """What axes answers a sign-in refused for too many failures: 429, with when to retry in
    words and in Retry-After. It does not say whether the username exists."""
    now = utc_now()
    username = str((credentials or {}).get("username") or "")
    lockout = lockout_of(username, getattr(request, "axes_ip_address", None), now)
    until = lockout.until if lockout else now + settings.AXES_COOLOFF_TIME
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    wait = ngettext("Try again in %(n)d minute.", "Try again in %(n)d minutes.", minutes) % {
        "n": minutes
    }
    reason = (
        _("Too many failed sign-ins for this username.")
        if lockout is None or lockout.by_username
        else _("Too many failed sign-ins from your network.")
    )
    page = render(
        request,
        "venowatch/locked_out.html",
        {"reason": reason, "wait": wait, "until": until},
        status=429,
    )
    page["Retry-After"] = str(seconds)
    return page


class PasswordChange(auth_views.PasswordChangeView):
    """Django's view keeps this session signed in (it updates the session's hash of the
    password); every other session of the user stops matching the new hash and ends."""

    success_url = reverse_lazy("account")
    template_name = "venowatch/password_change.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is changed. Your other sign-ins (other browsers) were ended."),
        )
        return response


password_change = PasswordChange.as_view()
# The admin ships templates under registration/ with these views' default names: ours are
# named apart so that which app comes first cannot decide what a person sees.
password_reset = auth_views.PasswordResetView.as_view(
    form_class=OutboxPasswordResetForm, template_name="venowatch/password_reset.html"
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="venowatch/password_reset_sent.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="venowatch/password_reset_confirm.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="venowatch/password_reset_complete.html"
)


def account_page(
    request: HttpRequest,
    *,
    codes_form: CodeForm | None = None,
    off_form: CodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The account page; a refused form comes back bound, with its error beside its field.
    Its two code fields have their own ids, so each label and error names its own field."""
    user: Any = request.user
    on = has_second_factor(user)
    chosen = chosen_language(user)
    context = {
        "language_form": None if chosen is None else language_form(chosen),
        "second_factor": on,
        "staff": is_staff_account(user),
        "codes_left": recovery_codes_left(user) if on else 0,
        "codes_form": codes_form or CodeForm(auto_id=CODES_ID),
        "off_form": off_form or CodeForm(auto_id=OFF_ID),
    }
    return render(request, "venowatch/account.html", context, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return account_page(request)
