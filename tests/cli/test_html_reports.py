"""`salesflow analyze --format html` and `salesflow forecast --format html` as a user runs them:
through the CLI into a file (`-o`), on a small process whose stage and process names carry HTML
and quotes, then opened in a real headless browser (chromium, tests/browser.py): the screenshot
has the window's size and the charts' colours, and the DOM the browser built has the key texts,
the charts, and no script."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests import browser
from tests.helpers import assert_clean_exit, invoke, write
from tests.reporters.html_dom import parse

pytestmark = pytest.mark.xdist_group("browser")

DEMO = "Demo <script>alert('x')</script> & \"more\""
PROCESS_NAME = 'Acme <b>B2B</b> "sales"'
PROCESS = """\
salesflow: 1
name: Acme <b>B2B</b> "sales"
currency: USD
roles:
  - id: ae
    title: Account Executive
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need and budget confirmed]
    expected: {conversion: 0.6, days: 10}
    aliases: [Discovery Call, Qualified]
  - id: demo
    name: "Demo <script>alert('x')</script> & \\"more\\""
    owner: ae
    exit_criteria: [Demo accepted by the champion]
    expected: {conversion: 0.5, days: 7}
    aliases: [Demo Scheduled]
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Order form signed]
    expected: {conversion: 0.9, days: 14}
    aliases: [Proposal Sent]
outcomes:
  won: {name: Closed Won, aliases: [Won]}
  lost: {name: Closed Lost, aliases: [Lost]}
data:
  stage_dates: {discovery: discovery_date, demo: demo_date, proposal: proposal_date}
