"""Which language a patient reads: on their pages, in their emails and texts, in the API.

Staff pages and staff messages stay English (docs/translations.md): a clinic reviews the
patient wording it gives out, and staff read the engine's codes and stamps the same way in
every language. A patient reads the language they chose on their account page; without a
choice, their pages follow the browser, and their emails and texts (which have no browser)
the language the staff recorded for them, else the clinic's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.services.errors import FieldError

STAFF_LANGUAGE = "en"
"""Staff pages and messages: the language the engine and the protocol file are written in."""


def spoken() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def chosen_language(user: Any) -> str | None:
    """The language a signed-in patient chose; "" for a patient who left it to the browser;
    None for anyone who is not a patient (staff, administrators)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return models.Patient.objects.filter(user=user).values_list("language", flat=True).first()


def choose_language(user: Any, language: str) -> None:
    """A signed-in patient's own choice; "" gives it back to the browser."""
    if language and language not in spoken():
        raise FieldError("language", _("is not a language venowatch speaks"))
    if not models.Patient.objects.filter(user=user).update(language=language):
        raise FieldError("language", _("can only be chosen by a patient"))


def message_language(patient: models.Patient) -> str:
    """The language of an email or text to the patient, which no browser can choose."""
    if patient.language:
        return patient.language
    details = models.PatientDetails.objects.filter(patient=patient).values_list(
        "language", flat=True
    )
    recorded = details.first()
    for language in (recorded, patient.clinic.language):
        if language in spoken():
            return str(language)
    return str(settings.LANGUAGE_CODE)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Templates and catalog lookups inside the block are in `language`."""
    with translation.override(language):
        yield


def for_patient(patient: models.Patient) -> Any:
    return speaking(message_language(patient))


def for_staff() -> Any:
    return speaking(STAFF_LANGUAGE)
