"""Which EHRs may call venowatch's CDS services, and the tokens they have already used."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models import Clinic

MAX_JTI = 255


class TrustedIssuer(models.Model):
    """An EHR allowed to call the CDS services, known by the `iss` of the tokens it signs. Its
    clinic's protocol is the one applied to its requests."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="cds_issuers")
    iss = models.CharField(
        _("issuer (iss)"),
        max_length=500,
        unique=True,
        help_text=_("Exactly as the EHR writes it in its tokens' iss claim."),
    )
    jwks_url = models.URLField(
        _("JWKS URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "Where the EHR publishes its public keys (JWK Set). A token whose header names a "
            "jku is accepted only if the jku is exactly this URL."
        ),
    )
    jwks = models.JSONField(
        _("JWKS"),
        null=True,
        blank=True,
        help_text=_(
            "The EHR's public keys as a JWK Set, if it gave them to you instead of a URL. When "
            "set, these are used and the URL is never fetched."
        ),
    )
    fhir_servers = models.TextField(
        _("FHIR servers"),
        blank=True,
        help_text=_(
            "The EHR's FHIR server base URLs, one per line, that venowatch may fetch from when "
            "a request's prefetch is incomplete. Empty: never fetch, answer 412 instead."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("trusted issuer")

    def allowed_servers(self) -> frozenset[str]:
        return frozenset(
            line.strip().rstrip("/") for line in self.fhir_servers.splitlines() if line.strip()
        )

    def __str__(self) -> str:
        return self.iss


class SeenToken(models.Model):
    """A token already used, kept until it could no longer be accepted, so that a captured
    token cannot be sent twice."""

    iss = models.CharField(max_length=500)
    jti = models.CharField(max_length=MAX_JTI)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("iss", "jti"), name="cds_token_used_once"),
        ]
