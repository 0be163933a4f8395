from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "venowatch.web"
    label = "web"
    verbose_name = "Web pages"
