"""salesflow against a real PostgreSQL server (tests/postgres_server.py): the same figures as from
the same data in CSV files, computed on the server, in a read-only session; every failure one line
with exit 2 and no password."""

from __future__ import annotations

import csv as csv_module
import io
import json
import math
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from salesflow.errors import DataError
from salesflow.sources.remote import vocabulary
from salesflow.sources.remote.drivers import connect
from salesflow.sources.remote.session import Session
from salesflow.sources.remote.urls import parse_url
from tests import impact_scenario
from tests.helpers import EXAMPLE, REPO, assert_clean_exit, invoke
from tests.postgres_server import NOBODY, READER, PostgresServer
from tests.sources import test_presets as presets

pytestmark = [pytest.mark.xdist_group("postgres")]

DEALS_CSV = REPO / "examples" / "deals.csv"
HISTORY_CSV = REPO / "examples" / "stage_history.csv"
DATE_COLUMNS = [
    "created_at",
    "closed_at",
    "lead_date",
    "qualification_date",
    "discovery_date",
    "solution_date",
    "validation_date",
    "proposal_date",
    "negotiation_date",
]
TEXT_COLUMNS = ["deal_id", "stage", "owner", "source", "segment", "lost_at_stage", "lost_reason"]


@pytest.fixture(scope="module")
def server(postgres: PostgresServer) -> Iterator[PostgresServer]:
    header = DEALS_CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    types = {name: _type(name) for name in header}
    postgres.load_csv("deals", DEALS_CSV, types)
    postgres.execute("ALTER TABLE deals ADD PRIMARY KEY (deal_id)")
    history = {"deal_id": "text", "stage": "text", "entered_at": "timestamptz"}
    postgres.load_csv("stage_history", HISTORY_CSV, history)
    postgres.execute("CREATE SEQUENCE counter")
    postgres.execute(f"GRANT USAGE, SELECT ON SEQUENCE counter TO {READER[0]}")
    yield postgres


def _type(name: str) -> str:
    if name == "amount":
        return "numeric(14, 2)"
    return "date" if name in DATE_COLUMNS else "text"


def analyze(*args: str, env: dict[str, str] | None = None) -> Any:
    result = invoke("analyze", "-p", str(EXAMPLE), *args, "--format", "json", env=env)
    assert_clean_exit(result)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def same(remote: Any, local: Any) -> None:
    """Equal figures: floats to 12 significant digits (a database sums in another order)."""
    if isinstance(remote, dict):
        assert remote.keys() == local.keys()
        for key in remote:
            if key != "source":
                same(remote[key], local[key])
    elif isinstance(remote, list):
        assert len(remote) == len(local)
        for a, b in zip(remote, local, strict=True):
            same(a, b)
    elif isinstance(remote, float) and isinstance(local, float):
        assert math.isclose(remote, local, rel_tol=1e-12), (remote, local)
    else:
        assert remote == local


FILES = ("--deals", str(DEALS_CSV), "--history", str(HISTORY_CSV))


def database(server: PostgresServer, *, history: bool = True, url: str | None = None) -> tuple:
    url = url or server.url()
    return ("--deals", url, *(("--history", url) if history else ()))


@pytest.mark.parametrize(
    "extra",
    [
        (),
        ("--by", "segment"),
        ("--until", "2026-03-31"),
        ("--since", "2026-01-01", "--by", "owner"),
    ],
)
def test_analyze_gives_the_figures_of_the_csv_files(server: PostgresServer, extra: tuple) -> None:
    remote = analyze(*database(server), *extra)
    assert remote["source"] == server.url().replace(READER[1], "***")
    same(remote, analyze(*FILES, *extra))


@pytest.mark.parametrize("extra", [(), ("--until", "2026-03-31", "--by", "owner")])
def test_wide_dates_only_give_the_figures_of_the_csv_file(
    server: PostgresServer, extra: tuple
) -> None:
    """The end of the data then comes from the label scan (sources.remote.combinations)."""
    remote = analyze(*database(server, history=False), *extra)
    same(remote, analyze("--deals", str(DEALS_CSV), *extra))


def test_wide_dates_only_and_a_query(server: PostgresServer) -> None:
    query = "SELECT * FROM deals WHERE segment = 'Enterprise'"
    remote = analyze(*database(server, history=False), "--query", query)
    local = analyze("--deals", str(DEALS_CSV), "--where", "segment=Enterprise")
    same(remote, local)


@pytest.mark.parametrize("history", [True, False])
def test_a_query_of_no_deals_says_so_as_the_csv(
    server: PostgresServer, tmp_path: Path, history: bool
) -> None:
    header = tmp_path / "deals.csv"
    header.write_text(DEALS_CSV.read_text(encoding="utf-8").splitlines()[0] + "\n")
    remote = analyze(
        *database(server, history=history), "--query", "SELECT * FROM deals WHERE 1 = 0"
    )
    local = analyze("--deals", str(header), *(("--history", str(HISTORY_CSV)) if history else ()))
    assert remote["notes"] == ["no deals to analyse"]
    same(remote, local)


def test_the_aggregates_run_on_the_server(server: PostgresServer) -> None:
    mark = server.log_mark()
    analyze(*database(server))
    statements = _statements(server.log_since(mark))
    # the stays: one plain count of each deal's keys for the stages it reached, its deals kept
    # apart from the unnesting by a volatile column (stage_events.stays_sql)
    assert any(
        "GROUP BY g, key" in text and "UNNEST(CASE" in text and "CLOCK_TIMESTAMP()" in text
        for text in statements
    )
    assert any("AVG(amount)" in text for text in statements)
    # every statement of the analysis aggregates or reads the schema: no deal crosses over
    for text in statements:
        final = text.rsplit("\n", 1)[-1] if text.startswith("WITH") else text
        assert re.search(
            r"COUNT\(|MAX\(|LIMIT 0|pg_index|GROUP BY|^BEGIN|^ROLLBACK|^COMMIT", final
        ), final


