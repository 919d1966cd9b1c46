"""Database URLs (sources.remote.urls): which target each scheme names, the URL's parts, and the
URL as salesflow shows it: no password, no token, in `shown` or in a driver's message (`mask`)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from salesflow.errors import InputError
from salesflow.sources.remote.urls import MASK, TARGETS, is_database_url, parse_url

DIALECTS = {
    "postgresql": ("postgres", "postgres", "psycopg"),
    "postgres": ("postgres", "postgres", "psycopg"),
    "snowflake": ("snowflake", "snowflake", "snowflake.connector"),
    "bigquery": ("bigquery", "bigquery", "google.cloud.bigquery"),
    "databricks": ("databricks", "databricks", "databricks.sql"),
    "trino": ("trino", "trino", "trino"),
}


def test_the_schemes_are_the_documented_ones() -> None:
    assert set(TARGETS) == set(DIALECTS)


@pytest.mark.parametrize("scheme", sorted(DIALECTS))
def test_each_scheme_names_its_dialect_extra_and_driver(scheme: str) -> None:
    for written in (scheme, scheme.upper()):
        url = parse_url(f"{written}://reader@host.example.com/crm")
        target = url.target
        assert (target.dialect, target.extra, target.driver) == DIALECTS[scheme]
        assert url.scheme == scheme
        assert is_database_url(f"{written}://reader@host.example.com/crm")


@pytest.mark.parametrize(
    "text",
    [
        "deals.csv",
        "examples/deals.csv",
        "C:\\exports\\deals.xlsx",
        "s3://bucket/deals.csv",
        "https://example.com/deals.csv",
        "mysql://reader@host/crm",
        "postgresql:/host/crm",
        "postgresql",
        "",
    ],
)
def test_files_and_other_urls_are_not_database_urls(text: str) -> None:
    assert not is_database_url(text)


def test_an_unknown_scheme_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        parse_url("mysql://reader:hunter2@host/crm")
    assert str(caught.value) == (
        "mysql://: not a database salesflow reads; choose postgresql://, postgres://, "
        "snowflake://, bigquery://, databricks://, trino://"
    )


def test_the_parts_of_a_postgres_url() -> None:
    url = parse_url("postgresql://Reader:s3cret@db.example.com:5433/crm?sslmode=require")
    assert (url.user, url.password, url.host, url.port) == (
        "Reader",
        "s3cret",
        "db.example.com",
        5433,
    )
    assert url.path_parts == ["crm"]
    assert url.query == {"sslmode": "require"}
    assert url.shown == "postgresql://Reader:***@db.example.com:5433/crm?sslmode=require"
    assert url.secrets() == ["s3cret"]


def test_a_percent_encoded_password_is_decoded_and_masked_in_both_forms() -> None:
    url = parse_url("postgresql://reader:p%40ss%3Aw0rd@db.example.com/crm")
    assert url.password == "p@ss:w0rd"
    assert url.shown == "postgresql://reader:***@db.example.com/crm"
    assert url.secrets() == ["p%40ss%3Aw0rd", "p@ss:w0rd"]
    message = "FATAL: password p@ss:w0rd rejected for postgresql://reader:p%40ss%3Aw0rd@db.example.com/crm"
    assert url.mask(message) == (
        "FATAL: password *** rejected for postgresql://reader:***@db.example.com/crm"
    )


def test_a_password_with_an_unencoded_at_sign_and_colon() -> None:
    url = parse_url("postgresql://reader:p@ss:word@db.example.com/crm")
    assert (url.user, url.password, url.host) == ("reader", "p@ss:word", "db.example.com")
    assert url.shown == "postgresql://reader:***@db.example.com/crm"


def test_an_empty_password_is_shown_masked_and_is_no_secret() -> None:
    url = parse_url("postgresql://reader:@db.example.com/crm")
    assert url.password == ""
    assert url.shown == "postgresql://reader:***@db.example.com/crm"
    assert url.secrets() == []


def test_a_url_without_password_is_shown_as_written() -> None:
    raw = "postgresql://reader@db.example.com:5432/crm?sslmode=require&application_name=x"
    url = parse_url(raw)
    assert url.password is None
    assert url.shown == raw
    assert url.secrets() == []
    assert url.mask(f"could not connect to {raw}") == f"could not connect to {raw}"


@pytest.mark.parametrize(
    ("raw", "shown", "secrets"),
    [
        (
            "databricks://adb-1.azuredatabricks.net/main/sales"
            "?http_path=/sql/1.0/warehouses/abc&token=dapi0123",
            "databricks://adb-1.azuredatabricks.net/main/sales"
            "?http_path=/sql/1.0/warehouses/abc&token=***",
            ["dapi0123"],
        ),
        (
            "trino://analyst@trino.example.com:8443/hive/crm?access_token=eyJhbGc.x.y&http_scheme=https",
            "trino://analyst@trino.example.com:8443/hive/crm?access_token=***&http_scheme=https",
            ["eyJhbGc.x.y"],
        ),
        (
            "snowflake://analyst:pw-9@acme-xy123/SALES/PUBLIC?warehouse=WH&client_secret=cs-1",
            "snowflake://analyst:***@acme-xy123/SALES/PUBLIC?warehouse=WH&client_secret=***",
            ["cs-1", "pw-9"],
        ),
        (
            "postgresql://db.example.com/crm?password=qwerty",
            "postgresql://db.example.com/crm?password=***",
            ["qwerty"],
        ),
    ],
)
def test_secret_query_values_are_masked(raw: str, shown: str, secrets: list[str]) -> None:
    url = parse_url(raw)
    assert url.shown == shown
    assert sorted(url.secrets()) == sorted(secrets)
    masked = url.mask(f"error: {raw} refused {secrets[0]}")
    assert masked == f"error: {shown} refused {MASK}"
    assert not any(secret in masked for secret in secrets)


def test_a_port_that_is_not_a_number_is_an_input_error_without_the_password() -> None:
    url = parse_url("postgresql://reader:hunter2@db.example.com:54x2/crm")
    with pytest.raises(InputError) as caught:
        _ = url.port
    assert str(caught.value) == (
        "postgresql://reader:***@db.example.com:54x2/crm: the port is not a number"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://reader:pw@db.example.com/crm?sslpassword=ab+cd",
        "trino://analyst:pw@trino.example.com/hive?access_token=ab%2Fcd",
    ],
)
def test_an_encoded_token_beside_a_password_is_masked(raw: str) -> None:
    url = parse_url(raw)
    masked = url.mask(f"connection to {raw} failed")
    assert masked == f"connection to {url.shown} failed"


# Printable characters; `*` is left out because the mask itself is made of it.
PASSWORDS = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="*"),
    min_size=1,
    max_size=24,
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(password=PASSWORDS)
def test_no_password_survives_shown_or_mask(password: str) -> None:
    written = quote(password, safe="")
    raw = f"postgresql://reader:{written}@db.example.com:5432/crm"
    shown = "postgresql://reader:***@db.example.com:5432/crm"
    expected = f"FATAL: password for reader ({MASK}) failed at {shown} [{MASK}]"
    assume(password not in expected)
    url = parse_url(raw)
    assert url.password == password
    assert url.shown == shown
    message = f"FATAL: password for reader ({password}) failed at {raw} [{written}]"
    masked = url.mask(message)
    assert masked == expected
    assert password not in masked
    assert written not in masked
