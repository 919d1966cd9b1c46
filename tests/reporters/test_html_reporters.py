"""`analyze --format html` and `forecast --format html` on the hand-made reports of the other
reporter tests: golden files (`pytest --update-golden`), the page's structure read back with
html.parser (one named <svg> per chart, nothing that runs or loads), the tables' numbers against
the report, the charts drawn to scale (bar lengths, intervals, the plan, P10/P50/P90 and the
target where their values are), and hostile names that stay text."""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

import pytest

from salesflow.model.forecast import Forecast
from salesflow.model.funnel import FunnelReport
from salesflow.reporters import ANALYZE_FORMATS, FORECAST_FORMATS, safety
from tests.reporters.html_dom import Node, chart, parse, table_rows
from tests.reporters.test_analyze_goals_reporters import goals_report
from tests.reporters.test_analyze_reporters import report, small_report, undated_report
from tests.reporters.test_forecast_reporters import forecast, plan_forecast
from tests.reporters.test_output_safety import ESCAPES, HOSTILE_NAMES

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "ul", "li",
    "strong", "section", "figure", "figcaption", "table", "caption", "thead", "tbody", "tr",
    "th", "td", "svg", "rect", "line", "text",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "class", "scope", "role", "aria-label",
    "viewbox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "text-anchor", "transform",
}  # fmt: skip
MEASURED = "measured"


def analyze_html(which: FunnelReport) -> str:
    return ANALYZE_FORMATS.renderer("html")(which, False)


def forecast_html(which: Forecast) -> str:
    return FORECAST_FORMATS.renderer("html")(which, False)


def without_pipeline() -> Forecast:
    return forecast().model_copy(update={"pipeline": None})


PAGES: dict[str, Callable[[], str]] = {
    "analyze_html.html": lambda: analyze_html(report(groups=True)),
    "analyze_html_small.html": lambda: analyze_html(small_report()),
    "analyze_html_goals.html": lambda: analyze_html(goals_report()),
    "forecast_html.html": lambda: forecast_html(forecast()),
    "forecast_html_plan.html": lambda: forecast_html(plan_forecast()),
}
CHARTS = {
    "analyze_html.html": ["Funnel against plan", "Conversion per stage", "Days in stage"],
    "analyze_html_small.html": ["Funnel against plan", "Conversion per stage", "Days in stage"],
    "analyze_html_goals.html": ["Funnel against plan", "Conversion per stage", "Days in stage"],
    "forecast_html.html": ["Revenue distribution", "Revenue by month"],
    "forecast_html_plan.html": ["Revenue distribution"],
}


@pytest.mark.parametrize("name", list(PAGES))
def test_golden(name: str, golden: Callable[[str, str], None]) -> None:
    golden(name, PAGES[name]())


# --- structure ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_one_named_svg_per_chart_with_its_table(name: str) -> None:
    document = parse(PAGES[name]())
    svgs = document.find_all("svg")
    assert [svg.attrs["aria-label"] for svg in svgs] == CHARTS[name]
    assert len(document.find_all("figure")) == len(svgs)
    for svg, title in zip(svgs, CHARTS[name], strict=True):
        assert svg.attrs["role"] == "img"
        first = next(child for child in svg.children if not isinstance(child, str))
        assert first.tag == "title" and first.text() == title
        header, rows = table_rows(document, f"{title}, in numbers")
        assert header and rows


@pytest.mark.parametrize("name", list(PAGES))
def test_nothing_runs_or_loads(name: str) -> None:
    html = PAGES[name]()
    document = parse(html)
    tags = {node.tag for node in document.elements()} - {"#document"}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    attributes = {a for node in document.elements() for a in node.attrs}
    assert attributes <= ALLOWED_ATTRIBUTES, attributes - ALLOWED_ATTRIBUTES
    assert "<script" not in html.lower()
    assert "url(" not in html and "@import" not in html
    policy = next(m for m in document.find_all("meta") if m.attrs.get("http-equiv"))
    assert policy.attrs["content"].startswith("default-src 'none';")


@pytest.mark.parametrize("name", list(PAGES))
def test_document_shape_and_svg_is_well_formed_xml(name: str) -> None:
    html = PAGES[name]()
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">\n')
    assert html.endswith("</html>\n") and "\r" not in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        ElementTree.fromstring(svg)  # raises on anything an XML reader would refuse


