"""Database URLs: which target a `--deals` value names, and the URL as it may be shown (any
password masked)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from salesflow.errors import InputError

MASK = "***"


@dataclass(frozen=True)
class Target:
    """A kind of database: its sqlglot dialect, and the extra that installs its driver."""

    dialect: str
    extra: str
    driver: str  # the module the extra installs


POSTGRES = Target("postgres", "postgres", "psycopg")
TARGETS = {
    "postgresql": POSTGRES,
    "postgres": POSTGRES,
    "snowflake": Target("snowflake", "snowflake", "snowflake.connector"),
    "bigquery": Target("bigquery", "bigquery", "google.cloud.bigquery"),
    "databricks": Target("databricks", "databricks", "databricks.sql"),
    "trino": Target("trino", "trino", "trino"),
}


@dataclass(frozen=True)
class DatabaseUrl:
    raw: str
    parts: SplitResult
    target: Target

    @property
    def scheme(self) -> str:
        return self.parts.scheme.lower()

    @property
    def user(self) -> str | None:
        return unquote(self.parts.username) if self.parts.username else None

    @property
    def password(self) -> str | None:
        return unquote(self.parts.password) if self.parts.password is not None else None

    @property
    def host(self) -> str:
        return self.parts.hostname or ""

    @property
    def port(self) -> int | None:
        try:
            return self.parts.port
        except ValueError:
            raise InputError(f"{self.shown}: the port is not a number") from None

    @property
    def path_parts(self) -> list[str]:
        return [unquote(part) for part in self.parts.path.split("/") if part]

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.parts.query))

    @property
    def shown(self) -> str:
        """The URL with its password (and any secret query value) replaced by ***."""
        netloc = self.parts.netloc
        if self.parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.partition(':')[0]}:{MASK}@{host}"
        query = "&".join(
            f"{key}={MASK if _secret(key) else value}" for key, value in parse_qsl(self.parts.query)
        )
        return self.parts._replace(netloc=netloc, query=query).geturl()

    def mask(self, text: str) -> str:
        """`text` (a driver's message) with every secret of the URL replaced by ***."""
        for secret in self.secrets():
            text = text.replace(secret, MASK)
        return text.replace(self.raw, self.shown)

    def secrets(self) -> list[str]:
        found = [self.password] if self.password else []
        found += [value for key, value in parse_qsl(self.parts.query) if _secret(key) and value]
        found += [self.parts.password] if self.parts.password else []
        found += [value for key, value in _raw_pairs(self.parts.query) if _secret(key) and value]
        return sorted(set(found), key=len, reverse=True)


def _raw_pairs(query: str) -> list[tuple[str, str]]:
    """The query's key=value pairs as written (percent-encoded, '+' kept)."""
    return [tuple(pair.partition("=")[::2]) for pair in query.split("&") if pair]  # type: ignore[misc]


def _secret(key: str) -> bool:
    return any(word in key.lower() for word in ("password", "token", "secret", "key"))


def is_database_url(text: str) -> bool:
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in TARGETS


def parse_url(text: str) -> DatabaseUrl:
    parts = urlsplit(text)
    target = TARGETS.get(parts.scheme.lower())
    if target is None:
        known = ", ".join(f"{scheme}://" for scheme in TARGETS)
        raise InputError(f"{parts.scheme}://: not a database salesflow reads; choose {known}")
    return DatabaseUrl(text, parts, target)
