"""An idempotency key answered concurrently elsewhere (another server): a request whose own
work was refused meanwhile gets the winner's kept answer, not its refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.alert_fixtures import NOW, Staffed
from venowatch.security.models import IdempotentRequest
from venowatch.services.security import idempotency

pytestmark = pytest.mark.django_db


def test_a_refusal_gives_way_to_the_answer_a_concurrent_request_kept() -> None:
    s = Staffed()
    print_ = idempotency.fingerprint("POST", "/x", {"pgic": "no_change"})

    def refused_because_the_other_won() -> tuple[int, dict[str, Any]]:
        # What the other server did while this one ran: its answer is kept under the key.
        IdempotentRequest.objects.create(
            user=s.advocate, key="k", fingerprint=print_, status=201, body={"id": 7},
            created_at=NOW,
        )  # fmt: skip
        return 409, {"detail": "a repeat of the check-in just stored"}

    answer = idempotency.once(s.advocate, "k", print_, refused_because_the_other_won, NOW)
    assert answer == (201, {"id": 7})


def test_a_refusal_with_no_answer_kept_stays_a_refusal() -> None:
    s = Staffed()
    print_ = idempotency.fingerprint("POST", "/x", {})
    answer = idempotency.once(s.advocate, "k", print_, lambda: (409, {"detail": "no"}), NOW)
    assert answer == (409, {"detail": "no"})
    assert not IdempotentRequest.objects.exists()