def test_colour_is_ignored() -> None:
    assert ANALYZE_FORMATS.renderer("html")(report(), True) == analyze_html(report())
    assert FORECAST_FORMATS.renderer("html")(forecast(), True) == forecast_html(forecast())


def test_undated_report_has_no_days_chart() -> None:
    document = parse(analyze_html(undated_report()))
    assert [svg.attrs["aria-label"] for svg in document.find_all("svg")] == [
        "Funnel against plan",
        "Conversion per stage",
    ]
    assert "Days in stage" not in document.words()


# --- the numbers ----------------------------------------------------------------------------


def test_analyze_tables_hold_the_reports_numbers() -> None:
    document = parse(analyze_html(report(groups=True)))
    assert table_rows(document, "Funnel against plan, in numbers") == (
        ["Stage", "Entered", "Reached (measured)", "Reached (plan)"],
        [
            ["Lead", "1,200", "100%", "100%"],
            ["Discovery | Call", "480", "43%", "40%"],  # 0.4312; 0.4
            ["Technical Validation", "300", "29%", "28%"],  # 0.4312 × 0.6688; 0.4 × 0.7
            ["Negotiation", "150", "16%", "21%"],  # 0.156; 0.28 × 0.75
            ["Won", "90", "11%", "–"],  # Negotiation has no plan
        ],
    )
    assert table_rows(document, "Conversion per stage, in numbers")[1] == [
        ["Lead", "43%", "40–46%", "40%", "+3.1", "above plan"],
        ["Discovery | Call", "67%", "62–71%", "70%", "-3.1", ""],
        ["Technical Validation", "54%", "48–60%", "75%", "-21", "below plan"],
        ["Negotiation", "69%", "61–77%", "–", "–", ""],
    ]
    assert table_rows(document, "Days in stage, in numbers")[1] == [
        ["Lead", "6.5", "6.0–7.5", "12", "5.0", "8.5"],
        ["Discovery | Call", "10", "–", "21", "8.0", "16"],
        ["Technical Validation", "14", "≥ 12", "not reached", "11", "38"],
        ["Negotiation", "–", "–", "–", "–", "–"],
    ]
    header, rows = table_rows(document, "Deals and conversion per stage by owner")
    assert header[:6] == ["Owner", "Deals", "Won", "Lost", "Open", "Win rate"]
    assert rows[1][:6] == ["bob (small)", "12", "0", "7", "5", "–"]


def test_analyze_summary_and_bottleneck() -> None:
    words = parse(analyze_html(report())).find("main").words()
    assert "Deals: 1,200 — 90 won, 870 lost, 240 open" in words
    assert "Win rate: 11% (closed deals only: 9.4%)" in words
    assert (
        "Bottleneck: Technical Validation — 99.9% sure it converts below the planned 75%" in words
    )
    assert "No stage is clearly below plan." in parse(analyze_html(small_report())).words()


def test_goal_tables() -> None:
    document = parse(analyze_html(goals_report()))
    assert "Win rate: 11% (8.6–13) against the goal of 20%" in document.words()
    quota_caption = next(
        c.words() for c in document.find_all("caption") if c.words().startswith("By owner: quota")
    )
    header, rows = table_rows(document, quota_caption)
    assert header[:3] == ["Owner", "Role", "Quota"]
    assert [row[0] for row in rows] == ["ann", "bob"]


