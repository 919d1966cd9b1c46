"""Connections (sources.remote.drivers) without a server: a missing driver names the extra to
install, an unreachable PostgreSQL is one masked line, and each driver is opened with the URL's
parts (fake driver modules stand in for the optional extras)."""

from __future__ import annotations

import importlib
import secrets
import socket
import time
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import psycopg
import pytest

from salesflow.errors import DataError, InputError
from salesflow.sources.remote.drivers import CONNECT_SECONDS, connect
from salesflow.sources.remote.urls import parse_url

OPTIONAL_DRIVERS = ("snowflake", "google", "databricks", "trino")


class DriverError(Exception):
    """A fake driver's PEP 249 `Error`."""


def _imports(monkeypatch: pytest.MonkeyPatch, fakes: dict[str, ModuleType]) -> None:
    """importlib.import_module gives the fakes, and refuses every optional driver."""
    real = importlib.import_module

    def import_module(name: str, package: str | None = None) -> ModuleType:
        if name in fakes:
            return fakes[name]
        if name.split(".")[0] in OPTIONAL_DRIVERS or name == "psycopg":
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)


def _module(name: str, **attributes: Any) -> ModuleType:
    module = ModuleType(name)
    module.Error = DriverError  # type: ignore[attr-defined]
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


def _recorder(calls: list[dict[str, Any]], result: Any) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append({"args": args, **kwargs})
        return result

    return call


@pytest.mark.parametrize(
    ("raw", "extra"),
    [
        ("snowflake://analyst:Pw-77@acme-xy123/SALES/PUBLIC?warehouse=WH", "snowflake"),
        ("bigquery://my-project/crm", "bigquery"),
        (
            "databricks://adb-1.azuredatabricks.net/main/crm?http_path=/sql/wh&token=dapi-77",
            "databricks",
        ),
        ("trino://analyst:Pw-77@trino.example.com:8443/hive/crm", "trino"),
        ("postgresql://reader:Pw-77@db.example.com/crm", "postgres"),
    ],
)
def test_a_missing_driver_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, raw: str, extra: str
) -> None:
    _imports(monkeypatch, {})
    url = parse_url(raw)
    with pytest.raises(InputError) as caught:
        connect(url, None)
    message = str(caught.value)
    assert message == (
        f'{url.shown}: the {extra} driver is not installed; pip install "salesflow[{extra}]"'
    )
    assert "77" not in message


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_postgres_is_one_line_without_the_password() -> None:
    password = f"pw-{secrets.token_hex(6)}"
    port = _closed_port()
    url = parse_url(f"postgresql://reader:{password}@127.0.0.1:{port}/crm")
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        connect(url, 5.0)
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith(f"postgresql://reader:***@127.0.0.1:{port}/crm: cannot connect: ")
    assert password not in message
    assert "\n" not in message
    assert elapsed < 3


class FakePostgres:
    """What psycopg.connect returns: the settings salesflow makes after connecting."""

    read_only: bool | None = None
    isolation_level: Any = None

    def cancel_safe(self) -> None:
        """psycopg's cancel of the running statement."""


@pytest.mark.parametrize(
    ("timeout", "statement_timeout"),
    [(None, None), (2.5, "statement_timeout=2500"), (0.0001, "statement_timeout=1")],
)
def test_postgres_is_read_only_repeatable_read_in_utc(
    monkeypatch: pytest.MonkeyPatch, timeout: float | None, statement_timeout: str | None
) -> None:
    calls: list[dict[str, Any]] = []
    raw = FakePostgres()
    fake = _module("psycopg", connect=_recorder(calls, raw), IsolationLevel=psycopg.IsolationLevel)
    _imports(monkeypatch, {"psycopg": fake})
    url = parse_url("postgresql://reader:pw@db.example.com:5433/crm?sslmode=require")
    connection = connect(url, timeout)
    (call,) = calls
    assert call["args"] == (url.raw,)
    assert call["connect_timeout"] == CONNECT_SECONDS
    assert call["application_name"] == "salesflow"
    settings = call["options"].split(" -c ")
    assert settings[0] == "-c default_transaction_read_only=on"
    assert "TimeZone=UTC" in settings
    assert [s for s in settings if s.startswith("statement_timeout")] == (
        [statement_timeout] if statement_timeout else []
    )
    assert raw.read_only is True
    assert raw.isolation_level == psycopg.IsolationLevel.REPEATABLE_READ
    assert (connection.raw, connection.module, connection.cancel) == (raw, fake, raw.cancel_safe)


def test_a_driver_error_on_connect_is_a_masked_data_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise DriverError(
            'password authentication failed for user "reader" (tried "Pw-77")\nDETAIL: more'
        )

    _imports(monkeypatch, {"psycopg": _module("psycopg", connect=refuse)})
    url = parse_url("postgresql://reader:Pw-77@db.example.com/crm")
    with pytest.raises(DataError) as caught:
        connect(url, None)
    assert str(caught.value) == (
        "postgresql://reader:***@db.example.com/crm: cannot connect: "
        'password authentication failed for user "reader" (tried "***")'
    )


