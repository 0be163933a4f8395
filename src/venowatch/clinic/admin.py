"""The Django admin is where an administrator manages users, roles, advocate assignment and
clinic settings (IR and on-call contacts, the protocol file in use)."""

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from venowatch.audit.admin import AuditedAdmin
from venowatch.clinic import (
    admin_users,  # noqa: F401  # registers the users' admin
    models,
)
from venowatch.clinic.admin_erasure import erase
from venowatch.clinic.admin_patient_form import PatientForm
from venowatch.clinic.admin_protocol import ProtocolPreviewMixin
from venowatch.clinic.admin_scope import (
    ClinicScopedAdmin,
    ReadOnlyAdmin,
    ScopedStackedInline,
    ScopedTabularInline,
    admin_clinic,
)
from venowatch.clinic.list_fields import TimeZoneField
from venowatch.clinic.phones import normalise, validate_phone
from venowatch.notify.schedule import ScheduleError, parse_schedule
from venowatch.protocol import ProtocolError
from venowatch.services.care.clinics import change_protocol, check_protocol_text
from venowatch.services.care.consent import state_of
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.clock import utc_now
from venowatch.services.notification.addresses import escalation_contacts


class ClinicForm(forms.ModelForm[models.Clinic]):
    time_zone = TimeZoneField(help_text=_("New patients' time zone unless staff choose another."))

    class Meta:
        model = models.Clinic
        fields = "__all__"
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "protocol_text": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, TimeZoneField)
        zone.include(self.instance.time_zone if self.instance.pk else "")
        # Kept byte for byte (as the file was), so its hash matches the file's; browsers send
        # a text area's lines ending in CRLF, which the file did not have.
        self.fields["protocol_text"].strip = False  # type: ignore[attr-defined]

    def clean_protocol_text(self) -> str:
        text: str = self.cleaned_data["protocol_text"].replace("\r\n", "\n")
        try:
            check_protocol_text(text)
        except ProtocolError as exc:
            why = {"why": exc}
            raise forms.ValidationError(_("This protocol file is refused: %(why)s") % why) from None
        return text

    def clean_reminder_schedule(self) -> str:
        text: str = self.cleaned_data["reminder_schedule"]
        try:
            parse_schedule(text)
        except ScheduleError as exc:
            raise forms.ValidationError(str(exc)) from None
        return text

    def clean_escalation_emails(self) -> str:
        text: str = self.cleaned_data["escalation_emails"]
        for address in escalation_contacts(text):
            try:
                validate_email(address)
            except forms.ValidationError:
                bad = {"line": address}
                raise forms.ValidationError(_("%(line)s is not an email address") % bad) from None
        return text

    def clean_digest_hour(self) -> int:
        hour: int = self.cleaned_data["digest_hour"]
        if hour > 23:
            raise forms.ValidationError(_("an hour of the day, from 0 to 23"))
        return hour


CONTACT_FIELDS = (
    "ir_name", "ir_phone", "oncall_phone", "oncall_email",
    "contact_name", "contact_phone", "contact_email",
)  # fmt: skip


@admin.register(models.Clinic)
class ClinicAdmin(ProtocolPreviewMixin, ClinicScopedAdmin[models.Clinic]):
    """A clinic's settings; a new protocol file is previewed before it is saved
    (clinic.admin_protocol)."""

    form = ClinicForm
    list_display = (
        "name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone", "protocol",
    )  # fmt: skip
    readonly_fields = ("protocol", "sms")
    fieldsets = (
        (None, {"fields": ("name", "time_zone", "language", "mrn_system", "sms")}),
        (_("Contacts"), {"fields": CONTACT_FIELDS}),
        (
            _("Alerts and reminders"),
            {
                "fields": (
                    "escalate_after",
                    "resolve_within",
                    "escalation_emails",
                    "reminder_schedule",
                    "digest_hour",
                )
            },
        ),
        (
            _("Records"),
            {
                "fields": (
                    "earliest_record_date",
                    "checkin_void_window",
                    "missed_checkin_days",
                    "retention_days",
                )
            },
        ),
        (_("Protocol"), {"fields": ("protocol", "protocol_text")}),
    )

    @admin.display(description=_("protocol in use"))
    def protocol(self, clinic: models.Clinic) -> str:
        ref = clinic_protocol(clinic).ref
        shipped = "" if clinic.protocol_text else _(" (shipped with venowatch)")
        return f"{ref.id} {ref.version}{shipped}, sha256 {ref.sha256[:12]}"

    @admin.display(description=_("text messages (SMS)"))
    def sms(self, clinic: models.Clinic) -> str:
        if settings.VENOWATCH_SMS_ENABLED:
            return str(_("On: clot alerts also go by SMS to staff with a mobile number."))
        return str(
            _(
                "Off: set VENOWATCH_SMS_ACCOUNT_SID, VENOWATCH_SMS_AUTH_TOKEN and "
                "VENOWATCH_SMS_FROM to send them; until then every message goes by email."
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Clinics are the installation's: its operator adds and removes them.
        return admin_clinic(request) is None and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_clinic(request) is None and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: models.Clinic, form: Any, change: bool) -> None:
        # A text area sends CRLF, so "changed" may be the same file: compare the cleaned text.
        if not change or form.cleaned_data["protocol_text"] == form.initial.get("protocol_text"):
            super().save_model(request, obj, form, change)
            return
        count = change_protocol(obj, obj.protocol_text, utc_now())
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            _("The protocol changed: %(count)d patients were re-assessed under it.")
            % {"count": count},
            messages.SUCCESS,
        )