def test_forecast_tables_hold_the_forecasts_numbers() -> None:
    document = parse(forecast_html(forecast()))
    assert table_rows(document, "Revenue distribution, in numbers") == (
        ["Revenue", "Share", "Simulations"],
        [
            ["< USD 100,000", "1.2%", "1,200"],
            ["USD 100,000 to 150,000", "6.8%", "6,800"],
            ["USD 150,000 to 200,000", "18%", "17,500"],
            ["USD 200,000 to 250,000", "26%", "26,000"],
            ["USD 250,000 to 300,000", "24%", "23,500"],
            ["USD 300,000 to 350,000", "14%", "14,500"],
            ["USD 350,000 to 400,000", "7.0%", "7,000"],
            ["≥ USD 400,000", "3.5%", "3,500"],
        ],
    )
    assert table_rows(document, "Revenue by month, in numbers") == (
        ["month", "P10", "P50", "P90", "mean", "new leads", "pipeline"],
        [
            ["2026-11", "USD 0", "USD 18,000", "USD 48,000", "USD 21,000", "USD 0", "USD 21,000"],
            ["2026-12", "USD 52,000", "USD 94,000", "USD 142,000", "USD 96,000", "USD 30,000",
             "USD 66,000"],
            ["2027-01", "USD 61,000", "USD 99,000", "USD 144,500", "USD 100,728", "USD 95,000",
             "USD 5,728"],
            ["later", "USD 200,000", "USD 300,000", "USD 400,000", "USD 301,000", "USD 92,728",
             "USD 208,272"],
        ],
    )  # fmt: skip
    words = document.words()
    assert "Target USD 250,000: reached with probability 37%." in words
    assert "Open pipeline: 37 deals, weighted USD 301,234" in words


# --- the charts, to scale -------------------------------------------------------------------


def axis_origin_and_span(svg: Node, zero: str, full: str) -> tuple[float, float]:
    """x of the grid lines labelled `zero` and `full`, and the distance between them."""
    grid = [line.number("x1") for line in svg.find_all("line", "grid")]
    labels = [t.words() for t in svg.find_all("text") if t.attrs.get("text-anchor") == "middle"]
    assert labels[0] == zero and labels[len(grid) - 1] == full, labels
    return grid[0], grid[-1] - grid[0]


def test_conversion_chart_draws_bars_intervals_and_plan_to_scale() -> None:
    which = report()
    svg = chart(parse(analyze_html(which)), "Conversion per stage")
    x0, span = axis_origin_and_span(svg, "0%", "100%")
    bars = [r for r in svg.find_all("rect") if r.tooltip()]
    stages = which.funnel.stages
    assert len(bars) == len(stages)
    for bar, stage in zip(bars, stages, strict=True):
        assert stage.conversion is not None and stage.conversion_ci is not None
        assert bar.number("x") == pytest.approx(x0, abs=0.05)
        assert bar.number("width") == pytest.approx(stage.conversion * span, abs=0.1)
        css = "below" if stage.id == "validation" else MEASURED
        assert bar.attrs["class"] == css
    whiskers = [w for w in svg.find_all("line", "whisker") if w.number("y1") == w.number("y2")]
    horizontal = [w for w in whiskers if w.number("x2") - w.number("x1") > 1]
    for whisker, stage in zip(horizontal, stages, strict=True):
        low, high = stage.conversion_ci  # type: ignore[misc]
        assert whisker.number("x1") == pytest.approx(x0 + low * span, abs=0.1)
        assert whisker.number("x2") == pytest.approx(x0 + high * span, abs=0.1)
    plans = [line.number("x1") for line in svg.find_all("line", "plan-mark") if line.tooltip()]
    expected = [s.planned_conversion for s in stages if s.planned_conversion is not None]
    assert plans == pytest.approx([x0 + p * span for p in expected], abs=0.1)


def test_funnel_chart_bars_are_the_reach_of_each_stage() -> None:
    svg = chart(parse(analyze_html(report())), "Funnel against plan")
    _, span = axis_origin_and_span(svg, "0%", "100%")
    widths = {r.tooltip(): r.number("width") / span for r in svg.find_all("rect") if r.tooltip()}
    assert widths == pytest.approx(
        {
            "Lead, measured: 100%": 1.0,
            "Lead, plan: 100%": 1.0,
            "Discovery | Call, measured: 43%": 0.4312,
            "Discovery | Call, plan: 40%": 0.4,
            "Technical Validation, measured: 29%": 0.4312 * 0.6688,
            "Technical Validation, plan: 28%": 0.28,
            "Negotiation, measured: 16%": 0.156074806272,
            "Negotiation, plan: 21%": 0.21,
            "Won, measured: 11%": 0.10805178895753847,
        },
        abs=0.0002,
    )
    assert "Won, plan: –" not in widths  # no bar where the plan has no number


