"""Reading scenarios: YAML files, the `extends:` chain, validation, and dumping them back."""

from __future__ import annotations

import re
import stat
import warnings
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim import geo
from sim.errors import ScenarioError
from sim.scenario._checks import _cross_problems, _model_problems, _soft_problems
from sim.scenario._messages import (
    Loc,
    _format,
    _in_document_order,
    _pydantic_problems,
    _short,
    _walk,
)
from sim.scenario.assumptions import assumption_problems
from sim.scenario.calls import calls_problems
from sim.scenario.network_spec import resolve_network_spec
from sim.scenario.schema import RegionSpec, Scenario

__all__ = [
    "dump_scenario_yaml",
    "load_scenario",
    "merge_scenario_data",
    "read_scenario_data",
    "scenario_from_dict",
    "scenario_to_dict",
]


_KINDS = {list: "a list", str: "a text", int: "a number", float: "a number", bool: "true/false"}


def _kind_of(data: Any) -> str:
    """What a YAML document is, in words (for one that is not a mapping)."""
    if data is None:
        return "an empty file"
    return _KINDS.get(type(data), f"a {type(data).__name__}")


def _build(data: Any, source: str) -> tuple[Scenario, list[str]]:
    if not isinstance(data, dict):
        kind = _kind_of(data)
        msg = (
            f"{source}: expected a mapping of keys (name: ..., unit_types: ...) "
            f"at the top level, got {kind}"
        )
        raise ScenarioError(msg)
    default_name = "name" not in data
    if default_name:
        stem = Path(source).stem if not source.startswith("<") else "scenario"
        data = {**data, "name": stem}
    problems: list[tuple[Loc, str, str]] = []
    region, region_problems = _region(data)
    problems += [(loc, _walk(loc, data)[0], msg) for loc, msg in region_problems]
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data, context={"region": region})
    except ValidationError as e:
        problems += _pydantic_problems(e, data)
    if default_name:  # the user wrote no name: say where the rejected one came from
        problems = [
            (loc, path, f"{msg} (the name defaults to the file name; give a `name:`)")
            if loc == ("name",)
            else (loc, path, msg)
            for loc, path, msg in problems
        ]
    problems += [(loc, _walk(loc, data)[0], msg) for loc, msg in _cross_problems(data, region)]
    if scenario is not None and scenario.calls is not None and region is not None:
        problems += [
            (("calls", "file"), _walk(("calls", "file"), data)[0], msg)
            for msg in calls_problems(scenario.calls.file, region, tuple(scenario.incidents))
        ]
    if scenario is not None and not problems:
        problems += [(loc, _walk(loc, data)[0], msg) for loc, msg in _model_problems(scenario)]
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


def _region(data: dict[str, Any]) -> tuple[geo.Region | None, list[tuple[Loc, str]]]:
    """Load the scenario's region before the rest is validated (places are checked against it).

    Returns the region (None when its own block is invalid, which the schema then reports)
    and the problems found in its files.
    """
    spec = data.get("region")
    if spec is None:
        return geo.shaoguan_region(), []
    try:
        region_spec = RegionSpec.model_validate(spec)
    except ValidationError:
        return None, []  # reported with the whole scenario
    try:
        return region_spec.load(), []
    except ScenarioError as e:
        m = re.match(r"region\.(\w+)(?: \((.*?)\))?: (.*)", str(e), re.S)
        if m is None:  # pragma: no cover - every region error names its key
            return None, [(("region",), str(e))]
        key, path, what = m.groups()
        loc: Loc = ("region", key) if key in RegionSpec.model_fields else ("region",)
        return None, [(loc, f"{what} (file {path})" if path else what)]


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


