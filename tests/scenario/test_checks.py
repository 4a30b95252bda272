"""Checks between sections (sim.scenario._checks): soft problems (warnings) and the staff and
aircraft rules (errors with their key paths)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import yaml

from sim import geo
from sim.errors import ScenarioError
from sim.scenario import expected_incidents, scenario_from_dict
from tests.helpers import SCENARIO_DATA
from tests.helpers import minimal as _minimal

CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"


def test_required_unit_type_without_units_warns() -> None:
    """An incident type needing a unit type that no facility holds is a warning, not an error."""
    data = _minimal()
    data["facilities"][0]["units"]["rescue_vehicle"]["count"] = 0
    with pytest.warns(
        UserWarning, match=r"incidents\.landslide\.units\.rescue_vehicle: no facility"
    ):
        scenario_from_dict(data)


def test_unknown_river_warns() -> None:
    """River names are checked against rivers.geojson, with a warning (the file still evolves)."""
    data = _minimal()
    data["incidents"]["building_fire"]["where"] = {"model": "river", "rivers": ["北江", "珠江"]}
    with pytest.warns(UserWarning, match=r"unknown river '珠江'|cannot check '珠江'"):
        scenario_from_dict(data)


def test_capacity_on_non_truck_warns() -> None:
    """capacity_people only means something for relief trucks."""
    data = _minimal()
    data["facilities"][0]["units"]["engine"]["capacity_people"] = 10
    with pytest.warns(UserWarning, match=r"units\.engine\.capacity_people: only relief trucks"):
        scenario_from_dict(data)


# ----------------------------------------------------------------------------- whole-scenario


def test_expected_incidents_by_hand() -> None:
    """Rates over the horizon's months, seasonality normalised over a year, plus surges.

    minimal.yaml: 100 + 5 incidents a year, 30 days from 2025-01-01 (all in January). With
    January twice as busy: the year's mean weight is (2 × 31 + 334.25) / 365.25, so January's
    weight is 2 / that; the landslides keep a flat profile; a surge adds 7.
    """
    data = _minimal()
    flat = expected_incidents(scenario_from_dict(data))
    assert flat == pytest.approx(105 * 30 / 365.25, rel=1e-12)
    data["incidents"]["building_fire"]["seasonality"] = [2] + [1] * 11
    data["surge"] = [{"day": 3, "incidents": {"landslide": 7}}]
    january = 2 / ((2 * 31 + 334.25) / 365.25)
    want = 100 * 30 / 365.25 * january + 5 * 30 / 365.25 + 7
    assert expected_incidents(scenario_from_dict(data)) == pytest.approx(want, rel=1e-12)


def test_farthest_from_seats_is_an_upper_bound_and_close() -> None:
    """No sampled point of 新丰县 lies farther from a seat than the bound; the bound is tight.

    20,000 uniform points (fixed seed); the bound exceeds their maximum by at most 2 km (half
    a grid cell diagonal, 0.79 km, plus what 20,000 points miss).
    """
    county = "新丰县"
    poly = geo.county_polygons()[county]
    w, s, e, n = poly.bounds
    rng = np.random.default_rng(12)
    lon, lat = rng.uniform(w, e, 20_000), rng.uniform(s, n, 20_000)
    inside = shapely.contains_xy(poly, lon, lat)
    sampled = geo.seat_distance_m(lon[inside], lat[inside]).max()
    bound = geo.farthest_from_seats_m((county,))
    assert sampled <= bound
    assert bound - sampled < 2_000


def test_unreachable_forest_distance_via_a_surge_is_named() -> None:
    """A surge that sends forest fires to counties where no point is far enough is an error."""
    data = _minimal()
    data["incidents"]["building_fire"]["where"] = {
        "model": "forest",
        "min_distance_from_town_m": 17000,
    }
    data["surge"] = [{"day": 1, "counties": ["浈江"], "incidents": {"building_fire": 2}}]
    with pytest.raises(
        ScenarioError, match=r"surge\[0\]\.counties: no point of 浈江区 lies 17,000 m"
    ):
        scenario_from_dict(data)
    data["surge"] = [{"day": 1, "counties": ["新丰"], "incidents": {"building_fire": 2}}]
    scenario_from_dict(data)  # 新丰县 has such points


# --------------------------------------------------------------------------- staff and aircraft
def _centre() -> dict:
    return yaml.safe_load(CENTRE.read_text(encoding="utf-8"))


def _problems(data: dict) -> str:
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data, source="centre.yaml")
    return str(e.value)


def test_staff_refer_to_declared_roles_and_rosters() -> None:
    """A misspelt role or roster names the key path and suggests the declared one."""
    data = _centre()
    data["facilities"][0]["staff"] = {"firefigter": {"roster": "watch_24_4", "per_shift": 8}}
    msg = _problems(data)
    assert "facilities[fs_maba].staff.firefigter: unknown role 'firefigter'" in msg
    assert "did you mean 'firefighter'" in msg
    assert "facilities[fs_maba].staff.firefigter.roster: unknown roster 'watch_24_4'" in msg


def test_staffed_units_need_their_crew_roles_among_the_staff() -> None:
    """A unit whose crew role is not on the facility's staff could never leave: an error."""
    data = _centre()
    data["facilities"][0]["staff"] = {"pilot": {"roster": "air_day", "per_shift": 2}}
    msg = _problems(data)
    assert "facilities[fs_maba].units.engine.crew_roles.firefighter: role 'firefighter'" in msg
    assert "could never leave" in msg


