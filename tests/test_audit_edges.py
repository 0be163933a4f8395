"""The audit log on every edge (issue 12): web pages, the API with a token, FHIR, CDS Hooks,
the command line and the admin each log who read, changed or was refused which patient's
record, from where; staff see who looked at a record on its page; an admin searches and
exports the log, their clinic's rows only."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from tests import web_fixtures as web
from tests.api_fixtures import Api
from tests.audit_fixtures import rows
from tests.cds_fixtures import NOW, at, call, request_for
from tests.cds_tokens import ISS, trust
from tests.staff_fixtures import text
from venowatch.audit.models import Action, ActorKind, AuditEvent, Channel, Outcome
from venowatch.cli.main import main
from venowatch.clinic.models import Patient, PatientIdentifier, Role
from venowatch.protocol import ProcedureKind
from venowatch.services.care.records import record_procedure
from venowatch.services.clock import utc_now
from venowatch.services.security import audit
from venowatch.services.security.audit_chain import verify

pytestmark = pytest.mark.django_db
IP = "192.0.2.44"


@pytest.fixture
def world() -> dict[str, Any]:
    clinic = web.clinic()
    alex = web.user("alex", clinic, Role.ADVOCATE)
    alex.first_name, alex.last_name = "Alex", "Rivera"
    alex.save()
    jordan = web.user("jordan", clinic, Role.ADVOCATE)
    mine = web.patient("Ada Lovelace", clinic, alex)
    theirs = web.patient("Grace Hopper", clinic, jordan)
    return {"clinic": clinic, "alex": alex, "jordan": jordan, "mine": mine, "theirs": theirs}


def _client(user: User) -> Client:
    client = Client(REMOTE_ADDR=IP)
    client.force_login(user)
    return client


def test_the_staff_page_logs_one_read_from_the_web_and_shows_who_looked(
    world: dict[str, Any],
) -> None:
    mine = world["mine"]
    client = _client(world["alex"])
    first = text(client.get(f"/staff/patients/{mine.pk}/"))
    assert "No views or changes are recorded yet." in first  # its own row: once it is served
    read = rows(patient_id=mine.pk, action=Action.PATIENT_PAGE)
    assert [(r.actor_id, r.channel, r.ip, r.outcome) for r in read] == [
        (world["alex"].pk, Channel.WEB, IP, Outcome.ALLOWED)
    ]  # the record, its contact card and its take-overs are read once as far as the log goes
    shown = text(client.get(f"/staff/patients/{mine.pk}/"))
    assert "Who looked at this record" in shown
    assert "Alex Rivera" in shown
    assert "viewed the record" in shown
    for code in ("patient_page", "advocate<", "allowed", "user<"):
        assert code not in shown


def test_the_short_list_links_to_every_row(world: dict[str, Any]) -> None:
    mine, jordan = world["mine"], world["jordan"]
    for _ in range(25):
        with audit.origin(Channel.API, IP, ActorKind.UNKNOWN):
            audit.read(jordan, Action.STANDING, [mine.pk])
    client = _client(world["alex"])
    shown = text(client.get(f"/staff/patients/{mine.pk}/"))
    assert shown.count("read the assessment") == 20  # the latest 20 of the 25
    assert f"/staff/patients/{mine.pk}/audit/" in shown
    everything = text(client.get(f"/staff/patients/{mine.pk}/audit/"))
    assert everything.count("read the assessment") == 25
    assert "REST API" in everything


def test_a_patient_out_of_reach_is_a_404_and_a_refusal(world: dict[str, Any]) -> None:
    theirs = world["theirs"]
    client = _client(world["alex"])
    assert client.get(f"/staff/patients/{theirs.pk}/").status_code == 404
    assert client.get(f"/staff/patients/{theirs.pk}/audit/").status_code == 404
    refused = rows(patient_id=theirs.pk)
    assert {(r.action, r.outcome, r.actor_id, r.ip) for r in refused} == {
        (Action.REFUSAL, Outcome.REFUSED, world["alex"].pk, IP)
    }
    patient_client = _client(world["mine"].user)
    assert patient_client.get("/staff/").status_code == 404
    assert rows(resource="worklist", outcome=Outcome.REFUSED)


def test_a_write_on_the_web_is_logged_with_the_record(world: dict[str, Any]) -> None:
    mine = world["mine"]
    response = _client(world["alex"]).post(
        f"/staff/patients/{mine.pk}/note/", {"note-text": "Called, all well."}
    )
    assert response.status_code == 302
    (note,) = rows(action=Action.NOTE)
    assert (note.patient_id, note.resource, note.actor_id, note.channel) == (
        mine.pk, "note", world["alex"].pk, Channel.WEB,
    )  # fmt: skip
    assert mine.notes.get().pk == note.resource_id


def test_the_api_logs_the_token(world: dict[str, Any]) -> None:
    mine, theirs = world["mine"], world["theirs"]
    api = Api(world["alex"])
    assert api.get(f"/patients/{mine.pk}/assessment").status_code == 200
    assert api.get(f"/patients/{theirs.pk}/assessment").status_code == 404
    (read,) = rows(patient_id=mine.pk)
    assert (read.actor_kind, read.actor_id, read.channel, read.action) == (
        ActorKind.API_TOKEN, api.token.pk, Channel.API, Action.STANDING,
    )  # fmt: skip
    (refused,) = rows(patient_id=theirs.pk)
    assert (refused.actor_kind, refused.outcome) == (ActorKind.API_TOKEN, Outcome.REFUSED)


def test_an_api_list_logs_the_patients_on_its_page(world: dict[str, Any]) -> None:
    mine, jordan = world["mine"], world["jordan"]
    api = Api(world["alex"])
    assert api.get("/patients").status_code == 200
    assert [(r.patient_id, r.action) for r in rows(patient_id__isnull=False)] == [
        (mine.pk, Action.WORKLIST)
    ]
    theirs = Api(jordan)
    assert theirs.get("/tasks").status_code == 200
    assert not rows(action=Action.TASKS, patient_id__isnull=False)  # no tasks: nobody read


def test_a_fhir_export_is_logged_from_fhir(world: dict[str, Any]) -> None:
    mine = world["mine"]
    api = Api(world["alex"])
    response = api.client.get(
        f"/fhir/r4/Patient/{mine.pk}/$everything", headers={"Authorization": f"Bearer {api.secret}"}
    )
    assert response.status_code == 200
    (read,) = rows(patient_id=mine.pk)
    assert (read.action, read.channel, read.actor_kind) == (
        Action.EXPORT, Channel.FHIR, ActorKind.API_TOKEN,
    )  # fmt: skip


def test_cds_hooks_logs_the_issuer_and_refuses_a_bad_token(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.VENOWATCH_BASE_URL_SET = False
    at(monkeypatch, NOW)
    clinic = web.clinic()
    known = web.patient("Known Patient", clinic)
    record_procedure(known, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - timedelta(days=3),
                     now=NOW)  # fmt: skip
    mrn = "urn:oid:2.16.840.1.113883.4.1"
    PatientIdentifier.objects.create(clinic=clinic, patient=known, system=mrn, value="M-7")
    trust(clinic)
    from tests import cds_fhir as fhir

    prefetch = fhir.prefetch({"procedures": []}, "ehr-7")
    prefetch["patient"]["identifier"] = [{"system": mrn, "value": "M-7"}]
    assert call(client, request_for("ehr-7", prefetch)).status_code == 200
    (read,) = rows(patient_id=known.pk, action=Action.DECISION_SUPPORT)
    assert (read.actor_kind, read.actor_ref, read.clinic_id, read.channel) == (
        ActorKind.CDS_ISSUER, ISS, clinic.pk, Channel.CDS,
    )  # fmt: skip

    bad = call(client, request_for("ehr-7", prefetch), HTTP_AUTHORIZATION="Bearer nonsense")
    assert bad.status_code == 401
    (refused,) = rows(outcome=Outcome.REFUSED)
    assert (refused.actor_kind, refused.channel, refused.resource) == (
        ActorKind.UNKNOWN, Channel.CDS, "decision_support",
    )  # fmt: skip


def test_the_command_line_logs_the_operator(
    world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))
    mine = world["mine"]
    assert main(["export", str(mine.pk), "--out", str(tmp_path / "out.json")]) == 0
    (read,) = rows(patient_id=mine.pk)
    assert (read.action, read.actor_kind, read.channel) == (
        Action.EXPORT, ActorKind.CLI, Channel.CLI,
    )  # fmt: skip
    assert read.actor_ref  # the operator's login
    assert audit.current().channel is Channel.SYSTEM  # the command's origin ended with it


def test_the_admin_logs_views_and_deletions_and_the_rows_outlive_the_patient(
    world: dict[str, Any],
) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "x")
    mine = world["mine"]
    client = _client(root)
    assert client.get(f"/admin/clinic/patient/{mine.pk}/change/").status_code == 200
    # A patient is erased, not deleted (services.care.erasure), by the admin's action.
    erase = {"action": "erase", "_selected_action": [mine.pk], "confirm": "yes"}
    assert client.post("/admin/clinic/patient/", erase).status_code == 302
    assert not Patient.objects.filter(pk=mine.pk).exists()
    logged = rows(patient_id=mine.pk)
    assert [(r.action, r.channel, r.actor_id) for r in logged] == [
        (Action.ADMIN_VIEW, Channel.ADMIN, root.pk),
        (Action.ERASURE, Channel.ADMIN, root.pk),
    ]
    assert logged[0].role == "operator"
    assert verify().broken is None


def test_a_clinics_admin_sees_their_clinics_rows_only_and_exports_them(
    world: dict[str, Any],
) -> None:
    other = web.clinic("Other Clinic")
    stranger = web.patient("Elsewhere", other, web.user("sam", other, Role.ADVOCATE))
    boss = web.user("boss", world["clinic"], Role.ADMIN)
    boss.is_staff = True
    boss.save()
    boss.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    audit.read(world["alex"], Action.STANDING, [world["mine"].pk])
    audit.read(None, Action.EXPORT, [stranger.pk])  # the operator's: clinic looked up
    client = _client(boss)
    page = client.get("/admin/audit/auditevent/")
    assert [r.patient_id for r in page.context["cl"].result_list] == [world["mine"].pk]
    searched = client.get(f"/admin/audit/auditevent/?q={stranger.pk}")
    assert list(searched.context["cl"].result_list) == []
    by_id = client.get(f"/admin/audit/auditevent/?patient_id={world['mine'].pk}&action=standing")
    assert [r.patient_id for r in by_id.context["cl"].result_list] == [world["mine"].pk]
    ours = AuditEvent.objects.get(patient_id=world["mine"].pk)
    exported = client.post(
        "/admin/audit/auditevent/", {"action": "export_csv", "_selected_action": [ours.pk]}
    )
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode().splitlines()
    assert lines[0].startswith("seq,at,actor_kind")
    assert "read the assessment" in lines[1]
    assert len(lines) == 2


def test_the_command_line_exports_a_patients_rows(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, theirs = world["mine"], world["theirs"]
    audit.read(world["alex"], Action.STANDING, [mine.pk])
    audit.read(world["jordan"], Action.STANDING, [theirs.pk])
    out = tmp_path / "audit.json"
    today = utc_now().date().isoformat()
    args = ["audit", "export", "--patient", str(mine.pk), "--from", today, "--to", today]
    assert main([*args, "--json", "--out", str(out)]) == 0
    exported = json.loads(out.read_text())
    assert [(r["patient_id"], r["action"], r["action_words"]) for r in exported] == [
        (mine.pk, "standing", "read the assessment")
    ]
    assert main(["audit", "export", "--csv"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3  # a header and two rows
    tomorrow = (utc_now() + timedelta(days=1)).date().isoformat()
    assert main(["audit", "export", "--json", "--from", tomorrow]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", "yesterday"], "--from: 'yesterday' is not a date-time"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "--to: is before --from"),
    ],
)
def test_the_export_refuses_bad_dates_naming_the_option(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "export", "--csv", *args])
    assert exit_.value.code == 2
    assert said in capsys.readouterr().err


def test_a_request_that_fails_after_reading_says_so(world: dict[str, Any]) -> None:
    with audit.origin(Channel.WEB, IP, ActorKind.UNKNOWN):
        audit.read(world["alex"], Action.PATIENT_PAGE, [world["mine"].pk])
        audit.failed()
    assert [(r.action, r.outcome, r.actor_id) for r in rows()] == [
        (Action.PATIENT_PAGE, Outcome.ALLOWED, world["alex"].pk),
        (Action.PATIENT_PAGE, Outcome.ERROR, world["alex"].pk),
    ]
