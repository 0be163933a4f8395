"""The history chart: how the patient felt over time, procedures marked, the protocol's waiting
windows shaded. Drawn on the server as SVG with matplotlib, so it needs no JavaScript and no
network, and it carries its own title and description for screen readers; pages also show the
same data as a table."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, tzinfo

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit: the chart is only ever written as SVG

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib import dates as mdates
from matplotlib import pyplot as plt

from venowatch.protocol import Parameters, Pgic, Timeline
from venowatch.services.care.pgic import PGIC_LABELS


def history_svg(
    timeline: Timeline, prm: Parameters, tz: tzinfo, *, title: str, description: str
) -> str:
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    try:
        for p in timeline.procedures:
            start = _x(p.performed_at)
            for window, shade in ((prm.tune_up_min_wait, "#e8eef7"),
                                  (prm.adjustment_min_wait, "#cfdcef"),
                                  (prm.thrombosis_window, "#f4c7c7")):  # fmt: skip
                ax.axvspan(start, _x(p.performed_at + window), color=shade, lw=0)
            ax.axvline(start, color="#0b5394", lw=2)
            ax.annotate(p.kind.value, (start, 6.35), fontsize=8, color="#0b5394")
        if timeline.checkins:
            xs = [_x(c.at) for c in timeline.checkins]
            ys = [6 - c.pgic.rank for c in timeline.checkins]
            ax.plot(xs, ys, color="#1a1a1a", lw=1.2, marker="o", ms=4)
            returned = [c for c in timeline.checkins if c.symptoms_returned]
            ax.scatter(
                [_x(c.at) for c in returned],
                [6 - c.pgic.rank for c in returned],
                marker="X",
                s=80,
                color="#a30000",
                zorder=3,
                label="symptoms came back",
            )
        ax.axhline(3, color="#4a4a4a", lw=0.8, ls="--")
        # Worst at the bottom of the scale, best at the top.
        levels = [str(PGIC_LABELS[p]) for p in reversed(Pgic)]
        ax.set_yticks(range(7), levels, fontsize=8)
        ax.set_ylim(-0.5, 6.8)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=tz))  # type: ignore[no-untyped-call]
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="y", color="#eeeeee")
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    return _accessible(out.getvalue(), title, description)


def _x(t: datetime) -> float:
    """matplotlib's own date axis unit (its stubs accept only floats)."""
    return float(mdates.date2num(t))  # type: ignore[no-untyped-call]


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
# matplotlib's one style sheet: `*{stroke-linejoin: round; stroke-linecap: butt}`.
_SHEET_DEFAULTS = ' stroke-linejoin="round" stroke-linecap="butt"'


def _presentation(match: re.Match[str]) -> str:
    declarations = (d.split(":", 1) for d in match.group(1).split(";") if ":" in d)
    return "".join(
        f' {name.strip()}="{html.escape(value.strip())}"' for name, value in declarations
    )


def without_inline_style(svg: str) -> str:
    """The same drawing in SVG presentation attributes (`fill="#fff"`) instead of CSS
    (`style="fill: #fff"`, a <style> element): the pages' Content Security Policy allows no
    inline style, and every property matplotlib writes is also a presentation attribute."""
    return _STYLE_ATTRIBUTE.sub(_presentation, _STYLE_ELEMENT.sub("", svg))


def _accessible(svg: str, title: str, description: str) -> str:
    """Give the drawing a role, a name and a description, and drop the XML prologue so it can
    sit inline in a page."""
    svg = without_inline_style(svg)
    opening = re.search(r"<svg([^>]*)>", svg)
    if opening is None:
        raise ValueError("matplotlib wrote no <svg> element")
    return (
        f'<svg role="img" aria-labelledby="chart-title chart-desc"{opening.group(1)}'
        f"{_SHEET_DEFAULTS}>"
        f'<title id="chart-title">{html.escape(title)}</title>'
        f'<desc id="chart-desc">{html.escape(description)}</desc>'
        f"{svg[opening.end() :]}"
    )


def describe(timeline: Timeline, tz: tzinfo) -> str:
    """A sentence a screen reader can read in place of the picture, in the active language."""
    n = len(timeline.checkins)
    if n == 0:
        return _("No check-ins yet.")
    first, last = timeline.checkins[0], timeline.checkins[-1]
    best = min(timeline.checkins, key=lambda c: c.pgic.rank)
    span = ngettext(
        "%(n)s check-in from %(first)s to %(last)s.",
        "%(n)s check-ins from %(first)s to %(last)s.",
        n,
    ) % {"n": n, "first": _day(first.at, tz), "last": _day(last.at, tz)}
    best_and_latest = _("Best: %(best)s on %(best_at)s. Latest: %(latest)s on %(latest_at)s.") % {
        "best": _label(best.pgic),
        "best_at": _day(best.at, tz),
        "latest": _label(last.pgic),
        "latest_at": _day(last.at, tz),
    }
    return f"{span} {best_and_latest}"


def _label(p: Pgic) -> str:
    return str(PGIC_LABELS[p]).lower()


def _day(t: datetime, tz: tzinfo) -> str:
    """A day with the month's short name in the active language (Django's calendar)."""
    return date_format(t.astimezone(tz), "j M Y")
