"""The worklist's filters and counts, and its CSV export (issue 15): the advocate filter offers
only advocates whose patients the user's list holds, the count says what it counts, and the
file is the list as filtered, in words, audited per patient, with no cell a spreadsheet runs."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.staff_fixtures import Team, signed_in, text
from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.audit.models import Action, AuditEvent
from venowatch.clinic.models import Assessment, Patient, Role
from venowatch.protocol import Pathway, ProcedureKind
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.records import record_procedure
from venowatch.web.staff_worklist_csv import cell

pytestmark = pytest.mark.django_db


def assessed(p: Patient, pathway: Pathway, since: datetime, flags: tuple[str, ...] = ()) -> None:
    """A stored assessment, as test_staff_pages makes them (test modules import no others)."""
    urgency = clinic_protocol(p.clinic).pathways[pathway].urgency
    Assessment.objects.create(
        patient=p, as_of=since, pathway=pathway, urgency=urgency,
        urgency_rank=urgency.rank, flags=list(flags), since=since,
    )  # fmt: skip


@pytest.fixture
def team() -> Team:
    c = clinic()
    t = Team(
        clinic=c,
        alex=user("alex", c, Role.ADVOCATE),
        jordan=user("jordan", c, Role.ADVOCATE),
        ir=user("dr.ruiz", c, Role.CLINICIAN),
        admin=user("admin", c, Role.ADMIN),
    )
    user("kim", c, Role.ADVOCATE)  # an advocate with no patients at all
    now = timezone.now()
    assessed(
        patient("Ann Overdue", c, t.alex), Pathway.IMPROVED, now - 20 * D, ("checkin_overdue",)
    )
    assessed(
        patient('=HYPERLINK("http://x")', c, t.alex), Pathway.SUSPECTED_RESTENOSIS, now - 3 * D
    )
    assessed(patient("Cal Stent", c, t.jordan), Pathway.SUSPECTED_RESTENOSIS, now - 4 * D)
    assessed(patient("Eve Alone", c), Pathway.TUNE_UP_WAIT, now - 5 * D)
    return t


def _options(page: str) -> list[str]:
    found = re.search(r'<select name="advocate"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", found.group(1)) if found else []


def test_the_advocate_filter_offers_only_advocates_of_patients_in_the_list(
    client: Client, team: Team
) -> None:
    admin = text(signed_in(client, team.admin).get(reverse("worklist")))
    assert _options(admin) == ["Any advocate", "alex", "jordan", "No advocate assigned"]
    assert "kim" not in admin  # a colleague with no patients would always match nobody
    # An advocate's list holds their own patients only: one choice filters nothing, so none.
    alex = text(signed_in(client, team.alex).get(reverse("worklist")))
    assert _options(alex) == []


def test_the_count_says_what_it_counts(client: Client, team: Team) -> None:
    alex = text(signed_in(client, team.alex).get(reverse("worklist")))
    assert "2 of your patients, most urgent first" in alex
    admin = text(signed_in(client, team.admin).get(reverse("worklist")))
    assert "4 patients at Test Clinic, most urgent first" in admin
    filtered = text(client.get(reverse("worklist"), {"pathway": "suspected_restenosis"}))
    assert "2 patients at Test Clinic match the filters" in filtered
    ir = text(signed_in(client, team.ir).get(reverse("worklist")))
    assert "0 patients you treated" in ir
    p = Patient.objects.get(name="Cal Stent")
    now = timezone.now()
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - H, performed_by=team.ir, now=now
    )
    assert "1 patient you treated" in text(client.get(reverse("worklist")))


def _rows(response: object) -> list[list[str]]:
    body = response.content.decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_is_the_list_as_filtered_in_words(client: Client, team: Team) -> None:
    signed_in(client, team.admin)
    response = client.get(reverse("worklist-csv"), {"pathway": "suspected_restenosis"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header[:3] == ["Patient", "Urgency", "Pathway"]
    assert [r[0] for r in rows] == ["Cal Stent", '\'=HYPERLINK("http://x")']
    title = clinic_protocol(team.clinic).pathways[Pathway.SUSPECTED_RESTENOSIS].title.staff
    assert {r[2] for r in rows} == {title}
    assert {r[1] for r in rows} == {"Urgent"}
    assert all(re.search(r"\d{4}, \d\d:\d\d E[SD]T$", r[4]) for r in rows)  # clinic time
    assert "suspected_restenosis" not in response.content.decode()  # words, never codes
    everything = _rows(client.get(reverse("worklist-csv")))
    assert len(everything) == 1 + 4
    assert {"Nobody assigned"} <= {r[6] for r in everything}


def test_the_csv_holds_only_what_the_user_may_see(client: Client, team: Team) -> None:
    rows = _rows(signed_in(client, team.alex).get(reverse("worklist-csv")))
    assert sorted(r[0] for r in rows[1:]) == ['\'=HYPERLINK("http://x")', "Ann Overdue"]
    ann = Patient.objects.get(name="Ann Overdue").user
    assert ann is not None
    assert signed_in(client, ann).get(reverse("worklist-csv")).status_code == 404


def test_the_csv_is_audited_as_an_export_of_each_patient(client: Client, team: Team) -> None:
    before = set(
        AuditEvent.objects.filter(action=Action.WORKLIST_EXPORT).values_list("pk", flat=True)
    )
    signed_in(client, team.alex).get(reverse("worklist-csv"))
    rows = AuditEvent.objects.filter(action=Action.WORKLIST_EXPORT).exclude(pk__in=before)
    mine = set(Patient.objects.filter(advocate=team.alex).values_list("pk", flat=True))
    assert set(rows.values_list("patient_id", flat=True)) == mine
    assert set(rows.values_list("actor_id", flat=True)) == {team.alex.pk}


def test_bad_filters_give_the_page_naming_them_not_a_file(client: Client, team: Team) -> None:
    response = signed_in(client, team.admin).get(reverse("worklist-csv"), {"pathway": "bogus"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"), ("+1 617 555 0100", "'+1 617 555 0100"), ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
        ("Ann", "Ann"), ("3", "3"), ("", ""),
    ],
)  # fmt: skip
def test_cells_a_spreadsheet_would_run_are_made_text(value: str, shown: str) -> None:
    assert cell(value) == shown
