"""Soft problems of a valid scenario (sim.scenario._checks): warnings, not errors."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sim import geo
from sim.errors import ScenarioError
from sim.scenario import expected_incidents, scenario_from_dict
from tests.helpers import minimal as _minimal


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
