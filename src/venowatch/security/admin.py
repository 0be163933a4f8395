"""Administrators make and revoke API tokens here. A token's secret is shown once, on the page
after it is made; only its digest is kept."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from venowatch.security.models import ApiToken
from venowatch.services.clock import utc_now
from venowatch.services.security import tokens
from venowatch.services.security.access import member_of


class NewTokenForm(forms.ModelForm[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "scope")

    def clean_user(self) -> Any:
        user = self.cleaned_data["user"]
        if member_of(user) is None:
            raise forms.ValidationError(
                _("This user belongs to no clinic: give them a role first.")
            )
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "prefix", "user", "clinic", "scope", "created_at", "last_used_at",
                    "expires_at", "revoked_at")  # fmt: skip
    list_filter = ("scope", "clinic")
    search_fields = ("name", "prefix", "user__username")
    actions = ("revoke",)

    def get_form(
        self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[ApiToken]]:
        if obj is None:
            kwargs["form"] = NewTokenForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("user", "clinic", "scope", "prefix", "created_at", "last_used_at", "expires_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = tokens.prepare(obj, utc_now())
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("The token for %(name)s is %(secret)s — copy it now: it will not be shown again.")
            % {"name": obj.name, "secret": secret},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        now = utc_now()
        for token in queryset:
            tokens.revoke(token, now)
