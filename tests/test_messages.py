"""The engine's wording as messages: English exactly as before, a stored form that loses
nothing, and every template where the translation catalogs will find it."""

from __future__ import annotations

import ast
import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

import venowatch.protocol
from tests.conftest import SCENARIOS
from tests.engine_fixtures import PROPERTY, PROTOCOL, ZONES, Case, cases, scenario
from venowatch.protocol import Assessment, assess
from venowatch.protocol.message import (
    ENGLISH,
    Audience,
    Message,
    Span,
    Unit,
    counted,
    ngettext_noop,
    render,
    say,
)
from venowatch.services.care.message_json import message_from_json, message_json

PATIENT, STAFF = ENGLISH[Audience.PATIENT], ENGLISH[Audience.STAFF]
CORE = Path(venowatch.protocol.__file__).parent

# Each scenario's rationale in English as the engine wrote it before messages.
BEFORE_MESSAGES = Path(__file__).parent / "expected" / "rationale_in_english.txt"
Written = tuple[str | None, str, str, str]
"""A reason as written: its clause (None for none), code, patient text and staff text."""


def _field(line: str, name: str) -> str:
    if not line.startswith(f"{name}: "):
        raise ValueError(f"{BEFORE_MESSAGES.name}: expected {name}, got {line!r}")
    return line.removeprefix(f"{name}: ")


def _written_before() -> dict[str, list[Written]]:
    """The expected file read back: "== scenario", then per reason "-- clause code" ("-" for
    no clause), "patient: text" and "staff: text"."""
    scenarios: dict[str, list[Written]] = {}
    text = BEFORE_MESSAGES.read_text("utf-8").splitlines()
    lines = iter(line for line in text if line and not line.startswith("#"))
    for line in lines:
        if line.startswith("== "):
            reasons = scenarios.setdefault(line.removeprefix("== "), [])
            continue
        clause, code = line.removeprefix("-- ").split(" ")
        patient, staff = _field(next(lines), "patient"), _field(next(lines), "staff")
        reasons.append((None if clause == "-" else clause, code, patient, staff))
    return scenarios


WRITTEN_BEFORE = _written_before()


def messages_of(a: Assessment) -> Iterator[Message]:
    """Every message in the rationale, nested ones included."""
    stack = [m for r in a.rationale for m in (r.patient_message, r.staff_message)]
    while stack:
        message = stack.pop()
        yield message
        stack.extend(value for _, value in message.params if isinstance(value, Message))


def round_trip(message: Message) -> Message:
    return message_from_json(json.loads(json.dumps(message_json(message))))


def test_the_scenarios_cover_every_one_recorded() -> None:
    assert sorted(p.stem for p in SCENARIOS) == sorted(WRITTEN_BEFORE)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_reads_as_it_did_before_messages(path: Path) -> None:
    written = [
        (None if r.clause is None else r.clause.value, r.code, r.patient, r.staff)
        for r in scenario(path).rationale
    ]
    assert written == WRITTEN_BEFORE[path.stem]


@PROPERTY
@given(case=cases(), zone=st.sampled_from([None, *ZONES]))
def test_a_stored_message_writes_the_same_english(case: Case, zone: ZoneInfo | None) -> None:
    a = assess(case.timeline, case.as_of, PROTOCOL, display=zone)
    for r in a.rationale:
        assert render(round_trip(r.patient_message), PATIENT) == r.patient
        assert render(round_trip(r.staff_message), STAFF) == r.staff


@given(
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=100 * 366)),
    unit=st.sampled_from(Unit),
)
def test_a_stored_span_is_the_same_span(length: timedelta, unit: Unit) -> None:
    span = Span(length, unit)
    assert round_trip(say("%(span)s", span=span)) == say("%(span)s", span=span)