def test_the_stays_are_computed_in_the_workers(server: PostgresServer) -> None:
    """With wide dates the stays go in a statement of their own (analytics.measures), which
    PostgreSQL can run in parallel: each deal's columns computed once, in a subquery it keeps
    apart (the volatile fence of sources.remote.transpile), and its keys unnested below the
    gather, in the workers. Parallel plans are made cheap here: this table is too small to
    get one otherwise (on 1M deals the workers also count the pairs: docs/data-sources.md)."""
    mark = server.log_mark()
    analyze(*database(server, history=False))
    stays = [text for text in _statements(server.log_since(mark)) if "GROUP BY g, key" in text]
    assert len(stays) == 1
    with psycopg.connect(server.admin_url()) as conn:
        for setting in (
            "parallel_setup_cost",
            "parallel_tuple_cost",
            "min_parallel_table_scan_size",
        ):
            conn.execute(f"SET {setting} = 0")
        plan = [str(row[0]) for row in conn.execute(f"EXPLAIN {stays[0]}").fetchall()]
    nodes = [line.strip().removeprefix("->  ").split("  (")[0] for line in plan]
    gather = nodes.index("Gather")
    assert {"ProjectSet", "Subquery Scan on d"} <= set(nodes[gather:]), plan


def _statements(log: str) -> list[str]:
    """The statements the reader sent, each whole (a logged statement spans lines)."""
    entries = re.split(r"\n(?=\d{4}-\d\d-\d\d )", log)
    return [
        entry.split("statement: ", 1)[1].strip()
        for entry in entries
        if "reader@crm" in entry and "statement: " in entry
    ]


def test_forecast_and_backtest_read_the_canonical_deals(server: PostgresServer) -> None:
    for command, extra in (("forecast", ("--leads", "120")), ("backtest", ())):
        outputs = []
        for source in (database(server), FILES):
            result = invoke(command, "-p", str(EXAMPLE), *source, *extra, "--format", "json")
            assert result.exit_code == 0, result.stderr
            outputs.append(json.loads(result.stdout))
        same(*outputs)


def test_validate_reads_the_database(server: PostgresServer) -> None:
    result = invoke("validate", "-p", str(EXAMPLE), *database(server))
    assert result.exit_code == 0, result.stderr


def test_the_session_is_read_only(server: PostgresServer) -> None:
    result = invoke(
        "analyze", "-p", str(EXAMPLE), "--deals", server.url(),
        "--query", "SELECT d.*, nextval('counter') AS n FROM deals d",
    )  # fmt: skip
    _one_line_error(result, "read-only transaction")
    rows = server.execute("SELECT last_value, is_called FROM counter")
    assert rows == [(1, False)]


@pytest.mark.parametrize(
    "query",
    ["DELETE FROM deals RETURNING *", "SELECT 1; DROP TABLE deals", "UPDATE deals SET amount = 0"],
)
def test_a_query_that_writes_never_leaves(server: PostgresServer, query: str) -> None:
    mark = server.log_mark()
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--query", query)
    _one_line_error(result, "only one SELECT")
    assert "deals" not in server.log_since(mark)


def test_a_wrong_password_is_one_line_without_the_password(server: PostgresServer) -> None:
    url = server.url(password="not-the-Secret-42")
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", url)
    _one_line_error(result, "password authentication failed")
    assert "not-the-Secret-42" not in result.output + result.stderr


def test_an_unreachable_host(server: PostgresServer) -> None:
    url = server.url().replace(f":{server.port}/", f":{_closed_port()}/")
    started = time.monotonic()
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", url)
    _one_line_error(result, "cannot connect")
    assert READER[1] not in result.stderr
    assert time.monotonic() - started < 15


def test_a_missing_table(server: PostgresServer) -> None:
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "nope")
    _one_line_error(result, '"nope" does not exist')


def test_no_permission(server: PostgresServer) -> None:
    url = server.url(user=NOBODY[0], password=NOBODY[1])
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", url)
    _one_line_error(result, "permission denied")
    assert NOBODY[1] not in result.stderr


def test_a_statement_past_the_timeout_is_cancelled(server: PostgresServer) -> None:
    slow = "SELECT d.* FROM deals d CROSS JOIN (SELECT pg_sleep(5)) s"
    started = time.monotonic()
    result = invoke(
        "analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--query", slow, "--timeout", "0.5"
    )
    _one_line_error(result, "longer than --timeout 0.5 s and was cancelled on the server")
    assert time.monotonic() - started < 4
    assert _running(server) == []


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_cancels_the_statement_on_the_server(server: PostgresServer, number: int) -> None:
    slow = "SELECT d.* FROM deals d CROSS JOIN (SELECT pg_sleep(30)) s"
    command = [
        sys.executable, "-m", "salesflow", "analyze", "-p", str(EXAMPLE),
        "--deals", server.url(), "--query", slow,
    ]  # fmt: skip
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=REPO)
    _wait_for(lambda: _sleeping(server))
    child.send_signal(number)
    _, stderr = child.communicate(timeout=15)
    assert child.returncode == 2, stderr
    assert stderr.strip().splitlines() == [
        f"salesflow: error: {server.url().replace(READER[1], '***')}: interrupted; the query "
        "was cancelled on the server"
    ]
    _wait_for(lambda: _running(server) == [])


def test_a_command_leaves_no_connection_open(server: PostgresServer) -> None:
    """Run inside another program (as here), a command closes its sessions, read or refused:
    an open read-only transaction would keep the owner's DROP or ALTER TABLE waiting."""
    analyze(*database(server))
    refused = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "nosuch")
    assert refused.exit_code == 2
    rows = server.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (READER[0],))
    assert rows[0][0] == 0


def test_credentials_from_pgpassword_and_pgpass(server: PostgresServer, tmp_path: Path) -> None:
    bare = server.url(password=None)
    with_env = analyze("--deals", bare, env={"PGPASSWORD": READER[1]})
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{server.port}:crm:{READER[0]}:{READER[1]}\n")
    passfile.chmod(0o600)
    with_file = analyze("--deals", bare, env={"PGPASSFILE": str(passfile)})
    same(with_env, with_file)
    same(with_env, analyze("--deals", str(DEALS_CSV)))


