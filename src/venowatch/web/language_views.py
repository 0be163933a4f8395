"""The patient's choice of language, on their account page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from venowatch.services.care.languages import choose_language
from venowatch.services.errors import FieldError

NAMES = {"en": "English", "es": "Español", "fr": "Français", "it": "Italiano"}
"""Each language in its own words, so that a patient finds theirs whatever the page is in."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of your pages and messages"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("As my browser is set")), *NAMES.items()]
        field.required = False


def language_form(chosen: str) -> LanguageForm:
    return LanguageForm(initial={"language": chosen}, auto_id="language_%s")


@login_required
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else None
    try:
        if language is None:
            raise FieldError("language", _("is not a language venowatch speaks"))
        choose_language(request.user, language)
    except FieldError as exc:
        messages.error(request, _("The language %(problem)s.") % {"problem": exc.message})
        return redirect("account")
    if language:
        translation.activate(language)  # the thanks is read in the new language
    messages.success(request, _("Your language is saved."))
    return redirect("account")
