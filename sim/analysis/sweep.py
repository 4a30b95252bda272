"""Parameter sweeps: parse ``--set`` options, expand the grid, find the smallest settings.

For each target, the search finds the smallest setting that meets it.

A sweep varies one or more dotted scenario paths (``facilities.ID.units.TYPE.count``); every
grid point runs with the same seed and replications, so points differ only by the parameter
(common random numbers). Nothing here simulates, writes files or plots.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from sim.errors import ScenarioError
from sim.results.measures import MEASURES
from sim.scenario import Scenario, apply_overrides, scenario_from_dict

#: Default number of settings tried by ``--until-met`` (the start value included).
DEFAULT_MAX_STEPS = 10
#: Most settings one sweep may run (grid points, or ``--max-steps`` of ``--until-met``).
MAX_SETTINGS = 1_000


@dataclass(frozen=True, slots=True)
class Parameter:
    """One swept scenario path and its values (as typed on the command line and as parsed)."""

    key: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Point:
    """One grid point: its position, the value of every swept key, and the validated scenario."""

    index: int
    setting: tuple[tuple[str, Any], ...]
    texts: tuple[tuple[str, str], ...]
    scenario: Scenario
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Short label ``key=value, …`` using the last segment of each key."""
        return ", ".join(f"{short_key(k)}={format_value(v)}" for k, v in self.setting)


def short_key(key: str) -> str:
    """Return a readable short form of a dotted path (of each linked key ``a+b``).

    The short form is the last two segments when the last one is generic.
    """
    if "+" in key:
        return "+".join(short_key(k) for k in key.split("+"))
    parts = key.split(".")
    if len(parts) >= 2 and parts[-1] in {
        "count",
        "per_year",
        "per_100k_per_year",
        "threshold_h",
        "turnout_s",
        "crew",
        "value_h",
        "mean_h",
        "required_share",
        "per_shift",
    }:
        return ".".join(parts[-2:])
    return parts[-1]


def format_value(v: Any) -> str:
    """Format a parsed value compactly (``3``, ``0.5``, ``[1, 2]``)."""
    if isinstance(v, float) and v.is_integer():
        return f"{v:g}"
    if isinstance(v, (list, dict)):
        return yaml.safe_dump(v, default_flow_style=True, allow_unicode=True).strip()
    return str(v)


def _split_values(text: str) -> list[str]:
    """Split ``V1,V2,…`` on commas outside brackets and quotes (so ``[1, 2],[3]`` is two values)."""
    out, buf, depth, quote = [], [], 0, ""
    for ch in text:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(buf).strip())
            buf = []
            continue
        buf.append(ch)
    out.append("".join(buf).strip())
    return out


def _parse_value(key: str, text: str, flag: str = "--set") -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        msg = f"{flag} {key}: value {text!r} is not valid YAML ({str(e).splitlines()[0]})"
        raise ScenarioError(msg) from e


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def parse_set(option: str, flag: str = "--set") -> Parameter:
    """Parse one ``--set KEY=V1,V2,…`` option.

    Numeric values are sorted ascending and de-duplicated (so "smallest" is well defined);
    other values keep the order given.

    Raises
    ------
    ScenarioError
        If the option has no ``=``, an empty key or an empty value.
    """
    key, sep, rest = option.partition("=")
    key = key.strip()
    if not sep or not key:
        msg = (
            f"{flag} {option!r}: expected KEY=V1,V2,... "
            "(for example facilities.fs_xinshao.units.engine.count=1,2,3)"
        )
        raise ScenarioError(msg)
    texts = _split_values(rest)
    if any(not t for t in texts):
        msg = f"{flag} {key}: empty value in {rest!r} (expected KEY=V1,V2,...)"
        raise ScenarioError(msg)
    values = [_parse_value(key, t, flag) for t in texts]
    pairs = list(zip(texts, values, strict=True))
    if all(_is_number(v) for v in values):
        uniq: dict[float, tuple[str, Any]] = {}
        for t, v in pairs:
            uniq.setdefault(float(v), (t, v))
        pairs = [uniq[k] for k in sorted(uniq)]
    return Parameter(key=key, texts=tuple(t for t, _ in pairs), values=tuple(v for _, v in pairs))


