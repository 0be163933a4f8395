"""/cds-services: discovery, each service and its feedback; anything else there a JSON 404."""

from django.urls import path, re_path

from venowatch.cdshooks import views

urlpatterns = [
    path("cds-services", views.discovery, name="cds-discovery"),
    path("cds-services/<str:service_id>", views.service, name="cds-service"),
    path("cds-services/<str:service_id>/feedback", views.feedback, name="cds-feedback"),
    # Anything else under /cds-services is a 404 in JSON, as CDS clients read every answer.
    re_path(r"^cds-services/(?P<rest>.*)$", views.unknown),
]
