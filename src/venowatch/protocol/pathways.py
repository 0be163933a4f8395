"""What each pathway means, in one table beside the protocol's pathway rules.

A protocol file says how urgent each pathway is, what to do and how to name it
(rules.PathwayRule), and a clinic may change all of that. What a pathway *is* is fixed here,
because the decision steps depend on it: which minimum wait gives the earliest next procedure,
whether other causes (C3) must be ruled out, whether it counts toward a stent, whether a
check-in can be overdue in it, and which staff task a patient entering it opens. To add a
pathway, add its member to model.Pathway, its row here and its rule to the protocol file.

A task's reason is a message (venowatch.protocol.message) built from the protocol's parameters,
so a clinic whose file waits 6 weeks for worsening gets "Worse for 6 weeks".
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

from venowatch.protocol.message import (
    Message,
    Span,
    Unit,
    counted,
    gettext_noop,
    ngettext_noop,
    say,
)
from venowatch.protocol.model import Pathway
from venowatch.protocol.rules import Parameters


class Wait(enum.Enum):
    """A minimum wait after the index procedure before the next one may be done."""

    ADJUSTMENT = "adjustment"
    """C4: after a decline, for the body to adjust to the new blood flow."""
    TUNE_UP = "tune_up"
    """C6: before a tune-up, for blood flow to settle."""

    def length(self, prm: Parameters) -> timedelta:
        # A match, so that mypy flags a wait added without its parameter.
        match self:
            case Wait.ADJUSTMENT:
                return prm.adjustment_min_wait
            case Wait.TUNE_UP:
                return prm.tune_up_min_wait


class StaffTask(enum.Enum):
    """The kinds of staff work an assessment can ask for (the clinic stores them as TaskKind)."""

    CALL_PATIENT = "call_patient"
    SCHEDULE_RETEST = "schedule_retest"
    REVIEW_LABS = "review_labs"
    ORDER_LABS = "order_labs"
    REVIEW_PATIENT = "review_patient"
    OVERDUE_CHECKIN = "overdue_checkin"


@dataclass(frozen=True, slots=True)
class StaffWork:
    """A task to open: its kind and, from the protocol's parameters, why (for staff)."""

    kind: StaffTask
    reason: Callable[[Parameters], Message]


@dataclass(frozen=True, slots=True)
class PathwayProperties:
    waits_for: Wait | None
    """The wait that gives the earliest next procedure, if the pathway has one."""
    rules_out_other_causes: bool
    """Step 9 (C3) applies: an abnormal lab overrides it, missing labs are asked for."""
    counts_toward_stent: bool
    """Another procedure is in view, so enough repeats flag stent consideration (C6)."""
    can_be_overdue: bool
    """A check-in is expected, so a long silence flags it overdue."""
    opens: StaffWork | None
    """The staff task a patient entering the pathway gets."""
    ends_with_wait: bool = False
    """The pathway lasts only until its wait is over, so the assessment is valid until then."""


def _always(message: Message) -> Callable[[Parameters], Message]:
    return lambda _prm: message


def _worse_not_easing(prm: Parameters) -> Message:
    return say(
        gettext_noop("Worse for %(span)s and not easing: schedule the retest."),
        span=_duration(prm.worsening_min),
    )


def _no_checkin(prm: Parameters) -> Message:
    return say(
        gettext_noop("No check-in for %(span)s: contact the patient."),
        span=_in_words(prm.checkin_overdue_after),
    )


