"""The stored episode facts the outcome figures answer from: recomputed, by replay, for the
patients whose assessment revision moved since (every write re-assesses the patient, so a
changed record, a correction or a new protocol all move it), by the worker's pass and by
`venowatch outcomes --refresh`. Reading them for the figures takes a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC as _UTC
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet

from venowatch.clinic import models
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.followed import withdrawn
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.timelines import timelines_of
from venowatch.services.outcomes.episodes import EpisodeFacts, episodes_of
from venowatch.services.outcomes.figures import Figures, figures

BATCH = 200
PER_PASS = 500
"""How many stale patients one pass of the worker recomputes (a couple of seconds)."""
_COLUMNS = (
    "patient_id", "clinic_id", "number", "started_at", "index_day", "ended_day",
    "ended_by_venoplasty", "last_checkin_day", "restenosis_day", "retest_day", "thrombosis_day",
    "pgic_1", "pgic_3", "pgic_6", "pgic_12",
)  # fmt: skip


def window_days() -> int:
    return int(settings.VENOWATCH_OUTCOMES_PGIC_WINDOW_DAYS)


def lost_after_days() -> int:
    return int(settings.VENOWATCH_OUTCOMES_LOST_AFTER_DAYS)


def stale() -> QuerySet[models.Assessment]:
    """Assessments whose patient's facts are missing or were computed at another revision."""
    return models.Assessment.objects.filter(
        Q(patient__outcome__isnull=True) | ~Q(patient__outcome__revision=F("revision"))
    )


def stale_count(clinic_ids: Sequence[int] | None) -> int:
    """Patients waiting to be brought into the figures (not those left out of them)."""
    waiting = stale().exclude(patient_id__in=withdrawn().values("pk"))
    return _of(waiting, clinic_ids).count()


def _of(
    found: QuerySet[models.Assessment], clinic_ids: Sequence[int] | None
) -> QuerySet[models.Assessment]:
    return found if clinic_ids is None else found.filter(patient__clinic_id__in=clinic_ids)


def refresh_stale(
    now: datetime,
    limit: int | None = None,
    batch: int = BATCH,
    clinic_ids: Sequence[int] | None = None,
) -> int:
    """Recompute the facts of stale patients (of the clinics; None: all), batch by batch, at
    most `limit` of them."""
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        found = _of(stale(), clinic_ids).order_by("patient_id")
        ids = list(found.values_list("patient_id", flat=True)[:size])
        if not ids:
            break
        refresh(models.Patient.objects.filter(pk__in=ids).select_related("clinic"), now)
        done += len(ids)
    return done


def refresh(patients: Iterable[models.Patient], now: datetime) -> None:
    """Replay each patient's records up to `now` under their clinic's protocol and store the
    episodes, replacing the ones stored. Reads and replays outside the transaction."""
    patients = list(patients)
    timelines = timelines_of(patients)
    revisions = dict(
        models.Assessment.objects.filter(patient__in=patients).values_list("patient_id", "revision")
    )
    rows: list[models.OutcomeEpisode] = []
    states: list[models.OutcomeState] = []
    for p in patients:
        protocol = clinic_protocol(p.clinic)
        found = episodes_of(timelines[p.pk], p.clinic_id, now, protocol, window_days())
        rows += [_row(e) for e in found]
        venoplasties = sum(
            1 for x in timelines[p.pk].procedures if x.kind is ProcedureKind.VENOPLASTY
        )
        reached = venoplasties - 1 >= protocol.parameters.repeats_before_stent
        states.append(
            models.OutcomeState(
                patient=p, clinic_id=p.clinic_id, revision=revisions.get(p.pk, 0),
                computed_at=now, venoplasties=venoplasties, reached_stent_count=reached,
            )
        )  # fmt: skip
    with transaction.atomic():
        ids = [p.pk for p in patients]
        models.OutcomeEpisode.objects.filter(patient_id__in=ids).delete()
        models.OutcomeState.objects.filter(patient_id__in=ids).delete()
        models.OutcomeEpisode.objects.bulk_create(rows)
        models.OutcomeState.objects.bulk_create(states)


