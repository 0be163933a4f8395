"""Privacy: a patient downloads all their data from their own page (a FHIR Bundle and CSV
files), and an administrator erases a patient; afterwards the whole database (every table,
dumped and scanned raw) holds none of the patient's identifiers."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.alert_fixtures import NOW, Staffed, clot
from tests.web_fixtures import PASSWORD, H, user
from venowatch.clinic.models import (
    CallOutcome,
    Member,
    Note,
    Patient,
    PatientDetails,
    PatientIdentifier,
    PhoneKind,
    Role,
    Task,
)
from venowatch.protocol import LabKind, LabResult, Pgic
from venowatch.security.models import IdempotentRequest, Scope
from venowatch.services.care import consent
from venowatch.services.care.emergency import record_call
from venowatch.services.care.erasure import erase_patient
from venowatch.services.care.records import record_checkin, record_lab
from venowatch.services.care.takeovers import take_over
from venowatch.services.notification.digests import send_due_digests
from venowatch.services.security.tokens import issue

pytestmark = pytest.mark.django_db

NAME = "Zelda Quimbywright"
EMAIL = "zelda.q@example.org"
PHONE = "+15555550123"
MRN = "MRN-ZQ-99887"
NOTE = "Left calf aches since Tuesday ZQNOTE"
EMERGENCY_CONTACT = "Orlando Quimbywright"
IDENTIFIERS = [NAME, EMAIL, PHONE, MRN, NOTE, EMERGENCY_CONTACT, "zelda.quimbywright"]


def _patient(s: Staffed) -> Patient:
    p = s.operated(NAME, ago=30)
    assert p.user is not None
    p.user.email, p.user.first_name, p.user.last_name = EMAIL, "Zelda", "Quimbywright"
    p.user.save()
    p.phones.create(kind=PhoneKind.MOBILE, number=PHONE, preferred=True)
    PatientIdentifier.objects.create(clinic=s.clinic, patient=p, system="urn:mrn", value=MRN)
    PatientDetails.objects.create(
        patient=p, date_of_birth=date(1971, 4, 2), emergency_name=EMERGENCY_CONTACT
    )
    consent.give(p, p.user, NOW - 30 * H)
    return p


def _history(s: Staffed, p: Patient) -> None:
    """Everything that can name the patient: records, notes, tasks, calls, alerts, a digest,
    a take-over, a token, a stored API answer, the admin's history, a session."""
    record_checkin(p, at=NOW - 2 * H, pgic=Pgic.NO_CHANGE, note=NOTE, now=NOW - 2 * H)
    record_lab(
        p, at=NOW - H, kind=LabKind.BLOOD, result=LabResult.NORMAL, finding=NOTE, by=s.ir,
        now=NOW - H,
    )  # fmt: skip
    Note.objects.create(patient=p, author=s.advocate, text=f"Spoke to {NAME}: {NOTE}")
    morning = NOW.replace(hour=12, minute=5) + timedelta(days=1)
    send_due_digests(morning)
    clot(p, at=NOW + 2 * H)
    task = Task.objects.get(patient=p, emergency=True)
    record_call(task, s.advocate, NOW + 3 * H, CallOutcome.NO_ANSWER, f"Rang {PHONE}")
    jordan = user("jordan", s.clinic, Role.ADVOCATE)
    take_over(p, by=jordan, reason=f"{NAME} asked for Jordan", now=NOW + 4 * H)
    issue(p.user, name=f"{NAME}'s phone app", scope=Scope.READ)  # type: ignore[arg-type]
    IdempotentRequest.objects.create(
        user=s.advocate, key="k1", fingerprint="f", status=201,
        body={"patient": p.pk, "name": NAME}, created_at=NOW,
    )  # fmt: skip
    IdempotentRequest.objects.create(
        user=s.advocate, key="k2", fingerprint="f", status=201,
        body={"patient": p.pk, "pgic": "much_worse"}, created_at=NOW,
    )  # fmt: skip
    LogEntry.objects.log_actions(
        user_id=s.admin.pk, queryset=[p], action_flag=CHANGE, change_message="[]"
    )
    Client().force_login(p.user)  # type: ignore[arg-type]


