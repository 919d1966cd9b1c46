"""What the goals are measured on: the window quotas are pro-rated over, and the revenue won in
it, per owner. Two small aggregates over the canonical relations, run only when the process
sets goals or quotas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from salesflow.sources.canonical import ANALYSED, DealTables

NO_GROUP = "(none)"  # the group of deals without a value in the `--by` column
GROUP_KEY = f"coalesce(group_key, '{NO_GROUP}')"


@dataclass(frozen=True)
class Window:
    """From `start` to `end`, both days included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Won:
    """The won deals with an amount of one group in the window: how many, Σ amount, Σ amount²."""

    wins: int = 0
    total: float = 0.0
    squares: float = 0.0


def goal_window(tables: DealTables, as_of: date | None) -> Window | None:
    """From `--since`, else the first day a deal of the analysed data was seen, to `as_of`."""
    if as_of is None:
        return None
    start = tables.options.since or _first_day(tables)
    if start is None or start > as_of:
        return None
    return Window(start, as_of)


def _first_day(tables: DealTables) -> date | None:
    # kept_deals, not funnel_deals: the same rows without the end of the data, whose subquery
    # would make a database compute the deals apart and store them (1.7 s of 1M deals)
    rows = tables.engine.rows("SELECT min(first_seen) FROM kept_deals")
    first = rows[0][0] if rows else None
    return first.date() if isinstance(first, datetime) else first


def won_in_window(tables: DealTables, window: Window, group: str) -> dict[str, Won]:
    """Per group (SQL giving a deal's key): the deals won in the window, dated by their close
    date, else their last known date (as `canonical.as_of_items` dates a close)."""
    entries = ", ".join(f"e{k}" for k in range(tables.stage_count))
    closed = f"coalesce(closed_at, greatest({entries}), first_seen)"
    start = _timestamp(window.start)
    end = _timestamp(window.end + timedelta(days=1))
    conditions = [
        # funnel_deals' rows without its window on creation dates: a deal created before
        # `--since` and won inside the window counts for the window
        *ANALYSED,
        "status = 'won'",
        "amount IS NOT NULL",
        f"{closed} >= {start}",
        f"{closed} < {end}",
    ]
    rows = tables.engine.rows(
        "SELECT g, count(*) AS n, sum(amount) AS total, sum(amount * amount) AS squares FROM "
        f"(SELECT {group} AS g, amount FROM first_rows WHERE {' AND '.join(conditions)}) won "
        "GROUP BY g"
    )
    return {
        str(g): Won(int(n), float(total or 0.0), float(squares or 0.0))
        for g, n, total, squares in rows
    }


def won_by_all(tables: DealTables, window: Window) -> Won:
    """The deals won in the window, whoever owns them."""
    return summed(won_in_window(tables, window, "'*'"))


def summed(groups: dict[str, Won]) -> Won:
    values = groups.values()
    return Won(
        sum(w.wins for w in values), sum(w.total for w in values), sum(w.squares for w in values)
    )


def _timestamp(day: date) -> str:
    return f"TIMESTAMP '{datetime.combine(day, time()).isoformat(sep=' ')}'"
