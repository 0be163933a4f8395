"""Tokens for integrations, and the answers kept for idempotent requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models import Clinic


class Scope(models.TextChoices):
    READ = "read", _("read")
    WRITE = "write", _("read and write")


class ApiToken(models.Model):
    """A secret an integration sends as `Authorization: Bearer <token>`. It acts as its user,
    within that user's role and reach, for one clinic and one scope. Only a hash is stored:
    the secret is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """The first answer to a request sent with an Idempotency-Key, kept so that a retry gets
    the same answer and stores nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "key"), name="one_answer_per_key"),
        ]
