"""The three chart layouts of the HTML reports, built from `svg`'s shapes:

- `bar_rows`: one row per category (a stage) with one or more horizontal bars, each with an
  optional error bar, and marks across the row (the plan);
- `columns`: one column per category (a month), stacked from parts, with an optional error bar;
- `histogram`: adjacent bins on a continuous axis, with labelled vertical marks (P10, P50, P90,
  the target).

The callers give values and words; the layouts place them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from salesflow.reporters import svg
from salesflow.reporters.html_page import Html
from salesflow.reporters.svg import WIDTH, Key, Label, Scale

LEGEND_BASELINE = 18
PLOT_TOP = 32
AXIS_ROOM = 44  # under the plot: tick labels and the axis title
LABEL_CHARS = 28  # a longer category label is cut (the whole of it shows on hover)
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_PADDING = 12
VALUE_ROOM = 70  # right of a bar row's plot: the value written after the longest bar
PLOT_HEIGHT = 220
MARK_ROW = 15


@dataclass(frozen=True)
class Axis:
    """A value axis from 0 to `high`, its tick labels and its title."""

    high: float
    label: Label
    title: str
    step_count: int = 5


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: `value` None draws no bar, only `shown` (a dash, "not reached")."""

    value: float | None
    css: str
    tooltip: str
    shown: str
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class Tick:
    """A mark across a whole row at `value` (the plan), explained by its tooltip."""

    value: float
    css: str
    tooltip: str


@dataclass(frozen=True)
class Row:
    label: str
    bars: Sequence[Bar]
    ticks: Sequence[Tick] = ()


def bar_rows(title: str, rows: Sequence[Row], axis: Axis, keys: Sequence[Key]) -> Html:
    left = _label_room([row.label for row in rows])
    scale = Scale(0.0, axis.high, left, WIDTH - VALUE_ROOM)
    parts = svg.legend(keys, left, LEGEND_BASELINE)
    top = float(PLOT_TOP)
    for row in rows:
        height = _row_height(row)
        parts += _bar_row(row, scale, top, height)
        top += height
    values = svg.ticks(0.0, axis.high, axis.step_count)
    parts = svg.x_axis(scale, values, PLOT_TOP, top, axis.label, axis.title) + parts
    return svg.chart(title, top + AXIS_ROOM, parts)


def _label_room(labels: Sequence[str]) -> float:
    longest = max((len(svg.shorten(label, LABEL_CHARS)) for label in labels), default=0)
    return min(max(longest * svg.CHAR_PX + 16, 60.0), 220.0)


def _row_height(row: Row) -> float:
    count = max(len(row.bars), 1)
    return count * BAR_HEIGHT + (count - 1) * BAR_GAP + ROW_PADDING


def _bar_row(row: Row, scale: Scale, top: float, height: float) -> list[str]:
    label = svg.shorten(row.label, LABEL_CHARS)
    parts = [svg.text(scale.start - 8, top + height / 2 + 4, label, "end", full=row.label)]
    for index, bar in enumerate(row.bars):
        parts += _bar(bar, scale, top + ROW_PADDING / 2 + index * (BAR_HEIGHT + BAR_GAP))
    for tick in row.ticks:
        x = scale(tick.value)
        parts.append(svg.line(x, top + 2, x, top + height - 2, tick.css, tick.tooltip))
    return parts


def _bar(bar: Bar, scale: Scale, y: float) -> list[str]:
    parts: list[str] = []
    end = scale.start
    if bar.value is not None:
        end = scale(bar.value)
        parts.append(svg.rect(scale.start, y, end - scale.start, BAR_HEIGHT, bar.css, bar.tooltip))
    if bar.interval is not None:
        low, high = (scale(value) for value in bar.interval)
        parts += svg.error_bar_across(low, high, y + BAR_HEIGHT / 2)
        end = max(end, high)
    parts.append(svg.text(end + 6, y + BAR_HEIGHT - 3, bar.shown, css="muted"))
    return parts


# --- columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A stacked piece of a column."""

    value: float
    css: str
    tooltip: str


