"""The history chart: how the patient felt over time, procedures marked, the protocol's waiting
windows shaded. Drawn on the server as SVG with matplotlib, so it needs no JavaScript and no
network, and it carries its own title and description for screen readers; pages also show the
same data as a table."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from datetime import datetime, tzinfo

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit: the chart is only ever written as SVG

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib import dates as mdates
from matplotlib import pyplot as plt
from matplotlib import ticker as mticker

from venowatch.protocol import Parameters, Pgic, Timeline
from venowatch.services.care.pgic import PGIC_LABELS

FONT_SIZE = 13
"""Every text in the chart, in the drawing's own units (points). The drawing is 360 points
wide and a 390 px phone gives it about 354 CSS px, so text is drawn at about 12.8 px: never
under 12 (tests/browser/test_phone.py measures it). Wider screens scale it up."""
FIGURE_WIDTH, FIGURE_HEIGHT = 5.0, 3.6  # inches of 72 points
MAX_TICKS = 5
"""About as many dates as fit the phone's width at FONT_SIZE without touching; times of day,
which carry their zone ("18:00 EST"), are wider and fewer."""


def history_svg(
    timeline: Timeline,
    prm: Parameters,
    tz: tzinfo,
    *,
    title: str,
    description: str,
    changes: Sequence[datetime] = (),
) -> str:
    """`changes`: the instants the advice changed (a replay's change points), marked along the
    top of the chart so a change can be read against the answers that led to it."""
    # Text as <text>, not outlines: it stays text (and measurable), in the size above.
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": FONT_SIZE}):
        return _drawn(timeline, prm, tz, title=title, description=description, changes=changes)


def _drawn(
    timeline: Timeline,
    prm: Parameters,
    tz: tzinfo,
    *,
    title: str,
    description: str,
    changes: Sequence[datetime],
) -> str:
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, FIGURE_HEIGHT), dpi=72)
    try:
        for t in changes:
            ax.axvline(_x(t), color="#7a4f00", lw=0.8, ls=":")
        if changes:
            ax.scatter(
                [_x(t) for t in changes],
                [6.6] * len(changes),
                marker="v",
                s=36,
                color="#7a4f00",
                zorder=3,
                label="the advice changed",
            )
        for p in timeline.procedures:
            start = _x(p.performed_at)
            for window, shade in ((prm.tune_up_min_wait, "#e8eef7"),
                                  (prm.adjustment_min_wait, "#cfdcef"),
                                  (prm.thrombosis_window, "#f4c7c7")):  # fmt: skip
                ax.axvspan(start, _x(p.performed_at + window), color=shade, lw=0)
            # A line, not a word: words for several procedures would overlap on a phone; the
            # caption says what the lines are and the page lists the procedures.
            ax.axvline(start, color="#0b5394", lw=2)
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
            )
        ax.axhline(3, color="#4a4a4a", lw=0.8, ls="--")
        # Worst at the bottom of the scale, best at the top.
        levels = [str(PGIC_LABELS[p]) for p in reversed(Pgic)]
        ax.set_yticks(range(7), levels, fontsize=FONT_SIZE)
        ax.set_ylim(-0.5, 6.5)
        if timeline.procedures or timeline.checkins:
            ax.xaxis.set_major_locator(_locator(tz))
            ax.xaxis.set_major_formatter(DayFormatter(tz))
        else:  # nothing to place in time: no made-up dates (matplotlib's default is 1970)
            ax.xaxis.set_major_locator(mticker.NullLocator())
        ax.tick_params(axis="both", labelsize=FONT_SIZE)
        ax.grid(axis="y", color="#eeeeee")
        fig.tight_layout(pad=0.4)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    return _accessible(out.getvalue(), title, description)


def _locator(tz: tzinfo) -> mdates.AutoDateLocator:
    fewer = {mdates.HOURLY: 3, mdates.MINUTELY: 3}
    most = dict.fromkeys((mdates.YEARLY, mdates.MONTHLY, mdates.DAILY), MAX_TICKS)
    return mdates.AutoDateLocator(tz=tz, minticks=2, maxticks={**most, **fewer})  # type: ignore[no-untyped-call]


class DayFormatter(mticker.Formatter):
    """Dates under the chart in the page's language: "3 Dec", or the month alone when the
    ticks are a month or more apart, or the time and its zone when they are hours apart; the
    year under the first date and under the first date of each new year, so a span across New
    Year says so."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.format_ticks([x])[0]

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        days = [_from_x(v).astimezone(self.tz) for v in values]
        step = values[1] - values[0] if len(values) > 1 else 1.0  # in days
        labels: list[str] = []
        shown = ""  # the day (hourly ticks) or the year already written under a tick
        for day in days:
            if step < 1:
                text, whole = date_format(day, "H:i T"), date_format(day, "j M Y")
            else:
                text, whole = date_format(day, "M" if step >= 28 else "j M"), str(day.year)
            labels.append(text if whole == shown else f"{text}\n{whole}")
            shown = whole
        return labels


def _x(t: datetime) -> float:
    """matplotlib's own date axis unit (its stubs accept only floats)."""
    return float(mdates.date2num(t))  # type: ignore[no-untyped-call]


def _from_x(x: float) -> datetime:
    when: datetime = mdates.num2date(x)  # type: ignore[no-untyped-call]
    return when


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
