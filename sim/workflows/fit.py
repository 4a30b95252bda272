"""``fit``: estimate incident models from a CSV of historical calls into a scenario block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from sim.analysis.fit import TypeFit, fit_calls
from sim.errors import ScenarioError
from sim.scenario import load_scenario
from sim.scenario.calls import read_calls


@dataclass(frozen=True, slots=True)
class FitResult:
    """What `fit_from_calls` produced.

    Attributes
    ----------
    fits
        One fitted model per incident type.
    window
        Observation window ``{"start", "end", "days"}``.
    text
        The scenario YAML (a variant extending `scenario` when one was given).
    out
        The YAML file written, or None.
    """

    fits: tuple[TypeFit, ...]
    window: dict[str, Any]
    text: str
    out: Path | None

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-safe data."""
        return {
            "window": self.window,
            "types": {
                f.type: {"calls": f.calls, **f.scenario_block(), "goodness_of_fit": f.gof}
                for f in self.fits
            },
        }


def _gof_comments(fits: tuple[TypeFit, ...]) -> list[str]:
    lines = []
    for f in fits:
        g = f.gof
        d = g["daily_counts"]
        lines.append(
            f"# {f.type}: {f.calls} calls; daily counts vs fitted Poisson chi2={d['chi2']} "
            f"(dof {d['dof']}, p={d['p_value']:.3g}, dispersion {d['dispersion']}); "
            f"seasonality vs flat p={g['seasonality_vs_flat']['p_value']:.3g}; "
            f"diurnal vs flat p={g['diurnal_vs_flat']['p_value']:.3g}"
        )
        scene = g["on_scene"]
        if "chosen" in scene:
            cands = ", ".join(
                f"{k} AIC {scene[k]['aic']} KS {scene[k]['ks_statistic']} "
                f"(p={scene[k]['ks_p_value']:.3g})"
                for k in ("exponential", "lognormal", "gamma")
            )
            lines.append(f"#   on_scene: {scene['chosen']} chosen by AIC; {cands}")
    return lines


def fit_from_calls(
    calls_path: Path,
    *,
    scenario: Path | None = None,
    start: date | None = None,
    end: date | None = None,
    out: Path | None = None,
) -> FitResult:
    """Fit rates, profiles and on-scene times of each incident type found in a calls CSV.

    Parameters
    ----------
    calls_path
        The calls (see `sim.scenario.calls`); locations are not needed.
    scenario
        Optional scenario: its incident types are the allowed ones, and the output is a
        variant that ``extends:`` it with the fitted keys (label, units etc. inherited).
    start, end
        Observation window [start, end); default from the first to the last call's day.
    out
        YAML file to write (the fitted block with goodness-of-fit comments).

    Returns
    -------
    result
        The fits and the YAML text.
    """
    types = tuple(load_scenario(scenario).incidents) if scenario is not None else None
    calls = read_calls(calls_path, types=types)
    if start is not None and end is not None and end <= start:
        msg = f"--end {end} must be after --start {start}"
        raise ScenarioError(msg)
    fits, window = fit_calls(calls, start=start, end=end)
    if not fits:
        msg = f"{calls_path}: no calls inside the window {window['start']} .. {window['end']}"
        raise ScenarioError(msg)
    doc: dict[str, Any] = {}
    if scenario is not None:
        base = scenario.resolve()
        where = out.resolve().parent if out is not None else Path.cwd()
        try:
            doc["extends"] = str(base.relative_to(where))
        except ValueError:
            doc["extends"] = str(base)
    doc["incidents"] = {f.type: f.scenario_block() for f in fits}
    header = [
        f"# Fitted by `run_scenario.py fit` from {calls_path} "
        f"({window['start']} .. {window['end']}, {window['days']:g} days).",
        "# Goodness of fit (small p-values mean the fitted model is doubtful):",
        *_gof_comments(tuple(fits)),
    ]
    body = yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )
    text = "\n".join(header) + "\n" + body
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return FitResult(fits=tuple(fits), window=window, text=text, out=out)
