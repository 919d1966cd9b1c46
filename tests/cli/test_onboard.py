"""`salesflow onboard` through typer's CliRunner on a small process: stdout and -o (atomic, the
marker, --force), --check, --role, --format, --since in a real git repository, live numbers from
a small CSV whose conversions are worked out by hand, and --no-data."""

from __future__ import annotations

import math
import os
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from salesflow.cli.app import app
from salesflow.render.context import MARKER

PROCESS = """\
salesflow: 1
name: Test sales
currency: EUR
roles:
  - id: ae
    title: Account Executive
    responsibilities: [Runs discovery and proposals]
  - id: se
    title: Solutions Engineer
    responsibilities: [Runs demos]
  - id: manager
    title: Sales Manager
    responsibilities: [Coaches the team]
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed, Budget known]
    expected: {conversion: 0.6, days: 10}
    aliases: [Discovery Call, Qualified]
  - id: demo
    name: Demo
    owner: se
    exit_criteria: [Demo accepted]
    expected: {conversion: 0.5, days: 7}
    aliases: [Demo Scheduled]
  - id: proposal
    name: Proposal | Quote
    owner: ae
    exit_criteria: [Order form signed]
    expected: {conversion: 0.9, days: 14}
    aliases: [Proposal Sent]
outcomes:
  won: {name: Closed Won, aliases: [Won]}
  lost: {name: Closed Lost, aliases: [Lost], reasons: [No budget]}
"""

