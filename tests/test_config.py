"""Configuration discovery (docs/configuration.md): flag → environment → salesflow.toml or
[tool.salesflow] in pyproject.toml, searched upwards → ./process.yaml → nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.config import ConfigFile, find_config, require_process, resolve
from salesflow.errors import ConfigError, InputError

NO_ENV: dict[str, str] = {}


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def resolved(key: str, cwd: Path, flag: str | None = None, **env: str) -> Path | None:
    """The resolved setting as an absolute path (values may be relative to `cwd`)."""
    setting = resolve(key, flag, cwd=cwd, environ=env)
    return None if setting is None else (cwd / setting.value).resolve()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Every source at once: flag, env, salesflow.toml, pyproject.toml, process.yaml."""
    touch(tmp_path / "salesflow.toml", 'process = "from-toml.yaml"\ndeals = "data/deals.csv"\n')
    touch(tmp_path / "pyproject.toml", '[tool.salesflow]\nprocess = "from-pyproject.yaml"\n')
    touch(tmp_path / "process.yaml")
    return tmp_path


def test_flag_comes_first(project: Path) -> None:
    setting = resolve("process", "flag.yaml", cwd=project, environ={"SALESFLOW_PROCESS": "e"})
    assert setting is not None
    assert (setting.value, setting.origin) == ("flag.yaml", "command line")


def test_environment_comes_second(project: Path) -> None:
    setting = resolve("process", None, cwd=project, environ={"SALESFLOW_PROCESS": "env.yaml"})
    assert setting is not None
    assert (setting.value, setting.origin) == ("env.yaml", "SALESFLOW_PROCESS")


def test_empty_environment_value_is_ignored(project: Path) -> None:
    assert resolved("process", project, SALESFLOW_PROCESS="") == project / "from-toml.yaml"


def test_salesflow_toml_comes_third_and_wins_over_pyproject(project: Path) -> None:
    setting = resolve("process", None, cwd=project, environ=NO_ENV)
    assert setting is not None
    assert setting.origin == str(project / "salesflow.toml")
    assert resolved("process", project) == project / "from-toml.yaml"


def test_pyproject_when_there_is_no_salesflow_toml(project: Path) -> None:
    (project / "salesflow.toml").unlink()
    setting = resolve("process", None, cwd=project, environ=NO_ENV)
    assert setting is not None
    assert setting.origin == str(project / "pyproject.toml")
    assert resolved("process", project) == project / "from-pyproject.yaml"


def test_process_yaml_in_the_current_directory_comes_last(project: Path) -> None:
    (project / "salesflow.toml").unlink()
    (project / "pyproject.toml").unlink()
    setting = resolve("process", None, cwd=project, environ=NO_ENV)
    assert setting is not None
    assert setting.origin == "current directory"
    assert resolved("process", project) == project / "process.yaml"


def test_nothing(tmp_path: Path) -> None:
    assert resolve("process", None, cwd=tmp_path, environ=NO_ENV) is None
    assert resolve("deals", None, cwd=tmp_path, environ=NO_ENV) is None


def test_process_yaml_is_only_a_default_for_the_process(project: Path) -> None:
    (project / "salesflow.toml").unlink()
    assert resolve("deals", None, cwd=project, environ=NO_ENV) is None


def test_process_yaml_is_looked_for_in_the_current_directory_only(tmp_path: Path) -> None:
    touch(tmp_path / "process.yaml")
    (tmp_path / "sub").mkdir()
    assert resolve("process", None, cwd=tmp_path / "sub", environ=NO_ENV) is None


def test_other_keys_use_their_own_environment_variable(project: Path) -> None:
    setting = resolve("deals", None, cwd=project, environ={"SALESFLOW_DEALS": "d.csv"})
    assert setting is not None
    assert setting.value == "d.csv"
    assert resolved("deals", project) == project / "data" / "deals.csv"


def test_search_goes_upwards_from_a_subdirectory(project: Path) -> None:
    deep = project / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert resolved("process", deep) == project / "from-toml.yaml"


def test_the_nearest_config_wins(project: Path) -> None:
    inner = project / "team"
    touch(inner / "pyproject.toml", '[tool.salesflow]\nprocess = "team.yaml"\n')
    assert resolved("process", inner / "sub") == inner / "team.yaml"


def test_paths_are_relative_to_the_config_file(project: Path) -> None:
    touch(project / "salesflow.toml", 'process = "../shared/process.yaml"\n')
    deep = project / "x" / "y"
    deep.mkdir(parents=True)
    assert resolved("process", deep) == project.parent / "shared" / "process.yaml"


