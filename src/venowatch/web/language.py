"""The language of a page: a patient's own choice, else the browser's (Django's
LocaleMiddleware, before this one, has read Accept-Language); staff pages are English.

It runs after authentication, which LocaleMiddleware cannot: the choice is stored with the
patient. The API chooses for itself (api/language.py): its answers are read by programs, and
only the assessment's text changes with the language asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from venowatch.services.care.languages import STAFF_LANGUAGE, chosen_language

_OWN_CHOICE = ("/api/",)


class PageLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_OWN_CHOICE):
            language = chosen_language(request.user)
            if language is None and request.user.is_authenticated:
                language = STAFF_LANGUAGE  # staff and administrators
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
