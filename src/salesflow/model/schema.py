"""The JSON Schema of the process file, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.process import FORMAT_VERSION, Process

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def process_schema() -> dict[str, Any]:
    generated = Process.model_json_schema(mode="validation")
    generated["properties"]["salesflow"]["const"] = FORMAT_VERSION
    return {"$schema": SCHEMA_DIALECT, **generated}


def process_schema_text() -> str:
    return json.dumps(process_schema(), indent=2, ensure_ascii=False) + "\n"
