import importlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesflow.cli.warm import warm_up


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name.startswith("warm_probe_")]:
        del sys.modules[name]


def _wait_for(module: str) -> None:
    for thread in threading.enumerate():
        if thread.name == f"import {module}":
            thread.join(timeout=10)


def test_the_module_is_imported_in_a_daemon_thread(module_dir: Path) -> None:
    (module_dir / "warm_probe_main.py").write_text(
        "import threading\nTHREAD = threading.current_thread()\n", encoding="utf-8"
    )
    warm_up("warm_probe_main")
    _wait_for("warm_probe_main")
    thread = sys.modules["warm_probe_main"].THREAD
    assert thread is not threading.main_thread()
    assert thread.daemon


def test_a_failed_import_is_left_to_the_command_s_own_import(
    module_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (module_dir / "warm_probe_broken.py").write_text(
        "raise ImportError('the real error')\n", encoding="utf-8"
    )
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: raised.append(hook.exc_value))
    warm_up("warm_probe_broken")
    _wait_for("warm_probe_broken")
    assert raised == []
    assert "warm_probe_broken" not in sys.modules
    with pytest.raises(ImportError, match="the real error"):
        importlib.import_module("warm_probe_broken")