def _whole_database() -> str:
    """Every row of every table, as dumpdata writes them and as the raw tables hold them."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    raw: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(
                f"SELECT * FROM {connection.ops.quote_name(table)}"
            )  # names from the database itself
            raw.extend(repr(row) for row in cursor.fetchall())
    return out.getvalue() + "\n".join(raw)


def _found(text: str) -> list[str]:
    return [i for i in IDENTIFIERS if i.lower() in text.lower()]


def test_after_erasure_the_whole_database_holds_none_of_the_patients_identifiers() -> None:
    s = Staffed()
    p = _patient(s)
    other = s.operated("Ursula Keptalive", ago=30)
    _history(s, p)
    before = _whole_database()
    assert sorted(_found(before)) == sorted(IDENTIFIERS), "the scan finds them while they exist"
    pk, login = p.pk, p.user_id
    assert login is not None
    erased = erase_patient(p)
    assert erased.pseudonym == f"patient #{pk} (erased)"
    after = _whole_database()
    assert _found(after) == []
    assert "Ursula Keptalive" in after, "only the erased patient goes"
    assert not Patient.objects.filter(pk=pk).exists()
    assert not User.objects.filter(pk=login).exists()
    assert not Member.objects.filter(user_id=login).exists()
    assert Patient.objects.filter(pk=other.pk).exists()
    assert not IdempotentRequest.objects.exists(), "their check-ins as the API answered them"


def test_an_erased_patient_cannot_sign_in() -> None:
    s = Staffed()
    p = _patient(s)
    client = Client()
    assert client.login(username=p.user.username, password=PASSWORD)  # type: ignore[union-attr]
    erase_patient(p)
    assert client.get("/me/").status_code == 302, "the session ended with the login"
    assert not Client().login(username="zelda.quimbywright", password=PASSWORD)


def test_the_admin_erases_after_a_confirm_page_naming_the_patients() -> None:
    s = Staffed()
    p = _patient(s)
    s.admin.is_staff = True
    s.admin.save()
    client = Client()
    client.force_login(s.admin)
    asked = client.post("/admin/clinic/patient/", {"action": "erase", "_selected_action": [p.pk]})
    assert asked.status_code == 200
    assert NAME in asked.content.decode()
    assert "cannot be brought back" in asked.content.decode()
    assert Patient.objects.filter(pk=p.pk).exists(), "nothing is erased before the confirm"
    done = client.post(
        "/admin/clinic/patient/",
        {"action": "erase", "_selected_action": [p.pk], "confirm": "yes"},
        follow=True,
    )
    assert "1 patient was erased." in done.content.decode()
    assert not Patient.objects.filter(pk=p.pk).exists()
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Patient), object_repr__contains=NAME
    ).exists()


def test_the_admin_has_no_delete_for_patients_that_would_leave_the_login() -> None:
    s = Staffed()
    p = _patient(s)
    s.admin.is_staff = True
    s.admin.save()
    client = Client()
    client.force_login(s.admin)
    assert client.get(f"/admin/clinic/patient/{p.pk}/delete/").status_code == 403


# --- downloads ------------------------------------------------------------------------------


def test_the_patient_downloads_a_fhir_bundle_from_their_page() -> None:
    s = Staffed()
    p = _patient(s)
    record_checkin(p, at=NOW - 2 * H, pgic=Pgic.NO_CHANGE, note=NOTE, now=NOW - 2 * H)
    client = Client()
    client.force_login(p.user)  # type: ignore[arg-type]
    page = client.get("/me/data/").content.decode()
    assert "/me/data/fhir/" in page
    assert "/me/data/csv/" in page
    answer = client.get("/me/data/fhir/")
    assert answer["Content-Type"] == "application/fhir+json"
    assert "attachment" in answer["Content-Disposition"]
    assert answer["Cache-Control"] == "no-store"
    bundle = json.loads(answer.content)
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types[0] == "Patient"
    assert {"Procedure", "QuestionnaireResponse"} <= set(types)


def test_the_patient_downloads_csv_files_of_everything() -> None:
    s = Staffed()
    p = _patient(s)
    record_checkin(p, at=NOW - 2 * H, pgic=Pgic.MUCH_WORSE, note=NOTE, now=NOW - 2 * H)
    Note.objects.create(patient=p, author=s.advocate, text="Called back, all well.")
    client = Client()
    client.force_login(p.user)  # type: ignore[arg-type]
    answer = client.get("/me/data/csv/")
    assert answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    assert {"patient.csv", "phones.csv", "identifiers.csv", "procedures.csv", "checkins.csv",
            "tests.csv", "notes.csv", "guidance.csv", "consent.csv"} <= names  # fmt: skip

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

    (checkin,) = rows("checkins.csv")
    assert checkin["note"] == NOTE
    assert checkin["compared with just before the procedure"] == "much worse"
    assert rows("patient.csv")[0]["name"] == NAME
    assert rows("phones.csv")[0]["number"] == PHONE
    assert rows("identifiers.csv")[0]["value"] == MRN
    assert rows("notes.csv")[0]["note"] == "Called back, all well."
    assert rows("consent.csv")[0]["version"] == consent.CURRENT_VERSION
    text = "".join(archive.read(n).decode("utf-8-sig") for n in names)
    assert "None" not in text, "words, never None"


def test_only_the_patient_downloads_their_data() -> None:
    s = Staffed()
    _patient(s)
    for who in (s.advocate, s.admin):
        client = Client()
        client.force_login(who)
        assert client.get("/me/data/csv/").status_code == 404
        assert client.get("/me/data/fhir/").status_code == 404
    assert Client().get("/me/data/csv/").status_code == 302
