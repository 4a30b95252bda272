"""Command-line `KEY=VALUE` overrides applied to a raw scenario mapping."""

from __future__ import annotations

import copy
import math
import typing
from typing import Any

import yaml

from sim.errors import ScenarioError
from sim.scenario._messages import (
    _allowed_keys,
    _child_type,
    _format,
    _is_model,
    _short,
    _suggest,
    _tag_of,
    _union_members,
    _unwrap,
)
from sim.scenario.schema import Scenario

__all__ = ["apply_overrides"]


def _no_such(what: str, seg: str, where: str, options: list[str], listed: str) -> str:
    return f"no {what} {seg!r} in {where} ({_suggest(seg, options)}{listed}: {', '.join(options)})"


def _set_one(data: dict[str, Any], key: str, value: Any) -> str | None:
    """Set one dotted path inside ``data`` (mutated); return a problem message or None."""
    segments = key.split(".")
    if not key or any(not s for s in segments):
        return f"expected a dotted path like facilities.ID.units.engine.count, got {key!r}"
    node: Any = data
    tp: Any = Scenario
    for k, seg in enumerate(segments):
        last = k == len(segments) - 1
        where = ".".join(segments[:k]) or "the top level"
        utp = _unwrap(tp)
        if isinstance(node, dict):  # a discriminated union: the data's tag picks the member
            for m in _union_members(utp):
                t = _tag_of(m)
                if t is not None and node.get(t[0]) == t[1]:
                    utp = m
        if isinstance(node, list):
            ids = [x.get("id") if isinstance(x, dict) else None for x in node]
            if seg in ids:
                idx = ids.index(seg)
            elif seg.isdigit() and int(seg) < len(node):
                idx = int(seg)
            else:
                return _no_such(
                    "item with id", seg, where, [str(i) for i in ids if i is not None], "ids"
                )
            if last:
                node[idx] = value
                return None
            node, tp = node[idx], _child_type(utp, idx)
        elif isinstance(node, dict):
            child_tp = _child_type(utp, seg)
            if seg not in node:
                if child_tp is None:  # neither in the file nor allowed by the schema
                    keys = sorted({str(x) for x in node} | set(_allowed_keys(utp, node)))
                    return _no_such("key", seg, where, keys, "keys")
                if not last:
                    inner = _unwrap(child_tp)
                    if not (_is_model(inner) or typing.get_origin(inner) is dict):
                        # e.g. `where` or `on_scene`: its `model`/`dist` must be chosen first
                        full = ".".join(segments[: k + 1])
                        return f"no key {seg!r} in {where}: set the whole mapping, {full}={{...}}"
                    node[seg] = {}
            if last:
                node[seg] = value
                return None
            node, tp = node[seg], child_tp
        else:
            return f"{where} is {_short(node)}, not a mapping or list, so it has no {seg!r}"
    return None  # pragma: no cover - the loop always returns on the last segment


def apply_overrides(
    data: dict[str, Any], overrides: list[tuple[str, Any]], *, source: str
) -> dict[str, Any]:
    """Return a copy of a raw scenario mapping with ``KEY=VALUE`` overrides applied.

    Parameters
    ----------
    data
        Raw scenario mapping (as read from YAML); not modified.
    overrides
        ``(KEY, VALUE)`` pairs. KEY is a dotted path; list items (facilities, targets) are
        addressed by their ``id``: ``facilities.regional_centre.units.rescue_vehicle.count``,
        ``targets.initial_relief.threshold_h``, ``incidents.flood.rate.per_year``. VALUE is
        parsed as YAML, so ``5`` is an integer and ``[1, 2]`` a list.
    source
        Name of the scenario file, for messages.

    Returns
    -------
    data
        A new mapping; validate it with `scenario_from_dict` (type errors are found there).

    Raises
    ------
    ScenarioError
        If a path does not exist (naming the failing segment, with close matches) or a value is
        not valid YAML. A missing final key is accepted when the schema allows it (adding a unit
        type to a facility's ``units``, setting an optional key).
    """
    if not isinstance(data, dict):
        msg = f"{source}: expected a mapping at the top level, got {type(data).__name__}"
        raise ScenarioError(msg)
    out = copy.deepcopy(data)
    problems: list[tuple[str, str]] = []
    for key, text in overrides:
        try:
            value = yaml.safe_load(text) if isinstance(text, str) else text
        except yaml.YAMLError as e:
            problems.append((f"override {key}", f"value {text!r} is not valid YAML ({e})"))
            continue
        if isinstance(value, float) and not math.isfinite(value):
            problems.append((f"override {key}", f"expected a finite number, got {text!r}"))
            continue
        problem = _set_one(out, key, value)
        if problem is not None:
            problems.append((f"override {key}", problem))
    if problems:
        raise ScenarioError(_format(source, problems))
    return out
