"""Print the targets of a run's ``metrics.json`` as a Markdown table (for README and docs).

Usage::

    python run_scenario.py                      # writes results/shaoguan_baseline/
    python tools/targets_table.py results/shaoguan_baseline/metrics.json [--lang en]

The values, intervals and requirement texts are written by the measure registry
(``sim.results.measures``), exactly as the console and the report write them, so a table pasted
into the README can be checked against a rerun line by line. The lines under the table are the
measures' detail texts (failures per year, medians, probabilities of a bad year).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.results.measures import MEASURES


def targets_table(metrics: dict, *, lang: str = "zh") -> str:
    """Return the Markdown table of the run's targets and the detail lines under it."""
    zh = lang == "zh"
    run = metrics["run"]
    head = (
        "| 指标 | 数值 | 95% 置信区间 | 要求 | 达标 | 95% 置信下达标 |"
        if zh
        else "| target | measured | 95 % CI | required | met | met with 95 % confidence |"
    )
    lines = [
        f"{run['scenario']}: {run['replications']} × {run['horizon_days']:g} d, "
        f"seed {run['seed']}, {run['incidents_per_replication_mean']:,.0f} incidents per "
        "replication",
        "",
        head,
        "|---|---|---|---|---|---|",
    ]
    yes, no = ("是", "否") if zh else ("yes", "no")
    for tid, t in metrics["targets"].items():
        m = MEASURES[t["measure"]]
        lines.append(
            f"| {t['label']['zh' if zh else 'en']} (`{tid}`) "
            f"| {m.format_value(m.value(t), lang=lang)} "
            f"| {m.format_interval(t.get('ci95'))} "
            f"| {m.requirement_text(t, lang, short=True)} "
            f"| {yes if t['met'] else no} | {yes if t['met_95'] else no} |"
        )
    details = [
        f"- `{tid}`: {text}"
        for tid, t in metrics["targets"].items()
        if (text := MEASURES[t["measure"]].detail_text(t, lang))
    ]
    if details:
        lines += ["", *details]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("metrics", type=Path, help="a run's metrics.json")
    ap.add_argument("--lang", choices=("zh", "en"), default="en")
    args = ap.parse_args(argv)
    try:
        metrics = json.loads(args.metrics.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"error: {args.metrics}: {e}", file=sys.stderr)
        return 2
    print(targets_table(metrics, lang=args.lang))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