def test_credentials_from_a_service_file(server: PostgresServer, tmp_path: Path) -> None:
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[crm]\nhost=127.0.0.1\nport={server.port}\ndbname=crm\nuser={READER[0]}\n"
        f"password={READER[1]}\n"
    )
    found = analyze("--deals", "postgresql:///?service=crm", env={"PGSERVICEFILE": str(services)})
    same(found, analyze("--deals", str(DEALS_CSV)))


def test_unmapped_labels_are_refused_and_listed(server: PostgresServer) -> None:
    server.execute("CREATE TABLE odd AS SELECT * FROM deals")
    server.execute(
        "UPDATE odd SET stage = 'Limbo' WHERE deal_id IN (SELECT deal_id FROM odd LIMIT 3)"
    )
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "odd")
    _one_line_error(result, '3 deals with a stage that matches no stage or outcome: "Limbo" (3)')
    ignored = invoke(
        "analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "odd",
        "--unmapped", "ignore", "--format", "json",
    )  # fmt: skip
    assert ignored.exit_code == 0, ignored.stderr
    assert json.loads(ignored.stdout)["deals"]["total"] == 1997


def test_duplicate_ids_are_refused_without_a_primary_key(server: PostgresServer) -> None:
    server.execute(
        "CREATE TABLE twice AS SELECT * FROM deals UNION ALL SELECT * FROM deals LIMIT 2010"
    )
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "twice")
    _one_line_error(result, "10 deal ids on more than one row")


def _text_table(server: PostgresServer, name: str) -> None:
    header = DEALS_CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    server.load_csv(name, DEALS_CSV, dict.fromkeys(header, "text"))


def _one_line_error(result: Any, fragment: str) -> None:
    assert_clean_exit(result)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("salesflow: error: "), result.stderr
    assert fragment in lines[0], lines[0]


def _named(server: PostgresServer, history_table: str | None = None) -> str:
    """The deals (or the history `history_table`) as salesflow names them in a message."""
    shown = server.url().replace(READER[1], "***")
    return shown if history_table is None else f"{shown} ({history_table})"


def _refusal(result: Any, **names: str) -> str:
    """The one error line of `result` (see _one_line_error), each name of the data in it (a
    file, a table) replaced by its key: a file's refusal and a table's compare."""
    _one_line_error(result, "")
    line: str = result.stderr.strip()
    for key, name in sorted(names.items(), key=lambda item: -len(item[1])):
        line = line.replace(name, f"<{key}>")
    return line


def _running(server: PostgresServer) -> list[str]:
    rows = server.execute(
        "SELECT query FROM pg_stat_activity WHERE usename = %s AND state = 'active'",
        (READER[0],),
    )
    return [str(row[0]) for row in rows]


def _sleeping(server: PostgresServer) -> bool:
    """The reader's statement is in pg_sleep (its text is cut at 1 kB in pg_stat_activity)."""
    rows = server.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND wait_event = 'PgSleep'",
        (READER[0],),
    )
    return bool(rows[0][0])


