"""Email, through Django's configured backend (SMTP in production, as before the channels)."""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from venowatch.services.notification.transports.base import (
    Message,
    PermanentError,
    TransientError,
    Transport,
)


class EmailTransport(Transport):
    html = True

    def __init__(self) -> None:
        self._connection = get_connection(fail_silently=False)

    def send(self, message: Message) -> None:
        email = EmailMultiAlternatives(
            message.subject, message.text, settings.DEFAULT_FROM_EMAIL, [message.address],
            connection=self._connection, headers=_headers(message),
        )  # fmt: skip
        email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            why = f"{exc.smtp_code} {exc.smtp_error!r}"
            permanent = 500 <= exc.smtp_code < 600
            raise (PermanentError if permanent else TransientError)(why) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()  # the next message opens a new connection: the server may be back
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self._connection.close()


def _headers(message: Message) -> dict[str, str]:
    headers = {
        "Auto-Submitted": "auto-generated",
        "X-Venowatch-Notification": str(message.notification_id),
    }
    if message.urgent:
        headers |= {"Importance": "high", "X-Priority": "1"}
    return headers