def test_absolute_paths_in_config_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "p.yaml"
    touch(tmp_path / "salesflow.toml", f'process = "{target.as_posix()}"\n')
    assert resolved("process", tmp_path) == target


def test_pyproject_without_tool_salesflow_is_skipped(tmp_path: Path) -> None:
    touch(tmp_path / "pyproject.toml", '[tool.salesflow]\nprocess = "outer.yaml"\n')
    touch(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "x"\n\n[tool.ruff]\n')
    assert resolved("process", tmp_path / "inner") == tmp_path / "outer.yaml"


def test_pyproject_with_an_empty_tool_salesflow_table_is_skipped(tmp_path: Path) -> None:
    touch(tmp_path / "pyproject.toml", '[tool.salesflow]\nprocess = "outer.yaml"\n')
    touch(tmp_path / "inner" / "pyproject.toml", "[tool.salesflow]\n")
    assert resolved("process", tmp_path / "inner") == tmp_path / "outer.yaml"


def test_salesflow_table_in_salesflow_toml(tmp_path: Path) -> None:
    touch(tmp_path / "salesflow.toml", '[salesflow]\nprocess = "tabled.yaml"\n')
    assert resolved("process", tmp_path) == tmp_path / "tabled.yaml"


def test_find_config(project: Path) -> None:
    config = find_config(project / "nowhere")
    assert isinstance(config, ConfigFile)
    assert config.path == project / "salesflow.toml"
    assert config.values == {"process": "from-toml.yaml", "deals": "data/deals.csv"}
    assert find_config(project) == config


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("salesflow.toml", "process = \n"),
        ("salesflow.toml", "[salesflow\n"),
        ("pyproject.toml", "[tool.salesflow]\nprocess = 'a\n"),
    ],
)
def test_invalid_toml(tmp_path: Path, name: str, text: str) -> None:
    touch(tmp_path / name, text)
    with pytest.raises(ConfigError, match="invalid TOML"):
        resolve("process", None, cwd=tmp_path, environ=NO_ENV)


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "salesflow.toml").write_bytes('process = "é.yaml"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read"):
        find_config(tmp_path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("salesflow.toml", 'proces = "p.yaml"\n'),
        ("pyproject.toml", '[tool.salesflow]\nprocess = "p.yaml"\ncolour = "never"\n'),
    ],
)
def test_unknown_key(tmp_path: Path, name: str, text: str) -> None:
    touch(tmp_path / name, text)
    with pytest.raises(ConfigError, match="unknown setting") as caught:
        find_config(tmp_path)
    assert str(tmp_path / name) in str(caught.value)
    assert "known: process, deals, history" in str(caught.value)


@pytest.mark.parametrize("text", ["process = 1\n", "process = ['a.yaml']\n", "salesflow = 3\n"])
def test_wrong_value_types(tmp_path: Path, text: str) -> None:
    touch(tmp_path / "salesflow.toml", text)
    with pytest.raises(ConfigError):
        find_config(tmp_path)


def test_config_error_is_an_input_error() -> None:
    assert issubclass(ConfigError, InputError)


def test_require_process(project: Path) -> None:
    assert require_process("given.yaml", cwd=project).value == "given.yaml"
    assert (project / require_process(None, cwd=project).value).resolve() == (
        project / "from-toml.yaml"
    )


def test_require_process_without_any_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESFLOW_PROCESS", raising=False)
    with pytest.raises(InputError, match="no process file"):
        require_process(None, cwd=tmp_path)


def test_require_process_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFLOW_PROCESS", "env.yaml")
    assert require_process(None, cwd=tmp_path).value == "env.yaml"


def test_default_cwd_is_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path / "salesflow.toml", 'process = "p.yaml"\n')
    monkeypatch.chdir(tmp_path)
    setting = resolve("process", None, environ=NO_ENV)
    assert setting is not None
    assert Path(setting.value).resolve() == (tmp_path / "p.yaml").resolve()


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "text",
    ["process = " + "[" * 100_000 + "]" * 100_000, "a = {" * 50_000],
    ids=["arrays", "inline-tables"],
)
def test_deeply_nested_config_is_a_config_error(tmp_path: Path, text: str) -> None:
    """A 100k-deep salesflow.toml raised RecursionError (exit 3)."""
    touch(tmp_path / "salesflow.toml", text + "\n")
    with pytest.raises(ConfigError) as caught:
        find_config(tmp_path)
    message = str(caught.value)
    assert "salesflow.toml" in message
    assert "\n" not in message
    assert len(message) < 300
