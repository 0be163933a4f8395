"""Which protocol file a clinic had in force when: every file put in force is kept
(clinic.ProtocolFile), so a patient's course can be replayed under the rules of the time.

Before the first kept file (a clinic older than the archive), the stored assessment history
says which file each change was made under (its protocol's id, version and SHA-256); a file
known by that SHA-256 (the shipped one, or any kept) is used, and one not known is reported as
such by the replay rather than guessed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from venowatch.clinic import models
from venowatch.protocol import Protocol, ProtocolRef
from venowatch.services.care.protocols import clinic_protocol, default_protocol
from venowatch.services.care.protocols import parsed_text as _parsed


def archive(clinic: models.Clinic, text: str, now: datetime) -> None:
    """Keep `text` as the clinic's protocol from `now` on (call in the saving transaction)."""
    protocol = _parsed(text) if text.strip() else default_protocol()
    models.ProtocolFile.objects.create(
        clinic=clinic, sha256=protocol.ref.sha256, text=text, in_force_from=now
    )


@dataclass(frozen=True, slots=True)
class InForce:
    """The clinic's protocol from `start` on (None: from the beginning)."""

    start: datetime | None
    protocol: Protocol


@dataclass(frozen=True, slots=True)
class Archive:
    """The clinic's protocol files over time, and every file known by its SHA-256."""

    periods: tuple[InForce, ...]
    known: dict[str, Protocol]

    def find(self, ref: ProtocolRef) -> Protocol | None:
        return self.known.get(ref.sha256)


def archive_of(clinic: models.Clinic) -> Archive:
    """One query: the clinic's kept files, oldest first."""
    current = clinic_protocol(clinic)
    shipped = default_protocol()
    known = {shipped.ref.sha256: shipped, current.ref.sha256: current}
    periods: list[InForce] = []
    for at, text in (
        models.ProtocolFile.objects.filter(clinic=clinic)
        .order_by("in_force_from", "pk")
        .values_list("in_force_from", "text")
    ):
        protocol = _parsed(text) if text else shipped
        known[protocol.ref.sha256] = protocol
        periods.append(InForce(at, protocol))
    return Archive(tuple(periods), known)
