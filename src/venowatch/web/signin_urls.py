"""Under /accounts/: password change and reset, the second factor, the account page. Sign-in
and sign-out stay in the root urls (/accounts/login/, /accounts/logout/)."""

from django.urls import path

from venowatch.web import invitation, language_views, signin_views, two_factor_views

urlpatterns = [
    path("", signin_views.account, name="account"),
    path("language/", language_views.choose, name="account-language"),
    path("password/", signin_views.password_change, name="password_change"),
    path("password-reset/", signin_views.password_reset, name="password_reset"),
    path("password-reset/sent/", signin_views.password_reset_done, name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        signin_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    # Under reset/: reachable, as a reset link is, before any second factor (signin_middleware).
    path("reset/welcome/<uidb64>/<token>/", invitation.welcome, name="invitation"),
    path("reset/done/", signin_views.password_reset_complete, name="password_reset_complete"),
    path("two-factor/", two_factor_views.verify, name="two-factor"),
    path("two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path("two-factor/off/", two_factor_views.turn_off, name="two-factor-off"),
    path("two-factor/codes/", two_factor_views.new_codes, name="two-factor-codes"),
]
