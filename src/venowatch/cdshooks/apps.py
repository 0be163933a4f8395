from django.apps import AppConfig


class CdsHooksConfig(AppConfig):
    name = "venowatch.cdshooks"
    label = "cdshooks"
    verbose_name = "CDS Hooks"
    default_auto_field = "django.db.models.BigAutoField"