def _wait_for(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_query_needs_a_database() -> None:
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", str(DEALS_CSV), "--query", "SELECT 1")
    _one_line_error(result, "--query reads a database")


@pytest.mark.parametrize(
    ("flag", "value"), [("--date-format", "%d/%m/%Y"), ("--number-format", "1.234,56")]
)
def test_file_settings_are_refused_for_a_database(flag: str, value: str) -> None:
    url = "postgresql://reader:s3cret@127.0.0.1:1/crm"
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", url, flag, value)
    _one_line_error(result, "is for text files")
    assert "s3cret" not in result.stderr


def test_a_table_of_text_columns_reads_as_the_csv(server: PostgresServer) -> None:
    """A CSV loaded as it was, every column text (empty values as empty strings, dates with a
    UTC offset): the same figures as the file."""
    _text_table(server, "deals_text")
    server.execute("UPDATE deals_text SET lost_reason = '' WHERE lost_reason IS NULL")
    server.execute("UPDATE deals_text SET closed_at = '' WHERE closed_at IS NULL")
    server.execute("UPDATE deals_text SET created_at = created_at || 'T02:00:00+02:00'")
    remote = analyze("--deals", server.url(), "--table", "deals_text")
    same(remote, analyze("--deals", str(DEALS_CSV)))


def _rewritten(
    server: PostgresServer,
    folder: Path,
    csv_path: Path,
    name: str,
    write: Any,
    columns: frozenset[str] = frozenset({*DATE_COLUMNS, "entered_at"}),
) -> Path:
    """A copy of `csv_path` whose non-empty `columns` (the dates) `write(column, value, row
    number)` rewrites, as a file and as the all-text table `name` (a CSV loaded as it was)."""
    rows = list(csv_module.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    dated = [i for i, column in enumerate(header) if column in columns]
    for number, row in enumerate(body):
        for i in dated:
            row[i] = write(header[i], row[i], number) if row[i] else row[i]
    copy = folder / f"{name}.csv"
    with copy.open("w", encoding="utf-8", newline="") as out:
        csv_module.writer(out).writerows([header, *body])
    server.load_csv(name, copy, dict.fromkeys(header, "text"))
    return copy


def _us(column: str, value: str, number: int) -> str:
    """Month first, as a US Salesforce report writes it: times with AM/PM on the close, two-digit
    years on some stage dates; two values no format reads."""
    day = date.fromisoformat(value[:10])
    if column == "closed_at" and number == 3:
        return "not a date"
    if column == "lead_date" and number == 5:
        return "2/30/2024"
    if column == "closed_at":
        return f"{day.month}/{day.day}/{day.year} {number % 12 + 1}:{number % 60:02d} PM"
    if column in {"qualification_date", "discovery_date"}:
        return f"{day.month:02d}/{day.day:02d}/{day.year % 100:02d}"
    return f"{day.month}/{day.day}/{day.year}"


def _analyze_table(server: PostgresServer, table: str) -> Any:
    """`analyze --format json` of a table, which succeeds (its warnings on stderr)."""
    run = ("analyze", "-p", str(EXAMPLE), "--format", "json")
    result = invoke(*run, "--deals", server.url(), "--table", table)
    assert result.exit_code == 0, result.stderr
    return result


def test_text_dates_written_month_first_read_as_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    """Detected as in the file (month first, from the values), read on the server; the values
    no format reads are named, as the file names their rows."""
    csv = _rewritten(server, tmp_path, DEALS_CSV, "deals_us", _us)
    result = _analyze_table(server, "deals_us")
    assert 'whose closed_at is not a date, such as "not a date"' in result.stderr
    assert 'whose lead_date is not a date, such as "2/30/2024"' in result.stderr
    local = analyze("--deals", str(csv))
    same(json.loads(result.stdout), local)
    assert local["win_rate"] > 0


def test_history_dates_written_day_first_read_as_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    def day_first(column: str, value: str, number: int) -> str:
        day = date.fromisoformat(value[:10])
        return f"{day.day:02d}.{day.month:02d}.{day.year} {number % 24}:{number % 60:02d}"

    history = _rewritten(server, tmp_path, HISTORY_CSV, "history_de", day_first)
    remote = analyze(
        "--deals", server.url(), "--history", server.url(), "--history-table", "history_de"
    )
    same(remote, analyze("--deals", str(DEALS_CSV), "--history", str(history)))


@pytest.mark.parametrize(
    ("write", "fragment"),
    [
        (
            lambda c, v, n: "03/05/2024" if c == "closed_at" and n == 1 else v,
            "column 'closed_at' holds dates as text mostly written YYYY-MM-DD, but not all "
            '(first: "03/05/2024")',
        ),
        (
            lambda c, v, n: f"{int(v[8:10]) % 12 + 1}/{int(v[5:7])}/{v[:4]}",
            "dates such as",  # the file's words: they read either way
        ),
        (
            lambda c, v, n: f"{int(v[5:7])}/{int(v[8:10])}/{v[:4]} 9:00 PM EST",
            "with a time zone",
        ),
    ],
    ids=["mostly-iso", "either-way", "zoned"],
)
def test_text_dates_no_single_reading_fits_are_refused(
    server: PostgresServer, tmp_path: Path, write: Any, fragment: str
) -> None:
    _rewritten(server, tmp_path, DEALS_CSV, "deals_odd", write)
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "deals_odd")
    _one_line_error(result, fragment)


def _written_as(**forms: str) -> Any:
    """A `_rewritten` writer of the date columns named, each written as its form says: "d/m"
    (13/01/2024), "m/d" (1/13/2024), "either way" (d/m with the day folded into 1-12, 01/01/2024
    for the 13th: every value reads either way) or "ISO" (that folded day as 2024-01-01: what
    "either way" means read day first); the other columns as they were (YYYY-MM-DD)."""

    def write(column: str, value: str, number: int) -> str:
        day = date.fromisoformat(value[:10])
        folded = day.replace(day=(day.day - 1) % 12 + 1)
        written = {
            "d/m": f"{day.day:02d}/{day.month:02d}/{day.year}",
            "m/d": f"{day.month}/{day.day}/{day.year}",
            "either way": f"{folded.day:02d}/{folded.month:02d}/{folded.year}",
            "ISO": folded.isoformat(),
        }
        return written[forms[column]] if column in forms else value

    return write


def _meant(forms: dict[str, str]) -> dict[str, str]:
    """The forms of `_written_as` that write the same dates as `forms` read day first, as
    YYYY-MM-DD."""
    return {column: "ISO" for column, form in forms.items() if form == "either way"}


@pytest.mark.parametrize(
    "preset", [(), ("--preset", "salesforce")], ids=["no-preset", "salesforce"]
)
def test_a_date_column_that_reads_either_way_follows_the_tables_other_columns(
    server: PostgresServer, tmp_path: Path, preset: tuple
) -> None:
    """closed_at shows the table is written day first (13/01/2024): created_at, whose dates all
    read either way, is read day first, as in the file, before a preset's order (Salesforce's
    month first): the figures of the same dates written YYYY-MM-DD."""
    forms = {"created_at": "either way", "closed_at": "d/m"}
    name = f"deals_day_first_{len(preset)}"
    csv = _rewritten(server, tmp_path, DEALS_CSV, name, _written_as(**forms))
    meant = _rewritten(server, tmp_path, DEALS_CSV, "deals_meant", _written_as(**_meant(forms)))
    remote = analyze(*preset, "--deals", server.url(), "--table", name)
    same(remote, analyze(*preset, "--deals", str(csv)))
    same(remote, analyze(*preset, "--deals", str(meant)))


@pytest.mark.parametrize("entered", ["entered_at", "created_at"])
@pytest.mark.parametrize(
    ("deals_forms", "history_form"),
    [
        ({"created_at": "either way", "closed_at": "either way"}, "d/m"),
        ({"closed_at": "d/m"}, "either way"),
    ],
    ids=["history-shows", "deals-show"],
)
def test_dates_that_read_either_way_follow_the_other_table(
    server: PostgresServer,
    tmp_path: Path,
    entered: str,
    deals_forms: dict[str, str],
    history_form: str,
) -> None:
    """When no date column of its own table shows the order, a column that reads either way
    follows the other table's: the deals the history's entry dates, the history the deals'
    close dates; also when the history's entry date has the name of a deals column (created_at,
    as Salesforce's Created Date in a report and its OpportunityHistory). The figures of the
    file, and of the same dates written YYYY-MM-DD."""
    history_forms = {entered: history_form}
    header, rest = HISTORY_CSV.read_text(encoding="utf-8").split("\n", 1)
    renamed = tmp_path / "history_renamed.csv"
    renamed.write_text(header.replace("entered_at", entered) + "\n" + rest, encoding="utf-8")
    process = tmp_path / "process.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("entered: entered_at", f"entered: {entered}")
    process.write_text(text, encoding="utf-8")
    tag = f"{entered}_{len(deals_forms)}"
    deals = _rewritten(server, tmp_path, DEALS_CSV, f"deals_{tag}", _written_as(**deals_forms))
    history = _rewritten(server, tmp_path, renamed, f"history_{tag}", _written_as(**history_forms))
    meant = [
        _rewritten(server, tmp_path, DEALS_CSV, "deals_meant", _written_as(**_meant(deals_forms))),
        _rewritten(
            server, tmp_path, renamed, "history_meant", _written_as(**_meant(history_forms))
        ),
    ]
    run = ("analyze", "-p", str(process), "--format", "json")
    tables = ("--table", f"deals_{tag}", "--history-table", f"history_{tag}")
    found = [
        invoke(*run, *database(server), *tables),
        invoke(*run, "--deals", str(deals), "--history", str(history)),
        invoke(*run, "--deals", str(meant[0]), "--history", str(meant[1])),
    ]
    assert all(result.exit_code == 0 for result in found), [r.stderr for r in found]
    remote, local, as_meant = (json.loads(result.stdout) for result in found)
    same(remote, local)
    same(remote, as_meant)


@pytest.mark.parametrize("refused", ["lead_date", "history"])
def test_dates_that_read_either_way_are_refused_when_the_columns_disagree(
    server: PostgresServer, tmp_path: Path, refused: str
) -> None:
    """created_at shows day first (13/01/2024), closed_at month first (1/13/2024): a column that
    reads either way, of the deals or of the history, is refused with the file's line, whatever
    the preset says."""
    forms = {"created_at": "d/m", "closed_at": "m/d"}
    forms |= {"lead_date": "either way"} if refused == "lead_date" else {}
    deals = _rewritten(server, tmp_path, DEALS_CSV, f"deals_{refused}", _written_as(**forms))
    history_either = _written_as(entered_at="either way")
    history = _rewritten(server, tmp_path, HISTORY_CSV, "history_either", history_either)
    with_history = refused == "history"
    remote = invoke(
        "analyze", "-p", str(EXAMPLE), "--preset", "salesforce",
        *database(server, history=with_history), "--table", f"deals_{refused}",
        *(("--history-table", "history_either") if with_history else ()),
    )  # fmt: skip
    local = invoke(
        "analyze", "-p", str(EXAMPLE), "--preset", "salesforce", "--deals", str(deals),
        *(("--history", str(history)) if with_history else ()),
    )  # fmt: skip
    refusal = _refusal(local, deals=str(deals), history=str(history))
    column = "lead_date" if refused == "lead_date" else "entered_at"
    assert refusal.startswith(
        f"salesflow: error: <{'deals' if refused == 'lead_date' else 'history'}>: column "
        f"'{column}': dates such as "
    ), refusal
    assert (
        "read either way (month/day or day/month), and the date columns of <deals> disagree on "
        "the order ('created_at' day/month, 'closed_at' month/day); declare the format in "
        f'data.date_format, e.g. {{"{column}": "%m/%d/%Y"}}'
    ) in refusal
    named = {"deals": _named(server), "history": _named(server, "history_either")}
    # the server names the table that holds the column by the database alone, its history's
    # too, where a file's line names the history file: the rest is the file's line
    assert _refusal(remote, **named).partition(": column ")[2] == refusal.partition(": column ")[2]


def _formatted(column: str, value: str, number: int) -> str:
    """Amounts as a Salesforce report or a spreadsheet writes them; one no rule reads."""
    amount = float(value)
    if number == 4:
        return "n/a"
    return [f"{amount:,.2f}", f"${amount:,.2f}", f"({amount:.2f})", f"{amount:.2f}"][number % 4]


def test_text_amounts_with_symbols_and_separators_read_as_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    csv = _rewritten(
        server, tmp_path, DEALS_CSV, "deals_amounts", _formatted, frozenset({"amount"})
    )
    result = _analyze_table(server, "deals_amounts")
    assert '1 row whose amount is not a number, such as "n/a"' in result.stderr
    local = analyze("--deals", str(csv))
    same(json.loads(result.stdout), local)
    assert local["avg_won_amount"] != analyze("--deals", str(DEALS_CSV))["avg_won_amount"]


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("1,234", "amounts such as 1,234 read differently by number format"),
        ("USD 1,000.00", 'holds amounts as text such as "USD 1,000.00", read from files only'),
        ("12K GBP", 'holds amounts as text such as "12K GBP", read from files only'),
        ("1.5k EUR", 'holds amounts as text such as "1.5k EUR", read from files only'),
    ],
)
def test_text_amounts_read_otherwise_than_a_file_are_refused(
    server: PostgresServer, tmp_path: Path, written: str, fragment: str
) -> None:
    def write(column: str, value: str, number: int) -> str:
        return written if number in (2, 3, 4, 5) else value

    _rewritten(server, tmp_path, DEALS_CSV, "deals_odd_amounts", write, frozenset({"amount"}))
    result = invoke(
        "analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "deals_odd_amounts"
    )
    _one_line_error(result, fragment)


