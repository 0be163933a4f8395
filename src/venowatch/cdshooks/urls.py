from django.urls import path

from venowatch.cdshooks import views
from venowatch.services.integration.cds.patient_view import SERVICE_ID

urlpatterns = [
    path("cds-services", views.discovery, name="cds-discovery"),
    path(f"cds-services/{SERVICE_ID}", views.patient_view_service, name="cds-patient-view"),
]
