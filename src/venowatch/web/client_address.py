"""The client's address, as sign-in throttling counts it. Behind a TLS proxy every request comes
from the proxy: counting that address would lock out everyone at once after five typos. With
VENOWATCH_TRUSTED_PROXIES=N, the address is the one the outermost of N proxies saw, read from
X-Forwarded-For counting from the right (what a client writes to the left of it is not
trusted); without it, REMOTE_ADDR, and the header is ignored."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    proxies: int = settings.VENOWATCH_TRUSTED_PROXIES
    direct = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return direct
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    # Each of the N proxies appended the address it was reached from.
    return chain[-proxies] if len(chain) >= proxies else direct