def test_days_chart_marks_the_p80() -> None:
    which = report()
    svg = chart(parse(analyze_html(which)), "Days in stage")
    x0, span = axis_origin_and_span(svg, "0", "25")  # P80 at most 21 days: the axis ends at 25
    medians = [r for r in svg.find_all("rect", "median") if r.tooltip()]
    assert [r.number("width") / span * 25 for r in medians] == pytest.approx(
        [6.5, 10.25, 14.0], abs=0.01
    )
    marks = [line.number("x1") for line in svg.find_all("line", "p80-mark") if line.tooltip()]
    assert marks == pytest.approx([x0 + 12 / 25 * span, x0 + 21 / 25 * span], abs=0.1)
    assert "14 days (80%: not reached)" in svg.words()


def test_histogram_marks_p10_p50_p90_and_target_in_their_bins() -> None:
    which = forecast()
    svg = chart(parse(forecast_html(which)), "Revenue distribution")
    labels = [t.words() for t in svg.find_all("text")]
    revenue = which.revenue
    marks = {
        "quantile-mark": [revenue.p10, revenue.p90],
        "p50-mark": [revenue.p50],
        "target-mark": [250_000.0],
    }
    for words in ("P10 USD 118,904", "P50 USD 211,350", "P90 USD 325,118", "Target USD 250,000"):
        assert words in labels
    bins = [r for r in svg.find_all("rect", "hist")]
    edges = which.histogram.edges
    for css, values in marks.items():
        lines = [line.number("x1") for line in svg.find_all("line", css)]
        assert len(lines) == len(values)
        for x, value in zip(lines, values, strict=True):
            bar = bins[bisect.bisect_right(edges, value) - 1]
            assert bar.number("x") - 0.5 <= x <= bar.number("x") + bar.number("width") + 0.5
    heights = [bar.number("height") for bar in bins]
    counts = which.histogram.counts
    assert [h / heights[3] for h in heights] == pytest.approx(
        [c / counts[3] for c in counts], abs=0.01
    )


def test_target_beyond_the_histogram_is_drawn_at_its_edge_with_an_arrow() -> None:
    full = forecast()
    assert full.target is not None
    far = full.model_copy(update={"target": full.target.model_copy(update={"amount": 9e6})})
    svg = chart(parse(forecast_html(far)), "Revenue distribution")
    assert "Target USD 9,000,000 →" in [t.words() for t in svg.find_all("text")]
    target = svg.find("line", "target-mark").number("x1")
    assert target == max(r.number("x") + r.number("width") for r in svg.find_all("rect")) + 0.5


def test_month_columns_stack_the_pipeline_under_the_new_leads() -> None:
    which = forecast()
    svg = chart(parse(forecast_html(which)), "Revenue by month")
    pipeline = svg.find_all("rect", "pipeline")[1:]  # the first is the legend's swatch
    new = svg.find_all("rect", "new-leads")[1:]
    assert len(pipeline) == len(new) == len(which.months)
    per_pixel = pipeline[1].number("height") / which.months[1].pipeline
    for low, high, month in zip(pipeline, new, which.months, strict=True):
        assert high.number("y") + high.number("height") == pytest.approx(low.number("y"), abs=0.1)
        assert low.number("height") == pytest.approx(month.pipeline * per_pixel, abs=0.15)
        assert high.number("height") == pytest.approx(month.new_leads * per_pixel, abs=0.15)
    assert "from the open pipeline" in svg.words() and "from new leads" in svg.words()


def test_month_columns_without_a_pipeline_are_one_part() -> None:
    svg = chart(parse(forecast_html(without_pipeline())), "Revenue by month")
    assert not svg.find_all("rect", "pipeline")
    assert "mean revenue" in svg.words()
    assert len(svg.find_all("rect", "new-leads")) == 1 + 4  # the legend's swatch and 4 months


# --- hostile names --------------------------------------------------------------------------


def hostile_analyze(name: str) -> FunnelReport:
    base = report(groups=True)
    stages = [s.model_copy(update={"name": f"{name} {s.name}"}) for s in base.funnel.stages]
    funnel = base.funnel.model_copy(update={"stages": stages})
    groups = [g.model_copy(update={"key": f"{name}{i}"}) for i, g in enumerate(base.groups)]
    return base.model_copy(
        update={"process": name, "source": name, "by": name, "funnel": funnel, "groups": groups,
                "notes": [name], "currency": name}
    )  # fmt: skip


