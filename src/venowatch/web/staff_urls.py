from django.urls import path

from venowatch.web import (
    staff_audit,
    staff_consent,
    staff_contact,
    staff_corrections,
    staff_enrol,
    staff_outcomes,
    staff_patient,
    staff_takeover,
    staff_worklist,
    staff_worklist_csv,
)

urlpatterns = [
    path("", staff_worklist.worklist, name="worklist"),
    path("worklist.csv", staff_worklist_csv.worklist_csv, name="worklist-csv"),
    path("enrol/", staff_enrol.enrol_page, name="staff-enrol"),
    path("outcomes/", staff_outcomes.outcomes, name="outcomes"),
    path("patients/<int:pk>/", staff_patient.patient, name="staff-patient"),
    path("patients/<int:pk>/procedure/", staff_patient.add_procedure, name="staff-add-procedure"),
    path("patients/<int:pk>/lab/", staff_patient.add_lab, name="staff-add-lab"),
    path("patients/<int:pk>/note/", staff_patient.add_note, name="staff-add-note"),
    path("patients/<int:pk>/contact/", staff_contact.edit_contact, name="staff-edit-contact"),
    path("patients/<int:pk>/take-over/", staff_takeover.takeover, name="staff-take-over"),
    path("patients/<int:pk>/consent/", staff_consent.record, name="staff-consent"),
    path("patients/<int:pk>/audit/", staff_audit.audit_trail, name="staff-audit"),
    path("tasks/<int:pk>/", staff_patient.task_action, name="staff-task"),
    path(
        "patients/<int:pk>/<str:kind>/<int:rid>/",
        staff_corrections.record,
        name="staff-record",
    ),
    path(
        "patients/<int:pk>/<str:kind>/<int:rid>/void/",
        staff_corrections.void_record,
        name="staff-void-record",
    ),
    path(
        "patients/<int:pk>/<str:kind>/<int:rid>/correct/",
        staff_corrections.correct_record,
        name="staff-correct-record",
    ),
]
