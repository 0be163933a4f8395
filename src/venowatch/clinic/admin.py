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
from venowatch.clinic import models
from venowatch.clinic.phones import normalise, validate_phone
from venowatch.notify.schedule import ScheduleError, parse_schedule
from venowatch.protocol import ProtocolError
from venowatch.services.care.clinics import change_protocol, check_protocol_text
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.clock import utc_now
from venowatch.services.notification.addresses import escalation_contacts


class ClinicForm(forms.ModelForm[models.Clinic]):
    class Meta:
        model = models.Clinic
        fields = "__all__"
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "protocol_text": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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


@admin.register(models.Clinic)
class ClinicAdmin(admin.ModelAdmin[models.Clinic]):
    form = ClinicForm
    list_display = (
        "name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone", "protocol",
    )  # fmt: skip
    readonly_fields = ("protocol", "sms")
    fieldsets = (
        (None, {"fields": ("name", "time_zone", "mrn_system", "sms")}),
        (_("Contacts"), {"fields": ("ir_name", "ir_phone", "oncall_phone", "oncall_email")}),
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
        (_("Records"), {"fields": ("earliest_record_date", "checkin_void_window")}),
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

    def save_model(self, request: HttpRequest, obj: models.Clinic, form: Any, change: bool) -> None:
        if not change or "protocol_text" not in form.changed_data:
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
class MemberAdmin(admin.ModelAdmin[models.Member]):
    form = MemberForm
    list_display = ("user", "clinic", "role", "phone")
    list_filter = ("clinic", "role")


class PhoneInline(admin.TabularInline[models.PatientPhone, models.Patient]):
    model = models.PatientPhone
    extra = 1
    max_num = len(models.PhoneKind)


class DetailsInline(admin.StackedInline[models.PatientDetails, models.Patient]):
    model = models.PatientDetails
    can_delete = False


class IdentifierInline(admin.TabularInline[models.PatientIdentifier, models.Patient]):
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
class PatientAdmin(AuditedAdmin):
    """Enrolment: the patient with their phones, details and identifiers (inlines)."""

    inlines = (PhoneInline, DetailsInline, IdentifierInline)
    list_display = ("name", "clinic", "advocate", "user", "time_zone")
    list_filter = ("clinic", "advocate")
    search_fields = ("name",)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is models.PatientIdentifier:
            for identifier in formset.save(commit=False):
                identifier.clinic_id = form.instance.clinic_id  # the patient's clinic, always
                identifier.save()
            for gone in formset.deleted_objects:
                gone.delete()
            return
        super().save_formset(request, form, formset, change)
