"""REST API v1: the JSON face of the services layer, for integrations and the browser."""

from __future__ import annotations

from ninja import NinjaAPI

from venowatch.api.auth import AUTH

api = NinjaAPI(
    title="venowatch API",
    version="1",
    description=(
        "Follow-up after venoplasty: patients, their records, and what the clinic's protocol "
        "says to do now. Decision support, not diagnosis."
    ),
    auth=AUTH,
    urls_namespace="api-v1",
)