def test_staff_and_full_time_staff_together_are_an_error() -> None:
    """Either posts from staff or a separate full_time_staff count, never both (no double count)."""
    data = _centre()
    data["facilities"][0]["full_time_staff"] = 24
    assert "facilities[fs_maba].full_time_staff: give either staff or full_time_staff" in (
        _problems(data)
    )


def test_per_shift_list_has_one_number_per_shift_of_the_day() -> None:
    """A day/night list for a 24 h roster is reported with the expected length."""
    data = _centre()
    data["facilities"][0]["staff"]["firefighter"]["per_shift"] = [8, 4]
    msg = _problems(data)
    assert "staff.firefighter.per_shift: expected one number per shift of the day (1" in msg


def test_roster_patterns_are_checked() -> None:
    """Shifts divide the day and each watch keeps to one shift of the day."""
    data = _centre()
    data["staffing"]["rosters"]["bad"] = {"shift_h": 10, "watches": 3}
    data["staffing"]["rosters"]["odd"] = {"shift_h": 12, "watches": 3}
    msg = _problems(data)
    assert "staffing.rosters.bad: shift_h must divide 24 h or be a multiple of it, got 10" in msg
    assert "staffing.rosters.odd: watches (3) must be a multiple of the 2 shifts" in msg


def test_missions_and_external_demand_need_aircraft() -> None:
    """Missions name aircraft; incidents outside the city may only ask for aircraft."""
    data = _centre()
    data["incidents"]["flood"]["air_mission"]["unit_type"] = "engine"
    data["incidents"]["qingyuan_air"]["units"] = {"engine": 1}
    msg = _problems(data)
    assert "incidents.flood.air_mission.unit_type: expected an aircraft unit type" in msg
    assert "incidents.qingyuan_air.units.engine: incidents outside the city are reached by air" in (
        msg
    )


def test_medevac_needs_a_hospital_and_external_points_lie_in_south_china() -> None:
    """Medevac without any hospital point, and a demand centre in Beijing, are both errors."""
    data = _centre()
    data["aviation"]["points"] = []
    data["incidents"]["qingyuan_air"]["where"]["lat"] = 39.9
    msg = _problems(data)
    assert "incidents.road_traffic.air_mission.kind: medevac needs at least one aviation point" in (
        msg
    )
    assert "incidents.qingyuan_air.where: expected a point in south China" in msg


def test_staff_without_a_staffing_section() -> None:
    """Facility staff or crew roles need the top-level staffing section."""
    data = _centre()
    del data["staffing"]
    msg = _problems(data)
    assert "facilities[fs_maba].staff: staff need a top-level `staffing` section" in msg
    assert "unit_types.engine.crew_roles.firefighter: crew roles need a top-level" in msg


def test_duplicate_target_ids_are_refused() -> None:
    """Two targets with one id would overwrite each other in metrics.json: an error naming the
    second and where the first is."""
    data = _minimal()
    data["targets"].append(dict(data["targets"][0]))
    msg = r"targets\[3\]\.id: duplicate target id 'fire_arrival' \(also targets\[0\]\)"
    with pytest.raises(ScenarioError, match=msg):
        scenario_from_dict(data, source="dup.yaml")


# ----------------------------------------------------------------------------- dispatch rules


def _minimal_problems(data: dict) -> str:
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data, source="m.yaml")
    return str(e.value)


def test_levels_are_checked_with_their_key_paths() -> None:
    """Level probabilities add up to 1; the most severe level cannot escalate; unit types of
    attendance plans are declared; forest fires have no levels."""
    data = _minimal()
    fire = data["incidents"]["building_fire"]
    fire["levels"] = {"general": {"probability": 0.9}, "large": {"probability": 0.2}}
    msg = _minimal_problems(data)
    assert "incidents.building_fire.levels: expected level probabilities that add up to 1" in msg
    assert "got 1.1 (general 0.9, large 0.2)" in msg
    grow = {"probability": 0.1, "after_min": 5}
    fire["levels"] = {
        "large": {"probability": 0.2, "units": {"engin": 3}, "escalation": grow},
        "general": {"probability": 0.8},
    }
    msg = _minimal_problems(data)
    assert "level 'large' is the type's most severe level" in msg
    assert "incidents.building_fire.levels.large.units.engin: unknown unit type 'engin'" in msg
    assert "did you mean 'engine'" in msg


def test_dispatch_rules_name_declared_types_and_stations() -> None:
    """Cover moves need coverage of the same road unit type and known stations holding it."""
    data = _minimal()
    data["dispatch"] = {
        "cover": {"unit_type": "engine", "stations": ["fs_lecheng", "depot_maba", "fs_x"]}
    }
    msg = _minimal_problems(data)
    assert "dispatch.cover: cover moves need dispatch.coverage" in msg
    assert "dispatch.cover.stations[1]: facility 'depot_maba' has no unit of type 'engine'" in msg
    assert "dispatch.cover.stations[2]: unknown facility 'fs_x'" in msg
    data["dispatch"] = {
        "cover": {"unit_type": "engine"},
        "coverage": {"unit_type": "rescue_vehicle", "threshold_h": 0.5},
    }
    msg = _minimal_problems(data)
    assert "dispatch.cover.unit_type: expected the unit type of dispatch.coverage" in msg
    data["dispatch"] = {"coverage": {"unit_type": "engien", "threshold_h": 0.5}}
    assert "dispatch.coverage.unit_type: unknown unit type 'engien'" in _minimal_problems(data)
    data["dispatch"] = {"reassignment": {"max_priority": 0}}
    assert "dispatch.reassignment.max_priority" in _minimal_problems(data)
    data["dispatch"] = {"reassignment": {}, "coverage": {"unit_type": "engine", "threshold_h": 0.5}}
    assert scenario_from_dict(data).dispatch.reassignment is not None
