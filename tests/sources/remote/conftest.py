"""The `postgres` fixture: one private PostgreSQL server per xdist worker, for the whole session.

Every module that uses it must put its tests in one xdist group, so that one worker runs them all
and starts one server (pytest runs with `--dist loadgroup`):

    pytestmark = [pytest.mark.xdist_group("postgres")]

Without the mark the tests still pass, but each worker that gets one starts its own server (about
1.5 s each); the servers never collide (own temporary directory, own free port).

Without the server binaries the tests skip with the reason; with CI set they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.postgres_server import BINARIES_MISSING, PostgresServer, find_bin_dir, start_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail(BINARIES_MISSING)
        pytest.skip(BINARIES_MISSING)
    server = start_server(bin_dir=bin_dir)
    try:
        yield server
    finally:
        server.stop()
