from django.urls import path

from venowatch.web import patient_views

urlpatterns = [
    path("", patient_views.status, name="patient-status"),
    path("check-in/", patient_views.checkin, name="patient-checkin"),
    path("history/", patient_views.history, name="patient-history"),
    path("check-ins/<int:pk>/withdraw/", patient_views.withdraw, name="patient-withdraw-checkin"),
]
