"""Staff tasks opened by assessment changes: the kind each pathway opens, and a reason written
from the clinic's own protocol."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.alert_fixtures import NOW, Staffed
from venowatch.clinic.models import Task, TaskKind
from venowatch.protocol import PROPERTIES, Pathway, Pgic, StaffTask
from venowatch.services.care import tasks
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import record_checkin

DEFAULT = (Path(__file__).parents[1] / "src/venowatch/protocol/default.toml").read_text()
D = timedelta(days=1)


def test_every_kind_of_staff_work_is_a_task_kind_of_the_clinic() -> None:
    assert {k.value for k in StaffTask} == set(TaskKind.values)
    for pathway, props in PROPERTIES.items():
        kind = tasks.pathway_task(pathway)
        assert (kind and kind.value) == (props.opens and props.opens.kind.value), pathway


def _reasons(s: Staffed) -> dict[TaskKind, str]:
    return {TaskKind(t.kind): t.reason for t in Task.objects.filter(patient__clinic=s.clinic)}


@pytest.mark.django_db
def test_task_reasons_follow_the_clinics_own_protocol() -> None:
    """Worse for 3 weeks: a clinic that retests after 3 weeks says so, and chases a check-in
    after 10 days; the shipped protocol waits 4 weeks and 2."""
    own = DEFAULT.replace('worsening_min = "28d"', 'worsening_min = "3w"')
    own = own.replace('checkin_overdue_after = "14d"', 'checkin_overdue_after = "10d"')
    s = Staffed()
    s.clinic.protocol_text = own
    s.clinic.save()
    p = s.operated(ago=24 * 30)  # 30 days ago
    start = NOW - 30 * D
    for week in range(4):
        at = start + (3 + 7 * week) * D
        record_checkin(p, at=at, pgic=Pgic.MINIMALLY_WORSE, now=at)
    current = reassess(p, start + 35 * D)
    reasons = _reasons(s)
    assert reasons[TaskKind.SCHEDULE_RETEST] == (
        "Worse for 3 weeks and not easing: schedule the retest."
    )
    assert reasons[TaskKind.OVERDUE_CHECKIN] == "No check-in for 10 days: contact the patient."
    assert Pathway(current.pathway) is Pathway.WORSENING_RETEST
