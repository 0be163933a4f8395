"""Where a request comes from, for the audit log: the channel its path belongs to and the
client's address, set for the request's lifetime (services.security.audit.origin). Behind a TLS
proxy REMOTE_ADDR is the proxy's unless the deployment's proxy settings rewrite it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from venowatch.audit.models import ActorKind, Channel
from venowatch.services.security import audit

_PREFIXES = (
    ("/api/", Channel.API),
    ("/fhir/", Channel.FHIR),
    ("/cds-services", Channel.CDS),
    ("/admin/", Channel.ADMIN),
)


def channel_of(path: str) -> Channel:
    return next((channel for prefix, channel in _PREFIXES if path.startswith(prefix)), Channel.WEB)


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = channel_of(request.path_info)
        ip = request.META.get("REMOTE_ADDR")
        with audit.origin(channel, ip, ActorKind.UNKNOWN, buffered=True):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A view crashed after reading or writing: say so in the log (Django answers 500)."""
        audit.failed()