PROPERTIES: Mapping[Pathway, PathwayProperties] = MappingProxyType(
    {
        Pathway.POSSIBLE_THROMBOSIS: PathwayProperties(
            waits_for=None,
            rules_out_other_causes=False,
            counts_toward_stent=False,
            # The emergency is acted on now; a missed check-in adds nothing to it.
            can_be_overdue=False,
            opens=StaffWork(
                StaffTask.CALL_PATIENT,
                _always(
                    say(
                        gettext_noop(
                            "Possible thrombosis: make sure the patient has reached the IR now."
                        )
                    )
                ),
            ),
        ),
        Pathway.SUSPECTED_RESTENOSIS: PathwayProperties(
            waits_for=Wait.ADJUSTMENT,
            rules_out_other_causes=True,
            counts_toward_stent=True,
            can_be_overdue=True,
            opens=StaffWork(
                StaffTask.SCHEDULE_RETEST,
                _always(say(gettext_noop("Suspected restenosis: schedule the retest."))),
            ),
        ),
        Pathway.WORSENING_RETEST: PathwayProperties(
            waits_for=Wait.ADJUSTMENT,
            rules_out_other_causes=True,
            counts_toward_stent=True,
            can_be_overdue=True,
            opens=StaffWork(StaffTask.SCHEDULE_RETEST, _worse_not_easing),
        ),
        Pathway.TREAT_UNDERLYING_CAUSE: PathwayProperties(
            waits_for=None,
            # It is the outcome of step 9, not a pathway step 9 still has to check.
            rules_out_other_causes=False,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=StaffWork(
                StaffTask.REVIEW_LABS,
                _always(say(gettext_noop("Abnormal blood or urine test: review and treat."))),
            ),
        ),
        Pathway.WORSENING_WATCH: PathwayProperties(
            waits_for=Wait.ADJUSTMENT,
            rules_out_other_causes=True,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=StaffWork(
                StaffTask.CALL_PATIENT,
                _always(say(gettext_noop("Worse since the procedure: call the patient."))),
            ),
        ),
        Pathway.TUNE_UP_ELIGIBLE: PathwayProperties(
            waits_for=Wait.TUNE_UP,
            rules_out_other_causes=True,
            counts_toward_stent=True,
            can_be_overdue=True,
            opens=StaffWork(
                StaffTask.REVIEW_PATIENT,
                _always(say(gettext_noop("A tune-up can now be considered: discuss it."))),
            ),
        ),
        Pathway.NO_IMPROVEMENT: PathwayProperties(
            waits_for=None,
            rules_out_other_causes=False,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=StaffWork(
                StaffTask.REVIEW_PATIENT,
                _always(say(gettext_noop("No improvement since the procedure: review."))),
            ),
        ),
        Pathway.ADJUSTMENT_PERIOD: PathwayProperties(
            waits_for=Wait.ADJUSTMENT,
            rules_out_other_causes=True,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=None,
        ),
        Pathway.TUNE_UP_WAIT: PathwayProperties(
            waits_for=Wait.TUNE_UP,
            rules_out_other_causes=True,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=None,
            ends_with_wait=True,
        ),
        Pathway.AWAITING_CHECKIN: PathwayProperties(
            waits_for=None,
            rules_out_other_causes=False,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=None,
        ),
        Pathway.IMPROVED: PathwayProperties(
            waits_for=None,
            rules_out_other_causes=False,
            counts_toward_stent=False,
            can_be_overdue=True,
            opens=None,
        ),
        Pathway.NO_PROCEDURE: PathwayProperties(
            waits_for=None,
            rules_out_other_causes=False,
            counts_toward_stent=False,
            # Follow-up, and with it the check-ins, starts with a procedure.
            can_be_overdue=False,
            opens=None,
        ),
    }
)

# Staff work that an action or a flag asks for, whatever the pathway.
LABS_NEEDED = StaffWork(
    StaffTask.ORDER_LABS,
    _always(say(gettext_noop("Blood and urine tests are needed to rule out other causes."))),
)
CHECKIN_OVERDUE = StaffWork(StaffTask.OVERDUE_CHECKIN, _no_checkin)


_WEEK = timedelta(weeks=1)
_DAY = timedelta(days=1)
_NUMBERS = (
    say(gettext_noop("one")), say(gettext_noop("two")), say(gettext_noop("three")),
    say(gettext_noop("four")), say(gettext_noop("five")), say(gettext_noop("six")),
    say(gettext_noop("seven")), say(gettext_noop("eight")), say(gettext_noop("nine")),
)  # fmt: skip


def _duration(length: timedelta) -> Span:
    """A parameter as staff would say it: in weeks or days when it is a whole number of them."""
    if length and not length % _WEEK:
        return Span(length, Unit.WEEKS)
    if length and not length % _DAY:
        return Span(length, Unit.DAYS)
    return Span(length, Unit.HOURS)


def _in_words(length: timedelta) -> Message | Span:
    """A whole number of weeks or days up to nine in words ("two weeks"), as prose writes
    small numbers; anything else in figures."""
    n = _up_to_nine(length, _WEEK)
    if n:
        return counted(
            ngettext_noop("%(amount)s week", "%(amount)s weeks"), n, amount=_NUMBERS[n - 1]
        )
    n = _up_to_nine(length, _DAY)
    if n:
        return counted(
            ngettext_noop("%(amount)s day", "%(amount)s days"), n, amount=_NUMBERS[n - 1]
        )
    return _duration(length)


def _up_to_nine(length: timedelta, unit: timedelta) -> int:
    """How many `unit`s `length` is, if a whole number from 1 to 9, else 0."""
    n, rest = divmod(length, unit)
    return n if not rest and 1 <= n <= len(_NUMBERS) else 0