class MemberForm(forms.ModelForm[models.Member]):
    class Meta:
        model = models.Member
        fields = "__all__"
        help_texts: ClassVar[dict[str, Any]] = {
            "phone": _("A mobile number gets clot alerts by text message when SMS is set up.")
        }

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        if not phone:
            return phone
        validate_phone(phone)
        return normalise(phone)


@admin.register(models.Member)
class MemberAdmin(ClinicScopedAdmin[models.Member]):
    form = MemberForm
    list_display = ("user", "clinic", "role", "phone")
    list_filter = ("clinic", "role")


class PhoneInline(ScopedTabularInline[models.PatientPhone, models.Patient]):
    model = models.PatientPhone
    extra = 1
    max_num = len(models.PhoneKind)


class DetailsInline(ScopedStackedInline[models.PatientDetails, models.Patient]):
    model = models.PatientDetails
    can_delete = False


class IdentifierInline(ScopedTabularInline[models.PatientIdentifier, models.Patient]):
    model = models.PatientIdentifier
    extra = 1
    fields = ("system", "value")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["system"].help_text = _(
            "For the clinic's MRN, the clinic's MRN system (set on the clinic)."
        )
        return formset


@admin.register(models.Patient)
class PatientAdmin(AuditedAdmin, ClinicScopedAdmin[models.Patient]):
    """Enrolment: the patient with their phones, details and identifiers (inlines). A patient
    is not deleted here but erased (the action), which takes their login and every record."""

    form = PatientForm
    inlines = (PhoneInline, DetailsInline, IdentifierInline)
    list_display = ("name", "clinic", "advocate", "user", "time_zone")
    list_filter = ("clinic", "advocate")
    search_fields = ("name",)
    autocomplete_fields = ("advocate",)
    raw_id_fields = ("user",)
    actions = (erase,)
    readonly_fields = ("consent",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Django's delete would leave the login and membership: erase instead

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new patient lives where their clinic is, until someone says otherwise."""
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        clinic_id = admin_clinic(request)
        clinic = models.Clinic.objects.filter(pk=clinic_id).first() if clinic_id else None
        if clinic is not None:
            initial.setdefault("clinic", clinic.pk)
            initial.setdefault("time_zone", clinic.time_zone)
        return initial

    @admin.display(description=_("consent to follow-up"))
    def consent(self, patient: models.Patient) -> str:
        """In words; given and withdrawn on venowatch's pages (services.care.consent)."""
        if patient.pk is None:
            return str(_("Recorded once the patient is enrolled."))
        state = state_of(patient)
        if state.withdrawn_at is not None:
            return str(_("Withdrawn on %(when)s by %(who)s.")) % {
                "when": state.withdrawn_at.date(), "who": state.withdrawn_by_name
            }  # fmt: skip
        if state.given_at is not None:
            return str(_("Given on %(when)s (text version %(version)s), recorded by %(who)s.")) % {
                "when": state.given_at.date(), "version": state.version, "who": state.given_by_name
            }  # fmt: skip
        return str(_("Not recorded."))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is models.PatientIdentifier:
            for identifier in formset.save(commit=False):
                identifier.clinic_id = form.instance.clinic_id  # the patient's clinic, always
                identifier.save()
            for gone in formset.deleted_objects:
                gone.delete()
            return
        super().save_formset(request, form, formset, change)


@admin.register(models.Takeover)
class TakeoverAdmin(ReadOnlyAdmin[models.Takeover]):
    """Who took a patient over, from whom and why. Take-overs are append-only
    (services.care.takeovers writes them), so the admin only shows them."""

    list_display = ("at", "patient", "by", "previous", "reason")
    list_filter = ("patient__clinic",)
    list_select_related = ("patient", "by", "previous")
    search_fields = ("patient__name", "reason")
    ordering = ("-at", "-pk")
    readonly_fields = ("patient", "by", "previous", "reason", "at")


# The other PGIC questionnaires a clinic reads over FHIR: the questionnaire's URL and answer
# item, and its answers as a small table (code or ordinal value -> venowatch's answer), not
# raw JSON.
class AnswerInline(ScopedTabularInline[models.PgicScaleAnswer, models.PgicScale]):
    model = models.PgicScaleAnswer
    fields = ("code", "ordinal", "means")
    extra = 7  # the scale's seven answers
    min_num = 1


@admin.register(models.PgicScale)
class PgicScaleAdmin(ClinicScopedAdmin[models.PgicScale]):
    list_display = ("questionnaire", "link_id", "clinic")
    fields = ("clinic", "questionnaire", "link_id")
    inlines = (AnswerInline,)
