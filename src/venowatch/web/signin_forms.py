"""The forms of signing in beyond the password: a second-factor code, and the reset request
whose email goes through the outbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from venowatch.services.clock import utc_now
from venowatch.services.notification.account import queue_password_reset


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        error_messages={"required": _("Type the code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"}
        ),
    )


class SetupCodeForm(CodeForm):
    """While setting up there are no recovery codes yet: the help says only the app's code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The 6 digits your authenticator app shows now.")


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form (its token generator, its rule of never saying whether an address
    is known), but the email is queued in the outbox and sent by the delivery worker."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        path = reverse(
            "password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        queue_password_reset(context["user"], path, utc_now())
