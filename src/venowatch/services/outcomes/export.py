"""The outcome figures and their episodes, de-identified, as JSON and CSV: no names, contact
details or free text; each patient as a keyed hash (HMAC-SHA256 with the installation's secret
key, so the same patient has the same id in every export of this installation and nobody
without the key can tell who it is); no dates, only days since the index procedure."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Sequence
from typing import Any

from venowatch.services.outcomes.episodes import MONTHS, EpisodeFacts
from venowatch.services.outcomes.figures import Figures
from venowatch.services.outcomes.wording import CENSORING, LIMITS, answer_label

COLUMNS = (
    "patient", "episode", "repeat", "index_day", "ended_day", "ended_by_venoplasty",
    "last_checkin_day", "restenosis_day", "retest_day", "thrombosis_day",
    *(f"pgic_{m}_months" for m in MONTHS),
)  # fmt: skip


def pseudonym(patient_id: int, key: str) -> str:
    digest = hmac.new(key.encode(), f"venowatch-outcomes:{patient_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


def episode_rows(
    episodes: Sequence[EpisodeFacts], key: str, *, words: bool
) -> list[dict[str, Any]]:
    """One row per episode; answers as their words (`words`) or codes, None as empty."""
    rows = []
    for e in episodes:
        row: dict[str, Any] = {
            "patient": pseudonym(e.patient_id, key),
            "episode": e.number,
            "repeat": e.repeat,
            "index_day": e.index_day,
            "ended_day": e.ended_day,
            "ended_by_venoplasty": e.ended_by_venoplasty,
            "last_checkin_day": e.last_checkin_day,
            "restenosis_day": e.restenosis_day,
            "retest_day": e.retest_day,
            "thrombosis_day": e.thrombosis_day,
        }
        for m, answer in zip(MONTHS, e.pgic, strict=True):
            if words:
                row[f"pgic_{m}_months"] = answer_label(answer) if answer is not None else ""
            else:
                row[f"pgic_{m}_months"] = None if answer is None else answer.value
        rows.append(row)
    return rows


def as_csv(episodes: Sequence[EpisodeFacts], key: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in episode_rows(episodes, key, words=True):
        writer.writerow({k: "yes" if v is True else "no" if v is False else
                         ("" if v is None else v) for k, v in row.items()})  # fmt: skip
    return out.getvalue()


def as_json(f: Figures, episodes: Sequence[EpisodeFacts], key: str) -> dict[str, Any]:
    return {
        "cohort": {
            "patients": f.patients, "episodes": f.episodes, "first": f.first,
            "repeat": f.repeat, "lost_to_follow_up": f.lost,
            "lost_after_days": f.lost_after_days, "pgic_window_days": f.window_days,
            "left_out_consent_withdrawn": f.left_out_withdrawn,
        },
        "censoring": CENSORING,
        "limits": list(LIMITS),
        "time_to_event": [
            {
                "event": c.key, "title": c.title, "episodes": c.n, "events": c.events,
                "censored": c.censored,
                "curve": [
                    {"day": d, "estimate": s, "lower_95": lo, "upper_95": hi}
                    for d, s, lo, hi in zip(c.days, c.survival, c.lower, c.upper, strict=True)
                ],
                "at_risk": [
                    {"day": r.day, "at_risk": r.at_risk, "events": r.events,
                     "censored": r.censored}
                    for r in c.at_risk
                ],
            }
            for c in f.curves
        ],
        "pgic": [
            {
                "months": p.months, "due": p.total, "not_followed_that_far": p.not_yet,
                "answers": [
                    {"answer": None if a is None else a.value, "count": n,
                     "share": p.share(a)}
                    for a, n in p.counts
                ],
            }
            for p in f.pgic
        ],
        "venoplasties_per_patient": [
            {"venoplasties": v, "patients": n} for v, n in f.venoplasties_per_patient
        ],
        "reached_stent_consideration": f.reached_stent_count,
        "episodes": episode_rows(episodes, key, words=False),
    }  # fmt: skip
