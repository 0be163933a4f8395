"""Consent to be followed: given with its text's version, shown to staff, withdrawn by the
patient or recorded by staff; after a withdrawal no reminder, guidance message or digest line
goes out (emergencies still reach staff), and the records are kept as the clinic says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.alert_fixtures import NOW, Staffed, clot
from tests.web_fixtures import D, H, clinic, user
from venowatch.clinic.models import Consent, Patient, Role, Task
from venowatch.notify.models import Attempt, Kind, Notification, Outcome, Reminder, State
from venowatch.protocol import Pgic
from venowatch.services.care import consent
from venowatch.services.care.consent import CURRENT_VERSION, Standing, state_of
from venowatch.services.care.records import record_checkin
from venowatch.services.errors import FieldError
from venowatch.services.notification.digests import send_due_digests
from venowatch.services.notification.reminders import send_due_reminders
from venowatch.services.sweep import sweep

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)


def _login(p: Patient) -> User:
    assert p.user is not None
    return p.user


def _kinds(p: Patient) -> list[str]:
    return sorted(Notification.objects.filter(patient=p).values_list("kind", flat=True))


def test_consent_is_given_with_the_version_of_its_text_and_withdrawn_once() -> None:
    s = Staffed()
    p = s.patient()
    assert state_of(p).standing is Standing.NOT_RECORDED
    consent.give(p, p.user, NOW)
    given = state_of(p)
    assert (given.standing, given.version, given.given_by) == (
        Standing.GIVEN,
        CURRENT_VERSION,
        p.user,
    )
    assert "withdraw this consent" in consent.consent_text(given.version)
    with pytest.raises(FieldError) as twice:
        consent.give(p, p.user, NOW)
    assert twice.value.field == "consent"
    consent.withdraw(p, s.advocate, NOW + D)
    gone = state_of(p)
    assert (gone.standing, gone.withdrawn_at, gone.withdrawn_by) == (
        Standing.WITHDRAWN, NOW + D, s.advocate,
    )  # fmt: skip
    with pytest.raises(FieldError, match="no consent to withdraw"):
        consent.withdraw(p, s.advocate, NOW + D)
    consent.give(p, p.user, NOW + 2 * D)
    assert state_of(p).standing is Standing.GIVEN
    assert Consent.objects.filter(patient=p).count() == 2, "the history stays"


def test_after_withdrawal_no_reminder_is_queued_and_pending_ones_are_cancelled() -> None:
    s = Staffed()
    p = s.operated(ago=0)  # the procedure now: reminders from 6 h
    consent.give(p, p.user, NOW)
    send_due_reminders(NOW + 6 * H)
    (first,) = Notification.objects.filter(patient=p, kind=Kind.REMINDER)
    assert first.state == State.PENDING
    consent.withdraw(p, p.user, NOW + 7 * H)
    first.refresh_from_db()
    assert first.state == State.CANCELLED
    assert Attempt.objects.get(notification=first).outcome == Outcome.CANCELLED
    assert not Reminder.objects.filter(patient=p).exists()
    send_due_reminders(NOW + 3 * D)
    assert Notification.objects.filter(patient=p, kind=Kind.REMINDER).count() == 1
    consent.give(p, p.user, NOW + 3 * D)  # given again: the schedule picks up
    assert Reminder.objects.filter(patient=p).exists()


def test_after_withdrawal_the_patient_hears_nothing_but_an_emergency_still_reaches_staff() -> None:
    s = Staffed()
    p = s.operated()
    consent.give(p, p.user, NOW - 20 * H)
    consent.withdraw(p, p.user, NOW - H)
    clot(p)
    assert Task.objects.filter(patient=p, emergency=True).exists()
    kinds = _kinds(p)
    assert Kind.EMERGENCY in kinds, "staff are alerted"
    assert Kind.PATIENT_UPDATE not in kinds, "the patient is not written to"
    addresses = set(Notification.objects.filter(patient=p).values_list("address", flat=True))
    assert _login(p).email not in addresses


def test_a_patient_who_did_not_withdraw_is_told_of_the_change() -> None:
    """The control of the test above: the same clot writes to the patient when consent holds."""
    s = Staffed()
    p = s.operated()
    consent.give(p, p.user, NOW - 20 * H)
    clot(p)
    assert Kind.PATIENT_UPDATE in _kinds(p)


def test_the_digest_leaves_out_patients_who_withdrew() -> None:
    s = Staffed()
    ann, bo = s.operated("Ann Lee", ago=30), s.operated("Bo Chan", ago=30)
    for p in (ann, bo):
        record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, now=NOW)
    consent.give(bo, bo.user, NOW)
    consent.withdraw(bo, bo.user, NOW + M)
    morning = NOW.replace(hour=12, minute=5) + timedelta(days=1)
    assert send_due_digests(morning) == 1
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert "Ann Lee" in digest.text
    assert "Bo Chan" not in digest.text


def test_records_are_kept_by_default_and_erased_after_the_clinics_retention() -> None:
    s = Staffed()
    p = s.operated()
    consent.give(p, p.user, NOW - 20 * H)
    consent.withdraw(p, p.user, NOW)
    sweep(NOW + 400 * D)
    assert Patient.objects.filter(pk=p.pk).exists(), "no retention set: kept"
    s.clinic.retention_days = 30
    s.clinic.save()
    assert sweep(NOW + 29 * D).erased == 0
    assert Patient.objects.filter(pk=p.pk).exists()
    assert sweep(NOW + 30 * D).erased == 1
    assert not Patient.objects.filter(pk=p.pk).exists()


# --- the pages ------------------------------------------------------------------------------


def test_the_patient_withdraws_on_their_page_ticking_the_box(client: Client) -> None:
    s = Staffed()
    p = s.patient()
    consent.give(p, p.user, NOW)
    client.force_login(_login(p))
    page = client.get("/me/data/").content.decode()
    assert "You gave your consent on" in page
    assert "Withdraw my consent" in page
    unticked = client.post("/me/consent/withdraw/", {})
    assert unticked.status_code == 422
    assert "Tick the box to withdraw your consent." in unticked.content.decode()
    assert state_of(p).standing is Standing.GIVEN
    done = client.post("/me/consent/withdraw/", {"sure": "on"}, follow=True)
    assert "Your consent is withdrawn." in done.content.decode()
    assert state_of(p).withdrawn_by == p.user
    again = client.post("/me/consent/give/", follow=True).content.decode()
    assert "your consent is recorded" in again
    assert state_of(p).standing is Standing.GIVEN


def test_staff_see_the_consent_and_record_a_withdrawal(client: Client) -> None:
    s = Staffed()
    p = s.patient()
    client.force_login(s.advocate)
    url = f"/staff/patients/{p.pk}/"
    assert "No consent to follow-up is recorded" in client.get(url).content.decode()
    consent.give(p, p.user, NOW)
    page = client.get(url).content.decode()
    assert f"text version {CURRENT_VERSION}" in page
    client.post(f"{url}consent/", {"action": "withdraw"})
    assert state_of(p).withdrawn_by == s.advocate
    assert "Consent withdrawn" in client.get(url).content.decode()


def test_only_staff_who_may_record_consent_reach_it(client: Client) -> None:
    s = Staffed()
    p = s.patient()
    consent.give(p, p.user, NOW)
    elsewhere = user("elsewhere", clinic("Elsewhere"), Role.ADVOCATE)
    for who in (s.ir, _login(p), elsewhere):
        client.force_login(who)
        answer = client.post(f"/staff/patients/{p.pk}/consent/", {"action": "withdraw"})
        assert answer.status_code == 404
    assert state_of(p).standing is Standing.GIVEN


def test_the_demo_patients_have_given_consent() -> None:
    from venowatch.services.demo import create_demo

    create_demo(NOW)
    patients = list(Patient.objects.all())
    assert patients
    assert {state_of(p).standing for p in patients} == {Standing.GIVEN}


def test_the_admin_shows_the_consent_in_words(client: Client) -> None:
    s = Staffed()
    p = s.patient()
    s.admin.is_staff = True
    s.admin.save()
    client.force_login(s.admin)
    page = f"/admin/clinic/patient/{p.pk}/change/"
    assert "Not recorded." in client.get(page).content.decode()
    consent.give(p, s.advocate, NOW)
    assert f"(text version {CURRENT_VERSION}), recorded by" in client.get(page).content.decode()
    consent.withdraw(p, s.advocate, NOW + D)
    assert "Withdrawn on 2026-11-26" in client.get(page).content.decode()
