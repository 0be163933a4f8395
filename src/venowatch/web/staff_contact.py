"""Editing a patient's contact details from the staff page. A refused form comes back as the
patient page (status 400, the error next to its field, nothing saved)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from venowatch.services.care.contacts import save_contacts
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.security.access import Act
from venowatch.web import staff_patient
from venowatch.web.contact_form import ContactForm
from venowatch.web.refusals import attempt


@login_required
@require_POST
def edit_contact(request: HttpRequest, pk: int) -> HttpResponse:
    acts = staff_patient._acts(request)
    if Act.EDIT_CONTACT not in acts:
        raise Http404
    patient = staff_patient._patient_in_reach(request, pk)
    form = ContactForm(request.POST, sms=settings.VENOWATCH_SMS_ENABLED)
    today = utc_now().astimezone(patient_zone(patient)).date()
    if form.is_valid() and attempt(
        form, lambda: save_contacts(patient, form.details(), today, request.user)
    ):
        return staff_patient._done(request, patient, _("Contact details saved."), "contact")
    bound = staff_patient._Bound(contact=form, problem=("contact", _("Contact details")))
    return staff_patient._patient_page(request, patient, acts, bound, 400)
