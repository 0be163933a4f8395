"""The audit log's rows. Pseudonymous on purpose: a row holds ids (of the patient, the clinic,
the user or token) and codes, never a name, an email or a patient's words, so it stays true
and harmless after a patient is erased; labels are looked up when a row is shown. The patient
and clinic are plain integers, not foreign keys: erasing a patient must not cascade into the
log.

Rows are never changed or deleted (the admin offers neither; on PostgreSQL a trigger refuses
both). Each row's `hash` is SHA-256 over its contents and the previous row's hash, and `seq`
is its place in the chain: services.security.audit_chain appends and verifies."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.fields import EnumField

GENESIS = "0" * 64
"""The previous hash of the first row."""


class ActorKind(enum.Enum):
    USER = "user"  # a signed-in person (web pages, the admin, the API with a session)
    API_TOKEN = "api_token"  # an integration's bearer token (acts as its user)
    CDS_ISSUER = "cds_issuer"  # an EHR calling CDS Hooks with its signed JWT
    CLI = "cli"  # the operator at the command line
    SYSTEM = "system"  # the worker and the sweep
    UNKNOWN = "unknown"  # a request nobody signed (no session, a bad token)


class Channel(enum.Enum):
    WEB = "web"
    API = "api"
    FHIR = "fhir"
    CDS = "cds"
    CLI = "cli"
    ADMIN = "admin"
    SYSTEM = "system"


class Outcome(enum.Enum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    ERROR = "error"


class Action(enum.Enum):
    """What was done. The reads are services.care.reads.Read's values (a test holds them
    equal); writes name the command; a refusal is one action whatever was asked."""

    # reads
    PATIENT_PAGE = "patient_page"
    WORKLIST = "worklist"
    OWN_STATUS = "own_status"
    OWN_HISTORY = "own_history"
    OWN_CHECKIN = "own_checkin"
    STANDING = "standing"
    RECORDS = "records"
    TASKS = "tasks"
    EXPORT = "export"
    DECISION_SUPPORT = "decision_support"
    FHIR = "fhir"
    ADMIN_VIEW = "admin_view"
    PROTOCOL_IMPACT = "protocol_impact"
    WORKLIST_EXPORT = "worklist_export"
    OUTCOME_FIGURES = "outcome_figures"
    # writes
    CHECKIN = "checkin"
    PROCEDURE = "procedure"
    LAB = "lab"
    NOTE = "note"
    VOID = "void"
    CORRECTION = "correction"
    WITHDRAWAL = "withdrawal"
    CONTACTS = "contacts"
    TAKEOVER = "takeover"
    TASK_OPENED = "task_opened"
    TASK_ACKNOWLEDGED = "task_acknowledged"
    TASK_ASSIGNED = "task_assigned"
    TASK_RESOLVED = "task_resolved"
    CALL = "call"
    IMPORT = "import"
    ADMIN_ADD = "admin_add"
    ADMIN_CHANGE = "admin_change"
    ADMIN_DELETE = "admin_delete"
    ERASURE = "erasure"
    ENROLMENT = "enrolment"
    # refusals
    REFUSAL = "refusal"


READS = frozenset(
    {
        Action.PATIENT_PAGE,
        Action.WORKLIST,
        Action.OWN_STATUS,
        Action.OWN_HISTORY,
        Action.OWN_CHECKIN,
        Action.STANDING,
        Action.RECORDS,
        Action.TASKS,
        Action.EXPORT,
        Action.DECISION_SUPPORT,
        Action.ADMIN_VIEW,
        Action.PROTOCOL_IMPACT,
        Action.WORKLIST_EXPORT,
        Action.OUTCOME_FIGURES,
    }
)

ACTION_LABELS = {
    Action.PATIENT_PAGE: _("viewed the record"),
    Action.WORKLIST: _("saw them on a list"),
    Action.OWN_STATUS: _("viewed their own status"),
    Action.OWN_HISTORY: _("viewed their own history"),
    Action.OWN_CHECKIN: _("opened the check-in"),
    Action.STANDING: _("read the assessment"),
    Action.RECORDS: _("read records"),
    Action.TASKS: _("read tasks"),
    Action.EXPORT: _("exported the record"),
    Action.DECISION_SUPPORT: _("asked for decision support"),
    Action.FHIR: _("read over FHIR"),
    Action.ADMIN_VIEW: _("viewed in the admin"),
    Action.PROTOCOL_IMPACT: _("previewed a protocol change over the clinic's records"),
    Action.WORKLIST_EXPORT: _("exported them in the worklist's file"),
    Action.OUTCOME_FIGURES: _("read the outcome figures of the clinic"),
    Action.CHECKIN: _("recorded a check-in"),
    Action.PROCEDURE: _("recorded a procedure"),
    Action.LAB: _("recorded a lab result"),
    Action.NOTE: _("added a note"),
    Action.VOID: _("voided a record"),
    Action.CORRECTION: _("corrected a record"),
    Action.WITHDRAWAL: _("withdrew a check-in"),
    Action.CONTACTS: _("changed contact details"),
    Action.TAKEOVER: _("took the patient over"),
    Action.TASK_OPENED: _("opened a task"),
    Action.TASK_ACKNOWLEDGED: _("acknowledged a task"),
    Action.TASK_ASSIGNED: _("assigned a task"),
    Action.TASK_RESOLVED: _("resolved a task"),
    Action.CALL: _("recorded a call"),
    Action.IMPORT: _("imported records"),
    Action.ADMIN_ADD: _("added in the admin"),
    Action.ADMIN_CHANGE: _("changed in the admin"),
    Action.ADMIN_DELETE: _("deleted in the admin"),
    Action.ERASURE: _("erased the patient and their data"),
    Action.ENROLMENT: _("enrolled the patient"),
    Action.REFUSAL: _("was refused"),
}
ACTOR_LABELS = {
    ActorKind.USER: _("person"),
    ActorKind.API_TOKEN: _("API token"),
    ActorKind.CDS_ISSUER: _("EHR (CDS Hooks)"),
    ActorKind.CLI: _("command line"),
    ActorKind.SYSTEM: _("venowatch itself"),
    ActorKind.UNKNOWN: _("someone not signed in"),
}
CHANNEL_LABELS = {
    Channel.WEB: _("web pages"),
    Channel.API: _("REST API"),
    Channel.FHIR: _("FHIR API"),
    Channel.CDS: _("CDS Hooks"),
    Channel.CLI: _("command line"),
    Channel.ADMIN: _("admin"),
    Channel.SYSTEM: _("background worker"),
}
OUTCOME_LABELS = {
    Outcome.ALLOWED: _("allowed"),
    Outcome.REFUSED: _("refused"),
    Outcome.ERROR: _("failed"),
}


def _choices(labels: Mapping[Any, object]) -> list[tuple[str, object]]:
    return [(member.value, label) for member, label in labels.items()]


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("row"), primary_key=True)
    at = models.DateTimeField(_("when"))
    actor_kind = EnumField(
        _("actor"), max_length=16, enum=ActorKind, choices=_choices(ACTOR_LABELS)
    )
    actor_id = models.BigIntegerField(_("user or token id"), null=True, blank=True)
    actor_ref = models.CharField(_("issuer or operator"), max_length=500, blank=True)
    role = models.CharField(_("role"), max_length=16, blank=True)
    patient_id = models.BigIntegerField(_("patient id"), null=True, blank=True)
    clinic_id = models.BigIntegerField(_("clinic id"), null=True, blank=True)
    action = EnumField(_("action"), max_length=24, enum=Action, choices=_choices(ACTION_LABELS))
    resource = models.CharField(_("record kind"), max_length=32, blank=True)
    resource_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    channel = EnumField(_("from"), max_length=8, enum=Channel, choices=_choices(CHANNEL_LABELS))
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    outcome = EnumField(_("outcome"), max_length=8, enum=Outcome, choices=_choices(OUTCOME_LABELS))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        ordering = ("-seq",)
        indexes = [
            models.Index(fields=["patient_id", "-seq"], name="audit_patient_seq"),
            models.Index(fields=["clinic_id", "-seq"], name="audit_clinic_seq"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq}"


class ChainHead(models.Model):
    """One row: the chain's last place and hash. Appends lock it (SELECT ... FOR UPDATE; on
    SQLite the write lock every transaction takes), which serialises them; verify compares it
    with the last row, so rows cut off the end are seen."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
