from django.urls import path

from venowatch.fhirserver.views import api

urlpatterns = [path("", api.urls)]
