"""Small server-rendered SVG charts: grouped bars and lines. No JavaScript, no external files.

The markup uses presentation attributes only (no ``style`` attributes, no scripts), so it is allowed
by a strict Content-Security-Policy. Every text is escaped here. Each chart carries a ``<title>`` and
``role="img"``; the page shows the same figures in a table beside it for screen readers and copying.
Free of Django: returns plain strings that the view marks safe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
WARNING = "#ba2121"
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 56
MAX_X_LABELS = 12
LABEL_CHARS = 14  # longer category labels are cut (18 when slanted); the bars' tooltips hold them whole
CHAR_WIDTH = 6.5  # approximate width of a character at font size 11
SLANT_EXTRA = 44  # room added under the plot for slanted labels


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category (None = no value)."""

    label: str
    values: Sequence[float | None]


def nice_max(value: float, *, integers: bool = False) -> float:
    """The smallest 1, 2, 4 or 8 x 10^k at or above ``value``: four grid steps of round size.

    With ``integers`` (counts) the axis reaches at least 4, so no tick falls between two whole numbers.
    """
    if integers:
        value = max(value, 4)
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 8, 10):
        if value <= step * power + 1e-12:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"


def _attrs(**attrs: object) -> str:
    return " ".join(f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for key, value in attrs.items())


def _frame(title: str, body: list[str], *, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {width} {height}", width=width)} '
        f'role="img" class="tillit-chart"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _empty(title: str, *, width: int, height: int) -> str:
    text = f"<text {_attrs(x=width / 2, y=height / 2, text_anchor='middle', fill='#666')}>No data yet</text>"
    return _frame(title, [text], width=width, height=height)


def _axis(top_value: float, *, width: int, height: int, unit: str, bottom: int = BOTTOM) -> list[str]:
    """Horizontal grid lines with their values on the left, and the unit above them."""
    parts = []
    plot_h = height - TOP - bottom
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f"<line {_attrs(x1=LEFT, x2=width - RIGHT, y1=y, y2=y, stroke='#ddd')}/>")
        parts.append(
            f"<text {_attrs(x=LEFT - 6, y=y + 4, text_anchor='end', font_size=11, fill='#444')}>"
            f"{escape(_number(value))}</text>"
        )
    if unit:
        parts.append(f"<text {_attrs(x=4, y=TOP - 12, font_size=11, fill='#444')}>{escape(unit)}</text>")
    return parts


def _slanted(categories: Sequence[str], slot: float) -> bool:
    """Whether the category labels are too wide for their slots and must be drawn at an angle."""
    every = max(1, math.ceil(len(categories) / MAX_X_LABELS))
    widest = max((len(str(label)[:LABEL_CHARS]) for label in categories), default=0) * CHAR_WIDTH
    return widest > slot * every - 4


def _x_labels(categories: Sequence[str], centres: Sequence[float], *, height: int, bottom: int) -> list[str]:
    every = max(1, math.ceil(len(categories) / MAX_X_LABELS))
    slant = bottom > BOTTOM
    parts = []
    for i, (label, x) in enumerate(zip(categories, centres, strict=True)):
        if i % every:
            continue
        x, y = round(x, 1), height - bottom + 16
        position = _attrs(x=x, y=y, text_anchor="end" if slant else "middle", font_size=11, fill="#444")
        if slant:
            position += f' transform="rotate(-35 {x} {y - 4})"'
        parts.append(f"<text {position}>{escape(str(label)[: LABEL_CHARS + 4 if slant else LABEL_CHARS])}</text>")
    return parts


