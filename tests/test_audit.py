"""The audit log's chain (issue 12): every row hashed over its contents and the row before,
appended in the write's own transaction, checked by `venowatch audit verify`, which names the
first row edited, deleted or inserted out of place when someone tampers in SQL; append-only
in the admin and, on PostgreSQL, in the database itself."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections, transaction

from tests import web_fixtures as web
from tests.audit_fixtures import TABLE, raw, rows
from venowatch.audit.models import GENESIS, Action, ActorKind, AuditEvent, Channel, Outcome
from venowatch.cli.main import main
from venowatch.clinic.models import Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care import reads
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.clock import utc_now
from venowatch.services.security import audit
from venowatch.services.security.audit_chain import digest, verify

pytestmark = pytest.mark.django_db


def _some_rows(n: int = 5) -> list[AuditEvent]:
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    patients = [web.patient(f"P{i}", clinic, advocate) for i in range(n)]
    with audit.origin(Channel.WEB, "203.0.113.9", ActorKind.UNKNOWN):
        for p in patients:
            reads.standing_of(advocate, p, utc_now())
    return rows()


def test_each_row_follows_the_one_before_and_its_hash_covers_it() -> None:
    made = _some_rows(3)
    assert [r.seq for r in made] == [1, 2, 3]
    assert made[0].prev_hash == GENESIS
    assert [r.prev_hash for r in made[1:]] == [r.hash for r in made[:-1]]
    for row in made:
        fields = {name: getattr(row, name) for name in (
            "seq", "at", "actor_kind", "actor_id", "actor_ref", "role", "patient_id",
            "clinic_id", "action", "resource", "resource_id", "channel", "ip", "outcome",
            "prev_hash",
        )}  # fmt: skip
        assert digest(fields) == row.hash
        assert digest({**fields, "patient_id": (row.patient_id or 0) + 1}) != row.hash
    assert verify().broken is None
    assert verify().rows == 3


def test_a_row_is_pseudonymous_who_what_whom_from_where() -> None:
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    p = web.patient("Ada Lovelace", clinic, advocate)
    with audit.origin(Channel.WEB, "203.0.113.9", ActorKind.UNKNOWN):
        reads.standing_of(advocate, p, utc_now())
    (row,) = rows()
    assert (row.actor_kind, row.actor_id, row.role) == (ActorKind.USER, advocate.pk, "advocate")
    assert (row.patient_id, row.clinic_id) == (p.pk, clinic.pk)
    assert (row.action, row.outcome) == (Action.STANDING, Outcome.ALLOWED)
    assert (row.channel, row.ip) == (Channel.WEB, "203.0.113.9")
    stored = " ".join(str(getattr(row, f.attname)) for f in AuditEvent._meta.fields)
    for name in ("Ada", "Lovelace", "alex"):
        assert name not in stored


def test_every_read_kind_is_an_action() -> None:
    assert {r.value for r in reads.Read} <= {a.value for a in Action}


def test_a_write_rolled_back_leaves_no_row_and_a_refusal_stays() -> None:
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    other = web.patient("Not Theirs", clinic, None)
    mine = web.patient("Theirs", clinic, advocate)
    now = utc_now()
    seen: list[list[Action]] = []

    def write_then_fail() -> None:
        with transaction.atomic():
            record_procedure(
                mine, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=1), now=now
            )
            seen.append([r.action for r in rows()])
            raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert seen == [[Action.PROCEDURE]]
    assert rows() == []
    assert verify().broken is None

    from venowatch.services.security.access import patient_in_reach

    assert patient_in_reach(advocate, other.pk) is None
    (refusal,) = rows()
    assert (refusal.action, refusal.outcome) == (Action.REFUSAL, Outcome.REFUSED)
    assert (refusal.patient_id, refusal.actor_id) == (other.pk, advocate.pk)


def test_a_write_and_its_row_commit_together() -> None:
    clinic = web.clinic()
    p = web.patient("Pat", clinic, None)
    now = utc_now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=2),
                     now=now)  # fmt: skip
    checkin = record_checkin(p, at=now, pgic=Pgic.MUCH_IMPROVED, by=p.user, now=now)
    written = [r for r in rows() if r.action is Action.CHECKIN]
    assert [(r.resource, r.resource_id, r.actor_id) for r in written] == [
        ("checkin", checkin.pk, p.user_id)
    ]


def test_the_audit_can_be_switched_off_for_the_benchmark(settings: Any) -> None:
    settings.VENOWATCH_AUDIT = False
    assert _some_rows(2) == []


# --- tampering ------------------------------------------------------------------------------


def _verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["audit", "verify"])
    out = capsys.readouterr()
    return status, out.out + out.err


def test_verify_says_the_chain_is_intact(capsys: pytest.CaptureFixture[str]) -> None:
    _some_rows(4)
    status, said = _verify_cli(capsys)
    assert status == 0
    assert "intact: 4 rows" in said


def test_an_edited_row_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    made = _some_rows(5)
    raw(f"UPDATE {TABLE} SET patient_id = %s WHERE seq = 3", made[0].patient_id)
    status, said = _verify_cli(capsys)
    assert status == 1
    assert "broken at row 3: edited" in said


def test_an_edited_row_hashed_again_breaks_the_next(capsys: pytest.CaptureFixture[str]) -> None:
    made = _some_rows(5)
    row = made[2]
    fields = {f: getattr(row, f) for f in ("seq", "at", "actor_kind", "actor_id", "actor_ref",
              "role", "patient_id", "clinic_id", "action", "resource", "resource_id", "channel",
              "ip", "outcome", "prev_hash")}  # fmt: skip
    forged = digest({**fields, "actor_id": 999})
    raw(f"UPDATE {TABLE} SET actor_id = 999, hash = %s WHERE seq = 3", forged)
    status, said = _verify_cli(capsys)
    assert status == 1
    assert "broken at row 4: inserted out of place" in said
    assert "row 3 was edited" in said


def test_a_deleted_row_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    _some_rows(5)
    raw(f"DELETE FROM {TABLE} WHERE seq = 2")
    status, said = _verify_cli(capsys)
    assert status == 1
    assert "broken at row 2: deleted: row 2 missing" in said


def test_rows_cut_off_the_end_are_seen(capsys: pytest.CaptureFixture[str]) -> None:
    _some_rows(5)
    raw(f"DELETE FROM {TABLE} WHERE seq >= 4")
    status, said = _verify_cli(capsys)
    assert status == 1
    assert "broken at row 4: deleted: the chain ends at row 3, its head at row 5" in said


def test_a_row_inserted_out_of_place_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    made = _some_rows(5)
    raw(f"DELETE FROM {TABLE} WHERE seq = 3")
    copy = made[0]
    raw(
        f"INSERT INTO {TABLE} (seq, at, actor_kind, actor_id, actor_ref, role, patient_id, "
        "clinic_id, action, resource, resource_id, channel, ip, outcome, prev_hash, hash) "
        "VALUES (3, %s, 'user', %s, '', 'advocate', %s, %s, 'standing', '', NULL, 'web', NULL, "
        "'allowed', %s, %s)",
        copy.at, copy.actor_id, copy.patient_id, copy.clinic_id, made[0].hash, "f" * 64,
    )  # fmt: skip
    status, said = _verify_cli(capsys)
    assert status == 1
    assert "broken at row 3: edited" in said  # its hash is not its contents'

    made_again = rows()
    row = made_again[2]
    fields = {f: getattr(row, f) for f in ("seq", "at", "actor_kind", "actor_id", "actor_ref",
              "role", "patient_id", "clinic_id", "action", "resource", "resource_id", "channel",
              "ip", "outcome", "prev_hash")}  # fmt: skip
    raw(f"UPDATE {TABLE} SET hash = %s WHERE seq = 3", digest(fields))
    status, said = _verify_cli(capsys)
    assert "broken at row 3: inserted out of place: it does not follow row 2" in said


def test_a_row_appended_round_the_application_is_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    made = _some_rows(3)
    last = made[-1]
    fields = {f: getattr(last, f) for f in ("at", "actor_kind", "actor_id", "actor_ref", "role",
              "patient_id", "clinic_id", "action", "resource", "resource_id", "channel", "ip",
              "outcome")}  # fmt: skip
    fields.update(seq=4, prev_hash=last.hash)
    AuditEvent.objects.bulk_create([AuditEvent(hash=digest(fields), **fields)])
    status, said = _verify_cli(capsys)
    assert status == 1
    assert "broken at row 4: inserted out of place: after the chain's last row" in said


# --- append-only ----------------------------------------------------------------------------


def test_the_admin_offers_no_add_change_or_delete_even_to_a_superuser(client: Any) -> None:
    _some_rows(2)
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post("/admin/audit/auditevent/1/delete/").status_code == 403
    page = client.get("/admin/audit/auditevent/1/change/")
    assert page.status_code == 200  # to view it
    shown = page.content.decode()
    assert "read the assessment" in shown  # words, not the codes stored
    assert "web pages" in shown
    assert b'name="_save"' not in page.content
    response = client.post("/admin/audit/auditevent/1/change/", {"patient_id": "1"})
    assert response.status_code == 403
    assert verify().broken is None


@pytest.mark.postgresql
def test_postgresql_refuses_to_change_or_delete_a_row() -> None:
    _some_rows(2)
    for sql in (f"UPDATE {TABLE} SET actor_id = 1", f"DELETE FROM {TABLE}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert len(rows()) == 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_chain() -> None:
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    patients = [web.patient(f"P{i}", clinic, advocate) for i in range(8)]
    start = threading.Barrier(len(patients))
    errors: list[BaseException] = []

    def reader(p: Any) -> None:
        try:
            start.wait()
            for _ in range(10):
                with audit.origin(Channel.API, "198.51.100.1", ActorKind.UNKNOWN):
                    reads.standing_of(advocate, p, utc_now())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader, args=(p,)) for p in patients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify()
    assert result.broken is None
    assert result.rows == 80


def test_a_requests_reads_join_its_write_and_outlive_its_rollback() -> None:
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    p = web.patient("Pat", clinic, advocate)
    now = utc_now()

    def write_then_fail() -> None:
        with transaction.atomic():
            record_procedure(
                p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=1), now=now
            )
            raise RuntimeError("the request failed after the write")

    with audit.origin(Channel.WEB, "203.0.113.9", ActorKind.UNKNOWN, buffered=True):
        reads.standing_of(advocate, p, now)
        assert rows() == []  # waits for the request's end or its first write
        with pytest.raises(RuntimeError):
            write_then_fail()
        assert rows() == []  # the read went down with the write's transaction...
    assert [(r.action, r.patient_id) for r in rows()] == [(Action.STANDING, p.pk)]  # ...not lost
    assert verify().broken is None

    with audit.origin(Channel.WEB, "203.0.113.9", ActorKind.UNKNOWN, buffered=True):
        reads.standing_of(advocate, p, now)
        record_procedure(
            p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=1), now=now
        )
    assert [r.action for r in rows()] == [Action.STANDING, Action.STANDING, Action.PROCEDURE]
