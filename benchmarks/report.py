"""Markdown tables of benchmark results, for BENCHMARKS.md.

python benchmarks/report.py small-sqlite.json medium-sqlite.json medium-postgresql.json
python benchmarks/report.py --growth medium-sqlite.json large-sqlite.json

The second sets each figure's growth from one run to the other beside the growth of the data, so a cost that
grows faster than its data stands out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _cell(figure: dict | None) -> str:
    if figure is None:
        return "—"
    value = figure["value"]
    text = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    if figure["ratio"] is not None:
        text += f" ({figure['ratio']:.2g}×)"
    return text + {True: " ✓", False: " ✗", None: ""}[figure["met"]]


def _target(figure: dict) -> str:
    if figure["target"] is None:
        return ""
    sign = "≤" if figure["target_is"] == "max" else "≥"
    unit = "× lower bound" if figure["target_on"] == "ratio" else figure["unit"]
    return f"{sign} {figure['target']:,g} {unit}"


def table(results: list[dict]) -> str:
    columns = [f"{r['scale']} · {r['machine']['database']}" for r in results]
    by_name = [{f["name"]: f for f in r["figures"]} for r in results]
    names = list(dict.fromkeys(name for figures in by_name for name in figures))
    lines = [
        f"| figure | unit | target | {' | '.join(columns)} |",
        f"| --- | --- | --- |{' ---: |' * len(columns)}",
    ]
    for name in names:
        first = next(figures[name] for figures in by_name if name in figures)
        cells = " | ".join(_cell(figures.get(name)) for figures in by_name)
        lines.append(f"| {name} | {first['unit']} | {_target(first)} | {cells} |")
    return "\n".join(lines)


def growth(smaller: dict, larger: dict) -> str:
    """Each timed figure of both runs: larger / smaller, beside the data's own growth."""
    data = {
        table: larger["data"][table] / smaller["data"][table]
        for table in smaller["data"]
        if smaller["data"][table]
    }
    said = ", ".join(f"{table} ×{ratio:.3g}" for table, ratio in data.items())
    lines = [
        f"Data: {said}.",
        "",
        f"| figure | {smaller['scale']} | {larger['scale']} | growth |",
        "| --- | ---: | ---: | ---: |",
    ]
    before = {f["name"]: f for f in smaller["figures"]}
    for after in larger["figures"]:
        first = before.get(after["name"])
        if first is None or after["unit"] not in ("ms", "s", "MB") or not first["value"]:
            continue
        ratio = after["value"] / first["value"]
        lines.append(f"| {after['name']} | {_cell(first)} | {_cell(after)} | ×{ratio:.3g} |")
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    if paths and paths[0] == "--growth":
        smaller, larger = (json.loads(Path(path).read_text(encoding="utf-8")) for path in paths[1:3])
        print(growth(smaller, larger))
        return
    results = [json.loads(Path(path).read_text(encoding="utf-8")) for path in paths]
    print(table(results))
    for result in results:
        machine, run = result["machine"], result["run"]
        versions = f"Python {machine['python']}, SQLite {machine['sqlite']}"
        if "postgresql" in machine:
            versions += f", PostgreSQL {machine['postgresql']}"
        print(
            f"\n- {result['scale']} · {machine['database']}: {run['date']}, {machine['cpu_count']} × "
            f"{machine['cpu_model']}, {machine['memory_mb']:,} MB, {versions}; {run['repeat']} warm runs, "
            f"{run['cold_repeat']} cold runs per page, {run['import_rows']:,} rows imported"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
