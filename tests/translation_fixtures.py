"""What the patient reads, in each language: every patient page of the demo (and the pages
sent back with errors), every email and text message to a patient, and the engine's patient
wording; and a recorder of the catalog lookups made while writing them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from venowatch.clinic import models
from venowatch.services.demo import DEMO_CLINIC

LANGUAGES = ("es", "fr", "it")


@dataclass
class Lookups:
    """The catalog lookups made, as (language, msgid, found in the language's catalogs)."""

    seen: set[tuple[str, str, bool]] = field(default_factory=set)

    def missing(self, language: str) -> set[str]:
        return {m for lang, m, found in self.seen if lang == language and not found}


@contextmanager
def recording() -> Iterator[Lookups]:
    """Every gettext, ngettext and pgettext lookup, in any language, while the block runs."""
    lookups = Lookups()
    cls = trans_real.DjangoTranslation
    gettext, ngettext = cls.gettext, cls.ngettext

    def record(self: Any, message: str, key: Any) -> None:
        language = self.language()
        if language != "en" and "\x04date and time" not in message:
            lookups.seen.add((language, message, key in self._catalog))

    def recorded_gettext(self: Any, message: str) -> str:
        record(self, message, message)
        return gettext(self, message)

    def recorded_ngettext(self: Any, singular: str, plural: str, n: int) -> str:
        record(self, singular, (singular, 0))
        return ngettext(self, singular, plural, n)

    cls.gettext, cls.ngettext = recorded_gettext, recorded_ngettext  # type: ignore[method-assign,assignment]
    try:
        yield lookups
    finally:
        cls.gettext, cls.ngettext = gettext, ngettext  # type: ignore[method-assign]


def demo_patients() -> list[models.Patient]:
    return list(
        models.Patient.objects.filter(clinic__name=DEMO_CLINIC)
        .select_related("user")
        .order_by("pk")
    )


def browser(language: str, user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


PATIENT_PAGES = (
    "patient-status",
    "patient-checkin",
    "patient-history",
    "patient-data",
    "account",
    "password_change",
    "two-factor-setup",
)
SIGNED_OUT_PAGES = ("login", "password_reset", "password_reset_done", "password_reset_complete")


def patient_pages(language: str) -> Iterator[tuple[str, str]]:
    """(where, page) for every page each demo patient opens, each page sent back with an error,
    and the pages before signing in."""
    for name in SIGNED_OUT_PAGES:
        yield name, _ok(name, browser(language).get(reverse(name)))
    reset = reverse("password_reset_confirm", args=["MQ", "not-a-token"])
    yield "an expired reset link", _ok("reset", browser(language).get(reset))
    refused = browser(language).post(reverse("login"), {"username": "nobody", "password": "x"})
    yield "a refused sign-in", _ok("sign-in", refused)
    for p in demo_patients():
        assert p.user is not None
        client = browser(language, p.user)
        for name in PATIENT_PAGES:
            answer = client.get(reverse(name))
            assert answer.status_code == 200, (p.name, name, answer.get("Location"))
            yield f"{p.name}: {name}", _ok(name, answer)
        for where, answer in _refused(client, p):
            yield f"{p.name}: {where}", _ok(where, answer)


def _refused(client: Client, p: models.Patient) -> Iterator[tuple[str, Any]]:
    checkin = reverse("patient-checkin")
    bad_rating = {
        "pgic": "much_improved",
        **{f"symptom_{i}": "11" for i, _s in enumerate(p.tracked_symptoms)},
    }
    yield "an empty check-in", client.post(checkin, {})
    yield "a rating out of range", client.post(checkin, bad_rating)
    yield "a wrong password", client.post(reverse("password_change"), {"old_password": "x"})
    yield "a wrong code", client.post(reverse("two-factor-setup"), {"code": "12"})
    language = reverse("account-language")
    yield "a language refused", client.post(language, {"language": "xx"}, follow=True)


def _ok(where: str, answer: Any) -> str:
    assert answer.status_code in (200, 400), (where, answer.status_code, answer.get("Location"))
    return str(answer.content.decode())


def week(now: datetime) -> list[datetime]:
    return [now + timedelta(hours=h) for h in (5, 24, 48, 24 * 7, 24 * 15)]


def in_language(language: str) -> Any:
    return translation.override(language)
