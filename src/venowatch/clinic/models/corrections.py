"""What makes a record correctable without losing it: a record is voided (it no longer counts,
with who, when and why) or superseded by a correction (a new record that names the one it
replaces, which is voided with the correction's reason). Rows are never deleted."""

from __future__ import annotations

import enum

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordState(enum.Enum):
    """Whether a record counts: current, voided, or superseded by a correction."""

    CURRENT = "current"
    VOIDED = "voided"
    SUPERSEDED = "superseded"


class Correctable(models.Model):
    """The columns a voided or superseded record carries. `voided_at` is set for both: the
    timeline read keeps only rows where it is null, one column test on every check-in."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    void_reason = models.TextField(_("reason"), max_length=1000, blank=True, editable=False)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
        editable=False,
        verbose_name=_("corrects"),
    )

    class Meta:
        abstract = True

    @property
    def state(self) -> RecordState:
        """Load rows with `select_related("replacement")` to read this without a query each."""
        if self.voided_at is None:
            return RecordState.CURRENT
        try:
            getattr(self, "replacement")  # noqa: B009  # the reverse one-to-one of `replaces`
        except models.ObjectDoesNotExist:
            return RecordState.VOIDED
        return RecordState.SUPERSEDED
