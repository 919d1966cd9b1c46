"""A preset's stage-date columns found in the data's header: HubSpot's
`Date entered "<stage> (<pipeline>)"` and `hs_v2_date_entered_<stage id>` columns, matched to
the process's stages by id, name and aliases."""

from __future__ import annotations

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.model.labels import fold
from salesflow.sources.labels import stage_labels
from salesflow.sources.presets import Preset

# (column, its pipeline or None, the rank of its pattern: a lower rank wins)
Found = tuple[str, str | None, int]


def preset_stage_dates(
    preset: Preset | None, process: Process, available: list[str], file: str
) -> dict[int, str]:
    """Stage index → the column holding the date a deal entered it. With `data.pipeline`, only
    that pipeline's columns; two pipelines' columns for one stage without it are refused."""
    if preset is None or not preset.stage_dates:
        return {}
    labels = stage_labels(process)
    found: dict[int, list[Found]] = {}
    for column in available:
        match = _match(preset, column)
        if match is None:
            continue
        stage, pipeline, rank = match
        index = labels.get(fold(stage))
        if index is not None and _in_pipeline(pipeline, process.data.pipeline):
            found.setdefault(index, []).append((column, pipeline, rank))
    return {index: _one(process, index, columns, file) for index, columns in found.items()}


def _match(preset: Preset, column: str) -> tuple[str, str | None, int] | None:
    for rank, pattern in enumerate(preset.stage_dates):
        match = pattern.pattern.fullmatch(column.strip())
        if match is not None:
            groups = match.groupdict()
            return groups["stage"], groups.get("pipeline"), rank
    return None


def _in_pipeline(pipeline: str | None, wanted: str | None) -> bool:
    return pipeline is None or wanted is None or fold(pipeline) == fold(wanted)


def _one(process: Process, index: int, found: list[Found], file: str) -> str:
    best = min(rank for _, _, rank in found)
    columns = [(column, pipeline) for column, pipeline, rank in found if rank == best]
    if len(columns) == 1:
        return columns[0][0]
    stage = process.stages[index]
    names = ", ".join(f"'{column}'" for column, _ in columns)
    pipelines = sorted({pipeline for _, pipeline in columns if pipeline is not None})
    if len(pipelines) > 1 and process.data.pipeline is None:
        raise DataError(
            f"{file}: columns {names} all give the date a deal entered stage '{stage.id}', "
            f"from pipelines {', '.join(pipelines)}; set data.pipeline to the pipeline this "
            "process describes (one process per pipeline)"
        )
    raise DataError(
        f"{file}: columns {names} all give the date a deal entered stage '{stage.id}'; "
        f"name the one to use in data.stage_dates.{stage.id}"
    )
