"""What an import takes from a file beyond its columns: its unknown stage labels mapped to Rollout stages
(or skipped), the CRM pipelines that are this market's new business, and a look at the file before both."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rollout.platform.errors import RolloutError
from rollout.sales.crm_files import CrmFileError, DealRow, RowProblem, parse_deals, read_table
from rollout.sales.crm_files.encoding import decode
from rollout.sales.pipeline import PipelineConfig, fold_label

SKIP = ""  # a stage map's value for a label whose deals are not imported
SKIP_WORDS = {"", "skip"}  # how a stage-map file says so
PREVIEW_ROWS = 5
_HEADER_WORDS = {"rolloutstage", "rolloutstagekey", "stage", "stagekey", "key"}


def check_stage_map(stages: Mapping[str, str], config: PipelineConfig) -> dict[str, str]:
    """The map, each label to a stage key of Rollout's or SKIP; anything else refused, naming the label."""
    keys = [stage.key for stage in config.stages]
    for label, key in stages.items():
        if key != SKIP and key not in keys:
            raise RolloutError(
                f"stage map: '{label}' is mapped to '{key}', which is not a Rollout stage "
                f"(stage keys: {', '.join(keys)}; or skip)"
            )
    return dict(stages)


def parse_stage_map(content: bytes, filename: str, config: PipelineConfig) -> dict[str, str]:
    """A two-column CSV: the file's stage label, the Rollout stage key (or "skip"). A first row whose second
    value reads like a heading ("Rollout stage", "stage key") is a header."""
    text, _ = decode(content, filename)
    keys = {stage.key for stage in config.stages}
    stages: dict[str, str] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2:
            raise RolloutError(f"{filename}: line {line}: expected 2 values (stage label, Rollout stage key)")
        label, key = cells[0].strip(), cells[1].strip()
        if not stages and fold_label(key) in _HEADER_WORDS:
            continue
        if not label:
            raise RolloutError(f"{filename}: line {line}: the stage label is empty")
        if key.casefold() in SKIP_WORDS:
            key = SKIP
        elif key not in keys:
            raise RolloutError(
                f"{filename}: line {line}: '{key}' is not a Rollout stage key "
                f"({', '.join(stage.key for stage in config.stages)}, or skip)"
            )
        if label in stages:
            raise RolloutError(f"{filename}: line {line}: '{label}' is mapped twice")
        stages[label] = key
    return stages


def taken_pipelines(pipelines: Iterable[str] | None) -> set[str] | None:
    """The chosen pipelines, folded as stage labels are; None takes every pipeline."""
    return None if pipelines is None else {fold_label(name) for name in pipelines}


@dataclass
class StageLabel:
    label: str
    deals: int
    stage: str | None  # the Rollout stage key it stands for; None when Rollout does not know it


@dataclass
class FileOverview:
    """A file as it will be read: its layout, first rows, pipelines and stage labels with their deals."""

    format: str
    encoding: str
    delimiter: str | None
    preview: list[dict[str, object]]
    pipelines: dict[str, int]  # pipeline name -> deals; empty when the file has no pipeline column
    labels: Counter[tuple[str, str]]  # (pipeline, stage label) -> deals
    config: PipelineConfig

    def stages(self, pipelines: Iterable[str] | None = None) -> list[StageLabel]:
        """The stage labels of the deals in these pipelines (None: all), most deals first."""
        taken = taken_pipelines(pipelines) if self.pipelines else None
        found: Counter[str] = Counter()
        for (pipeline, label), deals in self.labels.items():
            if taken is None or fold_label(pipeline) in taken:
                found[label] += deals
        return [StageLabel(label, deals, _known(self.config, label)) for label, deals in found.most_common()]

    def unknown_stages(self, pipelines: Iterable[str] | None = None) -> list[StageLabel]:
        return [label for label in self.stages(pipelines) if label.stage is None]


def overview(
    content: bytes,
    filename: str,
    config: PipelineConfig,
    *,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
) -> FileOverview:
    """Read the file (CrmFileError when it cannot be) and say what is in it, for the user to choose."""
    parsed = parse_deals(content, filename, format=format, mapping=mapping)
    rows = parsed.valid_rows
    has_pipelines = "pipeline" in parsed.field_headers
    return FileOverview(
        format=parsed.format,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        preview=[_previewed(row) for row in rows[:PREVIEW_ROWS]],
        pipelines=dict(Counter(row.pipeline for row in rows).most_common()) if has_pipelines else {},
        labels=Counter((row.pipeline, row.stage) for row in rows),
        config=config,
    )


def _known(config: PipelineConfig, label: str) -> str | None:
    stage = config.stage_for_label(label)
    return stage.key if stage else None


def _previewed(row: DealRow) -> dict[str, object]:
    return {
        "line": row.line,
        "crm id": row.crm_id,
        "name": row.name,
        "account": row.account,
        "amount": row.amount,
        "currency": row.currency or "",
        "stage": row.stage,
        "pipeline": row.pipeline,
        "created on": row.created_on,
        "close date": row.closed_on or row.expected_close,
    }


__all__ = [
    "SKIP",
    "CrmFileError",
    "FileOverview",
    "StageLabel",
    "check_stage_map",
    "overview",
    "parse_stage_map",
    "rejected_rows_csv",
    "taken_pipelines",
]


def rejected_rows_csv(content: bytes, filename: str, problems: Iterable[RowProblem]) -> bytes:
    """The file's refused rows as they were written, with a "problem" column saying what to fix: once
    fixed, the file imports again by CRM id (nothing doubles). Written with the file's own delimiter, so
    its amounts and dates read as before; a "problem" column already there (a second round) is reused."""
    headers, records, _, delimiter = read_table(content, filename)
    found: dict[int, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.data_row, []).append(f"{problem.column}: {problem.problem}")
    header = list(headers)
    folded = [name.casefold() for name in header]
    at = folded.index("problem") if "problem" in folded else len(header)
    if at == len(header):
        header.append("problem")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter or ",", lineterminator="\r\n")
    writer.writerow(header)
    for data_row, (_, cells) in enumerate(records, start=1):
        if data_row in found:
            row = (cells + [""] * len(header))[: len(header)]
            row[at] = "; ".join(found[data_row])
            writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")
