"""The outcome figures as plain text, for the command line."""

from __future__ import annotations

from venowatch.services.outcomes.figures import Figures
from venowatch.services.outcomes.wording import (
    CENSORING,
    LIMITS,
    answer_label,
    estimate_words,
    left_out_words,
    percent,
)


def readable(f: Figures) -> str:
    lines = [
        f"{f.patients} patients, {f.episodes} episodes ({f.first} after a first venoplasty, "
        f"{f.repeat} after a repeat); {f.lost} lost to follow-up (no check-in for more than "
        f"{f.lost_after_days} days), kept in every figure up to their last check-in.",
        left_out_words(f.left_out_withdrawn),
        "",
        "What these figures cannot show:",
        *(f"  - {limit}" for limit in LIMITS),
        "",
        CENSORING,
    ]
    for c in f.curves:
        lines += ["", f"{c.title}: {c.events} of {c.n} episodes had it, {c.censored} censored."]
        lines.append("  day  at risk  events  censored  still without it")
        for r in c.at_risk:
            estimate = estimate_words(c, r.day)
            lines.append(
                f"  {r.day:>3}  {r.at_risk:>7}  {r.events:>6}  {r.censored:>8}  {estimate:>16}"
            )
    lines += [
        "",
        f"Global impression of change (the check-in within {f.window_days} days of each point):",
    ]
    for p in f.pgic:
        lines.append(
            f"  at {p.months} months: {p.total} due an answer, {p.not_yet} not followed that far"
        )
        for answer, n in p.counts:
            share = percent(p.share(answer)) if p.total else ""
            lines.append(f"    {answer_label(answer):<26} {n:>6}  {share:>4}")
    lines += ["", "Venoplasties per patient:"]
    lines += [f"  {v}: {n} patients" for v, n in f.venoplasties_per_patient]
    lines.append(
        f"{f.reached_stent_count} patients have had as many repeats as the protocol allows "
        "before a stent is considered."
    )
    return "\n".join(lines)
