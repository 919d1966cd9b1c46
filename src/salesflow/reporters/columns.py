"""Tables that fit the width of a text report.

As the width narrows, a table first wraps its headers at spaces, then drops whole columns in
the order of `Drop` (intervals first, then the P80, then what other columns already give), and
only when nothing is left to drop wraps its name column, at spaces. A row never wraps before
that and a word is never split: when even that is too wide, the table keeps its narrowest
layout and the report grows wider than asked (terminal.render_to_text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from rich import box
from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Cell = Text | str


class Drop(IntEnum):
    """When a column goes as the width narrows: the lower, the sooner."""

    INTERVAL = 1  # an interval beside its estimate (95% CI; P10 and P90 beside P50)
    P80 = 2  # a second percentile beside the median
    DERIVED = 3  # what other columns give (open = entered − advanced − lost; a share of them)
    NEVER = 4


DROP_ORDER = (Drop.INTERVAL, Drop.P80, Drop.DERIVED)


@dataclass(frozen=True)
class Column:
    """One column: its header (a "\\n" breaks it at any width), its cells, and when it goes.
    `instead_of` shows the column only once that level is dropped: the estimate without its
    interval, in place of the column that held both."""

    header: str
    cells: Sequence[Cell]
    justify: JustifyMethod = "right"
    drop: Drop = Drop.NEVER
    instead_of: Drop | None = None
    name: bool = False  # the rows' names: the one column that may wrap, last of all

    def shown(self, dropped: int) -> bool:
        """Whether the column is in a table whose levels up to `dropped` are dropped."""
        if self.instead_of is not None and self.instead_of > dropped:
            return False
        return self.drop > dropped

    def natural(self) -> int:
        """Its width with nothing wrapped."""
        return max(*self._cells(), *map(cell_len, self.header.split("\n")), 1)

    def least(self) -> int:
        """Its width with the header (and, for the name column, the names) wrapped at spaces."""
        texts = [str(cell) for cell in self.cells] if self.name else []
        words = [cell_len(word) for text in [self.header, *texts] for word in text.split()]
        return max(*(() if self.name else self._cells()), *words, 1)

    def _cells(self) -> list[int]:
        return [cell_len(line) for cell in self.cells for line in str(cell).split("\n")]


def report_table(title: str | None = None) -> Table:
    """The one table style of the text reports: a rule under the header, no outer edge."""
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )


def fitted(
    columns: Sequence[Column],
    width: int,
    title: str | None = None,
    row_styles: Sequence[str] | None = None,
) -> Table:
    """The columns as a table no wider than `width` when that is possible (see the module)."""
    levels = (0, *DROP_ORDER)
    for level in levels:
        shown = [column for column in columns if column.shown(level)]
        widths = _widths(shown, width - _overhead(shown), last=level == levels[-1])
        if widths is not None:
            return _table(shown, widths, title, row_styles)
    return _table(shown, [column.least() for column in shown], title, row_styles)


def _widths(columns: list[Column], room: int, last: bool) -> list[int] | None:
    """Natural widths when they fit in `room`; else the headers wrapped, the widest slack
    first; on the `last` level then the name column wrapped. None when that is not enough."""
    widths = [column.natural() for column in columns]
    excess = sum(widths) - room
    for names in (False, True) if last else (False,):
        slack = [
            (width - column.least(), index)
            for index, (column, width) in enumerate(zip(columns, widths, strict=True))
            if column.name == names
        ]
        for spare, index in sorted(slack, key=lambda item: (-item[0], item[1])):
            cut = max(min(spare, excess), 0)
            widths[index] -= cut
            excess -= cut
    return widths if excess <= 0 else None


def _overhead(columns: list[Column]) -> int:
    """The cells the table's padding and rules take beyond its columns."""
    probe = report_table()
    for _ in columns:
        probe.add_column(width=1)
    console = Console(width=10_000)
    return Measurement.get(console, console.options, probe).maximum - len(columns)


def _table(
    columns: list[Column], widths: list[int], title: str | None, styles: Sequence[str] | None
) -> Table:
    table = report_table(title)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(
            column.header,
            justify=column.justify,
            width=width,
            overflow="fold",  # never reached: a column is as wide as its longest word
        )
    rows = zip(*(column.cells for column in columns), strict=True)
    for index, row in enumerate(rows):
        table.add_row(*row, style=styles[index] if styles else None)
    return table