def _with_currency(server: PostgresServer, folder: Path, marks: list[str]) -> Path:
    """examples/deals.csv with a `currency` column cycling through `marks`, as a file and as the
    table `deals_cur` (typed as the deals table, the currency as text)."""
    header, *rows = DEALS_CSV.read_text(encoding="utf-8").splitlines()
    lines = [f"{header},currency"]
    lines += [f"{row},{marks[index % len(marks)]}" for index, row in enumerate(rows)]
    csv = folder / "deals_cur.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    types = {name: _type(name) for name in header.split(",")} | {"currency": "text"}
    server.execute("DROP TABLE IF EXISTS deals_cur")
    server.load_csv("deals_cur", csv, types)
    return csv


def _process_with(folder: Path, data_lines: str) -> Path:
    process = folder / "process.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("\ndata:\n", f"\ndata:\n{data_lines}", 1)
    process.write_text(text, encoding="utf-8")
    return process


def test_a_currency_column_converts_the_amounts_as_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    """Codes and symbols, in any case, some empty (the process currency): each amount converted
    by data.rates on the server, the same figures as the file."""
    csv = _with_currency(server, tmp_path, ["EUR", "eur", "€", "", "USD", " GBP "])
    process = _process_with(tmp_path, "  rates: {EUR: 1.08, GBP: 1.27}\n")
    run = ("analyze", "-p", str(process), "--format", "json")
    remote = invoke(*run, "--deals", server.url(), "--table", "deals_cur")
    local = invoke(*run, "--deals", str(csv))
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    same(json.loads(remote.stdout), json.loads(local.stdout))
    plain = analyze("--deals", str(DEALS_CSV))
    assert json.loads(remote.stdout)["avg_won_amount"] != plain["avg_won_amount"]


