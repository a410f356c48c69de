"""Charts as vector SVG, drawn by the server.

Every chart writes its numbers or words as text next to the marks, so no
reading depends on colour alone, and carries a <title> and <desc> for
assistive technology. The pages and the PDF also show the same figures as a
table. Output is deterministic (ids come from the title), so a report built
twice from the same data gives the same bytes.
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Arial, 'Liberation Sans', sans-serif"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"

# GOV.UK palette, paired with a text colour that passes 4.5:1 on it.
GREEN = ("#00703c", "#ffffff")
TURQUOISE = ("#28a197", "#0b0c0c")
YELLOW = ("#ffdd00", "#0b0c0c")
ORANGE = ("#f47738", "#0b0c0c")
RED = ("#d4351c", "#ffffff")
BLUE = ("#1d70b8", "#ffffff")
PURPLE = ("#4c2c92", "#ffffff")
GREY = ("#505a5f", "#ffffff")


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    colour: tuple[str, str]


@dataclass(frozen=True)
class Span:
    """One row of a timeline: a bar from start to end, named and labelled."""

    label: str
    start: date
    end: date
    note: str
    colour: tuple[str, str] = BLUE


def _id(title: str) -> str:
    return "chart-" + hashlib.sha256(title.encode()).hexdigest()[:10]


def _text(x, y, content, *, size=14, anchor="start", fill=TEXT, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{escape(content)}</text>'
    )


def _svg(title: str, description: str, width: int, height: int, body: list[str]) -> SafeString:
    ident = _id(title)
    # Every text in body went through escape(); numbers and colours are ours.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def as_data_uri(svg: str) -> str:
    """For an <img> in the PDF, where the alt text tags the figure."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def stacked_bars(
    *, title: str, description: str, rows: list[tuple[str, list[Segment]]], width: int = 640
) -> SafeString:
    """Horizontal bars, one per row, split into labelled segments, with a legend.

    Each row's name sits above its bar, so long names are never cut; each
    segment writes its count inside (when it fits), and each row its total at
    the end.
    """
    label_height, bar_height, gap = 18, 24, 12
    legend = list(rows[0][1]) if rows else []
    top = 34 if legend else 8
    plot = width - 50
    largest = max((sum(s.value for s in segs) for _, segs in rows), default=0) or 1
    body: list[str] = []
    x = 0
    for seg in legend:
        body.append(
            f'<rect x="{x}" y="4" width="16" height="16" fill="{seg.colour[0]}" '
            f'stroke="{TEXT}" stroke-width="0.5"/>'
        )
        body.append(_text(x + 22, 17, seg.label, size=13))
        x += 36 + 8 * len(seg.label)
    step = label_height + bar_height + gap
    for index, (label, segments) in enumerate(rows):
        y = top + index * step
        body.append(_text(0, y + 13, label, size=13, weight="bold"))
        bar_y = y + label_height
        cursor = 0.0
        for seg in segments:
            if not seg.value:
                continue
            span = plot * seg.value / largest
            body.append(
                f'<rect x="{cursor:.1f}" y="{bar_y}" width="{span:.1f}" height="{bar_height}" '
                f'fill="{seg.colour[0]}"/>'
            )
            if span >= 9 * len(str(seg.value)) + 6:
                body.append(
                    _text(
                        cursor + span / 2,
                        bar_y + 17,
                        str(seg.value),
                        size=13,
                        anchor="middle",
                        fill=seg.colour[1],
                        weight="bold",
                    )
                )
            cursor += span
        total = sum(s.value for s in segments)
        body.append(_text(cursor + 6, bar_y + 17, str(total), size=13, weight="bold"))
    height = top + len(rows) * step
    return _svg(title, description, width, height, body)


# Grades as heights: inadequate is the shortest bar, outstanding the tallest.
GRADE_LEVELS = {
    "inadequate": (1, RED),
    "requires_improvement": (2, ORANGE),
    "adequate": (3, YELLOW),
    "good": (4, TURQUOISE),
    "outstanding": (5, GREEN),
}


def grade_columns(
    *, title: str, description: str, points: list[tuple[str, str, str]], width: int = 300
) -> SafeString:
    """A small chart of one topic's grade at each inspection: (when, grade value,
    grade label). The grade is written above each column."""
    height, bottom, step = 150, 118, 18
    body = [
        f'<line x1="0" y1="{bottom}" x2="{width}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>'
    ]
    slot = width / max(len(points), 1)
    bar = min(56.0, slot - 12)
    for index, (when, grade, grade_label) in enumerate(points):
        centre = slot * index + slot / 2
        level, colour = GRADE_LEVELS.get(grade, (0, GREY))
        top = bottom - level * step
        if level:
            body.append(
                f'<rect x="{centre - bar / 2:.1f}" y="{top}" width="{bar:.1f}" '
                f'height="{level * step}" fill="{colour[0]}" stroke="{TEXT}" stroke-width="0.5"/>'
            )
        words = grade_label if level else "Not graded"
        body.append(_text(centre, top - 5, _short(words, slot), size=11, anchor="middle"))
        body.append(_text(centre, bottom + 16, when, size=11, anchor="middle"))
    return _svg(title, description, width, height, body)


def _short(grade_label: str, slot: float) -> str:
    """The longest grade, shortened to fit its column: "Req. impr." from four."""
    short = "Req. improvement" if slot >= 100 else "Req. impr."
    return {"Requires improvement": short}.get(grade_label, grade_label)


def timeline(
    *, title: str, description: str, start: date, end: date, spans: list[Span], width: int = 900
) -> SafeString:
    """Bars on a calendar from start to end, one row each, with month lines."""
    label_width, row_height, gap, top = 190, 22, 8, 26
    plot = width - label_width - 10
    days = max((end - start).days, 1)

    def x_of(day: date) -> float:
        clamped = min(max(day, start), end)
        return label_width + plot * (clamped - start).days / days

    body: list[str] = []
    height = top + max(len(spans), 1) * (row_height + gap) + 6
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            x = x_of(month)
            body.append(
                f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height}" stroke="{GRID}" '
                'stroke-width="1"/>'
            )
            body.append(_text(x + 3, 14, f"{month:%b %Y}", size=12))
        month = (month + timedelta(days=32)).replace(day=1)
    if not spans:
        body.append(_text(label_width, top + 16, "Nothing scheduled", size=13))
    for index, span in enumerate(spans):
        y = top + index * (row_height + gap)
        left, right = x_of(span.start), x_of(span.end + timedelta(days=1))
        body.append(_text(label_width - 8, y + 16, span.label, size=13, anchor="end"))
        body.append(
            f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 4):.1f}" '
            f'height="{row_height}" fill="{span.colour[0]}"/>'
        )
        note_x = right + 6 if right < width - 160 else left - 6
        anchor = "start" if right < width - 160 else "end"
        body.append(_text(note_x, y + 16, span.note, size=12, anchor=anchor))
    return _svg(title, description, width, height, body)
