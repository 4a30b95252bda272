"""Tests of sim.scenario.load: reading files, validating them whole, `extends`, round trips."""

from __future__ import annotations

import copy
import json
import math
import os
import re
from pathlib import Path

import pytest
import yaml

from sim.errors import ScenarioError
from sim.network import build_shaoguan_graph, save_graph
from sim.scenario import (
    dump_scenario_yaml,
    load_scenario,
    merge_scenario_data,
    scenario_from_dict,
    scenario_to_dict,
)
from sim.scenario._messages import _short
from tests.helpers import (
    AGS,
    AGS_BURN_TARGET,
    AGS_FOREST_FIRE,
    BASELINE,
    MINIMAL,
    ROOT,
    SHIPPED,
    ags_variant,
)
from tests.helpers import SCENARIO_DATA as DATA
from tests.helpers import load_quietly as _load_quietly
from tests.helpers import minimal as _minimal

VALID = sorted((DATA / "valid").glob("*.yaml"))
INVALID = sorted((DATA / "invalid").glob("*.yaml"))


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


def test_top_level_not_mapping_from_dict() -> None:
    """scenario_from_dict rejects a non-mapping with the source name."""
    with pytest.raises(ScenarioError, match=r"^<dict>: expected a mapping .* got a list"):
        scenario_from_dict([1, 2])  # type: ignore[arg-type]


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


# ----------------------------------------------------------------------------- extends


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


# ----------------------------------------------------------------------------- hardening


def _alias_bomb(levels: int = 9, width: int = 9) -> list:
    """The value a 1 kB YAML alias bomb loads to: width**levels leaves, shared sub-lists."""
    node: list = ["x"] * width
    for _ in range(levels - 1):
        node = [node] * width
    return node


def test_short_cuts_an_alias_bomb_without_expanding_it() -> None:
    """repr() of 9**9 shared items would never finish; the message text stays short."""
    text = _short(_alias_bomb())
    assert len(text) <= 60
    assert text.startswith("[[[[")
    assert _short(10**5000).startswith("<an integer of about 5000 digits>"[:40])


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    """A named pipe would block the reader for ever; it is refused as not a regular file."""
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match=r"is not a regular file, expected a scenario file"):
        load_scenario(fifo)


def test_a_name_too_long_for_the_file_system(tmp_path: Path) -> None:
    """A 300-byte file name is a ScenarioError (ENAMETOOLONG), not an OSError."""
    with pytest.raises(ScenarioError, match=r"cannot read the file \(File name too long\)"):
        load_scenario(tmp_path / ("a" * 300 + ".yaml"))


def test_default_name_from_a_long_file_name_says_where_it_came_from(tmp_path: Path) -> None:
    """A file name longer than a scenario name may be is named as the source of `name`."""
    path = tmp_path / ("s" * 70 + ".yaml")
    path.write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"the name defaults to the file name; give a `name:`"):
        load_scenario(path)


def test_merging_list_ids_replaces_instead_of_crashing() -> None:
    """Items whose ids are not text cannot be merged by id: the variant's list replaces."""
    base = {"facilities": [{"id": "a", "v": 1}]}
    change = {"facilities": [{"id": [1], "v": 2}]}
    assert merge_scenario_data(base, change) == change


def test_network_path_is_read_from_the_scenario_files_folder(tmp_path: Path, monkeypatch) -> None:
    """`network: roads/x.graphml` names a file beside the scenario, from any working folder."""
    (tmp_path / "sc").mkdir()
    save_graph(build_shaoguan_graph(), tmp_path / "sc" / "roads" / "x.graphml")
    text = MINIMAL.read_text(encoding="utf-8") + "network: roads/x.graphml\n"
    (tmp_path / "sc" / "s.yaml").write_text(text, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    s = load_scenario(Path("..") / "sc" / "s.yaml")
    assert Path(s.network).is_absolute()
    assert Path(s.network).resolve() == (tmp_path / "sc" / "roads" / "x.graphml").resolve()
    # The base's relative path is the base's: a variant in another folder still finds it.
    (tmp_path / "v.yaml").write_text("extends: sc/s.yaml\n", encoding="utf-8")
    assert Path(load_scenario(tmp_path / "v.yaml").network).resolve() == Path(s.network).resolve()


# --------------------------------------------------------------------------- region facts


def test_burn_ratio_in_a_region_without_forest_is_an_error(tmp_path: Path) -> None:
    """Aguascalientes gives no forest: a burn_ratio target names the region and the target."""
    path = ags_variant(
        tmp_path,
        {"incidents": {"forest_fire": AGS_FOREST_FIRE}, "targets": [AGS_BURN_TARGET]},
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    msg = str(e.value)
    assert str(path) in msg
    assert "targets[burn].measure" in msg  # the key path of the target
    assert "Aguascalientes" in msg  # the region
    assert "region.forest" in msg  # how to fix it
    assert "region.forest_area_ha" in msg


def test_burn_ratio_uses_the_region_forest_layer(tmp_path: Path) -> None:
    """With region.forest the target loads; the forest area is the polygon's geodesic area."""
    w, s, e, n = -102.281, 21.861, -102.271, 21.8765  # inside the western unit
    forest = tmp_path / "forest.geojson"
    forest.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
             "geometry": {"type": "Polygon",
                          "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}}]}
        ),
        encoding="utf-8",
    )  # fmt: skip
    region = yaml.safe_load(AGS.read_text(encoding="utf-8"))["region"]
    region = {k: (str(AGS.parent / v) if k in ("units", "towns") else v) for k, v in region.items()}
    path = ags_variant(
        tmp_path,
        {
            "region": {**region, "forest": str(forest)},
            "incidents": {"forest_fire": AGS_FOREST_FIRE},
            "targets": [AGS_BURN_TARGET],
        },
    )
    sc = load_scenario(path)
    # spherical cell area R² Δλ (sin φn − sin φs); the WGS84 ellipsoid differs by < 0.7 %
    r_m = 6_371_008.8
    sphere_ha = r_m**2 * math.radians(e - w) * (math.sin(math.radians(n)) - math.sin(
        math.radians(s))) / 1e4  # fmt: skip
    assert sc.study_region.forest_area_ha == pytest.approx(sphere_ha, rel=0.007)
    assert 150 < sphere_ha < 200  # 1.03 km x 1.72 km


def test_shaoguan_region_carries_its_forest_area() -> None:
    """The shipped region's forest area is 74.52 % of 18,413 km² (the burn_ratio denominator)."""
    from sim.geo import shaoguan_region

    assert shaoguan_region().forest_area_ha == pytest.approx(18413 * 100 * 0.7452)
