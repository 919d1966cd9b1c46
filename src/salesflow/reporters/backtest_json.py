"""`backtest --format json`: the contract documented in docs/backtest.md."""

from __future__ import annotations

import json

from salesflow.model.backtest import Backtest

SCHEMA_VERSION = 1


def render(backtest: Backtest, color: bool) -> str:
    del color
    document = {"version": SCHEMA_VERSION, **backtest.model_dump()}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
