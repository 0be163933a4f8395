"""Authorship survives the user (issue 12): who recorded, performed, wrote, voided or acted on
a clinical record is kept after they leave, so deleting such a staff user is refused, with a
message saying to deactivate them instead; deactivated, they sign in no more and the records
still name them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db.models import ProtectedError
from django.test import Client

from tests import web_fixtures as web
from venowatch.clinic.models import Procedure, Role
from venowatch.protocol import ProcedureKind
from venowatch.services.care.notes import add_note
from venowatch.services.care.records import record_procedure
from venowatch.services.clock import utc_now

pytestmark = pytest.mark.django_db


def _ir_who_wrote() -> tuple[User, Procedure]:
    clinic = web.clinic()
    ir = web.user("ir", clinic, Role.CLINICIAN)
    p = web.patient("Pat", clinic)
    now = utc_now()
    done = record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=1),
                            performed_by=ir, by=ir, now=now)  # fmt: skip
    add_note(p, text="Went well.", by=ir, now=now)
    return ir, done


def test_a_user_who_wrote_to_a_record_cannot_be_deleted() -> None:
    ir, done = _ir_who_wrote()
    with pytest.raises(ProtectedError):
        ir.delete()
    done.refresh_from_db()
    assert (done.performed_by_id, done.recorded_by_id) == (ir.pk, ir.pk)


def test_the_admin_refuses_and_says_to_deactivate_instead() -> None:
    ir, done = _ir_who_wrote()
    root = User.objects.create_superuser("root", "root@example.org", "x")
    admin = Client()
    admin.force_login(root)
    page = admin.get(f"/admin/auth/user/{ir.pk}/delete/")
    assert "cannot be deleted. Deactivate them instead" in page.content.decode()
    admin.post(f"/admin/auth/user/{ir.pk}/delete/", {"post": "yes"})
    assert User.objects.filter(pk=ir.pk).exists()

    assert Client().login(username="ir", password=web.PASSWORD)
    ir.is_active = False
    ir.save()
    assert not Client().login(username="ir", password=web.PASSWORD)
    done.refresh_from_db()
    assert done.performed_by == ir


def test_a_user_who_wrote_nothing_can_still_be_deleted() -> None:
    clinic = web.clinic()
    newcomer = web.user("new", clinic, Role.ADVOCATE)
    newcomer.delete()
    assert not User.objects.filter(username="new").exists()
