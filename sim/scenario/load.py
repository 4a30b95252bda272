"""Reading scenarios: YAML files, the `extends:` chain, validation, and dumping them back."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario._checks import _cross_problems, _soft_problems
from sim.scenario._messages import (
    Loc,
    _format,
    _in_document_order,
    _pydantic_problems,
    _walk,
)
from sim.scenario.assumptions import assumption_problems
from sim.scenario.schema import Scenario

__all__ = [
    "dump_scenario_yaml",
    "load_scenario",
    "merge_scenario_data",
    "read_scenario_data",
    "scenario_from_dict",
    "scenario_to_dict",
]


def _build(data: Any, source: str) -> tuple[Scenario, list[str]]:
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        msg = (
            f"{source}: expected a mapping of keys (name: ..., unit_types: ...) "
            f"at the top level, got {kind}"
        )
        raise ScenarioError(msg)
    if "name" not in data:
        stem = Path(source).stem if not source.startswith("<") else "scenario"
        data = {**data, "name": stem}
    problems: list[tuple[Loc, str, str]] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        problems += _pydantic_problems(e, data)
    problems += [(loc, _walk(loc, data)[0], msg) for loc, msg in _cross_problems(data)]
    if problems or scenario is None:
        raise ScenarioError(_format(source, _in_document_order(problems, data)))
    soft = _soft_problems(scenario)
    if scenario.assumptions:
        # Paths are checked against the resolved scenario: a default (access.speed_kph) is a
        # setting too, though the file may not spell it out.
        found, soft_a = assumption_problems(
            scenario.model_dump(mode="json", exclude_none=True), scenario.assumptions
        )
        problems += [(loc, _walk(loc, data)[0], msg) for loc, msg in found]
        if problems:
            raise ScenarioError(_format(source, _in_document_order(problems, data)))
        soft += soft_a
    return scenario, [f"{source}: {w}" for w in soft]


def scenario_from_dict(data: dict[str, Any], *, source: str = "<dict>") -> Scenario:
    """Validate a scenario mapping (as read from YAML) and return the frozen `Scenario`.

    Parameters
    ----------
    data
        The mapping; not modified.
    source
        Name used in messages; a file path also gives the default ``name`` (its stem).

    Returns
    -------
    scenario
        The validated scenario with defaults filled in.

    Raises
    ------
    ScenarioError
        With every problem found, one per line (``path: what was expected, what was found``).
    """
    scenario, soft = _build(data, source)
    for w in soft:
        warnings.warn(w, UserWarning, stacklevel=2)
    return scenario


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys (plain PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys: dict[Any, Any] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *anchor` merges may be overridden by explicit keys
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # the base constructor reports unhashable keys
        if key in keys:
            first = keys[key]
            msg = f"duplicate key {key!r} (first given at line {first.start_mark.line + 1})"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        keys[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        context = e.context or ""
        if context and e.context_mark is not None and e.problem_mark is not None:
            context += f" (started at line {e.context_mark.line + 1})"
        problem = "; ".join(str(p) for p in (context, e.problem) if p)
        kind = (
            "YAML error"
            if isinstance(e, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        msg = f"{source}: {kind}{where}: {problem}"
        raise ScenarioError(msg) from e
    except yaml.YAMLError as e:
        msg = f"{source}: YAML syntax error: {e}"
        raise ScenarioError(msg) from e


def _read_file(path: str | Path) -> dict[str, Any]:
    source = str(path)
    p = Path(path)
    if not p.exists():
        msg = f"{source}: scenario file not found"
        raise ScenarioError(msg)
    if p.is_dir():
        msg = f"{source}: is a directory, expected a scenario file"
        raise ScenarioError(msg)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        msg = f"{source}: cannot read the file as UTF-8 text ({e.reason} at byte {e.start})"
        raise ScenarioError(msg) from e
    except OSError as e:
        msg = f"{source}: cannot read the file ({e.strerror or e})"
        raise ScenarioError(msg) from e
    return _read_yaml(text, source)


def merge_scenario_data(base: Any, change: Any) -> Any:
    """Deep-merge a variant onto its base scenario mapping.

    Mappings merge key by key; lists whose items all carry an ``id`` (facilities, targets,
    surge days with ids) merge item by item — an item with the same id is merged, a new id is
    appended, and ``{id: X, remove: true}`` drops item X; any other value replaces the base.
    """
    if isinstance(base, dict) and isinstance(change, dict):
        out = dict(base)
        for k, v in change.items():
            out[k] = merge_scenario_data(base[k], v) if k in base else v
        return out
    if (
        isinstance(base, list)
        and isinstance(change, list)
        and all(isinstance(x, dict) and "id" in x for x in base + change)
    ):
        items = {x["id"]: x for x in base}
        order = [x["id"] for x in base]
        for x in change:
            if x.get("remove") is True:
                items.pop(x["id"], None)
                continue
            if x["id"] in items:
                items[x["id"]] = merge_scenario_data(items[x["id"]], x)
            else:
                items[x["id"]] = x
                order.append(x["id"])
        return [items[i] for i in order if i in items]
    return change


def read_scenario_data(path: str | Path, _seen: tuple[str, ...] = ()) -> Any:
    """Read a scenario file as a raw mapping, resolving ``extends:`` (a base file to vary).

    ``extends`` is a path relative to the file; the variant's keys are merged onto the base
    with `merge_scenario_data`. The variant's ``name`` does not inherit.
    """
    data = _read_file(path)
    if not isinstance(data, dict):
        return data  # reported by the validator with the file name
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data
    if not isinstance(base_ref, str):
        msg = (
            f"{path}: 1 problem\n"
            f"  - extends: expected a path to the base scenario file, got {base_ref!r}"
        )
        raise ScenarioError(msg)
    base_path = (Path(path).parent / base_ref).resolve()
    if str(base_path) in _seen:
        msg = (
            f"{path}: 1 problem\n"
            f"  - extends: {base_ref!r} extends itself (cycle {' -> '.join(_seen)})"
        )
        raise ScenarioError(msg)
    if not base_path.is_file():
        msg = (
            f"{path}: 1 problem\n"
            f"  - extends: base scenario {base_ref!r} not found (looked at {base_path})"
        )
        raise ScenarioError(msg)
    base = read_scenario_data(base_path, (*_seen, str(Path(path).resolve())))
    base.pop("name", None)
    return merge_scenario_data(base, data)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML scenario file.

    Parameters
    ----------
    path
        Scenario file (``.yaml``/``.yml``; JSON is valid YAML too).

    Returns
    -------
    scenario
        The validated scenario; ``name`` defaults to the file name without extension.

    Raises
    ------
    ScenarioError
        If the file is missing or unreadable, is not valid YAML (line and column given), is not
        a mapping, or has any invalid value (every problem listed, see `scenario_from_dict`).
    """
    source = str(path)
    data = read_scenario_data(path)
    scenario, soft = _build(data, source)
    for w in soft:
        warnings.warn(w, UserWarning, stacklevel=2)
    return scenario


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the resolved scenario (defaults filled in) as plain JSON/YAML-safe data.

    Keys whose value is null (optional and unset) are left out; dates are ISO strings.
    ``scenario_from_dict(scenario_to_dict(s)) == s``.
    """
    return scenario.model_dump(mode="json", exclude_none=True)


def dump_scenario_yaml(scenario: Scenario) -> str:
    """Return the resolved scenario as YAML text (Chinese kept readable, keys in schema order)."""
    return yaml.safe_dump(
        scenario_to_dict(scenario),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=100,
    )