@pytest.mark.parametrize(
    ("length", "unit", "text"),
    [
        (timedelta(days=1), Unit.DAYS, "1 day"),
        (timedelta(days=2), Unit.DAYS, "2 days"),
        (timedelta(days=1, hours=12), Unit.DAYS, "1.5 days"),
        (timedelta(days=3) - timedelta(seconds=1), Unit.DAYS, "2.9 days"),
        (timedelta(days=28), Unit.DAYS, "28 days"),
        (timedelta(0), Unit.DAYS, "0 days"),
        (timedelta(hours=1), Unit.HOURS, "1 hour"),
        (timedelta(hours=47, minutes=59), Unit.HOURS, "47.9 hours"),
    ],
)
def test_spans_are_whole_where_whole_else_rounded_down(
    length: timedelta, unit: Unit, text: str
) -> None:
    assert render(say("%(span)s", span=Span(length, unit)), PATIENT) == text


def test_counted_messages_take_the_form_for_their_count() -> None:
    forms = ngettext_noop("%(count)s check-in", "%(count)s check-ins")
    assert render(counted(forms, 1), PATIENT) == "1 check-in"
    assert render(counted(forms, 2), PATIENT) == "2 check-ins"


@pytest.mark.parametrize(
    "data", [{"params": {}}, {"template": 3, "params": {}}, {"template": "x", "params": 3}]
)
def test_a_stored_form_that_is_not_a_message_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not a message"):
        message_from_json(data)


def test_a_stored_param_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a message parameter"):
        message_from_json({"template": "%(x)s", "params": {"x": [1]}})


# --- every template where makemessages finds it ------------------------------------------------

Catalog = set[tuple[str, str, str | None]]
"""(msgctxt, msgid, msgid_plural) of each entry of a .po file."""
MARKS = {"gettext_noop", "ngettext_noop"}
BUILDERS = {"say", "counted", "Message"}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_every_template_is_a_marked_literal(path: Path) -> None:
    """xgettext reads literals in calls to the marking functions, nothing else: so every
    message is built from a marked literal, right where it is written."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        if _name(node) in MARKS:
            assert node.args, f"{path.name}:{node.lineno}"
            assert all(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args
            ), f"{path.name}:{node.lineno}: mark a string literal"
        elif _name(node) in BUILDERS and path.name != "message.py":
            where = f"{path.name}:{node.lineno}"
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Call), f"{where}: the template must be marked here"
            assert _name(first) in MARKS, f"{where}: mark it with gettext_noop or ngettext_noop"


def _po_entries(text: str) -> Catalog:
    entries: Catalog = set()
    fields: dict[str, str] = {}
    key = ""
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if line.startswith('"'):
            fields[key] += ast.literal_eval(line)
            continue
        if not line:
            if "msgid" in fields:
                entries.add(
                    (fields.get("msgctxt", ""), fields["msgid"], fields.get("msgid_plural"))
                )
            fields = {}
            continue
        if line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        fields[key] = ast.literal_eval(value)
    return entries


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What the project's makemessages extracts from the engine (a copy, so that nothing is
    written into the source tree)."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed; the AST test above still holds")
    root = tmp_path_factory.mktemp("extract")
    shutil.copytree(CORE, root / "protocol", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        call_command("makemessages", locale=["de"], verbosity=0)
    return _po_entries((root / "locale/de/LC_MESSAGES/django.po").read_text())


def _templates(message: Message) -> tuple[str, str, str | None]:
    return ("", message.template, message.plural)


def test_makemessages_finds_the_span_forms(
    catalog: Catalog,
) -> None:
    for unit in Unit:
        assert ("", *unit.whole) in catalog
        assert ("", unit.fraction, None) in catalog


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_makemessages_finds_every_template_of_a_scenario(path: Path, catalog: Catalog) -> None:
    for message in messages_of(scenario(path)):
        assert _templates(message) in catalog, message.template


@PROPERTY
@given(case=cases())
def test_makemessages_finds_every_template_the_engine_uses(case: Case, catalog: Catalog) -> None:
    for message in messages_of(assess(case.timeline, case.as_of, PROTOCOL)):
        assert _templates(message) in catalog, message.template
