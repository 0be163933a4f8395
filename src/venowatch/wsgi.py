"""WSGI entry point for production servers (gunicorn runs it through `venowatch serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "venowatch.settings")
application = get_wsgi_application()