def test_snowflake_gets_account_database_schema_and_session_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    raw = object()
    fake = _module("snowflake.connector", connect=_recorder(calls, raw))
    _imports(monkeypatch, {"snowflake.connector": fake})
    url = parse_url("snowflake://analyst:Pw-77@acme-xy123/SALES/PUBLIC?warehouse=WH&role=RO")
    connection = connect(url, 30)
    assert calls == [
        {
            "args": (),
            "account": "acme-xy123",
            "user": "analyst",
            "password": "Pw-77",
            "database": "SALES",
            "schema": "PUBLIC",
            "session_parameters": {"TIMEZONE": "UTC", "STATEMENT_TIMEOUT_IN_SECONDS": "30"},
            "login_timeout": CONNECT_SECONDS,
            "warehouse": "WH",
            "role": "RO",
        }
    ]
    assert (connection.raw, connection.module, connection.cancel) == (raw, fake, None)


@pytest.mark.parametrize(
    "raw_url",
    [
        "databricks://token:dapi-77@adb-1.azuredatabricks.net/main/crm?http_path=/sql/wh",
        "databricks://adb-1.azuredatabricks.net/main/crm?http_path=/sql/wh&token=dapi-77",
    ],
)
def test_databricks_gets_host_http_path_token_catalog_and_schema(
    monkeypatch: pytest.MonkeyPatch, raw_url: str
) -> None:
    calls: list[dict[str, Any]] = []
    fake = _module("databricks.sql", connect=_recorder(calls, object()))
    _imports(monkeypatch, {"databricks.sql": fake})
    connect(parse_url(raw_url), None)
    assert calls == [
        {
            "args": (),
            "server_hostname": "adb-1.azuredatabricks.net",
            "http_path": "/sql/wh",
            "access_token": "dapi-77",
            "catalog": "main",
            "schema": "crm",
        }
    ]


@pytest.mark.parametrize(
    ("raw_url", "port", "user", "auth"),
    [
        ("trino://analyst:Pw-77@trino.example.com:8443/hive/crm", 8443, "analyst", True),
        ("trino://trino.example.com/hive/crm", 443, "salesflow", False),
    ],
)
def test_trino_gets_host_port_catalog_schema_and_basic_auth(
    monkeypatch: pytest.MonkeyPatch, raw_url: str, port: int, user: str, auth: bool
) -> None:
    calls: list[dict[str, Any]] = []
    dbapi = SimpleNamespace(connect=_recorder(calls, object()), Error=DriverError)
    fake = _module("trino", dbapi=dbapi)
    basic = _module("trino.auth", BasicAuthentication=lambda *a: ("basic", *a))
    _imports(monkeypatch, {"trino": fake, "trino.auth": basic})
    connection = connect(parse_url(raw_url), 12.0)
    assert calls == [
        {
            "args": (),
            "host": "trino.example.com",
            "port": port,
            "user": user,
            "catalog": "hive",
            "schema": "crm",
            "http_scheme": "https",
            "auth": ("basic", "analyst", "Pw-77") if auth else None,
            "request_timeout": 12.0,
        }
    ]
    assert connection.module is dbapi


def test_bigquery_gets_a_client_of_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    clients: list[dict[str, Any]] = []
    connections: list[dict[str, Any]] = []
    raw = object()
    dbapi = _module("google.cloud.bigquery.dbapi", connect=_recorder(connections, raw))
    fake = _module("google.cloud.bigquery", Client=_recorder(clients, "client"))
    _imports(monkeypatch, {"google.cloud.bigquery": fake, "google.cloud.bigquery.dbapi": dbapi})
    connection = connect(parse_url("bigquery://my-project/crm"), None)
    assert clients == [{"args": (), "project": "my-project"}]
    assert connections == [{"args": ("client",)}]
    assert (connection.raw, connection.module) == (raw, dbapi)


def test_bigquery_and_databricks_get_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    clients: list[dict[str, Any]] = []
    dbapi = _module("google.cloud.bigquery.dbapi", connect=_recorder([], object()))
    bigquery = _module(
        "google.cloud.bigquery",
        Client=_recorder(clients, "client"),
        QueryJobConfig=lambda **settings: ("config", settings),
    )
    databricks_calls: list[dict[str, Any]] = []
    databricks = _module("databricks.sql", connect=_recorder(databricks_calls, object()))
    _imports(
        monkeypatch,
        {
            "google.cloud.bigquery": bigquery,
            "google.cloud.bigquery.dbapi": dbapi,
            "databricks.sql": databricks,
        },
    )
    connect(parse_url("bigquery://my-project/crm"), 2.5)
    connect(parse_url("databricks://adb-1.azuredatabricks.net/main/crm?http_path=/w"), 2.5)
    assert clients[0]["default_query_job_config"] == ("config", {"job_timeout_ms": 2500})
    assert databricks_calls[0]["session_configuration"] == {"STATEMENT_TIMEOUT": "2"}
