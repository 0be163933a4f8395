"""Writing the audit log: every read, write and refusal of a patient's record.

Who and from where come from the edge: a small middleware (web, API, FHIR, CDS Hooks, admin)
or the command line opens an `origin` (the channel and the client's address) for the request
or command, and notes a bearer token or a CDS issuer once it is known. The services call
`read`, `wrote` and `refused` with the patient and what was done; nothing here imports an edge.

A request reads the same record through several entry points (the staff page reads the record,
the contact card, the take-overs): each (action, patient) is logged once per origin. Writes are
logged in the write's own transaction (services.security.audit_chain.append), so a write that
rolls back leaves no row; a refusal is logged on its own, so it stays."""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from venowatch.audit.models import Action, ActorKind, Channel, Outcome
from venowatch.clinic.models import Member, Patient
from venowatch.services.clock import utc_now
from venowatch.services.security.audit_chain import Draft, append, stored


@dataclass(slots=True)
class Origin:
    """Where the current request or command comes from."""

    channel: Channel = Channel.SYSTEM
    ip: str | None = None
    kind: ActorKind = ActorKind.SYSTEM
    """Who acts when no signed-in user does: the operator (CLI) or venowatch (the worker)."""
    operator: str = ""
    token: tuple[int, int] | None = None
    """(token id, its user's id) once an API token authenticated the request."""
    issuer: str = ""
    clinic_id: int | None = None
    """The CDS issuer's clinic."""
    user: Any = None
    """Who was last logged as acting, for `failed`."""
    buffered: bool = False
    """A request's reads wait for its end (`flush`) or its first write, whose transaction they
    join: a page then commits its log once, and a check-in commits once in all."""
    pending: list[Draft] = field(default_factory=list)
    carried: list[tuple[tuple[int, str], list[Draft]]] = field(default_factory=list)
    """Reads appended within a write's transaction, by the hash they ended with: if that
    transaction rolled back, `flush` appends them again (the reads still happened)."""
    logged: set[tuple[Action, int | None, Outcome]] = field(default_factory=set)


_ORIGIN: contextvars.ContextVar[Origin | None] = contextvars.ContextVar(
    "audit_origin", default=None
)


@contextmanager
def origin(
    channel: Channel,
    ip: str | None = None,
    kind: ActorKind = ActorKind.SYSTEM,
    *,
    buffered: bool = False,
) -> Iterator[Origin]:
    """The origin of everything logged inside the block; `buffered` (a web request): reads
    are appended at the block's end, or with the block's first write."""
    operator = getpass.getuser() if kind is ActorKind.CLI else ""
    here = Origin(channel=channel, ip=ip, kind=kind, operator=operator, buffered=buffered)
    token = _ORIGIN.set(here)
    try:
        yield here
    finally:
        try:
            if buffered:
                flush()
        finally:
            _ORIGIN.reset(token)


def set_origin(channel: Channel, kind: ActorKind) -> None:
    """The origin of everything a command logs, for the rest of the process (the CLI, the
    worker): one command per process, so nothing to reset."""
    operator = getpass.getuser() if kind is ActorKind.CLI else ""
    _ORIGIN.set(Origin(channel=channel, kind=kind, operator=operator))


def current() -> Origin:
    found = _ORIGIN.get()
    return found if found is not None else Origin()


def with_token(token_id: int, user_id: int) -> None:
    """The request authenticated with this API token (it acts as its user)."""
    found = _ORIGIN.get()
    if found is not None:
        found.token = (token_id, user_id)


def with_issuer(iss: str, clinic_id: int) -> None:
    """The request is a CDS Hooks call signed by this EHR."""
    found = _ORIGIN.get()
    if found is not None:
        found.issuer, found.clinic_id = iss, clinic_id


