"""How a call tried for an emergency went, and how an emergency task ended."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Resolution(models.TextChoices):
    """How an emergency task ended; other tasks end with a note alone."""

    EMERGENCY_ROOM = "emergency_room", _("Reached, sent to the emergency room")
    SEEN_BY_IR = "seen_by_ir", _("Reached, seen by the IR")
    NOT_A_CLOT = "not_a_clot", _("Reached, not a clot")
    NOT_REACHED = "not_reached", _("Could not reach")
