"""The outcome charts, drawn on the server as SVG with matplotlib (as the history chart is):
no JavaScript, no network; each carries its own title and description, and the page shows
the same numbers as a table beside it."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit

from matplotlib import pyplot as plt

from venowatch.services.care.charts import FIGURE_WIDTH, FONT_SIZE, without_inline_style
from venowatch.services.outcomes.figures import Curve, PgicPoint
from venowatch.services.outcomes.wording import answer_label, curve_summary, pgic_summary

# Drawn as the history chart is (services/care/charts): 360 points wide with real text at
# FONT_SIZE, so a 390 px phone shows it at about 12.8 px and a laptop larger.
_STYLE: dict[Any, Any] = {"svg.fonttype": "none", "font.size": FONT_SIZE}

_WORST_TO_BEST = ("#7f0000", "#c0392b", "#e59866", "#bdbdbd", "#a9cce3", "#5499c7", "#1a5276")


def km_svg(c: Curve, chart_id: str) -> str:
    """The share still free of the event by day, a step curve, its 95% band shaded."""
    with matplotlib.rc_context(_STYLE):
        return _km_svg(c, chart_id)


def _km_svg(c: Curve, chart_id: str) -> str:
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.6), dpi=72)
    try:
        if c.n:
            ax.fill_between(c.days, c.lower, c.upper, step="post", color="#cfdcef", lw=0,
                            label="95% confidence band")  # fmt: skip
            ax.step(c.days, c.survival, where="post", color="#0b5394", lw=1.8,
                    label="Kaplan-Meier estimate")  # fmt: skip
            # Below the drawing, not over it: inside, the key hid the band a curve ends in.
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=1)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        ax.set_xlabel("Days since the venoplasty")
        ax.set_ylabel("Share without the event")
        ax.grid(color="#eeeeee")
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    finally:
        plt.close(fig)
    return _accessible(out.getvalue(), chart_id, c.title, curve_summary(c))


def pgic_svg(points: tuple[PgicPoint, ...], chart_id: str) -> str:
    """One stacked bar per month point: the shares of each answer and of no answer."""
    with matplotlib.rc_context(_STYLE):
        return _pgic_svg(points, chart_id)


def _pgic_svg(points: tuple[PgicPoint, ...], chart_id: str) -> str:
    # Tall enough for the key below the bars: eight answers in two columns.
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 6.0), dpi=72)
    try:
        labels = [f"{p.months} mo" for p in points]
        answers = [a for a, _ in points[0].counts] if points else []
        left = [0.0] * len(points)
        colours = [*reversed(_WORST_TO_BEST), "#ffffff"]
        for answer, colour in zip(answers, colours, strict=True):
            shares = [p.share(answer) for p in points]
            ax.barh(labels, shares, left=left, color=colour, edgecolor="#4a4a4a", lw=0.4,
                    label=answer_label(answer))  # fmt: skip
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for row, p in enumerate(points):
            if not p.total:  # an empty row, said in words: white is "no answer" in the key
                ax.text(0.02, row, "nobody due an answer yet", va="center", color="#4a4a4a")
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_xlabel("Share of the patients due an answer")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
        fig.tight_layout()
        out = io.StringIO()
        # "tight": the key sits below the axes, outside what tight_layout makes room for.
        fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    finally:
        plt.close(fig)
    return _accessible(out.getvalue(), chart_id, "Global impression of change",
                       pgic_summary(points))  # fmt: skip


def _accessible(svg: str, chart_id: str, title: str, description: str) -> str:
    svg = without_inline_style(svg)
    opening = re.search(r"<svg([^>]*)>", svg)
    if opening is None:
        raise ValueError("matplotlib wrote no <svg> element")
    # matplotlib names its clip paths and glyphs with ids of its own; several charts on one
    # page must not share them, so each chart's are prefixed with its own id.
    body = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', svg[opening.end() :])
    body = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", body)
    body = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{chart_id}-\1"', body)
    return (
        f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"{opening.group(1)}'
        ' stroke-linejoin="round" stroke-linecap="butt">'
        f'<title id="{chart_id}-title">{html.escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{html.escape(description)}</desc>'
        f"{body}"
    )
