"""Turn `diff` arguments into process versions: git revisions, `REV:PATH`, or plain files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from salesflow.diff import git
from salesflow.errors import InputError
from salesflow.loader import LoadedProcess, load_process, parse_process
from salesflow.model import Process


@dataclass(frozen=True)
class Version:
    label: str
    process: Process


def resolve(argument: str, default_path: str | Callable[[], str], cwd: Path) -> Version:
    """A file when `argument` names one; `REV:PATH`; else a revision of the process file
    (`default_path` is asked for only then)."""
    if Path(cwd / argument).is_file():
        return from_file(argument)
    git.root(cwd)  # outside a repository, say so rather than "unknown revision"
    if isinstance(default_path, str):
        default_path = _constant(default_path)
    revision, sep, path = argument.partition(":")
    if not argument or argument.startswith("-"):
        # on the command line (`diff -- --output=x`) this is a mistake, whatever git would do
        raise git.GitError(f"'{argument}' is not a revision")
    if sep and revision:
        path = path.lstrip("/") or git.relative(Path(default_path()), cwd)
        return at_revision(revision, path, cwd)
    path = git.relative(Path(default_path()), cwd)
    return at_revision(argument, git.path_at(argument, path, cwd), cwd)


def from_file(path: str) -> Version:
    return Version(path, _require(load_process(path)))


def at_revision(revision: str, path: str, cwd: Path) -> Version:
    label = f"{revision}:{path}"
    return Version(label, _require(parse_process(git.show(revision, path, cwd), label)))


def _require(loaded: LoadedProcess) -> Process:
    """The process, or the first error at `REV:PATH:line:col` (or `file:line:col`)."""
    if loaded.process is not None:
        return loaded.process
    errors = loaded.errors
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise InputError(f"invalid process file: {errors[0].render()}{more}")


def _constant(path: str) -> Callable[[], str]:
    return lambda: path
