"""The CDS Hooks card that says what the clinic's protocol says about a patient now."""

from __future__ import annotations

import enum
import re
import uuid
from typing import Any

from venowatch.protocol import Assessment, Pathway, Protocol, Reason, Urgency

MAX_SUMMARY = 139
"""CDS Hooks: a card's summary SHOULD be under 140 characters."""

NOT_A_DIAGNOSIS = (
    "Decision support: venowatch applies this clinic's follow-up protocol to the records the "
    "EHR sent. It is not a diagnosis and does not replace a clinician's judgement."
)

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


class Indicator(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


def indicator(a: Assessment) -> Indicator:
    """Critical for a possible clot (and anything the clinic's file makes an emergency),
    warning for urgent pathways, info for the rest."""
    if a.pathway is Pathway.POSSIBLE_THROMBOSIS or a.urgency is Urgency.EMERGENCY:
        return Indicator.CRITICAL
    if a.urgency is Urgency.URGENT:
        return Indicator.WARNING
    return Indicator.INFO


def patient_view_card(
    a: Assessment, protocol: Protocol, link: str, skipped: int = 0
) -> dict[str, Any]:
    """One card: the pathway as summary, what to do and why in detail, and a link to `link`
    (an absolute URL into venowatch). `skipped` counts the EHR's resources that could not be
    read: the reader of the card must know the advice did not weigh them."""
    title = protocol.pathways[a.pathway].title.staff
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _shortened(f"Venoplasty follow-up: {title}"),
        "indicator": indicator(a).value,
        "detail": _detail(a, protocol, title, skipped),
        "source": {"label": f"{protocol.title} v{a.protocol.version}"},
        "links": [{"label": "Open venowatch", "url": link, "type": "absolute"}],
    }


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1].rstrip() + "…"


def _detail(a: Assessment, protocol: Protocol, title: str, skipped: int) -> str:
    lines = [f"**{_md(title)}** (urgency: {a.urgency.value})", ""]
    if a.actions:
        lines += ["**What to do**", ""]
        lines += [f"- {_md(protocol.actions[action].staff)}" for action in a.actions]
        lines.append("")
    if a.earliest_next_procedure_at is not None:
        lines += [f"Earliest next procedure: {a.earliest_next_procedure_at:%Y-%m-%d %H:%M %z}", ""]
    lines += ["**Why, by clause of the protocol**", ""]
    lines += [f"- {_clause(reason)}: {_md(reason.staff)}" for reason in a.rationale]
    if skipped:
        lines += ["", f"{skipped} of the EHR's resources could not be read and were left out."]
    ref = a.protocol
    lines += [
        "",
        f"Protocol {_md(ref.id)} v{_md(ref.version)} (sha256 {ref.sha256[:12]}).",
        "",
        f"_{NOT_A_DIAGNOSIS}_",
    ]
    return "\n".join(lines)


def _clause(reason: Reason) -> str:
    return "follow-up routine" if reason.clause is None else f"**{reason.clause.value}**"


def _md(text: str) -> str:
    """Text from records and the protocol file, shown as itself: a finding someone typed must
    not become a link or an image in the EHR, nor a note's lines break the list."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))
