"""Inline SVG for the HTML reports: a linear scale with round ticks, and the shapes charts are
made of (bars, error bars, axes, labelled marks, a legend), each as one line of SVG.

Colours come from the page's CSS classes (`html_page.CSS`); every piece of text goes through
`safety.html_text`; coordinates are written with at most one decimal, so the same report gives
the same bytes."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from salesflow.reporters.html_page import Html
from salesflow.reporters.safety import html_text

WIDTH = 720
FONT_PX = 12
CHAR_PX = 6.6  # the average width of a character at FONT_PX, to leave room for labels
CAP = 4  # half the width of an error bar's caps
ELLIPSIS = "…"

Label = Callable[[float], str]


def px(value: float) -> str:
    """A coordinate: one decimal at most ("12", "12.5")."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def tick_number(value: float) -> str:
    """An axis label: "0", "2.5", "1,000"."""
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def text_width(text: str) -> float:
    return len(text) * CHAR_PX


def shorten(text: str, limit: int) -> str:
    """The text cut to `limit` characters with an ellipsis, for a label with little room."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Scale:
    """Values from `low` to `high` drawn from pixel `start` to `end`; values outside are drawn
    at the nearer end."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low
        share = (value - self.low) / span if span > 0 else 0.0
        return self.start + min(max(share, 0.0), 1.0) * (self.end - self.start)


def round_step(span: float, count: int) -> float:
    """The 1, 2 or 5 × 10^k step that splits `span` into at most about `count` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    return next(step * power for step in (1.0, 2.0, 5.0, 10.0) if step * power >= raw)


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values from `low` to `high` (both ends inside the range)."""
    step = round_step(high - low, count)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def rounded_top(high: float, count: int = 5) -> float:
    """The round value at or above `high` where an axis from 0 ends."""
    if high <= 0:
        return 1.0
    step = round_step(high, count)
    return math.ceil(high / step - 1e-9) * step


# --- shapes -----------------------------------------------------------------------------------


def chart(label: str, height: float, parts: Sequence[str]) -> Html:
    """The <svg> element: `label` as its accessible name (aria-label and <title>)."""
    name = html_text(label)
    opening = (
        f'<svg class="chart" role="img" aria-label="{name}" viewBox="0 0 {WIDTH} {px(height)}" '
        f'width="{WIDTH}" height="{px(height)}">'
    )
    return Html("\n".join([opening, f"<title>{name}</title>", *parts, "</svg>"]))


def rect(x: float, y: float, width: float, height: float, css: str, tooltip: str = "") -> str:
    shape = f'x="{px(x)}" y="{px(y)}" width="{px(max(width, 0.0))}" height="{px(height)}"'
    if not tooltip:
        return f'<rect class="{css}" {shape}/>'
    return f'<rect class="{css}" {shape}><title>{html_text(tooltip)}</title></rect>'


def line(x1: float, y1: float, x2: float, y2: float, css: str, tooltip: str = "") -> str:
    shape = f'<line class="{css}" x1="{px(x1)}" y1="{px(y1)}" x2="{px(x2)}" y2="{px(y2)}"'
    return f"{shape}><title>{html_text(tooltip)}</title></line>" if tooltip else shape + "/>"


def text(
    x: float, y: float, words: str, anchor: str = "start", css: str = "", full: str = ""
) -> str:
    """A label; `full` (the uncut text, when `words` was shortened) shows on hover."""
    klass = f' class="{css}"' if css else ""
    where = f'x="{px(x)}" y="{px(y)}"' + (f' text-anchor="{anchor}"' if anchor != "start" else "")
    hover = f"<title>{html_text(full)}</title>" if full and full != words else ""
    return f"<text{klass} {where}>{hover}{html_text(words)}</text>"


def vertical_text(x: float, y: float, words: str) -> str:
    """An axis title read bottom to top."""
    return (
        f'<text class="muted" x="{px(x)}" y="{px(y)}" text-anchor="middle" '
        f'transform="rotate(-90 {px(x)} {px(y)})">{html_text(words)}</text>'
    )


def error_bar_across(low: float, high: float, y: float) -> list[str]:
    """A horizontal error bar from x `low` to `high` at height `y`, with caps."""
    return [
        line(low, y, high, y, "whisker"),
        line(low, y - CAP, low, y + CAP, "whisker"),
        line(high, y - CAP, high, y + CAP, "whisker"),
    ]


def error_bar_up(x: float, low: float, high: float, width: float, tooltip: str = "") -> list[str]:
    """A vertical error bar at `x` from y `low` to `high`, its caps no wider than `width` (a
    column's) and its line thin when the column is."""
    cap = min(CAP, width / 2)
    css = "whisker" if width >= 2 * CAP else "whisker thin"
    return [
        line(x, low, x, high, css, tooltip),
        line(x - cap, low, x + cap, low, css),
        line(x - cap, high, x + cap, high, css),
    ]


def x_axis(
    scale: Scale, values: Sequence[float], top: float, bottom: float, label: Label, title: str
) -> list[str]:
    """Vertical grid lines at `values` from `top` to `bottom`, their labels below, the axis line
    and its title under them."""
    parts: list[str] = []
    for value in values:
        x = scale(value)
        parts += [line(x, top, x, bottom, "grid"), text(x, bottom + 15, label(value), "middle")]
    middle = (scale.start + scale.end) / 2
    parts += [
        line(scale.start, bottom, scale.end, bottom, "axis"),
        text(middle, bottom + 33, title, "middle", "muted"),
    ]
    return parts


def y_axis(
    scale: Scale, values: Sequence[float], left: float, right: float, label: Label, title: str
) -> list[str]:
    """Horizontal grid lines at `values` from `left` to `right`, their labels to the left, the
    axis line and its title (read upwards) at the far left."""
    parts: list[str] = []
    for value in values:
        y = scale(value)
        parts += [line(left, y, right, y, "grid"), text(left - 6, y + 4, label(value), "end")]
    middle = (scale.start + scale.end) / 2
    parts += [line(left, scale.start, left, scale.end, "axis"), vertical_text(14, middle, title)]
    return parts


def mark(x: float, top: float, bottom: float, css: str, words: str, label_y: float) -> list[str]:
    """A vertical line across the plot with its label above it, kept inside the picture."""
    width = text_width(words)
    if x + width / 2 > WIDTH - 4:
        anchor = "end"
    elif x - width / 2 < 4:
        anchor = "start"
    else:
        anchor = "middle"
    return [line(x, top, x, bottom, css), text(x, label_y, words, anchor)]


@dataclass(frozen=True)
class Key:
    """A legend entry: a filled swatch (`bar`) or a short line (a mark) in a CSS class."""

    css: str
    words: str
    bar: bool = True


def legend(keys: Sequence[Key], x: float, y: float) -> list[str]:
    """The keys in one row starting at (x, y), y being the text's baseline."""
    parts: list[str] = []
    for key in keys:
        if key.bar:
            parts.append(rect(x, y - 10, 12, 12, key.css))
        else:
            parts.append(line(x + 6, y - 11, x + 6, y + 3, key.css))
        parts.append(text(x + 17, y, key.words))
        x += 17 + text_width(key.words) + 18
    return parts
