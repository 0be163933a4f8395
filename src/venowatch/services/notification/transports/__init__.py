"""One transport per channel (base.Transport); adding a channel adds its transport here."""

from __future__ import annotations

from collections.abc import Mapping

from venowatch.notify.models import Channel
from venowatch.services.notification.transports.base import Transport
from venowatch.services.notification.transports.email import EmailTransport
from venowatch.services.notification.transports.sms import SmsTransport

TRANSPORTS: Mapping[Channel, type[Transport]] = {
    Channel.EMAIL: EmailTransport,
    Channel.SMS: SmsTransport,
}
