"""salesflow.diff.git and salesflow.diff.versions on real temporary git repositories: revisions,
files at a revision, renames followed back in history, and every error a user can cause."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from salesflow.diff import git
from salesflow.diff.versions import at_revision, from_file, resolve
from salesflow.errors import InputError
from tests.gitrepo import Repo
from tests.helpers import VALID_PROCESS

V2 = VALID_PROCESS.replace("conversion: 0.5, days: 10", "conversion: 0.55, days: 10")
V3 = V2.replace("name: Minimal process", "name: Renamed process")


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither these tests nor salesflow's own git calls see the developer's git config."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v0: only a README; v1: sales/process.yaml; v2: a planned conversion changed; then the file
    is renamed to sales/flow.yaml with `git mv`; v3: the process renamed. Built once."""
    repo = Repo(tmp_path_factory.mktemp("template") / "repo")
    repo.commit("readme", {"README.md": "# sales\n"}, tag="v0")
    repo.commit("first process", {"sales/process.yaml": VALID_PROCESS}, tag="v1")
    repo.commit("discovery converts better", {"sales/process.yaml": V2}, tag="v2")
    repo.commit("unrelated", {"README.md": "# sales team\n"})
    repo.git("mv", "sales/process.yaml", "sales/flow.yaml")
    repo.commit("rename the process file")
    repo.commit("new name", {"sales/flow.yaml": V3}, tag="v3")
    return repo.root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Repo:
    """A copy of the template for each test, free to change."""
    return Repo(Path(shutil.copytree(template, tmp_path / "repo", symlinks=True)), init=False)


# --- root, relative, verify -----------------------------------------------------------------


def test_root_from_a_subdirectory(repo: Repo) -> None:
    assert git.root(repo.root / "sales").resolve() == repo.root.resolve()