def test_a_currency_without_a_rate_is_refused_as_in_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    csv = _with_currency(server, tmp_path, ["EUR", "USD", "gbp", "USD"])
    process = _process_with(tmp_path, "  rates: {EUR: 1.08}\n")
    remote = invoke("analyze", "-p", str(process), "--deals", server.url(), "--table", "deals_cur")
    local = invoke("analyze", "-p", str(process), "--deals", str(csv))
    fragment = "rows in a currency other than USD with no rate: GBP (500); add data.rates"
    assert fragment in local.stderr, local.stderr
    _one_line_error(remote, fragment)


def _symbols(column: str, value: str, number: int) -> str:
    """A third of the amounts written in euros (`€ 99.50`), a third in pounds (`£1,200.00`)."""
    amount = float(value)
    return [f"€ {amount:.2f}", f"£{amount:,.2f}", value][number % 3]


def _dollars(column: str, value: str, number: int) -> str:
    return f"${float(value):,.2f}"


def _won_average(rates: list[float]) -> float:
    """The average amount won in examples/deals.csv, the amount of row `number` worth
    `rates[number % len(rates)]` of the process currency."""
    rows = csv_module.DictReader(io.StringIO(DEALS_CSV.read_text(encoding="utf-8")))
    won = [
        float(row["amount"]) * rates[number % len(rates)]
        for number, row in enumerate(rows)
        if row["stage"] == "Closed Won"
    ]
    return sum(won) / len(won)


def test_text_amounts_with_a_currency_symbol_are_converted_as_in_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    """`€ 99.50` is 99.50 EUR and `£1,200.00` is 1,200 GBP on the server, as in a file: each
    converted by data.rates, the same figures; without the rates, the same refusal."""
    csv = _rewritten(server, tmp_path, DEALS_CSV, "deals_symbols", _symbols, frozenset({"amount"}))
    process = _process_with(tmp_path, "  rates: {EUR: 1.08, GBP: 1.27}\n")
    run = ("analyze", "-p", str(process), "--format", "json")
    remote = invoke(*run, "--deals", server.url(), "--table", "deals_symbols")
    local = invoke(*run, "--deals", str(csv))
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    found = json.loads(remote.stdout)
    same(found, json.loads(local.stdout))
    assert found["avg_won_amount"] == pytest.approx(_won_average([1.08, 1.27, 1.0]))
    remote = invoke(
        "analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "deals_symbols"
    )
    local = invoke("analyze", "-p", str(EXAMPLE), "--deals", str(csv))
    fragment = (
        "997 rows in a currency other than USD with no rate: GBP (506), EUR (491); add data.rates"
    )
    assert fragment in local.stderr, local.stderr
    _one_line_error(remote, fragment)


def _in_cad(folder: Path) -> Path:
    """The example process kept in CAD, with rates for USD and EUR."""
    process = _process_with(folder, "  rates: {USD: 1.35, EUR: 1.5}\n")
    text = process.read_text(encoding="utf-8").replace("\ncurrency: USD\n", "\ncurrency: CAD\n", 1)
    process.write_text(text, encoding="utf-8")
    return process


def test_dollar_amounts_in_any_dollar_of_the_currency_column_as_in_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    """In a CAD process with a USD rate, `$1,000.00` is 1,350 CAD where the currency column says
    USD and 1,000 CAD where it says CAD: a `$` agrees with either, on the server as in a file."""
    marked = _with_currency(server, tmp_path, ["USD", "CAD"])
    csv = _rewritten(server, tmp_path, marked, "deals_dollars", _dollars, frozenset({"amount"}))
    run = ("analyze", "-p", str(_in_cad(tmp_path)), "--format", "json")
    remote = invoke(*run, "--deals", server.url(), "--table", "deals_dollars")
    local = invoke(*run, "--deals", str(csv))
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    found = json.loads(remote.stdout)
    same(found, json.loads(local.stdout))
    assert found["currency"] == "CAD"
    assert found["avg_won_amount"] == pytest.approx(_won_average([1.35, 1.0]))


def test_a_dollar_against_a_column_saying_eur_is_refused_as_in_the_csv(
    server: PostgresServer, tmp_path: Path
) -> None:
    marked = _with_currency(server, tmp_path, ["CAD", "EUR"])
    csv = _rewritten(server, tmp_path, marked, "deals_dollars_eur", _dollars, frozenset({"amount"}))
    run = ("analyze", "-p", str(_in_cad(tmp_path)))
    remote = invoke(*run, "--deals", server.url(), "--table", "deals_dollars_eur")
    local = invoke(*run, "--deals", str(csv))
    fragment = "765 rows whose amount is written in another currency than currency says"
    assert local.exit_code == 2 and fragment in local.stderr, local.stderr
    _one_line_error(remote, fragment)


@pytest.mark.parametrize("crm", ["hubspot", "pipedrive", "salesforce"])
def test_a_crm_export_loaded_as_it_was_reads_with_its_preset(
    server: PostgresServer, tmp_path: Path, crm: str
) -> None:
    """A CRM's export copied into a table of text columns, read with the CRM's starter process
    (`data.preset`): its column names, stage-date columns, outcome labels, ignored values,
    currency column and second closing date (Pipedrive's Lost time) as for the file; a
    Salesforce report's dates (3/30/2024) and amounts (1,000.00) too."""
    export = {
        "hubspot": presets.HUBSPOT,
        "pipedrive": presets.PIPEDRIVE,
        "salesforce": presets.SALESFORCE,
    }[crm]
    csv = tmp_path / f"{crm}.csv"
    csv.write_text(export, encoding="utf-8")
    header = next(csv_module.reader(io.StringIO(export)))
    server.load_csv(f"export_{crm}", csv, dict.fromkeys(header, "text"))
    process = tmp_path / "process.yaml"
    process.write_text(presets.starter(crm), encoding="utf-8")
    run = ("analyze", "-p", str(process), "--format", "json")
    remote = invoke(*run, "--deals", server.url(), "--table", f"export_{crm}")
    local = invoke(*run, "--deals", str(csv))
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    same(json.loads(remote.stdout), json.loads(local.stdout))