def hostile_forecast(name: str) -> Forecast:
    base = forecast()
    stages = [s.model_copy(update={"name": f"{name} {s.name}"}) for s in base.stages]
    months = [m.model_copy(update={"month": name}) for m in base.months]
    return base.model_copy(
        update={"process": name, "stages": stages, "notes": [name], "currency": name,
                "months": months}
    )  # fmt: skip


HOSTILE = [*HOSTILE_NAMES, '"><script>alert("x")</script>', "' onload='alert(1)", *ESCAPES]
KINDS: dict[str, Callable[[str], str]] = {
    "analyze": lambda name: analyze_html(hostile_analyze(name)),
    "forecast": lambda name: forecast_html(hostile_forecast(name)),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_stay_text(kind: str, name: str) -> None:
    html = KINDS[kind](name)
    document = parse(html)
    plain = parse(KINDS[kind]("Plain"))
    tags = {node.tag for node in document.elements()}
    assert tags <= ALLOWED_TAGS | {"#document"}, tags - ALLOWED_TAGS
    assert {a for n in document.elements() for a in n.attrs} <= ALLOWED_ATTRIBUTES
    for tag in ("svg", "figure", "table", "section", "h2", "tr", "rect"):
        assert len(document.find_all(tag)) == len(plain.find_all(tag)), tag
    shown = safety.terminal_text(name)
    title = "funnel analysis" if kind == "analyze" else "revenue forecast"
    assert document.find("h1").text() == f"{shown}: {title}"
    assert document.find("title").text() == f"{shown}: {title}"
    assert not safety.CONTROL.search(html.replace("\n", ""))
    assert "<script" not in html.lower()


def test_days_chart_marks_the_planned_median_and_tables_it() -> None:
    """expected.days of the process file: a plan mark on each planned stage, a table column."""
    plain = report()
    planned = {"lead": 8.0, "discovery": 30.0}  # 30 days widens the axis to 30
    stages = [
        stage.model_copy(update={"planned_days": planned.get(stage.id)})
        for stage in plain.funnel.stages
    ]
    which = plain.model_copy(update={"funnel": plain.funnel.model_copy(update={"stages": stages})})
    document = parse(analyze_html(which))
    svg = chart(document, "Days in stage")
    x0, span = axis_origin_and_span(svg, "0", "30")
    marks = [line.number("x1") for line in svg.find_all("line", "plan-mark") if line.tooltip()]
    assert marks == pytest.approx([x0 + 8 / 30 * span, x0 + 30 / 30 * span], abs=0.1)
    assert "Lead, planned median: 8.0 days" in [
        line.tooltip() for line in svg.find_all("line", "plan-mark")
    ]
    headers, rows = table_rows(document, "Days in stage, in numbers")
    assert headers[:4] == ["Stage", "Median days", "Median 95% CI", "Planned median"]
    assert [row[3] for row in rows] == ["8.0", "30", "–", "–"]


def test_days_chart_draws_the_medians_bounded_interval_only() -> None:
    """Lead's median 6.5 has the interval 6.0–7.5: a whisker at scale; Technical Validation's
    (≥ 12, open above) has none, and says so in its tooltip."""
    document = parse(analyze_html(report()))
    svg = chart(document, "Days in stage")
    x0, span = axis_origin_and_span(svg, "0", "25")  # the axis ends past Discovery's P80, 21
    whiskers = [w for w in svg.find_all("line", "whisker") if w.number("y1") == w.number("y2")]
    assert [(w.number("x1"), w.number("x2")) for w in whiskers] == [
        (pytest.approx(x0 + 6.0 / 25 * span, abs=0.1), pytest.approx(x0 + 7.5 / 25 * span, abs=0.1))
    ]
    assert "95% interval of the median" in svg.text()
    tooltips = [rect.tooltip() for rect in svg.find_all("rect", "median")]
    assert "Lead, median: 6.5 days (95% CI 6.0–7.5)" in tooltips
    assert "Technical Validation, median: 14 days (95% CI ≥ 12)" in tooltips
