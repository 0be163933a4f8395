from django.urls import path

from venowatch.web import patient_privacy, patient_views

urlpatterns = [
    path("", patient_views.status, name="patient-status"),
    path("check-in/", patient_views.checkin, name="patient-checkin"),
    path("history/", patient_views.history, name="patient-history"),
    path("check-ins/<int:pk>/withdraw/", patient_views.withdraw, name="patient-withdraw-checkin"),
    path("data/", patient_privacy.data, name="patient-data"),
    path("data/fhir/", patient_privacy.download_fhir, name="patient-download-fhir"),
    path("data/csv/", patient_privacy.download_csv, name="patient-download-csv"),
    path("consent/withdraw/", patient_privacy.withdraw_consent, name="patient-withdraw-consent"),
    path("consent/give/", patient_privacy.give_consent, name="patient-give-consent"),
]
