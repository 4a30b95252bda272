#!/usr/bin/env python3
"""Print the ranking of a sensitivity run as the Markdown table of docs/workflows.md.

Usage::

    python tools/sensitivity_table.py results/workflows/sensitivity_baseline/sensitivity.json \
        [--top 3] [--lang en]

One row per target: the scenario's own estimate with its interval, the requirement, the share
of the sampled points that meet it, and the leading inputs with μ* (Morris; ST for Sobol) and
the direction of their effect (↑ raising the input raises the target, ↓ lowers it, ± mixed).
Used to refresh the section "5. sensitivity" after a rerun (for example on a recalibrated
baseline); the numbers come from the file, nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.analysis.sensitivity import DIRECTION_SHARE  # noqa: E402 - after the path set-up
from sim.results.measures import MEASURES  # noqa: E402


def table(sens: dict, *, top: int, lang: str) -> str:
    """Return the Markdown table of the leading inputs per target."""
    names = {i["id"]: i["label"][lang] for i in sens["inputs"]}
    morris = sens["method"] == "morris"
    index = "μ*" if morris else "ST"
    head = (
        ["指标", "基准估计", "要求", "达标样本点", f"影响最大的假设（{index}）"]
        if lang == "zh"
        else ["target", "baseline", "required", "points meeting it", f"leading inputs ({index})"]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for tid, t in sens["targets"].items():
        m = MEASURES[t["measure"]]
        a = t["analysis"]
        base = m.value_text({m.value_key: t["base"]["value"], "ci95": t["base"]["ci95"]})
        share = "—" if t["met_share"] is None else f"{t['met_share']:.0%}"
        cells = []
        for r in [r for r in a.get("inputs", []) if not r["negligible"]][:top]:
            if morris:
                clear = abs(r["mu"]) >= DIRECTION_SHARE * r["mu_star"]
                arrow = ("↑" if r["mu"] > 0 else "↓") if clear else "±"
                cells.append(f"{names[r['id']]} {m.format_effect(r['mu_star'])} {arrow}")
            else:
                cells.append(f"{names[r['id']]} {r['ST']:.2f}")
        leading = "; ".join(cells) or (
            "无（均可忽略）" if lang == "zh" else "none (all negligible)"
        )
        lines.append(
            f"| {t['label'][lang]} (`{tid}`) | {base} | {t['requirement'][lang]} | {share} "
            f"| {leading} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table of one sensitivity.json."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", type=Path, help="sensitivity.json")
    p.add_argument("--top", type=int, default=3, help="inputs per target (default 3)")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    args = p.parse_args(argv)
    sens = json.loads(args.file.read_text(encoding="utf-8"))
    print(table(sens, top=args.top, lang=args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
