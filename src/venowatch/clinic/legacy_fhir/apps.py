from django.apps import AppConfig


class LegacyFhirConfig(AppConfig):
    """Only the migrations of the app that made the patient identifier table before the model
    moved to `clinic`: databases made then have them applied, new ones run them. No models."""

    name = "venowatch.clinic.legacy_fhir"
    label = "fhir"
    default_auto_field = "django.db.models.BigAutoField"
