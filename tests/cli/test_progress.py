"""Progress on stderr: shown on a terminal (a fake one here), after its delay, erased at the end,
never on stdout; silent when stderr is piped, with -q or on a dumb terminal; warnings printed
above it while it shows."""

from __future__ import annotations

import io
import time

import pytest

from salesflow.cli import console
from salesflow.cli.progress import Shown, Silent, progress, wanted
from tests.helpers import REPO, invoke

ERASE_LINE = "\x1b[2K"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def on_screen(shown: Silent) -> None:
    """Wait (at most 2 s) until the progress has started."""
    assert isinstance(shown, Shown)
    deadline = time.monotonic() + 2
    while not shown._started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert shown._started


def test_a_terminal_sees_the_steps_and_the_counts(capsys: pytest.CaptureFixture[str]) -> None:
    stream = Terminal()
    with progress(False, stream, delay=0) as shown:
        on_screen(shown)
        shown.phase("reading deals.csv")
        shown("simulating revenue", 50_000, 100_000)
    written = stream.getvalue()
    assert "simulating revenue" in written and "50,000/100,000" in written
    assert ERASE_LINE in written[-20:]  # erased at the end
    assert capsys.readouterr().out == ""


def test_nothing_shows_before_the_delay() -> None:
    stream = Terminal()
    with progress(False, stream, delay=60) as shown:
        shown.phase("reading deals.csv")
        shown("simulating revenue", 1, 2)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("quiet", "stream", "term"),
    [
        (True, Terminal(), "xterm"),  # -q
        (False, io.StringIO(), "xterm"),  # piped
        (False, Terminal(), "dumb"),
    ],
)
def test_silent_when_quiet_piped_or_dumb(
    quiet: bool, stream: io.StringIO, term: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", term)
    assert not wanted(quiet, stream)
    with progress(quiet, stream, delay=0) as shown:
        assert type(shown) is Silent
        shown.phase("reading deals.csv")
        shown("simulating revenue", 1, 2)
        time.sleep(0.05)
    assert stream.getvalue() == ""


def test_a_closed_stream_wants_no_progress() -> None:
    stream = io.StringIO()
    stream.close()
    assert not wanted(False, stream)


def test_a_warning_prints_above_the_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    with progress(False, stream, delay=0) as shown:
        on_screen(shown)
        shown.phase("checking the deal data")
        console.note("salesflow: warning: deals.csv: 1 row whose amount is not a number")
    warning = "salesflow: warning: deals.csv: 1 row whose amount is not a number\n"
    assert f"\r{ERASE_LINE}{warning}" in stream.getvalue()  # the progress line erased first


def test_an_error_inside_the_block_still_erases_the_progress() -> None:
    stream = Terminal()
    with pytest.raises(RuntimeError), progress(False, stream, delay=0) as shown:
        on_screen(shown)
        raise RuntimeError("boom")
    assert isinstance(shown, Shown) and shown._stopped
    assert ERASE_LINE in stream.getvalue()


def test_a_piped_command_prints_nothing_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner's stderr is no terminal: the report on stdout, nothing else (analyze and
    forecast: tests/cli/test_terminal_width.py)."""
    monkeypatch.chdir(REPO)
    data = ["-p", "examples/process.yaml", "--deals", "examples/deals.csv"]
    result = invoke("backtest", "--sims", "200", "--cutoff", "2026-03-01", *data)
    assert result.exit_code == 0, result.output
    assert result.stdout and result.stderr == ""


def test_a_command_on_a_terminal_shows_progress_on_stderr_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As if stderr were a terminal: the steps go to stderr, stdout holds the report alone."""
    monkeypatch.chdir(REPO)
    monkeypatch.setattr("salesflow.cli.progress.wanted", lambda quiet, stream: not quiet)
    monkeypatch.setattr("salesflow.cli.progress.DELAY", 0.0)
    quiet = invoke("forecast", "--leads", "100", "--sims", "500", "-q")
    assert quiet.stderr == ""  # -q: no progress even on a terminal
    result = invoke("forecast", "--leads", "100", "--sims", "500")
    assert result.exit_code == 0, result.output
    assert result.stdout == quiet.stdout  # no progress, no escape code in the report
    assert "reading deals.csv" in result.stderr or "simulating revenue" in result.stderr


class Phases(Silent):
    """A progress that remembers its steps."""

    def __init__(self) -> None:
        self.steps: list[str] = []

    def phase(self, step: str) -> None:
        self.steps.append(step)


def test_the_steps_of_reading_name_the_file_and_count_its_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from salesflow.cli.data import usable_tables
    from salesflow.loader import load_process
    from salesflow.sources.options import DataOptions

    monkeypatch.chdir(REPO)
    process = load_process(REPO / "examples" / "process.yaml").process
    assert process is not None
    shown = Phases()
    usable_tables(process, DataOptions(deals="examples/deals.csv"), True, True, shown)
    rows = sum(1 for _ in (REPO / "examples" / "deals.csv").open(encoding="utf-8")) - 1
    assert shown.steps == ["reading deals.csv", f"checking {rows:,} rows of deals"]
