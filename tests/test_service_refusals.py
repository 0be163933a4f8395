"""Services refuse what they must, in their own words, whichever edge calls them: notes,
protocol files, instants, and people who are signed in but no longer anyone at a clinic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests import web_fixtures as make
from venowatch.clinic.models import Member, Note, Role
from venowatch.protocol import ProtocolError
from venowatch.services.care.notes import NOTE_MAX, add_note
from venowatch.services.care.protocols import default_protocol, load_protocol
from venowatch.services.clock import parse_instant
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, acts_of, may, patients_in_reach

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "says"),
    [("   ", "is empty"), ("x" * (NOTE_MAX + 1), f"under {NOTE_MAX} characters")],
)
def test_a_note_that_is_empty_or_too_long_is_refused_and_nothing_is_stored(
    text: str, says: str
) -> None:
    clinic = make.clinic()
    patient = make.patient("Maria Keller", clinic)
    with pytest.raises(FieldError) as refused:
        add_note(patient, text=text, by=None, now=NOW)
    assert refused.value.field == "text"
    assert says in refused.value.message
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_a_note_is_stored_trimmed() -> None:
    patient = make.patient("Maria Keller", make.clinic())
    note = add_note(patient, text="  called, no answer \n", by=None, now=NOW)
    assert Note.objects.get().text == note.text == "called, no answer"


def test_a_protocol_file_that_cannot_be_read_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ProtocolError) as refused:
        load_protocol(missing)
    assert str(missing) in refused.value.problem
    assert "cannot read" in refused.value.problem


def test_a_protocol_file_with_a_bad_key_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text("this is = = not toml\n", encoding="utf-8")
    with pytest.raises(ProtocolError) as refused:
        load_protocol(path)
    assert str(path) in refused.value.problem


def test_no_path_is_the_shipped_protocol() -> None:
    assert load_protocol(None) is default_protocol()


@pytest.mark.parametrize(
    ("text", "says"),
    [("yesterday", "is not a date-time"), ("2026-03-01T09:30:00", "has no UTC offset")],
)
def test_an_instant_without_a_date_or_an_offset_is_refused_in_words(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_instant(text)


def test_an_instant_in_lower_case_z_is_utc() -> None:
    assert parse_instant("2026-03-01t09:30:00z") == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_a_deactivated_advocate_reaches_no_patient_and_may_do_nothing() -> None:
    clinic = make.clinic()
    advocate = make.user("alex", clinic, Role.ADVOCATE)
    make.patient("Maria Keller", clinic, advocate=advocate)
    assert patients_in_reach(advocate).count() == 1
    advocate.is_active = False
    advocate.save()
    assert not patients_in_reach(advocate).exists()
    assert acts_of(advocate) == frozenset()
    assert not may(advocate, Act.VIEW)


@pytest.mark.django_db
def test_a_user_whose_membership_was_removed_reaches_no_patient() -> None:
    clinic = make.clinic()
    advocate = make.user("alex", clinic, Role.ADVOCATE)
    make.patient("Maria Keller", clinic, advocate=advocate)
    Member.objects.filter(user=advocate).delete()
    fresh = User.objects.get(pk=advocate.pk)
    assert not patients_in_reach(fresh).exists()
    assert acts_of(fresh) == frozenset()


def test_a_refusal_passes_through_a_generator_context_manager_as_itself() -> None:
    """An edge may wrap a service call in a @contextmanager; the refusal must reach it whole
    (a slotted dataclass exception turned into a TypeError there)."""

    @contextmanager
    def around() -> Iterator[None]:
        yield

    with pytest.raises(FieldError) as refused, around():
        raise FieldError("at", "is in the future")
    assert (refused.value.field, refused.value.message) == ("at", "is in the future")
    assert str(refused.value) == "at: is in the future"