#: Deepest nesting of mappings and lists in a scenario file (the baseline needs 6 levels); deeper
#: input is refused before PyYAML's recursive composer can exhaust the Python stack.
MAX_DEPTH = 40
#: Largest scenario file read (bytes); the baseline is about 40 kB.
MAX_FILE_BYTES = 5_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys (plain PyYAML keeps the last one silently).

    It also refuses nesting deeper than `MAX_DEPTH`, impossible dates and numbers, and the
    YAML types a scenario never uses (``!!binary``, ``!!set``, ``!!omap``, ``!!pairs``), each
    as a `yaml.MarkedYAMLError` with the line and column.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                msg = f"nested deeper than {MAX_DEPTH} levels of mappings and lists"
                raise yaml.composer.ComposerError(None, None, msg, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
            msg = f"duplicate key {_short(key)} (first given at line {first.start_mark.line + 1})"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        keys[key] = key_node
    return loader.construct_mapping(node, deep=deep)


def _checked(construct: Any, what: str, hint: str = "") -> Any:
    """Wrap a scalar constructor so that an impossible value is a YAML error at its position."""

    def checked(loader: _UniqueKeyLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as e:
            reason = str(e)
            if "int_max_str_digits" in reason:  # CPython's guard against huge integers
                reason = "more than 4,300 digits"
            msg = f"invalid {what} {_short(node.value)}: {reason}{hint}"
            raise yaml.constructor.ConstructorError(None, None, msg, node.start_mark) from e

    return checked


def _unused_type(loader: _UniqueKeyLoader, node: yaml.Node) -> Any:
    msg = (
        f"the YAML type {node.tag.rsplit(':', 1)[-1]!r} is not used in scenario files; "
        "write a plain mapping, list, number or text"
    )
    raise yaml.constructor.ConstructorError(None, None, msg, node.start_mark)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _checked(
        yaml.SafeLoader.construct_yaml_timestamp, "date", " (expected a real date YYYY-MM-DD)"
    ),
)
_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:int", _checked(yaml.SafeLoader.construct_yaml_int, "integer")
)
_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:float", _checked(yaml.SafeLoader.construct_yaml_float, "number")
)
for _tag in ("binary", "set", "omap", "pairs"):
    _UniqueKeyLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _unused_type)


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
            if isinstance(e, yaml.constructor.ConstructorError | yaml.composer.ComposerError)
            else "YAML syntax error"
        )
        msg = f"{source}: {kind}{where}: {problem}"
        raise ScenarioError(msg) from e
    except yaml.YAMLError as e:
        msg = f"{source}: YAML syntax error: {e}"
        raise ScenarioError(msg) from e


def path_text_problem(text: str, what: str) -> str | None:
    """Return why no file system accepts a path as written (empty, a NUL character), or None.

    Parameters
    ----------
    text
        The path as written.
    what
        What the path names, e.g. ``"scenario file"``.

    Returns
    -------
    problem
        ``expected a path to a <what>, got ...``, or None when the text can be a path.
    """
    if not text.strip():
        return f"expected a path to a {what}, got an empty text"
    if "\0" in text:
        return f"expected a path to a {what}, got {_short(text)} (it holds a NUL character)"
    return None


