"""Tests of sim.scenario.overrides: KEY=VALUE changes by dotted path, checked together."""

from __future__ import annotations

import copy

import pytest

from sim.errors import ScenarioError
from sim.scenario import apply_overrides, scenario_from_dict
from tests.helpers import minimal as _minimal


def test_override_sets_a_typed_value_without_mutating() -> None:
    """Dotted paths address list items by id; values are parsed as YAML."""
    data = _minimal()
    before = copy.deepcopy(data)
    out = apply_overrides(
        data,
        [
            ("facilities.fs_lecheng.units.engine.count", "5"),
            ("targets.relief_8h.threshold_h", "6.5"),
            ("incidents.building_fire.rate.per_year", "80"),
            ("seed", "7"),
        ],
        source="min.yaml",
    )
    assert data == before
    assert out["facilities"][0]["units"]["engine"]["count"] == 5
    s = scenario_from_dict(out)
    assert s.facilities[0].units["engine"].count == 5
    assert s.targets[1].threshold_h == 6.5
    assert s.incidents["building_fire"].rate.per_year == 80
    assert s.seed == 7


def test_override_may_add_keys_the_schema_allows() -> None:
    """A new unit type under a facility's units, or an absent optional section, can be set."""
    out = apply_overrides(
        _minimal(),
        [
            ("facilities.fs_lecheng.units.relief_truck", "{count: 1, capacity_people: 50}"),
            ("relief.loading_h", "1"),
            ("incidents.landslide.where.counties", "[乐昌, 仁化]"),
            ("incidents.building_fire.where", "{model: river}"),
        ],
        source="min.yaml",
    )
    s = scenario_from_dict(out)
    assert s.facilities[0].units["relief_truck"].capacity_people == 50
    assert s.relief.loading_h == 1.0
    assert s.incidents["landslide"].where.counties == ("乐昌市", "仁化县")
    assert s.incidents["building_fire"].where.model == "river"
    with pytest.raises(
        ScenarioError, match=r"set the whole mapping, incidents\.building_fire\.where="
    ):
        apply_overrides(_minimal(), [("incidents.building_fire.where.model", "river")], source="m")


def test_override_unknown_id_names_path_and_suggests() -> None:
    """An unknown list id fails at that segment with close matches."""
    with pytest.raises(ScenarioError) as info:
        apply_overrides(
            _minimal(), [("facilities.fs_lechang.units.engine.count", "3")], source="m.yaml"
        )
    msg = str(info.value)
    assert msg.startswith("m.yaml: 1 problem")
    assert (
        "override facilities.fs_lechang.units.engine.count: no item with id 'fs_lechang' in "
        "facilities (did you mean 'fs_lecheng'?; ids: fs_lecheng, depot_maba)"
    ) in msg


def test_override_unknown_key_suggests_close_match() -> None:
    """A misspelt key fails at the first wrong segment with a suggestion."""
    with pytest.raises(
        ScenarioError, match=r"no key 'unit' in facilities\.fs_lecheng \(did you mean 'units'\?"
    ):
        apply_overrides(_minimal(), [("facilities.fs_lecheng.unit.engine.count", "3")], source="m")
    with pytest.raises(ScenarioError, match=r"no key 'horizon' in the top level \(did you mean"):
        apply_overrides(_minimal(), [("horizon", "3")], source="m")
    data = _minimal() | {"seed": 20250101}
    with pytest.raises(ScenarioError, match=r"seed is 20250101, not a mapping or list"):
        apply_overrides(data, [("seed.value", "3")], source="m")


def test_override_value_type_error_is_caught_by_validation() -> None:
    """The override itself accepts any YAML value; validation then reports the wrong type."""
    out = apply_overrides(
        _minimal(), [("facilities.depot_maba.units.relief_truck.count", "many")], source="m"
    )
    with pytest.raises(
        ScenarioError,
        match=r"facilities\[depot_maba\]\.units\.relief_truck\.count: "
        r"expected an integer, got 'many'",
    ):
        scenario_from_dict(out, source="m")


def test_override_all_path_problems_reported_together() -> None:
    """Several bad overrides are listed in one error; invalid YAML values are reported too."""
    with pytest.raises(ScenarioError) as info:
        apply_overrides(_minimal(), [("a.b", "1"), ("seed", "[1,"), ("", "1")], source="m")
    msg = str(info.value)
    assert msg.startswith("m: 3 problems")
    assert "is not valid YAML" in msg
    assert "expected a dotted path" in msg
