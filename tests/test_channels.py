"""A notification goes to a channel and an address: the migration that carried the old email
rows over, the email transport's reading of its server's errors, where people are reached, and
the admin's list."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tests.alert_fixtures import NOW, ONCALL, Staffed, clot
from tests.web_fixtures import clinic, user
from venowatch.clinic.models import Role
from venowatch.notify.models import Channel, Notification
from venowatch.services.notification.addresses import (
    Address,
    addresses_of,
    oncall_addresses,
    unique,
)
from venowatch.services.notification.transports.base import (
    Message,
    PermanentError,
    TransientError,
    TransportError,
)
from venowatch.services.notification.transports.email import EmailTransport

BEFORE = [("notify", "0001_initial")]
AFTER = [("notify", "0002_channel_and_address")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """Migrations run from here, and the schema goes back to the latest whatever happens."""
    try:
        yield MigrationExecutor(connection)
    finally:
        latest = MigrationExecutor(connection)
        latest.migrate(latest.loader.graph.leaf_nodes())


def _migrate(executor: MigrationExecutor, to: list[tuple[str, str]]) -> Any:
    executor.loader.build_graph()
    executor.migrate(to)
    return executor.loader.project_state(to).apps


def test_the_migration_carries_email_rows_over_and_back(executor: MigrationExecutor) -> None:
    at = clinic()
    old = _migrate(executor, BEFORE).get_model("notify", "Notification")
    old.objects.create(
        clinic_id=at.pk, kind="urgent", to="Chief@Example.org", subject="s", text="t", html="h",
        key="k", created_at=NOW, not_before=NOW,
    )  # fmt: skip
    new = _migrate(executor, AFTER).get_model("notify", "Notification")
    assert list(new.objects.values_list("channel", "address", "key")) == [
        ("email", "Chief@Example.org", "k")
    ]
    back = _migrate(executor, BEFORE).get_model("notify", "Notification")
    assert list(back.objects.values_list("to", "key")) == [("Chief@Example.org", "k")]


def test_going_back_refuses_rows_that_are_not_email(executor: MigrationExecutor) -> None:
    at = clinic()
    new = _migrate(executor, AFTER).get_model("notify", "Notification")
    new.objects.create(
        clinic_id=at.pk, kind="urgent", channel="sms", address="+15550100", subject="s",
        text="t", html="", key="k", created_at=NOW, not_before=NOW,
    )  # fmt: skip
    with pytest.raises(IrreversibleError, match="other than email"):
        _migrate(executor, BEFORE)


class _Failing(BaseEmailBackend):
    """A mail backend whose server answers every message with `error`."""

    error: ClassVar[Exception]
    closed: ClassVar[int] = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise type(self).error

    def close(self) -> None:
        type(self).closed += 1


MESSAGE = Message(7, "a@example.org", "s", "t", "<p>t</p>", urgent=False)


@pytest.mark.parametrize(
    ("error", "kind", "detail"),
    [
        (smtplib.SMTPResponseException(451, b"busy"), TransientError, "451 b'busy'"),
        (smtplib.SMTPResponseException(550, b"no such user"), PermanentError, "550 b'no such"),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no")}), PermanentError,
         "recipient refused: {'a@example.org'"),
        (smtplib.SMTPServerDisconnected("gone"), TransientError, "SMTPServerDisconnected: gone"),
        (ConnectionRefusedError("down"), TransientError, "ConnectionRefusedError: down"),
    ],
)  # fmt: skip
def test_the_email_transport_says_whether_trying_again_could_help(
    settings: Any, error: Exception, kind: type[TransportError], detail: str
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}._Failing"
    _Failing.error = error
    with pytest.raises(TransportError) as raised:
        EmailTransport().send(MESSAGE)
    assert type(raised.value) is kind
    assert str(raised.value).startswith(detail)


def test_a_broken_connection_is_dropped_so_the_next_message_opens_a_new_one(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}._Failing"
    transport = EmailTransport()
    _Failing.error, _Failing.closed = smtplib.SMTPResponseException(451, b"busy"), 0
    with pytest.raises(TransientError):
        transport.send(MESSAGE)
    assert _Failing.closed == 0  # the server answered: the connection is still good
    _Failing.error = smtplib.SMTPServerDisconnected("gone")
    with pytest.raises(TransientError):
        transport.send(MESSAGE)
    assert _Failing.closed == 1


@pytest.mark.django_db
def test_people_and_the_clinic_are_reached_at_their_addresses() -> None:
    at = clinic()
    alex = user("alex", at, Role.ADVOCATE)
    assert addresses_of(alex) == [Address(Channel.EMAIL, "alex@example.org")]
    alex.email = ""
    assert addresses_of(alex) == []
    assert addresses_of(None) == []
    assert oncall_addresses(at) == []
    at.oncall_email = ONCALL
    assert oncall_addresses(at) == [Address(Channel.EMAIL, ONCALL)]


def test_an_address_is_reached_once_whatever_its_case() -> None:
    chief, again = Address(Channel.EMAIL, "Chief@x.org"), Address(Channel.EMAIL, "chief@X.org")
    other = Address(Channel.EMAIL, "other@x.org")
    assert unique([chief, other, again]) == [chief, other]


@pytest.mark.django_db
def test_the_outbox_list_names_the_channel_in_words(admin_client: Client) -> None:
    clot(Staffed().operated())
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.EMAIL}
    page = admin_client.get("/admin/notify/notification/").content.decode()
    assert '<td class="field-channel">Email</td>' in page