def test_root_outside_a_repository(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(git.GitError, match=r"plain is not in a git repository$"):
        git.root(outside)


def test_relative_is_relative_to_the_repository_root(repo: Repo) -> None:
    assert git.relative(Path("flow.yaml"), repo.root / "sales") == "sales/flow.yaml"
    assert git.relative(Path("sales/flow.yaml"), repo.root) == "sales/flow.yaml"
    assert git.relative(repo.root / "sales" / "flow.yaml", repo.root) == "sales/flow.yaml"


def test_relative_outside_the_repository(repo: Repo, tmp_path: Path) -> None:
    with pytest.raises(git.GitError, match="is outside the git repository at"):
        git.relative(tmp_path / "elsewhere.yaml", repo.root)


def test_verify_names_the_commit(repo: Repo) -> None:
    head = repo.git("rev-parse", "HEAD").strip()
    v1 = repo.git("rev-parse", "v1").strip()
    assert git.verify("HEAD", repo.root) == head
    assert git.verify("v1", repo.root) == v1
    assert git.verify("main", repo.root) == head
    assert git.verify("HEAD~4", repo.root) == v1
    assert git.verify(head[:8], repo.root) == head


def test_verify_an_annotated_tag_names_its_commit(repo: Repo) -> None:
    repo.git("tag", "-a", "release", "-m", "release", "v2")
    assert git.verify("release", repo.root) == repo.git("rev-parse", "v2").strip()


@pytest.mark.parametrize("revision", ["nope", "v9", "HEAD~50", "v1..v2", "HEAD:README.md"])
def test_verify_unknown_revisions(repo: Repo, revision: str) -> None:
    with pytest.raises(git.GitError) as caught:
        git.verify(revision, repo.root)
    assert str(caught.value) == f"unknown revision '{revision}'"


def test_verify_a_blob_is_not_a_commit(repo: Repo) -> None:
    blob = repo.git("rev-parse", "HEAD:README.md").strip()
    with pytest.raises(git.GitError, match="unknown revision"):
        git.verify(blob, repo.root)


@pytest.mark.parametrize("revision", ["-h", "--output=x", "--all", "-"])
def test_verify_never_reads_a_revision_as_an_option(repo: Repo, revision: str) -> None:
    """After `--end-of-options` these are revision names that do not exist, not options."""
    with pytest.raises(git.GitError) as caught:
        git.verify(revision, repo.root)
    assert str(caught.value) == f"unknown revision '{revision}'"
    assert not (repo.root / "x").exists()


def test_verify_refuses_an_empty_revision(repo: Repo) -> None:
    with pytest.raises(git.GitError, match=r"^'' is not a revision$"):
        git.verify("", repo.root)


# --- show, history, path_at -----------------------------------------------------------------


def test_show_reads_the_file_at_a_revision(repo: Repo) -> None:
    assert git.show("v1", "sales/process.yaml", repo.root) == VALID_PROCESS
    assert git.show("v2", "sales/process.yaml", repo.root) == V2
    assert git.show("HEAD", "sales/flow.yaml", repo.root) == V3


def test_show_a_file_absent_at_the_revision(repo: Repo) -> None:
    with pytest.raises(git.GitError) as caught:
        git.show("v0", "sales/process.yaml", repo.root)
    assert str(caught.value) == "sales/process.yaml does not exist at revision 'v0'"
    with pytest.raises(git.GitError, match=r"^sales/flow\.yaml does not exist at revision 'v2'$"):
        git.show("v2", "sales/flow.yaml", repo.root)


def test_show_an_unknown_revision(repo: Repo) -> None:
    with pytest.raises(git.GitError, match=r"^unknown revision 'nope'$"):
        git.show("nope", "sales/flow.yaml", repo.root)


def test_history_is_newest_first_and_follows_the_rename(repo: Repo) -> None:
    commits = git.history("sales/flow.yaml", repo.root)
    assert [c.subject for c in commits] == [
        "new name",
        "rename the process file",
        "discovery converts better",
        "first process",
    ]
    assert [c.path for c in commits] == [
        "sales/flow.yaml",
        "sales/flow.yaml",
        "sales/process.yaml",
        "sales/process.yaml",
    ]
    assert commits[-1].sha == repo.git("rev-parse", "v1").strip()
    assert {(c.date, c.author) for c in commits} == {("2024-01-01", "Ann Example")}


def test_history_limit(repo: Repo) -> None:
    assert [c.subject for c in git.history("sales/flow.yaml", repo.root, limit=2)] == [
        "new name",
        "rename the process file",
    ]


def test_history_of_a_file_never_committed(repo: Repo) -> None:
    repo.write("sales/draft.yaml", VALID_PROCESS)
    assert git.history("sales/draft.yaml", repo.root) == []


def test_path_at_follows_the_rename_back(repo: Repo) -> None:
    assert git.path_at("v1", "sales/flow.yaml", repo.root) == "sales/process.yaml"
    assert git.path_at("v2", "sales/flow.yaml", repo.root) == "sales/process.yaml"
    assert git.path_at("HEAD~1", "sales/flow.yaml", repo.root) == "sales/flow.yaml"
    assert git.path_at("v3", "sales/flow.yaml", repo.root) == "sales/flow.yaml"


def test_path_at_before_the_file_existed_keeps_the_path(repo: Repo) -> None:
    assert git.path_at("v0", "sales/flow.yaml", repo.root) == "sales/flow.yaml"


def test_git_missing(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "no-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(git.GitError, match=r"^git is not installed or not on PATH$"):
        git.run(["status"], repo.root)


# --- versions: what each argument of `salesflow diff` means ---------------------------------


def test_resolve_a_revision_of_the_default_file_after_a_rename(repo: Repo) -> None:
    version = resolve("v2", "sales/flow.yaml", repo.root)
    assert version.label == "v2:sales/process.yaml"
    assert version.process.stages[0].expected.conversion == 0.55


def test_resolve_from_a_subdirectory_uses_the_repository_root(repo: Repo) -> None:
    version = resolve("v3", "flow.yaml", repo.root / "sales")
    assert version.label == "v3:sales/flow.yaml"
    assert version.process.name == "Renamed process"


def test_resolve_rev_and_path(repo: Repo) -> None:
    version = resolve("v1:sales/process.yaml", "sales/flow.yaml", repo.root)
    assert version.label == "v1:sales/process.yaml"
    assert version.process.stages[0].expected.conversion == 0.5
    assert resolve("v3:/sales/flow.yaml", "x.yaml", repo.root).label == "v3:sales/flow.yaml"


def test_resolve_rev_and_an_empty_path_means_the_default_file(repo: Repo) -> None:
    assert resolve("v3:", "sales/flow.yaml", repo.root).label == "v3:sales/flow.yaml"


def test_resolve_a_file(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    repo.write("draft.yaml", V2)
    version = resolve("draft.yaml", "sales/flow.yaml", repo.root)
    assert version.label == "draft.yaml"
    assert version.process.stages[0].expected.conversion == 0.55
    assert from_file("sales/flow.yaml").process.name == "Renamed process"


def test_resolve_refuses_an_option_like_revision(repo: Repo) -> None:
    with pytest.raises(git.GitError, match=r"^'--output=x' is not a revision$"):
        resolve("--output=x", "sales/flow.yaml", repo.root)
    with pytest.raises(git.GitError, match="is not a revision"):
        resolve("-x:sales/flow.yaml", "sales/flow.yaml", repo.root)


def test_at_revision_names_rev_path_line_and_column(repo: Repo) -> None:
    repo.commit("break it", {"sales/flow.yaml": V3.replace("id: proposal", "id: Proposal")})
    with pytest.raises(InputError) as caught:
        at_revision("HEAD", "sales/flow.yaml", repo.root)
    assert str(caught.value).startswith("invalid process file: HEAD:sales/flow.yaml:13:9: error ")
    assert "stages[1].id" in str(caught.value)


def test_at_revision_with_bad_yaml(repo: Repo) -> None:
    repo.commit("bad yaml", {"sales/flow.yaml": "salesflow: 1\nname: [\n"})
    with pytest.raises(InputError, match=r"^HEAD:sales/flow\.yaml:\d+:\d+: error yaml-syntax: "):
        at_revision("HEAD", "sales/flow.yaml", repo.root)


def test_a_non_ascii_file_name(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"prozeß.yaml": VALID_PROCESS})
    repo.commit("two", {"prozeß.yaml": V2})
    assert [c.path for c in git.history("prozeß.yaml", repo.root)] == ["prozeß.yaml"] * 2
    assert resolve("HEAD~1", "prozeß.yaml", repo.root).label == "HEAD~1:prozeß.yaml"


def test_a_file_name_with_spaces(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"sales ops/the process.yaml": VALID_PROCESS})
    repo.git("mv", "sales ops/the process.yaml", "sales ops/our process.yaml")
    repo.commit("two", {"sales ops/our process.yaml": V2})
    version = resolve("HEAD~1", "sales ops/our process.yaml", repo.root)
    assert version.label == "HEAD~1:sales ops/the process.yaml"


# --- hardening (issue 10): hostile history, every refusal a one-line InputError -------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", ["refs/tags/--output=x", "refs/heads/-x"])
def test_a_ref_named_like_an_option_is_a_revision_never_an_option(repo: Repo, name: str) -> None:
    """`--end-of-options` keeps git from reading a revision as an option: without it, a tag
    `--output=x` is unknown to rev-parse (or, for other commands, writes a file `x`)."""
    repo.git("update-ref", name, "v1")
    revision = name.split("/", 2)[2]
    assert git.verify(revision, repo.root) == repo.git("rev-parse", "v1").strip()
    assert git.show(revision, "sales/process.yaml", repo.root) == VALID_PROCESS
    assert not (repo.root / "x").exists()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("revision", ["^v1", "^HEAD", "v1^!", "v1...v2", "v1..v2"])
def test_a_range_or_negation_is_not_a_revision(repo: Repo, revision: str) -> None:
    with pytest.raises(git.GitError) as caught:
        git.verify(revision, repo.root)
    assert str(caught.value) in {
        f"invalid revision '{revision}': it must name one commit",
        f"unknown revision '{revision}'",
    }
    assert "empty" not in str(caught.value)


def test_a_negated_revision_is_invalid_not_empty(repo: Repo) -> None:
    with pytest.raises(git.GitError, match=r"^invalid revision '\^v1': it must name one commit$"):
        git.show("^v1", "sales/process.yaml", repo.root)


@pytest.mark.timeout(60)
def test_a_blob_over_the_size_cap_is_refused_before_it_is_read(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesflow.loader.reader import MAX_BYTES

    big = repo.root / "sales" / "flow.yaml"
    big.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    repo.commit("a huge process file")
    calls: list[list[str]] = []
    real = git.subprocess.run

    def spy(arguments: list[str], **kwargs: Any) -> Any:
        calls.append(list(arguments))
        return real(arguments, **kwargs)

    monkeypatch.setattr(git.subprocess, "run", spy)
    with pytest.raises(InputError) as caught:
        git.show("HEAD", "sales/flow.yaml", repo.root)
    assert str(caught.value) == (
        "HEAD:sales/flow.yaml is larger than 5 MB (5,242,883 bytes); a process file is far smaller"
    )
    assert not [call for call in calls if "blob" in call or "show" in call]


def test_a_blob_at_the_cap_is_read(repo: Repo) -> None:
    from salesflow.loader.reader import MAX_BYTES

    text = VALID_PROCESS + "#" * (MAX_BYTES - len(VALID_PROCESS) - 1) + "\n"
    repo.commit("just under", {"sales/flow.yaml": text})
    assert git.show("HEAD", "sales/flow.yaml", repo.root) == text


@pytest.mark.timeout(30)
def test_a_non_utf8_file_at_a_revision(repo: Repo) -> None:
    (repo.root / "sales" / "flow.yaml").write_bytes(b"salesflow: 1\nname: caf\xe9\n")
    repo.commit("latin-1")
    with pytest.raises(InputError) as caught:
        at_revision("HEAD", "sales/flow.yaml", repo.root)
    assert str(caught.value) == (
        "HEAD:sales/flow.yaml is not UTF-8 text (byte 0xe9 at line 2, column 10)"
    )


@pytest.mark.timeout(30)
def test_a_binary_file_at_a_revision(repo: Repo) -> None:
    (repo.root / "sales" / "flow.yaml").write_bytes(b"salesflow: 1\n\x00\x01\x02\xff")
    repo.commit("binary")
    with pytest.raises(InputError) as caught:
        git.show("HEAD", "sales/flow.yaml", repo.root)
    assert str(caught.value) == (
        "HEAD:sales/flow.yaml is a binary file (a NUL byte at line 2, column 1), not a process file"
    )


def test_a_byte_order_mark_is_dropped(repo: Repo) -> None:
    repo.commit("bom", {"sales/flow.yaml": "\ufeff" + V3})
    assert git.show("HEAD", "sales/flow.yaml", repo.root) == V3


def test_a_directory_at_a_revision_is_not_a_process_file(repo: Repo) -> None:
    with pytest.raises(git.GitError, match=r"^sales at revision 'v3' is a directory, not a file$"):
        git.show("v3", "sales", repo.root)


def test_git_missing_is_not_reported_as_no_repository(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "no-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for call in (
        lambda: git.root(repo.root),
        lambda: git.relative(Path("sales/flow.yaml"), repo.root),
        lambda: resolve("v1", "sales/flow.yaml", repo.root),
    ):
        with pytest.raises(git.GitError, match=r"^git is not installed or not on PATH$"):
            call()


@pytest.mark.timeout(30)
def test_history_with_a_non_utf8_subject_and_author(repo: Repo) -> None:
    message = repo.root / "message"
    message.write_bytes(b"caf\xe9 plan\n")
    repo.write("sales/flow.yaml", V2)
    repo.git("-c", "i18n.commitEncoding=", "commit", "-q", "-a", "-F", str(message))
    commits = git.history("sales/flow.yaml", repo.root)
    assert commits[0].subject.startswith("caf")
    assert len(commits) == 5


@pytest.mark.timeout(60)
def test_path_at_is_one_git_call_per_question_not_one_per_commit(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(30):
        repo.commit(f"change {day}", {"sales/flow.yaml": V3 + f"# {day}\n"})
    calls: list[list[str]] = []
    real = git.subprocess.run

    def spy(arguments: list[str], **kwargs: Any) -> Any:
        calls.append(list(arguments))
        return real(arguments, **kwargs)

    monkeypatch.setattr(git.subprocess, "run", spy)
    assert git.path_at("v1", "sales/flow.yaml", repo.root) == "sales/process.yaml"
    assert len(calls) < 10, calls
