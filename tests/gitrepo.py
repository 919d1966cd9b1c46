"""Throw-away git repositories for the tests of `diff`, `log` and `onboard --since`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class Repo:
    """A throw-away git repository; commits get fixed dates and authors."""

    def __init__(self, root: Path, init: bool = True) -> None:
        self.root = root
        if init:
            root.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "-b", "main")

    def git(
        self,
        *arguments: str,
        date: str = "2024-01-01T12:00:00+00:00",
        author: str = "Ann Example",
        check: bool = True,
    ) -> str:
        environment = {
            **os.environ,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        done = subprocess.run(
            [
                "git",
                "-c",
                f"user.name={author}",
                "-c",
                "user.email=sales@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                *arguments,
            ],
            cwd=self.root,
            env=environment,
            capture_output=True,
            text=True,
            check=check,
        )
        return done.stdout

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(
        self,
        message: str,
        files: dict[str, str] | None = None,
        tag: str | None = None,
        date: str = "2024-01-01",
        author: str = "Ann Example",
    ) -> str:
        for path, text in (files or {}).items():
            self.write(path, text)
        self.git("add", "-A")
        stamp = f"{date}T12:00:00+00:00"
        self.git("commit", "-q", "--allow-empty", "-m", message, date=stamp, author=author)
        if tag:
            self.git("tag", tag)
        return self.git("rev-parse", "HEAD").strip()
