"""Scenario files: the validated, frozen scenario model, loading, overrides and error reporting.

The contract (every key, type and default) is ``docs/scenario-spec.md``; the user-facing
reference is ``docs/scenario-reference.md`` (tables generated from the field descriptions below
by ``tools/gen_scenario_reference.py``).

Validation happens in two passes whose problems are collected together and raised as ONE
`ScenarioError`:

1. per-field checks by pydantic (types, ranges, unknown keys, place names, exactly-one-of forms);
2. cross-field checks on the raw mapping (references between sections, unique ids, what each
   target measure needs), run even when pass 1 found problems so that one run reports everything.

Soft problems (a required unit type with no unit anywhere, an unknown river name) are
``UserWarning``\\ s, issued only for a scenario without errors.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import types
import typing
import warnings
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from sim import geo
from sim.errors import PlaceError, ScenarioError

__all__ = [
    "Access",
    "Amount",
    "Duration",
    "ExponentialAmount",
    "ExponentialDuration",
    "Facility",
    "FixedAmount",
    "FixedDuration",
    "ForestWhere",
    "GammaAmount",
    "GammaDuration",
    "IncidentType",
    "Label",
    "Location",
    "LognormalAmount",
    "LognormalDuration",
    "Point",
    "PointsWhere",
    "PopulationWhere",
    "Rate",
    "Relief",
    "RiverWhere",
    "Scenario",
    "Target",
    "UnitSpec",
    "UnitType",
    "Where",
    "apply_overrides",
    "dump_scenario_yaml",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
]

TIME_MEASURES = ("first_arrival", "all_arrived", "relief", "contained", "unit_arrival")
DEFAULT_PER_PERSON = {"relief_kit": 1.0}
DEFAULT_TRUCK_UNIT = "relief_truck"
_ID_PATTERN = r"^[A-Za-z0-9_-]+$"

# Strict numbers: YAML already gives real ints/floats, so a string or a bool where a number
# belongs is a mistake worth reporting (lax mode would silently turn `yes` into 1).
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict(), Field(allow_inf_nan=False)]


class _Model(BaseModel):
    """Base of every scenario record: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- small records


class Label(_Model):
    """A bilingual display label."""

    zh: str = Field(min_length=1, description="Chinese label, e.g. `水罐消防车`.")
    en: str = Field(min_length=1, description="English label, e.g. `Water tender`.")


class Access(_Model):
    """Off-network leg from an incident point to its nearest road node."""

    speed_kph: Float = Field(default=30.0, gt=0, description="Speed on the off-network leg (km/h).")
    circuity: Float = Field(
        default=1.4, ge=1, description="Path length / straight-line distance on that leg (-)."
    )


class AirSpec(_Model):
    """Flight performance of an aircraft unit type (helicopter)."""

    cruise_kph: Float = Field(
        default=232.0, gt=0, description="Cruise speed (km/h); Ka-32A11BC 232, AC311A 236, AW139 ≈ 290."
    )
    efficiency: Float = Field(
        default=0.8, gt=0, le=1, description="Effective speed / cruise (winds, climb, routing) (-)."
    )
    night_capable: bool = Field(
        default=False, description="May fly between sunset and sunrise (rescue flights are VFR by default)."
    )
    bucket_speed_kph: Float = Field(
        default=130.0, gt=0, description="Speed with a slung water bucket (km/h), 120–150."
    )
    fill_s: Float = Field(default=90.0, ge=0, description="Time to fill the bucket at a water point (s).")
    drop_s: Float = Field(default=30.0, ge=0, description="Time to position and drop (s).")
    line_per_drop_m: Float = Field(
        default=30.0, ge=0, description="Fire line held by one bucket drop (m); ASSUMPTION 20–40."
    )


class BoatSpec(_Model):
    """A boat carried by a road unit (water-rescue team with an assault boat, 冲锋舟)."""

    speed_kph: Float = Field(default=25.0, gt=0, description="Boat speed on the river in flood (km/h).")
    launch_s: Float = Field(default=600.0, ge=0, description="Unloading and launching at the bank (s).")


class UnitType(_Model):
    """A kind of resource (vehicle, team or aircraft)."""

    label: Label = Field(description="Display label.")
    vehicle: Literal["heavy", "light"] = Field(
        default="heavy",
        description="Road speed profile: `heavy` uses `travel_time_heavy`, `light` `travel_time`.",
    )
    mode: Literal["road", "air"] = Field(
        default="road", description="`road` (drives on the network) or `air` (flies straight, daylight only)."
    )
    air: AirSpec | None = Field(default=None, description="Flight performance (mode `air`; defaults apply).")
    boat: BoatSpec | None = Field(
        default=None, description="Carries a boat: may reach river incidents by road then boat."
    )
    fireline_m_per_h: Float = Field(
        default=0.0, ge=0, description="Forest fire line built and held per unit on scene (m/h); 0 = none."
    )

    @model_validator(mode="after")
    def _air_defaults(self) -> UnitType:
        if self.mode == "air" and self.air is None:
            object.__setattr__(self, "air", AirSpec())
        if self.mode != "air" and self.air is not None:
            msg = "`air` only goes with mode: air"
            raise ValueError(msg)
        if self.mode == "air" and self.boat is not None:
            msg = "an aircraft does not carry a boat (`boat` needs mode: road)"
            raise ValueError(msg)
        return self


class UnitSpec(_Model):
    """How many units of one type a facility holds, and how they turn out."""

    count: Int = Field(ge=0, description="Number of units (vehicles or teams).")
    crew: Int = Field(default=4, ge=1, description="Persons per unit.")
    turnout_s: Float = Field(
        default=60.0,
        ge=0,
        description="Alarm to wheels rolling (s). Full-time ~60, township teams 180–300.",
    )
    capacity_people: Int | None = Field(
        default=None,
        ge=1,
        description="Relief trucks only: affected people served by one truckload (persons).",
    )


class Location(_Model):
    """A place given by town name (optionally with county) or by WGS84 coordinates."""

    town: str | None = Field(
        default=None,
        description=(
            "Township name: `乐城街道`, `乐城`, pinyin `Lecheng`, or a county name (= its seat)."
        ),
    )
    county: str | None = Field(
        default=None, description="County to disambiguate a town name (`仁化县` or `仁化`)."
    )
    lon: Float | None = Field(default=None, description="Longitude (WGS84 degrees), with `lat`.")
    lat: Float | None = Field(default=None, description="Latitude (WGS84 degrees), with `lon`.")

    @model_validator(mode="after")
    def _one_form(self) -> Location:
        has_town = self.town is not None
        has_xy = self.lon is not None or self.lat is not None
        if has_town and has_xy:
            msg = "expected either {town: ...} or {lon: ..., lat: ...}, got both"
            raise ValueError(msg)
        if not has_town and not has_xy:
            msg = "expected either {town: ...} or {lon: ..., lat: ...}, got neither"
            raise ValueError(msg)
        if has_xy:
            if self.lon is None or self.lat is None:
                missing = "lon" if self.lon is None else "lat"
                msg = f"lon and lat go together, {missing!r} is missing"
                raise ValueError(msg)
            if self.county is not None:
                msg = "county only goes with town, not with lon/lat"
                raise ValueError(msg)
            try:
                geo.check_lonlat(self.lon, self.lat)
            except PlaceError as e:
                raise ValueError(str(e)) from e
        else:
            try:
                geo.resolve_town(self.town, county=self.county)
            except PlaceError as e:
                raise ValueError(str(e)) from e
        return self

    def lonlat(self) -> tuple[float, float]:
        """Return the WGS84 (lon, lat) of the place (the town seat for a town)."""
        if self.town is not None:
            town = geo.resolve_town(self.town, county=self.county)
            return (town.lon, town.lat)
        return (float(self.lon), float(self.lat))  # type: ignore[arg-type]