DEALS = """\
deal_id,stage,amount,created_at,closed_at,owner,lost_at_stage
D01,Closed Won,12000,2024-01-05,2024-02-10,ann,
D02,won,8000,2024-01-10,2024-03-01,bob,
D03,Won,10000,2024-02-01,2024-03-15,ann,
D04,Lost,,2024-01-12,2024-01-30,ann,Discovery
D05,Closed Lost,,2024-02-01,2024-03-01,bob,Demo Scheduled
D06,Lost,,2024-03-12,2024-04-01,ann,proposal
D07,Lost,,2024-03-20,2024-04-02,bob,Proposal Sent
D08,discovery call,,2024-02-15,,ann,
D09,Demo Scheduled,,2024-03-01,,bob,
D10,Proposal Sent,,2024-04-10,,ann,
D11,Qualified,,2024-05-01,,bob,
"""
# By hand: 3 won; lost at discovery 1, demo 1, proposal 2; open at discovery 2, demo 1, proposal 1.
# No stage dates, so the conversions are counts:
# Discovery: advanced 8 (3 won + 2 lost later + 3 open later), lost 1 → 8/9 = 89%, plan 60%.
# Demo: advanced 6, lost 1 → 6/7 = 86%, plan 50%.
# Proposal | Quote: advanced 3, lost 2 → 3/5 = 60%, plan 90%: the only stage below plan, but on
# 5 decided deals P(X ≥ 4 | 5, 0.9) = 0.32805 + 0.59049 = 0.91854 < 1 − 0.1/3: no bottleneck.
# Win rate 8/9 · 6/7 · 3/5 = 16/35 = 46%. Sales cycles (won 36, 43, 51; lost 13, 18, 20, 29;
# open deals censored at 2024-05-01 after 0, 21, 61, 76 days): the incidence of winning
# 7/60, 14/60, 21/60 at 36, 43, 51 reaches half of 21/60 at 43.
LIVE = {"Discovery": (8, 9, 0.6), "Demo": (6, 7, 0.5), "Proposal \\| Quote": (3, 5, 0.9)}
# Proposal | Quote clearly below plan: 20 won (EUR 10,000 each), lost 10 at discovery, 5 at demo,
# 20 at the proposal: 20 of 40 decided there, 40 entered.
MANY_DEALS = (
    DEALS.splitlines()[0]
    + "\n"
    + "".join(f"W{i},Won,10000,,,ann,\n" for i in range(20))
    + "".join(f"L{i},Lost,,,,ann,discovery\n" for i in range(10))
    + "".join(f"M{i},Lost,,,,bob,demo\n" for i in range(5))
    + "".join(f"P{i},Lost,,,,bob,proposal\n" for i in range(20))
)

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]
GIT += ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def onboard(*args: str, env: dict[str, str | None] | None = None) -> Result:
    result = CliRunner().invoke(app, ["onboard", *args], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def error_line(result: Result, code: int = 2) -> str:
    """The one `salesflow: ...` line on stderr of a failed run; nothing on stdout."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salesflow: ")
    return lines[0]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with process.yaml and deals.csv and no configuration; the current one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "process.yaml").write_text(PROCESS, encoding="utf-8")
    (tmp_path / "deals.csv").write_text(DEALS, encoding="utf-8")
    return tmp_path


def render(*args: str) -> str:
    result = onboard("-p", "process.yaml", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def entries(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


# --- stdout -----------------------------------------------------------------------------------


def test_markdown_on_stdout(work: Path) -> None:
    result = onboard("-p", "process.yaml")
    assert result.exit_code == 0
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith(f"<!-- {MARKER} from process.yaml: ")
    assert "\n# Test sales: sales handbook\n" in out
    for heading in ("## The process at a glance", "## Roles", "## The stages", "## Outcomes"):
        assert f"\n{heading}\n" in out
    assert "- [ ] Need confirmed\n- [ ] Budget known\n" in out
    assert "| 3. Proposal \\| Quote | Account Executive | 90% | 14 |" in out
    assert "How the team is doing" not in out  # no data anywhere
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_process_from_the_environment(work: Path) -> None:
    result = onboard(env={"SALESFLOW_PROCESS": "process.yaml"})
    assert result.exit_code == 0, result.stderr
    assert "# Test sales: sales handbook" in result.stdout


def test_missing_process_file(work: Path) -> None:
    line = error_line(onboard("-p", "nope.yaml"))
    assert "nope.yaml" in line


def test_invalid_process_file(work: Path) -> None:
    (work / "bad.yaml").write_text(PROCESS.replace("owner: se", "owner: nobody"), "utf-8")
    result = onboard("-p", "bad.yaml")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "nobody" in result.stderr


# --- -o: atomic, the marker, --force ----------------------------------------------------------


def test_output_file_is_written_atomically(work: Path) -> None:
    before = entries(work)
    result = onboard("-p", "process.yaml", "-o", "HANDBOOK.md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "wrote HANDBOOK.md\n"
    assert entries(work) == before | {"HANDBOOK.md"}  # no temporary file left behind
    assert (work / "HANDBOOK.md").read_text(encoding="utf-8") == render()


def test_output_creates_the_directory(work: Path) -> None:
    result = onboard("-p", "process.yaml", "-o", "docs/sales/HANDBOOK.md", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # -q
    assert entries(work / "docs" / "sales") == {"HANDBOOK.md"}


def test_failed_rename_leaves_the_old_file_and_no_temporary(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = work / "HANDBOOK.md"
    old = f"<!-- {MARKER} -->\nold text\n"
    target.write_text(old, encoding="utf-8")
    before = entries(work)

    def refuse(self: Path, other: object) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    line = error_line(onboard("-p", "process.yaml", "-o", "HANDBOOK.md"))
    assert "HANDBOOK.md" in line and "Permission denied" in line
    assert target.read_text(encoding="utf-8") == old
    assert entries(work) == before


def test_file_with_the_marker_is_rewritten(work: Path) -> None:
    target = work / "HANDBOOK.md"
    target.write_text(f"<!-- {MARKER} from process.yaml -->\nan older handbook\n", "utf-8")
    result = onboard("-p", "process.yaml", "-o", "HANDBOOK.md")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == render()


def test_file_without_the_marker_is_refused(work: Path) -> None:
    target = work / "HANDBOOK.md"
    target.write_text("# Our hand-written handbook\n", encoding="utf-8")
    before = entries(work)
    line = error_line(onboard("-p", "process.yaml", "-o", "HANDBOOK.md"))
    assert line == (
        "salesflow: error: HANDBOOK.md exists and was not generated by salesflow; "
        "use --force to replace it"
    )
    assert target.read_text(encoding="utf-8") == "# Our hand-written handbook\n"
    assert entries(work) == before


def test_force_replaces_a_file_without_the_marker(work: Path) -> None:
    target = work / "HANDBOOK.md"
    target.write_text("# Our hand-written handbook\n", encoding="utf-8")
    result = onboard("-p", "process.yaml", "-o", "HANDBOOK.md", "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == render()


def test_html_output_file_carries_the_marker_and_is_rewritten(work: Path) -> None:
    assert onboard("-p", "process.yaml", "-o", "handbook.html", "--format", "html").exit_code == 0
    first = (work / "handbook.html").read_text(encoding="utf-8")
    assert MARKER in first.splitlines()[1]
    (work / "process.yaml").write_text(PROCESS.replace("Test sales", "Test sales v2"), "utf-8")
    assert onboard("-p", "process.yaml", "-o", "handbook.html", "--format", "html").exit_code == 0
    assert "Test sales v2" in (work / "handbook.html").read_text(encoding="utf-8")


def test_output_onto_a_directory_is_an_error(work: Path) -> None:
    (work / "out").mkdir()
    line = error_line(onboard("-p", "process.yaml", "-o", "out"))
    assert "out" in line
    assert entries(work / "out") == set()


def test_output_file_mode_follows_the_umask(work: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert onboard("-p", "process.yaml", "-o", "HANDBOOK.md").exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((work / "HANDBOOK.md").stat().st_mode) == 0o644


# --- --check ----------------------------------------------------------------------------------


def test_check_passes_when_the_file_is_current(work: Path) -> None:
    assert onboard("-p", "process.yaml", "-o", "HANDBOOK.md").exit_code == 0
    target = work / "HANDBOOK.md"
    stamp = target.stat().st_mtime_ns
    result = onboard("-p", "process.yaml", "-o", "HANDBOOK.md", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert target.stat().st_mtime_ns == stamp


def test_check_fails_when_the_process_changed(work: Path) -> None:
    assert onboard("-p", "process.yaml", "-o", "HANDBOOK.md").exit_code == 0
    target = work / "HANDBOOK.md"
    written = target.read_text(encoding="utf-8")
    (work / "process.yaml").write_text(PROCESS.replace("Budget known", "Budget signed"), "utf-8")
    line = error_line(onboard("-p", "process.yaml", "-o", "HANDBOOK.md", "--check"), code=1)
    assert line == (
        "salesflow: HANDBOOK.md is out of date: run `salesflow onboard -o` to update it"
    )
    assert target.read_text(encoding="utf-8") == written  # --check never writes


def test_check_fails_when_the_file_is_missing(work: Path) -> None:
    line = error_line(onboard("-p", "process.yaml", "-o", "HANDBOOK.md", "--check"), code=1)
    assert "HANDBOOK.md is missing" in line
    assert not (work / "HANDBOOK.md").exists()


def test_check_compares_the_same_options(work: Path) -> None:
    """A handbook written for one role or format is current only for that role or format."""
    args = ("-p", "process.yaml", "-o", "se.html", "--role", "se", "--format", "html")
    assert onboard(*args).exit_code == 0
    assert onboard(*args, "--check").exit_code == 0
    assert (
        onboard("-p", "process.yaml", "-o", "se.html", "--format", "html", "--check").exit_code == 1
    )


def test_check_with_a_hand_edited_file(work: Path) -> None:
    assert onboard("-p", "process.yaml", "-o", "HANDBOOK.md").exit_code == 0
    target = work / "HANDBOOK.md"
    target.write_text(target.read_text(encoding="utf-8") + "a note added by hand\n", "utf-8")
    assert onboard("-p", "process.yaml", "-o", "HANDBOOK.md", "--check").exit_code == 1


def test_check_without_output_is_a_usage_error(work: Path) -> None:
    line = error_line(onboard("-p", "process.yaml", "--check"))
    assert line == "salesflow: error: --check compares with a file: give it with -o FILE"


# --- --role -----------------------------------------------------------------------------------


def test_role_renders_its_stages_in_full(work: Path) -> None:
    out = render("--role", "se")
    assert "\n# Test sales: sales handbook for the Solutions Engineer\n" in out
    assert "- [ ] Demo accepted" in out
    assert "- [ ] Need confirmed" not in out
    assert "- [ ] Order form signed" not in out
    assert (
        "### 1. Discovery\n\nOwned by Account Executive. Done when: Need confirmed; Budget known.\n"
    ) in out
    assert "### 2. Demo\n\n**Owner:** Solutions Engineer" in out


def test_role_that_owns_no_stage_summarises_every_stage(work: Path) -> None:
    out = render("--role", "manager")
    assert "sales handbook for the Sales Manager" in out
    assert "- [ ]" not in out
    assert out.count("Owned by ") == 3
    assert "### Sales Manager\n\n- Coaches the team\n" in out


def test_unknown_role_lists_the_roles(work: Path) -> None:
    line = error_line(onboard("-p", "process.yaml", "--role", "cfo"))
    assert line == "salesflow: error: --role cfo: no such role; roles: ae, se, manager"


# --- --format ---------------------------------------------------------------------------------


def test_html_format(work: Path) -> None:
    out = render("--format", "html")
    assert out.startswith("<!DOCTYPE html>\n")
    assert f"<!-- {MARKER} from process.yaml" in out
    assert '<h1 id="top">Test sales: sales handbook</h1>' in out
    assert '<ul class="check"><li>Need confirmed</li><li>Budget known</li></ul>' in out
    assert "<td>3. Proposal | Quote</td>" in out
    assert out == render("-f", "html")


@pytest.mark.parametrize(
    ("fmt", "shown"), [("pdf", "pdf"), ("md", "md"), ("HTML", "HTML"), ("", "''")]
)
def test_unknown_format(work: Path, fmt: str, shown: str) -> None:
    line = error_line(onboard("-p", "process.yaml", "--format", fmt))
    assert line == f"salesflow: error: --format {shown}: choose one of markdown, html"


# --- --since ----------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with two commits of sales/process.yaml: the second changes discovery's
    plan, replaces one exit criterion and adds a stage."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    root = tmp_path / "repo"
    (root / "sales").mkdir(parents=True)
    process = root / "sales" / "process.yaml"
    process.write_text(PROCESS, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first process")
    changed = PROCESS.replace("conversion: 0.6, days: 10", "conversion: 0.65, days: 12")
    changed = changed.replace("Budget known", "Budget approved")
    changed = changed.replace(
        "outcomes:",
        "  - id: legal\n    name: Legal review\n    owner: manager\n"
        "    exit_criteria: [Contract signed]\n    expected: {conversion: 0.95, days: 5}\n"
        "outcomes:",
    )
    process.write_text(changed, encoding="utf-8")
    git(root, "commit", "-q", "-a", "-m", "second process")
    monkeypatch.chdir(root)
    return root


def changes_section(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## What changed since"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
    return [line for line in lines[start:end] if line]


def test_since_lists_the_changes(repo: Path) -> None:
    result = onboard("-p", "sales/process.yaml", "--since", "HEAD~1")
    assert result.exit_code == 0, result.stderr
    section = changes_section(result.stdout)
    assert section == [
        "## What changed since HEAD\\~1",  # GFM reads a single ~ as strikethrough
        "**What you do differently**",
        "- “Budget known” is no longer needed for a deal to leave Discovery.",
        "- Before a deal leaves Discovery, also check: “Budget approved”.",
        "- The plan for Discovery: 65% of deals move on (was 60%).",
        "- Deals should spend a median of 12 days in Discovery (was 10).",
        "- New stage: “Legal review”, step 4 of the process.",
    ]
    # The section comes after the overview and before the roles.
    headings = [line for line in result.stdout.splitlines() if line.startswith("## ")]
    assert headings.index(section[0]) == headings.index("## Roles") - 1


def test_since_from_a_subdirectory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "sales")
    result = onboard("-p", "process.yaml", "--since", "HEAD~1")
    assert result.exit_code == 0, result.stderr
    assert "65% of deals move on (was 60%)" in "\n".join(changes_section(result.stdout))


def test_since_the_current_revision_has_nothing_new(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "nothing")
    out = onboard("-p", "sales/process.yaml", "--since", "HEAD").stdout
    assert changes_section(out) == [
        "## What changed since HEAD",
        "Nothing: the process is the same as at HEAD.",
    ]


def test_since_in_html(repo: Path) -> None:
    result = onboard("-p", "sales/process.yaml", "--since", "HEAD~1", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert '<h2 id="what-changed">What changed since HEAD~1</h2>' in result.stdout
    assert "Budget approved" in result.stdout


def test_since_an_unknown_revision(repo: Path) -> None:
    line = error_line(onboard("-p", "sales/process.yaml", "--since", "no-such-rev"))
    assert line == "salesflow: error: unknown revision 'no-such-rev'"


def test_since_a_revision_that_looks_like_an_option(repo: Path) -> None:
    line = error_line(onboard("-p", "sales/process.yaml", "--since=--output=x"))
    assert "not a revision" in line or "unknown revision" in line
    assert not (repo / "x").exists()


def test_since_follows_a_renamed_process_file(repo: Path) -> None:
    git(repo, "mv", "sales/process.yaml", "process.yaml")
    git(repo, "commit", "-q", "-m", "move the process to the root")
    result = onboard("-p", "process.yaml", "--since", "HEAD~2")
    assert result.exit_code == 0, result.stderr
    assert "Budget approved" in "\n".join(changes_section(result.stdout))


def test_since_a_revision_before_the_file_existed(repo: Path) -> None:
    minimal = (
        "salesflow: 1\nname: Other team\nstages:\n  - id: call\n    name: Call\n"
        "    exit_criteria: [Called]\n"
    )
    (repo / "process.yaml").write_text(minimal, encoding="utf-8")
    git(repo, "add", "process.yaml")
    git(repo, "commit", "-q", "-m", "a second process at the root")
    line = error_line(onboard("-p", "process.yaml", "--since", "HEAD~1"))
    assert "process.yaml does not exist at revision 'HEAD~1'" in line


def test_since_outside_a_git_repository(work: Path) -> None:
    line = error_line(onboard("-p", "process.yaml", "--since", "HEAD"))
    assert "not in a git repository" in line


def test_since_an_older_file(work: Path) -> None:
    (work / "old.yaml").write_text(PROCESS.replace("Budget known", "Budget guessed"), "utf-8")
    out = render("--since", "old.yaml")
    text = "\n".join(changes_section(out))
    assert "Budget guessed" in text and "Budget known" in text


# --- live numbers -----------------------------------------------------------------------------


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_live_numbers_in_every_stage_chapter(work: Path) -> None:
    out = render("--deals", "deals.csv")
    assert "From deals.csv: 11 deals, win rate 46%, median sales cycle 43 days." in out
    for name, (advanced, decided, plan) in LIVE.items():
        low, high = wilson(advanced, decided)
        chapter = out.split(f". {name}\n", 1)[1].split("\n### ", 1)[0]
        assert (
            f"**What the team achieves:** {advanced / decided * 100:.0f}% move on "
            f"({low * 100:.0f}%–{high * 100:.0f}%, {decided} deals decided), "
            f"{(advanced / decided - plan) * 100:+.1f} points against plan"
        ) in chapter, chapter
    assert "| 1. Discovery | Account Executive | 60% | 10 | 89% | – |" in out
    # 3 of 5 against a plan of 90%: the plan lies above the 95% interval (23%–88%)
    assert (
        "| 3. Proposal \\| Quote | Account Executive | 90% | 14 | 60% (really below plan) | – |"
        in out
    )


def test_no_bottleneck_on_little_evidence(work: Path) -> None:
    out = render("--deals", "deals.csv")
    assert "No stage is clearly below plan." in out
    assert "Bottleneck:" not in out


def test_bottleneck_is_called_out(work: Path) -> None:
    (work / "many.csv").write_text(MANY_DEALS, encoding="utf-8")
    out = render("--deals", "many.csv")
    # Proposal | Quote: 20 of 40 at a plan of 0.9, P(X ≤ 20) ≤ exp(−2·40·0.4²) = 2.8e-6: clearly
    # below plan. (0.9 − 0.5) × 40 entered × 1 = 16 extra wins × EUR 10,000 = EUR 160,000.
    assert (
        "**Bottleneck: Proposal \\| Quote.** Reaching the planned conversion there would add "
        "about 16.0 wins (EUR 160,000). This is where your effort pays most."
    ) in out


def test_live_numbers_from_the_environment(work: Path) -> None:
    result = onboard("-p", "process.yaml", env={"SALESFLOW_DEALS": "deals.csv"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("**What the team achieves:**") == 3


def test_no_data_leaves_live_numbers_out_even_when_data_is_set(work: Path) -> None:
    result = onboard("-p", "process.yaml", "--no-data", env={"SALESFLOW_DEALS": "deals.csv"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("What the team achieves", "How the team is doing", "Bottleneck:", "Actual"):
        assert text not in out
    assert out == render()


def test_no_data_does_not_read_the_data(work: Path) -> None:
    """Even a missing deals file is fine with --no-data."""
    result = onboard("-p", "process.yaml", "--no-data", env={"SALESFLOW_DEALS": "gone.csv"})
    assert result.exit_code == 0, result.stderr


def test_live_numbers_for_one_role(work: Path) -> None:
    out = render("--deals", "deals.csv", "--role", "se")
    assert out.count("**What the team achieves:**") == 1
    assert "From deals.csv: 11 deals, win rate 46%" in out
    assert "No stage is clearly below plan." in out
    (work / "many.csv").write_text(MANY_DEALS, encoding="utf-8")
    many = render("--deals", "many.csv", "--role", "se")
    assert "**Bottleneck: Proposal \\| Quote.**" in many


def test_missing_deals_file(work: Path) -> None:
    line = error_line(onboard("-p", "process.yaml", "--deals", "gone.csv"))
    assert "gone.csv" in line


def test_unmapped_labels_in_the_data_are_refused(work: Path) -> None:
    (work / "odd.csv").write_text(DEALS + "D12,Mystery,,2024-05-02,,ann,\n", "utf-8")
    line = error_line(onboard("-p", "process.yaml", "--deals", "odd.csv"))
    assert "Mystery" in line
    ignored = onboard("-p", "process.yaml", "--deals", "odd.csv", "--unmapped", "ignore")
    assert ignored.exit_code == 0
    assert "From odd.csv: 11 deals" in ignored.stdout
