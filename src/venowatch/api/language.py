"""The language of the assessment's text in the API: the one `Accept-Language` asks for
(Django's LocaleMiddleware has read it); without the header, the language a patient calling
for themselves chose; else English. Codes, stamps and the staff text never change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from venowatch.services.care.languages import chosen_language, speaking


def asked_language(request: HttpRequest) -> Any:
    """A block in which the patient's text is written in the language the caller reads."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return speaking(translation.get_language() or settings.LANGUAGE_CODE)
    return speaking(chosen_language(request.user) or settings.LANGUAGE_CODE)
