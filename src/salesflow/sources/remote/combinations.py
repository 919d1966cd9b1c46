"""What the deals' label combinations (sources.remote.vocabulary) say without another pass over
the deals: which rows the canonical relations leave out, each row's outcome, and the end of the
data. Each rule is the one sources.remote.relations writes in SQL (`deals_raw.left_out`,
`judged.status`, canonical.last_date_sql), applied to a combination's labels."""

from __future__ import annotations

from datetime import datetime

from salesflow.sources.remote.vocabulary import Combination, Meaning, Vocabulary

# a value with no meaning (none written, or only blanks) is neither ignored nor unmapped
UNKNOWN = Meaning()


def written(combination: Combination) -> dict[str, str | None]:
    """The combination's stage, lost stage and status values, in that order."""
    return {
        "stage": combination.stage,
        "lost_stage": combination.lost_stage,
        "status": combination.status,
    }


def meanings(vocabulary: Vocabulary, combination: Combination) -> dict[str, Meaning]:
    """The meaning of each of the combination's values."""
    return {
        key: UNKNOWN if value is None else vocabulary.values.get(key, {}).get(value, UNKNOWN)
        for key, value in written(combination).items()
    }


def left_out(meant: dict[str, Meaning]) -> bool:
    """A row whose stage or status is ignored (data.ignore) is not among the first rows."""
    return meant["stage"].ignored or meant["status"].ignored


def outcome(vocabulary: Vocabulary, combination: Combination, meant: dict[str, Meaning]) -> str:
    """won, lost or open: a status value that means something decides alone, else the label."""
    given = combination.status in vocabulary.values.get("status", {})
    return (meant["status"] if given else meant["stage"]).outcome or "open"


def last_date(vocabulary: Vocabulary) -> datetime | None:
    """The latest date of the first rows: a creation or stage entry, or a close once closed
    (an open deal's close date may be a planned one)."""
    dates: list[datetime] = []
    for combination in vocabulary.combinations or ():
        meant = meanings(vocabulary, combination)
        if left_out(meant):
            continue
        closed = combination.closed if outcome(vocabulary, combination, meant) != "open" else None
        dates += [date for date in (combination.latest, closed) if date is not None]
    return max(dates, default=None)


def pipeline_counts(vocabulary: Vocabulary) -> dict[str, int] | None:
    """The rows of each pipeline among those kept, when the combinations carry the pipeline
    (sources.pipelines); None when they were too many to bring back."""
    if vocabulary.combinations is None:
        return None
    counts: dict[str, int] = {}
    for combination in vocabulary.combinations:
        pipeline = combination.pipeline
        if pipeline is not None and not left_out(meanings(vocabulary, combination)):
            counts[pipeline] = counts.get(pipeline, 0) + combination.count
    return counts
