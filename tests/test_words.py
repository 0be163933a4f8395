"""People see words, never codes: every page of the demo clinic for every login, every email and
text message the outbox holds for it, and the readable output of the commands, searched for an
enum's value or a Python None in the text a person reads."""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import venowatch
from tests.conftest import SCENARIOS, SHARED, load_json
from tests.page_text import visible_nodes
from tests.sms_server import Provider, sms  # noqa: F401 (a fixture)
from venowatch.cli.main import main
from venowatch.clinic import models
from venowatch.notify.models import Channel, Kind, Notification
from venowatch.protocol.model import Clause
from venowatch.services.care.assessing import assess_timeline
from venowatch.services.care.emergency import open_emergency_of
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.standing import standing
from venowatch.services.care.tasks import acknowledge
from venowatch.services.demo import DEMO_CLINIC, create_demo
from venowatch.services.integration.cds.cards import patient_view_card
from venowatch.services.notification.account import queue_invitation, queue_password_reset
from venowatch.services.sweep import sweep
from venowatch.services.timeline_files import decode_timeline

# Clause names (C1..C7) are shown to staff on purpose: the guide's clauses go by them.
SHOWN_ON_PURPOSE: set[type[enum.Enum]] = {Clause}


def _enums() -> list[type[enum.Enum]]:
    for info in pkgutil.walk_packages(venowatch.__path__, "venowatch."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: list[type[enum.Enum]] = []
    stack = list(enum.Enum.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("venowatch.") and cls not in SHOWN_ON_PURPOSE:
            found.append(cls)
    return found


def codes() -> tuple[frozenset[str], frozenset[str]]:
    """(codes that are no word of English: `much_improved`; codes that are one: `routine`)."""
    values = {m.value for cls in _enums() for m in cls if isinstance(m.value, str)}
    spelled = frozenset(v for v in values if not re.fullmatch(r"[a-z]+", v))
    return spelled, frozenset(values) - spelled


SPELLED, WORDS = codes()
# A code with its underscores made spaces ("possible thrombosis") is still a code, alone.
SPACED = frozenset(v.replace("_", " ") for v in SPELLED if "_" in v)
_ANY_SPELLED = "|".join(map(re.escape, sorted(SPELLED)))
SPELLED_RE = re.compile(rf"(?<![\w/.-])({_ANY_SPELLED})(?![\w/-])")
NONE_RE = re.compile(r"\bNone\b")
ARROW_RE = re.compile(r"(\w+)\s*(?:->|→)\s*(\w+)")


def text_cells(text: str) -> list[str]:
    """Plain text cut where a reader sees a separate value: lines, columns, after a colon."""
    cells = []
    for line in text.splitlines():
        for cell in re.split(r"\s{2,}|: |\|", line.strip()):
            if cell.strip():
                cells.append(cell.strip().rstrip(".,;"))
    return cells


def faults(nodes: list[str]) -> list[str]:
    """Each code or None a reader would see. A code that is also an English word (`routine`,
    `email`) is a fault when it stands alone as a value or on either side of an arrow; in
    running text it is just the word."""
    found = []
    for node in nodes:
        found += [f"{m.group(1)!r} in {node!r}" for m in SPELLED_RE.finditer(node)]
        found += [f"None in {node!r}" for _ in NONE_RE.finditer(node)]
        if node.strip(" .,;:()") in WORDS | SPACED:
            found.append(f"{node!r} alone")
        for m in ARROW_RE.finditer(node):
            found += [f"{w!r} by an arrow in {node!r}" for w in m.groups() if w in WORDS]
    return found


def test_the_detector_knows_the_enums_of_every_layer() -> None:
    assert {"much_improved", "possible_thrombosis", "call_patient", "no_answer"} <= SPELLED
    assert {"patient_update", "edit_contact", "not_a_clot"} <= SPELLED
    assert {"routine", "email", "advocate", "acknowledged", "critical"} <= WORDS
    assert "C2" not in SPELLED | WORDS


def test_the_detector_finds_codes_and_leaves_words() -> None:
    page = (
        "<p class='much_worse'>You feel <b>much_worse</b></p><td>routine</td><p>A routine"
        " check</p><p>minimally_worse -&gt; much_worse</p><span>None</span><script>x='none'"
        "</script><a href='/me/history/?as_of=no_change'>History</a><p>improved → worse</p>"
        "<td>possible thrombosis</td>"
    )
    found = faults(visible_nodes(page))
    assert len(found) == 8, found
    assert not faults(visible_nodes("<p>Routine check-in by email, as routine.</p>"))
    assert faults(text_cells("Urgency:   emergency\nRead the email.")) == ["'emergency' alone"]


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def demo(db: None) -> datetime:
    now = timezone.now()
    create_demo(now)
    return now


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff_urls(clinic: models.Clinic, now: datetime) -> Iterator[str]:
    yield reverse("outcomes")  # for the administrator and the analyst
    yield reverse("worklist")
    yield reverse("worklist") + "?q=keller"
    yield reverse("worklist") + "?q=nobody-by-that-name"
    yield reverse("staff-enrol")
    week_ago = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    for p in models.Patient.objects.filter(clinic=clinic).order_by("pk"):
        page = reverse("staff-patient", args=[p.pk])
        yield page
        yield f"{page}?as_of={week_ago}"
        yield reverse("staff-take-over", args=[p.pk])
        for kind, rows in (
            ("procedures", p.procedures.all()),
            ("checkins", p.checkins.all()),
            ("labs", p.labs.all()),
        ):
            for row in rows:
                yield reverse("staff-record", args=[p.pk, kind, row.pk])


def _pages(now: datetime) -> Iterator[tuple[str, str, str]]:
    """(who, url, page) for every page every demo login can open."""
    clinic = models.Clinic.objects.get(name=DEMO_CLINIC)
    for member in models.Member.objects.filter(clinic=clinic).select_related("user"):
        client = _client(member.user)
        if member.role == models.Role.PATIENT:
            urls: Iterator[str] = iter(
                [reverse("patient-status"), reverse("patient-checkin"), reverse("patient-history")]
            )
        else:
            urls = _staff_urls(clinic, now)
        for url in urls:
            answer = client.get(url)
            if answer.status_code == 200:
                yield member.user.username, url, answer.content.decode()


def test_no_page_shows_a_code_or_none_and_every_time_says_its_zone(demo: datetime) -> None:
    """Both checks over one rendering of every page (rendering them is this file's cost: it was
    done twice, once a check)."""
    seen = 0
    codes_shown: list[str] = []
    zoneless: list[str] = []
    for who, url, page in _pages(demo):
        seen += 1
        nodes = visible_nodes(page)
        codes_shown += [f"{who} {url}: {f}" for f in faults(nodes)]
        zoneless += _zoneless_times(who, url, " ".join(nodes))
    assert seen > 300, seen  # every patient's three pages and the staff's, for four staff
    assert not codes_shown, "\n".join(sorted(set(codes_shown)))
    assert not zoneless, "\n".join(sorted(set(zoneless)))


# --- emails and text messages ------------------------------------------------------------------


@pytest.fixture
def outbox(db: None, sms: Provider) -> list[Notification]:  # noqa: F811
    """What the demo queued with SMS on, then what two weeks of sweeps add: escalations nobody
    acknowledged, a reminder about an acknowledged clot task, digests and check-in reminders."""
    demo_now = timezone.now()
    create_demo(demo_now)
    for minutes in (11, 25):
        sweep(demo_now + timedelta(minutes=minutes))
    maria = models.Patient.objects.get(name="Maria Keller")
    task = open_emergency_of(maria)
    assert task is not None
    acknowledge(task, User.objects.get(username="alex"), demo_now + timedelta(minutes=30))
    for hours in (5, 24, 48, 24 * 7, 24 * 15):
        sweep(demo_now + timedelta(hours=hours))
    assert maria.user is not None
    queue_password_reset(maria.user, "/accounts/reset/x/y/", demo_now + timedelta(days=16))
    queue_invitation(
        maria.user, "/accounts/reset/welcome/x/y/", demo_now + timedelta(days=16), maria
    )
    return list(Notification.objects.all())


def test_no_email_or_text_message_shows_a_code_or_none(outbox: list[Notification]) -> None:
    templates = Path(venowatch.__file__).parent / "notify" / "templates" / "venowatch"
    # Escalation goes down the clinic's list by email only (docs/decisions.md, "Reaching the
    # patient"), so its SMS template is never used.
    made = {(Kind(t.stem), Channel(t.parent.name)) for t in templates.glob("*/*.txt")}
    expected = made - {(Kind.ESCALATION, Channel.SMS)}
    assert {(Kind(n.kind), Channel(n.channel)) for n in outbox} == expected
    problems = []
    for n in outbox:
        where = f"{n.kind} by {n.channel} to {n.address}"
        problems += [f"{where}, subject: {f}" for f in faults([n.subject])]
        problems += [f"{where}, text: {f}" for f in faults(text_cells(n.text))]
        if n.html:
            problems += [f"{where}, html: {f}" for f in faults(visible_nodes(n.html))]
    assert not problems, "\n".join(sorted(set(problems)))


# --- the commands ------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))
    return tmp_path


def run(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)


def _output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    status = run(*args)
    out, err = capsys.readouterr()
    assert status == 0, err
    return out + err


def test_the_readable_assessment_of_every_scenario_shows_no_code(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    for path in SCENARIOS:
        files.append(data_dir / path.name)
        files[-1].write_text(json.dumps(load_json(path)["timeline"]))
    problems = []
    flags = set()
    for audience in ("staff", "patient"):
        for file in files:
            out = _output(capsys, "assess", "--for", audience, str(file))
            problems += [f"{file.stem} for {audience}: {f}" for f in faults(text_cells(out))]
            flags |= {line for line in out.splitlines() if line.startswith("Flags: ")}
    assert flags == {"Flags: check-in overdue", "Flags: consider a stent"}
    assert not problems, "\n".join(problems)


def test_the_sweep_and_an_import_of_the_demo_show_no_code(
    demo: datetime, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = [f"sweep: {f}" for f in faults(text_cells(_output(capsys, "sweep", "--verbose")))]
    models.Clinic.objects.create(name="Second Clinic")
    for p in models.Patient.objects.filter(clinic__name=DEMO_CLINIC):
        bundle = data_dir / f"{p.pk}.json"
        assert run("export", str(p.pk), "--out", str(bundle)) == 0
        out = _output(capsys, "import", str(bundle), "--clinic", "Second Clinic")
        problems += [f"import {p.name}: {f}" for f in faults(text_cells(out))]
    synthea = SHARED / "fhir" / "synthea" / "synthea_r4_1MB.json"
    out = _output(capsys, "import", str(synthea), "--clinic", "Second Clinic")
    problems += [f"import synthea: {f}" for f in faults(text_cells(out))]
    assert not problems, "\n".join(problems)


# --- the CDS Hooks card ------------------------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_cds_card_of_every_scenario_shows_no_code(path: Path) -> None:
    protocol = default_protocol()
    timeline = decode_timeline(json.dumps(load_json(path)["timeline"]).encode(), path.name)
    card = patient_view_card(assess_timeline(timeline, protocol), protocol, "https://x.example/")
    assert not faults(text_cells(card["summary"] + "\n" + card["detail"]))
    if load_json(path)["expect"]["urgency"] == "emergency":
        assert "(an emergency)" in card["detail"]


# --- dates and times ---------------------------------------------------------------------------

CLOCK = re.compile(r"(?<![\d:+-])\d{1,2}:\d{2}(?![:\d])(?!\s*(?:[A-Z]{2,5}\b|[+-]\d{2}|\(|UTC))")
ZONE_NOTE = re.compile(r"Times on this page are [A-Z][^.]* time\.")  # "New York time"


def _zoneless_times(who: str, url: str, text: str) -> list[str]:
    """Staff read each time with its zone; a patient's own pages may say it once for the page,
    since their sentences read better without one in each."""
    if url.startswith("/me/") and ZONE_NOTE.search(text):
        return []
    return [f"{who} {url}: {m.group()} in …{text[m.start() - 40 : m.end() + 10]}…"
            for m in CLOCK.finditer(text)]  # fmt: skip


COMING = "<dt>Earliest next procedure</dt>"


def test_a_key_date_that_has_passed_is_not_shown_as_coming(demo: datetime) -> None:
    passed = coming = 0
    for p in models.Patient.objects.filter(clinic__name=DEMO_CLINIC).select_related("user"):
        earliest = standing(p, demo).earliest_next_procedure_at
        if earliest is None:
            continue
        assert p.user is not None
        own = _client(p.user).get(reverse("patient-status")).content.decode()
        staff = _client(User.objects.get(username="admin"))
        theirs = staff.get(reverse("staff-patient", args=[p.pk])).content.decode()
        if earliest <= timezone.now():
            passed += 1
            assert COMING not in own + theirs, p.name
            assert "<dt>A next procedure is possible since</dt>" in own, p.name
            assert "<dt>Next procedure possible since</dt>" in theirs, p.name
        else:
            coming += 1
            assert COMING in own, p.name
            assert COMING in theirs, p.name
    assert passed, "a demo patient whose earliest next procedure has passed"
    assert coming, "a demo patient whose earliest next procedure is still to come"


# --- who to contact ----------------------------------------------------------------------------


def test_advice_to_get_in_touch_gives_the_clinics_contact(demo: datetime) -> None:
    john = models.Patient.objects.get(name="John Okafor")  # suspected restenosis: a retest
    assert john.user is not None
    page = _client(john.user).get(reverse("patient-status")).content.decode()
    assert "Contact the foundation today" in page
    assert "To arrange it, contact the foundation&#x27;s patient coordinator" in page
    assert 'href="tel:+1-555-0150"' in page
    assert 'href="mailto:coordinator@demo.clinic"' in page
    email = Notification.objects.filter(patient=john, kind=Kind.PATIENT_UPDATE).latest("pk")
    assert "the foundation's patient coordinator: +1-555-0150 coordinator@demo.clinic" in email.text
    assert 'href="tel:+1-555-0150"' in email.html
    maria = models.Patient.objects.get(name="Maria Keller")  # a clot: call the IR, not this
    assert maria.user is not None
    theirs = _client(maria.user).get(reverse("patient-status")).content.decode()
    assert "clinic-contact" not in theirs


def test_without_a_contact_the_page_shows_no_empty_box(demo: datetime) -> None:
    models.Clinic.objects.filter(name=DEMO_CLINIC).update(contact_phone="", contact_email="")
    john = models.Patient.objects.get(name="John Okafor")
    assert john.user is not None
    page = _client(john.user).get(reverse("patient-status")).content.decode()
    assert "Contact the foundation today" in page
    assert "clinic-contact" not in page


def test_pages_sent_back_with_errors_show_no_code(demo: datetime) -> None:
    """A refused form comes back as the page with the problem named, in words."""
    maria = models.Patient.objects.get(name="Maria Keller")
    assert maria.user is not None
    alex = _client(User.objects.get(username="alex"))
    task = open_emergency_of(maria)
    assert task is not None
    answers = [
        alex.post(reverse("staff-edit-contact", args=[maria.pk]), {"contact-phone_mobile": "12"}),
        alex.post(reverse("staff-task", args=[task.pk]), {f"task-{task.pk}-action": "resolve"}),
        alex.post(reverse("staff-add-lab", args=[maria.pk]), {"lab-result": "abnormal"}),
        _client(maria.user).post(reverse("patient-checkin"), {"pgic": "much_better"}),
    ]
    problems = []
    # The patient's check-in form comes back as a page (200) with its errors.
    assert [a.status_code for a in answers] == [400, 400, 400, 200]
    for answer in answers:
        assert "error" in answer.content.decode()
        problems += faults(visible_nodes(answer.content.decode()))
    assert not problems, "\n".join(problems)
