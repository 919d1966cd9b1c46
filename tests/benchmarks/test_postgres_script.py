"""benchmarks/postgres.py end to end at a tiny size against a real private server: it loads the
tables, times pushdown and pulling, finds the same figures both ways and cleans up after itself.

Without the PostgreSQL server binaries the test skips with the reason; with CI set it fails."""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.benchmarks.scripts import BENCHMARKS, load_script
from tests.postgres_server import BINARIES_MISSING, find_bin_dir

pytestmark = [pytest.mark.xdist_group("postgres")]

DEALS = 2_000


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script(BENCHMARKS / "postgres.py", "postgres_benchmark")


def require_server_binaries() -> None:
    if find_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail(BINARIES_MISSING)
        pytest.skip(BINARIES_MISSING)


def test_pushdown_and_pulling_give_the_same_figures_and_a_table(
    script: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    require_server_binaries()

    arguments = ["--deals", str(DEALS), "--repeat", "1", "--quiet-wait", "0"]
    status = script.main([*arguments, "--network", "shared"])  # in this process

    out = capsys.readouterr().out
    assert status == 0, out
    assert "figures, history: MATCH" in out
    assert "figures, wide dates: MATCH" in out
    header = (
        "| deals | history rows | mode | median s | range s | bytes on lo | server s | peak RSS |"
    )
    assert header in out
    rows = re.findall(r"^\| 2,000 \| ([0-9,]+) \| ([^|]+) \|", out, re.MULTILINE)
    modes = [mode.strip() for _, mode in rows]
    assert modes == [
        "pushdown, history",
        "pushdown, wide dates",
        "pull: copy deals",
        "pull: copy stage_history",
        "pull: analyze CSVs, history",
        "pull: analyze CSV, wide dates",
        "pull + analyze, history",
        "pull + analyze, wide dates",
    ]
    history = {int(count.replace(",", "")) for count, _ in rows}
    assert len(history) == 1
    assert 3.3 * DEALS < history.pop() < 3.7 * DEALS  # padded from about 2.9 per deal
    for what in ("scratch", "server"):
        folder = re.search(rf"^{what}: (.+)$", out, re.MULTILINE)
        assert folder is not None
        assert not Path(folder[1]).exists()


def test_differences_name_each_figure_that_differs(script: ModuleType) -> None:
    ours = {"deals": {"won": 3, "lost": 5}, "stages": [{"conversion": 0.25}, {"conversion": 0.5}]}
    theirs = {"deals": {"won": 3, "lost": 6}, "stages": [{"conversion": 0.25}, {"conversion": 0.5}]}
    assert script.differences(ours, ours) == []
    assert script.verdict([]) == ["MATCH"]
    assert script.differences(ours, theirs) == [(".deals.lost", 5, 6)]
    assert script.verdict([(".deals.lost", 5, 6)]) == [
        "DIFFERENT",
        "  .deals.lost: pushdown 5, pulled 6",
    ]
    assert script.differences([1, 2], [1]) == [(".", [1, 2], [1])]


def test_a_difference_in_the_last_digits_is_rounding_and_a_larger_one_is_not(
    script: ModuleType,
) -> None:
    last_digits = (".avg_won_amount", 23310.234587337454, 23310.23458733747)
    assert script.rounding(last_digits) == pytest.approx(6.2e-16, rel=0.05)
    head, line = script.verdict([last_digits])
    assert head == "MATCH to 1e-12 relative (1 figures differ in the last digits)"
    assert line.endswith("(relative 6.2e-16)")
    larger = (".win_rate", 0.5, 0.5000000001)
    assert script.rounding(larger) is None
    assert script.verdict([last_digits, larger])[0] == "DIFFERENT"
