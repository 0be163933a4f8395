"""SMS as a second channel, against a local server that answers as Twilio's Messages endpoint
(tests/sms_server.py): accepted, refused for good (4xx), failing for now (5xx, timeout, down),
and back; who gets texts (staff with a mobile number and on-call for a clot; patients who chose
SMS for reminders and guidance changes); nothing queued while SMS is off; bodies that carry no
health details beyond the guidance; and the outbox losing and duplicating nothing with both the
mail and the SMS server down and back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from tests.alert_fixtures import NOW, ONCALL, Staffed, clot
from tests.sms_server import SENDER, Provider
from tests.smtp import Inbox
from venowatch.clinic.models import Member, MessageChannel, Patient, PhoneKind
from venowatch.notify.models import Attempt, Channel, Kind, Notification, Outcome, State
from venowatch.protocol import Pgic
from venowatch.services.care.contacts import ContactDetails, save_contacts
from venowatch.services.care.records import record_checkin
from venowatch.services.notification.delivery import deliver_due, retry_delay
from venowatch.services.notification.reminders import send_due_reminders
from venowatch.services.notification.transports.base import (
    Message,
    PermanentError,
    TransientError,
)
from venowatch.services.notification.transports.sms import SmsTransport

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)
ADVOCATE_MOBILE = "+16175550123"
ONCALL_MOBILE = "+16175550199"
PATIENT_MOBILE = "+16175550142"


def _message(to: str = PATIENT_MOBILE) -> Message:
    return Message(1, to, "subject", "Time for your check-in", "", urgent=False)


def test_the_provider_takes_a_message(sms: Provider) -> None:
    transport = SmsTransport()
    transport.send(_message())
    transport.close()
    (accepted,) = sms.to(PATIENT_MOBILE)
    assert (accepted.sender, accepted.body) == (SENDER, "Time for your check-in")


@pytest.mark.parametrize(
    ("answer", "error"),
    [(400, PermanentError), (404, PermanentError), (429, TransientError),
     (500, TransientError), (503, TransientError), ("timeout", TransientError)],
)  # fmt: skip
def test_errors_are_classified(sms: Provider, answer: int | str, error: type[Exception]) -> None:
    sms.script = [answer]
    transport = SmsTransport()
    with pytest.raises(error):
        transport.send(_message())
    assert sms.accepted == []
    transport.send(_message())  # the next request is answered 201
    assert len(sms.accepted) == 1


def test_down_is_for_now_and_back_goes_through(sms: Provider) -> None:
    sms.stop()
    transport = SmsTransport()
    with pytest.raises(TransientError, match="ConnectionError"):
        transport.send(_message())
    sms.start()
    transport.send(_message())
    assert len(sms.to(PATIENT_MOBILE)) == 1


def test_wrong_credentials_give_up(sms: Provider, settings: object) -> None:
    settings.VENOWATCH_SMS_AUTH_TOKEN = "wrong"  # type: ignore[attr-defined]
    with pytest.raises(PermanentError, match="401"):
        SmsTransport().send(_message())


def _staffed_with_phones() -> Staffed:
    s = Staffed()
    Member.objects.filter(user=s.advocate).update(phone="(617) 555-0123")
    Member.objects.filter(user=s.ir).update(phone="")  # the IR has no phone: email only
    s.clinic.oncall_phone = ONCALL_MOBILE
    s.clinic.save()
    return s


def _chooses_sms(p: Patient) -> None:
    save_contacts(p, ContactDetails(
        phones={PhoneKind.MOBILE: PATIENT_MOBILE}, preferred=PhoneKind.MOBILE,
        date_of_birth=date(1970, 1, 1), language="en", messages_by=MessageChannel.SMS,
    ), NOW.date())  # fmt: skip


def _sms_to() -> list[tuple[str, str]]:
    rows = Notification.objects.filter(channel=Channel.SMS).order_by("address")
    return list(rows.values_list("kind", "address"))


def test_a_clot_texts_staff_with_a_mobile_and_on_call(sms: Provider) -> None:
    s = _staffed_with_phones()
    p = s.operated()
    clot(p)
    assert _sms_to() == [(Kind.EMERGENCY, ADVOCATE_MOBILE), (Kind.EMERGENCY, ONCALL_MOBILE)]
    emails = Notification.objects.filter(channel=Channel.EMAIL, kind=Kind.EMERGENCY)
    assert set(emails.values_list("address", flat=True)) == {
        s.advocate.email, s.ir.email, ONCALL,
    }  # fmt: skip
    assert deliver_due(NOW).failed == 0
    (text,) = sms.to(ADVOCATE_MOBILE)
    assert text.body.startswith("URGENT from venowatch (Test Clinic): a patient may have a blood")
    assert f"/staff/patients/{p.pk}/" in text.body
    assert p.name not in text.body  # a text can be read over a shoulder: no name, no details
    assert "dizzy" not in text.body


def test_nothing_goes_by_sms_while_it_is_off(settings: object) -> None:
    settings.VENOWATCH_SMS_ENABLED = False  # type: ignore[attr-defined]
    s = _staffed_with_phones()
    p = s.operated()
    _chooses_sms(p)
    clot(p)
    assert _sms_to() == []
    update = Notification.objects.get(kind=Kind.PATIENT_UPDATE)
    assert (update.channel, update.address) == (Channel.EMAIL, p.user.email if p.user else "")


def test_a_patient_who_chose_sms_gets_guidance_and_reminders_by_text(sms: Provider) -> None:
    s = _staffed_with_phones()
    p = s.operated(ago=30 * 24)
    _chooses_sms(p)
    assert send_due_reminders(NOW - S) == 1  # the first one, never answered
    reminder = Notification.objects.get(kind=Kind.REMINDER)
    assert (reminder.channel, reminder.address) == (Channel.SMS, PATIENT_MOBILE)
    record_checkin(p, at=NOW, pgic=Pgic.MUCH_WORSE, symptoms_returned=False, now=NOW)
    update = Notification.objects.get(kind=Kind.PATIENT_UPDATE)
    assert (update.channel, update.address) == (Channel.SMS, PATIENT_MOBILE)
    assert not Notification.objects.filter(channel=Channel.EMAIL, patient=p).exists()
    deliver_due(NOW)
    bodies = [m.body for m in sms.to(PATIENT_MOBILE)]
    assert len(bodies) == 2
    assert bodies[0].startswith("From Test Clinic: it is time for your check-in.")
    assert bodies[1].startswith("From Test Clinic: your follow-up guidance has changed.")
    assert "/me/" in bodies[1]
    assert "much worse" not in bodies[1].lower()  # what she reported is not repeated
    assert p.name not in " ".join(bodies)


def test_a_refused_number_fails_once_a_5xx_retries(sms: Provider, admin_client: Client) -> None:
    s = _staffed_with_phones()
    clot(s.operated())
    sms.script = [400, 500]  # the first text is refused for good, the second fails for now
    first = deliver_due(NOW)
    assert (first.failed, first.retried) == (1, 1)
    failed = Notification.objects.get(channel=Channel.SMS, state=State.FAILED)
    assert "400" in failed.attempt_log.get().detail
    back = deliver_due(NOW + retry_delay(1))
    assert back.sent == 1
    assert len(sms.accepted) == 1
    page = admin_client.get("/admin/notify/notification/?state__exact=failed").content.decode()
    assert failed.address in page


def test_both_servers_down_and_back_lose_and_duplicate_nothing(sms: Provider, smtp: Inbox) -> None:
    s = _staffed_with_phones()
    p = s.operated()
    _chooses_sms(p)
    clot(p)
    due = Notification.objects.exclude(kind=Kind.ESCALATION)
    by_channel = {c: due.filter(channel=c).count() for c in (Channel.EMAIL, Channel.SMS)}
    assert by_channel == {Channel.EMAIL: 3, Channel.SMS: 3}  # staff, on-call, the patient
    sms.stop()
    smtp.stop()
    down = deliver_due(NOW)
    assert (down.sent, down.retried, down.failed) == (0, 6, 0)
    sms.start()  # the SMS server back first, the mail server later
    half = deliver_due(NOW + retry_delay(1))
    assert (half.sent, half.retried) == (3, 3)
    smtp.start()
    rest = deliver_due(NOW + retry_delay(1) + retry_delay(2))
    assert rest.sent == 3
    assert deliver_due(NOW + timedelta(minutes=10)).sent == 0  # nothing twice
    assert len(sms.accepted) == 3
    assert len({m.to for m in sms.accepted}) == 3
    assert len(smtp.messages) == 3
    assert set(due.values_list("state", flat=True)) == {State.SENT}
    sent = Attempt.objects.filter(outcome=Outcome.SENT).exclude(notification__kind=Kind.ESCALATION)
    assert sent.count() == 6
