"""Spanish, French and Italian beside English, for patients (docs/translations.md).

Two checks make "no English left" mean something: every catalog lookup made while writing a
patient's page, email, text or reason finds a translation in that language; and no word of
the English catalog that the language's own words do not also use shows on the page, which
catches English that was never marked for translation."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext, trans_real

from tests.api_fixtures import Api
from tests.conftest import SCENARIOS
from tests.engine_fixtures import scenario
from tests.page_text import visible_nodes
from tests.sms_server import Provider, sms  # noqa: F401 (a fixture)
from tests.translation_fixtures import LANGUAGES, browser, patient_pages, recording
from tests.web_fixtures import clinic, patient
from venowatch.clinic import models
from venowatch.clinic.models import default_symptoms
from venowatch.notify.models import Channel, Kind, Notification
from venowatch.protocol.message import Audience
from venowatch.services.care import languages
from venowatch.services.care.consent import CURRENT_VERSION, consent_text
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.wording import reason_text
from venowatch.services.demo import DEMO_CLINIC, create_demo
from venowatch.services.notification.account import queue_password_reset
from venowatch.services.sweep import sweep
from venowatch.web.catalogs import catalogs, compile_mo, read_po
from venowatch.web.language_views import NAMES
from venowatch.web.protocol_words import PATIENT_WORDS, SYMPTOM_WORDS

WORD = re.compile(r"[^\W\d_]+")
URL = re.compile(r"https?://\S+")
SECRET = re.compile(r"\b[A-Z2-7]{4}\b")
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]")
SHOWN_AS_THEY_ARE = {
    "venowatch", "FHIR", "CSV", "SMS", "Google", "Microsoft", "Authenticator", "FreeOTP", "Dr",
    "IR",
}  # fmt: skip
"""Names and formats, the same in every language."""


def _po(language: str) -> Path:
    (path,) = [p for p in catalogs() if p.parent.parent.name == language]
    return path


def _english_words() -> frozenset[str]:
    entries = read_po(_po("es").read_text(encoding="utf-8"))
    return frozenset(
        w for e in entries for text in (e.msgid, e.plural or "") for w in WORD.findall(text)
    )


def _words_of(language: str) -> frozenset[str]:
    """Every word the language's catalogs use, Django's own included (its month names, its
    form errors)."""
    catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
    texts = [text for part in catalog._catalogs for text in part.values()]
    texts.append(consent_text(CURRENT_VERSION, language))
    return frozenset(w for text in texts for w in WORD.findall(str(text)))


def english_left(texts: list[str], language: str, allowed: set[str]) -> set[str]:
    english = _english_words() - _words_of(language) - SHOWN_AS_THEY_ARE - allowed
    return {w for text in texts for w in WORD.findall(text) if w in english}


def _demo_names() -> set[str]:
    """Names people and places were given, and the time zones pages name."""
    names = {models.Clinic.objects.get(name=DEMO_CLINIC).name}
    for p in models.Patient.objects.select_related("clinic"):
        names |= {p.name, p.time_zone, p.clinic.ir_name, p.clinic.contact_name}
        names |= {n.text for n in p.notes.all()} | {lab.finding for lab in p.labs.all()}
        names |= {c.note for c in p.checkins.all()}
        names |= {v for row in p.procedures.all() for v in row.veins}
    for u in User.objects.all():
        names |= {u.get_full_name(), u.username, u.email}
    names |= set(NAMES.values())  # each language offered in its own words
    return {w for name in names for w in WORD.findall(name)}


# --- the catalogs ------------------------------------------------------------------------------


def test_every_committed_mo_is_what_its_po_compiles_to() -> None:
    assert {p.parent.parent.name for p in catalogs()} == set(LANGUAGES)
    for po in catalogs():
        compiled = compile_mo(read_po(po.read_text(encoding="utf-8")))
        assert po.with_suffix(".mo").read_bytes() == compiled, f"run compilemessages: {po}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_its_placeholders(language: str) -> None:
    entries = [e for e in read_po(_po(language).read_text(encoding="utf-8")) if e.translated]
    assert len(entries) > 250
    for e in entries:
        if e.msgid == "":
            continue
        forms = [e.msgid] if e.plural is None else [e.msgid, e.plural]
        assert len(e.msgstr) == len(forms), e.msgid
        for english, translated in zip(forms, e.msgstr, strict=True):
            wanted = sorted(PLACEHOLDER.findall(english))
            # A singular may name its one thing in words ("a minute") where English does.
            assert sorted(PLACEHOLDER.findall(translated)) == wanted, (language, e.msgid)


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("es", ["días", "día", "días"]),
        ("fr", ["jour", "jour", "jours"]),
        ("it", ["giorni", "giorno", "giorni"]),
    ],
)
def test_plural_forms_follow_each_language(language: str, forms: list[str]) -> None:
    """French says 0 jour; Spanish and Italian, 0 días, 0 giorni."""
    with translation.override(language):
        for n, word in zip((0, 1, 2), forms, strict=True):
            said = ngettext("%(count)s day", "%(count)s days", n) % {"count": n}
            assert said == f"{n} {word}"


def test_the_default_protocol_and_symptoms_are_in_the_catalogs() -> None:
    protocol = default_protocol()
    words = {p.title.patient for p in protocol.pathways.values()}
    words |= {a.patient for a in protocol.actions.values()}
    assert set(PATIENT_WORDS) == words
    assert list(SYMPTOM_WORDS) == default_symptoms()


# --- what patients read ------------------------------------------------------------------------


@pytest.fixture
def demo(db: None) -> None:
    create_demo(timezone.now())


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_a_patient_page(demo: None, language: str) -> None:
    allowed = _demo_names()
    seen, problems = 0, []
    with recording() as lookups:
        for where, page in patient_pages(language):
            seen += 1
            assert f'<html lang="{language}">' in page, where
            # The key to type into an authenticator app is letters, not words.
            text = [SECRET.sub(" ", node) for node in visible_nodes(page)]
            left = english_left(text, language, allowed)
            problems += [f"{where}: {sorted(left)}"] if left else []
    assert seen > 40, seen
    assert not lookups.missing(language), "untranslated:\n" + "\n".join(
        sorted(lookups.missing(language))
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_engine_speaks_to_patients_in_each_language_in_every_scenario(language: str) -> None:
    problems = []
    with recording() as lookups, translation.override(language):
        for path in SCENARIOS:
            a = scenario(path)
            assert a.as_of.tzinfo is not None
            texts = [reason_text(r, Audience.PATIENT, a.as_of.tzinfo) for r in a.rationale]
            left = english_left(texts, language, set())
            problems += [f"{path.stem}: {sorted(left)} in {texts}"] if left else []
    assert not lookups.missing(language), "untranslated:\n" + "\n".join(
        sorted(lookups.missing(language))
    )
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_patients_own_choice_wins_over_the_browser_and_staff_read_english(demo: None) -> None:
    maria = models.Patient.objects.get(name="Maria Keller")
    assert maria.user is not None
    client = browser("es", maria.user)
    assert '<html lang="es">' in client.get(reverse("patient-status")).content.decode()
    answer = client.post(reverse("account-language"), {"language": "it"})
    assert answer.status_code == 302
    maria.refresh_from_db()
    assert maria.language == "it"
    page = client.get(reverse("account")).content.decode()
    assert '<html lang="it">' in page
    assert "La sua lingua è salvata." in page
    client.post(reverse("account-language"), {"language": ""})
    maria.refresh_from_db()
    assert maria.language == ""
    staff = browser("fr", User.objects.get(username="alex"))
    assert '<html lang="en">' in staff.get(reverse("worklist")).content.decode()
    assert "account-language" not in staff.get(reverse("account")).content.decode()


@pytest.mark.django_db
def test_a_language_venowatch_does_not_speak_is_refused_in_words(demo: None) -> None:
    maria = models.Patient.objects.get(name="Maria Keller")
    assert maria.user is not None
    client = browser("en", maria.user)
    page = client.post(reverse("account-language"), {"language": "de"}, follow=True)
    assert "The language is not a language venowatch speaks." in page.content.decode()
    maria.refresh_from_db()
    assert maria.language == ""
    staff = browser("en", User.objects.get(username="alex"))
    page = staff.post(reverse("account-language"), {"language": "fr"}, follow=True)
    assert "The language can only be chosen by a patient." in page.content.decode()


# --- emails and text messages ------------------------------------------------------------------

TO_PATIENTS = {Kind.REMINDER, Kind.PATIENT_UPDATE, Kind.PASSWORD_RESET}


def _outbox(language: str, monkeypatch: pytest.MonkeyPatch) -> list[Notification]:
    """What the demo queues with SMS on, then two weeks of sweeps and a password reset, with
    every patient reading `language` (its choice is tested below)."""
    monkeypatch.setattr(languages, "message_language", lambda _patient: language)
    now = timezone.now()
    create_demo(now)
    for minutes in (11, 25):
        sweep(now + timedelta(minutes=minutes))
    for hours in (5, 24, 48, 24 * 7, 24 * 15):
        sweep(now + timedelta(hours=hours))
    maria = models.Patient.objects.get(name="Maria Keller")
    assert maria.user is not None
    queue_password_reset(maria.user, "/accounts/reset/x/y/", now + timedelta(days=16))
    return list(Notification.objects.all())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_and_text_to_a_patient_is_in_their_language(
    db: None,
    sms: Provider,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    with recording() as lookups:
        outbox = _outbox(language, monkeypatch)
    allowed = _demo_names()
    to_patients = [n for n in outbox if n.kind in TO_PATIENTS]
    made = {(n.kind, n.channel) for n in to_patients}
    assert made == {(k, c) for k in TO_PATIENTS for c in Channel} - {(Kind.PASSWORD_RESET, "sms")}
    problems = []
    for n in to_patients:
        # Links are addresses, not words.
        texts = [URL.sub(" ", t) for t in [n.subject, n.text, *visible_nodes(n.html)]]
        left = english_left(texts, language, allowed)
        problems += [f"{n.kind} by {n.channel}: {sorted(left)}"] if left else []
        if n.html:
            assert f'<html lang="{language}">' in n.html
    assert not lookups.missing(language), "untranslated:\n" + "\n".join(
        sorted(lookups.missing(language))
    )
    assert not problems, "\n".join(problems)
    # Staff read English whatever the patient reads.
    alerts = [n for n in outbox if n.kind == Kind.EMERGENCY]
    assert alerts
    assert all(n.subject.startswith("URGENT: possible blood clot") for n in alerts)


@pytest.mark.django_db
def test_messages_use_the_patients_choice_else_the_staffs_record_else_the_clinics() -> None:
    p = patient("Maria Keller", clinic())
    assert languages.message_language(p) == "en"
    models.Clinic.objects.filter(pk=p.clinic_id).update(language="it")
    p = models.Patient.objects.select_related("clinic").get(pk=p.pk)
    assert languages.message_language(p) == "it"
    models.PatientDetails.objects.create(patient=p, language="fr")
    assert languages.message_language(p) == "fr"
    p.language = "es"
    assert languages.message_language(p) == "es"


# --- the API -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_writes_the_assessment_in_the_language_asked_for(demo: None) -> None:
    maria = models.Patient.objects.get(name="Maria Keller")
    assert maria.user is not None
    staff = Api(User.objects.get(username="alex"))
    path = f"/api/v1/patients/{maria.pk}/assessment"
    english = staff.get(f"/patients/{maria.pk}/assessment").json()["rationale"]
    for language in LANGUAGES:
        answer = staff.client.get(path, headers={**staff._headers({}), "Accept-Language": language})
        rationale = answer.json()["rationale"]
        assert [r["code"] for r in rationale] == [r["code"] for r in english]
        assert [r["staff"] for r in rationale] == [r["staff"] for r in english]
        patient_text = " ".join(r["text"] for r in rationale)
        assert patient_text != " ".join(r["text"] for r in english)
        assert not english_left([patient_text], language, _demo_names()), patient_text
    # The patient calling for themselves, without the header, reads the language they chose.
    models.Patient.objects.filter(pk=maria.pk).update(language="it")
    own = Api(maria.user).get(f"/patients/{maria.pk}/assessment").json()["rationale"]
    assert not english_left([r["text"] for r in own], "it", _demo_names())
