"""`venowatch export` and `venowatch import`: exit statuses, messages, the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.fhir_fixtures import treated_patient
from tests.web_fixtures import clinic, patient, user
from venowatch.cli.main import main
from venowatch.clinic.models import Patient, Procedure, Role
from venowatch.services.care.timelines import timeline_of
from venowatch.services.clock import utc_now

pytestmark = pytest.mark.django_db
SYNTHEA = SHARED / "fhir" / "synthea" / "synthea_r4_1MB.json"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))


def run(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_export_then_import_into_another_clinic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, _ = treated_patient(utc_now())
    out = tmp_path / "maria.json"
    assert run("export", str(source.pk), "--out", str(out)) == 0
    assert json.loads(out.read_text())["resourceType"] == "Bundle"
    other = clinic("Second Clinic")
    user("imogen", other, Role.ADVOCATE)
    capsys.readouterr()
    assert run("import", str(out), "--clinic", "second clinic", "--as", "imogen") == 0
    printed = capsys.readouterr().out
    assert "patients: 1 created, 0 found by identifier" in printed
    assert "stored: 2 Observation, 2 Procedure, 2 QuestionnaireResponse;" in printed
    (imported,) = Patient.objects.filter(clinic=other)
    assert timeline_of(imported).procedures == timeline_of(source).procedures
    assert Procedure.objects.filter(patient=imported, recorded_by__username="imogen").count() == 2
    # Again, by id: nothing new.
    assert run("import", str(out), "--clinic", str(other.pk)) == 0
    assert "stored: nothing; 6 already stored" in capsys.readouterr().out
    assert Procedure.objects.filter(patient=imported).count() == 2


def test_export_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    p = patient("Ann Example", clinic())
    assert run("export", str(p.pk)) == 0
    bundle = json.loads(capsys.readouterr().out)
    assert bundle["entry"][0]["resource"]["name"] == [{"text": "Ann Example"}]


def test_importing_synthea_reports_what_was_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    clinic("Synthea Clinic")
    assert run("import", str(SYNTHEA), "--clinic", "Synthea Clinic") == 0
    printed = capsys.readouterr().out
    assert "the bundle held no venoplasty" in printed
    assert "skipped 31 Claim: venowatch does not read Claim resources" in printed


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "999999"], "no patient with id '999999'"),
        (["export", "maria"], "no patient with id 'maria'"),
        (["import", "/nonexistent/bundle.json", "--clinic", "1"], "No such file"),
        (["import", "{bad}", "--clinic", "Test Clinic"], "not JSON"),
        (["import", "{deep}", "--clinic", "Test Clinic"], "nested deeper than 64 levels"),
        (["import", "{bundle}", "--clinic", "Nowhere"], "no clinic with id or name 'Nowhere'"),
        (["import", "{bundle}", "--clinic", "Test Clinic", "--as", "nobody"], "not a member"),
        (["import", "{bundle}", "--clinic", "Test Clinic", "--as", "pat"], "may not record"),
        (["import", "{patient}", "--clinic", "Test Clinic"], "expected a FHIR Bundle"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    c = clinic()
    patient("Pat", c)
    files = {"bad": "{not json", "bundle": '{"resourceType": "Bundle", "type": "collection"}',
             "patient": '{"resourceType": "Patient"}', "deep": "[" * 1000 + "]" * 1000}  # fmt: skip
    for name, text in files.items():
        (tmp_path / f"{name}.json").write_text(text)
    args = [a.format(**{n: tmp_path / f"{n}.json" for n in files}) for a in args]
    assert run(*args) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


def test_a_refused_record_exits_2_naming_the_resource_and_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, _ = treated_patient(utc_now())
    out = tmp_path / "maria.json"
    assert run("export", str(source.pk), "--out", str(out)) == 0
    bundle = json.loads(out.read_text())
    procedure = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure")
    procedure["resource"]["performedDateTime"] = "2100-01-01T09:00:00+00:00"
    out.write_text(json.dumps(bundle))
    clinic("Second Clinic")
    capsys.readouterr()
    assert run("import", str(out), "--clinic", "second clinic") == 2
    err = capsys.readouterr().err
    at = bundle["entry"].index(procedure)
    # Named by the FHIRPath of the element (the issue 13 wording), not the service's field.
    assert (
        f"Procedure/{procedure['resource']['id']}: Bundle.entry[{at}].resource.performed "
        "is in the future"
    ) in err
    assert Patient.objects.filter(clinic__name="Second Clinic").count() == 0


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "VENOWATCH_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "venowatch", "import", str(SYNTHEA), "--clinic", "1"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert "not set up" in done.stderr
    assert "Traceback" not in done.stderr
