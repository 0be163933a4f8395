"""What delivery needs of a channel: a transport that sends one message and, when it cannot,
says whether trying again could help. Delivery keeps the backoff, the leases and the count of
attempts; only the transport knows what its server's errors mean."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Message:
    """One notification as its transport sends it."""

    notification_id: int
    """Lets support trace a message to its outbox row and its attempts."""
    address: str
    subject: str
    text: str
    html: str
    """Empty on a channel without HTML (see Transport.html)."""
    urgent: bool
    """A clot alert or its escalation: marked so on channels that can say so."""


class TransportError(Exception):
    """The transport could not send the message; the text says why, for the attempt log."""


class TransientError(TransportError):
    """The server is down, busy or said "not now": the same message may go through later."""


class PermanentError(TransportError):
    """The server refused the message for good (an address that does not exist, say)."""


class Transport(ABC):
    """Sends a batch's messages on one channel; delivery makes one per batch and closes it."""

    html: ClassVar[bool]
    """Whether messages carry an HTML part beside the text: the outbox renders
    venowatch/<channel>/<kind>.html only then (.txt always)."""

    @abstractmethod
    def send(self, message: Message) -> None:
        """Hand the message to the channel's server, or raise a TransportError that says
        whether trying again could help."""

    @abstractmethod
    def close(self) -> None:
        """Release what the batch held open; never raises."""