def _member(user: Any) -> Member | None:
    """As services.security.access.member_of (which this module cannot import: access reads
    emergencies, whose writes are logged here)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        member: Member = user.member
    except Member.DoesNotExist:
        return None
    return member


def _actor(user: Any, here: Origin) -> tuple[ActorKind, int | None, str, str, int | None]:
    """(kind, id, issuer or operator, role, clinic id) of whoever acts."""
    if user is not None and getattr(user, "is_authenticated", False):
        member = _member(user)
        role = str(member.role) if member is not None else ("operator" if user.is_superuser else "")
        clinic = member.clinic_id if member is not None else None
        if here.token is not None and here.token[1] == user.pk:
            return ActorKind.API_TOKEN, here.token[0], "", role, clinic
        return ActorKind.USER, user.pk, "", role, clinic
    if here.issuer:
        return ActorKind.CDS_ISSUER, None, here.issuer, "", here.clinic_id
    return here.kind, None, here.operator, "", None


def _drafts(
    user: Any,
    action: Action,
    patients: dict[int | None, int | None],
    outcome: Outcome,
    resource: str = "",
    resource_id: int | None = None,
    now: datetime | None = None,
    system: bool = False,
) -> list[Draft]:
    """One row per patient (patient id -> clinic id) not logged yet for this action."""
    here = current()
    if user is not None:
        here.user = user
    if system:
        kind, actor_id, ref, role, clinic = ActorKind.SYSTEM, None, "", "", None
    else:
        kind, actor_id, ref, role, clinic = _actor(user, here)
    at = now or utc_now()
    drafts = []
    for patient_id, clinic_id in patients.items():
        key = (action, patient_id, outcome)
        if resource_id is None:  # a read: once per origin (a write is logged every time)
            if key in here.logged:
                continue
            here.logged.add(key)
        fields = (
            at, kind, actor_id, ref, role, patient_id, clinic_id or clinic, action, resource,
            resource_id, here.channel, here.ip, outcome,
        )  # fmt: skip
        drafts.append(Draft(*fields))
    return drafts


def _clinics(user: Any, ids: Iterable[int]) -> dict[int | None, int | None]:
    """Each patient's clinic: the reader's own (reach stays within a clinic), else looked up
    (the operator, an EHR)."""
    wanted = list(dict.fromkeys(ids))
    member = _member(user)
    if member is not None:
        return dict.fromkeys(wanted, member.clinic_id)
    clinics: dict[int | None, int | None] = dict.fromkeys(wanted, None)
    clinics.update(Patient.objects.filter(pk__in=wanted).values_list("pk", "clinic_id"))
    return clinics


def read(user: Any, action: Action, patient_ids: Iterable[int]) -> None:
    """`user` (None: the operator or an EHR, as the origin says) reads these patients' records;
    a list read before its page is cut (no ids yet) is one row without a patient."""
    if not settings.VENOWATCH_AUDIT:
        return
    patients = _clinics(user, patient_ids) or {None: None}
    here = current()
    if all((action, p, Outcome.ALLOWED) in here.logged for p in patients):
        return  # logged already: costs no query and no lock
    drafts = _drafts(user, action, patients, Outcome.ALLOWED)
    if here.buffered:
        here.pending += drafts
    else:
        append(drafts)


def _with_pending(drafts: list[Draft]) -> None:
    """Append `drafts` (a write's or a refusal's) in the current transaction, after the reads
    the request made before it."""
    here = current()
    carried, here.pending = here.pending, []
    last = append(carried + drafts)
    if carried and last is not None:
        entry = (last, carried)
        here.carried.append(entry)
        # Committed: nothing to check at the end (a rollback drops this callback).
        transaction.on_commit(lambda: _committed(here, entry))


def _committed(here: Origin, entry: tuple[tuple[int, str], list[Draft]]) -> None:
    if entry in here.carried:
        here.carried.remove(entry)


def flush() -> None:
    """Append the request's reads not appended yet, and again those whose write rolled back."""
    here = current()
    lost = [d for last, batch in here.carried if not stored(last) for d in batch]
    drafts, here.pending, here.carried = lost + here.pending, [], []
    append(drafts)


def wrote(
    user: Any, action: Action, patient: Patient, record: Any = None, now: datetime | None = None
) -> None:
    """`user` (None: as the origin says) wrote `record` (a model row) of `patient`'s; call it in
    the write's transaction."""
    if not settings.VENOWATCH_AUDIT:
        return
    resource = record._meta.model_name if record is not None else "patient"
    resource_id = record.pk if record is not None else patient.pk
    patients: dict[int | None, int | None] = {patient.pk: patient.clinic_id}
    _with_pending(_drafts(user, action, patients, Outcome.ALLOWED, resource, resource_id, now))


def record_as_system(action: Action, patient: Patient, record: Any, now: datetime) -> None:
    """venowatch itself wrote `record` (a task the protocol opens), whoever's write led to it."""
    if not settings.VENOWATCH_AUDIT:
        return
    patients: dict[int | None, int | None] = {patient.pk: patient.clinic_id}
    resource = record._meta.model_name
    _with_pending(_drafts(None, action, patients, Outcome.ALLOWED, resource, record.pk, now, True))


def refused(
    user: Any, resource: str, resource_id: int | None = None, patient_id: int | None = None
) -> None:
    """`user` asked for a record out of their reach, or for an act their role does not allow
    (the edges answer 404). The id is the one asked for, which may name no patient at all."""
    if not settings.VENOWATCH_AUDIT:
        return
    patients: dict[int | None, int | None] = {patient_id: None}
    _with_pending(_drafts(user, Action.REFUSAL, patients, Outcome.REFUSED, resource, resource_id))


def failed() -> None:
    """The request or command ended in an error after reading: one row per read, so a record
    read by a request that then crashed is not left looking served. (A write that failed
    rolled back with its own row.)"""
    if not settings.VENOWATCH_AUDIT:
        return
    here = current()
    touched = sorted(
        {(a, p) for a, p, outcome in here.logged if outcome is Outcome.ALLOWED},
        key=lambda pair: (pair[0].value, pair[1] or 0),
    )
    drafts = []
    for action, patient_id in touched:
        drafts += _drafts(here.user, action, {patient_id: None}, Outcome.ERROR)
    _with_pending(drafts)
