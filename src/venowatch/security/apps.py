from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """API tokens and idempotent requests. The label is the one these models were created
    under (in the API edge, before they moved here), so tables and migrations stay as they are."""

    name = "venowatch.security"
    label = "api"
    verbose_name = "Security"
    default_auto_field = "django.db.models.BigAutoField"
