from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "venowatch.clinic"
    label = "clinic"
    verbose_name = "Clinic"
