"""A private PostgreSQL cluster for the tests: initdb in a fresh temporary directory, loopback only,
every statement logged, stopped and removed at the end.

As root, initdb and postgres refuse to run, so they run as the `postgres` OS user (or a system user
`salesflow-pg`, created if needed) through `runuser`. The cluster holds a database `crm`, a role
`reader` that may SELECT every table in schema public (now and later) and a role `nobody_reads`
that may connect but read nothing.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

_Completed = subprocess.CompletedProcess[str]

BINARIES_MISSING = "PostgreSQL server binaries (initdb) not found"
ADMIN = "salesflow_admin"
DATABASE = "crm"
READER = ("reader", "reader-secret")
NOBODY = ("nobody_reads", "nobody-secret")
SERVER_USERS = ("postgres", "salesflow-pg")
START_ATTEMPTS = 3
SERVER_SETTINGS = (
    "listen_addresses=127.0.0.1",
    "log_statement=all",
    "log_min_duration_statement=-1",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=128MB",
    "log_line_prefix=%m [%p] %u@%d ",
)


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: from PATH, else the newest /usr/lib/postgresql."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    installed = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(installed, key=_version, reverse=True)
    complete = (d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists())
    return next(complete, None)


def _version(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    run_as: str | None
    admin_password: str
    port: int = 0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(
        self, user: str = READER[0], password: str | None = READER[1], database: str = DATABASE
    ) -> str:
        credentials = user if password is None else f"{user}:{password}"
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{database}"

    def admin_url(self, database: str = DATABASE) -> str:
        return self.url(ADMIN, self.admin_password, database)

    def execute(
        self, statement: str, params: Any = None, database: str = DATABASE
    ) -> list[tuple[Any, ...]]:
        """Run `statement` as the admin, autocommit; the rows it returns, if any."""
        with psycopg.connect(self.admin_url(database), autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def load_csv(self, table: str, csv_path: Path, columns: dict[str, str]) -> None:
        """(Re)create `table` (may be schema.table) with `columns` (name → PostgreSQL type, in
        the CSV's order) and COPY the CSV, which has a header line, into it."""
        name = sql.Identifier(*table.split("."))
        definitions = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(kind))
            for column, kind in columns.items()
        )
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
            conn.execute(sql.SQL("CREATE TABLE {} ({})").format(name, definitions))
            copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)")
            with (
                conn.cursor().copy(copy.format(name, names)) as stream,
                csv_path.open("rb") as source,
            ):
                while chunk := source.read(1 << 16):
                    stream.write(chunk)

    def log_text(self) -> str:
        return self.log_since(0)

    def log_mark(self) -> int:
        """The log's current length: pass it to log_since to read only what came after."""
        return self.log_path.stat().st_size

    def log_since(self, mark: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        """Fast shutdown, then remove the cluster's directory."""
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> _Completed:
        command = [str(self.bin_dir / program), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=False)
        if check and done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")
        return done


def start_server(base: Path | None = None, bin_dir: Path | None = None) -> PostgresServer:
    """A started cluster in a new directory under `base` (default: the system temp directory,
    whose parents any user can traverse — pytest's tmp_path is not)."""
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError(BINARIES_MISSING)
    root = Path(tempfile.mkdtemp(prefix="salesflow-pg-", dir=base))
    server = PostgresServer(bin_dir, root, _server_user(), secrets.token_hex(16))
    try:
        _initdb(server)
        _start(server)
        _create_roles(server)
    except BaseException:
        server.stop()
        raise
    return server


def _server_user() -> str | None:
    """None when not root; else an unprivileged OS user to run the server as."""
    if os.geteuid() != 0:
        return None
    for user in SERVER_USERS:
        try:
            pwd.getpwnam(user)
            return user
        except KeyError:
            continue
    # Two xdist workers may race here: the loser's useradd fails, the user exists all the same.
    subprocess.run(["useradd", "--system", "--no-create-home", SERVER_USERS[-1]], check=False)
    pwd.getpwnam(SERVER_USERS[-1])
    return SERVER_USERS[-1]


def _initdb(server: PostgresServer) -> None:
    password_file = server.root / "admin-password"
    password_file.write_text(server.admin_password + "\n")
    password_file.chmod(0o600)
    server.data_dir.mkdir(mode=0o700)
    server.socket_dir.mkdir(mode=0o700)
    server.log_path.touch()
    if server.run_as:
        server.root.chmod(0o755)
        entry = pwd.getpwnam(server.run_as)
        for path in (password_file, server.data_dir, server.socket_dir, server.log_path):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    server._run(
        "initdb",
        *("-D", str(server.data_dir), "-U", ADMIN, f"--pwfile={password_file}"),
        *("--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"),
        "--no-sync",
    )
    password_file.unlink()


def _start(server: PostgresServer) -> None:
    """pg_ctl start on a free loopback port, trying another port if that one was taken."""
    for _ in range(START_ATTEMPTS):
        server.port = _free_port()
        options = [f"-p {server.port}", f"-k {shlex.quote(str(server.socket_dir))}"]
        options += [f"-c {shlex.quote(setting)}" for setting in SERVER_SETTINGS]
        started = server._run(
            "pg_ctl",
            *("start", "-D", str(server.data_dir), "-l", str(server.log_path), "-w"),
            *("-o", " ".join(options)),
            check=False,
        )
        if started.returncode == 0:
            return
    raise RuntimeError(f"PostgreSQL did not start:\n{server.log_text()[-2000:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _create_roles(server: PostgresServer) -> None:
    server.execute(f"CREATE DATABASE {DATABASE}", database="postgres")
    for user, password in (READER, NOBODY):
        server.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'", database="postgres")
    reader = READER[0]
    server.execute(
        f"REVOKE CONNECT ON DATABASE {DATABASE} FROM PUBLIC;"
        f"GRANT CONNECT ON DATABASE {DATABASE} TO {reader}, {NOBODY[0]};"
        f"GRANT USAGE ON SCHEMA public TO {reader};"
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader};"
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN} IN SCHEMA public"
        f" GRANT SELECT ON TABLES TO {reader}"
    )
