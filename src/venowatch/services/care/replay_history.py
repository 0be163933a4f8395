"""The replay beside the assessment history venowatch stored as it went (AssessmentChange rows):
where they agree, and where they differ, why.

The stored history is what venowatch said at the time, from the records it held then, when it
happened to assess (a write, the sweep); the replay is what the records that count now say of
every moment. They differ for reasons a reader can be told: a record corrected or voided after
the fact, a record entered after the moment it is dated, another protocol, a sweep that ran
late, or a history that begins after the records do (an import is assessed once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, F, Value

from venowatch.clinic import models
from venowatch.protocol import Pathway, ProtocolRef, Urgency
from venowatch.services.care.replay_values import (
    Agreement,
    Comparison,
    Difference,
    RecordKind,
    RecordRow,
    Step,
    StoredChange,
    Why,
)

SLACK = timedelta(minutes=2)
"""A stored change this close after the replayed instant agrees on time: a write stores its
change in the same request, the sweep runs every minute."""


def stored_changes(patient: models.Patient) -> list[StoredChange]:
    """The patient's stored history, oldest first, in one query."""
    rows = patient.assessment_changes.order_by("at", "pk").values_list(
        "at", "pathway", "urgency", "protocol"
    )
    return fold([(at, Pathway(p), Urgency(u), ref) for at, p, u, ref in rows])


def fold(rows: Sequence[tuple[datetime, Pathway, Urgency, dict[str, str]]]) -> list[StoredChange]:
    out: list[StoredChange] = []
    for at, pathway, urgency, ref in rows:
        if out and (out[-1].pathway, out[-1].urgency) == (pathway, urgency):
            continue
        protocol = ProtocolRef(ref["id"], ref["version"], ref["sha256"]) if ref else None
        out.append(StoredChange(at, pathway, urgency, protocol))
    return out


def record_rows(patient: models.Patient) -> list[RecordRow]:
    """Every record row of the patient, voided ones too, in one query."""

    def part(model: Any, kind: RecordKind, at: str) -> Any:
        return model.objects.filter(patient=patient).values_list(
            Value(kind.value, output_field=CharField()),
            F(at),
            "recorded_at",
            "voided_at",
            "void_reason",
        )

    union = part(models.Procedure, RecordKind.PROCEDURE, "performed_at").union(
        part(models.CheckIn, RecordKind.CHECKIN, "at"),
        part(models.Lab, RecordKind.LAB, "at"),
        all=True,
    )
    return [RecordRow(RecordKind(k), at, rec, voided, why) for k, at, rec, voided, why in union]


def compare(
    steps: Sequence[Step], history: Sequence[StoredChange], rows: Sequence[RecordRow], end: datetime
) -> Comparison:
    agreements: list[Agreement] = []
    differences: list[Difference] = []
    previous: StoredChange | None = None
    agreed = True
    for change in history:
        if change.at > end:
            break
        found = _held(steps, change.at)
        standing = (change.pathway, change.urgency)
        replayed = None if found is None else (found.pathway, found.urgency)
        if found is None and change.pathway is Pathway.NO_PROCEDURE:
            # Before any record the engine's answer is "no procedure" too: the replay starts
            # at the first record, and a patient with none has no steps.
            agreements.append(Agreement(change.at, change.at, *standing))
            agreed = True
        elif found is not None and replayed == standing:
            # Stored late: the replay changed after the history's last agreeing change, and
            # well before this one. After a disagreement this change is the history catching
            # up (a void, a protocol saved), not lateness.
            late = agreed and (previous is None or found.start > previous.at)
            if late and change.at - found.start > SLACK:
                differences.append(_late(change, previous, found, rows))
            else:
                agreements.append(Agreement(change.at, found.start, *standing))
            agreed = True
        else:
            agreed = False
            why, record = _why_not(change, found, rows)
            differences.append(
                Difference(
                    why,
                    change.at,
                    standing,
                    None if found is None else found.start,
                    replayed,
                    record,
                    change.protocol,
                )
            )
        previous = change
    differences += _never_stored(steps, history, rows, end)
    differences.sort(key=lambda d: d.stored_at or d.replayed_at or end)
    return Comparison(tuple(agreements), tuple(differences), len(history))


