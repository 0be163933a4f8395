"""The staff page's "How the advice changed": the patient's replay in words (services.care
.replay_words) and its differences from the stored history, in the clinic's time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from venowatch.services.care.replay_values import PatientReplay
from venowatch.services.care.replay_words import difference_words, steps_in_words


def replay_context(done: PatientReplay) -> dict[str, Any]:
    zone = done.zone
    steps = steps_in_words(done, zone)
    used = [f"{p.id} {p.version}" for p in done.protocols]
    unknown = [f"{p.id} {p.version}" for p in done.unknown]
    return {
        "steps": list(reversed(steps)),  # newest first, as the history below
        "protocols": used,
        "unknown": unknown,
        "stored": done.comparison.stored,
        "agreements": len(done.comparison.agreements),
        "differences": [difference_words(d, done, zone) for d in done.comparison.differences],
        "zone": getattr(zone, "key", None) or str(zone),
    }


def changes(done: PatientReplay) -> list[datetime]:
    """The instants the advice changed, for the chart's markers."""
    return [s.start for s in done.steps[1:]]
