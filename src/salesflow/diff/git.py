"""Small, safe git wrappers: argument lists (never a shell), revisions verified before use, and a
one-line error for everything a user can get wrong.

History is untrusted input like a process file: every user-given revision goes after
`--end-of-options` and must resolve to exactly one commit id; a file is read only after
`git cat-file` says it is a blob no larger than the loader's cap; its bytes must be UTF-8 text."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from salesflow.errors import InputError
from salesflow.loader.reader import MAX_BYTES

FIELD = "\x1f"
OBJECT_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


class GitError(InputError):
    """git said no: not a repository, an unknown revision, a file absent at a revision."""


class GitNotFound(GitError):
    """There is no git to run: never to be reported as "not in a git repository"."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    author: str
    subject: str
    path: str
    committed: str = ""  # the committer's date (YYYY-MM-DD): when the version landed


def run(arguments: list[str], cwd: Path, stdin: str | None = None) -> str:
    """git's output as text; bytes that are not UTF-8 (a commit subject in Latin-1, say) are
    replaced rather than fatal."""
    return run_bytes(arguments, cwd, stdin).decode("utf-8", errors="replace")


def run_bytes(arguments: list[str], cwd: Path, stdin: str | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=false", *arguments],
            cwd=cwd,
            input=None if stdin is None else stdin.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitNotFound("git is not installed or not on PATH") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", errors="replace")
        message = (stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(message.removeprefix("fatal: ").removeprefix("error: "))
    return bytes(done.stdout)


def root(cwd: Path) -> Path:
    try:
        return Path(run(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitNotFound:
        raise
    except GitError:
        raise GitError(f"{cwd} is not in a git repository") from None


def verify(revision: str, cwd: Path) -> str:
    """The commit a revision names. The revision goes after `--end-of-options`, so git never
    reads it as an option (a tag may be called `--output=x`); what git answers must be one
    commit id, so `^v1` (which rev-parse answers with `^<id>`) is refused too."""
    if not revision:
        raise GitError("'' is not a revision")
    try:
        answer = run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], cwd
        ).strip()
    except GitNotFound:
        raise
    except GitError:
        raise GitError(f"unknown revision '{revision}'") from None
    if not OBJECT_ID.fullmatch(answer):
        raise GitError(f"invalid revision '{revision}': it must name one commit")
    return answer


def show(revision: str, path: str, cwd: Path) -> str:
    """The text of `path` (relative to the repository root) at `revision`: a blob of at most
    MAX_BYTES (asked for its size before a byte of it is read), strict UTF-8, no NUL byte."""
    sha = verify(revision, cwd)
    label = f"{revision}:{path}"
    blob, size = _blob(sha, revision, path, cwd)
    if size > MAX_BYTES:
        raise GitError(
            f"{label} is larger than {MAX_BYTES // 2**20} MB ({size:,} bytes); "
            "a process file is far smaller"
        )
    return _decode(label, run_bytes(["cat-file", "blob", blob], cwd))


def _blob(sha: str, revision: str, path: str, cwd: Path) -> tuple[str, int]:
    """(object id, size) of the blob at `sha:path`, read with `cat-file --batch-check`: the
    name goes on stdin, never on the command line."""
    name = str(PurePosixPath(path))
    if "\n" in name or "\r" in name:
        raise GitError(f"{path!r}: a path with a line break is not supported")
    answer = run(
        ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
        cwd,
        stdin=f"{sha}:{name}\n",
    ).split()
    if len(answer) == 3 and OBJECT_ID.fullmatch(answer[0]) and answer[2].isdigit():
        if answer[1] == "blob":
            return answer[0], int(answer[2])
        if answer[1] == "tree":
            raise GitError(f"{path} at revision '{revision}' is a directory, not a file")
    raise GitError(f"{path} does not exist at revision '{revision}'")


def _decode(label: str, data: bytes) -> str:
    """UTF-8 text (a leading byte order mark dropped), or a one-line error naming REV:PATH."""
    if b"\0" in data:
        line, column = _position(data, data.index(b"\0"))
        raise GitError(
            f"{label} is a binary file (a NUL byte at line {line}, column {column}), "
            "not a process file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position(data, error.start)
        byte = data[error.start : error.start + 1].hex()
        raise GitError(
            f"{label} is not UTF-8 text (byte 0x{byte} at line {line}, column {column})"
        ) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def path_at(revision: str, path: str, cwd: Path) -> str:
    """The name `path` had at `revision`, following renames in its history: the newest commit
    of its history that `revision` contains. One `rev-list` answers that for every commit."""
    sha = verify(revision, cwd)
    ancestors = set(run(["rev-list", sha], cwd).split())
    for commit in history(path, cwd):
        if commit.path and commit.sha in ancestors:
            return commit.path
    return path


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
    fields = FIELD.join(["%H", "%ad", "%an", "%cd", "%s"])
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
            sha, date, author, committed, subject = line.split(FIELD, 4)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            path = following if FIELD not in following else ""
            commits.append(Commit(sha, date, author, subject, path, committed))
    return commits