def _row(e: EpisodeFacts) -> models.OutcomeEpisode:
    p1, p3, p6, p12 = e.pgic
    return models.OutcomeEpisode(
        patient_id=e.patient_id, clinic_id=e.clinic_id, number=e.number, started_at=e.started_at,
        index_day=e.index_day, ended_day=e.ended_day, ended_by_venoplasty=e.ended_by_venoplasty,
        last_checkin_day=e.last_checkin_day, restenosis_day=e.restenosis_day,
        retest_day=e.retest_day, thrombosis_day=e.thrombosis_day,
        pgic_1=_code(p1), pgic_3=_code(p3), pgic_6=_code(p6), pgic_12=_code(p12),
    )  # fmt: skip


def _code(answer: Pgic | None) -> str | None:
    return None if answer is None else answer.value


def _answer(code: str | None) -> Pgic | None:
    return None if code is None else Pgic(code)


def _selected(
    clinic_ids: Sequence[int] | None, start: date | None, end: date | None
) -> QuerySet[models.OutcomeEpisode]:
    """The stored episodes of the clinics (None: all), begun between `start` and `end`
    (inclusive, UTC dates), whoever's consent."""
    rows = models.OutcomeEpisode.objects.all()
    if clinic_ids is not None:
        rows = rows.filter(clinic_id__in=clinic_ids)
    if start is not None:
        rows = rows.filter(started_at__gte=datetime.combine(start, time(), tzinfo=_UTC))
    if end is not None:
        rows = rows.filter(
            started_at__lt=datetime.combine(end + timedelta(days=1), time(), tzinfo=_UTC)
        )
    return rows


def stored_episodes(
    clinic_ids: Sequence[int] | None, start: date | None = None, end: date | None = None
) -> list[EpisodeFacts]:
    """The stored episodes of the clinics (None: all), begun between `start` and `end`
    (inclusive, UTC dates), in one query; none of a patient who withdrew their consent (they
    are counted by `withdrawn_count`, docs/decisions: outcomes2)."""
    rows = _selected(clinic_ids, start, end).exclude(patient_id__in=withdrawn().values("pk"))
    return [
        EpisodeFacts(
            patient_id=r[0],
            clinic_id=r[1],
            number=r[2],
            started_at=r[3],
            index_day=r[4],
            ended_day=r[5],
            ended_by_venoplasty=r[6],
            last_checkin_day=r[7],
            restenosis_day=r[8],
            retest_day=r[9],
            thrombosis_day=r[10],
            pgic=(_answer(r[11]), _answer(r[12]), _answer(r[13]), _answer(r[14])),
        )
        for r in rows.order_by("patient_id", "number").values_list(*_COLUMNS)
    ]


def withdrawn_count(
    clinic_ids: Sequence[int] | None, start: date | None = None, end: date | None = None
) -> int:
    """How many patients the cohort would hold but for their withdrawn consent (one query)."""
    rows = _selected(clinic_ids, start, end).filter(patient_id__in=withdrawn().values("pk"))
    return rows.values("patient_id").distinct().count()


def cohort_figures(
    clinic_ids: Sequence[int] | None,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
) -> tuple[Figures, list[EpisodeFacts]]:
    """The figures of the stored episodes (three queries whatever the cohort's size), leaving
    out, and counting, the patients who withdrew their consent."""
    episodes = stored_episodes(clinic_ids, start, end)
    patients = {e.patient_id for e in episodes}
    states = models.OutcomeState.objects.all()
    if clinic_ids is not None:
        states = states.filter(clinic_id__in=clinic_ids)
    venoplasties = [
        (n, reached)
        for pk, n, reached in states.values_list(
            "patient_id", "venoplasties", "reached_stent_count"
        )
        if pk in patients
    ]
    left_out = withdrawn_count(clinic_ids, start, end)
    found = figures(episodes, venoplasties, now, lost_after_days(), window_days(), left_out)
    return found, episodes


def clinic_names(clinic_ids: Sequence[int] | None) -> dict[int, str]:
    """The clinics' names by id (None: every clinic), for choosing a cohort."""
    found = models.Clinic.objects.order_by("name", "pk")
    if clinic_ids is not None:
        found = found.filter(pk__in=clinic_ids)
    return dict(found.values_list("pk", "name"))
