"""A Patient resource's demographics kept on import, and written back on export: gender and
name parts (clinic.PatientDemographics), date of birth and phones (the contact details of
clinic.models.contacts). An import fills in what the clinic has not recorded; it never
overwrites a date of birth or a phone the staff entered."""

from __future__ import annotations

from collections.abc import Iterable

from venowatch.clinic import models
from venowatch.clinic.models import Gender, PhoneKind
from venowatch.clinic.phones import PhoneError, normalise
from venowatch.fhir.coded import Demographics, Phone
from venowatch.services.errors import FieldError

_GENDERS = {g.value: g for g in Gender}
_NAME_LENGTH = 200


def keep_demographics(patient: models.Patient, d: Demographics) -> list[str]:
    """Store `d` for `patient`; what was not kept, in lines an integrator reads. Raises
    FieldError (field: its FHIRPath below Patient) for a name longer than its column."""
    for i, part in enumerate((*d.given, d.family)):
        if len(part) > _NAME_LENGTH:
            where = f"name.given[{i}]" if i < len(d.given) else "name.family"
            raise FieldError(where, f"is longer than {_NAME_LENGTH} characters")
    if d.gender or d.given or d.family:
        models.PatientDemographics.objects.update_or_create(
            patient=patient,
            defaults={
                "gender": _GENDERS.get(d.gender or "", Gender.UNKNOWN),
                "given": list(d.given),
                "family": d.family,
            },
        )
    if d.birth_date is not None:
        details, _ = models.PatientDetails.objects.get_or_create(patient=patient)
        if details.date_of_birth is None:
            details.date_of_birth = d.birth_date
            details.save(update_fields=["date_of_birth"])
    return _keep_phones(patient, d.phones)


def _keep_phones(patient: models.Patient, phones: tuple[Phone, ...]) -> list[str]:
    stored = dict(patient.phones.values_list("kind", "preferred"))
    has_preferred = any(stored.values())
    not_kept = []
    for phone in phones:
        kind = PhoneKind(phone.use)
        if kind in stored:
            not_kept.append(
                f"Patient.telecom {phone.number}: not kept: the clinic has a {phone.use} "
                "phone for this patient already"
            )
            continue
        try:
            number = normalise(phone.number)
        except PhoneError as exc:
            not_kept.append(f"Patient.telecom {phone.number}: not kept: {exc}")
            continue
        preferred = phone.preferred and not has_preferred
        models.PatientPhone.objects.create(
            patient=patient, kind=kind, number=number, preferred=preferred
        )
        stored[kind] = preferred
        has_preferred |= preferred
    return not_kept


def demographics_of(patient: models.Patient) -> Demographics:
    """What export writes of the patient beyond name, identifiers and time zone."""
    return demographics_for([patient.pk])[patient.pk]


def demographics_for(ids: Iterable[int]) -> dict[int, Demographics]:
    """`demographics_of` for each of the patients `ids`, in three queries whatever their
    number (a page of a Patient search)."""
    wanted = list(ids)
    kept = {d.patient_id: d for d in models.PatientDemographics.objects.filter(patient__in=wanted)}
    born = dict(
        models.PatientDetails.objects.filter(patient__in=wanted).values_list(
            "patient_id", "date_of_birth"
        )
    )
    phones: dict[int, list[Phone]] = {pk: [] for pk in wanted}
    for pk, kind, number, preferred in (
        models.PatientPhone.objects.filter(patient__in=wanted).order_by("patient_id", "kind")
        .values_list("patient_id", "kind", "number", "preferred")
    ):  # fmt: skip
        phones[pk].append(Phone(kind, number, preferred))
    found = {}
    for pk in wanted:
        d = kept.get(pk)
        found[pk] = Demographics(
            gender=d.gender.value if d is not None and d.gender is not Gender.UNKNOWN else None,
            birth_date=born.get(pk),
            given=tuple(d.given) if d is not None else (),
            family=d.family if d is not None else "",
            phones=tuple(phones[pk]),
        )
    return found
