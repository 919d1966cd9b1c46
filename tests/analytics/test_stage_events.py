"""The stays counted in SQL (analytics/stage_events.py) against a plain per-deal computation of the
rules in that module's docstring, on deal tables built through the real loader from small wide
CSVs; and the survival conversion of `analyze` against a naive Aalen–Johansen written here,
itself checked against lifelines (a test oracle only) on data without ties.

The rules, per deal and dated stage k (stages a, b, c, d are 0 … 3):

- the deal has a stay in k when it was won or its position is k or later;
- it advanced from k when it was won or is past k; it was lost there when it is lost at k;
  otherwise it is still open there (censored);
- the stay starts at the deal's entry into k; an open deal with no entry date for k waits at
  least since its latest earlier entry, or its first-seen date (only in the stage it is in);
- it ends, when advanced, at the entry into the next later stage that has a date, or at the
  close when the deal was won; when lost, at the close; when open, at the end of the data;
- days = (end − start) in days, rounded half away from zero; t = days when days ≥ 0, else 0
  (no start or no end: 0); timed when the entry date into k is known and days ≥ 0.

The sales cycle (key 4) runs from first seen (created, else the earliest entry date) to the
close, or to the end of the data for an open deal: won is the first exit, lost the second. The
end of the data is its latest date: first-seen, entry and close dates, except an open deal's
close (a planned date).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter
from statsmodels.stats.proportion import proportion_confint

from salesflow.analytics.funnel import OVERALL
from salesflow.analytics.report import analyze
from salesflow.analytics.stage_events import Stays, deals_as_of, export_date, stage_stays
from salesflow.analytics.survival import EventTable
from salesflow.sources.canonical import DealTables
from tests.sources.deal_data import process_yaml, tables

STAGES = 4
CYCLE = STAGES
STAGE_IDS = ("a", "b", "c", "d")
ADVANCED, LOST, OPEN = 1, 2, 0
PROCESS = process_yaml("  stage_dates: {a: a_date, b: b_date, c: c_date, d: d_date}\n")
HEADER = "deal_id,stage,created_at,closed_at,lost_at_stage,a_date,b_date,c_date,d_date"
START = datetime(2024, 1, 1)

# (event, days, timed) of one stay
Stay = tuple[int, int, bool]


@dataclass(frozen=True)
class Deal:
    id: str
    status: str  # open, won, lost
    label: int = 0  # an open deal's stage label
    lost_stage: int | None = None  # a lost deal's lost_at_stage
    entries: tuple[datetime | None, ...] = (None,) * STAGES
    created: datetime | None = None
    closed: datetime | None = None

    def row(self) -> str:
        stage = {"won": "Won", "lost": "Lost"}.get(self.status, STAGE_IDS[self.label])
        lost = STAGE_IDS[self.lost_stage] if self.lost_stage is not None else ""
        dates = [_text(self.created), _text(self.closed), lost, *map(_text, self.entries)]
        return ",".join([self.id, stage, *dates])

    def position(self) -> int:
        dated = [k for k, entry in enumerate(self.entries) if entry is not None]
        if self.status == "won":
            return STAGES - 1
        if self.status == "lost":
            return self.lost_stage if self.lost_stage is not None else max(dated, default=0)
        return max([self.label, *dated])

    def first_seen(self) -> datetime | None:
        if self.created is not None:
            return self.created
        return min((e for e in self.entries if e is not None), default=None)

    def dates(self) -> list[datetime]:
        """The dates that bound the data: a planned close of an open deal does not."""
        close = self.closed if self.status != "open" else None
        return [d for d in (self.first_seen(), close, *self.entries) if d is not None]

    def stay(self, k: int, end: datetime) -> Stay | None:
        position = self.position()
        if self.status == "won" or position > k:
            event = ADVANCED
            later = [e for e in self.entries[k + 1 :] if e is not None]
            exit_at = later[0] if later else (self.closed if self.status == "won" else None)
        elif position < k:
            return None
        elif self.status == "lost":
            event, exit_at = LOST, self.closed
        else:
            event, exit_at = OPEN, end
        start = self.entries[k]
        if start is None and event == OPEN:
            earlier = [e for e in self.entries[:k] if e is not None]
            start = max(earlier) if earlier else self.first_seen()
        return _measured(event, start, exit_at, known_start=self.entries[k] is not None)

    def cycle(self, end: datetime) -> Stay:
        event = {"won": ADVANCED, "lost": LOST}.get(self.status, OPEN)
        exit_at = end if self.status == "open" else self.closed
        return _measured(event, self.first_seen(), exit_at, known_start=True)


def _measured(
    event: int, start: datetime | None, exit_at: datetime | None, known_start: bool
) -> Stay:
    if start is None or exit_at is None:
        return event, 0, False
    days = (exit_at - start).total_seconds() / 86_400
    if days < 0:
        return event, 0, False
    return event, math.floor(days + 0.5), known_start


def _text(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.hour or value.minute:
        return value.isoformat(sep=" ")
    return value.date().isoformat()


def day(month: int, day_: int, hour: int = 0) -> datetime:
    return datetime(2024, month, day_, hour)


def entries(*days: datetime | None) -> tuple[datetime | None, ...]:
    return tuple(days) + (None,) * (STAGES - len(days))


def export_end(deals: list[Deal]) -> datetime | None:
    return max((d for deal in deals for d in deal.dates()), default=None)


def reference(deals: list[Deal], end: datetime) -> dict[int, list[Stay]]:
    """Every stay of every stage, and the cycle under key 4."""
    result: dict[int, list[Stay]] = {}
    for k in range(STAGES):
        stays = [deal.stay(k, end) for deal in deals]
        result[k] = [stay for stay in stays if stay is not None]
    result[CYCLE] = [deal.cycle(end) for deal in deals]
    return result


def build(directory: Path, deals: list[Deal]) -> DealTables:
    text = "\n".join([HEADER, *(deal.row() for deal in deals)]) + "\n"
    return tables(directory, text, process=PROCESS)


def counted(stays: list[Stay], timed_only: bool) -> Counter[tuple[int, int]]:
    return Counter((t, event) for event, t, timed in stays if timed or not timed_only)


def from_table(table: EventTable) -> Counter[tuple[int, int]]:
    result: Counter[tuple[int, int]] = Counter()
    for i, t in enumerate(table.times):
        columns = ((ADVANCED, table.first), (LOST, table.second), (OPEN, table.censored))
        for event, counts in columns:
            if counts[i]:
                assert float(counts[i]).is_integer()
                assert float(t).is_integer()
                result[(int(t), event)] += int(counts[i])
    return result


def assert_same_stays(found: dict[int, Stays], expected: dict[int, list[Stay]]) -> None:
    assert set(found) == {k for k, stays in expected.items() if stays}
    for k, stays in found.items():
        assert from_table(stays.all) == counted(expected[k], timed_only=False), k
        assert from_table(stays.timed) == counted(expected[k], timed_only=True), k


def naive_aalen_johansen(stays: Sequence[tuple[float, int]]) -> float | None:
    """The cumulative incidence of the first exit at the last time, the textbook way: at each
    distinct time, events before censorings."""
    if not any(event != OPEN for _, event in stays):
        return None
    at_risk, survival, incidence = len(stays), 1.0, 0.0
    for time in sorted({t for t, _ in stays}):
        here = [event for t, event in stays if t == time]
        first, second = here.count(ADVANCED), here.count(LOST)
        incidence += survival * first / at_risk
        survival *= 1 - (first + second) / at_risk
        at_risk -= len(here)
    return incidence


# --- a hand-made table -------------------------------------------------------------------------

HAND = [
    # open at b; its close date is a planned one and does not end the data
    Deal("OPEN_B", "open", label=1, entries=entries(day(1, 1), day(1, 4)), closed=day(12, 31)),
    # won, b skipped: advanced from b at day 0, untimed; a ends at c, the next dated stage
    Deal(
        "SKIP", "won", entries=entries(day(1, 2), None, day(1, 10), day(1, 12)), closed=day(1, 20)
    ),
    # lost at c; entered b and c the same day (a zero-day stay in b)
    Deal(
        "LOST_C",
        "lost",
        lost_stage=2,
        entries=entries(day(1, 3), day(1, 5), day(1, 5)),
        created=day(1, 3),
        closed=day(1, 15),
    ),
    # won, entered d the day it was won
    Deal(
        "SAME_DAY",
        "won",
        entries=entries(day(1, 6), day(1, 7), day(1, 8), day(1, 20)),
        closed=day(1, 20),
    ),
    # lost at b, closed before it entered b: untimed, at day 0
    Deal(
        "BACKWARDS", "lost", lost_stage=1, entries=entries(day(1, 1), day(1, 6)), closed=day(1, 2)
    ),
    # open at c without a date for c: waits since its entry into b, untimed
    Deal("OPEN_C", "open", label=2, entries=entries(day(1, 10), day(1, 12))),
    # open at a since it was created
    Deal("OPEN_A", "open", label=0, entries=entries(day(1, 5)), created=day(1, 5)),
    # won with no close date: its stay in d has no end, untimed; so has its cycle
    Deal("NO_CLOSE", "won", entries=entries(day(1, 2), day(1, 3), day(1, 4), day(1, 5))),
    # lost at a a month after it entered: the latest date of the data, 2024-02-01
    Deal("LATE", "lost", lost_stage=0, entries=entries(day(1, 1)), closed=day(2, 1)),
    # lost at a 2.5 days after entering at noon: rounded to 3
    Deal("NOON", "lost", lost_stage=0, entries=entries(day(1, 10, 12)), closed=day(1, 13)),
]

# (event, days, timed) per stage, and the cycle last, worked by hand; END = 2024-02-01
A, L, C = ADVANCED, LOST, OPEN  # C: censored, still open
HAND_STAYS: dict[str, list[Stay | None]] = {
    "OPEN_B": [(A, 3, True), (C, 28, True), None, None, (C, 31, True)],
    "SKIP": [(A, 8, True), (A, 0, False), (A, 2, True), (A, 8, True), (A, 18, True)],
    "LOST_C": [(A, 2, True), (A, 0, True), (L, 10, True), None, (L, 12, True)],
    "SAME_DAY": [(A, 1, True), (A, 1, True), (A, 12, True), (A, 0, True), (A, 14, True)],
    "BACKWARDS": [(A, 5, True), (L, 0, False), None, None, (L, 1, True)],
    "OPEN_C": [(A, 2, True), (A, 0, False), (C, 20, False), None, (C, 22, True)],
    "OPEN_A": [(C, 27, True), None, None, None, (C, 27, True)],
    "NO_CLOSE": [(A, 1, True), (A, 1, True), (A, 1, True), (A, 0, False), (A, 0, False)],
    "LATE": [(L, 31, True), None, None, None, (L, 31, True)],
    "NOON": [(L, 3, True), None, None, None, (L, 3, True)],
}
END = day(2, 1)


def test_the_reference_follows_the_rules() -> None:
    # the plain computation, on the hand-made deals, gives what was worked out by hand
    assert export_end(HAND) == END
    for deal in HAND:
        found = [deal.stay(k, END) for k in range(STAGES)] + [deal.cycle(END)]
        assert found == HAND_STAYS[deal.id], deal.id


def test_stays_of_a_hand_made_table(tmp_path: Path) -> None:
    deal_tables = build(tmp_path, HAND)
    end = export_date(deal_tables.engine, STAGES)
    assert end == END
    found = stage_stays(deal_tables.engine, OVERALL, STAGES, deal_tables.dated_stages, end)
    assert set(found) == {"*"}
    assert_same_stays(found["*"], reference(HAND, END))


def test_stages_without_a_date_column_have_no_stays(tmp_path: Path) -> None:
    deal_tables = build(tmp_path, HAND)
    end = export_date(deal_tables.engine, STAGES)
    assert end is not None
    found = stage_stays(deal_tables.engine, OVERALL, STAGES, {1, 3}, end)["*"]
    assert set(found) == {1, 3, CYCLE}


def test_the_longest_stays_the_data_can_hold_come_back_exact(tmp_path: Path) -> None:
    # stays_sql packs each stay's days, outcome and stage into one integer: three centuries (the
    # dates read span 1900-2200) at every stage and in the cycle, and a stay of no days
    long = [
        Deal("1", "won", entries=entries(datetime(1900, 1, 1)), closed=datetime(2199, 12, 31)),
        Deal("2", "open", label=3, entries=entries(*[datetime(1900, 1, 2)] * 4)),
        Deal("3", "lost", lost_stage=2, entries=entries(datetime(2199, 12, 31)), closed=None),
    ]
    deal_tables = build(tmp_path, long)
    end = export_date(deal_tables.engine, STAGES)
    assert end == datetime(2199, 12, 31)
    found = stage_stays(deal_tables.engine, OVERALL, STAGES, deal_tables.dated_stages, end)
    assert_same_stays(found["*"], reference(long, end))
    assert max(found["*"][CYCLE].all.times) == (datetime(2199, 12, 31) - datetime(1900, 1, 1)).days


def test_conversion_of_the_hand_made_table(tmp_path: Path) -> None:
    funnel = analyze(build(tmp_path, HAND)).funnel
    expected = reference(HAND, END)
    for k, stage in enumerate(funnel.stages):
        rows = [(t, event) for event, t, _ in expected[k]]
        assert stage.conversion == pytest.approx(naive_aalen_johansen(rows), abs=1e-12), k
    # d: three deals reached it and all were won
    d = funnel.stages[3]
    assert (d.advanced, d.lost, d.open) == (3, 0, 0)
    assert d.conversion == 1.0
    assert d.conversion_ci == pytest.approx(
        proportion_confint(3, 3, alpha=0.05, method="wilson"), abs=1e-9
    )


# --- random tables -----------------------------------------------------------------------------


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    days = draw(st.integers(0, 40))
    hour = draw(st.sampled_from([0, 0, 0, 0, 6, 12, 18]))
    return START + timedelta(days=days, hours=hour)


@st.composite
def random_deals(draw: st.DrawFn, number: int) -> Deal:
    status = draw(st.sampled_from(["open", "open", "won", "lost", "lost"]))
    dated = [draw(st.booleans()) for _ in range(STAGES)]
    if draw(st.integers(0, 3)):
        # mostly in order: each stage entered some days after the one before
        first = draw(moments())
        gaps = [timedelta(days=draw(st.integers(0, 12))) for _ in range(STAGES)]
        steps = [first + sum(gaps[: k + 1], timedelta()) for k in range(STAGES)]
    else:
        steps = [draw(moments()) for _ in range(STAGES)]
    closed = draw(st.none() | moments())
    if status == "open" and closed is not None and draw(st.booleans()):
        closed += timedelta(days=300)  # a planned close far after the end of the data
    return Deal(
        id=f"R{number}",
        status=status,
        label=draw(st.integers(0, STAGES - 1)),
        lost_stage=draw(st.none() | st.integers(0, STAGES - 1)) if status == "lost" else None,
        entries=tuple(step if keep else None for step, keep in zip(steps, dated, strict=True)),
        created=draw(st.none() | moments()),
        closed=closed,
    )


@st.composite
def deal_lists(draw: st.DrawFn) -> list[Deal]:
    size = draw(st.integers(5, 40))
    return [draw(random_deals(number)) for number in range(size)]


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(deals=deal_lists())
def test_random_tables(deals: list[Deal], tmp_path_factory: pytest.TempPathFactory) -> None:
    deal_tables = build(tmp_path_factory.mktemp("stays"), deals)
    end = export_end(deals)
    assert export_date(deal_tables.engine, STAGES) == end
    expected = reference(deals, end) if end is not None else {}
    if end is not None:
        found = stage_stays(deal_tables.engine, OVERALL, STAGES, deal_tables.dated_stages, end)
        assert_same_stays(found["*"], expected)

    funnel = analyze(deal_tables).funnel
    for k, stage in enumerate(funnel.stages):
        decided = stage.advanced + stage.lost
        if end is None:
            share = stage.advanced / decided if decided else None
        else:
            share = naive_aalen_johansen([(t, event) for event, t, _ in expected[k]])
            timed = [(event, t) for event, t, is_timed in expected[k] if is_timed]
            assert stage.completed_stays == sum(event != OPEN for event, _ in timed)
            assert stage.open_stays == sum(event == OPEN for event, _ in timed)
        if share is None:
            assert stage.conversion is None
            continue
        assert stage.conversion == pytest.approx(share, abs=1e-12)
        if stage.open == 0:
            # nothing censored: the count itself, and the plain Wilson interval
            assert stage.conversion == stage.advanced / decided
            assert stage.effective_deals == decided
            assert stage.conversion_ci == pytest.approx(
                proportion_confint(stage.advanced, decided, alpha=0.05, method="wilson"),
                abs=1e-9,
            )


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 2_000), st.integers(0, 2)),
        min_size=1,
        max_size=40,
        unique_by=lambda row: row[0],
    )
)
def test_naive_aalen_johansen_is_lifelines(rows: list[tuple[int, int]]) -> None:
    times = np.asarray([t / 4 for t, _ in rows])
    events = np.asarray([e for _, e in rows])
    fitter = AalenJohansenFitter(calculate_variance=False)
    fitter.fit(times, events, event_of_interest=ADVANCED)
    ours = naive_aalen_johansen([(t / 4, e) for t, e in rows])
    theirs = float(fitter.cumulative_density_.iloc[-1, 0])
    assert (ours if ours is not None else 0.0) == pytest.approx(theirs, abs=1e-12)


# --- deals as they stood at a cutoff -------------------------------------------------------------

# L was lost at b and W won, neither with a close date; O is still open.
UNDATED = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage,a_at,b_at,c_at,d_at
L,Closed Lost,,2024-01-12,,b,2024-01-12,2024-01-20,,
W,Closed Won,900,2024-01-05,,,2024-01-05,,,
O,Beta,,2024-01-06,,,2024-01-06,2024-01-25,,
"""


