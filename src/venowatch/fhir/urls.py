from django.urls import path

from venowatch.fhir.api import api

urlpatterns = [path("", api.urls)]
