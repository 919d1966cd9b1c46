"""The private PostgreSQL server itself: roles and permissions, loopback only, statement log."""

from __future__ import annotations

import socket

import psycopg
import pytest
from psycopg import errors

from tests.postgres_server import NOBODY, PostgresServer

pytestmark = [pytest.mark.xdist_group("postgres")]

DEALS_CSV = 'deal_id,stage,amount\n1,Qualify,10.5\n2,Won,\n3,"Lost, late",7\n'


@pytest.fixture(scope="module")
def deals(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("csv") / "deals.csv"
    path.write_text(DEALS_CSV)
    columns = {"deal_id": "integer", "stage": "text", "amount": "numeric(10,2)"}
    postgres.load_csv("fixture_deals", path, columns)
    return "fixture_deals"


def _rows(url: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement).fetchall()  # type: ignore[arg-type]


def test_the_reader_selects_a_loaded_table(postgres: PostgresServer, deals: str) -> None:
    rows = _rows(postgres.url(), f"SELECT deal_id, stage, amount::text FROM {deals} ORDER BY 1")
    assert rows == [(1, "Qualify", "10.50"), (2, "Won", None), (3, "Lost, late", "7.00")]


def test_the_reader_cannot_write(postgres: PostgresServer, deals: str) -> None:
    with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
        _rows(postgres.url(), f"INSERT INTO {deals} VALUES (4, 'Won', 1) RETURNING deal_id")
    assert postgres.execute(f"SELECT count(*) FROM {deals}") == [(3,)]


def test_nobody_reads_connects_but_cannot_select(postgres: PostgresServer, deals: str) -> None:
    url = postgres.url(*NOBODY)
    assert _rows(url, "SELECT current_user") == [("nobody_reads",)]
    with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
        _rows(url, f"SELECT * FROM {deals}")


def test_the_server_listens_on_loopback_only(postgres: PostgresServer) -> None:
    assert postgres.execute("SHOW listen_addresses") == [("127.0.0.1",)]
    for family, address in ((socket.AF_INET, "127.0.0.2"), (socket.AF_INET6, "::1")):
        with socket.socket(family) as probe, pytest.raises(OSError):
            probe.settimeout(1)
            probe.connect((address, postgres.port))


def test_the_statement_log_shows_what_a_test_ran(postgres: PostgresServer, deals: str) -> None:
    mark = postgres.log_mark()
    _rows(postgres.url(), f"SELECT count(*) /* log-probe-7f3a */ FROM {deals}")
    logged = postgres.log_since(mark)
    assert (
        f"reader@crm LOG:  statement: SELECT count(*) /* log-probe-7f3a */ FROM {deals}" in logged
    )
    # the mark counts bytes: statements with `€` before it would shift a slice of the text
    assert b"log-probe-7f3a" not in postgres.log_path.read_bytes()[:mark]


def test_a_wrong_password_is_refused(postgres: PostgresServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        _rows(postgres.url(password="wrong"), "SELECT 1")
