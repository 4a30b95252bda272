"""Soft problems of a valid scenario (sim.scenario._checks): warnings, not errors."""

from __future__ import annotations

import pytest

from sim.scenario import scenario_from_dict
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
