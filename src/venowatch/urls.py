from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from venowatch.api import guard
from venowatch.fhirserver import urls as fhir_urls
from venowatch.web import error_pages, views

# Pages in the house style for people; the API, FHIR and CDS Hooks keep their own (error_pages).
handler403 = error_pages.forbidden
handler404 = error_pages.not_found
handler500 = error_pages.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("venowatch.web.signin_urls")),
    path("me/", include("venowatch.web.patient_urls")),
    path("staff/", include("venowatch.web.staff_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("venowatch.api.urls")),
    re_path(r"^api/(?P<rest>.*)$", guard.unrouted),  # /api/v2/...: JSON too
    path("fhir/r4", fhir_urls.base),  # POST /fhir/r4 as clients send it: no 301
    path("fhir/r4/", include("venowatch.fhirserver.urls")),
    path("", include("venowatch.cdshooks.urls")),  # /cds-services: CDS Hooks
]
