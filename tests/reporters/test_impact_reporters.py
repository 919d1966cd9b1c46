"""The `impact` reports on a hand-made result: the text golden file, the cells, and output safety
for names from the process file and subjects and authors from git history."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from salesflow.model.impact import Cohort, ImpactReport, StageImpact, VersionImpact
from salesflow.reporters import IMPACT_FORMATS
from salesflow.reporters.impact_rows import probability, window_lines
from tests.reporters.test_output_safety import ESCAPES, HOSTILE_NAMES, controls, markup


def cohort(share: float | None, deals: int, start: str, end: str | None) -> Cohort:
    return Cohort(
        entered_from=start,
        entered_until=end,
        deals=deals,
        conversion=share,
        conversion_ci=None if share is None else (share - 0.05, share + 0.05),
        effective_deals=None if share is None else float(deals),
        undecided=0.0,
        median_days=None if share is None else 9.0,
    )


def stage(name: str, changed: bool, verdict: str | None, change: float | None) -> StageImpact:
    return StageImpact(
        stage=name.lower().replace(" ", "-"),
        name=name,
        changed=changed,
        changes=["exit criterion added: 'Champion confirmed'"] if changed else [],
        split_by="entry",
        before=cohort(0.4, 800, "2025-01-01", "2025-07-01"),
        after=cohort(None if change is None else 0.4 + change, 300, "2025-07-01", None),
        change=change,
        change_ci=None if change is None else (change - 0.06, change + 0.06),
        probability_better=None if change is None else 0.999,
        verdict=verdict,  # type: ignore[arg-type]
        moved=False,
        effect=0.1,
        deals_needed=390,
        deals_short=0,
    )


def report(name: str = "Demo", subject: str = "Stricter demo exit") -> ImpactReport:
    stages = [stage("Qualify", False, "control", 0.01), stage(name, True, "better", 0.2)]
    version = VersionImpact(
        revision="6577029b9415285aa0db971c86d9d7626f633870",
        previous="169f9bb74351390e1755c6897ed45aec846b4bdd",
        date="2025-07-01",
        dated_by="commit",
        until=None,
        author="Ann Example",
        subject=subject,
        summary=f"{name} +20 pts, better with P > 0.99",
        stages=stages,
        notes=[],
    )
    return ImpactReport(
        process="Acme", source="deals.csv", as_of="2026-01-31", versions=[version], notes=[]
    )


def test_text(golden: Callable[[str, str], None]) -> None:
    golden("impact_text.txt", IMPACT_FORMATS.renderer("text")(report(), False))


def test_json_is_the_result_model_with_its_version() -> None:
    document = json.loads(IMPACT_FORMATS.renderer("json")(report(), False))
    assert document["version"] == 1
    assert document["versions"][0]["stages"][1]["change_ci"] == pytest.approx([0.14, 0.26])
    assert set(document) == {"version", "process", "source", "as_of", "versions", "notes"}


@pytest.mark.parametrize(
    ("value", "shown"), [(0.999, "> 0.99"), (0.995, "> 0.99"), (0.5, "0.50"), (0.001, "< 0.01")]
)
def test_probabilities_never_show_certainty(value: float, shown: str) -> None:
    assert probability(value) == shown


def test_one_window_line_when_every_stage_shares_its_windows() -> None:
    assert window_lines(report().versions[0]) == [
        "compared: deals that entered 2025-01-01 to 2025-06-30, against 2025-07-01 onwards"
    ]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_markdown_makes_no_markup_from_names_or_subjects(name: str) -> None:
    render = IMPACT_FORMATS.renderer("markdown")
    plain = {
        k: v for k, v in markup(render(report(), False)).items() if k not in ("text", "softbreak")
    }
    out = render(report(name, name), False)
    counts = markup(out)
    assert not {"link_open", "image", "html_inline", "html_block"} & set(counts), out
    assert {k: v for k, v in counts.items() if k not in ("text", "softbreak")} == plain, out


@pytest.mark.parametrize("escape", ESCAPES)
def test_text_sends_no_escape_sequence_to_the_terminal(escape: str) -> None:
    out = IMPACT_FORMATS.renderer("text")(report(f"Demo{escape}", f"Subject{escape}"), True)
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # our own colours only
    assert not controls(out), repr(out)
    assert "\x1b" not in out and "\x07" not in out