def _legend(labels: Sequence[str], *, height: int, marker: str = "", highlight: str = "") -> list[str]:
    """A key under the plot: a colour square per series (when there are two or more), a dashed tick for markers."""
    entries = [(label, PALETTE[i % len(PALETTE)], "rect") for i, label in enumerate(labels)] if len(labels) > 1 else []
    if highlight:
        entries.append((highlight, WARNING, "rect"))
    if marker:
        entries.append((marker, WARNING, "line"))
    parts, x, y = [], LEFT, height - 14
    for label, colour, shape in entries:
        if shape == "rect":
            parts.append(f"<rect {_attrs(x=x, y=y - 9, width=10, height=10, fill=colour)}/>")
        else:
            parts.append(
                f"<line {_attrs(x1=x, x2=x + 10, y1=y - 4, y2=y - 4, stroke=colour, stroke_width=2)} "
                'stroke-dasharray="4 2"/>'
            )
        parts.append(f"<text {_attrs(x=x + 14, y=y, font_size=11, fill='#333')}>{escape(label)}</text>")
        x += 24 + 7 * len(label)
    return parts


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    for item in series:
        if len(item.values) != len(categories):
            raise ValueError(f"series {item.label!r} has {len(item.values)} values for {len(categories)} categories")


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    markers: Sequence[float | None] | None = None,
    marker_label: str = "",
    highlight: Sequence[bool] | None = None,
    highlight_label: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """Grouped vertical bars, one group per category.

    ``markers`` draws a dashed target tick per category (a schedule, a bound); ``highlight`` paints the
    bars of the marked categories in the warning colour (past the SLA, stale).
    """
    _check(categories, series)
    if markers is not None and len(markers) != len(categories):
        raise ValueError("one marker per category")
    if highlight is not None and len(highlight) != len(categories):
        raise ValueError("one highlight flag per category")
    values = [v for item in series for v in item.values if v is not None]
    marks = [m for m in (markers or []) if m is not None]
    if not categories or not series or not (values or marks):
        return _empty(title, width=width, height=height)
    top_value = nice_max(max([*values, *marks]), integers=all(float(v).is_integer() for v in [*values, *marks]))
    plot_w = width - LEFT - RIGHT
    slot = plot_w / len(categories)
    bottom = BOTTOM + SLANT_EXTRA if _slanted(categories, slot) else BOTTOM
    height += bottom - BOTTOM
    plot_h = height - TOP - bottom
    bar_w = max(1.0, slot * 0.8 / len(series))
    parts = _axis(top_value, width=width, height=height, unit=unit, bottom=bottom)
    centres = []
    for c, category in enumerate(categories):
        x0 = LEFT + c * slot + slot * 0.1
        centres.append(LEFT + c * slot + slot / 2)
        for s, item in enumerate(series):
            value = item.values[c]
            if value is None:
                continue
            h = plot_h * max(value, 0) / top_value
            colour = WARNING if highlight and highlight[c] else PALETTE[s % len(PALETTE)]
            label = f"{category} · {item.label}: {_number(value)}{(' ' + unit) if unit else ''}"
            parts.append(
                f"<rect {_attrs(x=round(x0 + s * bar_w, 2), y=round(TOP + plot_h - h, 2), width=round(bar_w, 2))} "
                f"{_attrs(height=round(h, 2), fill=colour)}>"
                f"<title>{escape(label)}</title></rect>"
            )
        if markers is not None and markers[c] is not None:
            y = round(TOP + plot_h - plot_h * markers[c] / top_value, 2)
            parts.append(
                f"<line {_attrs(x1=round(x0, 2), x2=round(x0 + slot * 0.8, 2), y1=y, y2=y)} "
                f'stroke="{WARNING}" stroke-width="2" stroke-dasharray="4 2"><title>'
                f"{escape(f'{category} · {marker_label}: {_number(markers[c])}')}</title></line>"
            )
    parts += _x_labels(categories, centres, height=height, bottom=bottom)
    parts += _legend(
        [item.label for item in series],
        height=height,
        marker=marker_label if markers else "",
        highlight=highlight_label if highlight and any(highlight) else "",
    )
    return _frame(title, parts, width=width, height=height)


def line_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """One line per series over the categories (gaps where a value is None), a dot on each point."""
    _check(categories, series)
    values = [v for item in series for v in item.values if v is not None]
    if not categories or not values:
        return _empty(title, width=width, height=height)
    top_value = nice_max(max(values), integers=all(float(v).is_integer() for v in values))
    plot_w = width - LEFT - RIGHT
    step = plot_w / len(categories)
    bottom = BOTTOM + SLANT_EXTRA if _slanted(categories, step) else BOTTOM
    height += bottom - BOTTOM
    plot_h = height - TOP - bottom
    centres = [LEFT + step * i + step / 2 for i in range(len(categories))]
    parts = _axis(top_value, width=width, height=height, unit=unit, bottom=bottom)
    for s, item in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points: list[str] = []
        runs: list[list[str]] = [points]
        for c, value in enumerate(item.values):
            if value is None:
                points = []
                runs.append(points)
                continue
            x, y = round(centres[c], 2), round(TOP + plot_h - plot_h * max(value, 0) / top_value, 2)
            points.append(f"{x},{y}")
            label = f"{categories[c]} · {item.label}: {_number(value)}{(' ' + unit) if unit else ''}"
            parts.append(f"<circle {_attrs(cx=x, cy=y, r=3, fill=colour)}><title>{escape(label)}</title></circle>")
        for run in runs:
            if len(run) > 1:
                parts.append(f"<polyline {_attrs(points=' '.join(run), fill='none', stroke=colour, stroke_width=2)}/>")
    parts += _x_labels(categories, centres, height=height, bottom=bottom)
    parts += _legend([item.label for item in series], height=height)
    return _frame(title, parts, width=width, height=height)
