"""A scenario's assumptions: the numbers their paths point at, their checks, and the scenario
with sampled values put in.

An assumption (`sim.scenario.schema.Assumption`) names one or more dotted paths into the
resolved scenario (defaults filled in), list items by ``id`` as for overrides, each segment a
shell-style pattern. Its paths are expanded here against the resolved mapping into concrete
paths that each end at a number; a sensitivity point sets them through `apply_overrides` and
validates the result like any scenario file.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.scenario._messages import Loc, _suggest
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import Assumption

__all__ = [
    "Resolved",
    "assumption_problems",
    "assumption_settings",
    "expand_path",
    "resolve_assumptions",
    "scenario_data_with",
]

_WILD = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Resolved:
    """One assumption with its paths expanded against a resolved scenario mapping.

    Attributes
    ----------
    assumption
        The assumption as written.
    paths
        Concrete dotted paths (list items by id), in document order.
    base
        The scenario's value at each path (its number before any sampling).
    """

    assumption: Assumption
    paths: tuple[str, ...]
    base: tuple[float, ...]

    @property
    def base_text(self) -> str:
        """The scenario's value(s) in short: ``60``, ``60–240`` or ``×1`` for factors."""
        if self.assumption.mode == "factor":
            return "×1"
        lo, hi = min(self.base), max(self.base)
        return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _children(node: Any) -> list[tuple[str, Any]]:
    """(segment, child) pairs of a mapping (its keys) or a list (item ids, else positions)."""
    if isinstance(node, Mapping):
        return [(str(k), v) for k, v in node.items()]
    if isinstance(node, list):
        return [
            (str(x["id"]) if isinstance(x, Mapping) and "id" in x else str(i), x)
            for i, x in enumerate(node)
        ]
    return []


def expand_path(data: Mapping[str, Any], pattern: str) -> tuple[list[tuple[str, Any]], str]:
    """Expand a dotted path pattern against a resolved scenario mapping.

    Parameters
    ----------
    data
        The resolved scenario (`sim.scenario.scenario_to_dict`).
    pattern
        Dotted path; each segment an exact key / item id or a shell-style pattern.

    Returns
    -------
    matches, why
        ``[(concrete path, value), ...]`` in document order, and, when nothing matched, why
        (the deepest segment that matched nothing, with the keys or ids found there).
    """
    segments = pattern.split(".")
    if any(not s for s in segments):
        return [], f"expected a dotted path like access.speed_kph, got {pattern!r}"
    out: list[tuple[str, Any]] = []
    deepest: tuple[int, str] = (-1, "")

    def walk(node: Any, k: int, prefix: list[str]) -> None:
        nonlocal deepest
        if k == len(segments):
            out.append((".".join(prefix), node))
            return
        seg = segments[k]
        kids = _children(node)
        hits = [(name, child) for name, child in kids if fnmatch.fnmatchcase(name, seg)]
        if not hits and k > deepest[0]:
            where = ".".join(prefix) or "the top level"
            if not kids:
                why = f"{where} is a single value, so it has no {seg!r}"
            else:
                names = [name for name, _ in kids]
                what = "item id" if isinstance(node, list) else "key"
                shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
                hint = "" if _WILD & set(seg) else _suggest(seg, names)
                why = f"no {what} matches {seg!r} in {where} ({hint}{what}s: {shown})"
            deepest = (k, why)
        for name, child in hits:
            walk(child, k + 1, [*prefix, name])

    walk(data, 0, [])
    return out, "" if out else deepest[1]