def as_of(deal_tables: DealTables, cutoff: datetime) -> dict[str, tuple[str, int, object]]:
    rows = deal_tables.con.execute(
        f"SELECT deal_id, status, position, closed_at FROM {deals_as_of(cutoff, STAGES)}"
    ).fetchall()
    return {deal_id: (status, position, closed) for deal_id, status, position, closed in rows}


def test_a_deal_closed_without_a_date_is_closed_from_its_last_known_date(tmp_path: Path) -> None:
    """Not open forever: L is lost from its last stage date (b, 01-20) on, W won from its first-seen
    date (its only date) on; their close dates stay unknown, as in analyze."""
    wide = "  stage_dates: {a: a_at, b: b_at, c: c_at, d: d_at}\n"
    deal_tables = tables(tmp_path, UNDATED, process=process_yaml(wide))
    assert as_of(deal_tables, datetime(2024, 1, 15)) == {
        "L": ("open", 0, None),
        "W": ("won", 3, None),
        "O": ("open", 0, None),
    }
    assert as_of(deal_tables, datetime(2024, 2, 1)) == {
        "L": ("lost", 1, None),
        "W": ("won", 3, None),
        "O": ("open", 1, None),
    }
    # the stay in b ended in a loss, untimed (no close date), as analyze counts it
    stays = stage_stays(
        deal_tables.engine, OVERALL, STAGES, {0, 1}, datetime(2024, 2, 1),
        deals_as_of(datetime(2024, 2, 1), STAGES),
    )["*"][1]  # fmt: skip
    assert (float(stays.all.second.sum()), float(stays.timed.second.sum())) == (1.0, 0.0)
