"""What a clinic keeps: people, procedures, check-ins, labs, assessments and tasks.

Records that people enter are never edited in place: corrections are new rows. The current
assessment is a cache of the engine's answer (it can always be recomputed), while its history
and every task event are append-only.

One module per domain (in the manner of zulip's zerver/models/); import from this package."""

from venowatch.clinic.models.assessments import Assessment, AssessmentChange
from venowatch.clinic.models.calls import CallAttempt
from venowatch.clinic.models.clinics import (
    DEFAULT_REMINDERS,
    MAX_ID,
    Clinic,
    Member,
    Role,
    default_symptoms,
)
from venowatch.clinic.models.coded import (
    Gender,
    PatientDemographics,
    PgicScale,
    PgicScaleAnswer,
)
from venowatch.clinic.models.consent import Consent
from venowatch.clinic.models.contacts import (
    MessageChannel,
    PatientDetails,
    PatientPhone,
    PhoneKind,
)
from venowatch.clinic.models.corrections import Correctable, RecordState
from venowatch.clinic.models.outcomes import CallOutcome, Resolution
from venowatch.clinic.models.patients import Patient, PatientIdentifier
from venowatch.clinic.models.protocol_files import ProtocolFile
from venowatch.clinic.models.records import CheckIn, Lab, Note, Procedure
from venowatch.clinic.models.takeovers import Takeover
from venowatch.clinic.models.tasks import Task, TaskEvent, TaskKind, TaskStatus

__all__ = [
    "DEFAULT_REMINDERS",
    "MAX_ID",
    "Assessment",
    "AssessmentChange",
    "CallAttempt",
    "CallOutcome",
    "CheckIn",
    "Clinic",
    "Consent",
    "Correctable",
    "Gender",
    "Lab",
    "Member",
    "MessageChannel",
    "Note",
    "Patient",
    "PatientDemographics",
    "PatientDetails",
    "PatientIdentifier",
    "PatientPhone",
    "PgicScale",
    "PgicScaleAnswer",
    "PhoneKind",
    "Procedure",
    "ProtocolFile",
    "RecordState",
    "Resolution",
    "Role",
    "Takeover",
    "Task",
    "TaskEvent",
    "TaskKind",
    "TaskStatus",
    "default_symptoms",
]
