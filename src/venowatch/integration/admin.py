"""Administrators allow an EHR to call the CDS services by adding it as a trusted issuer, and
read what clinicians did with the cards (feedback)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.admin_scope import ClinicScopedAdmin, ReadOnlyAdmin
from venowatch.integration.models import Feedback, TrustedIssuer
from venowatch.services.integration.cds.jwks import JwksError, check_jwks


class TrustedIssuerForm(forms.ModelForm[TrustedIssuer]):
    # An address typed without a scheme means https: keys are not fetched over plain http.
    jwks_url = TrustedIssuer._meta.get_field("jwks_url").formfield(assume_scheme="https")

    class Meta:
        model = TrustedIssuer
        fields = ("clinic", "iss", "jwks_url", "jwks", "fhir_servers", "enabled")

    def clean_fhir_servers(self) -> str:
        text: str = self.cleaned_data["fhir_servers"]
        check = URLValidator(schemes=["http", "https"])
        for line in text.splitlines():
            if line.strip():
                try:
                    check(line.strip())
                except forms.ValidationError:
                    raise forms.ValidationError(
                        _("%(line)s is not an http(s) address; give one base URL per line.")
                        % {"line": line.strip()}
                    ) from None
        return text

    def clean_jwks(self) -> Any:
        value = self.cleaned_data["jwks"]
        if value is not None:
            try:
                check_jwks(value)
            except JwksError as exc:
                why = {"why": exc}
                raise forms.ValidationError(_("This JWKS is refused: %(why)s") % why) from None
        return value

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        no_keys = data is not None and not data.get("jwks_url") and data.get("jwks") is None
        if no_keys and "jwks" not in self.errors and "jwks_url" not in self.errors:
            self.add_error("jwks_url", _("Give the issuer's JWKS URL, or its JWKS below."))
        return data


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(ClinicScopedAdmin[TrustedIssuer]):
    form = TrustedIssuerForm
    list_display = ("iss", "clinic", "jwks_url", "enabled")
    list_filter = ("clinic", "enabled")
    search_fields = ("iss",)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin[Feedback]):
    """What clinicians did with the service's cards, as their EHR reported it: read-only, since
    it is the EHR's account, not the clinic's to edit."""

    list_display = ("received_at", "issuer", "outcome", "reason", "user_comment")
    fields = (
        "received_at", "issuer", "service", "card", "outcome", "outcome_at", "reason",
        "user_comment", "accepted_suggestions",
    )  # fmt: skip
    readonly_fields = fields
    list_filter = ("outcome", "issuer")
    search_fields = ("card", "user_comment")
    date_hierarchy = "received_at"

    @admin.display(description=_("override reason"))
    def reason(self, row: Feedback) -> str:
        coding = row.override_reason if isinstance(row.override_reason, dict) else {}
        return str(coding.get("display") or coding.get("code") or "—")
