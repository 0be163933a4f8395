"""Who hears what, through a real SMTP server: the clot alert and its escalation, urgent
pathways, the patient's own short email, and the daily digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.alert_fixtures import NOW, ONCALL, Staffed, clot
from tests.smtp import Inbox, plain
from venowatch.clinic.models import Task, TaskKind
from venowatch.notify.models import Attempt, Kind, Notification, State
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care import tasks
from venowatch.services.care.records import record_checkin, record_lab, record_procedure
from venowatch.services.notification.delivery import deliver_due
from venowatch.services.notification.digests import send_due_digests

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)


def test_a_possible_clot_reaches_advocate_ir_and_on_call_at_once(smtp: Inbox) -> None:
    s = Staffed()
    p = s.operated()
    clot(p)
    assert deliver_due(NOW).sent == 4
    staff = [s.advocate.email, s.ir.email, ONCALL]
    assert sorted(smtp.recipients()) == sorted([*staff, p.user.email])  # type: ignore[union-attr]
    for to in staff:
        (alert,) = smtp.to(to)
        assert "possible blood clot" in alert["Subject"].lower()
        assert alert["Importance"] == "high"
        assert f"/staff/patients/{p.pk}/" in plain(alert)
        assert alert.get_body(("html",)) is not None


def test_the_patient_email_carries_the_guidance_and_no_other_health_details(smtp: Inbox) -> None:
    s = Staffed()
    p = s.operated()
    clot(p)
    deliver_due(NOW)
    (mail,) = smtp.to(p.user.email)  # type: ignore[union-attr]
    body = plain(mail)
    assert "/me/" in body
    assert s.clinic.ir_phone in body  # the emergency guidance: whom to call
    for detail in ("dizzy", "much worse", "symptoms you had before", "Maria Keller's"):
        assert detail not in body
    # Issue 11: an email whose cause is a possible clot says so in its subject.
    assert "possible blood clot" in mail["Subject"].lower()
    assert "Maria Keller" not in mail["Subject"]


def test_an_unacknowledged_alert_escalates_down_the_chain_until_someone_acknowledges(
    smtp: Inbox,
) -> None:
    s = Staffed()
    s.clinic.escalation_emails = "chief@example.org\nbackup@example.org"
    s.clinic.save()
    p = s.operated()
    clot(p)
    deliver_due(NOW)
    deliver_due(NOW + 29 * M)
    assert smtp.to("chief@example.org") == []
    deliver_due(NOW + 30 * M)
    assert len(smtp.to("chief@example.org")) == 1
    deliver_due(NOW + 60 * M)
    assert len(smtp.to("backup@example.org")) == 1
    deliver_due(NOW + 90 * M)  # after the last contact the chain starts again
    assert len(smtp.to("chief@example.org")) == 2
    task = Task.objects.get(patient=p, kind=TaskKind.CALL_PATIENT)
    tasks.acknowledge(task, s.advocate, NOW + 100 * M)
    # The acknowledgement cancels the pending escalation at once (issue 15): nothing is left
    # for delivery to drop.
    assert not Notification.objects.filter(kind=Kind.ESCALATION, state=State.PENDING).exists()
    done = deliver_due(NOW + 120 * M)
    assert (done.sent, done.cancelled) == (0, 0)
    assert deliver_due(NOW + 240 * M).sent == 0
    assert len(smtp.to("chief@example.org")) + len(smtp.to("backup@example.org")) == 3


def test_without_escalation_contacts_the_chain_is_admins_then_on_call(smtp: Inbox) -> None:
    s = Staffed()
    p = s.operated()
    clot(p)
    for minutes in (0, 30, 60):
        deliver_due(NOW + minutes * M)
    assert len(smtp.to(s.admin.email)) == 1
    assert len(smtp.to(ONCALL)) == 2  # the first alert, then the second escalation


def test_with_nobody_to_escalate_to_no_escalation_is_queued() -> None:
    s = Staffed()
    s.clinic.oncall_email = ""
    s.clinic.save()
    s.admin.email = ""
    s.admin.save()
    clot(s.operated())
    assert Notification.objects.filter(kind=Kind.EMERGENCY).count() == 2  # advocate and IR
    assert not Notification.objects.filter(kind=Kind.ESCALATION).exists()


def test_acknowledging_in_time_sends_no_escalation(smtp: Inbox) -> None:
    s = Staffed()
    p = s.operated()
    clot(p)
    deliver_due(NOW)
    tasks.acknowledge(Task.objects.get(patient=p, kind=TaskKind.CALL_PATIENT), s.ir, NOW + 5 * M)
    # Cancelled by the acknowledgement itself, not when it falls due (issue 15): the outbox
    # never shows an answered alert's escalation as waiting to be sent.
    escalation = Notification.objects.get(kind=Kind.ESCALATION)
    assert escalation.state == State.CANCELLED
    assert deliver_due(NOW + 30 * M).cancelled == 0
    assert len(smtp.messages) == 4
    assert Attempt.objects.get(notification=escalation).detail.startswith("task acknowledged")


def test_an_urgent_pathway_reaches_the_advocate_with_its_task(smtp: Inbox) -> None:
    s = Staffed()
    p = s.operated(ago=40 * 24)
    record_lab(
        p, at=NOW - 2 * M, kind=LabKind.BLOOD, result=LabResult.ABNORMAL, finding="anaemia",
        now=NOW - 2 * M,
    )  # fmt: skip
    record_checkin(p, at=NOW, pgic=Pgic.MUCH_WORSE, now=NOW)
    assert p.assessment.urgency == "urgent"
    deliver_due(NOW)
    (mail,) = smtp.to(s.advocate.email)
    assert mail["Subject"].startswith("Urgent: ")
    reason = Task.objects.get(patient=p, kind=TaskKind.REVIEW_LABS).reason
    assert reason in plain(mail)
    assert smtp.to(ONCALL) == []


def test_attention_and_routine_changes_wait_for_one_daily_digest(smtp: Inbox) -> None:
    s = Staffed()
    ann, bo, cy = (s.operated(name, ago=30) for name in ("Ann Lee", "Bo Chan", "Cy Park"))
    record_checkin(ann, at=NOW, pgic=Pgic.NO_CHANGE, now=NOW)
    record_checkin(bo, at=NOW, pgic=Pgic.MINIMALLY_WORSE, now=NOW)
    record_checkin(cy, at=NOW, pgic=Pgic.MUCH_IMPROVED, now=NOW)
    urgencies = {p.name: p.assessment.urgency for p in (ann, bo, cy)}
    assert urgencies == {"Ann Lee": "attention", "Bo Chan": "attention", "Cy Park": "none"}
    deliver_due(NOW)
    assert smtp.to(s.advocate.email) == []  # nothing urgent: no email now
    morning = NOW.replace(hour=12, minute=5) + timedelta(days=1)  # 07:05 in New York
    assert send_due_digests(morning - 10 * M) == 0  # 06:55: not yet
    assert send_due_digests(morning) == 1
    assert send_due_digests(morning + 60 * M) == 0  # once a day
    deliver_due(morning)
    (digest,) = smtp.to(s.advocate.email)
    body = plain(digest)
    assert "Ann Lee" in body
    assert "Bo Chan" in body
    assert "Cy Park" not in body  # better: nothing for staff to do
    assert send_due_digests(morning + timedelta(days=1)) == 0  # no news, no email


def test_a_new_procedure_for_an_emergency_patient_does_not_realert_the_same_change(
    smtp: Inbox,
) -> None:
    s = Staffed()
    p = s.operated()
    clot(p)
    deliver_due(NOW)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW + M, now=NOW + M)
    deliver_due(NOW + 2 * M)
    assert len(smtp.to(ONCALL)) == 1
