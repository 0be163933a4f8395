"""The WSGI application the web benchmark serves (`bench.web_app:application()`): venowatch with
bench/web_urls.py as its URL configuration."""

from __future__ import annotations

import os
from typing import Any


def application() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "venowatch.settings")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    settings.ROOT_URLCONF = "bench.web_urls"
    return app