def _held(steps: Sequence[Step], t: datetime) -> Step | None:
    held = None
    for step in steps:
        if step.start > t:
            break
        held = step
    return held


def _late(
    change: StoredChange, previous: StoredChange | None, found: Step, rows: Sequence[RecordRow]
) -> Difference:
    """The history has the replayed standing, stored later than the replay says it began."""
    standing = (change.pathway, change.urgency)
    before = None if previous is None else previous.protocol
    if before is not None and before != found.protocol:
        why, record = Why.PROTOCOL, None  # the history held on under the rules of its time
    elif found.cause is None or found.record is None:
        why, record = Why.SWEEP_LATE, None
    else:
        record = next((r for r in rows if r.at == found.start and r.voided_at is None), None)
        why = Why.RECORDED_LATE
    return Difference(why, change.at, standing, found.start, standing, record, change.protocol)


def _why_not(
    change: StoredChange, found: Step | None, rows: Sequence[RecordRow]
) -> tuple[Why, RecordRow | None]:
    """Why the replay holds another standing than the one stored at `change.at`."""
    t = change.at
    voided = [r for r in rows if r.voided_at is not None and r.at <= t < r.voided_at]
    if voided:
        return Why.CORRECTION, max(voided, key=lambda r: r.at)
    entered = [r for r in rows if r.at <= t < r.recorded_at]
    if entered:
        return Why.RECORDED_LATE, max(entered, key=lambda r: r.at)
    if found is not None and change.protocol is not None and change.protocol != found.protocol:
        return Why.PROTOCOL, None
    if found is not None and t - found.start <= SLACK:
        # The replay moved on moments before the stored change: the history's next change
        # (or the sweep's) followed.
        return Why.SWEEP_LATE, None
    return Why.UNEXPLAINED, None


def _never_stored(
    steps: Sequence[Step], history: Sequence[StoredChange], rows: Sequence[RecordRow], end: datetime
) -> list[Difference]:
    """Replayed standings the history never held while they lasted."""
    out: list[Difference] = []
    for step in steps:
        stop = step.end or end
        standing = (step.pathway, step.urgency)
        if _stored_within(history, standing, step.start, stop):
            continue
        if not history or history[0].at > stop:
            why: Why = Why.BEFORE_HISTORY
            record = None
        else:
            why, record = _why_unseen(step, stop, rows)
        out.append(Difference(why, None, None, step.start, standing, record, step.protocol))
    return out


def _stored_within(
    history: Sequence[StoredChange],
    standing: tuple[Pathway, Urgency],
    start: datetime,
    stop: datetime,
) -> bool:
    """The history held `standing` at some moment of [start, stop + SLACK]."""
    held: StoredChange | None = None
    for change in history:
        if change.at > stop + SLACK:
            break
        if change.at <= start:
            held = change
            continue
        if (change.pathway, change.urgency) == standing:
            return True
    return held is not None and (held.pathway, held.urgency) == standing


def _why_unseen(
    step: Step, stop: datetime, rows: Sequence[RecordRow]
) -> tuple[Why, RecordRow | None]:
    """Why the history never held a replayed standing."""
    late = [r for r in rows if r.voided_at is None and r.at <= stop < r.recorded_at]
    if late:
        return Why.RECORDED_LATE, min(late, key=lambda r: r.at)
    voided = [r for r in rows if r.voided_at is not None and r.voided_at > step.start]
    if voided:
        return Why.CORRECTION, max(voided, key=lambda r: r.voided_at or r.at)
    if step.cause is None:
        return Why.PROTOCOL, None
    return Why.NOT_ASSESSED, None