PIPELINES = ("--map", "pipeline=segment")  # Mid-Market (1,510 deals) and Enterprise (490)
COUNTED = ["label-scan", "too-many-combinations"]


def _count_pipelines(monkeypatch: pytest.MonkeyPatch, counted: str) -> None:
    """With "too-many-combinations", the label scan brings back no combination, as when there
    are more than vocabulary.MAX_COMBINATIONS (40,000), forced as test_dialect_sql's
    test_too_many_label_combinations_count_the_problems_on_the_server forces it (`invoke` runs
    in this process): the pipelines are then counted by a statement of their own."""
    if counted == "too-many-combinations":
        monkeypatch.setattr(vocabulary, "MAX_COMBINATIONS", 0)


def _pipelines_counted_apart(server: PostgresServer, mark: int) -> bool:
    """Whether the pipelines were counted by a statement of their own since `mark`."""
    statements = _statements(server.log_since(mark))
    return any("GROUP BY pipeline_key" in text for text in statements)


@pytest.mark.parametrize("counted", COUNTED)
@pytest.mark.parametrize(
    ("where", "listed"),
    [
        ((), '"Mid-Market" (1,510), "Enterprise" (490)'),
        (("--where", "source=partner"), '"Mid-Market" (205), "Enterprise" (77)'),
    ],
    ids=["all", "where-source"],
)
def test_several_pipelines_are_refused_as_in_the_csv(
    server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    counted: str,
    where: tuple,
    listed: str,
) -> None:
    """A pipeline column holding two pipelines, none chosen: the file's one line, the pipelines
    counted among the rows the other filters keep, by the label scan or, when the combinations
    are too many for it, by a statement of their own."""
    _count_pipelines(monkeypatch, counted)
    mark = server.log_mark()
    remote = invoke("analyze", "-p", str(EXAMPLE), *database(server), *PIPELINES, *where)
    local = invoke("analyze", "-p", str(EXAMPLE), *FILES, *PIPELINES, *where)
    refusal = _refusal(local, deals=str(DEALS_CSV))
    assert refusal.startswith(
        f"salesflow: error: <deals>: column 'segment' holds deals of 2 pipelines: {listed}; "
        "set data.pipeline to the pipeline this process describes"
    ), refusal
    assert _refusal(remote, deals=_named(server)) == refusal
    assert _pipelines_counted_apart(server, mark) is (counted == "too-many-combinations")


@pytest.mark.parametrize(
    ("data_lines", "flags", "total"),
    [
        ("", ("--where", "segment=Mid-Market", "--where", "segment=Enterprise"), 2000),
        ("  where: {segment: [Mid-Market, Enterprise]}\n", (), 2000),
        ("  pipeline: Enterprise\n", (), 490),
    ],
    ids=["--where", "data.where", "data.pipeline"],
)
def test_pipelines_chosen_give_the_figures_of_the_csv(
    server: PostgresServer, tmp_path: Path, data_lines: str, flags: tuple, total: int
) -> None:
    """Both pipelines chosen on purpose (or one by data.pipeline): no refusal, the figures of
    the file."""
    process = _process_with(tmp_path, data_lines)
    run = ("analyze", "-p", str(process), *PIPELINES, *flags, "--format", "json")
    remote = invoke(*run, *database(server))
    local = invoke(*run, *FILES)
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    found = json.loads(remote.stdout)
    assert found["deals"]["total"] == total
    same(found, json.loads(local.stdout))


def _renewals(column: str, value: str, number: int) -> str:
    """Every tenth deal in the pipeline Renewals at the stage Renewal; the others in Sales."""
    renewal = number % 10 == 0
    if column == "stage":
        return "Renewal" if renewal else value
    return "Renewals" if renewal else "Sales"


@pytest.mark.parametrize("counted", COUNTED)
def test_a_pipeline_whose_rows_are_all_ignored_is_no_second_pipeline(
    server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: str
) -> None:
    """The pipelines are counted among the rows data.ignore keeps: with the Renewal stage
    ignored, Sales is the only pipeline, and the figures are the file's; without, refused."""
    name = f"deals_renewals_{COUNTED.index(counted)}"
    csv = _rewritten(server, tmp_path, DEALS_CSV, name, _renewals, frozenset({"stage", "source"}))
    mapped = ("--map", "pipeline=source")
    _count_pipelines(monkeypatch, counted)
    refused = invoke("analyze", "-p", str(EXAMPLE), *database(server), "--table", name, *mapped)
    fragment = 'column \'source\' holds deals of 2 pipelines: "Sales" (1,800), "Renewals" (200)'
    _one_line_error(refused, fragment)
    ignoring = _process_with(tmp_path, "  ignore: [Renewal]\n")
    mark = server.log_mark()
    run = ("analyze", "-p", str(ignoring), *mapped, "--format", "json")
    remote = invoke(*run, *database(server), "--table", name)
    local = invoke(*run, "--deals", str(csv), "--history", str(HISTORY_CSV))
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    found = json.loads(remote.stdout)
    assert (found["deals"]["total"], found["ignored_rows"]) == (1800, 200)
    same(found, json.loads(local.stdout))
    assert _pipelines_counted_apart(server, mark) is (counted == "too-many-combinations")


def test_an_absurd_amount_is_refused_as_in_the_csv(server: PostgresServer, tmp_path: Path) -> None:
    header, first, *rows = DEALS_CSV.read_text(encoding="utf-8").splitlines()
    amount = header.split(",").index("amount")
    cells = first.split(",")
    cells[amount] = "1e17"
    csv = tmp_path / "absurd.csv"
    csv.write_text("\n".join([header, ",".join(cells), *rows]) + "\n", encoding="utf-8")
    types = {name: _type(name) for name in header.split(",")} | {"amount": "numeric"}
    server.load_csv("absurd", csv, types)
    remote = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "absurd")
    local = invoke("analyze", "-p", str(EXAMPLE), "--deals", str(csv))
    fragment = "1 row whose amount is infinite, NaN or beyond ±1,000,000,000,000,000"
    assert fragment in local.stderr, local.stderr
    _one_line_error(remote, fragment)