def resolve_assumptions(
    data: Mapping[str, Any], assumptions: Sequence[Assumption]
) -> tuple[list[Resolved], list[tuple[Loc, str]], list[str]]:
    """Expand every assumption's paths and check them against the resolved scenario.

    Returns
    -------
    resolved, problems, warnings
        The expanded assumptions (only those without problems); problems as (location,
        message) in the scenario's ``assumptions`` list; warnings for a range that leaves out
        the scenario's own value (a factor range without 1).
    """
    resolved: list[Resolved] = []
    problems: list[tuple[Loc, str]] = []
    warnings: list[str] = []
    owner: dict[str, str] = {}
    seen: dict[str, int] = {}
    for i, a in enumerate(assumptions):
        if a.id in seen:
            problems.append(
                (
                    ("assumptions", i, "id"),
                    f"duplicate assumption id {a.id!r} (also assumptions[{seen[a.id]}])",
                )
            )
            continue
        seen[a.id] = i
        paths: list[str] = []
        base: list[float] = []
        bad = False
        for j, pattern in enumerate(a.paths):
            loc: Loc = (
                ("assumptions", i, "path", j)
                if not isinstance(a.path, str)
                else ("assumptions", i, "path")
            )
            matches, why = expand_path(data, pattern)
            if not matches:
                problems.append((loc, f"{pattern!r} matches no setting of the scenario: {why}"))
                bad = True
                continue
            for path, value in matches:
                if not _is_number(value):
                    kind = type(value).__name__ if not isinstance(value, Mapping) else "mapping"
                    problems.append(
                        (loc, f"{pattern!r} matches {path}, which is a {kind}, not a number")
                    )
                    bad = True
                    break
                if isinstance(value, int) and not a.integer:
                    problems.append(
                        (
                            loc,
                            f"{pattern!r} matches {path}, an integer setting: add "
                            "`integer: true` (sampled values are then rounded)",
                        )
                    )
                    bad = True
                    break
                if path in owner and owner[path] != a.id:
                    problems.append(
                        (
                            loc,
                            f"{path} is also set by assumption {owner[path]!r}: each number "
                            "may belong to one assumption only",
                        )
                    )
                    bad = True
                    break
                if path not in paths:
                    owner[path] = a.id
                    paths.append(path)
                    base.append(float(value))
        if bad:
            continue
        r = Resolved(assumption=a, paths=tuple(paths), base=tuple(base))
        resolved.append(r)
        inside = (
            [a.low <= b <= a.high for b in base] if a.mode == "value" else [a.low <= 1 <= a.high]
        )
        if not all(inside):
            what = f"the scenario's value {r.base_text}" if a.mode == "value" else "factor 1"
            warnings.append(
                f"assumptions[{a.id}]: the range [{a.low:g}, {a.high:g}] leaves out {what}"
            )
    return resolved, problems, warnings


def assumption_problems(
    data: Mapping[str, Any], assumptions: Sequence[Assumption]
) -> tuple[list[tuple[Loc, str]], list[str]]:
    """Problems and warnings of a scenario's assumptions (see `resolve_assumptions`)."""
    _, problems, warnings = resolve_assumptions(data, assumptions)
    return problems, warnings


def _setting(r: Resolved, base: float, value: float) -> float | int:
    """What one path is set to for a sampled `value` of its assumption."""
    x = base * value if r.assumption.mode == "factor" else value
    return math.floor(x + 0.5) if r.assumption.integer else float(x)


def assumption_settings(
    resolved: Sequence[Resolved], values: Sequence[float]
) -> list[tuple[str, float | int]]:
    """The ``(path, number)`` overrides that put one sample of every assumption into the scenario.

    Parameters
    ----------
    resolved
        The expanded assumptions (`resolve_assumptions`).
    values
        One sampled value per assumption (a factor for ``mode: factor``).
    """
    if len(values) != len(resolved):
        msg = f"expected {len(resolved)} values, one per assumption, got {len(values)}"
        raise ValueError(msg)
    return [
        (path, _setting(r, b, float(v)))
        for r, v in zip(resolved, values, strict=True)
        for path, b in zip(r.paths, r.base, strict=True)
    ]


def scenario_data_with(
    data: dict[str, Any],
    resolved: Sequence[Resolved],
    values: Sequence[float],
    *,
    source: str,
) -> dict[str, Any]:
    """A copy of the resolved scenario mapping with one sample of the assumptions put in.

    Raises
    ------
    ScenarioError
        If a path no longer exists (naming it, as `apply_overrides` does).
    """
    return apply_overrides(data, assumption_settings(resolved, values), source=source)
