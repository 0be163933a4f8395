"""The steps of a patient's replay (services.care.replay), compared with the stored history in
services.care.replay_history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from venowatch.protocol import Assessment, Pathway, Procedure, ProtocolRef, Urgency
from venowatch.protocol.replay import AnyRecord, Cause


@dataclass(frozen=True, slots=True)
class Step:
    """One standing held from `start` to `end` (None: still held at the replay's end), under
    `protocol`. `cause` is what began it (None: the clinic put another protocol in force then),
    `record` the record behind a record's cause, `index` the procedure the assessment counted
    from (None before any)."""

    start: datetime
    end: datetime | None
    cause: Cause | None
    record: AnyRecord | None
    assessment: Assessment
    protocol: ProtocolRef
    index: Procedure | None

    @property
    def pathway(self) -> Pathway:
        return self.assessment.pathway

    @property
    def urgency(self) -> Urgency:
        return self.assessment.urgency