def test_nan_and_infinite_amounts_are_refused(server: PostgresServer) -> None:
    """A numeric column may hold NaN and Infinity: never an average of them."""
    server.execute("CREATE TABLE wild AS SELECT * FROM deals")
    server.execute("ALTER TABLE wild ALTER COLUMN amount TYPE double precision")
    server.execute(
        "UPDATE wild SET amount = CASE WHEN deal_id = (SELECT min(deal_id) FROM wild) "
        "THEN 'NaN'::float8 ELSE 'Infinity'::float8 END "
        "WHERE deal_id IN (SELECT deal_id FROM wild ORDER BY 1 LIMIT 2)"
    )
    result = invoke("analyze", "-p", str(EXAMPLE), "--deals", server.url(), "--table", "wild")
    _one_line_error(result, "2 rows whose amount is infinite, NaN or beyond ±1,000,000,000,000,000")


def test_a_date_no_file_reads_is_no_date_on_the_server_too(
    server: PostgresServer, tmp_path: Path
) -> None:
    """A CRM's 9999-12-31 for "never" as a won deal's close: no date, as in the file (not the
    end of the data), with a warning."""
    header, *rows = DEALS_CSV.read_text(encoding="utf-8").splitlines()
    names = header.split(",")
    stage, closed = names.index("stage"), names.index("closed_at")
    first_won = next(i for i, row in enumerate(rows) if row.split(",")[stage] == "Closed Won")
    cells = rows[first_won].split(",")
    cells[closed] = "9999-12-31"
    rows[first_won] = ",".join(cells)
    csv = tmp_path / "far.csv"
    csv.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    server.load_csv("far", csv, {name: _type(name) for name in names})
    run = ("analyze", "-p", str(EXAMPLE), "--format", "json")
    remote = invoke(*run, "--deals", server.url(), "--table", "far")
    local = invoke(*run, "--deals", str(csv))
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.stderr, local.stderr)
    same(json.loads(remote.stdout), json.loads(local.stdout))
    assert "1 row whose closed_at is not a date" in local.stderr
    assert "1 row with a date before 1900 or after 2200 in created_at, closed_at" in remote.stderr


def test_a_history_date_no_file_reads_is_no_date_on_the_server_too(
    server: PostgresServer, tmp_path: Path
) -> None:
    header, first, *rows = HISTORY_CSV.read_text(encoding="utf-8").splitlines()
    entered = header.split(",").index("entered_at")
    cells = first.split(",")
    cells[entered] = "1066-10-14"
    csv = tmp_path / "history.csv"
    csv.write_text("\n".join([header, ",".join(cells), *rows]) + "\n", encoding="utf-8")
    types = {"deal_id": "text", "stage": "text", "entered_at": "timestamptz"}
    server.load_csv("old_history", csv, types)
    url = server.url()
    remote = analyze("--deals", url, "--history", url, "--history-table", "old_history")
    same(remote, analyze("--deals", str(DEALS_CSV), "--history", str(csv)))


def test_impact_gives_the_figures_of_the_csv_file(
    server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`impact` on the server: one statement of per-stage, per-period stays, the same report."""
    root = tmp_path / "repo"
    impact_scenario.build_repository(root, deals=800)
    stage_dates = impact_scenario.DATE_COLUMNS
    dated = {*stage_dates, "created_at", "closed_at"}
    names = [*impact_scenario.COLUMNS, *stage_dates]
    types = {name: "date" if name in dated else "text" for name in names}
    server.load_csv("impact_deals", root / "deals.csv", {**types, "amount": "numeric"})
    monkeypatch.chdir(root)
    local = invoke("impact", "--deals", "deals.csv", "--format", "json")
    remote = invoke(
        "impact", "--deals", server.url(), "--table", "impact_deals", "--format", "json"
    )
    assert local.exit_code == 0 and remote.exit_code == 0, remote.stderr
    same(json.loads(remote.stdout), json.loads(local.stdout))


@pytest.mark.parametrize("extra", [(), ("--since", "2026-01-01")])
def test_goals_and_quotas_are_judged_as_in_the_csv(server: PostgresServer, extra: tuple) -> None:
    """The window's first day, the revenue won in it per owner and the sales-cycle verdict,
    from the server's aggregates: the same goals, verdicts and notes as the file's."""
    process = str(REPO / "examples" / "goals" / "process.yaml")
    common = ("-p", process, "--by", "owner", *extra, "--format", "json")
    remote = invoke("analyze", *database(server, history=False), *common)
    local = invoke("analyze", "--deals", str(DEALS_CSV), *common)
    assert remote.exit_code == 0 and local.exit_code == 0, remote.stderr
    found = json.loads(remote.stdout)
    assert found["goals"]["cycle_days"]["above"] is True
    same(found, json.loads(local.stdout))


def test_a_pair_of_statements_runs_at_once_in_one_snapshot(server: PostgresServer) -> None:
    """The stays and the amounts run on two connections, both reading the data as it was when
    the session's first statement ran: a row added since is seen by neither."""
    server.execute("DROP TABLE IF EXISTS snapshot_rows")
    server.execute("CREATE TABLE snapshot_rows AS SELECT 1 AS x")
    url = parse_url(server.url())
    session = Session(url, connect(url, None), None)
    count = "SELECT count(*) FROM snapshot_rows"
    try:
        assert session.rows(count) == [(1,)]
        server.execute("INSERT INTO snapshot_rows VALUES (2)")
        assert session.rows_each([count, count]) == [[(1,)], [(1,)]]
        assert session._helper is not None and server.execute(count) == [(2,)]
    finally:
        session.close()


def test_when_one_of_a_pair_fails_the_other_is_cancelled(server: PostgresServer) -> None:
    url = parse_url(server.url())
    session = Session(url, connect(url, None), None)
    started = time.monotonic()
    try:
        session.rows("SELECT 1")
        with pytest.raises(DataError, match="division by zero"):
            session.rows_each(["SELECT pg_sleep(30)", "SELECT 1 / 0"])
    finally:
        session.close()
    assert time.monotonic() - started < 10
    _wait_for(lambda: _running(server) == [])
