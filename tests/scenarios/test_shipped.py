"""The shipped scenario files in scenarios/: headers, the small test, the baseline's totals."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sim.model.staffing import firefighter_posts, posts_by_role
from tests.helpers import BASELINE, ROOT, SHIPPED
from tests.helpers import load_quietly as _load_quietly


def test_shipped_scenarios_have_the_header() -> None:
    """Each file in scenarios/ starts with # Covers: and has a # Scenario: line."""
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# Covers:"), path.name
        assert "\n# Scenario:" in text, path.name


def test_small_test_scenario_shape() -> None:
    """small_test is small: 3-4 facilities, 3 incident types incl. relief, 30 days x 3 reps."""
    s = _load_quietly(ROOT / "scenarios" / "small_test.yaml")
    assert 3 <= len(s.facilities) <= 4
    assert len(s.incidents) == 3
    assert any(inc.affected_people is not None for inc in s.incidents.values())
    assert (s.horizon_days, s.replications, s.network) == (30.0, 3, "shaoguan")


def test_baseline_totals() -> None:
    """The baseline's totals match its header comment (units, staff ratio, incidents per year)."""
    s = _load_quietly(BASELINE)
    assert (s.horizon_days, s.replications) == (365.0, 30)
    assert len(s.facilities) == 91
    kinds = Counter(f.kind for f in s.facilities)
    assert kinds == {
        "fire_station": 13, "township_team": 41, "water_rescue_base": 6, "rescue_base": 11,
        "regional_centre": 1, "depot": 11, "village_store": 5, "mutual_aid": 3,
    }  # fmt: skip
    units: Counter[str] = Counter()
    for f in s.facilities:
        for k, spec in f.units.items():
            units[k] += spec.count
    assert units == {
        "engine": 68, "tanker": 12, "rescue_vehicle": 24, "water_rescue_team": 22,
        "forest_team": 20, "relief_truck": 26, "helicopter": 4, "comms_vehicle": 8,
        "hazmat_team": 2, "mine_rescue_team": 3,
    }  # fmt: skip
    assert sum(f.full_time_staff for f in s.facilities) == 0  # staff come from the rosters
    staff = firefighter_posts(s)
    assert staff == 917
    assert staff / s.population_total * 1000 == pytest.approx(0.3212, abs=1e-4)
    centre = next(f for f in s.facilities if f.kind == "regional_centre")
    posts = posts_by_role(s.model_copy(update={"facilities": (centre,)}))
    assert sum(posts.values()) == 100  # [PLAN]: 100 resident staff
    assert centre.units["helicopter"].count == 4
    per_year = {
        name: inc.rate.per_year
        if inc.rate.per_year is not None
        else inc.rate.per_100k_per_year * s.population_total / 100_000
        for name, inc in s.incidents.items()
    }
    assert per_year == pytest.approx(
        {"building_fire": 571.03, "small_fire": 733.77, "road_traffic": 225,
         "other_accident": 34.7, "chemical_plant": 4.3, "dg_transport": 2, "mine_tailings": 4.3,
         "general_rescue": 710.93, "social_assistance": 1553.19,
         "water_rescue": 60, "flood": 12, "landslide": 10, "forest_fire": 30,
         "qingyuan_air": 12, "heyuan_air": 8, "meizhou_air": 6},
        abs=0.01,
    )  # fmt: skip
    # the 119 workload of DATA.md "119 workload": about 4,540 calls a year, of which standby
    # duty and false alarms (12.8 %) are not modelled -> about 3,950 incidents in the city,
    # plus 26 helicopter calls from the neighbouring prefectures
    assert sum(per_year.values()) == pytest.approx(3951 + 26, abs=2)
    centre = next(f for f in s.facilities if f.kind == "regional_centre")
    assert centre.location.town == "大塘镇"
    ids = {t.id for t in s.targets}
    assert {"inland_water_arrival", "initial_relief", "firefighter_ratio"} <= ids


COMMAND_CENTRE = ROOT / "scenarios" / "shaoguan_command_centre.yaml"


@pytest.mark.parametrize("path", [BASELINE, COMMAND_CENTRE], ids=lambda p: p.stem)
def test_baseline_numbers_are_commented(path) -> None:
    """Every line of the baseline (and of its command-centre variant) that sets a number
    carries a comment or sits under one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = re.compile(r":\s*-?\d")
    uncommented = []
    for i, line in enumerate(lines):
        code = line.split("#", 1)[0]
        if not number.search(code) or "#" in line:
            continue
        # A comment on one of the three lines above (or the block's section comment) covers it.
        context = lines[max(0, i - 3) : i]
        if not any(c.strip().startswith("#") or "#" in c for c in context):
            uncommented.append(f"{i + 1}: {line.strip()}")
    assert not uncommented, "\n".join(uncommented)


def test_command_centre_is_the_baseline_with_the_rules_on() -> None:
    """The command-centre variant keeps the baseline's calls (common random numbers: levels
    are drawn on their own streams) and resources, and switches levels, reassignment and cover
    moves on; the baseline has them off."""
    from sim.analysis.compare import same_incidents

    base, cc = _load_quietly(BASELINE), _load_quietly(COMMAND_CENTRE)
    assert same_incidents(base, cc)
    assert base.facilities == cc.facilities
    assert base.dispatch.reassignment is None
    assert base.dispatch.cover is None
    assert not any(inc.levels for inc in base.incidents.values())
    assert cc.dispatch.reassignment is not None
    assert cc.dispatch.cover is not None
    assert cc.dispatch.cover.scope == "county"
    levels = {n for n, inc in cc.incidents.items() if inc.levels}
    assert levels == {
        "building_fire",
        "road_traffic",
        "chemical_plant",
        "dg_transport",
        "mine_tailings",
    }
