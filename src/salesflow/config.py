"""Configuration discovery (docs/configuration.md).

First hit wins: command-line flag → environment (SALESFLOW_PROCESS, SALESFLOW_DEALS, …) →
`salesflow.toml` or `[tool.salesflow]` in `pyproject.toml`, searched from the current directory
upwards → `process.yaml` in the current directory. Paths in a config file are relative to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from salesflow.errors import ConfigError, InputError

PATH_KEYS = frozenset({"process", "deals", "history"})
KEYS = (
    "process",
    "deals",
    "history",
    "table",
    "history_table",
    "query",
    "date_format",
    "sheet",
)
ENV_PREFIX = "SALESFLOW_"
DEFAULT_PROCESS = "process.yaml"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file that was found, and the settings it holds."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)

    def resolve(self, key: str, cwd: Path) -> str | None:
        value = self.values.get(key)
        if value is None:
            return None
        return _tidy(self.path.parent / value, cwd) if key in PATH_KEYS else str(value)


class Setting(NamedTuple):
    """A resolved setting and where it came from (for messages: "from pyproject.toml")."""

    value: str
    origin: str


def resolve(
    key: str,
    flag: str | None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    use_config: bool = True,
) -> Setting | None:
    """The value of `key`, by the discovery order above; None when nothing sets it.
    `use_config=False` stops after the environment."""
    if flag is not None:
        return Setting(flag, COMMAND_LINE)
    env_name = ENV_PREFIX + key.upper()
    env_value = (os.environ if environ is None else environ).get(env_name)
    if env_value:
        return Setting(env_value, env_name)
    if not use_config:
        return None
    here = Path.cwd() if cwd is None else cwd
    config = find_config(here)
    if config is not None and (value := config.resolve(key, here)) is not None:
        return Setting(value, str(config.path))
    if key == "process" and (here / DEFAULT_PROCESS).is_file():
        return Setting(DEFAULT_PROCESS, "current directory")
    return None


def require_process(flag: str | None, cwd: Path | None = None) -> Setting:
    setting = resolve("process", flag, cwd)
    if setting is None:
        raise InputError(
            "no process file: pass -p FILE, set SALESFLOW_PROCESS, add `process = ...` to "
            "salesflow.toml, or run `salesflow init`"
        )
    return setting


def _tidy(path: Path, cwd: Path) -> str:
    """A normalised path, relative to the current directory when it lies below it, so that
    messages and SARIF locations read `examples/process.yaml`, not `/home/…/../process.yaml`."""
    normal = Path(os.path.normpath(path))
    try:
        return str(normal.relative_to(cwd))
    except ValueError:
        return str(normal)


def find_config(start: Path) -> ConfigFile | None:
    """The nearest salesflow.toml, or pyproject.toml with a [tool.salesflow] table."""
    for directory in (start, *start.parents):
        own = directory / "salesflow.toml"
        if own.is_file():
            return ConfigFile(own, _settings_in(own))
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            values = _settings_in(pyproject)
            if values:
                return ConfigFile(pyproject, values)
    return None


def _settings_in(path: Path) -> dict[str, Any]:
    """salesflow.toml holds the settings at its top level (or under [salesflow]);
    pyproject.toml under [tool.salesflow]."""
    import tomllib  # only when a config file exists: keeps `validate FILE` fast

    try:
        document: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:  # tomllib recurses per nesting level: `a = [[[[…` 100,000 deep
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    if path.name == "salesflow.toml":
        document = document.get("salesflow", document)
    else:
        tool = document.get("tool", {})
        document = tool.get("salesflow", {}) if isinstance(tool, dict) else {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the salesflow settings must be a table")
    _check_keys(path, document)
    return document


def _check_keys(path: Path, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown setting '{key}' (known: {', '.join(KEYS)})")
        if not isinstance(value, str):
            raise ConfigError(f"{path}: setting '{key}' must be a string")
