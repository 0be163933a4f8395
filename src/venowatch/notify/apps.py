from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "venowatch.notify"
    default_auto_field = "django.db.models.BigAutoField"
