"""Tests of scenario loading, validation messages, overrides, round trips and shipped scenarios."""

from __future__ import annotations

import copy
import importlib.util
import re
import warnings
from collections import Counter
from datetime import date
from pathlib import Path

import pydantic
import pytest
import yaml

from sim.errors import ScenarioError
from sim.scenario import (
    FixedDuration,
    PopulationWhere,
    Scenario,
    apply_overrides,
    dump_scenario_yaml,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "scenarios"
VALID = sorted((DATA / "valid").glob("*.yaml"))
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "shaoguan_baseline.yaml"
MINIMAL = DATA / "valid" / "minimal.yaml"


def _load_quietly(path: Path) -> Scenario:
    """Load with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_scenario(path)


def _minimal() -> dict:
    return yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))


def _header(path: Path) -> tuple[str, str | None]:
    """Return the ``# expect:`` substring and the ``# key:`` path (None for file-level errors)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    assert lines[1].startswith("# key: "), f"{path.name}: second line must be '# key: ...'"
    key = lines[1].removeprefix("# key: ").strip()
    return lines[0].removeprefix("# expect: ").strip(), None if key.startswith("(none") else key


# ----------------------------------------------------------------------------- files on disk


@pytest.mark.parametrize("path", VALID + SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_files_load_without_warnings(path: Path) -> None:
    """Every file in tests/data/scenarios/valid and scenarios/ loads cleanly."""
    scenario = _load_quietly(path)
    assert scenario.facilities
    assert scenario.incidents


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_reports_its_one_mistake(path: Path) -> None:
    """Each invalid file fails with a message naming the file, the key and the expected text."""
    expect, key = _header(path)
    with pytest.raises(ScenarioError, match=re.escape(expect)) as info:
        load_scenario(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ")
    if key is not None:
        assert f"\n  - {key}: " in msg, msg
        assert msg.splitlines()[0] == f"{path}: 1 problem", "the file must hold exactly one mistake"


def test_invalid_files_cover_the_required_mistakes() -> None:
    """The invalid set covers the mistakes listed in the brief (and has at least 18 files)."""
    required = {
        "unknown_top_level_key", "unknown_nested_key", "yaml_syntax_error", "top_level_list",
        "missing_required_key", "string_for_int", "negative_count", "priority_out_of_range",
        "seasonality_11_values", "unknown_unit_type_in_incident", "unknown_unit_type_in_facility",
        "unknown_town", "ambiguous_town", "lonlat_outside_city", "rate_both_forms",
        "unknown_distribution", "lognormal_without_sd", "duplicate_facility_id",
        "target_unknown_incident_type", "firefighter_ratio_without_per_mille",
        "relief_stock_item_unknown",
    }  # fmt: skip
    stems = {p.stem for p in INVALID}
    assert required <= stems, sorted(required - stems)
    assert len(INVALID) >= 18


def test_invalid_files_differ_from_minimal_in_one_place() -> None:
    """Files derived from minimal.yaml change few lines (a guard against accidental extra edits)."""
    base = MINIMAL.read_text(encoding="utf-8").splitlines()
    body = [line for line in base if not line.startswith("#")]
    for path in INVALID:
        lines = path.read_text(encoding="utf-8").splitlines()[2:]
        if len(lines) < len(body) - 5:  # top_level_list, empty_file: not derived
            continue
        changed = len(set(lines) ^ set(body))
        assert changed <= 8, f"{path.name}: {changed} lines differ from minimal.yaml"


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    """A path that does not exist is a ScenarioError naming it."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError, match=re.escape(f"{path}: scenario file not found")):
        load_scenario(path)


def test_directory_is_rejected(tmp_path: Path) -> None:
    """A directory is not a scenario file."""
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def test_non_utf8_file_is_rejected(tmp_path: Path) -> None:
    """A file in another encoding (GBK) gives a readable error, not a traceback."""
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: 乐昌\n".encode("gbk"))
    with pytest.raises(ScenarioError, match=r"gbk\.yaml: cannot read the file as UTF-8"):
        load_scenario(path)


# ----------------------------------------------------------------------------- messages


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
    assert "  - access: expected a mapping with keys speed_kph, circuity, got 5" in msg
    assert (
        "  - incidents.building_fire.where.model: required key is missing (the spatial model:"
        in msg
    )


def test_top_level_not_mapping_from_dict() -> None:
    """scenario_from_dict rejects a non-mapping with the source name."""
    with pytest.raises(ScenarioError, match=r"^<dict>: expected a mapping .* got a list"):
        scenario_from_dict([1, 2])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- defaults and model


def test_defaults_follow_the_contract() -> None:
    """Keys left out take the defaults of docs/scenario-spec.md."""
    data = _minimal()
    del data["replications"]
    s = scenario_from_dict(data, source="some/dir/my_case.yaml")
    assert s.name == "my_case"
    assert (s.title, s.description, s.network) == (None, "", "shaoguan")
    assert (s.replications, s.seed, s.start_date) == (10, 20250101, date(2025, 1, 1))
    assert s.population is None
    assert s.population_total == 2_855_131  # 2020 census, sum of counties.csv
    assert (s.access.speed_kph, s.access.circuity) == (30.0, 1.4)
    assert s.unit_types["engine"].vehicle == "heavy"
    fs = s.facilities[0]
    assert fs.name == "fs_lecheng"
    assert fs.stock == {}
    assert (fs.units["engine"].crew, fs.units["engine"].turnout_s) == (4, 60.0)
    assert fs.units["engine"].capacity_people is None
    fire = s.incidents["building_fire"]
    assert fire.seasonality == (1.0,) * 12
    assert fire.diurnal == (1.0,) * 24
    assert fire.where == PopulationWhere(model="population")
    assert fire.priority == 3
    assert fire.affected_people is None
    assert s.incidents["landslide"].on_scene == FixedDuration(dist="fixed", value_h=1.0)
    assert s.incidents["landslide"].on_scene.mean_h == 1.0
    assert s.relief.per_person == {"relief_kit": 1.0}
    assert (s.relief.truck_unit, s.relief.assessment_delay_h) == ("relief_truck", 1.0)
    assert (s.relief.loading_h, s.relief.max_depots) == (0.5, 3)
    assert s.targets[0].required_share == 0.95
    assert scenario_from_dict(data).name == "scenario"


def test_county_names_are_normalised_to_full_names() -> None:
    """Short, full and pinyin county names all resolve to the full census name."""
    data = _minimal()
    data["incidents"]["landslide"]["where"]["counties"] = ["乐昌", "南雄市", "Ruyuan"]
    s = scenario_from_dict(data)
    assert s.incidents["landslide"].where.counties == ("乐昌市", "南雄市", "乳源瑶族自治县")


def test_locations_resolve_to_coordinates() -> None:
    """Town, pinyin and county-name locations give the town seat; lon/lat passes through."""
    s = _load_quietly(DATA / "valid" / "all_features.yaml")
    by_id = {f.id: f for f in s.facilities}
    assert by_id["fs_nanxiong"].location.lonlat() == pytest.approx((114.3, 25.11667), abs=1e-4)
    assert by_id["wr_shaoguan"].location.lonlat() == (113.6, 24.81)
    assert by_id["centre"].location.lonlat() == pytest.approx((113.6930, 24.7745), abs=1e-4)


def test_scenario_is_frozen() -> None:
    """Validated scenarios cannot be changed in place."""
    s = scenario_from_dict(_minimal())
    with pytest.raises(pydantic.ValidationError):
        s.seed = 1  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        s.facilities[0].full_time_staff = 1  # type: ignore[misc]


def test_input_mapping_is_not_modified() -> None:
    """Validation fills defaults in the model, never in the caller's dict."""
    data = _minimal()
    before = copy.deepcopy(data)
    scenario_from_dict(data)
    assert data == before


@pytest.mark.parametrize("path", [MINIMAL, DATA / "valid" / "all_features.yaml", BASELINE])
def test_round_trip_through_dict_and_yaml(path: Path) -> None:
    """scenario_to_dict / dump_scenario_yaml give data that validates back to an equal Scenario."""
    s = _load_quietly(path)
    d = scenario_to_dict(s)
    assert isinstance(d["start_date"], str)
    assert scenario_from_dict(d) == s
    text = dump_scenario_yaml(s)
    assert scenario_from_dict(yaml.safe_load(text)) == s
    assert "乐城街道" in text or path != BASELINE  # Chinese kept readable (allow_unicode)


# ----------------------------------------------------------------------------- warnings


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


# ----------------------------------------------------------------------------- overrides


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


# ----------------------------------------------------------------------------- shipped scenarios


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
    assert len(s.facilities) == 89
    kinds = Counter(f.kind for f in s.facilities)
    assert kinds == {
        "fire_station": 13, "township_team": 41, "water_rescue_base": 6, "rescue_base": 9,
        "regional_centre": 1, "depot": 11, "village_store": 5, "mutual_aid": 3,
    }  # fmt: skip
    units: Counter[str] = Counter()
    for f in s.facilities:
        for k, spec in f.units.items():
            units[k] += spec.count
    assert units == {
        "engine": 68, "tanker": 12, "rescue_vehicle": 24, "water_rescue_team": 22,
        "forest_team": 20, "relief_truck": 26, "helicopter": 4, "comms_vehicle": 8,
    }  # fmt: skip
    staff = sum(f.full_time_staff for f in s.facilities)
    assert staff == 917
    assert staff / s.population_total * 1000 == pytest.approx(0.3212, abs=1e-4)
    per_year = {
        name: inc.rate.per_year
        if inc.rate.per_year is not None
        else inc.rate.per_100k_per_year * s.population_total / 100_000
        for name, inc in s.incidents.items()
    }
    assert per_year == pytest.approx(
        {"building_fire": 571.03, "road_traffic": 520, "other_accident": 43.3, "water_rescue": 60,
         "flood": 12, "landslide": 10, "forest_fire": 30},
        abs=0.01,
    )  # fmt: skip
    assert sum(per_year.values()) < 3000  # performance budget: a few thousand incidents a year
    centre = next(f for f in s.facilities if f.kind == "regional_centre")
    assert centre.location.town == "大塘镇"
    ids = {t.id for t in s.targets}
    assert {"inland_water_arrival", "initial_relief", "firefighter_ratio"} <= ids


def test_baseline_numbers_are_commented() -> None:
    """Every line of the baseline that sets a number carries a comment or sits under one."""
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
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


# ----------------------------------------------------------------------------- reference doc


def test_reference_doc_tables_are_up_to_date() -> None:
    """docs/scenario-reference.md holds the tables tools/gen_scenario_reference.py generates."""
    spec = importlib.util.spec_from_file_location(
        "gen_ref", ROOT / "tools" / "gen_scenario_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = gen.DOC.read_text(encoding="utf-8")
    assert gen.render(text) == text, "run: python tools/gen_scenario_reference.py"
    for name in ("Scenario", "Facility", "UnitSpec", "IncidentType", "Relief", "Target"):
        assert f"<!-- BEGIN GENERATED: {name} -->" in text


def test_reference_doc_complete_example_is_valid() -> None:
    """The complete example in the reference validates and equals tests' minimal.yaml."""
    text = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    section = text.split("## A complete small example", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    s = scenario_from_dict(yaml.safe_load(block), source="docs/example.yaml")
    assert s == scenario_from_dict(_minimal(), source="docs/example.yaml")
