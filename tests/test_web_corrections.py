"""Voiding and correcting records on the web, the "save anyway" box for a likely repeat, and the
patient withdrawing their own check-in; the history says what happened, in words."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import Assessment, CheckIn, Lab, Patient, Procedure, Role
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_lab, record_procedure

pytestmark = pytest.mark.django_db
LOCAL = "%Y-%m-%dT%H:%M"


def _as(u: User) -> Client:
    client = Client()
    client.force_login(u)
    return client


def _maria(hours: float = 20) -> tuple[Patient, User]:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    alex.first_name, alex.last_name = "Alex", "Morgan"
    alex.save()
    p = patient("Maria Keller", c, advocate=alex)
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - hours * H, now=now)
    return p, alex


def _url(name: str, p: Patient, kind: str, rid: int) -> str:
    return reverse(name, args=[p.pk, kind, rid])


def test_staff_void_a_checkin_and_the_page_says_who_and_why() -> None:
    p, alex = _maria()
    now = timezone.now()
    bad = record_checkin(p, at=now, pgic=Pgic.NO_CHANGE, symptoms_returned=True, now=now)
    staff = _as(alex)
    page = staff.get(reverse("staff-patient", args=[p.pk])).content.decode()
    assert _url("staff-record", p, "checkins", bad.pk) in page
    empty = staff.post(_url("staff-void-record", p, "checkins", bad.pk), {"void-reason": ""})
    assert empty.status_code == 400
    assert "Say why the record is wrong." in empty.content.decode()
    done = staff.post(
        _url("staff-void-record", p, "checkins", bad.pk), {"void-reason": "pressed by mistake"}
    )
    assert done.status_code == 302
    assert Assessment.objects.get(patient=p).pathway == "awaiting_checkin"
    page = staff.get(reverse("staff-patient", args=[p.pk])).content.decode()
    assert "Voided by Alex Morgan" in page
    assert "pressed by mistake. No longer counts." in page
    again = staff.get(_url("staff-record", p, "checkins", bad.pk)).content.decode()
    assert 'id="void"' not in again, "a voided record offers no more forms"


def test_staff_correct_a_procedure_both_kept_and_shown() -> None:
    p, alex = _maria(hours=24 * 10)
    old = Procedure.objects.get(patient=p)
    zone_at = old.performed_at.astimezone(ZoneInfo(p.time_zone))
    form = {"fix-kind": "stent", "fix-performed_at": zone_at.strftime(LOCAL), "fix-veins": "azygos",
            "fix-reason": "it was a stent"}  # fmt: skip
    response = _as(alex).post(_url("staff-correct-record", p, "procedures", old.pk), form)
    assert response.status_code == 302, response.content.decode()
    new = Procedure.objects.get(replaces=old)
    assert new.kind is ProcedureKind.STENT
    page = _as(alex).get(reverse("staff-patient", args=[p.pk])).content.decode()
    assert "Corrected by Alex Morgan" in page
    assert "Correction of an earlier record." in page
    table = page.split('id="procedures"')[1].split("</table>")[0]
    assert "<td>Stent</td>" in table
    assert "<td>stent</td>" not in table, "the kind shows as a word, not a code"


def test_staff_correct_a_lab_needs_a_finding_for_abnormal() -> None:
    p, alex = _maria(hours=24 * 10)
    now = timezone.now()
    lab = record_lab(p, at=now - D, kind=LabKind.URINE, result=LabResult.NORMAL, now=now)
    local = lab.at.astimezone(ZoneInfo(p.time_zone)).strftime(LOCAL)
    form = {"fix-kind": "urine", "fix-result": "abnormal", "fix-at": local, "fix-reason": "misread"}
    refused = _as(alex).post(_url("staff-correct-record", p, "labs", lab.pk), form)
    assert refused.status_code == 400
    assert "Finding is needed for an abnormal result" in refused.content.decode()
    assert Lab.objects.get(pk=lab.pk).voided_at is None
    form["fix-finding"] = "infection"
    assert _as(alex).post(_url("staff-correct-record", p, "labs", lab.pk), form).status_code == 302
    assert Lab.objects.get(replaces=lab).finding == "infection"


def test_staff_correct_a_checkin() -> None:
    p, alex = _maria(hours=24 * 10)
    now = timezone.now()
    c = record_checkin(p, at=now - D, pgic=Pgic.MUCH_WORSE, symptoms={"fatigue": 7}, now=now)
    local = c.at.astimezone(ZoneInfo(p.time_zone)).strftime(LOCAL)
    form = {"fix-at": local, "fix-pgic": "much_improved", "fix-reason": "misread the scale"}
    done = _as(alex).post(_url("staff-correct-record", p, "checkins", c.pk), form)
    assert done.status_code == 302, done.content.decode()
    new = CheckIn.objects.get(replaces=c)
    assert (new.pgic, new.symptoms) == (Pgic.MUCH_IMPROVED, {"fatigue": 7})


def test_a_repeat_comes_back_with_a_save_anyway_box() -> None:
    p, alex = _maria(hours=24 * 10)
    old = Procedure.objects.get(patient=p)
    local = old.performed_at.astimezone(ZoneInfo(p.time_zone))
    form = {"procedure-kind": "venoplasty", "procedure-performed_at": local.strftime(LOCAL)}
    url = reverse("staff-add-procedure", args=[p.pk])
    staff = _as(alex)
    first = staff.get(reverse("staff-patient", args=[p.pk])).content.decode()
    assert "Save anyway" not in first
    repeat = staff.post(url, form)
    assert repeat.status_code == 400
    text = repeat.content.decode()
    assert "This looks like a repeat" in text
    assert "Save anyway: this is another one" in text
    assert Procedure.objects.filter(patient=p).count() == 1
    assert staff.post(url, {**form, "procedure-confirm_duplicate": "on"}).status_code == 302
    assert Procedure.objects.filter(patient=p).count() == 2


def test_the_patient_checks_in_twice_and_is_asked_and_withdraws_within_the_hour() -> None:
    p, _alex = _maria(hours=24 * 10)
    assert p.user is not None
    me = _as(p.user)
    assert me.post(reverse("patient-checkin"), {"pgic": "no_change"}).status_code == 302
    twice = me.post(reverse("patient-checkin"), {"pgic": "no_change"})
    assert twice.status_code == 200
    assert "This looks like a repeat" in twice.content.decode()
    assert CheckIn.objects.filter(patient=p).count() == 1
    mine = CheckIn.objects.get(patient=p)
    history = me.get(reverse("patient-history")).content.decode()
    assert "Withdraw this check-in" in history
    url = reverse("patient-withdraw-checkin", args=[mine.pk])
    assert me.post(url).status_code == 302
    history = me.get(reverse("patient-history")).content.decode()
    assert "Withdrawn by you" in history
    assert "Withdraw this check-in" not in history
    assert ": Venoplasty" in history, "the procedure's kind is a word, not a code"


def test_the_patient_cannot_withdraw_after_the_window_nor_anothers() -> None:
    p, _alex = _maria(hours=24 * 10)
    other = patient("Bo Other", p.clinic)
    assert p.user is not None
    now = timezone.now()
    old = record_checkin(p, at=now - 2 * H, pgic=Pgic.NO_CHANGE, by=p.user, now=now)
    CheckIn.objects.filter(pk=old.pk).update(recorded_at=now - timedelta(minutes=61))
    me = _as(p.user)
    assert "Withdraw this check-in" not in me.get(reverse("patient-history")).content.decode()
    late = me.post(reverse("patient-withdraw-checkin", args=[old.pk]), follow=True)
    assert "can no longer be withdrawn here" in late.content.decode()
    assert CheckIn.objects.get(pk=old.pk).voided_at is None
    record_procedure(other, kind=ProcedureKind.VENOPLASTY, performed_at=now - D, now=now)
    theirs = record_checkin(other, at=now, pgic=Pgic.NO_CHANGE, by=other.user, now=now)
    assert me.post(reverse("patient-withdraw-checkin", args=[theirs.pk])).status_code == 404


def test_staff_out_of_reach_or_a_patient_get_404_on_the_correction_pages() -> None:
    p, alex = _maria()
    jordan = user("jordan", p.clinic, Role.ADVOCATE)
    proc = Procedure.objects.get(patient=p)
    assert p.user is not None
    for who in (jordan, p.user):
        client = _as(who)
        assert client.get(_url("staff-record", p, "procedures", proc.pk)).status_code == 404
        void = client.post(
            _url("staff-void-record", p, "procedures", proc.pk), {"void-reason": "x"}
        )
        assert void.status_code == 404
    assert _as(alex).get(_url("staff-record", p, "notes", proc.pk)).status_code == 404
    assert Procedure.objects.get(pk=proc.pk).voided_at is None


def test_a_procedure_before_the_clinics_earliest_date_is_refused_next_to_the_field() -> None:
    p, alex = _maria()
    form = {"procedure-kind": "venoplasty", "procedure-performed_at": "2004-06-01T10:00"}
    refused = _as(alex).post(reverse("staff-add-procedure", args=[p.pk]), form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Date and time of the procedure is before 1 January 2005" in text
    assert Procedure.objects.filter(patient=p).count() == 1
