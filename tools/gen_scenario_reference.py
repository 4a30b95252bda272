#!/usr/bin/env python3
"""Regenerate the key tables of docs/scenario-reference.md from the scenario models.

Each table sits between ``<!-- BEGIN GENERATED: Model -->`` and ``<!-- END GENERATED: Model -->``
markers; the prose around them is written by hand. Run after changing ``sim/scenario.py``::

    python tools/gen_scenario_reference.py          # rewrite the file
    python tools/gen_scenario_reference.py --check  # exit 1 if the file is out of date

``tests/scenario/test_schema.py`` runs the check.
"""

from __future__ import annotations

import argparse
import re
import sys
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any, Literal, Union

import annotated_types as at
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim import scenario as sc
from sim.scenario import schema

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenario-reference.md"

#: Union aliases shown by their contract name.
UNION_NAMES = {
    frozenset(typing.get_args(typing.get_args(sc.Where)[0])): "Where",
    frozenset(typing.get_args(typing.get_args(sc.Duration)[0])): "Duration",
    frozenset(typing.get_args(typing.get_args(sc.Amount)[0])): "Amount",
}
#: Defaults that are computed by the loader rather than stored in the model.
DEFAULT_TEXT = {
    ("Scenario", "name"): "file name without extension",
    ("Facility", "name"): "the `id`",
    ("IncidentType", "units"): "required",
    ("Scenario", "access"): "see [Access](#access)",
    ("Scenario", "relief"): "see [Relief](#relief)",
}
#: Types worded by hand where the annotation alone says too little.
_PROFILE = f"numbers ≥ 0, ≤ {schema.MAX_INTENSITY:,}, not all 0"
TYPE_TEXT = {
    ("StaffSpec", "per_shift"): "integer ≥ 0, or a list of integers ≥ 0 (one per shift of the day)",
    ("Roster", "on_hours"): "list of 2 numbers `[from, to]`",
    ("Aviation", "no_fly_share"): "list of 12 numbers ≥ 0, ≤ 1",
    ("IncidentType", "seasonality"): f"list of 12 {_PROFILE}",
    ("IncidentType", "diurnal"): f"list of 24 {_PROFILE}",
}
#: What the keys of a mapping are.
KEY_NAMES = {
    ("Scenario", "unit_types"): "unit type id",
    ("Scenario", "incidents"): "incident type id",
    ("Facility", "units"): "unit type id",
    ("Facility", "stock"): "item",
    ("IncidentType", "units"): "unit type id",
    ("Relief", "per_person"): "item",
    ("Facility", "staff"): "role id",
    ("UnitType", "crew_roles"): "role id",
    ("UnitSpec", "crew_roles"): "role id",
    ("Staffing", "roles"): "role id",
    ("Staffing", "rosters"): "roster id",
    ("IncidentType", "levels"): "level id",
    ("SeverityLevel", "units"): "unit type id",
}
_MARK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)", re.S)


def _num(value: Any) -> str:
    """A bound as a reader writes it: ``1,000,000``, ``0.5``, ``2199-12-31``."""
    if isinstance(value, date):
        return value.isoformat()
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def _constraints(meta: list[Any]) -> list[str]:
    out = []
    for m in meta:
        if isinstance(m, FieldInfo):
            out += _constraints(list(m.metadata))
        elif isinstance(m, at.Ge):
            out.append(f"≥ {_num(m.ge)}")
        elif isinstance(m, at.Gt):
            out.append(f"> {_num(m.gt)}")
        elif isinstance(m, at.Le):
            out.append(f"≤ {_num(m.le)}")
        elif isinstance(m, at.Lt):
            out.append(f"< {_num(m.lt)}")
        elif isinstance(m, at.MinLen) and m.min_length > 0:
            out.append(f"at least {m.min_length} item{'s' if m.min_length != 1 else ''}")
        elif isinstance(m, at.MaxLen):
            out.append(f"at most {m.max_length:,} characters")
        elif getattr(m, "pattern", None):
            out.append("letters, digits, `_`, `-`")
    return out


def _type_text(tp: Any, meta: list[Any] | None = None, key_name: str = "name") -> str:
    """Describe an annotation in plain words (with its constraints)."""
    meta = list(meta or [])
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        args = typing.get_args(tp)
        return _type_text(args[0], meta + list(args[1:]), key_name)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _type_text(args[0], meta, key_name)
        models = frozenset(sc._unwrap(a) for a in args)
        if models in UNION_NAMES:
            name = UNION_NAMES[models]
            return f"[{name}](#{name.lower()})"
        return " or ".join(_type_text(a) for a in args)
    cons = _constraints(meta)
    if origin is Literal:
        options = [f"`{a}`" for a in typing.get_args(tp)]
        return options[0] if len(options) == 1 else "one of " + ", ".join(options)
    if origin is tuple:
        item = _type_text(typing.get_args(tp)[0])
        return f"list of {item}" + (f" ({', '.join(cons)})" if cons else "")
    if origin is dict:
        value = _type_text(typing.get_args(tp)[1])
        return f"mapping: {key_name} → {value}" + (f" ({', '.join(cons)})" if cons else "")
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    if tp is sc.Where or tp is sc.Duration or tp is sc.Amount:  # pragma: no cover - unwrapped above
        return str(tp)
    base = {int: "integer", float: "number", str: "text", bool: "true/false"}.get(tp)
    if base is None and getattr(tp, "__name__", "") == "date":
        base = "date `YYYY-MM-DD`"
    base = base or getattr(tp, "__name__", str(tp))
    if tp is str:
        cons = ["non-empty" if c == "at least 1 item" else c for c in cons]
        return base + (f" ({', '.join(cons)})" if cons else "")
    return base + (" " + ", ".join(cons) if cons else "")


def _yaml_flow(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, tuple | list) and value and len(set(value)) == 1:
        return f"{len(value)} × {value[0]:g}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value == "":
        return '""'
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000
    ).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _default_text(model: type[BaseModel], key: str, f: FieldInfo) -> str:
    if (model.__name__, key) in DEFAULT_TEXT:
        return DEFAULT_TEXT[(model.__name__, key)]
    if f.default_factory is not None:
        return f"`{_yaml_flow(f.default_factory())}`"  # type: ignore[call-arg]
    if f.default is PydanticUndefined:
        return "required"
    if f.default is None:
        return "not set"
    return f"`{_yaml_flow(f.default)}`"


def table(model: type[BaseModel]) -> str:
    """Return the markdown key table of one model."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for key, f in model.model_fields.items():
        meaning = (f.description or "").replace("|", "\\|")
        kind = TYPE_TEXT.get((model.__name__, key)) or _type_text(
            f.annotation, list(f.metadata), KEY_NAMES.get((model.__name__, key), "name")
        )
        kind = kind.replace("|", "\\|")
        rows.append(f"| `{key}` | {kind} | {_default_text(model, key, f)} | {meaning} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    """Return the document with every generated block refreshed."""

    def repl(m: re.Match[str]) -> str:
        model = getattr(sc, m.group(2))
        return m.group(1) + table(model) + m.group(4)

    return _MARK.sub(repl, text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` verify) the generated tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the document is out of date"
    )
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(
                f"{DOC} is out of date: run python tools/gen_scenario_reference.py", file=sys.stderr
            )
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
