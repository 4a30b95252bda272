"""Mutations of valid scenarios for the fuzz test (tests/scenarios/test_fuzz.py).

A mutation picks a place in a valid scenario's raw mapping and changes it the way a careless
or hurried user would: a value of the wrong type, a magnitude far off, an id renamed, made
numeric or duplicated, a key dropped or invented, a section restructured, or the change
written as a variant that ``extends:`` the original. Every mutated file goes through
`sim.scenario.load_scenario`; those that validate are run briefly (a few days, one
replication). Anything but the project's own errors (`sim.errors.SimError`) is a crash.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from sim.errors import SimError
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import simulate
from tests.helpers import FOREST, MINIMAL, SCENARIO_DATA, SMALL

#: The scenarios mutated: small ones, so that a validated mutation runs in well under a second.
BASES = (MINIMAL, FOREST, SMALL, SCENARIO_DATA / "valid" / "all_features.yaml")
#: Horizon (days) and replications of the short run of a mutation that validates.
RUN_DAYS = 3.0

#: Values of another type, or at the edges of every range.
ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2**63,
    10**30,
    -(10**30),
    0.5,
    -0.0,
    1e-300,
    1e308,
    -1e308,
    math.inf,
    math.nan,
    "",
    " ",
    "text",
    "1e3",
    "1.0e3",
    "30",
    "\0",
    "a/b",
    "..",
    "x" * 300,
    "乐城街道",
    "大桥镇",
    "shaoguan",
    "nowhere.graphml",
    dt.date(9999, 12, 31),
    dt.date(1, 1, 1),
    [],
    {},
    [1, 2],
    ["a", "b"],
    {"a": 1},
    [[[[1]]]],
    {"id": "x"},
)
#: Multipliers of a number (magnitudes far off, in both directions).
SCALES = (0.0, -1.0, 1e-12, 1e-3, 10.0, 1e3, 1e6, 1e9, 1e12, 1e30, 1e300)
MUTATIONS = (
    "replace",
    "scale",
    "drop_key",
    "add_key",
    "rename_key",
    "duplicate_item",
    "wrap_in_list",
    "unwrap",
    "empty",
    "variant",
    "bad_extends",
    "text",
)
#: Characters a slip of the keyboard puts into YAML text.
TYPOS = (
    ":",
    "[",
    "]",
    "{",
    "}",
    "&",
    "*",
    "!",
    '"',
    "'",
    "\t",
    "%",
    "@",
    "`",
    "|",
    ">",
    "-",
    "#",
    "0",
    " ",
    "\n",
    "\\",
)


@dataclass
class Tally:
    """What the fuzz saw (inputs tried, how they ended, crashes with their tracebacks)."""

    tried: int = 0
    rejected: int = 0
    validated: int = 0
    ran: int = 0
    rejected_at_run: int = 0
    crashes: list[str] = field(default_factory=list)
    run_errors: list[str] = field(default_factory=list)
    mutations: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line of figures, for the closing note of the test."""
        return (
            f"inputs tried {self.tried}, rejected by the validator {self.rejected}, validated "
            f"{self.validated}, ran {self.ran}, stopped with a project error while running "
            f"{self.rejected_at_run}, crashes {len(self.crashes)}"
        )


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a raw scenario mapping (mappings by key, lists by index)."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        node = node[k]
    return node


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


@st.composite
def mutated_scenario(draw: st.DrawFn, tmp: Path) -> tuple[str, Path]:
    """Draw a base scenario and one mutation; write it under `tmp`; return (kind, file)."""
    base_path = draw(st.sampled_from(BASES))
    data = yaml.safe_load(base_path.read_text(encoding="utf-8"))
    paths = _paths(data)
    path = draw(st.sampled_from(paths[1:]))
    kind = draw(st.sampled_from(MUTATIONS))
    parent = _get(data, path[:-1])
    value = _get(data, path)
    extends: str | None = None
    if kind == "replace":
        _set(data, path, copy.deepcopy(draw(st.sampled_from(ODD_VALUES))))
    elif kind == "scale":
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else 1
        factor = draw(st.sampled_from(SCALES))
        scaled = number * factor
        if isinstance(number, int) and math.isfinite(scaled) and abs(scaled) < 1e30:
            scaled = round(scaled)
        _set(data, path, scaled)
    elif kind == "drop_key":
        del parent[path[-1]]
    elif kind == "add_key" and isinstance(value, dict):
        value[draw(st.sampled_from(("extra", "horizon_dayz", "id", "count", 5)))] = draw(
            st.sampled_from(ODD_VALUES)
        )
    elif kind == "rename_key" and isinstance(parent, dict):
        new = draw(st.sampled_from((5, True, "", "x y", "engine", "building_fire", "a" * 80)))
        if new not in parent:
            parent[new] = parent.pop(path[-1])
    elif kind == "duplicate_item" and isinstance(parent, list):
        parent.append(copy.deepcopy(value))
    elif kind == "wrap_in_list":
        _set(data, path, [value])
    elif kind == "unwrap" and isinstance(value, dict | list) and value:
        inner = list(value.values()) if isinstance(value, dict) else value
        _set(data, path, inner[0])
    elif kind == "empty" and isinstance(value, dict | list):
        _set(data, path, type(value)())
    elif kind == "variant":
        # Only the changed top-level section goes into a variant that extends the base.
        _set(data, path, copy.deepcopy(draw(st.sampled_from(ODD_VALUES))))
        data = {path[0]: data[path[0]]} if path[0] in data else {}
        extends = str(base_path)
    elif kind == "bad_extends":
        extends_value = draw(
            st.sampled_from(("nowhere.yaml", "", "\0", ".", 3, ["a.yaml"], "variant.yaml"))
        )
        data = {"extends": extends_value}
    out = tmp / "variant.yaml"
    body = {"extends": extends, **data} if extends is not None else data
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
    if kind == "text":  # the file as written (comments, anchors), with a slip of the keyboard
        text = base_path.read_text(encoding="utf-8")
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(("insert", "delete", "duplicate_line")))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(TYPOS)) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            lines = text.splitlines(keepends=True)
            k = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: k + 1] + lines[k:])
    out.write_text(text, encoding="utf-8")
    if kind == "bad_extends":
        (tmp / "empty.yaml").write_text("", encoding="utf-8")
    return kind, out


def exercise(path: Path, kind: str, tally: Tally) -> None:
    """Load a mutated file and, if it validates, run it briefly; record what happened."""
    tally.tried += 1
    tally.mutations[kind] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scenario = load_scenario(path)
        except SimError:
            tally.rejected += 1
            return
        except Exception:
            tally.crashes.append(f"load ({kind}):\n{path.read_text()}\n{traceback.format_exc()}")
            return
        tally.validated += 1
        try:
            days = min(float(scenario.horizon_days), RUN_DAYS)
            raw = scenario_to_dict(scenario)
            raw["surge"] = [ev for ev in raw.get("surge", []) if ev["day"] < days]
            short = scenario_from_dict(
                {**raw, "horizon_days": days, "replications": 1}, source=str(path)
            )
            simulate(short, workers=1)
            tally.ran += 1
        except SimError as e:
            tally.rejected_at_run += 1
            tally.run_errors.append(f"{kind}: {e}")
        except Exception:
            tally.crashes.append(f"run ({kind}):\n{path.read_text()}\n{traceback.format_exc()}")
