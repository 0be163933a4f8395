from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    """Which EHRs may call the CDS services. The label is the one these models were created
    under (in the CDS Hooks edge, before they moved here), so tables and migrations stay."""

    name = "venowatch.integration"
    label = "cdshooks"
    verbose_name = "CDS Hooks"
    default_auto_field = "django.db.models.BigAutoField"
