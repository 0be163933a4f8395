"""The staff page's "How the advice changed": the replay in words, its differences from the
stored history explained, the chart's markers, and a query count that does not grow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import CheckIn, Patient, Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.corrections import void
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import record_checkin, record_procedure

pytestmark = pytest.mark.django_db


def visible(html: str) -> str:
    """The page's text as read, without the chart and the markup."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def treated(start: datetime) -> tuple[Patient, Client]:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, alex)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=start, now=start)
    client = Client()
    client.force_login(alex)
    return p, client


def test_the_page_tells_how_the_advice_changed_and_why_the_history_differs() -> None:
    start = timezone.now() - 20 * D
    p, client = treated(start)
    bad = record_checkin(
        p, at=start + 6 * H, pgic=Pgic.MUCH_WORSE, symptoms_returned=True, now=start + 6 * H
    )
    void(bad, reason="pressed by mistake", by=p.advocate, now=start + 8 * H)
    record_checkin(p, at=start + 7 * D, pgic=Pgic.MUCH_IMPROVED, now=start + 7 * D)
    response = client.get(reverse("staff-patient", args=[p.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    text = visible(html)
    assert "How the advice changed" in text
    assert "procedure of" in text
    assert "venoplasty" in text
    assert "check-in of" in text
    assert "much better" in text
    assert "Times are the clinic's (New York)." in text  # its place, not the zone's key
    # The voided emergency: in the history, not in the replay, and said why.
    assert "voided or corrected since" in text
    assert "The check-in of" in text
    # Two changes (the procedure's, then the check-in's): one marker and its words.
    assert "A triangle along the top marks the time the advice changed" in text
    assert html.count('id="replay-title"') == 1


def test_the_page_with_no_records_says_so() -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Quiet Patient", c, alex)
    client = Client()
    client.force_login(alex)
    text = visible(client.get(reverse("staff-patient", args=[p.pk])).content.decode())
    assert "No records yet: the advice has not changed." in text


def test_the_replay_adds_no_query_per_record() -> None:
    start = timezone.now() - 90 * D
    p, client = treated(start)

    def checkins(n: int, offset: int) -> Iterator[CheckIn]:
        for i in range(offset, offset + n):
            pgic = Pgic.MUCH_IMPROVED if i % 9 else Pgic.NO_CHANGE
            yield CheckIn(patient=p, at=start + (i + 1) * 20 * H, pgic=pgic)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("staff-patient", args=[p.pk]))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    CheckIn.objects.bulk_create(checkins(10, 0))
    reassess(p, timezone.now())
    client.get(reverse("staff-patient", args=[p.pk]))
    few, _ = count()
    CheckIn.objects.bulk_create(checkins(90, 10))
    reassess(p, timezone.now())
    many, html = count()
    assert few == many
    assert visible(html).count("check-in of") > 5, "the many check-ins changed the advice"
