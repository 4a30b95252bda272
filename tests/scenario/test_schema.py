"""Tests of sim.scenario.schema: defaults, names resolved, frozen models, the reference page."""

from __future__ import annotations

import importlib.util
import re
import types
import typing
from datetime import date
from typing import Any

import annotated_types as at
import pydantic
import pytest
import yaml
from pydantic.fields import FieldInfo

from sim.errors import ScenarioError
from sim.scenario import FixedDuration, PopulationWhere, scenario_from_dict
from sim.scenario import schema as sc
from tests.helpers import ROOT
from tests.helpers import SCENARIO_DATA as DATA
from tests.helpers import load_quietly as _load_quietly
from tests.helpers import minimal as _minimal


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


# ----------------------------------------------------------------------------- bounds

#: Numbers bounded otherwise: coordinates by the city's bounding box (`sim.geo.check_lonlat`).
_BOUNDED_ELSEWHERE = {
    (model, key)
    for model in ("Location", "Point", "AviationPoint", "ExternalWhere")
    for key in ("lon", "lat")
}


def _numbers(tp: Any) -> bool:
    return tp in (int, float)


def _upper(meta: list[Any]) -> float | None:
    for m in meta:
        if isinstance(m, FieldInfo):
            found = _upper(list(m.metadata))
            if found is not None:
                return found
        if isinstance(m, at.Le):
            return float(m.le)
        if isinstance(m, at.Lt):
            return float(m.lt)
    return None


def _number_fields() -> list[tuple[str, str, float | None]]:
    """(model, key, upper bound) of every number in the schema, nested in mappings too."""
    out = []
    for model in _models():
        for key, f in model.model_fields.items():
            tp = f.annotation
            meta = list(f.metadata)
            while True:
                origin = typing.get_origin(tp)
                if origin is typing.Annotated:
                    meta += list(typing.get_args(tp)[1:])
                    tp = typing.get_args(tp)[0]
                elif origin in (typing.Union, types.UnionType):
                    args = [a for a in typing.get_args(tp) if a is not type(None)]
                    if len(args) != 1:
                        break
                    tp = args[0]
                elif origin in (dict, tuple):
                    tp = typing.get_args(tp)[-1 if origin is dict else 0]
                    meta = []
                else:
                    break
            if _numbers(tp):
                out.append((model.__name__, key, _upper(meta)))
    return out


def _models() -> list[type[pydantic.BaseModel]]:
    return [
        m
        for m in vars(sc).values()
        if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m.__module__ == sc.__name__
    ]


def test_every_number_has_an_upper_bound() -> None:
    """No magnitude is unbounded: each number key has `le`/`lt` (or a bounding box)."""
    fields = _number_fields()
    assert len(fields) > 60  # the walk found the schema's numbers
    unbounded = [(m, k) for m, k, hi in fields if hi is None and (m, k) not in _BOUNDED_ELSEWHERE]
    assert not unbounded


@pytest.mark.parametrize(
    ("key", "value", "bound"),
    [
        ("horizon_days", sc.MAX_HORIZON_DAYS + 1, "horizon_days: expected a number <= 3,660"),
        ("replications", sc.MAX_REPLICATIONS + 1, "replications: expected an integer <= 10,000"),
        ("horizon_days", 1e308, "horizon_days: expected a number <= 3,660, got 1e+308"),
    ],
)
def test_bounds_are_enforced_just_above_the_limit(key: str, value: float, bound: str) -> None:
    """One past the bound is refused, the bound itself is accepted."""
    data = _minimal()
    data[key] = value
    with pytest.raises(ScenarioError, match=re.escape(bound)):
        scenario_from_dict(data)
    data[key] = type(value)(getattr(sc, f"MAX_{key.upper()}"))
    data["incidents"]["building_fire"]["rate"] = {"per_year": 1}  # stay under the incident cap
    scenario_from_dict(data)


def test_the_reference_lists_the_bounds() -> None:
    """The generated reference shows the bounds (e.g. `horizon_days` ≤ 3,660)."""
    text = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert "| `horizon_days` | number > 0, ≤ 3,660 |" in text
    assert "| `replications` | integer ≥ 1, ≤ 10,000 |" in text
    assert "| `count` | integer ≥ 0, ≤ 1,000 |" in text
    assert "`1.0e+3`" in text
    assert "write `1.0e3`" not in text
