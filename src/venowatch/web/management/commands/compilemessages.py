"""Django's compilemessages without GNU gettext: venowatch's catalogs compiled in Python
(web/catalogs.py), so the same .mo comes out on every machine."""

from typing import Any

from django.core.management.base import BaseCommand

from venowatch.web.catalogs import compile_all


class Command(BaseCommand):
    help = "Compile venowatch's translation catalogs (locale/*/LC_MESSAGES/django.po) to .mo."

    def handle(self, *args: Any, **options: Any) -> None:
        for mo in compile_all():
            self.stdout.write(f"wrote {mo}")
