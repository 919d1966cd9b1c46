"""Connections to each kind of database, through its official driver (an optional extra).

Every driver follows PEP 249 (DB-API 2.0): `cursor()`, `execute()`, `fetchall()`, a module-level
`Error`. PostgreSQL's session is read-only from its first statement and keeps one snapshot for
all the queries of a command (REPEATABLE READ). The warehouses get only single SELECT queries
(sources.remote.transpile checks each before it is sent)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from salesflow.errors import DataError, InputError
from salesflow.sources.remote.urls import DatabaseUrl

CONNECT_SECONDS = 10


@dataclass(frozen=True)
class Connection:
    """A DB-API connection, its driver's module (for its Error class) and how to cancel the
    statement it is running (None: the driver cannot)."""

    raw: Any
    module: ModuleType
    cancel: Callable[[], None] | None = None


def connect(url: DatabaseUrl, timeout: float | None) -> Connection:
    module = _driver(url)
    opener = OPENERS[url.target.extra]
    try:
        return opener(url, module, timeout)
    except module.Error as error:
        raise DataError(f"{url.shown}: cannot connect: {url.mask(first_line(error))}") from None


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _driver(url: DatabaseUrl) -> ModuleType:
    try:
        return importlib.import_module(url.target.driver)
    except ImportError:
        raise InputError(
            f"{url.shown}: the {url.target.extra} driver is not installed; "
            f'pip install "salesflow[{url.target.extra}]"'
        ) from None


def _postgres(url: DatabaseUrl, psycopg: ModuleType, timeout: float | None) -> Connection:
    # work_mem: the metrics' sorts and hashes stay in memory rather than spill to disk
    settings = ["-c default_transaction_read_only=on", "-c TimeZone=UTC", "-c work_mem=64MB"]
    if timeout is not None:
        settings.append(f"-c statement_timeout={max(1, round(timeout * 1000))}")
    raw = psycopg.connect(
        url.raw,
        connect_timeout=CONNECT_SECONDS,
        options=" ".join(settings),
        application_name="salesflow",
    )
    raw.read_only = True
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    return Connection(raw, psycopg, raw.cancel_safe)


def _snowflake(url: DatabaseUrl, module: ModuleType, timeout: float | None) -> Connection:
    path = url.path_parts
    parameters = {"TIMEZONE": "UTC"}
    if timeout is not None:
        parameters["STATEMENT_TIMEOUT_IN_SECONDS"] = str(max(1, round(timeout)))
    raw = module.connect(
        account=url.host,
        user=url.user,
        password=url.password,
        database=path[0] if path else None,
        schema=path[1] if len(path) > 1 else None,
        session_parameters=parameters,
        login_timeout=CONNECT_SECONDS,
        **url.query,
    )
    return Connection(raw, module)


def _bigquery(url: DatabaseUrl, module: ModuleType, timeout: float | None) -> Connection:
    dbapi = importlib.import_module("google.cloud.bigquery.dbapi")
    settings = {}
    if timeout is not None:  # every query job of the client: BigQuery stops it past the limit
        limit = max(1, round(timeout * 1000))
        settings["default_query_job_config"] = module.QueryJobConfig(job_timeout_ms=limit)
    client = module.Client(project=url.host or None, **settings)
    return Connection(dbapi.connect(client), dbapi)


def _databricks(url: DatabaseUrl, module: ModuleType, timeout: float | None) -> Connection:
    path, query = url.path_parts, url.query
    settings = {}
    if timeout is not None:  # Databricks SQL's session parameter, in whole seconds
        settings["session_configuration"] = {"STATEMENT_TIMEOUT": str(max(1, round(timeout)))}
    raw = module.connect(
        server_hostname=url.host,
        http_path=query.get("http_path"),
        access_token=url.password or query.get("token"),
        catalog=path[0] if path else None,
        schema=path[1] if len(path) > 1 else None,
        **settings,
    )
    return Connection(raw, module)


def _trino(url: DatabaseUrl, module: ModuleType, timeout: float | None) -> Connection:
    path = url.path_parts
    auth = None
    if url.password:
        auth = importlib.import_module("trino.auth").BasicAuthentication(url.user, url.password)
    raw = module.dbapi.connect(
        host=url.host,
        port=url.port or 443,
        user=url.user or "salesflow",
        catalog=path[0] if path else None,
        schema=path[1] if len(path) > 1 else None,
        http_scheme=url.query.get("http_scheme", "https"),
        auth=auth,
        request_timeout=timeout or CONNECT_SECONDS * 30,
    )
    return Connection(raw, module.dbapi)


Opener = Callable[[DatabaseUrl, ModuleType, "float | None"], Connection]
OPENERS: dict[str, Opener] = {
    "postgres": _postgres,
    "snowflake": _snowflake,
    "bigquery": _bigquery,
    "databricks": _databricks,
    "trino": _trino,
}
