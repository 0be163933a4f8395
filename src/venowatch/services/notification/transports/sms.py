"""SMS through Twilio's Messages API, with Twilio's own client (the `twilio` package).

Configured by settings.VENOWATCH_SMS_* (from the environment); off unless the account SID, the
auth token and the sender are all set, and then nothing is queued on this channel at all
(services.notification.addresses). VENOWATCH_SMS_BASE_URL points the client elsewhere: the
tests run a local server that answers as the Messages endpoint does.

Errors: the provider's 4xx refusals (a number that cannot take texts, bad credentials) give
up, except 429 (too many requests); 5xx, timeouts and refused connections are retried.
"""

from __future__ import annotations

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from venowatch.services.notification.transports.base import (
    Message,
    PermanentError,
    TransientError,
    Transport,
)

_LATER = {408, 409, 425, 429}
"""4xx answers that mean "not now" rather than "never"."""


def sms_enabled() -> bool:
    return bool(settings.VENOWATCH_SMS_ENABLED)


class SmsTransport(Transport):
    html = False

    def __init__(self) -> None:
        self._http = TwilioHttpClient(timeout=settings.VENOWATCH_SMS_TIMEOUT)
        self._client = Client(
            settings.VENOWATCH_SMS_ACCOUNT_SID,
            settings.VENOWATCH_SMS_AUTH_TOKEN,
            http_client=self._http,
            environment={},  # no TWILIO_EDGE or TWILIO_REGION from the process's environment
        )
        self._client.api.base_url = settings.VENOWATCH_SMS_BASE_URL

    def send(self, message: Message) -> None:
        if not sms_enabled():
            raise TransientError("SMS is not configured (VENOWATCH_SMS_*): kept until it is")
        try:
            self._client.messages.create(
                to=message.address, from_=settings.VENOWATCH_SMS_FROM, body=message.text
            )
        except TwilioRestException as exc:
            why = f"{exc.status} {exc.code or ''} {exc.msg}".replace("  ", " ")
            later = exc.status >= 500 or exc.status in _LATER
            raise (TransientError if later else PermanentError)(why) from exc
        except (requests.RequestException, TwilioException, ValueError) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        session = self._http.session
        if session is not None:
            session.close()