@dataclass(frozen=True)
class Column:
    label: str
    parts: Sequence[Part]
    interval: tuple[float, float] | None = None
    interval_tooltip: str = ""


def columns(title: str, items: Sequence[Column], axis: Axis, keys: Sequence[Key]) -> Html:
    values = svg.ticks(0.0, axis.high, axis.step_count)
    left = 30 + max((svg.text_width(axis.label(value)) for value in values), default=0.0)
    bottom = PLOT_TOP + PLOT_HEIGHT
    scale = Scale(0.0, axis.high, bottom, PLOT_TOP)
    slot = (WIDTH - 16 - left) / max(len(items), 1)
    parts = svg.y_axis(scale, values, left, WIDTH - 16, axis.label, axis.title)
    parts += svg.legend(keys, left, LEGEND_BASELINE)
    every = _label_every(items, slot)
    for index, item in enumerate(items):
        centre = left + slot * (index + 0.5)
        parts += _column(item, scale, centre, min(slot * 0.6, 48.0))
        if index % every == 0:
            parts.append(svg.text(centre, bottom + 15, item.label, "middle"))
    return svg.chart(title, bottom + AXIS_ROOM - 14, parts)


def _label_every(items: Sequence[Column], slot: float) -> int:
    """Label every n-th column, so that labels do not overlap."""
    widest = max((svg.text_width(item.label) for item in items), default=0.0) + 8
    return max(1, math.ceil(widest / slot)) if slot > 0 else 1


def _column(item: Column, scale: Scale, centre: float, width: float) -> list[str]:
    parts: list[str] = []
    base = 0.0
    for part in item.parts:
        top, bottom = scale(base + part.value), scale(base)
        parts.append(svg.rect(centre - width / 2, top, width, bottom - top, part.css, part.tooltip))
        base += part.value
    if item.interval is not None:
        low, high = (scale(value) for value in item.interval)
        parts += svg.error_bar_up(centre, low, high, width, item.interval_tooltip)
    return parts


# --- histogram ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    value: float
    css: str
    words: str


@dataclass(frozen=True)
class Bins:
    """Adjacent bins: `edges` has one more value than `shares`."""

    edges: Sequence[float]
    shares: Sequence[float]
    tooltips: Sequence[str]


def histogram(title: str, bins: Bins, marks: Sequence[Mark], x_axis: Axis, y_axis: Axis) -> Html:
    top = PLOT_TOP + MARK_ROW * len(marks)
    bottom = top + PLOT_HEIGHT
    y_values = svg.ticks(0.0, y_axis.high, y_axis.step_count)
    left = 30 + max((svg.text_width(y_axis.label(value)) for value in y_values), default=0.0)
    low, high = bins.edges[0], bins.edges[-1]
    across = Scale(low, high, left, WIDTH - 24)
    up = Scale(0.0, y_axis.high, bottom, top)
    x_values = svg.ticks(low, high, x_axis.step_count)
    parts = svg.y_axis(up, y_values, left, WIDTH - 24, y_axis.label, y_axis.title)
    parts += svg.x_axis(across, x_values, bottom, bottom, x_axis.label, x_axis.title)
    for index, share in enumerate(bins.shares):
        x0, x1 = across(bins.edges[index]), across(bins.edges[index + 1])
        y = up(share)
        parts.append(svg.rect(x0 + 0.5, y, x1 - x0 - 1, bottom - y, "hist", bins.tooltips[index]))
    for row, found in enumerate(marks):
        words = _off_chart(found, across)
        parts += svg.mark(across(found.value), top, bottom, found.css, words, _mark_y(row))
    return svg.chart(title, bottom + AXIS_ROOM, parts)


def _mark_y(row: int) -> float:
    return PLOT_TOP - 4 + MARK_ROW * row


def _off_chart(found: Mark, scale: Scale) -> str:
    """The mark's words, with an arrow when its value lies beyond the axis."""
    if found.value > scale.high:
        return f"{found.words} →"
    if found.value < scale.low:
        return f"← {found.words}"
    return found.words