class Point(Location):
    """A weighted location of the `points` spatial model."""

    weight: Float = Field(default=1.0, gt=0, description="Relative weight (-).")


def _resolve_counties(names: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Normalise county names (full or short, or pinyin) to the full names of ``counties.csv``."""
    if names is None:
        return None
    out: list[str] = []
    problems: list[str] = []
    for name in names:
        try:
            out.append(geo.resolve_county(name).name)
        except PlaceError as e:
            problems.append(str(e))
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(out)


class PopulationWhere(_Model):
    """Incidents at towns drawn in proportion to population, scattered around the seat."""

    model: Literal["population"] = Field(description="`population`.")
    counties: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="Restrict to these counties (full or short name); all if omitted.",
    )

    _check_counties = field_validator("counties")(_resolve_counties)


class RiverWhere(_Model):
    """Incidents along rivers."""

    model: Literal["river"] = Field(description="`river`.")
    rivers: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="River names (as in `sim/data/rivers.geojson`); all if omitted.",
    )
    max_distance_m: Float = Field(
        default=1500.0, ge=0, description="Maximum offset of the incident from the river line (m)."
    )


class ForestWhere(_Model):
    """Incidents inside county polygons, away from settlements."""

    model: Literal["forest"] = Field(description="`forest`.")
    counties: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="Restrict to these counties (full or short name); all if omitted.",
    )
    min_distance_from_town_m: Float = Field(
        default=3000.0, ge=0, description="Minimum distance from any town seat (m)."
    )

    _check_counties = field_validator("counties")(_resolve_counties)


class PointsWhere(_Model):
    """Incidents at listed points, chosen by weight."""

    model: Literal["points"] = Field(description="`points`.")
    points: tuple[Point, ...] = Field(
        min_length=1, description="`{town, county?, weight}` or `{lon, lat, weight}` items."
    )


Where = Annotated[
    Union[PopulationWhere, RiverWhere, ForestWhere, PointsWhere],  # noqa: UP007 - discriminated union
    Field(discriminator="model"),
]


class FixedDuration(_Model):
    """Always the same duration."""

    dist: Literal["fixed"] = Field(description="`fixed`.")
    value_h: Float = Field(gt=0, description="Duration (h).")

    @property
    def mean_h(self) -> float:
        """Mean duration (h)."""
        return self.value_h


class ExponentialDuration(_Model):
    """Exponentially distributed duration."""

    dist: Literal["exponential"] = Field(description="`exponential`.")
    mean_h: Float = Field(gt=0, description="Mean (h).")


class LognormalDuration(_Model):
    """Lognormal duration given by its mean and standard deviation (not the log-scale ones)."""

    dist: Literal["lognormal"] = Field(description="`lognormal`.")
    mean_h: Float = Field(gt=0, description="Mean (h).")
    sd_h: Float = Field(gt=0, description="Standard deviation (h).")


class GammaDuration(_Model):
    """Gamma duration given by its mean and standard deviation."""

    dist: Literal["gamma"] = Field(description="`gamma`.")
    mean_h: Float = Field(gt=0, description="Mean (h).")
    sd_h: Float = Field(gt=0, description="Standard deviation (h).")


Duration = Annotated[
    Union[FixedDuration, ExponentialDuration, LognormalDuration, GammaDuration],  # noqa: UP007
    Field(discriminator="dist"),
]


class FixedAmount(_Model):
    """Always the same number of people."""

    dist: Literal["fixed"] = Field(description="`fixed`.")
    value: Float = Field(gt=0, description="People (persons).")

    @property
    def mean(self) -> float:
        """Mean number of people (persons)."""
        return self.value


class ExponentialAmount(_Model):
    """Exponentially distributed number of people (rounded, at least 1)."""

    dist: Literal["exponential"] = Field(description="`exponential`.")
    mean: Float = Field(gt=0, description="Mean (persons).")


class LognormalAmount(_Model):
    """Lognormal number of people (rounded, at least 1) by mean and standard deviation."""

    dist: Literal["lognormal"] = Field(description="`lognormal`.")
    mean: Float = Field(gt=0, description="Mean (persons).")
    sd: Float = Field(gt=0, description="Standard deviation (persons).")


class GammaAmount(_Model):
    """Gamma number of people (rounded, at least 1) by mean and standard deviation."""

    dist: Literal["gamma"] = Field(description="`gamma`.")
    mean: Float = Field(gt=0, description="Mean (persons).")
    sd: Float = Field(gt=0, description="Standard deviation (persons).")


Amount = Annotated[
    Union[FixedAmount, ExponentialAmount, LognormalAmount, GammaAmount],  # noqa: UP007
    Field(discriminator="dist"),
]


class Rate(_Model):
    """Annual mean count of an incident type: absolute or per 100,000 residents."""

    per_year: Float | None = Field(default=None, ge=0, description="Incidents per year (1/yr).")
    per_100k_per_year: Float | None = Field(
        default=None, ge=0, description="Incidents per 100,000 residents per year."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Rate:
        given = [k for k in ("per_year", "per_100k_per_year") if getattr(self, k) is not None]
        if len(given) != 1:
            found = "neither" if not given else "both"
            msg = f"expected exactly one of per_year, per_100k_per_year, got {found}"
            raise ValueError(msg)
        return self


def _profile(n: int, what: str) -> Any:
    def check(values: tuple[float, ...]) -> tuple[float, ...]:
        if len(values) != n:
            msg = f"expected {n} {what}, got {len(values)} value{'s' if len(values) != 1 else ''}"
            raise ValueError(msg)
        if not any(v > 0 for v in values):
            msg = f"expected at least one of the {n} values to be > 0, got all zeros"
            raise ValueError(msg)
        return values

    return check


NonNegFloat = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
PosFloat = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]


class Detection(_Model):
    """How soon a forest fire is seen (lookout towers, cameras, patrols)."""

    coverage: Float = Field(
        default=0.9, ge=0, le=1, description="Share of forest under lookout/camera coverage (-); plan ≥ 0.9."
    )
    covered_mean_h: Float = Field(default=0.25, gt=0, description="Mean detection delay where covered (h).")
    uncovered_mean_h: Float = Field(default=2.0, gt=0, description="Mean detection delay elsewhere (h).")


class FireRain(_Model):
    """Rain days during a fire (drawn per fire and calendar day)."""

    daily_probability: Float = Field(
        default=0.15, ge=0, le=1, description="Chance that a given day is rainy at the fire (-); dry season ASSUMPTION."
    )
    spread_factor: Float = Field(default=0.2, ge=0, le=1, description="Spread multiplier on rainy days (-).")


class Escalation(_Model):
    """Extended attack: each `after_h` a fire is still uncontained, request more units."""

    after_h: Float = Field(default=4.0, gt=0, description="Interval between reinforcement requests (h).")
    units: dict[str, Annotated[int, Strict(), Field(ge=1)]] = Field(
        description="Unit type id → number requested each round."
    )
    max_rounds: Int = Field(default=3, ge=1, description="Most reinforcement rounds per fire.")


class FireSpec(_Model):
    """Forest-fire growth (elliptical spread) and suppression parameters."""

    ros_m_per_h: Amount = Field(description="Head rate of spread per fire (m/h), drawn once per fire.")
    lb_ratio: Float = Field(default=2.0, ge=1, description="Length-to-breadth ratio of the ellipse (-).")
    back_ratio: Float = Field(default=0.1, ge=0, le=1, description="Back spread / head spread (-).")
    night_factor: Float = Field(default=0.4, ge=0, le=1, description="Spread multiplier at night (-).")
    initial_radius_m: Float = Field(default=0.0, ge=0, description="Size at ignition (m).")
    detection: Detection = Field(default_factory=Detection, description="Detection delay model.")
    walk_speed_kph: Float = Field(
        default=2.0, gt=0, description="Ground crews walk in from the road at this speed (km/h)."
    )
    max_walk_m: Float = Field(
        default=2000.0,
        ge=0,
        description="Forest tracks come this close (m); farther access is driven at `access.speed_kph`.",
    )
    walk_circuity: Float = Field(default=1.3, ge=1, description="Walking path / straight line (-).")
    step_min: Float = Field(default=10.0, gt=0, le=60, description="Time step of the growth/suppression race (min).")
    rain: FireRain = Field(default_factory=lambda: FireRain(), description="Rain days slow the spread.")
    max_area_ha: Float = Field(
        default=3000.0,
        gt=0,
        description="A free-burning fire stops growing at this size (ridges, rivers, fuel breaks) (ha); ASSUMPTION.",
    )
    escalation: Escalation | None = Field(
        default=None, description="Extended attack: more units while the fire is not contained."
    )


class ClosureRuleSpec(_Model):
    """Which roads an event closes: a kind of road within a radius, each with a probability."""

    kind: Literal["bridge", "mountain_link", "any"] = Field(description="Bridges, mountain links, or any road.")
    radius_m: Float = Field(gt=0, description="Roads whose midpoint is this close to the event (m).")
    probability: Float = Field(ge=0, le=1, description="Chance each candidate road is closed (-).")
    rivers: tuple[str, ...] | None = Field(default=None, description="Bridges over these rivers only.")
    counties: tuple[str, ...] | None = Field(default=None, description="Roads in these counties only.")

    _check_counties = field_validator("counties")(_resolve_counties)


class Disruption(_Model):
    """Roads cut by an event (flood, landslide) for a while."""

    rules: tuple[ClosureRuleSpec, ...] = Field(min_length=1, description="Closure rules (see *ClosureRuleSpec*).")
    duration: Duration = Field(description="How long the closed roads stay closed (see *Duration*).")


class IncidentType(_Model):
    """One kind of incident: how often, when, where, what it needs and for how long."""

    label: Label = Field(description="Display label.")
    rate: Rate = Field(description="`{per_year: R}` or `{per_100k_per_year: R}` (exactly one).")
    seasonality: tuple[NonNegFloat, ...] = Field(
        default=(1.0,) * 12,
        description="12 relative monthly intensities, January first; normalised (-).",
    )
    diurnal: tuple[NonNegFloat, ...] = Field(
        default=(1.0,) * 24,
        description="24 relative hourly intensities, 00:00 first; normalised (-).",
    )
    where: Where = Field(
        default_factory=lambda: PopulationWhere(model="population"),
        description="Spatial model (see *Where*).",
    )
    priority: Int = Field(default=3, ge=1, le=5, description="1 = most urgent; queue order.")
    units: dict[str, Annotated[int, Strict(), Field(ge=1)]] = Field(
        description="Unit type id → number required on scene; `{}` only with `affected_people`."
    )
    on_scene: Duration = Field(
        default_factory=lambda: FixedDuration(dist="fixed", value_h=1.0),
        description="Work time on scene (see *Duration*).",
    )
    affected_people: Amount | None = Field(
        default=None, description="Disasters: people needing relief per incident (see *Amount*)."
    )
    fire: FireSpec | None = Field(
        default=None,
        description="Forest fire: growth and containment race; `on_scene` becomes mop-up after containment.",
    )
    disruption: Disruption | None = Field(
        default=None, description="Roads this event closes, and for how long (floods, landslides)."
    )

    _check_seasonality = field_validator("seasonality")(
        _profile(12, "monthly values (January to December)")
    )
    _check_diurnal = field_validator("diurnal")(_profile(24, "hourly values (00:00 to 23:00)"))


class Facility(_Model):
    """A place that holds units and/or relief stock."""

    id: str = Field(pattern=_ID_PATTERN, description="Unique id: letters, digits, `_`, `-`.")
    kind: Literal[
        "fire_station",
        "township_team",
        "rescue_base",
        "water_rescue_base",
        "depot",
        "helicopter_base",
        "regional_centre",
        "mutual_aid",
        "village_store",
    ] = Field(description="Facility kind (see the table of kinds).")
    name: str = Field(min_length=1, description="Display name (Chinese welcome); defaults to `id`.")
    location: Location = Field(description="`{town: ..., county: ...?}` or `{lon: ..., lat: ...}`.")
    units: dict[str, UnitSpec] = Field(
        default_factory=dict, description="Unit type id → `UnitSpec`."
    )
    full_time_staff: Int = Field(
        default=0, ge=0, description="专职消防人员 counted for the firefighter ratio (persons)."
    )
    stock: dict[str, Annotated[int, Strict(), Field(ge=0)]] = Field(
        default_factory=dict,
        description="Relief stock: item → quantity (items of `relief.per_person`).",
    )
    activation_delay_h: Float = Field(
        default=0.0,
        ge=0,
        description="`mutual_aid`: time to activate (request, approval, assembly) before turnout (h).",
    )

    @model_validator(mode="before")
    @classmethod
    def _name_defaults_to_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("name") is None and isinstance(data.get("id"), str):
            data = {**data, "name": data["id"]}
        return data


class Reserve(_Model):
    """Replenishment of depots from the provincial reserve."""

    lead_time_h: Float = Field(default=48.0, gt=0, description="Order to delivery at the depot (h).")
    reorder_fraction: Float = Field(
        default=0.5, ge=0, le=1, description="Order when any item falls below this share of the initial stock (-)."
    )


class Relief(_Model):
    """Relief logistics: what each affected person needs and how it is delivered."""

    per_person: dict[str, PosFloat] = Field(
        default_factory=lambda: dict(DEFAULT_PER_PERSON),
        description="Stock item → quantity consumed per affected person.",
    )
    truck_unit: str = Field(
        default=DEFAULT_TRUCK_UNIT, description="Unit type that carries relief from depots."
    )
    assessment_delay_h: Float = Field(
        default=1.0, ge=0, description="Disaster onset → relief request (h)."
    )
    loading_h: Float = Field(
        default=0.5, ge=0, description="Loading at the depot before departure (h)."
    )
    max_depots: Int = Field(default=3, ge=1, description="How many depots may share one demand.")
    per_person_per_day: dict[str, PosFloat] | None = Field(
        default=None,
        description="Daily consumption per affected person (item → quantity); replaces `per_person` × 1 day.",
    )
    days_of_need: Float = Field(
        default=1.0, gt=0, description="Days of need a disaster's relief must cover (with `per_person_per_day`)."
    )
    reserve: Reserve | None = Field(
        default=None, description="Provincial reserve that refills depots after a lead time."
    )
    local_delivery_h: Float = Field(
        default=0.5, ge=0, description="Village stores: from request to supplies in hand in their own town (h)."
    )
    village_radius_m: Float = Field(
        default=5000.0, gt=0, description="A village store serves disasters this close to it (m)."
    )
    helicopter_capacity_people: Int = Field(
        default=150, ge=1, description="People served by one helicopter relief flight to a cut-off place."
    )

    @property
    def daily(self) -> dict[str, float]:
        """Need per person and day by item (per_person_per_day, else per_person as one day)."""
        return dict(self.per_person_per_day or self.per_person)

    @property
    def items(self) -> tuple[str, ...]:
        """Stock items in use."""
        return tuple(self.daily)


class AviationPoint(Location):
    """A helicopter landing point or water-intake point."""

    id: str = Field(pattern=_ID_PATTERN, description="Unique id.")
    kind: Literal["landing", "water_intake", "heliport"] = Field(description="Point kind.")
    name: str = Field(default="", description="Display name.")


class Aviation(_Model):
    """Aviation infrastructure: `builtin` points (sim/data/aviation_points.csv) and/or a list."""

    builtin: bool = Field(
        default=True, description="Include the shipped points of `sim/data/aviation_points.csv`."
    )
    points: tuple[AviationPoint, ...] = Field(default=(), description="Extra points.")


class StaticClosure(_Model):
    """A road closed for the whole run, given by the two towns it joins."""

    between: tuple[str, str] = Field(description="Two town names joined by a direct road (`name` or `name/county`).")
    reason: str = Field(default="", description="Why (free text).")


class MutualAid(_Model):
    """Military, armed police and social rescue forces (facilities of kind `mutual_aid`)."""

    threshold_people: Int | None = Field(
        default=None,
        ge=1,
        description="Also call them at once for events affecting at least this many people; else only when local units are exhausted.",
    )


class Surge(_Model):
    """An extreme-event day: extra incidents in some counties (typhoon, rainstorm)."""

    day: Float = Field(ge=0, description="Start, in days from the horizon start.")
    duration_h: Float = Field(default=24.0, gt=0, description="Window over which the extra incidents occur (h).")
    counties: tuple[str, ...] | None = Field(default=None, description="Counties hit (all if omitted).")
    incidents: dict[str, Annotated[int, Strict(), Field(ge=1)]] = Field(
        min_length=1, description="Incident type id → extra incidents in the window."
    )
    label: str = Field(default="", description="Name of the event.")

    _check_counties = field_validator("counties")(_resolve_counties)


class Target(_Model):
    """A performance target evaluated in ``metrics.json``."""

    id: str = Field(min_length=1, description="Unique id; key in `metrics.json`.")
    label: Label = Field(description="Display label (e.g. the plan's indicator name).")
    measure: Literal[
        "first_arrival", "all_arrived", "relief", "contained", "unit_arrival",
        "firefighter_ratio", "burn_ratio",
    ] = Field(description="What is measured.")
    unit_type: str | None = Field(
        default=None, description="`unit_arrival`: the unit type whose arrival counts (e.g. comms vehicle)."
    )
    incident_types: tuple[str, ...] | None = Field(
        default=None, description="Incident type ids covered (time measures: required)."
    )
    threshold_h: Float | None = Field(
        default=None,
        gt=0,
        description="Met if time from onset < threshold (h; time measures: required).",
    )
    required_share: Float = Field(
        default=0.95, gt=0, le=1, description="Share of incidents that must meet the threshold (-)."
    )
    required_per_mille: Float | None = Field(
        default=None,
        gt=0,
        description="`firefighter_ratio`: full-time staff per 1,000 residents (‰).",
    )
    max_per_mille: Float | None = Field(
        default=None,
        gt=0,
        description="`burn_ratio`: burned forest area per year / forest area must not exceed this (‰).",
    )


class Scenario(_Model):
    """A complete, validated scenario (one file = one experiment)."""

    name: str = Field(
        min_length=1,
        description="Used for `results/<name>/`; defaults to the file name without extension.",
    )
    title: Label | None = Field(default=None, description="`{zh: ..., en: ...}` shown on reports.")
    description: str = Field(default="", description="Free text.")
    network: str = Field(
        default="shaoguan",
        description=(
            "`shaoguan` (embedded), a `.graphml` path, a `.osm`/`.osm.bz2` path, or a place name."
        ),
    )
    horizon_days: Float = Field(default=365.0, gt=0, description="Simulated period (days).")
    replications: Int = Field(default=10, ge=1, description="Independent replications.")
    seed: Int = Field(default=20250101, ge=0, description="Root of every random stream.")
    start_date: date = Field(
        default=date(2025, 1, 1), description="Calendar date of the horizon start (YYYY-MM-DD)."
    )
    population: Int | None = Field(
        default=None,
        gt=0,
        description=(
            "Overrides the census total 2,855,131 for rates per 100k and the firefighter ratio."
        ),
    )
    access: Access = Field(default_factory=Access, description="Off-network access leg.")
    unit_types: dict[str, UnitType] = Field(description="Unit type id → definition.")
    facilities: tuple[Facility, ...] = Field(min_length=1, description="Facilities, unique `id`s.")
    incidents: dict[str, IncidentType] = Field(
        min_length=1, description="Incident type id → definition."
    )
    relief: Relief = Field(default_factory=Relief, description="Relief logistics settings.")
    aviation: Aviation = Field(default_factory=lambda: Aviation(), description="Landing and water-intake points.")
    closures: tuple[StaticClosure, ...] = Field(
        default=(), description="Roads closed for the whole run (bridge under repair): town pairs."
    )
    mutual_aid: MutualAid = Field(default_factory=lambda: MutualAid(), description="When reserve forces are used.")
    surge: tuple[Surge, ...] = Field(default=(), description="Extreme-event days injected into the run.")
    targets: tuple[Target, ...] = Field(description="Performance targets, unique `id`s.")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if "/" in v or "\\" in v or v in {".", ".."}:
            msg = f"expected a folder-safe name (no '/' or '\\'), got {v!r}"
            raise ValueError(msg)
        return v

    @property
    def population_total(self) -> int:
        """Population used for rates per 100k and the firefighter ratio (persons)."""
        if self.population is not None:
            return self.population
        return sum(c.population_2020 for c in geo.load_counties())


# --------------------------------------------------------------------------- type walking

Loc = tuple[Any, ...]
_ALL_UNION_MEMBERS = (
    *typing.get_args(typing.get_args(Where)[0]),
    *typing.get_args(typing.get_args(Duration)[0]),
    *typing.get_args(typing.get_args(Amount)[0]),
)


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``None`` from an annotation."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_members(tp: Any) -> list[type[BaseModel]]:
    """Return the model members of a (discriminated) union annotation, else []."""
    if typing.get_origin(tp) not in (Union, types.UnionType):
        return []
    members = []
    for arg in typing.get_args(tp):
        arg = _unwrap(arg)
        if _is_model(arg):
            members.append(arg)
        elif typing.get_origin(arg) in (Union, types.UnionType):
            members.extend(_union_members(arg))
    return members


def _tag_of(member: type[BaseModel]) -> tuple[str, str] | None:
    """Return ``(discriminator key, tag)`` of a union member model."""
    for key in ("model", "dist"):
        f = member.model_fields.get(key)
        if f is not None and typing.get_origin(f.annotation) is Literal:
            return key, typing.get_args(f.annotation)[0]
    return None


def _member_for(tp: Any, tag: Any) -> type[BaseModel] | None:
    for m in _union_members(tp):
        t = _tag_of(m)
        if t is not None and t[1] == tag:
            return m
    return None


def _child_type(tp: Any, key: Any) -> Any:
    """Annotation of ``key`` inside a value of annotation ``tp`` (None if unknown)."""
    tp = _unwrap(tp)
    if _is_model(tp):
        f = tp.model_fields.get(key) if isinstance(key, str) else None
        return f.annotation if f is not None else None
    origin = typing.get_origin(tp)
    if origin in (list, tuple) and isinstance(key, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    return None


def _list_label(items: list[Any], i: int) -> str:
    """``id`` of list item ``i`` when it has a unique string id, else the index."""
    item = items[i] if 0 <= i < len(items) else None
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        ids = [x.get("id") for x in items if isinstance(x, dict)]
        if ids.count(item["id"]) == 1:
            return item["id"]
    return str(i)


def _walk(loc: Loc, data: Any) -> tuple[str, Any, Any]:
    """Follow a pydantic (or cross-check) location through the raw data and the schema.

    Returns
    -------
    path, annotation, value
        Dotted display path (union tags dropped, list items named by id), the schema annotation
        at the location and the raw value there (None if absent).
    """
    tp: Any = Scenario
    path = ""
    for el in loc:
        utp = _unwrap(tp)
        member = _member_for(utp, el)
        if member is not None:  # discriminated-union tag inserted by pydantic: not a key
            tp = member
            continue
        if el == "[key]":
            path += " (key)"
            continue
        if isinstance(data, list) and isinstance(el, int):
            path += f"[{_list_label(data, el)}]"
            data = data[el] if 0 <= el < len(data) else None
        else:
            path += f".{el}" if path else str(el)
            data = data.get(el) if isinstance(data, dict) else None
        tp = _child_type(utp, el)
    return path or "(top level)", tp, data


def _allowed_keys(tp: Any, data: Any) -> list[str]:
    """Keys allowed in a mapping of annotation ``tp`` (union member chosen by the data's tag)."""
    tp = _unwrap(tp)
    if _is_model(tp):
        return list(tp.model_fields)
    members = _union_members(tp)
    if members and isinstance(data, dict):
        for m in members:
            t = _tag_of(m)
            if t is not None and data.get(t[0]) == t[1]:
                return list(m.model_fields)
    return []


# --------------------------------------------------------------------------- messages


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggest(word: Any, options: list[str] | tuple[str, ...]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?; " if close else ""


def _unknown(
    what: str, name: Any, defined: list[str] | tuple[str, ...], plural: str = "defined"
) -> str:
    listed = ", ".join(defined) if defined else "none"
    return f"unknown {what} {name!r} ({_suggest(name, defined)}{plural}: {listed})"


_NAMES = {"model": "spatial model", "dist": "distribution"}
_TYPE_WORDS = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "date_type": "a date YYYY-MM-DD",
    "date_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_inexact": "a date YYYY-MM-DD without a time",
}
_PATTERNS = {_ID_PATTERN: "letters, digits, '_' or '-' only"}


def _looks_numeric(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _describe(
    err: dict[str, Any], tp: Any, value: Any, parent_tp: Any, parent: Any
) -> tuple[str, str]:
    """Translate one pydantic error into plain words; return (path suffix, message)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if kind == "missing":
        return "", "required key is missing"
    if kind == "extra_forbidden":
        key = err["loc"][-1]
        allowed = _allowed_keys(parent_tp, parent)
        msg = f"unknown key ({_suggest(key, allowed)}allowed: {', '.join(allowed)})"
        if got is None or (isinstance(key, str) and " " in key.strip()):
            msg += "; if this is the rest of a text after a comma inside {...}, quote the text"
        return "", msg
    if kind in {"model_type", "model_attributes_type"}:
        allowed = _allowed_keys(tp, value)
        keys = f" with keys {', '.join(allowed)}" if allowed else ""
        return "", f"expected a mapping{keys}, got {_short(got)}"
    if kind in _TYPE_WORDS:
        msg = f"expected {_TYPE_WORDS[kind]}, got {_short(got)}"
        if kind == "float_type" and _looks_numeric(got):
            msg += " (text, not a number: drop the quotes; YAML needs a dot in 1.0e3)"
        if kind == "int_type" and _looks_numeric(got):
            msg += " (text, not a number: drop the quotes)"
        if kind == "int_type" and isinstance(got, float) and got.is_integer():
            msg += f" (write {int(got)})"
        return "", msg
    bounds = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()))
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        what = "an integer" if _unwrap(tp) is int else "a number"
        return "", f"expected {what} {bounds[kind]} {limit}, got {_short(got)}"
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "", f"expected one of {', '.join(options)}, got {_short(got)}{_hint(got, options)}"
    if kind == "union_tag_invalid":
        key = str(ctx.get("discriminator", "")).strip("'")
        options = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return f".{key}", _unknown(_NAMES.get(key, key), ctx.get("tag"), options, "expected one of")
    if kind == "union_tag_not_found":
        key = str(ctx.get("discriminator", "")).strip("'")
        options = [t[1] for m in _union_members(_unwrap(tp)) if (t := _tag_of(m))]
        return (
            f".{key}",
            f"required key is missing (the {_NAMES.get(key, key)}: {', '.join(options)})",
        )
    if kind in {"too_short", "too_long"}:
        n = ctx.get("min_length", ctx.get("max_length"))
        word = "at least" if kind == "too_short" else "at most"
        return (
            "",
            f"expected {word} {n} item{'s' if n != 1 else ''}, got {ctx.get('actual_length')}",
        )
    if kind == "string_too_short":
        return "", f"expected non-empty text, got {_short(got)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return (
            "",
            f"expected {_PATTERNS.get(pattern, 'text matching ' + pattern)}, got {_short(got)}",
        )
    if kind in {"value_error", "assertion_error"}:
        return "", str(ctx.get("error", err["msg"]))
    return "", f"{err['msg']}, got {_short(got)}"  # pragma: no cover - unmapped pydantic error


def _hint(got: Any, options: list[str]) -> str:
    close = _suggest(got, options)
    return f" ({close.rstrip('; ')})" if close else ""


def _pydantic_problems(exc: ValidationError, data: Any) -> list[tuple[Loc, str, str]]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path, tp, value = _walk(loc, data)
        _ppath, parent_tp, parent = _walk(loc[:-1], data) if loc else ("", Scenario, data)
        suffix, msg = _describe(err, tp, value, parent_tp, parent)
        out.append((loc, path + suffix, msg))
    return out


def _doc_position(loc: Loc, data: Any) -> tuple[int, ...]:
    """Position of a location in the file: key / item indexes along the path (missing → last)."""
    pos: list[int] = []
    tags = {t[1] for m in _ALL_UNION_MEMBERS if (t := _tag_of(m))}
    for el in loc:
        if isinstance(data, dict):
            keys = list(data)
            if el in data:
                pos.append(keys.index(el))
                data = data[el]
                continue
            if el in tags and any(data.get(k) == el for k in ("model", "dist")):
                continue  # union tag inserted by pydantic
            pos.append(len(keys))
            break
        if isinstance(data, list) and isinstance(el, int) and 0 <= el < len(data):
            pos.append(el)
            data = data[el]
            continue
        break
    return tuple(pos)


def _in_document_order(
    problems: list[tuple[Loc, str, str]], data: dict[str, Any]
) -> list[tuple[str, str]]:
    """Sort problems by where they are in the file (stable: per-field before cross-field)."""
    ranked = sorted(problems, key=lambda p: _doc_position(p[0], data))
    return [(path, msg) for _loc, path, msg in ranked]


def _format(source: str, problems: list[tuple[str, str]]) -> str:
    seen: list[tuple[str, str]] = []
    for p in problems:
        if p not in seen:
            seen.append(p)
    n = len(seen)
    lines = [f"{source}: {n} problem{'s' if n != 1 else ''}"]
    lines += [f"  - {path}: {msg}" for path, msg in seen]
    return "\n".join(lines)


# --------------------------------------------------------------------------- cross-field checks


def _cross_problems(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Check references between sections on the raw mapping (tolerates malformed parts)."""
    problems: list[tuple[Loc, str]] = []
    unit_types = data.get("unit_types")
    ut_ids = [k for k in unit_types if isinstance(k, str)] if isinstance(unit_types, dict) else None
    incidents = data.get("incidents")
    incidents = incidents if isinstance(incidents, dict) else {}
    inc_ids = list(incidents)
    facilities = data.get("facilities")
    facilities = facilities if isinstance(facilities, list) else []
    relief = data.get("relief")
    relief = relief if isinstance(relief, dict) else {}
    per_person = relief.get("per_person_per_day") or relief.get("per_person", DEFAULT_PER_PERSON)
    items = list(per_person) if isinstance(per_person, dict) else None
    targets = data.get("targets")
    targets = targets if isinstance(targets, list) else []

    seen: dict[str, int] = {}
    for i, fac in enumerate(facilities):
        if not isinstance(fac, dict):
            continue
        fid = fac.get("id")
        if isinstance(fid, str):
            if fid in seen:
                problems.append(
                    (
                        ("facilities", i, "id"),
                        f"duplicate facility id {fid!r} (also facilities[{seen[fid]}])",
                    )
                )
            else:
                seen[fid] = i
        units = fac.get("units")
        if isinstance(units, dict) and ut_ids is not None:
            for key in units:
                if key not in ut_ids:
                    problems.append(
                        (("facilities", i, "units", key), _unknown("unit type", key, ut_ids))
                    )
        stock = fac.get("stock")
        if isinstance(stock, dict) and items is not None:
            for key in stock:
                if key not in items:
                    msg = (
                        f"stock item {key!r} is not in relief.per_person(_per_day) "
                        f"({_suggest(key, items)}defined: {', '.join(items) or 'none'})"
                    )
                    problems.append((("facilities", i, "stock", key), msg))

    needs_relief = []
    for name, inc in incidents.items():
        if not isinstance(inc, dict):
            continue
        units = inc.get("units")
        if isinstance(units, dict) and ut_ids is not None:
            for key in units:
                if key not in ut_ids:
                    problems.append(
                        (("incidents", name, "units", key), _unknown("unit type", key, ut_ids))
                    )
        fire = inc.get("fire")
        esc = fire.get("escalation") if isinstance(fire, dict) else None
        if isinstance(esc, dict) and isinstance(esc.get("units"), dict) and ut_ids is not None:
            for key in esc["units"]:
                if key not in ut_ids:
                    problems.append(
                        (("incidents", name, "fire", "escalation", "units", key), _unknown("unit type", key, ut_ids))
                    )
        if inc.get("affected_people") is not None:
            needs_relief.append(name)
        elif units == {}:
            msg = (
                "expected at least one unit type "
                "(only incidents with affected_people may have no units)"
            )
            problems.append((("incidents", name, "units"), msg))

    surge = data.get("surge")
    for j, ev in enumerate(surge if isinstance(surge, list) else []):
        if isinstance(ev, dict) and isinstance(ev.get("incidents"), dict):
            for key in ev["incidents"]:
                if key not in inc_ids:
                    problems.append((("surge", j, "incidents", key), _unknown("incident type", key, inc_ids)))
    truck = relief.get("truck_unit", DEFAULT_TRUCK_UNIT)
    if needs_relief and isinstance(truck, str):
        # A truck without a capacity would carry nobody: the engine splits loads by it.
        for i, fac in enumerate(facilities):
            spec = (
                fac.get("units", {}).get(truck)
                if isinstance(fac, dict) and isinstance(fac.get("units"), dict)
                else None
            )
            if (
                isinstance(spec, dict)
                and spec.get("count") != 0
                and spec.get("capacity_people") is None
            ):
                msg = "required key is missing (relief trucks need it: people served per load)"
                problems.append((("facilities", i, "units", truck, "capacity_people"), msg))
    if needs_relief and isinstance(truck, str) and ut_ids is not None and truck not in ut_ids:
        msg = (
            f"unit type {truck!r} is not defined in unit_types, but relief is needed by "
            f"{', '.join(needs_relief)} (affected_people) ({_suggest(truck, ut_ids)}"
            f"defined: {', '.join(ut_ids) or 'none'})"
        )
        problems.append((("relief", "truck_unit"), msg))

    seen_t: dict[str, int] = {}
    for i, tgt in enumerate(targets):
        if not isinstance(tgt, dict):
            continue
        tid = tgt.get("id")
        if isinstance(tid, str):
            if tid in seen_t:
                problems.append(
                    (
                        ("targets", i, "id"),
                        f"duplicate target id {tid!r} (also targets[{seen_t[tid]}])",
                    )
                )
            else:
                seen_t[tid] = i
        measure = tgt.get("measure")
        kinds = tgt.get("incident_types")
        if isinstance(kinds, list):
            for j, key in enumerate(kinds):
                if key not in inc_ids:
                    problems.append(
                        (
                            ("targets", i, "incident_types", j),
                            _unknown("incident type", key, inc_ids),
                        )
                    )
                elif (
                    measure == "relief"
                    and isinstance(incidents.get(key), dict)
                    and key not in needs_relief
                ):
                    msg = f"incident type {key!r} has no affected_people, so it never needs relief"
                    problems.append((("targets", i, "incident_types", j), msg))
        if measure in TIME_MEASURES:
            for key in ("incident_types", "threshold_h"):
                if tgt.get(key) is None:
                    problems.append(
                        (
                            ("targets", i, key),
                            f"required key is missing (measure {measure!r} needs it)",
                        )
                    )
            if kinds == []:
                problems.append(
                    (
                        ("targets", i, "incident_types"),
                        "expected at least one incident type, got []",
                    )
                )
            if tgt.get("required_per_mille") is not None:
                msg = f"only used by measure 'firefighter_ratio', not by {measure!r}"
                problems.append((("targets", i, "required_per_mille"), msg))
        if measure == "unit_arrival":
            ut = tgt.get("unit_type")
            if ut is None:
                problems.append((("targets", i, "unit_type"), "required key is missing (measure 'unit_arrival' needs it)"))
            elif ut_ids is not None and ut not in ut_ids:
                problems.append((("targets", i, "unit_type"), _unknown("unit type", ut, ut_ids)))
        if measure in {"contained", "burn_ratio"} and isinstance(kinds, list):
            for j, key in enumerate(kinds):
                if isinstance(incidents.get(key), dict) and incidents[key].get("fire") is None:
                    msg = f"incident type {key!r} has no `fire` block, so it is never contained or burns forest"
                    problems.append((("targets", i, "incident_types", j), msg))
        if measure == "burn_ratio":
            if tgt.get("max_per_mille") is None:
                problems.append((("targets", i, "max_per_mille"), "required key is missing (measure 'burn_ratio' needs it)"))
            if not any(isinstance(v, dict) and v.get("fire") is not None for v in incidents.values()):
                problems.append((("targets", i, "measure"), "no incident type has a `fire` block"))
        elif tgt.get("max_per_mille") is not None:
            msg = f"only used by measure 'burn_ratio', not by {measure!r}"
            problems.append((("targets", i, "max_per_mille"), msg))
        if measure == "firefighter_ratio":
            if tgt.get("required_per_mille") is None:
                msg = "required key is missing (measure 'firefighter_ratio' needs it)"
                problems.append((("targets", i, "required_per_mille"), msg))
            for key in ("incident_types", "threshold_h"):
                if key in tgt:
                    msg = (
                        "not used by measure 'firefighter_ratio' "
                        "(it compares staff per 1,000 residents)"
                    )
                    problems.append((("targets", i, key), msg))
    return problems


def _soft_problems(s: Scenario) -> list[str]:
    """Return warnings for a valid scenario: needs no unit can meet, unknown river names."""
    out: list[str] = []
    totals: dict[str, int] = dict.fromkeys(s.unit_types, 0)
    for fac in s.facilities:
        for key, spec in fac.units.items():
            totals[key] += spec.count
            if spec.capacity_people is not None and key != s.relief.truck_unit:
                out.append(
                    f"facilities[{fac.id}].units.{key}.capacity_people: only relief trucks "
                    f"({s.relief.truck_unit!r}) carry people's relief; ignored"
                )
    for name, inc in s.incidents.items():
        for key in inc.units:
            if totals.get(key, 0) == 0:
                out.append(
                    f"incidents.{name}.units.{key}: no facility has a {key!r} unit; "
                    f"these incidents will stay unserved"
                )
    relief_needed = [n for n, inc in s.incidents.items() if inc.affected_people is not None]
    if relief_needed:
        truck = s.relief.truck_unit
        if totals.get(truck, 0) == 0:
            out.append(
                f"relief.truck_unit: no facility has a {truck!r} unit; relief for "
                f"{', '.join(relief_needed)} will never arrive"
            )
        key = "per_person_per_day" if s.relief.per_person_per_day is not None else "per_person"
        for item in s.relief.items:
            if sum(f.stock.get(item, 0) for f in s.facilities) == 0:
                out.append(f"relief.{key}.{item}: no facility stocks {item!r}")
    known = set(geo.river_lines())
    for name, inc in s.incidents.items():
        if isinstance(inc.where, RiverWhere) and inc.where.rivers:
            for river in inc.where.rivers:
                if not known:
                    out.append(
                        f"incidents.{name}.where.rivers: cannot check {river!r}: "
                        "sim/data/rivers.geojson has not been built"
                    )
                elif river not in known:
                    out.append(
                        f"incidents.{name}.where.rivers: unknown river {river!r} "
                        f"({_suggest(river, sorted(known))}known: {', '.join(sorted(known))})"
                    )
    return out


# --------------------------------------------------------------------------- public API


def _build(data: Any, source: str) -> tuple[Scenario, list[str]]:
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        msg = (
            f"{source}: expected a mapping of keys (name: ..., unit_types: ...) "
            f"at the top level, got {kind}"
        )
        raise ScenarioError(msg)
    if "name" not in data:
        stem = Path(source).stem if not source.startswith("<") else "scenario"
        data = {**data, "name": stem}
    problems: list[tuple[Loc, str, str]] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        problems += _pydantic_problems(e, data)
    problems += [(loc, _walk(loc, data)[0], msg) for loc, msg in _cross_problems(data)]
    if problems or scenario is None:
        raise ScenarioError(_format(source, _in_document_order(problems, data)))
    return scenario, [f"{source}: {w}" for w in _soft_problems(scenario)]


def scenario_from_dict(data: dict[str, Any], *, source: str = "<dict>") -> Scenario:
    """Validate a scenario mapping (as read from YAML) and return the frozen `Scenario`.

    Parameters
    ----------
    data
        The mapping; not modified.
    source
        Name used in messages; a file path also gives the default ``name`` (its stem).

    Returns
    -------
    scenario
        The validated scenario with defaults filled in.

    Raises
    ------
    ScenarioError
        With every problem found, one per line (``path: what was expected, what was found``).
    """
    scenario, soft = _build(data, source)
    for w in soft:
        warnings.warn(w, UserWarning, stacklevel=2)
    return scenario


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys (plain PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys: dict[Any, Any] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *anchor` merges may be overridden by explicit keys
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # the base constructor reports unhashable keys
        if key in keys:
            first = keys[key]
            msg = f"duplicate key {key!r} (first given at line {first.start_mark.line + 1})"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        keys[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        context = e.context or ""
        if context and e.context_mark is not None and e.problem_mark is not None:
            context += f" (started at line {e.context_mark.line + 1})"
        problem = "; ".join(str(p) for p in (context, e.problem) if p)
        kind = (
            "YAML error"
            if isinstance(e, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        msg = f"{source}: {kind}{where}: {problem}"
        raise ScenarioError(msg) from e
    except yaml.YAMLError as e:
        msg = f"{source}: YAML syntax error: {e}"
        raise ScenarioError(msg) from e


def _read_file(path: str | Path) -> dict[str, Any]:
    source = str(path)
    p = Path(path)
    if not p.exists():
        msg = f"{source}: scenario file not found"
        raise ScenarioError(msg)
    if p.is_dir():
        msg = f"{source}: is a directory, expected a scenario file"
        raise ScenarioError(msg)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        msg = f"{source}: cannot read the file as UTF-8 text ({e.reason} at byte {e.start})"
        raise ScenarioError(msg) from e
    except OSError as e:
        msg = f"{source}: cannot read the file ({e.strerror or e})"
        raise ScenarioError(msg) from e
    return _read_yaml(text, source)


def merge_scenario_data(base: Any, change: Any) -> Any:
    """Deep-merge a variant onto its base scenario mapping.

    Mappings merge key by key; lists whose items all carry an ``id`` (facilities, targets,
    surge days with ids) merge item by item — an item with the same id is merged, a new id is
    appended, and ``{id: X, remove: true}`` drops item X; any other value replaces the base.
    """
    if isinstance(base, dict) and isinstance(change, dict):
        out = dict(base)
        for k, v in change.items():
            out[k] = merge_scenario_data(base[k], v) if k in base else v
        return out
    if (
        isinstance(base, list)
        and isinstance(change, list)
        and all(isinstance(x, dict) and "id" in x for x in base + change)
    ):
        items = {x["id"]: x for x in base}
        order = [x["id"] for x in base]
        for x in change:
            if x.get("remove") is True:
                items.pop(x["id"], None)
                continue
            if x["id"] in items:
                items[x["id"]] = merge_scenario_data(items[x["id"]], x)
            else:
                items[x["id"]] = x
                order.append(x["id"])
        return [items[i] for i in order if i in items]
    return change


def read_scenario_data(path: str | Path, _seen: tuple[str, ...] = ()) -> Any:
    """Read a scenario file as a raw mapping, resolving ``extends:`` (a base file to vary).

    ``extends`` is a path relative to the file; the variant's keys are merged onto the base
    with `merge_scenario_data`. The variant's ``name`` does not inherit.
    """
    data = _read_file(path)
    if not isinstance(data, dict):
        return data  # reported by the validator with the file name
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data
    if not isinstance(base_ref, str):
        msg = f"{path}: 1 problem\n  - extends: expected a path to the base scenario file, got {base_ref!r}"
        raise ScenarioError(msg)
    base_path = (Path(path).parent / base_ref).resolve()
    if str(base_path) in _seen:
        msg = f"{path}: 1 problem\n  - extends: {base_ref!r} extends itself (cycle {' -> '.join(_seen)})"
        raise ScenarioError(msg)
    if not base_path.is_file():
        msg = f"{path}: 1 problem\n  - extends: base scenario {base_ref!r} not found (looked at {base_path})"
        raise ScenarioError(msg)
    base = read_scenario_data(base_path, (*_seen, str(Path(path).resolve())))
    base.pop("name", None)
    return merge_scenario_data(base, data)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML scenario file.

    Parameters
    ----------
    path
        Scenario file (``.yaml``/``.yml``; JSON is valid YAML too).

    Returns
    -------
    scenario
        The validated scenario; ``name`` defaults to the file name without extension.

    Raises
    ------
    ScenarioError
        If the file is missing or unreadable, is not valid YAML (line and column given), is not
        a mapping, or has any invalid value (every problem listed, see `scenario_from_dict`).
    """
    source = str(path)
    data = read_scenario_data(path)
    scenario, soft = _build(data, source)
    for w in soft:
        warnings.warn(w, UserWarning, stacklevel=2)
    return scenario


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the resolved scenario (defaults filled in) as plain JSON/YAML-safe data.

    Keys whose value is null (optional and unset) are left out; dates are ISO strings.
    ``scenario_from_dict(scenario_to_dict(s)) == s``.
    """
    return scenario.model_dump(mode="json", exclude_none=True)


def dump_scenario_yaml(scenario: Scenario) -> str:
    """Return the resolved scenario as YAML text (Chinese kept readable, keys in schema order)."""
    return yaml.safe_dump(
        scenario_to_dict(scenario),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=100,
    )


# --------------------------------------------------------------------------- overrides


def _no_such(what: str, seg: str, where: str, options: list[str], listed: str) -> str:
    return f"no {what} {seg!r} in {where} ({_suggest(seg, options)}{listed}: {', '.join(options)})"


def _set_one(data: dict[str, Any], key: str, value: Any) -> str | None:
    """Set one dotted path inside ``data`` (mutated); return a problem message or None."""
    segments = key.split(".")
    if not key or any(not s for s in segments):
        return f"expected a dotted path like facilities.ID.units.engine.count, got {key!r}"
    node: Any = data
    tp: Any = Scenario
    for k, seg in enumerate(segments):
        last = k == len(segments) - 1
        where = ".".join(segments[:k]) or "the top level"
        utp = _unwrap(tp)
        if isinstance(node, dict):  # a discriminated union: the data's tag picks the member
            for m in _union_members(utp):
                t = _tag_of(m)
                if t is not None and node.get(t[0]) == t[1]:
                    utp = m
        if isinstance(node, list):
            ids = [x.get("id") if isinstance(x, dict) else None for x in node]
            if seg in ids:
                idx = ids.index(seg)
            elif seg.isdigit() and int(seg) < len(node):
                idx = int(seg)
            else:
                return _no_such(
                    "item with id", seg, where, [str(i) for i in ids if i is not None], "ids"
                )
            if last:
                node[idx] = value
                return None
            node, tp = node[idx], _child_type(utp, idx)
        elif isinstance(node, dict):
            child_tp = _child_type(utp, seg)
            if seg not in node:
                if child_tp is None:  # neither in the file nor allowed by the schema
                    keys = sorted({str(x) for x in node} | set(_allowed_keys(utp, node)))
                    return _no_such("key", seg, where, keys, "keys")
                if not last:
                    inner = _unwrap(child_tp)
                    if not (_is_model(inner) or typing.get_origin(inner) is dict):
                        # e.g. `where` or `on_scene`: its `model`/`dist` must be chosen first
                        full = ".".join(segments[: k + 1])
                        return f"no key {seg!r} in {where}: set the whole mapping, {full}={{...}}"
                    node[seg] = {}
            if last:
                node[seg] = value
                return None
            node, tp = node[seg], child_tp
        else:
            return f"{where} is {_short(node)}, not a mapping or list, so it has no {seg!r}"
    return None  # pragma: no cover - the loop always returns on the last segment


def apply_overrides(
    data: dict[str, Any], overrides: list[tuple[str, str]], *, source: str
) -> dict[str, Any]:
    """Return a copy of a raw scenario mapping with ``KEY=VALUE`` overrides applied.

    Parameters
    ----------
    data
        Raw scenario mapping (as read from YAML); not modified.
    overrides
        ``(KEY, VALUE)`` pairs. KEY is a dotted path; list items (facilities, targets) are
        addressed by their ``id``: ``facilities.regional_centre.units.rescue_vehicle.count``,
        ``targets.initial_relief.threshold_h``, ``incidents.flood.rate.per_year``. VALUE is
        parsed as YAML, so ``5`` is an integer and ``[1, 2]`` a list.
    source
        Name of the scenario file, for messages.

    Returns
    -------
    data
        A new mapping; validate it with `scenario_from_dict` (type errors are found there).

    Raises
    ------
    ScenarioError
        If a path does not exist (naming the failing segment, with close matches) or a value is
        not valid YAML. A missing final key is accepted when the schema allows it (adding a unit
        type to a facility's ``units``, setting an optional key).
    """
    if not isinstance(data, dict):
        msg = f"{source}: expected a mapping at the top level, got {type(data).__name__}"
        raise ScenarioError(msg)
    out = copy.deepcopy(data)
    problems: list[tuple[str, str]] = []
    for key, text in overrides:
        try:
            value = yaml.safe_load(text) if isinstance(text, str) else text
        except yaml.YAMLError as e:
            problems.append((f"override {key}", f"value {text!r} is not valid YAML ({e})"))
            continue
        if isinstance(value, float) and not math.isfinite(value):
            problems.append((f"override {key}", f"expected a finite number, got {text!r}"))
            continue
        problem = _set_one(out, key, value)
        if problem is not None:
            problems.append((f"override {key}", problem))
    if problems:
        raise ScenarioError(_format(source, problems))
    return out