def _read_file(path: str | Path) -> Any:
    source = str(path)
    problem = path_text_problem(source, "scenario file")
    if problem is not None:
        msg = f"{_short(source)}: {problem}"
        raise ScenarioError(msg)
    p = Path(path)
    try:
        info = p.stat()
    except (FileNotFoundError, NotADirectoryError):
        msg = f"{source}: scenario file not found"
        raise ScenarioError(msg) from None
    except OSError as e:  # too long a name, no permission, a loop of links
        msg = f"{source}: cannot read the file ({e.strerror or e})"
        raise ScenarioError(msg) from e
    if stat.S_ISDIR(info.st_mode):
        msg = f"{source}: is a directory, expected a scenario file"
        raise ScenarioError(msg)
    if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
        msg = f"{source}: is not a regular file, expected a scenario file"
        raise ScenarioError(msg)
    if info.st_size > MAX_FILE_BYTES:
        msg = (
            f"{source}: the file has {info.st_size:,} bytes, expected a scenario file of at most "
            f"{MAX_FILE_BYTES:,} bytes"
        )
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

    Mappings merge key by key; lists whose items all carry a text ``id`` (facilities, targets,
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
        and all(isinstance(x, dict) and isinstance(x.get("id"), str) for x in base + change)
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


#: Keys of the ``region:`` block that name files.
REGION_FILE_KEYS = ("outline", "units", "towns", "rivers", "forest")


def _from_file(value: Any, base_dir: Path) -> Any:
    """Return a relative path string as an absolute one under `base_dir`; anything else as is."""
    if not isinstance(value, str) or not value.strip():
        return value
    p = Path(value.strip()).expanduser()
    return value if p.is_absolute() else str((base_dir / p).resolve())


def resolve_file_paths(data: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """Make the file names a scenario mapping gives relative to its own file absolute.

    ``network`` (when it names a file: a path separator or a network-file ending), the files
    of ``region`` and ``calls.file`` are relative to the scenario file, like ``extends``; a
    place name (``network: Piedmont, California``) is left alone.
    """
    out = dict(data)
    if isinstance(out.get("network"), str):
        out["network"] = resolve_network_spec(out["network"], base_dir)
    region = out.get("region")
    if isinstance(region, dict):
        out["region"] = {
            k: (_from_file(v, base_dir) if k in REGION_FILE_KEYS else v) for k, v in region.items()
        }
    calls = out.get("calls")
    if isinstance(calls, dict) and "file" in calls:
        out["calls"] = {**calls, "file": _from_file(calls["file"], base_dir)}
    return out


def _extends_problem(path: str | Path, problem: str) -> ScenarioError:
    return ScenarioError(f"{path}: 1 problem\n  - extends: {problem}")


def read_scenario_data(path: str | Path, _seen: tuple[str, ...] = ()) -> Any:
    """Read a scenario file as a raw mapping, resolving ``extends:`` (a base file to vary).

    ``extends`` is a path relative to the file; the variant's keys are merged onto the base
    with `merge_scenario_data`. The variant's ``name`` does not inherit. File names inside
    (``network``, ``region``, ``calls``) are relative to the file that gives them too (see
    `resolve_file_paths`).

    Raises
    ------
    ScenarioError
        For a file that cannot be read, and for an ``extends`` that is not a path, names a
        missing file, forms a cycle, or names a base that is not a mapping of keys (empty, a
        list or a single value).
    """
    data = _read_file(path)
    if not isinstance(data, dict):
        return data  # reported by the validator with the file name
    data = resolve_file_paths(data, Path(path).resolve().parent)
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data
    if not isinstance(base_ref, str):
        raise _extends_problem(
            path, f"expected a path to the base scenario file, got {_short(base_ref)}"
        )
    problem = path_text_problem(base_ref, "base scenario file")
    if problem is not None:
        raise _extends_problem(path, problem)
    try:
        base_path = (Path(path).parent / base_ref).resolve()
        found = base_path.is_file()
    except OSError as e:  # a name too long for the file system, a loop of links
        raise _extends_problem(
            path, f"cannot read base scenario {_short(base_ref)} ({e.strerror or e})"
        ) from e
    if str(base_path) in _seen:
        raise _extends_problem(
            path, f"{_short(base_ref)} extends itself (cycle {' -> '.join(_seen)})"
        )
    if not found:
        raise _extends_problem(
            path, f"base scenario {_short(base_ref)} not found (looked at {base_path})"
        )
    base = read_scenario_data(base_path, (*_seen, str(Path(path).resolve())))
    if not isinstance(base, dict):
        kind = _kind_of(base)
        raise _extends_problem(
            path,
            f"base scenario {_short(base_ref)} must be a mapping of keys "
            f"(name: ..., unit_types: ...), got {kind}",
        )
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
