"""Scenario variants: `extends` merges a file onto its base (ids merge list items)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario import load_scenario, merge_scenario_data

ROOT = Path(__file__).resolve().parents[1]


def test_merge_rules():
    """Mappings merge, id-lists merge by id (new ids appended, `remove` drops), scalars replace."""
    base = {
        "a": 1,
        "d": {"x": 1, "y": 2},
        "items": [{"id": "p", "v": 1}, {"id": "q", "v": 2}],
        "l": [1, 2],
    }
    change = {
        "a": 5,
        "d": {"y": 3},
        "items": [{"id": "q", "v": 9}, {"id": "r", "v": 0}, {"id": "p", "remove": True}],
        "l": [7],
    }
    out = merge_scenario_data(base, change)
    assert out == {
        "a": 5,
        "d": {"x": 1, "y": 3},
        "items": [{"id": "q", "v": 9}, {"id": "r", "v": 0}],
        "l": [7],
    }
    assert base["items"][0] == {"id": "p", "v": 1}  # inputs are not mutated


def test_typhoon_variant_extends_the_baseline():
    """The shipped typhoon variant is the baseline plus a surge day, with its own name."""
    base = load_scenario(ROOT / "scenarios" / "shaoguan_baseline.yaml")
    ty = load_scenario(ROOT / "scenarios" / "typhoon_surge.yaml")
    assert ty.name == "typhoon_surge"
    assert ty.facilities == base.facilities
    assert ty.incidents == base.incidents
    assert len(ty.surge) == 1
    assert ty.surge[0].incidents["flood"] == 20


def test_variant_changes_one_facility_by_id(tmp_path):
    """A variant that names a facility id changes only that facility."""
    (tmp_path / "v.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'small_test.yaml'}\n"
        "facilities:\n  - id: fs_maba\n    units: {engine: {count: 3}}\n",
        encoding="utf-8",
    )
    v = load_scenario(tmp_path / "v.yaml")
    base = load_scenario(ROOT / "scenarios" / "small_test.yaml")
    assert v.name == "v"
    changed = {f.id: f for f in v.facilities}["fs_maba"]
    assert changed.units["engine"].count == 3
    assert "rescue_vehicle" in changed.units  # other unit types of that facility stay
    assert [f.id for f in v.facilities] == [f.id for f in base.facilities]


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("extends: nowhere.yaml\n", "not found"),
        ("extends: 3\n", "expected a path"),
        ("extends: self.yaml\n", "cycle"),
    ],
)
def test_bad_extends_is_a_clear_error(tmp_path, text, expect):
    """A missing base, a non-path or a cycle names the file and the key."""
    f = tmp_path / "self.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=expect) as e:
        load_scenario(f)
    assert "extends" in str(e.value)
    assert "self.yaml" in str(e.value)
