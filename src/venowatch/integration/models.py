"""Which EHRs may call venowatch's CDS services, and the tokens they have already used."""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.fields import EnumField
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


class FetchedJwks(models.Model):
    """A JWK Set fetched from an issuer's URL, shared by every process and machine serving
    CDS Hooks: a cache per process fetched once per process, and a key rotation was seen by
    each process at its own time."""

    url = models.CharField(max_length=500, unique=True)
    jwks = models.JSONField()
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name = _("fetched JWK Set")


class FeedbackOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"


MAX_CARD_ID = 64
"""A card's uuid (36 characters) with room for another EHR's spelling of it."""


class Feedback(models.Model):
    """What a clinician did with one of the service's cards, as the EHR reported it to the
    feedback endpoint (CDS Hooks 2.0): accepted (and which suggestions) or overridden (and
    why). Kept as sent, for the clinic to see how its protocol's advice is taken."""

    issuer = models.ForeignKey(
        TrustedIssuer,
        on_delete=models.PROTECT,  # an issuer is disabled, not deleted, once it has spoken
        related_name="feedback",
        verbose_name=_("from"),
    )
    service = models.CharField(_("service"), max_length=64)
    card = models.CharField(_("card"), max_length=MAX_CARD_ID)
    outcome = EnumField(_("outcome"), max_length=16, enum=FeedbackOutcome)
    accepted_suggestions = models.JSONField(_("accepted suggestions"), default=list)
    override_reason = models.JSONField(_("override reason"), null=True, blank=True)
    user_comment = models.TextField(_("clinician's comment"), max_length=4000, blank=True)
    outcome_at = models.DateTimeField(_("when the clinician acted"))
    received_at = models.DateTimeField(_("received"), db_index=True)

    class Meta:
        verbose_name = _("CDS card feedback")
        verbose_name_plural = _("CDS card feedback")
        ordering = ("-received_at", "-pk")

    def __str__(self) -> str:
        return f"{self.outcome.value} card {self.card}"
