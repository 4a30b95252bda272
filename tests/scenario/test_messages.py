"""Scenario problem messages (sim.scenario._messages): all at once, in file order, with hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario import load_scenario, scenario_from_dict
from tests.helpers import MINIMAL
from tests.helpers import minimal as _minimal


def test_every_problem_is_reported_at_once() -> None:
    """Per-field, per-model and cross-field problems come together in one error, in file order."""
    data = _minimal()
    data["horizon_dayz"] = 30
    data["replications"] = 0
    data["facilities"][0]["units"]["engin"] = {"count": 1}
    data["facilities"][1]["location"] = {"town": "大桥镇"}
    data["incidents"]["building_fire"]["rate"] = {}
    data["incidents"]["landslide"]["on_scene"] = {"dist": "weibull"}
    data["targets"][0]["incident_types"] = ["building_fir"]
    data["targets"][2].pop("required_per_mille")
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="scenarios/foo.yaml")
    lines = str(info.value).splitlines()
    assert lines[0] == "scenarios/foo.yaml: 8 problems"
    expected = [
        "  - replications: expected an integer >= 1, got 0",
        "  - facilities[fs_lecheng].units.engin: unknown unit type 'engin' "
        "(did you mean 'engine'?; defined: engine, rescue_vehicle, relief_truck)",
        "  - facilities[depot_maba].location: place '大桥镇' is ambiguous",
        "  - incidents.building_fire.rate: expected exactly one of per_year, "
        "per_100k_per_year, got neither",
        "  - incidents.landslide.on_scene.dist: unknown distribution 'weibull'",
        "  - targets[fire_arrival].incident_types[0]: unknown incident type 'building_fir' "
        "(did you mean 'building_fire'?",
        "  - targets[ratio].required_per_mille: required key is missing",
        "  - horizon_dayz: unknown key (did you mean 'horizon_days'?; allowed: name, title,",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in lines), want
    # Grouped in the order of the sections in the file: replications before facilities, ...
    order = [next(i for i, line in enumerate(lines) if line.startswith(w)) for w in expected]
    assert order == sorted(order)


def test_problem_paths_use_ids_or_indexes() -> None:
    """List items are named by a unique id; duplicated or missing ids fall back to the index."""
    data = _minimal()
    data["facilities"][1]["id"] = "fs_lecheng"
    data["facilities"][1]["units"]["relief_truck"]["count"] = -2
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    msg = str(info.value)
    assert "  - facilities[1].units.relief_truck.count: expected an integer >= 0, got -2" in msg
    assert "  - facilities[1].id: duplicate facility id 'fs_lecheng' (also facilities[0])" in msg


def test_comma_in_flow_mapping_gets_a_hint(tmp_path: Path) -> None:
    """`{en: Mining, industry}` is two keys in YAML; the message says to quote the text."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "en: Building fire}", "en: Building fire, industrial}"
    )
    path = tmp_path / "comma.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"label\.industrial: unknown key .*quote the text"):
        load_scenario(path)


def test_wrong_section_type_is_explained() -> None:
    """A scalar where a mapping belongs lists the keys that were expected."""
    data = _minimal()
    data["access"] = 5
    data["incidents"]["building_fire"]["where"] = {"counties": ["乐昌"]}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    msg = str(info.value)
    assert (
        "  - access: expected a mapping with keys speed_kph, circuity, max_distance_m, got 5" in msg
    )
    assert (
        "  - incidents.building_fire.where.model: required key is missing (the spatial model:"
        in msg
    )
