"""The outcome figures in words: for the page, the charts' descriptions and the CLI."""

from __future__ import annotations

from venowatch.protocol import Pgic
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.services.outcomes.figures import Curve, PgicPoint

NO_ANSWER = "No answer in the window"

LIMITS = (
    "There is no control group: nobody here went without the procedure, so these figures "
    "cannot say what would have happened without it.",
    "The impression of change is what patients report, not a measurement, and those who "
    "chose a venoplasty may hope to feel better.",
    "The cohort is small and self-selected: the patients who chose the procedure and this "
    "clinic, not a sample of people with MS.",
    "Venoplasty for CCSVI is not an established treatment for multiple sclerosis.",
)

CENSORING = (
    "An episode without the event counts up to its end (the next procedure) or, while it goes "
    "on, up to the patient's last check-in; after that it is censored, not counted as free of "
    "the event. Past the longest follow-up nobody is left to observe, so the share still "
    "without the event is not known there."
)


def left_out_words(n: int) -> str:
    """Said beside every form of the figures, so that a withdrawal is never a silent drop."""
    if n == 0:
        return "No patient is left out for having withdrawn their consent."
    who = (
        "1 patient who withdrew their consent is"
        if n == 1
        else (f"{n} patients who withdrew their consent are")
    )
    return f"{who} left out of every figure, from the withdrawal on."


def answer_label(answer: Pgic | None) -> str:
    return NO_ANSWER if answer is None else str(PGIC_LABELS[answer])


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}%"


NOT_KNOWN = "not known"
"""A curve's share past its longest follow-up (Curve.estimate), as a table cell."""


def estimate_words(c: Curve, day: int) -> str:
    """The share still without the event at `day`, or that nobody was followed that long."""
    estimate = c.estimate(day)
    return NOT_KNOWN if estimate is None and c.n else percent(estimate)


def curve_summary(c: Curve) -> str:
    if not c.n:
        return f"{c.title}: no episodes."
    parts = [f"{c.title}: {c.events} of {c.n} episodes had it, {c.censored} censored."]
    for day in (90, 180, 365):
        estimate = c.estimate(day)
        if estimate is not None:
            parts.append(f"Without it at day {day}: {percent(estimate)}.")
    return " ".join(parts)


def pgic_summary(points: tuple[PgicPoint, ...]) -> str:
    parts = []
    for p in points:
        if not p.total:
            parts.append(f"At {p.months} months: nobody due yet.")
            continue
        shares = ", ".join(f"{answer_label(a)} {percent(p.share(a))}" for a, _ in p.counts)
        parts.append(f"At {p.months} months ({p.total} due): {shares}.")
    return " ".join(parts)