"""
# The example of docs/analyze.md: 13 deals, 3 won, 5 lost, 5 open; data to 2024-05-20.
DEALS = """\
deal_id,stage,amount,created_at,closed_at,owner,lost_at_stage,discovery_date,demo_date,proposal_date
D01,Closed Won,"$12,000.00",2024-01-05,2024-02-10,ann,,2024-01-05,2024-01-15,2024-01-29
D02,Won,8000,2024-01-10,2024-03-01,bob,,2024-01-10,2024-01-24,2024-02-12
D03,Won,10000,2024-02-01,2024-03-15,ann,,2024-02-01,2024-02-09,2024-02-26
D04,Lost,,2024-01-12,2024-01-30,ann,Discovery,2024-01-12,,
D05,Closed Lost,,2024-02-01,2024-03-01,bob,Demo Scheduled,2024-02-01,2024-02-14,
D06,Lost,,2024-03-12,2024-04-01,ann,,2024-03-12,2024-03-18,2024-03-25
D07,Lost,,2024-03-20,2024-04-02,bob,Proposal Sent,2024-03-20,2024-03-25,2024-03-28
D08,discovery call,,2024-02-15,,ann,,2024-02-15,,
D09,Demo Scheduled,,2024-03-01,,bob,,2024-03-01,2024-03-11,
D10,Proposal Sent,,2024-04-10,,ann,,2024-04-10,2024-04-16,2024-04-22
D11,Qualified,,2024-05-01,,bob,,2024-05-01,,
D12,Lost,,2024-04-15,2024-04-20,bob,,2024-04-15,,
D13,Proposal,,2024-05-03,,carol,,2024-05-03,,2024-05-20
"""
FORECAST = ("--leads", "120", "--target", "100k", "--horizon", "4", "--start", "2024-06")
FORECAST_ARGS = (*FORECAST, "--pipeline", "--sims", "500")
# The page's colours (html_page.CSS), drawn as exact pixels inside the bars.
MEASURED = (0x25, 0x63, 0xA8)
PLAN = (0xC9, 0xCE, 0xD6)
PIPELINE = (0x93, 0xB4, 0xDC)
PAGE_BACKGROUND = (0xF6, 0xF7, 0xF9)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    write(folder, "process.yaml", PROCESS)
    write(folder, "deals.csv", DEALS)
    return folder


def run(project: Path, command: str, *args: str) -> str:
    """stdout of `salesflow COMMAND -p process.yaml --deals deals.csv ARGS -q`."""
    data = ("-p", str(project / "process.yaml"), "--deals", str(project / "deals.csv"), "-q")
    result = invoke(command, *data, *args)
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def pages(project: Path) -> dict[str, Path]:
    """Both reports written with -o, as a user would."""
    written = {"analyze": project / "out" / "funnel.html", "forecast": project / "forecast.html"}
    assert run(project, "analyze", "-f", "html", "-o", str(written["analyze"])) == ""
    forecast = ("forecast", *FORECAST_ARGS, "-f", "html", "-o", str(written["forecast"]))
    assert run(project, *forecast) == ""
    return written


def test_output_file_equals_stdout(project: Path, pages: dict[str, Path]) -> None:
    analyzed = run(project, "analyze", "--format", "html")
    assert pages["analyze"].read_text(encoding="utf-8") == analyzed
    assert analyzed.startswith("<!DOCTYPE html>\n") and analyzed.endswith("</html>\n")
    assert pages["forecast"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n")


def test_names_are_escaped_and_shown_as_written(pages: dict[str, Path]) -> None:
    for page, title in (
        (pages["analyze"], "funnel analysis"),
        (pages["forecast"], "revenue forecast"),
    ):
        html = page.read_text(encoding="utf-8")
        document = parse(html)
        assert "<script" not in html and "<b>" not in html
        assert document.find("h1").text() == f"{PROCESS_NAME}: {title}"
    analyzed = parse(pages["analyze"].read_text(encoding="utf-8"))
    assert DEMO in [cell.text() for cell in analyzed.find_all("th")]


def test_the_charts_of_each_report(pages: dict[str, Path]) -> None:
    analyzed = parse(pages["analyze"].read_text(encoding="utf-8"))
    names = [svg.attrs["aria-label"] for svg in analyzed.find_all("svg")]
    assert names == ["Funnel against plan", "Conversion per stage", "Days in stage"]
    forecast = parse(pages["forecast"].read_text(encoding="utf-8"))
    names = [svg.attrs["aria-label"] for svg in forecast.find_all("svg")]
    assert names == ["Revenue distribution", "Revenue by month"]
    months = [row.find("th").text() for row in forecast.find_all("tbody")[1].find_all("tr")]
    assert months[1:5] == ["2024-06", "2024-07", "2024-08", "2024-09"]


def test_unknown_format_lists_html() -> None:
    result = invoke("analyze", "--format", "pdf")
    assert result.exit_code == 2
    assert re.search(r"choose one of:? text, json, csv, markdown, html\n", result.stderr)
    result = invoke("forecast", "--leads", "10", "--format", "pdf")
    assert result.exit_code == 2
    assert re.search(r"choose one of:? text, json, markdown, html\n", result.stderr)


# --- the PNG reader of tests/browser.py ----------------------------------------------------------


def predictor(kind: int, a: int, b: int, c: int) -> int:
    """The PNG filter predictors (specification, section 9.2), written out for the test."""
    if kind == 0:
        return 0
    if kind in (1, 2):
        return a if kind == 1 else b
    if kind == 3:
        return (a + b) // 2
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def encode_png(pixels: np.ndarray, kinds: list[int]) -> bytes:
    """An RGB PNG whose row r is filtered with kinds[r]."""
    height, width, bpp = pixels.shape
    raw = pixels.reshape(height, width * bpp).astype(int)
    lines = b""
    for r, kind in enumerate(kinds):
        out = [kind]
        for i in range(width * bpp):
            a = int(raw[r, i - bpp]) if i >= bpp else 0
            b = int(raw[r - 1, i]) if r else 0
            c = int(raw[r - 1, i - bpp]) if r and i >= bpp else 0
            out.append((int(raw[r, i]) - predictor(kind, a, b, c)) & 0xFF)
        lines += bytes(out)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        browser.PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(lines))
        + chunk(b"IEND", b"")
    )


def test_png_reader_undoes_every_filter(tmp_path: Path) -> None:
    pixels = np.random.default_rng(7).integers(0, 256, size=(10, 9, 3), dtype=np.uint8)
    pixels[4:7] = 200  # flat rows: Paeth's shortcut
    path = tmp_path / "filters.png"
    path.write_bytes(encode_png(pixels, [0, 1, 2, 3, 4, 4, 3, 2, 1, 0]))
    assert browser.png_size(path) == (9, 10)
    assert np.array_equal(browser.read_png(path), pixels)
    assert browser.colours(pixels[4:7]) == {(200, 200, 200): 27}
    assert sum(browser.colours(pixels).values()) == 90


# --- in a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(pages: dict[str, Path]) -> dict[str, browser.Rendered]:
    """Both pages rendered by chromium at once (a screenshot and the DOM of each)."""
    chromium = browser.require_chromium()
    runs = {
        name: browser.start(chromium, page, page.with_suffix(".png"))
        for name, page in pages.items()
    }
    return {name: run.result() for name, run in runs.items()}


@pytest.mark.parametrize("name", ["analyze", "forecast"])
def test_screenshot_has_the_window_size_and_is_not_blank(
    rendered: dict[str, browser.Rendered], name: str
) -> None:
    shot = rendered[name].screenshot
    assert browser.png_size(shot) == browser.WINDOW
    pixels = browser.read_png(shot)
    assert pixels.shape[:2] == (browser.WINDOW[1], browser.WINDOW[0])
    found = browser.colours(pixels)
    assert len(found) > 50  # text, antialiased edges, the charts' colours
    background = found.get(PAGE_BACKGROUND, 0) + found.get((255, 255, 255), 0)
    assert background < 0.97 * pixels.shape[0] * pixels.shape[1]
    # the charts were drawn with the page's CSS: bars in their colours
    assert found.get(MEASURED, 0) > 3_000
    assert found.get(PLAN if name == "analyze" else PIPELINE, 0) > 300


def test_browser_dom_has_the_report(rendered: dict[str, browser.Rendered]) -> None:
    analyzed = parse(rendered["analyze"].dom)
    words = analyzed.words()
    for text in ("Funnel against plan", "Conversion per stage", "Days in stage", DEMO,
                 "No stage is clearly below plan.", "95% interval"):  # fmt: skip
        assert text in words, text
    assert not analyzed.find_all("script")
    assert len(analyzed.find_all("svg")) == 3
    forecast = parse(rendered["forecast"].dom)
    labels = [text.words() for text in forecast.find_all("text")]
    for prefix in ("P10 USD", "P50 USD", "P90 USD", "Target USD 100,000"):
        assert any(label.startswith(prefix) for label in labels), prefix
    assert not forecast.find_all("script")
    assert "from the open pipeline" in forecast.words()