def parse_until(option: str, max_steps: int) -> Parameter:
    """Parse ``--set KEY=START`` or ``KEY=START:STEP`` for ``--until-met`` into the values to try.

    Returns ``START, START+STEP, …`` (``max_steps`` values; integers stay integers).

    Raises
    ------
    ScenarioError
        If START or STEP is not a number, STEP ≤ 0, or ``max_steps`` < 1.
    """
    key, sep, rest = option.partition("=")
    key = key.strip()
    if not sep or not key or not rest.strip():
        msg = f"--set {option!r}: with --until-met expected KEY=START or KEY=START:STEP"
        raise ScenarioError(msg)
    if not 1 <= max_steps <= MAX_SETTINGS:
        msg = f"--max-steps: expected an integer >= 1 and <= {MAX_SETTINGS:,}, got {max_steps}"
        raise ScenarioError(msg)
    start_t, _, step_t = rest.partition(":")
    start = _parse_value(key, start_t.strip())
    step = _parse_value(key, step_t.strip()) if step_t.strip() else 1
    if not _is_number(start) or not _is_number(step):
        msg = f"--set {key}: with --until-met START and STEP must be numbers, got {rest!r}"
        raise ScenarioError(msg)
    if step <= 0:
        msg = f"--set {key}: STEP must be > 0 to search upward, got {step}"
        raise ScenarioError(msg)
    if isinstance(start, int) and isinstance(step, int):
        values: list[Any] = [start + k * step for k in range(max_steps)]
    else:
        values = [round(float(start) + k * float(step), 10) for k in range(max_steps)]
    return Parameter(key=key, texts=tuple(str(v) for v in values), values=tuple(values))


def expand_grid(
    base: Mapping[str, Any],
    params: Sequence[Parameter],
    *,
    source: str,
    updates: Mapping[str, Any] | None = None,
    flag: str = "--set",
) -> list[Point]:
    """Validate every grid point (cartesian product of the parameters) before anything runs.

    Parameters
    ----------
    base
        The resolved scenario mapping (`sim.scenario.scenario_to_dict`).
    params
        Swept keys; the last varies fastest.
    source
        Scenario file name, for messages.
    updates
        Values set on every point after validation (``replications``, ``seed``, ``network``).

    Returns
    -------
    points
        One validated `Point` per grid setting; validation warnings (for example "no facility
        has a 'water_rescue_team' unit") are kept in ``Point.warnings`` instead of being emitted.

    Raises
    ------
    ScenarioError
        Naming the ``--set`` path and value when a path does not exist or a value is invalid.
    """

    keys = [p.key for p in params]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        msg = f"{flag} given more than once for {', '.join(dup)}"
        raise ScenarioError(msg)
    sizes = [len(p.values) for p in params]
    if math.prod(sizes) > MAX_SETTINGS:
        msg = (
            f"--set: the grid has {math.prod(sizes):,} settings "
            f"({' × '.join(map(str, sizes))}), expected at most {MAX_SETTINGS:,}"
        )
        raise ScenarioError(msg)
    points = []
    combos = itertools.product(*[list(zip(p.texts, p.values, strict=True)) for p in params])
    for i, combo in enumerate(combos):
        # A key "a+b" sets a and b to the same value (linked keys, e.g. pilots and aircrew).
        overrides = [
            (k, t) for p, (t, _v) in zip(params, combo, strict=True) for k in p.key.split("+")
        ]
        desc = " ".join(f"{p.key}={t}" for p, (t, _v) in zip(params, combo, strict=True))
        try:
            data = apply_overrides(dict(base), overrides, source=source)
            # Soft problems (a unit type with no units left) belong to this point, not the process.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sc = scenario_from_dict(data, source=source)
        except ScenarioError as e:
            msg = f"{flag} {desc}: {e}"
            raise ScenarioError(msg) from e
        if updates:
            sc = sc.model_copy(update=dict(updates))
        notes = tuple(
            dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning))
        )
        points.append(
            Point(
                index=i,
                setting=tuple((p.key, v) for p, (_t, v) in zip(params, combo, strict=True)),
                texts=tuple(overrides),
                scenario=sc,
                warnings=notes,
            )
        )
    return points


def meets(target: Mapping[str, Any]) -> bool:
    """Whether a ``metrics.json`` target is met with 95 % confidence (its ``met_95``).

    The verdict comes from the target's measure (`sim.results.measures`): the pessimistic end
    of the interval meets the requirement.
    """
    return bool(target.get("met_95"))


def all_time_targets_met(targets: Mapping[str, Any], ids: Sequence[str] | None = None) -> bool:
    """Whether every time target, or every target in `ids`, is met with 95 % confidence.

    Time targets are those whose measure judges incidents one by one against a threshold.
    """
    if ids is not None:
        return all(meets(targets[i]) for i in ids)
    return all(meets(t) for t in targets.values() if MEASURES[t["measure"]].per_incident)


