"""Where the web turns a service's refusal (FieldError) into an inline form error: every view
that writes goes through `attempt` (or, to keep the write's result, catches FieldError and
calls `refuse`), so the mapping is made once."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext as _

from venowatch.services.errors import DuplicateRecordError, FieldError

SAVE_ANYWAY = "confirm_duplicate"
"""The "save anyway" box of a form whose record may repeat one already stored."""


def attempt(form: forms.Form, write: Callable[[], object]) -> bool:
    """Whether `write()` was done; if a service refused it, the refusal is on `form`."""
    try:
        write()
    except FieldError as exc:
        refuse(form, exc)
        return False
    return True


def refuse(form: forms.Form, exc: FieldError) -> None:
    """Put a service's refusal next to the field it names, in a sentence; a field the form
    does not have (the instant of a patient's check-in is now, not typed) goes above it."""
    name = exc.field
    if isinstance(exc, DuplicateRecordError) and name in form.fields:
        form.add_error(
            name,
            _("This looks like a repeat: %(problem)s. If it is another one, tick “%(box)s” and "
              "save again.") % {"problem": exc.message, "box": form.fields[name].label},
        )  # fmt: skip
    elif name in form.fields:
        label = str(form.fields[name].label or name)
        form.add_error(name, _("%(field)s %(problem)s.") % {"field": label, "problem": exc.message})
    else:
        form.add_error(None, exc.message)
