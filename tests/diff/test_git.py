"""salesflow.diff.git and salesflow.diff.versions on real temporary git repositories: revisions,
files at a revision, renames followed back in history, and every error a user can cause."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


@pytest.mark.parametrize("revision", ["-h", "--output=x", "--all", "-", ""])
def test_verify_refuses_what_git_would_read_as_an_option(repo: Repo, revision: str) -> None:
    with pytest.raises(git.GitError) as caught:
        git.verify(revision, repo.root)
    assert str(caught.value) == f"'{revision}' is not a revision"
    assert not (repo.root / "x").exists()


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