def _dominates(a: Sequence[int], b: Sequence[int]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and tuple(a) != tuple(b)


def smallest_meeting(
    points: Sequence[Mapping[str, Any]],
    params: Sequence[Parameter],
    target_ids: Sequence[str],
    *,
    selected: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Find, for each target and for all time targets together, the smallest settings that meet it.

    Parameters
    ----------
    points
        Evaluated points in grid order:
        ``{"setting": {key: value}, "targets": {id: metrics target}}``.
    params
        The swept parameters (their value order defines "smaller").
    target_ids
        Targets to search for.
    selected
        If given, also search for the settings meeting all of these targets together
        (``"selected_targets"``; the ``--target`` option).

    Returns
    -------
    result
        ``{target id, "all_time_targets" or "selected_targets":
        {"met", "settings", "stable", "best"}}``. ``settings`` lists the minimal settings that
        meet (one with a single key; with several keys, every setting that meets and has no
        smaller meeting setting in all keys). ``stable`` says
        whether every larger setting in the grid also meets (False flags a non-monotone grid).
        ``best`` is the point with the highest share (or value) when none meets.
    """
    order = [{v: i for i, v in enumerate(map(_hashable, p.values))} for p in params]

    def pos(pt: Mapping[str, Any]) -> tuple[int, ...]:
        return tuple(order[k][_hashable(pt["setting"][p.key])] for k, p in enumerate(params))

    out: dict[str, Any] = {}
    ids = [*target_ids, "all_time_targets"] + (["selected_targets"] if selected else [])
    for tid in ids:
        if tid == "all_time_targets":
            ok = [all_time_targets_met(pt["targets"]) for pt in points]
        elif tid == "selected_targets":
            ok = [all_time_targets_met(pt["targets"], selected) for pt in points]
        else:
            ok = [meets(pt["targets"][tid]) for pt in points]
        good = [pos(pt) for pt, o in zip(points, ok, strict=True) if o]
        minimal = [g for g in good if not any(_dominates(h, g) for h in good)]
        minimal.sort()
        settings = []
        stable = True
        for g in minimal:
            pt = next(p for p in points if pos(p) == g)
            settings.append(dict(pt["setting"]))
            larger = [o for p, o in zip(points, ok, strict=True) if _dominates(g, pos(p))]
            stable &= all(larger)
        entry: dict[str, Any] = {
            "met": bool(minimal),
            "settings": settings,
            "stable": bool(stable) if minimal else None,
        }
        if not minimal and tid not in {"all_time_targets", "selected_targets"}:

            def score(pt: Mapping[str, Any], tid: str = tid) -> float:
                t = pt["targets"][tid]
                measure = MEASURES[t["measure"]]
                v = measure.value(t)
                if v is None:
                    return -math.inf
                return -v if measure.lower_is_better else v

            best = max(points, key=score)
            t = best["targets"][tid]
            entry["best"] = {
                "setting": dict(best["setting"]),
                "share": t.get("share"),
                "value": t.get("value"),
                "ci95": t.get("ci95"),
            }
        out[tid] = entry
    return out


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    if _is_number(v):
        return float(v)
    return v


def setting_text(setting: Mapping[str, Any]) -> str:
    """Format a setting as ``key = value`` pairs (full dotted keys)."""
    return ", ".join(f"{k} = {format_value(v)}" for k, v in setting.items())


def statement(
    tid: str,
    result: Mapping[str, Any],
    target: Mapping[str, Any] | None,
    *,
    lang: str,
    until_met: bool = False,
) -> str:
    """Plain-language sentence for one target's search result (``lang`` in {"zh", "en"})."""
    zh = lang == "zh"
    if tid == "selected_targets":
        name = "所选指标（--target）" if zh else "selected targets (--target)"
    elif target is None:
        name = "全部时间类指标" if zh else "all time targets"
    else:
        name = f"{target['label']['zh' if zh else 'en']} ({tid})"
    if result["met"]:
        opts = [setting_text(s) for s in result["settings"]]
        joined = ("；或 " if zh else "; or ").join(opts)
        tail = ""
        if result.get("stable") is False:
            tail = (
                "（注意：更大的设置中有未达标的点，结果对随机波动敏感）"
                if zh
                else " (note: some larger settings do not meet it; "
                "the result is sensitive to noise)"
            )
        return (
            f"{name}：以 95% 置信度达标的最小设置为 {joined}{tail}"
            if zh
            else f"{name}: smallest setting that meets it with 95% confidence: {joined}{tail}"
        )
    where = "搜索范围内" if until_met else "网格中"
    where_en = "searched range" if until_met else "grid"
    best = result.get("best")
    extra = ""
    if best is not None and target is not None:
        measure = MEASURES[target["measure"]]
        if measure.value(best) is not None:
            value = measure.value_text(best)
            req = measure.requirement_text(target, lang, short=True)
            at = setting_text(best["setting"])
            extra = (
                f"（最好：{at} 时为 {value}，要求 {req}）"
                if zh
                else f" (best: {value} at {at}; required {req})"
            )
    return (
        f"{name}：{where}没有任何设置能以 95% 置信度达标{extra}"
        if zh
        else f"{name}: no setting in the {where_en} meets it with 95% confidence{extra}"
    )
