"""The link in an enrolled patient's invitation: Django's password-reset confirmation, with a
token of its own that lasts VENOWATCH_INVITATION_DAYS rather than the reset's minutes (an
invitation waits in an inbox; a reset is asked for and used at once). Its salt differs from
the reset's, so a reset token is not an invitation's and the reverse.

Like a reset token, it works once: it hashes the password and the last sign-in, and choosing
the password changes the first."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class InvitationTokens(PasswordResetTokenGenerator):
    key_salt = "venowatch.web.invitation.InvitationTokens"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        keys = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, key), token)
            for key in keys
        ):
            return False
        age = self._num_seconds(self._now()) - ts
        return age <= settings.VENOWATCH_INVITATION_DAYS * 24 * 3600


invitation_tokens = InvitationTokens()


def invitation_path(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "invitation", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)}
    )


welcome = auth_views.PasswordResetConfirmView.as_view(
    token_generator=invitation_tokens,
    template_name="venowatch/invitation_confirm.html",
)
