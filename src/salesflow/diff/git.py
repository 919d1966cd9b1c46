"""Small, safe git wrappers: argument lists (never a shell), revisions verified before use, and a
one-line error for everything a user can get wrong."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from salesflow.errors import InputError

FIELD = "\x1f"


class GitError(InputError):
    """git said no: not a repository, an unknown revision, a file absent at a revision."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    author: str
    subject: str
    path: str


def run(arguments: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=false", *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(message.removeprefix("fatal: ").removeprefix("error: "))
    return done.stdout


def root(cwd: Path) -> Path:
    try:
        return Path(run(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitError:
        raise GitError(f"{cwd} is not in a git repository") from None


def verify(revision: str, cwd: Path) -> str:
    """The commit a revision names; a revision that starts with '-' is refused (it would be
    read as an option)."""
    if not revision or revision.startswith("-"):
        raise GitError(f"'{revision}' is not a revision")
    try:
        return run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], cwd
        ).strip()
    except GitError:
        raise GitError(f"unknown revision '{revision}'") from None


def show(revision: str, path: str, cwd: Path) -> str:
    """The text of `path` (relative to the repository root) at `revision`."""
    sha = verify(revision, cwd)
    try:
        return run(["show", f"{sha}:{PurePosixPath(path)}"], cwd)
    except GitError:
        raise GitError(f"{path} does not exist at revision '{revision}'") from None


def path_at(revision: str, path: str, cwd: Path) -> str:
    """The name `path` had at `revision`, following renames in its history."""
    sha = verify(revision, cwd)
    for commit in history(path, cwd):
        if commit.path and _is_ancestor(commit.sha, sha, cwd):
            return commit.path
    return path


def _is_ancestor(ancestor: str, descendant: str, cwd: Path) -> bool:
    try:
        run(["merge-base", "--is-ancestor", ancestor, descendant], cwd)
    except GitError:
        return False
    return True


def relative(path: Path, cwd: Path) -> str:
    """`path` relative to the repository root, with forward slashes."""
    top = root(cwd).resolve()
    absolute = (cwd / path).resolve()
    try:
        return absolute.relative_to(top).as_posix()
    except ValueError:
        raise GitError(f"{path} is outside the git repository at {top}") from None


def history(path: str, cwd: Path, limit: int | None = None) -> list[Commit]:
    """Commits that changed `path` (relative to the repository root), newest first, following
    renames; merges on the main line count, each compared with its first parent."""
    fields = FIELD.join(["%H", "%ad", "%an", "%s"])
    arguments = [
        "log",
        "--follow",
        "--first-parent",
        "-m",
        "--date=short",
        f"--format={fields}",
        "--name-only",
    ]
    if limit:
        arguments.append(f"--max-count={limit}")
    output = run([*arguments, "--", path], root(cwd))
    return _commits(output)


def _commits(output: str) -> list[Commit]:
    commits = []
    lines = [line for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if FIELD in line:
            sha, date, author, subject = line.split(FIELD, 3)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            path = following if FIELD not in following else ""
            commits.append(Commit(sha, date, author, subject, path))
    return commits
