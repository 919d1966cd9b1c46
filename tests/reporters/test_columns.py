"""Tables that fit the width (reporters/columns.py): exact layouts on a small table, and the
invariants on random tables: no line wider than the width unless nothing narrower exists, no
word split, the drop order kept, nothing dropped when everything fits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from salesflow.reporters.columns import Column, Drop, fitted
from salesflow.reporters.terminal import narrowest, render_to_text

NAMES = ["Lead", "Technical Validation"]


def table(width: int, columns: list[Column]) -> list[str]:
    return render_to_text([fitted(columns, width)], width, color=False).splitlines()


def sample() -> list[Column]:
    return [
        Column("Stage", [Text(name) for name in NAMES], "left", name=True),
        Column("Entered", ["2,000", "241"]),
        Column("Open", ["68", "15"], drop=Drop.DERIVED),
        Column("Conversion\n(95% CI)", ["40% (38–42)", "79% (73–84)"], drop=Drop.INTERVAL),
        Column("Conversion", ["40%", "79%"], instead_of=Drop.INTERVAL),
        Column("Median days", ["9.0", "16"]),
        Column("P80", ["15", "27"], drop=Drop.P80),
    ]


def test_at_its_natural_width_nothing_goes() -> None:
    assert table(100, sample()) == [
        "                                      Conversion",
        "Stage                 Entered  Open     (95% CI)  Median days  P80",
        "──────────────────────────────────────────────────────────────────",
        "Lead                    2,000    68  40% (38–42)          9.0   15",
        "Technical Validation      241    15  79% (73–84)           16   27",
    ]


def test_first_the_headers_wrap() -> None:
    assert table(62, sample()) == [
        "                                      Conversion   Median",
        "Stage                 Entered  Open     (95% CI)     days  P80",
        "──────────────────────────────────────────────────────────────",
        "Lead                    2,000    68  40% (38–42)      9.0   15",
        "Technical Validation      241    15  79% (73–84)       16   27",
    ]


def test_then_the_interval_and_the_p80_go_and_the_estimate_stays() -> None:
    assert table(57, sample()) == [
        "                                                   Median",
        "Stage                 Entered  Open  Conversion      days",
        "─────────────────────────────────────────────────────────",
        "Lead                    2,000    68         40%       9.0",
        "Technical Validation      241    15         79%        16",
    ]


def test_then_what_other_columns_give_then_the_names_wrap_at_spaces() -> None:
    assert table(40, sample()) == [
        "                                  Median",
        "Stage        Entered  Conversion    days",
        "────────────────────────────────────────",
        "Lead           2,000         40%     9.0",
        "Technical        241         79%      16",
        "Validation",
    ]


def test_too_narrow_for_the_narrowest_layout_the_table_grows() -> None:
    lines = table(10, sample())
    assert lines == table(30, sample())
    assert max(map(len, lines)) == 39 and lines[-1] == "Validation"  # no word split


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
phrases = st.lists(words, min_size=1, max_size=3).map(" ".join)
numbers = st.integers(0, 10**9).map(lambda n: f"{n:,}")
levels = st.sampled_from([Drop.INTERVAL, Drop.P80, Drop.DERIVED, Drop.NEVER])


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Column], int]:
    rows = draw(st.integers(1, 4))
    names = [draw(phrases) for _ in range(rows)]
    columns = [Column("Name", [Text(name) for name in names], "left", name=True)]
    for index in range(draw(st.integers(1, 6))):
        cells = [draw(numbers) for _ in range(rows)]
        header = f"H{index}" + (" " + draw(words) if draw(st.booleans()) else "")
        columns.append(Column(header, cells, drop=draw(levels)))
    return columns, draw(st.integers(20, 160))


@settings(max_examples=60, deadline=None)
@given(tables())
def test_random_tables_fit_keep_words_and_the_drop_order(drawn: tuple[list[Column], int]) -> None:
    columns, width = drawn
    built = fitted(columns, width)
    lines = render_to_text([built], width, color=False).splitlines()
    assert max(map(len, lines)) <= max(width, narrowest([built]))
    out = "\n".join(lines)
    for column in columns:
        if column.drop is Drop.NEVER and not column.name:
            assert all(str(cell) in out for cell in column.cells)  # a number is never split
    for name in columns[0].cells:
        assert all(word in out.split() for word in str(name).split())  # nor a word
    shown = {column.header.split()[0] for column in built.columns if column.header != "Name"}
    kept = [c.drop for c in columns[1:] if c.header.split()[0] in shown]
    gone = [c.drop for c in columns[1:] if c.header.split()[0] not in shown]
    assert all(drop < Drop.NEVER for drop in gone)
    assert max(gone, default=0) < min(kept, default=Drop.NEVER)  # whole levels, in order
