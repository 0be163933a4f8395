"""Check-in reminder schedules: when, after a procedure, a patient is asked to check in.

Pure: no Django, no clock. A schedule is written like "6h 24h 48h 1w 2w then every 30d": fixed
times after the procedure, then optionally a repeating interval after the last.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from venowatch.protocol import ProtocolError
from venowatch.protocol.rules import parse_duration


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Schedule:
    offsets: tuple[timedelta, ...]
    every: timedelta | None

    def offset(self, step: int) -> timedelta | None:
        """How long after the procedure reminder `step` (from 0) falls; None: no more."""
        if step < len(self.offsets):
            return self.offsets[step]
        if self.every is None:
            return None
        return self.offsets[-1] + (step - len(self.offsets) + 1) * self.every

    def window_start(self, procedure_at: datetime, step: int) -> datetime:
        """A check-in from here on answers reminder `step`: from halfway since the previous
        reminder (or since the procedure), so an answer to the previous one does not count."""
        due = procedure_at + self._offset(step)
        before = procedure_at if step == 0 else procedure_at + self._offset(step - 1)
        return before + (due - before) / 2

    def next_step(self, procedure_at: datetime, after: datetime) -> int | None:
        """The first step falling strictly after `after`: reminders missed while nothing ran
        are skipped, not sent late in a burst."""
        elapsed = after - procedure_at
        for step, offset in enumerate(self.offsets):
            if offset > elapsed:
                return step
        if self.every is None:
            return None
        return len(self.offsets) + (elapsed - self.offsets[-1]) // self.every

    def next_due(self, procedure_at: datetime, after: datetime) -> tuple[int, datetime] | None:
        """The next step (see next_step) and when it falls."""
        step = self.next_step(procedure_at, after)
        return None if step is None else (step, procedure_at + self._offset(step))

    def _offset(self, step: int) -> timedelta:
        offset = self.offset(step)
        if offset is None:
            raise ValueError(f"the schedule has no reminder {step}")
        return offset


def parse_schedule(text: str) -> Schedule:
    words = text.replace(",", " ").split()
    every: timedelta | None = None
    if "then" in words:
        at = words.index("then")
        tail = words[at + 1 :]
        if len(tail) != 2 or tail[0] != "every":
            raise ScheduleError("after 'then' write 'every' and one interval, like 'every 30d'")
        every = _duration(tail[1])
        words = words[:at]
    offsets = tuple(_duration(w) for w in words)
    if not offsets:
        raise ScheduleError("give at least one time after the procedure, like '6h'")
    if offsets[0] <= timedelta(0) or any(b <= a for a, b in itertools.pairwise(offsets)):
        raise ScheduleError("times must be positive and each later than the one before")
    if every is not None and every <= timedelta(0):
        raise ScheduleError("the repeating interval must be positive")
    return Schedule(offsets, every)


def _duration(word: str) -> timedelta:
    try:
        return parse_duration("reminder", word)
    except ProtocolError:
        raise ScheduleError(
            f"{word!r} is not a time: write a whole number and m, h, d or w, like '48h'"
        ) from None
