"""The scenario schema: frozen pydantic models of every section, with their constants."""

from __future__ import annotations

import typing
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim import geo
from sim.errors import PlaceError
from sim.results.measures import MEASURES
from sim.scenario.network_spec import network_spec_problem

__all__ = [
    "DAMAGE_FRACTION",
    "DEFAULT_PER_PERSON",
    "DEFAULT_TRUCK_UNIT",
    "LEVEL_IDS",
    "LEVEL_LABELS_ZH",
    "Access",
    "AirMission",
    "AirScaling",
    "AirSpec",
    "Amount",
    "Assumption",
    "Aviation",
    "AviationPoint",
    "BoatSpec",
    "Callback",
    "Calls",
    "ClosureRuleSpec",
    "CoverSpec",
    "CoverageSpec",
    "Detection",
    "DispatchSpec",
    "Disruption",
    "Duration",
    "Escalation",
    "ExponentialAmount",
    "ExponentialDuration",
    "ExternalWhere",
    "Facility",
    "FireRain",
    "FireSpec",
    "FixedAmount",
    "FixedDuration",
    "ForestWhere",
    "GammaAmount",
    "GammaDuration",
    "IncidentType",
    "Label",
    "LevelEscalation",
    "Location",
    "LognormalAmount",
    "LognormalDuration",
    "Maintenance",
    "MutualAid",
    "Point",
    "PointsWhere",
    "PopulationWhere",
    "Rate",
    "ReassignmentSpec",
    "RegionSpec",
    "Relief",
    "Reserve",
    "RiverWhere",
    "Role",
    "Roster",
    "Scenario",
    "SeverityLevel",
    "StaffSpec",
    "Staffing",
    "StaticClosure",
    "Surge",
    "Target",
    "UnitSpec",
    "UnitType",
    "Where",
    "context_region",
]

DEFAULT_PER_PERSON = {"relief_kit": 1.0}
#: Damaged forest / area burned over of 广西's 2,309 forest fires of 2016–2021: 5,866.88 ha
#: damaged / 19,249.52 ha burned over = 0.3048, rounded (何蕓 2022; DATA.md, "Forest fire sizes").
DAMAGE_FRACTION = 0.305
DEFAULT_TRUCK_UNIT = "relief_truck"
_ID_PATTERN = r"^[A-Za-z0-9_-]+$"

# --------------------------------------------------------------------------- bounds
# Upper bounds of every magnitude. Each lies far beyond any planning value for a city (韶关:
# 2.86 million residents, about 1,300 incidents a year, a road network of ~200 km across) and
# keeps every array, date and sum the simulation builds finite and in memory. They are shown
# with each key in docs/scenario-reference.md; the command-line flags use the same values.

#: Simulated period: 10 years (longer questions are answered with more replications).
MAX_HORIZON_DAYS = 3660
#: Replications of one run (each keeps its incident table in memory).
MAX_REPLICATIONS = 10_000
#: Largest seed (a signed 64-bit integer, as written in metrics.json and read back).
MAX_SEED = 2**63 - 1
#: Calendar window of `start_date` (the calendar, daylight and month tables stay valid).
MIN_START_DATE = date(1900, 1, 1)
MAX_START_DATE = date(2199, 12, 31)
#: Residents of the study area (the largest Chinese city-region has about 32 million).
MAX_POPULATION = 100_000_000
#: Incidents per year of one type, absolute and per 100,000 residents (one per resident).
MAX_RATE_PER_YEAR = 1_000_000
MAX_RATE_PER_100K = 100_000
#: Relative monthly or hourly intensity (only ratios matter).
MAX_INTENSITY = 1_000_000
#: Units of one type at one facility, or required by one incident.
MAX_UNITS = 1_000
#: Persons per unit.
MAX_CREW = 100
#: Full-time staff of one facility.
MAX_STAFF = 1_000_000
#: Stock of one relief item at one facility.
MAX_STOCK = 1_000_000_000
#: People in one disaster, served by one truckload or flight, or calling mutual aid.
MAX_PEOPLE = 10_000_000
#: Range ends of an assumption: the largest bound of any number it may set (`MAX_STOCK`); each
#: sampled value is then checked again against the bound of the field it sets.
MAX_ASSUMPTION_VALUE = MAX_STOCK
#: Any duration or delay in hours (one year).
MAX_DURATION_H = 8760
#: Short steps in seconds (turnout, bucket fill and drop, boat launch): one day.
MAX_STEP_S = 86_400
#: Road, boat and off-road speeds; aircraft speeds; walking speed (km/h).
MAX_ROAD_SPEED_KPH = 200
MAX_AIR_SPEED_KPH = 1_000
MAX_WALK_SPEED_KPH = 20
#: Path length over straight-line distance.
MAX_CIRCUITY = 10
#: Offsets and walks around a point (m): 100 km.
MAX_OFFSET_M = 100_000
#: Radii of closures and village stores (m): 500 km, more than the city's extent.
MAX_RADIUS_M = 500_000
#: Relative weight of a listed incident point.
MAX_WEIGHT = 1_000_000
#: Fire line per unit (m/h) and per bucket drop (m).
MAX_FIRELINE_M_PER_H = 100_000
MAX_LINE_PER_DROP_M = 10_000
#: Fire ellipse length-to-breadth ratio, free-burning size (ha; the city has about 1.8 million).
MAX_LB_RATIO = 20
MAX_AREA_HA = 10_000_000
#: Reinforcement rounds of an extended attack.
MAX_ROUNDS = 100
#: Depots sharing one demand.
MAX_DEPOTS = 1_000
#: Days of need one disaster's relief covers.
MAX_DAYS_OF_NEED = 365
#: Per-mille requirements.
MAX_PER_MILLE = 1_000
#: Extra incidents of one type on one surge day.
MAX_SURGE = 100_000
#: Relief need per person and day of one item.
MAX_PER_PERSON = 1_000
#: Spread of a lognormal or gamma: standard deviation / mean between 1/1000 and 1000.
MAX_CV = 1_000
#: Most range of an aircraft (km) and yuan a year for one unit or post.
MAX_RANGE_KM = 10_000
MAX_COST_PER_YEAR = 10**12
#: Expected incidents of one replication (an upper estimate from the rates, the busiest month
#: and the horizon) and of the whole run: each incident is a row of every replication's table.
MAX_INCIDENTS_PER_REPLICATION = 500_000
MAX_INCIDENTS_PER_RUN = 5_000_000
#: Characters of a scenario name (it names the results folder: its UTF-8 form, at 3 bytes per
#: Chinese character, and the writer's suffixes stay inside the 255-byte limit of file names).
MAX_NAME_CHARS = 64
#: Characters of a one-line text (labels, display names, ids) and of the free-text description.
MAX_LINE_CHARS = 200
MAX_TEXT_CHARS = 20_000

# Strict numbers: YAML already gives real ints/floats, so a string or a bool where a number
# belongs is a mistake worth reporting (lax mode would silently turn `yes` into 1).
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict(), Field(allow_inf_nan=False)]


def _one_line(value: str) -> str:
    """Refuse control characters (NUL, line breaks, tabs) in a one-line text."""
    bad = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        msg = (
            "expected one line of text without control characters, "
            f"got {_cut(value)} (holds {bad!r})"
        )
        raise ValueError(msg)
    return value


def _free_text(value: str) -> str:
    """Refuse control characters other than line breaks and tabs in free text."""
    bad = next((c for c in value if unicodedata.category(c) == "Cc" and c not in "\n\r\t"), None)
    if bad is not None:
        msg = f"expected text without control characters, got {_cut(value)} (holds {bad!r})"
        raise ValueError(msg)
    return value


def _cut(value: str, limit: int = 40) -> str:
    text = repr(value[: limit + 1])
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: One line of text (labels, names, ids, place names): no control characters, bounded length.
Line = Annotated[str, Field(max_length=MAX_LINE_CHARS), AfterValidator(_one_line)]
#: Free text (descriptions, reasons): line breaks allowed.
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(_free_text)]


class _Model(BaseModel):
    """Base of every scenario record: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def context_region(info: ValidationInfo | None) -> geo.Region | None:
    """Return the region places are checked against during validation.

    The loader passes the scenario's region as ``context={"region": ...}``; None there means
    the region itself is invalid (reported on its own) and place checks are skipped. Without
    a context (records built in code) the shipped Shaoguan region applies.
    """
    ctx = info.context if info is not None else None
    if not isinstance(ctx, dict) or "region" not in ctx:
        return geo.shaoguan_region()
    region = ctx["region"]
    return region if isinstance(region, geo.Region) else None


# --------------------------------------------------------------------------- small records


class Label(_Model):
    """A bilingual display label."""

    zh: Line = Field(min_length=1, description="Chinese label, e.g. `水罐消防车`.")
    en: Line = Field(min_length=1, description="English label, e.g. `Water tender`.")


class Access(_Model):
    """Off-network leg from an incident point to its nearest road node."""

    speed_kph: Float = Field(
        default=30.0,
        gt=0,
        le=MAX_ROAD_SPEED_KPH,
        description="Speed on the off-network leg (km/h).",
    )
    circuity: Float = Field(
        default=1.4,
        ge=1,
        le=MAX_CIRCUITY,
        description="Path length / straight-line distance on that leg (-).",
    )
    max_distance_m: Float = Field(
        default=20000.0,
        gt=0,
        le=MAX_RADIUS_M,
        description=(
            "Farthest a facility may lie from the road network, and beyond which demand counts "
            "as off the network (warning) (m)."
        ),
    )


class Maintenance(_Model):
    """Why an aircraft is not serviceable: inspections by flight hours and calendar, failures."""

    inspection_every_flight_h: Float | None = Field(
        le=MAX_DURATION_H,
        default=None,
        gt=0,
        description="Scheduled inspection after this many flight hours (h); not set = none.",
    )
    inspection_days: Float = Field(
        le=MAX_HORIZON_DAYS,
        default=2.0,
        ge=0,
        description="Time out of service for that inspection (days).",
    )
    annual_days: Float = Field(
        le=MAX_HORIZON_DAYS,
        default=0.0,
        ge=0,
        description=(
            "Calendar (annual) inspection, once a year, staggered over the fleet (days); 0 = none."
        ),
    )
    failure_mean_days: Float | None = Field(
        le=MAX_HORIZON_DAYS,
        default=None,
        gt=0,
        description=(
            "Mean calendar time between unscheduled failures (days); not set = no failures."
        ),
    )
    repair_mean_days: Float = Field(
        le=MAX_HORIZON_DAYS,
        default=2.0,
        gt=0,
        description="Mean repair time after a failure (days), lognormal.",
    )
    repair_sd_days: Float = Field(
        le=MAX_HORIZON_DAYS,
        default=2.0,
        gt=0,
        description="Standard deviation of the repair time (days).",
    )


class AirSpec(_Model):
    """Flight performance of an aircraft unit type (helicopter)."""

    cruise_kph: Float = Field(
        default=232.0,
        gt=0,
        le=MAX_AIR_SPEED_KPH,
        description="Cruise speed (km/h); Ka-32A11BC 232, AC311A 236, AW139 ≈ 290.",
    )
    efficiency: Float = Field(
        default=0.8, gt=0, le=1, description="Effective speed / cruise (winds, climb, routing) (-)."
    )
    night_capable: bool = Field(
        default=False,
        description="May fly between sunset and sunrise (rescue flights are VFR by default).",
    )
    bucket_speed_kph: Float = Field(
        default=130.0,
        gt=0,
        le=MAX_AIR_SPEED_KPH,
        description="Speed with a slung water bucket (km/h), 120–150.",
    )
    fill_s: Float = Field(
        default=90.0,
        ge=0,
        le=MAX_STEP_S,
        description="Time to fill the bucket at a water point (s).",
    )
    drop_s: Float = Field(
        default=30.0, ge=0, le=MAX_STEP_S, description="Time to position and drop (s)."
    )
    line_per_drop_m: Float = Field(
        default=30.0,
        ge=0,
        le=MAX_LINE_PER_DROP_M,
        description="Fire line held by one bucket drop (m); ASSUMPTION 20–40.",
    )
    range_km: Float | None = Field(
        le=MAX_RANGE_KM,
        default=None,
        gt=0,
        description=(
            "Range on full tanks (km); not set = unlimited. A mission longer than the usable "
            "range makes fuel stops."
        ),
    )
    reserve_share: Float = Field(
        default=0.2, ge=0, lt=1, description="Share of the range kept as fuel reserve (-)."
    )
    refuel_min: Float = Field(
        le=MAX_DURATION_H * 60,
        default=30.0,
        ge=0,
        description="Time of one fuel stop (landing, refuelling) (min).",
    )
    maintenance: Maintenance | None = Field(
        default=None,
        description="Scheduled and unscheduled maintenance; not set = always serviceable.",
    )


class BoatSpec(_Model):
    """A boat carried by a road unit (water-rescue team with an assault boat, 冲锋舟)."""

    speed_kph: Float = Field(
        default=25.0,
        gt=0,
        le=MAX_ROAD_SPEED_KPH,
        description="Boat speed on the river in flood (km/h).",
    )
    launch_s: Float = Field(
        default=600.0, ge=0, le=MAX_STEP_S, description="Unloading and launching at the bank (s)."
    )


class UnitType(_Model):
    """A kind of resource (vehicle, team or aircraft)."""

    label: Label = Field(description="Display label.")
    vehicle: Literal["heavy", "light"] = Field(
        default="heavy",
        description="Road speed profile: `heavy` uses `travel_time_heavy`, `light` `travel_time`.",
    )
    mode: Literal["road", "air"] = Field(
        default="road",
        description="`road` (drives on the network) or `air` (flies straight, daylight only).",
    )
    air: AirSpec | None = Field(
        default=None, description="Flight performance (mode `air`; defaults apply)."
    )
    boat: BoatSpec | None = Field(
        default=None, description="Carries a boat: may reach river incidents by road then boat."
    )
    fireline_m_per_h: Float = Field(
        default=0.0,
        ge=0,
        le=MAX_FIRELINE_M_PER_H,
        description="Forest fire line built and held per unit on scene (m/h); 0 = none.",
    )
    walks_in: bool | None = Field(
        default=None,
        description=(
            "Forest fires: the crew leaves its vehicle at the road end and walks the last "
            "`fire.max_walk_m` to the fire; vehicles that do not walk (satellite comms vehicles) "
            "stop at the road end. Default: crews that build fire line (`fireline_m_per_h` > 0) "
            "walk, other units do not."
        ),
    )
    comms_setup_min: Float | None = Field(
        default=None,
        ge=0,
        le=MAX_DURATION_H * 60,
        description=(
            "Carries emergency communications (satellite vehicle, portable satellite or "
            "narrowband kit): the link is up this many minutes after the unit arrives "
            "(`comms_h` column, `comms_established` measure); omitted = carries none."
        ),
    )

    crew_roles: dict[str, Annotated[int, Strict(), Field(ge=1, le=MAX_CREW)]] | None = Field(
        default=None,
        description=(
            "Crew by role (`staffing.roles`) a unit needs on duty to leave, at staffed facilities."
        ),
    )
    cost_per_year: Float = Field(
        le=MAX_COST_PER_YEAR,
        default=0.0,
        ge=0,
        description="Cost of one unit per year (yuan/yr): depreciation, operation, maintenance.",
    )

    @property
    def walks(self) -> bool:
        """Whether the crew walks in to forest fires (`walks_in`, or builds fire line)."""
        if self.walks_in is not None:
            return self.walks_in
        return self.mode == "road" and self.fireline_m_per_h > 0

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
        if self.mode == "air" and self.walks_in:
            msg = "an aircraft does not walk in (`walks_in` needs mode: road)"
            raise ValueError(msg)
        return self


class UnitSpec(_Model):
    """How many units of one type a facility holds, and how they turn out."""

    count: Int = Field(ge=0, le=MAX_UNITS, description="Number of units (vehicles or teams).")
    crew: Int = Field(default=4, ge=1, le=MAX_CREW, description="Persons per unit.")
    turnout_s: Float = Field(
        default=60.0,
        ge=0,
        le=MAX_STEP_S,
        description="Alarm to wheels rolling (s). Full-time ~60, township teams 180–300.",
    )
    capacity_people: Int | None = Field(
        default=None,
        ge=1,
        le=MAX_PEOPLE,
        description="Relief trucks only: affected people served by one truckload (persons).",
    )
    crew_roles: dict[str, Annotated[int, Strict(), Field(ge=1, le=MAX_CREW)]] | None = Field(
        default=None,
        description="Crew by role for these units; replaces the unit type's `crew_roles`.",
    )


class Location(_Model):
    """A place given by town name (optionally with county) or by WGS84 coordinates."""

    town: Line | None = Field(
        default=None,
        description=(
            "Township name: `乐城街道`, `乐城`, pinyin `Lecheng`, or a county name (= its seat)."
        ),
    )
    county: Line | None = Field(
        default=None, description="County to disambiguate a town name (`仁化县` or `仁化`)."
    )
    lon: Float | None = Field(default=None, description="Longitude (WGS84 degrees), with `lat`.")
    lat: Float | None = Field(default=None, description="Latitude (WGS84 degrees), with `lon`.")

    @model_validator(mode="after")
    def _one_form(self, info: ValidationInfo) -> Location:
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
            region = context_region(info)
            try:
                if region is not None:
                    region.check_lonlat(self.lon, self.lat)
            except PlaceError as e:
                raise ValueError(str(e)) from e
        elif self.town is not None:
            region = context_region(info)
            try:
                if region is not None:
                    region.resolve_town(self.town, county=self.county)
            except PlaceError as e:
                raise ValueError(str(e)) from e
        return self

    def lonlat(self, region: geo.Region | None = None) -> tuple[float, float]:
        """Return the WGS84 (lon, lat) of the place (the town seat for a town).

        Town names are looked up in `region` (default: the shipped Shaoguan region).
        """
        if self.town is not None:
            town = (region or geo.shaoguan_region()).resolve_town(self.town, county=self.county)
            return (town.lon, town.lat)
        return (float(self.lon), float(self.lat))  # type: ignore[arg-type]


class Point(Location):
    """A weighted location of the `points` spatial model."""

    weight: Float = Field(default=1.0, gt=0, le=MAX_WEIGHT, description="Relative weight (-).")


def _resolve_counties(
    names: tuple[str, ...] | None, info: ValidationInfo
) -> tuple[str, ...] | None:
    """Normalise county names (full or short, or pinyin) to the full names of the region's units."""
    region = context_region(info)
    if names is None or region is None:
        return names
    out: list[str] = []
    problems: list[str] = []
    for name in names:
        try:
            out.append(region.resolve_county(name).name)
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
        default=1500.0,
        ge=0,
        le=MAX_OFFSET_M,
        description="Maximum offset of the incident from the river line (m).",
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
        default=3000.0,
        ge=0,
        le=MAX_OFFSET_M,
        description="Minimum distance from any town seat (m).",
    )

    _check_counties = field_validator("counties")(_resolve_counties)


class PointsWhere(_Model):
    """Incidents at listed points, chosen by weight."""

    model: Literal["points"] = Field(description="`points`.")
    points: tuple[Point, ...] = Field(
        min_length=1, description="`{town, county?, weight}` or `{lon, lat, weight}` items."
    )


#: Bounding box a place outside Shaoguan may lie in (Guangdong and its neighbours, degrees).
EXTERNAL_LON = (109.0, 118.0)
EXTERNAL_LAT = (20.0, 27.0)


class ExternalWhere(_Model):
    """Incidents in a neighbouring prefecture (demand on the regional centre), around a point."""

    model: Literal["external"] = Field(description="`external`.")
    region: Label = Field(description="Name of the place, e.g. `{zh: 清远市, en: Qingyuan}`.")
    lon: Float = Field(description="Longitude of the centre of the demand (WGS84 degrees).")
    lat: Float = Field(description="Latitude of the centre of the demand (WGS84 degrees).")
    spread_km: Float = Field(
        le=MAX_RADIUS_M / 1000,
        default=20.0,
        ge=0,
        description="Incidents are scattered uniformly within this radius (km).",
    )

    @model_validator(mode="after")
    def _in_region(self) -> ExternalWhere:
        if not (EXTERNAL_LON[0] <= self.lon <= EXTERNAL_LON[1]) or not (
            EXTERNAL_LAT[0] <= self.lat <= EXTERNAL_LAT[1]
        ):
            msg = (
                f"expected a point in south China (lon {EXTERNAL_LON[0]:g}–{EXTERNAL_LON[1]:g}, "
                f"lat {EXTERNAL_LAT[0]:g}–{EXTERNAL_LAT[1]:g}), got lon={self.lon}, lat={self.lat}"
            )
            raise ValueError(msg)
        return self


Where = Annotated[
    Union[PopulationWhere, RiverWhere, ForestWhere, PointsWhere, ExternalWhere],  # noqa: UP007 - discriminated union
    Field(discriminator="model"),
]


def _spread_problem(mean: float, sd: float, mean_key: str, sd_key: str) -> str | None:
    """Say why a standard deviation is too far from its mean to sample, or None."""
    if sd > MAX_CV * mean or sd * MAX_CV < mean:
        return (
            f"expected {sd_key} between {mean_key}/{MAX_CV:,} and {MAX_CV:,} × {mean_key} "
            f"({mean_key} is {mean:g}), got {sd:g}; for no spread use dist: fixed"
        )
    return None


class FixedDuration(_Model):
    """Always the same duration."""

    dist: Literal["fixed"] = Field(description="`fixed`.")
    value_h: Float = Field(gt=0, le=MAX_DURATION_H, description="Duration (h).")

    @property
    def mean_h(self) -> float:
        """Mean duration (h)."""
        return self.value_h


class ExponentialDuration(_Model):
    """Exponentially distributed duration."""

    dist: Literal["exponential"] = Field(description="`exponential`.")
    mean_h: Float = Field(gt=0, le=MAX_DURATION_H, description="Mean (h).")


class LognormalDuration(_Model):
    """Lognormal duration given by its mean and standard deviation (not the log-scale ones)."""

    dist: Literal["lognormal"] = Field(description="`lognormal`.")
    mean_h: Float = Field(gt=0, le=MAX_DURATION_H, description="Mean (h).")
    sd_h: Float = Field(gt=0, le=MAX_DURATION_H, description="Standard deviation (h).")

    @model_validator(mode="after")
    def _spread(self) -> LognormalDuration:
        problem = _spread_problem(self.mean_h, self.sd_h, "mean_h", "sd_h")
        if problem is not None:
            raise ValueError(problem)
        return self


class GammaDuration(_Model):
    """Gamma duration given by its mean and standard deviation."""

    dist: Literal["gamma"] = Field(description="`gamma`.")
    mean_h: Float = Field(gt=0, le=MAX_DURATION_H, description="Mean (h).")
    sd_h: Float = Field(gt=0, le=MAX_DURATION_H, description="Standard deviation (h).")

    @model_validator(mode="after")
    def _spread(self) -> GammaDuration:
        problem = _spread_problem(self.mean_h, self.sd_h, "mean_h", "sd_h")
        if problem is not None:
            raise ValueError(problem)
        return self


Duration = Annotated[
    Union[FixedDuration, ExponentialDuration, LognormalDuration, GammaDuration],  # noqa: UP007
    Field(discriminator="dist"),
]


class FixedAmount(_Model):
    """Always the same number of people."""

    dist: Literal["fixed"] = Field(description="`fixed`.")
    value: Float = Field(gt=0, le=MAX_PEOPLE, description="People (persons).")

    @property
    def mean(self) -> float:
        """Mean number of people (persons)."""
        return self.value


class ExponentialAmount(_Model):
    """Exponentially distributed number of people (rounded, at least 1)."""

    dist: Literal["exponential"] = Field(description="`exponential`.")
    mean: Float = Field(gt=0, le=MAX_PEOPLE, description="Mean (persons).")


class LognormalAmount(_Model):
    """Lognormal number of people (rounded, at least 1) by mean and standard deviation."""

    dist: Literal["lognormal"] = Field(description="`lognormal`.")
    mean: Float = Field(gt=0, le=MAX_PEOPLE, description="Mean (persons).")
    sd: Float = Field(gt=0, le=MAX_PEOPLE, description="Standard deviation (persons).")

    @model_validator(mode="after")
    def _spread(self) -> LognormalAmount:
        problem = _spread_problem(self.mean, self.sd, "mean", "sd")
        if problem is not None:
            raise ValueError(problem)
        return self


class GammaAmount(_Model):
    """Gamma number of people (rounded, at least 1) by mean and standard deviation."""

    dist: Literal["gamma"] = Field(description="`gamma`.")
    mean: Float = Field(gt=0, le=MAX_PEOPLE, description="Mean (persons).")
    sd: Float = Field(gt=0, le=MAX_PEOPLE, description="Standard deviation (persons).")

    @model_validator(mode="after")
    def _spread(self) -> GammaAmount:
        problem = _spread_problem(self.mean, self.sd, "mean", "sd")
        if problem is not None:
            raise ValueError(problem)
        return self


Amount = Annotated[
    Union[FixedAmount, ExponentialAmount, LognormalAmount, GammaAmount],  # noqa: UP007
    Field(discriminator="dist"),
]


class Rate(_Model):
    """Annual mean count of an incident type: absolute or per 100,000 residents."""

    per_year: Float | None = Field(
        default=None, ge=0, le=MAX_RATE_PER_YEAR, description="Incidents per year (1/yr)."
    )
    per_100k_per_year: Float | None = Field(
        default=None,
        ge=0,
        le=MAX_RATE_PER_100K,
        description="Incidents per 100,000 residents per year.",
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


NonNegFloat = Annotated[float, Strict(), Field(ge=0, le=MAX_INTENSITY, allow_inf_nan=False)]
PosFloat = Annotated[float, Strict(), Field(gt=0, le=MAX_PER_PERSON, allow_inf_nan=False)]


class Detection(_Model):
    """How soon a forest fire is seen (lookout towers, cameras, patrols)."""

    coverage: Float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Share of forest under lookout/camera coverage (-); plan ≥ 0.9.",
    )
    covered_mean_h: Float = Field(
        default=0.25, gt=0, le=MAX_DURATION_H, description="Mean detection delay where covered (h)."
    )
    uncovered_mean_h: Float = Field(
        default=2.0, gt=0, le=MAX_DURATION_H, description="Mean detection delay elsewhere (h)."
    )


class FireRain(_Model):
    """Rain days during a fire (drawn per fire and calendar day)."""

    daily_probability: Float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="Chance that a given day is rainy at the fire (-); dry season ASSUMPTION.",
    )
    spread_factor: Float = Field(
        default=0.2, ge=0, le=1, description="Spread multiplier on rainy days (-)."
    )


class Escalation(_Model):
    """Extended attack: each `after_h` a fire is still uncontained, request more units."""

    after_h: Float = Field(
        default=4.0,
        gt=0,
        le=MAX_DURATION_H,
        description="Interval between reinforcement requests (h).",
    )
    units: dict[str, Annotated[int, Strict(), Field(ge=1, le=MAX_UNITS)]] = Field(
        description="Unit type id → number requested each round."
    )
    max_rounds: Int = Field(
        default=3, ge=1, le=MAX_ROUNDS, description="Most reinforcement rounds per fire."
    )


class AirScaling(_Model):
    """Large fires ask for more aircraft as they grow."""

    unit_type: str = Field(description="Aircraft unit type requested (mode `air`).")
    ha_per_unit: Float = Field(
        le=MAX_AREA_HA, gt=0, description="One aircraft is wanted per this much burned area (ha)."
    )
    max_units: Int = Field(
        default=6, ge=1, description="Most aircraft one fire asks for.", le=MAX_UNITS
    )


class FireSpec(_Model):
    """Forest-fire growth (elliptical spread) and suppression parameters."""

    ros_m_per_h: Amount = Field(
        description="Head rate of spread per fire (m/h), drawn once per fire."
    )
    lb_ratio: Float = Field(
        default=2.0,
        ge=1,
        le=MAX_LB_RATIO,
        description="Length-to-breadth ratio of the ellipse (-).",
    )
    back_ratio: Float = Field(default=0.1, ge=0, le=1, description="Back spread / head spread (-).")
    night_factor: Float = Field(
        default=0.4, ge=0, le=1, description="Spread multiplier at night (-)."
    )
    initial_radius_m: Float = Field(
        default=0.0, ge=0, le=MAX_OFFSET_M, description="Size at ignition (m)."
    )
    detection: Detection = Field(default_factory=Detection, description="Detection delay model.")
    walk_speed_kph: Float = Field(
        default=2.0,
        gt=0,
        le=MAX_WALK_SPEED_KPH,
        description="Ground crews walk in from the road at this speed (km/h).",
    )
    max_walk_m: Float = Field(
        default=2000.0,
        ge=0,
        le=MAX_OFFSET_M,
        description=(
            "Forest tracks come this close (m); farther access is driven at `access.speed_kph`."
        ),
    )
    walk_circuity: Float = Field(
        default=1.3, ge=1, le=MAX_CIRCUITY, description="Walking path / straight line (-)."
    )
    step_min: Float = Field(
        default=10.0, gt=0, le=60, description="Time step of the growth/suppression race (min)."
    )
    rain: FireRain = Field(
        default_factory=lambda: FireRain(), description="Rain days slow the spread."
    )
    max_area_ha: Float = Field(
        default=3000.0,
        gt=0,
        le=MAX_AREA_HA,
        description=(
            "A free-burning fire stops growing at this size (ridges, rivers, fuel breaks) (ha); "
            "ASSUMPTION."
        ),
    )
    damage_fraction: Float = Field(
        default=DAMAGE_FRACTION,
        gt=0,
        le=1,
        description=(
            "Damaged forest (受害森林面积) / area burned over (过火面积) (-): what the "
            "森林火灾受害率 counts. Default 0.305 = 5,866.88 / 19,249.52 ha, 广西 "
            '2016–2021 (DATA.md, "Forest fire sizes").'
        ),
    )
    escalation: Escalation | None = Field(
        default=None, description="Extended attack: more units while the fire is not contained."
    )
    air_scaling: AirScaling | None = Field(
        default=None,
        description="More aircraft as the fire grows (one per `ha_per_unit`); not set = none.",
    )


class ClosureRuleSpec(_Model):
    """Which roads an event closes: a kind of road within a radius, each with a probability."""

    kind: Literal["bridge", "mountain_link", "any"] = Field(
        description="Bridges, mountain links, or any road."
    )
    radius_m: Float = Field(
        gt=0, le=MAX_RADIUS_M, description="Roads whose midpoint is this close to the event (m)."
    )
    probability: Float = Field(ge=0, le=1, description="Chance each candidate road is closed (-).")
    rivers: tuple[str, ...] | None = Field(
        default=None, description="Bridges over these rivers only."
    )
    counties: tuple[str, ...] | None = Field(
        default=None, description="Roads in these counties only."
    )

    _check_counties = field_validator("counties")(_resolve_counties)


class Disruption(_Model):
    """Roads cut by an event (flood, landslide) for a while."""

    rules: tuple[ClosureRuleSpec, ...] = Field(
        min_length=1, description="Closure rules (see *ClosureRuleSpec*)."
    )
    duration: Duration = Field(
        description="How long the closed roads stay closed (see *Duration*)."
    )


class AirMission(_Model):
    """A helicopter mission some incidents of a type need besides their ground units."""

    kind: Literal["hoist", "medevac", "transport", "relief_drop"] = Field(
        description=(
            "`hoist` (winch people out), `medevac` (fly a patient to the nearest hospital), "
            "`transport` (fly a team in), `relief_drop` (drop supplies)."
        )
    )
    unit_type: str = Field(description="Aircraft unit type sent (mode `air`).")
    units: Int = Field(default=1, ge=1, description="Aircraft per mission.", le=MAX_UNITS)
    share: Float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of the incidents that need the mission whatever the roads (-).",
    )
    min_ground_eta_h: Float | None = Field(
        le=MAX_DURATION_H,
        default=None,
        gt=0,
        description=(
            "Also needed when no ground unit can be on scene within this time of the call (h): "
            "remote or cut-off places."
        ),
    )
    on_scene_h: Float = Field(
        le=MAX_DURATION_H,
        default=0.5,
        ge=0,
        description="Time the aircraft works on scene (hover, hoist, load) (h).",
    )
    handover_h: Float = Field(
        le=MAX_DURATION_H,
        default=0.25,
        ge=0,
        description="`medevac`: landing and handover at the hospital (h).",
    )


#: Severity levels of an incident, least severe first (生产安全事故报告和调查处理条例 art. 3 and
#: the 突发事件 grading: 一般 / 较大 / 重大 / 特别重大).
LEVEL_IDS = ("general", "large", "major", "especially_major")
LEVEL_LABELS_ZH = ("一般", "较大", "重大", "特大")
#: Largest on-scene time factor of a severity level.
MAX_ON_SCENE_FACTOR = 100


class LevelEscalation(_Model):
    """On scene, an incident of this level grows to the next level of its type."""

    probability: Float = Field(
        ge=0, le=1, description="Chance that an incident of this level escalates (-)."
    )
    after_min: Float = Field(
        gt=0,
        le=MAX_DURATION_H * 60,
        description=(
            "Minutes after the first unit's arrival at which it escalates; the next level's "
            "attendance plan less this one's is then requested."
        ),
    )


class SeverityLevel(_Model):
    """One severity level of an incident type: how likely, and its attendance plan."""

    probability: Float = Field(
        ge=0, le=1, description="Share of the type's incidents at this level when called (-)."
    )
    units: dict[str, Annotated[int, Strict(), Field(ge=1, le=MAX_UNITS)]] | None = Field(
        default=None,
        description="Attendance plan: unit type id → units sent; not set = the type's `units`.",
    )
    priority: Int | None = Field(
        default=None, ge=1, le=5, description="Queue priority; not set = the type's `priority`."
    )
    on_scene_factor: Float = Field(
        default=1.0,
        gt=0,
        le=MAX_ON_SCENE_FACTOR,
        description="On-scene time multiplier of this level (an escalation adds the difference).",
    )
    escalation: LevelEscalation | None = Field(
        default=None, description="Growth on scene to the next level of the type (see above)."
    )


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
    units: dict[str, Annotated[int, Strict(), Field(ge=1, le=MAX_UNITS)]] = Field(
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
        description=(
            "Forest fire: growth and containment race; `on_scene` becomes mop-up after containment."
        ),
    )
    disruption: Disruption | None = Field(
        default=None, description="Roads this event closes, and for how long (floods, landslides)."
    )
    call_category: Literal["fire", "rescue", "road_traffic", "social_assistance"] | None = Field(
        default=None,
        description=(
            "119 statistics category of the calls (`road_traffic` counts as rescue in the "
            "fire / rescue / social-assistance shares); compared with public call figures by "
            "`python run_scenario.py validate` (docs/validation.md)."
        ),
    )
    air_mission: AirMission | None = Field(
        default=None,
        description=(
            "Helicopter mission (hoist, medevac, transport, relief drop) some incidents need."
        ),
    )
    levels: dict[Literal[LEVEL_IDS], SeverityLevel] | None = Field(  # type: ignore[valid-type]
        default=None,
        description=(
            "Severity levels (`general` 一般, `large` 较大, `major` 重大, `especially_major` "
            "特大), each with its probability and attendance plan; probabilities add up to 1. "
            "Not set = every incident gets `units` (one level)."
        ),
    )

    _check_seasonality = field_validator("seasonality")(
        _profile(12, "monthly values (January to December)")
    )
    _check_diurnal = field_validator("diurnal")(_profile(24, "hourly values (00:00 to 23:00)"))

    @field_validator("levels")
    @classmethod
    def _levels_add_up(cls, v: dict[str, SeverityLevel] | None) -> dict[str, SeverityLevel] | None:
        if v is None:
            return v
        total = sum(lv.probability for lv in v.values())
        if abs(total - 1.0) > 1e-6:
            shares = ", ".join(f"{k} {lv.probability:g}" for k, lv in v.items())
            msg = f"expected level probabilities that add up to 1, got {total:g} ({shares})"
            raise ValueError(msg)
        ordered = [k for k in LEVEL_IDS if k in v]
        last = ordered[-1]
        if v[last].escalation is not None:
            msg = (
                f"level {last!r} is the type's most severe level: its escalation has no next "
                "level to grow to (add the next level or remove the escalation)"
            )
            raise ValueError(msg)
        # The schema's order (least severe first), whatever order the file lists them in.
        return {k: v[k] for k in ordered}


class StaffSpec(_Model):
    """The staff of one role at one facility: their roster and how many are rostered per shift."""

    roster: str = Field(description="Roster id (`staffing.rosters`).")
    per_shift: Int | tuple[Annotated[int, Strict(), Field(ge=0)], ...] = Field(
        description=(
            "Persons rostered on each shift (each watch); a list gives one number per shift of "
            "the day (day, night), in order from the roster's `change_hour`."
        )
    )

    @field_validator("per_shift")
    @classmethod
    def _non_negative(cls, v: Any) -> Any:
        if isinstance(v, int) and v < 0:
            msg = f"expected an integer >= 0, got {v}"
            raise ValueError(msg)
        if isinstance(v, tuple) and not v:
            msg = "expected at least one number"
            raise ValueError(msg)
        return v

    def sizes(self, shifts_per_day: int) -> tuple[int, ...]:
        """Rostered persons per shift of the day (length `shifts_per_day`)."""
        if isinstance(self.per_shift, int):
            return (self.per_shift,) * shifts_per_day
        return tuple(self.per_shift)


class Facility(_Model):
    """A place that holds units and/or relief stock."""

    id: Line = Field(pattern=_ID_PATTERN, description="Unique id: letters, digits, `_`, `-`.")
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
    name: Line = Field(
        min_length=1, description="Display name (Chinese welcome); defaults to `id`."
    )
    location: Location = Field(description="`{town: ..., county: ...?}` or `{lon: ..., lat: ...}`.")
    units: dict[str, UnitSpec] = Field(
        default_factory=dict, description="Unit type id → `UnitSpec`."
    )
    full_time_staff: Int = Field(
        default=0,
        ge=0,
        le=MAX_STAFF,
        description=(
            "专职消防人员 counted for the firefighter ratio (persons); facilities with `staff` "
            "count their staff instead."
        ),
    )
    staff: dict[str, StaffSpec] = Field(
        default_factory=dict,
        description=(
            "Role (`staffing.roles`) → roster and staff per shift; units here then need their "
            "crew on duty to leave."
        ),
    )
    stock: dict[str, Annotated[int, Strict(), Field(ge=0, le=MAX_STOCK)]] = Field(
        default_factory=dict,
        description="Relief stock: item → quantity (items of `relief.per_person`).",
    )
    activation_delay_h: Float = Field(
        default=0.0,
        ge=0,
        le=MAX_DURATION_H,
        description=(
            "`mutual_aid`: time to activate (request, approval, assembly) before turnout (h)."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _name_defaults_to_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("name") is None and isinstance(data.get("id"), str):
            data = {**data, "name": data["id"]}
        return data


#: The facility kinds (`Facility.kind`), in the order of the reference.
FACILITY_KINDS: tuple[str, ...] = typing.get_args(Facility.model_fields["kind"].annotation)


class Reserve(_Model):
    """Replenishment of depots from the provincial reserve."""

    lead_time_h: Float = Field(
        default=48.0, gt=0, le=MAX_DURATION_H, description="Order to delivery at the depot (h)."
    )
    reorder_fraction: Float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Order when any item falls below this share of the initial stock (-).",
    )


class Relief(_Model):
    """Relief logistics: what each affected person needs and how it is delivered."""

    per_person: dict[str, PosFloat] = Field(
        default_factory=lambda: dict(DEFAULT_PER_PERSON),
        description="Stock item → quantity consumed per affected person.",
    )
    truck_unit: Line = Field(
        default=DEFAULT_TRUCK_UNIT, description="Unit type that carries relief from depots."
    )
    assessment_delay_h: Float = Field(
        default=1.0, ge=0, le=MAX_DURATION_H, description="Disaster onset → relief request (h)."
    )
    loading_h: Float = Field(
        default=0.5,
        ge=0,
        le=MAX_DURATION_H,
        description="Loading at the depot before departure (h).",
    )
    max_depots: Int = Field(
        default=3, ge=1, le=MAX_DEPOTS, description="How many depots may share one demand."
    )
    per_person_per_day: dict[str, PosFloat] | None = Field(
        default=None,
        description=(
            "Daily consumption per affected person (item → quantity); "
            "replaces `per_person` × 1 day."
        ),
    )
    days_of_need: Float = Field(
        default=1.0,
        gt=0,
        le=MAX_DAYS_OF_NEED,
        description="Days of need a disaster's relief must cover (with `per_person_per_day`).",
    )
    reserve: Reserve | None = Field(
        default=None, description="Provincial reserve that refills depots after a lead time."
    )
    local_delivery_h: Float = Field(
        default=0.5,
        ge=0,
        le=MAX_DURATION_H,
        description="Village stores: from request to supplies in hand in their own town (h).",
    )
    village_radius_m: Float = Field(
        default=5000.0,
        gt=0,
        le=MAX_RADIUS_M,
        description="A village store serves disasters this close to it (m).",
    )
    helicopter_capacity_people: Int = Field(
        default=150,
        ge=1,
        le=MAX_PEOPLE,
        description="People served by one helicopter relief flight to a cut-off place.",
    )
    handout_people_per_h: Float | None = Field(
        default=None,
        gt=0,
        le=MAX_PEOPLE,
        description=(
            "Hand-out at the scene: people given their first supplies per hour from one load "
            "(truckload, helicopter load or village store; one distribution team each, loads in "
            "parallel); omitted = handed out on arrival. Drives `relief_done_h`."
        ),
    )
    last_mile_h: Float = Field(
        default=0.0,
        ge=0,
        le=MAX_DURATION_H,
        description=(
            "Village last mile: from where a truck or helicopter unloads to the households "
            "(reloading onto small vehicles, carrying) (h); village stores' `local_delivery_h` "
            "already includes it."
        ),
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

    id: Line = Field(pattern=_ID_PATTERN, description="Unique id.")
    kind: Literal["landing", "water_intake", "heliport", "hospital"] = Field(
        description="Point kind (`hospital`: where medevac flights land patients)."
    )
    name: Line = Field(default="", description="Display name.")


class Aviation(_Model):
    """Aviation infrastructure: `builtin` points (sim/data/aviation_points.csv) and/or a list."""

    builtin: bool = Field(
        default=True, description="Include the shipped points of `sim/data/aviation_points.csv`."
    )
    points: tuple[AviationPoint, ...] = Field(default=(), description="Extra points.")
    no_fly_share: tuple[Annotated[float, Strict(), Field(ge=0, le=1)], ...] | None = Field(
        default=None,
        description=(
            "12 monthly shares of days on which weather grounds every aircraft (low cloud, fog, "
            "storms), January first; not set = always flyable."
        ),
    )

    @field_validator("no_fly_share")
    @classmethod
    def _twelve(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None and len(v) != 12:
            msg = f"expected 12 monthly values (January to December), got {len(v)} values"
            raise ValueError(msg)
        return v


class StaticClosure(_Model):
    """A road closed for the whole run, given by the two towns it joins."""

    between: tuple[Line, Line] = Field(
        description="Two town names joined by a direct road (`name` or `name/county`)."
    )
    reason: Text = Field(default="", description="Why (free text).")

    @field_validator("between")
    @classmethod
    def _towns_exist(cls, pair: tuple[str, str]) -> tuple[str, str]:
        problems = []
        for spec in pair:
            name, _, county = spec.partition("/")
            try:
                geo.resolve_town(name, county=county or None)
            except PlaceError as e:
                problems.append(str(e))
        if problems:
            raise ValueError("; ".join(problems))
        return pair


class MutualAid(_Model):
    """Military, armed police and social rescue forces (facilities of kind `mutual_aid`)."""

    threshold_people: Int | None = Field(
        default=None,
        ge=1,
        le=MAX_PEOPLE,
        description=(
            "Also call them at once for events affecting at least this many people; "
            "else only when local units are exhausted."
        ),
    )


class Surge(_Model):
    """An extreme-event day: extra incidents in some counties (typhoon, rainstorm)."""

    day: Float = Field(
        ge=0, le=MAX_HORIZON_DAYS, description="Start, in days from the horizon start."
    )
    duration_h: Float = Field(
        default=24.0,
        gt=0,
        le=MAX_DURATION_H,
        description="Window over which the extra incidents occur (h).",
    )
    counties: tuple[str, ...] | None = Field(
        default=None, description="Counties hit (all if omitted)."
    )
    incidents: dict[str, Annotated[int, Strict(), Field(ge=1, le=MAX_SURGE)]] = Field(
        min_length=1, description="Incident type id → extra incidents in the window."
    )
    label: Line = Field(default="", description="Name of the event.")

    _check_counties = field_validator("counties")(_resolve_counties)


class Role(_Model):
    """A staff role: what one post costs and the duty-time rules that apply to it."""

    label: Label = Field(description="Display label.")
    cost_per_post_per_year: Float = Field(
        le=MAX_COST_PER_YEAR,
        default=0.0,
        ge=0,
        description="Cost of one post per year: pay, insurance, training (yuan/yr).",
    )
    counts_as_firefighter: bool = Field(
        default=False,
        description="Counted as 专职消防人员 for the `firefighter_ratio` target.",
    )
    max_duty_h: Float | None = Field(
        le=MAX_DURATION_H,
        default=None,
        gt=0,
        description="Longest duty period, from its start to release (h); not set = no limit.",
    )
    max_flight_h: Float | None = Field(
        le=MAX_DURATION_H,
        default=None,
        gt=0,
        description="Most flight time in one duty period (h); not set = no limit.",
    )
    min_rest_h: Float = Field(
        le=MAX_DURATION_H,
        default=0.0,
        ge=0,
        description="Rest after a duty period before the next one starts (h).",
    )


class Roster(_Model):
    """A shift pattern: watches (班组) rotating through shifts of equal length."""

    label: Label | None = Field(default=None, description="Display label.")
    shift_h: Float = Field(
        le=MAX_DURATION_H,
        gt=0,
        description="Length of one shift (h): 24 for 24 h on duty, 12 for day/night shifts.",
    )
    watches: Int = Field(
        le=MAX_CREW,
        ge=1,
        description="Watches rotating through the shifts (24 h on / 48 h off: 3).",
    )
    change_hour: Float = Field(
        default=8.0, ge=0, lt=24, description="Hour of the day at which shifts change (h)."
    )
    on_hours: (
        tuple[Annotated[float, Field(ge=0, le=24)], Annotated[float, Field(ge=0, le=24)]] | None
    ) = Field(
        default=None,
        description=(
            "Daily window `[from, to]` (h) outside which the watch is off duty (day-only crews)."
        ),
    )
    absence_share: Float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Share of rostered shifts a person misses (leave, training, sickness) (-).",
    )

    @model_validator(mode="after")
    def _pattern(self) -> Roster:
        if self.shift_h < 24 and abs(24 / self.shift_h - round(24 / self.shift_h)) > 1e-9:
            msg = f"shift_h must divide 24 h or be a multiple of it, got {self.shift_h:g}"
            raise ValueError(msg)
        if self.shift_h > 24 and abs(self.shift_h / 24 - round(self.shift_h / 24)) > 1e-9:
            msg = f"shift_h must divide 24 h or be a multiple of it, got {self.shift_h:g}"
            raise ValueError(msg)
        if self.watches % self.shifts_per_day:
            msg = (
                f"watches ({self.watches}) must be a multiple of the {self.shifts_per_day} shifts "
                "of a day, so that each watch always works the same shift of the day"
            )
            raise ValueError(msg)
        if self.on_hours is not None and not (0 <= self.on_hours[0] < self.on_hours[1] <= 24):
            msg = (
                f"on_hours must be [from, to] with 0 <= from < to <= 24, got {list(self.on_hours)}"
            )
            raise ValueError(msg)
        return self

    @property
    def shifts_per_day(self) -> int:
        """Shifts that start each day (1 for shifts of 24 h or more)."""
        return max(1, round(24 / self.shift_h)) if self.shift_h < 24 else 1


class Callback(_Model):
    """Off-duty staff called back for large events."""

    delay_h: Float = Field(
        default=1.0, ge=0, description="Call to arrival at the facility (h).", le=MAX_DURATION_H
    )
    share: Float = Field(
        default=0.5, gt=0, le=1, description="Share of the off-duty staff who come (-)."
    )
    hold_h: Float = Field(
        default=12.0, gt=0, description="How long they stay on duty (h).", le=MAX_DURATION_H
    )
    threshold_people: Int | None = Field(
        le=MAX_PEOPLE,
        default=None,
        ge=1,
        description="Events affecting at least this many people call staff back.",
    )
    on_escalation: bool = Field(
        default=True, description="Each extended-attack round of a forest fire calls staff back."
    )


class Staffing(_Model):
    """Staff as a resource: roles, rosters and call-back (facilities list their `staff`)."""

    roles: dict[str, Role] = Field(min_length=1, description="Role id → definition.")
    rosters: dict[str, Roster] = Field(min_length=1, description="Roster id → shift pattern.")
    callback: Callback | None = Field(
        default=None, description="Off-duty call-back for large events; not set = none."
    )


class ReassignmentSpec(_Model):
    """Dispatch from where units are: returning units and diversions en route."""

    returning: bool = Field(
        default=True,
        description=(
            "Units driving home from an incident may be sent from where they are (no turnout)."
        ),
    )
    divert: bool = Field(
        default=True,
        description="Units on their way to a lower-priority incident may be diverted.",
    )
    max_priority: Int = Field(
        default=1,
        ge=1,
        le=5,
        description="Only incidents of this priority or more urgent (smaller) take units this way.",
    )
    min_priority_gap: Int = Field(
        default=1,
        ge=1,
        le=4,
        description=(
            "A unit is diverted only from an incident at least this many priority levels "
            "less urgent; that incident asks for another unit."
        ),
    )
    min_gain_min: Float = Field(
        default=0.0,
        ge=0,
        le=MAX_DURATION_H * 60,
        description=(
            "A diverted unit must arrive at least this many minutes before the best unit that "
            "is free (at a station or driving home)."
        ),
    )


class CoverSpec(_Model):
    """Cover moves (move-up): a unit stands by at an empty station and goes home after."""

    unit_type: str = Field(description="Unit type moved (a road unit type, e.g. `engine`).")
    scope: Literal["station", "county"] = Field(
        default="station",
        description=(
            "`station`: every listed station keeps a unit of the type available; `county`: "
            "every county keeps one at one of its listed stations (the first in list order)."
        ),
    )
    stations: tuple[Line, ...] | None = Field(
        default=None,
        description=(
            "Facility ids to keep covered; not set = every facility with units of the type "
            "(mutual-aid forces excepted)."
        ),
    )
    donors_keep: Int = Field(
        default=1,
        ge=1,
        le=MAX_UNITS,
        description=(
            "A unit is moved only from a station (scope `county`: a county) that keeps at "
            "least this many units of the type available."
        ),
    )
    max_travel_min: Float = Field(
        default=30.0,
        gt=0,
        le=MAX_DURATION_H * 60,
        description="Longest drive (min) from the donor station to the empty one.",
    )
    delay_min: Float = Field(
        default=0.0,
        ge=0,
        le=MAX_DURATION_H * 60,
        description="A station must have been empty this long (min) before a unit is moved.",
    )


class CoverageSpec(_Model):
    """Coverage over time: share of the population an available unit reaches in time."""

    unit_type: str = Field(description="Unit type counted (e.g. `engine`).")
    threshold_h: Float = Field(
        gt=0,
        le=MAX_DURATION_H,
        description=(
            "A town seat is covered while a unit of the type available at a station (or "
            "standing by) reaches it within this time (h: turnout + drive)."
        ),
    )


class DispatchSpec(_Model):
    """Command-centre dispatch rules; each is off when not set (today's rules)."""

    reassignment: ReassignmentSpec | None = Field(
        default=None, description="Dispatch from where units are (see *ReassignmentSpec*)."
    )
    cover: CoverSpec | None = Field(
        default=None, description="Cover moves to empty stations (see *CoverSpec*)."
    )
    coverage: CoverageSpec | None = Field(
        default=None,
        description=(
            "Report coverage over time by hour of day (see *CoverageSpec*); needed by `cover`."
        ),
    )


class Target(_Model):
    """A performance target evaluated in ``metrics.json``."""

    id: Line = Field(min_length=1, description="Unique id; key in `metrics.json`.")
    label: Label = Field(description="Display label (e.g. the plan's indicator name).")
    measure: Literal[tuple(MEASURES)] = Field(  # type: ignore[valid-type]  # the measure registry
        description="What is measured (a measure of `sim.results.measures`)."
    )
    unit_type: Line | None = Field(
        default=None,
        description="`unit_arrival`: the unit type whose arrival counts (e.g. comms vehicle).",
    )
    incident_types: tuple[str, ...] | None = Field(
        default=None, description="Incident type ids covered (time measures: required)."
    )
    threshold_h: Float | None = Field(
        default=None,
        gt=0,
        le=MAX_DURATION_H,
        description="Met if time from onset < threshold (h; time measures: required).",
    )
    required_share: Float = Field(
        default=0.95, gt=0, le=1, description="Share of incidents that must meet the threshold (-)."
    )
    required_per_mille: Float | None = Field(
        default=None,
        gt=0,
        le=MAX_PER_MILLE,
        description="`firefighter_ratio`: full-time staff per 1,000 residents (‰).",
    )
    max_per_mille: Float | None = Field(
        default=None,
        gt=0,
        le=MAX_PER_MILLE,
        description=(
            "`burn_ratio`: damaged forest area per year / forest area must not exceed this (‰)."
        ),
    )
    max_failures_per_year: Float | None = Field(
        default=None,
        ge=0,
        le=MAX_RATE_PER_YEAR,
        description=(
            "`comms_established`: incidents per year beyond `threshold_h` must not exceed this "
            "(0 for a 100 % requirement)."
        ),
    )


class RegionSpec(_Model):
    """The study region from files (default: the shipped Shaoguan region).

    File names are relative to the scenario file. See ``sim.geo.region`` for the columns.
    """

    name: Label = Field(description="Region name `{zh: ..., en: ...}`.")
    units: str = Field(
        min_length=1,
        description=(
            "Administrative units: GeoJSON/GeoPackage polygons with `name` and `population` "
            "(optional `code`, `name_en`)."
        ),
    )
    towns: str | None = Field(
        default=None,
        description=(
            "CSV of towns: `name`, `lon`, `lat` (optional `unit`, `population`, `name_en`); "
            "default one town per unit."
        ),
    )
    outline: str | None = Field(
        default=None, description="Region boundary polygons; default the union of the units."
    )
    rivers: str | None = Field(default=None, description="River lines with `name`.")
    forest: str | None = Field(
        default=None,
        description=(
            "Forest polygons (forest fires start inside them; their area is the `burn_ratio` "
            "denominator)."
        ),
    )
    forest_area_ha: Float | None = Field(
        default=None,
        gt=0,
        le=MAX_AREA_HA * 100,
        description=(
            "Forest area (ha); default the area of `forest`. A `burn_ratio` target needs one "
            "of the two."
        ),
    )
    timezone: str = Field(
        min_length=1,
        description="IANA time zone of local clock times, e.g. `America/Mexico_City`.",
    )
    margin_m: Float = Field(
        default=1000.0,
        ge=0,
        le=MAX_RADIUS_M,
        description="Coordinates up to this far outside the outline are accepted (m).",
    )

    def load(self) -> geo.Region:
        """Return the `Region` these files describe (built once per process)."""
        return geo.load_region(
            name=self.name.zh,
            name_en=self.name.en,
            units=self.units,
            towns=self.towns,
            outline=self.outline,
            rivers=self.rivers,
            forest=self.forest,
            forest_area_ha=self.forest_area_ha,
            timezone=self.timezone,
            margin_m=self.margin_m,
        )


class Calls(_Model):
    """Historical calls replayed instead of generated arrivals (see ``sim.scenario.calls``)."""

    file: str = Field(
        min_length=1,
        description=(
            "CSV of calls: `time` (local, ISO 8601), `type`, `lon`+`lat` or `town`, optional "
            "`on_scene_h`, `affected_people`; relative to the scenario file."
        ),
    )


class Assumption(_Model):
    """An uncertain input of the scenario: the values it sets, its range and its source.

    Read by ``sensitivity`` (which samples it within its range); every other command ignores
    it. Paths are dotted keys as for overrides (list items by ``id``); each segment may be a
    shell-style pattern (``*``, ``?``, ``[...]``), so one assumption can set the same kind of
    number in many places (``facilities.tt_*.units.engine.turnout_s``).
    """

    id: str = Field(pattern=_ID_PATTERN, description="Unique id; names the input in results.")
    label: Label = Field(description="What the input is, `{zh: ..., en: ...}`.")
    path: str | tuple[str, ...] = Field(
        description=(
            "Dotted path, or a list of them, of the number(s) it sets; segments may be "
            "patterns (`*`, `?`, `[...]`). Every path must match at least one number."
        )
    )
    low: Float = Field(
        ge=-MAX_ASSUMPTION_VALUE,
        le=MAX_ASSUMPTION_VALUE,
        description="Lowest value (or factor, with `mode: factor`).",
    )
    high: Float = Field(
        ge=-MAX_ASSUMPTION_VALUE,
        le=MAX_ASSUMPTION_VALUE,
        description="Highest value (or factor); greater than `low`.",
    )
    distribution: Literal["uniform", "triangular", "loguniform"] = Field(
        default="uniform",
        description=(
            "How likely values in [low, high] are: `uniform`, `triangular` (with `peak`), "
            "`loguniform` (low > 0)."
        ),
    )
    peak: Float | None = Field(
        default=None,
        ge=-MAX_ASSUMPTION_VALUE,
        le=MAX_ASSUMPTION_VALUE,
        description="`triangular`: the most likely value, low ≤ peak < high.",
    )
    mode: Literal["value", "factor"] = Field(
        default="value",
        description=(
            "`value`: every matched number is set to the sampled value; `factor`: each is "
            "multiplied by it."
        ),
    )
    integer: bool = Field(
        default=False,
        description=(
            "Round what is set to the nearest integer (halves up); required for integer "
            "settings (counts, stocks, crews)."
        ),
    )
    source: str = Field(
        min_length=1,
        description=(
            "Where the range comes from (publisher, year, section, or ASSUMPTION and why)."
        ),
    )

    @property
    def paths(self) -> tuple[str, ...]:
        """The path patterns as a tuple (one or more)."""
        return (self.path,) if isinstance(self.path, str) else self.path

    @model_validator(mode="after")
    def _range(self) -> Assumption:
        problems = []
        if not self.high > self.low:
            problems.append(f"expected high > low, got low={self.low:g}, high={self.high:g}")
        if self.distribution == "triangular":
            if self.peak is None:
                problems.append("distribution 'triangular' needs `peak` (the most likely value)")
            elif not self.low <= self.peak < self.high:
                problems.append(
                    f"expected low <= peak < high, got peak={self.peak:g} "
                    f"(low={self.low:g}, high={self.high:g})"
                )
        elif self.peak is not None:
            problems.append(
                f"`peak` is only used by distribution 'triangular', not {self.distribution!r}"
            )
        if self.distribution == "loguniform" and self.low <= 0:
            problems.append(f"distribution 'loguniform' needs low > 0, got {self.low:g}")
        if self.mode == "factor" and self.low < 0:
            problems.append(f"mode 'factor' needs low >= 0 (a factor), got {self.low:g}")
        if not self.paths or any(not p for p in self.paths):
            problems.append("expected a non-empty dotted path (or a list of them)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Scenario(_Model):
    """A complete, validated scenario (one file = one experiment)."""

    name: str = Field(
        min_length=1,
        max_length=MAX_NAME_CHARS,
        description=(
            "Used for `results/<name>/`; defaults to the file name without extension. No `/`, "
            "`\\` or control characters; not starting with `.`."
        ),
    )
    title: Label | None = Field(default=None, description="`{zh: ..., en: ...}` shown on reports.")
    description: Text = Field(default="", description="Free text.")
    network: Line = Field(
        default="shaoguan",
        description=(
            "`shaoguan` (embedded), a `.graphml` path, a `.osm`/`.osm.bz2`/`.osm.pbf` path "
            "(relative to the scenario file), or a place name."
        ),
    )
    region: RegionSpec | None = Field(
        default=None,
        description="Study region from files (see *RegionSpec*); default the shipped Shaoguan.",
    )
    calls: Calls | None = Field(
        default=None,
        description=(
            "Historical calls: incident types found in the file are replayed from it, the "
            "others generated (see *Calls*)."
        ),
    )
    horizon_days: Float = Field(
        default=365.0, gt=0, le=MAX_HORIZON_DAYS, description="Simulated period (days)."
    )
    replications: Int = Field(
        default=10, ge=1, le=MAX_REPLICATIONS, description="Independent replications."
    )
    seed: Int = Field(
        default=20250101, ge=0, le=MAX_SEED, description="Root of every random stream."
    )
    start_date: date = Field(
        default=date(2025, 1, 1),
        ge=MIN_START_DATE,
        le=MAX_START_DATE,
        description="Calendar date of the horizon start (YYYY-MM-DD).",
    )
    population: Int | None = Field(
        default=None,
        gt=0,
        le=MAX_POPULATION,
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
    aviation: Aviation = Field(
        default_factory=lambda: Aviation(), description="Landing and water-intake points."
    )
    closures: tuple[StaticClosure, ...] = Field(
        default=(), description="Roads closed for the whole run (bridge under repair): town pairs."
    )
    mutual_aid: MutualAid = Field(
        default_factory=lambda: MutualAid(), description="When reserve forces are used."
    )
    surge: tuple[Surge, ...] = Field(
        default=(), description="Extreme-event days injected into the run."
    )
    staffing: Staffing | None = Field(
        default=None,
        description="Staff roles, rosters and call-back; not set = units are always crewed.",
    )
    dispatch: DispatchSpec = Field(
        default_factory=lambda: DispatchSpec(),
        description="Dispatch rules of a command centre (reassignment, cover moves, coverage).",
    )
    targets: tuple[Target, ...] = Field(description="Performance targets, unique `id`s.")
    assumptions: tuple[Assumption, ...] = Field(
        default=(),
        description="Uncertain inputs with their ranges and sources, for `sensitivity`.",
    )

    @field_validator("network")
    @classmethod
    def _network_exists(cls, v: str) -> str:
        problem = network_spec_problem(v)
        if problem is not None:
            raise ValueError(problem)
        return v

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        bad = next((c for c in v if unicodedata.category(c) == "Cc" or c in "/\\"), None)
        if bad is not None or v.startswith("."):
            why = f"holds {bad!r}" if bad is not None else "starts with '.'"
            msg = (
                "expected a folder-safe name (no '/', '\\' or control characters, not starting "
                f"with '.'), got {_cut(v)} ({why})"
            )
            raise ValueError(msg)
        return v

    @property
    def study_region(self) -> geo.Region:
        """The study region: `region` loaded from its files, or the shipped Shaoguan region."""
        return geo.shaoguan_region() if self.region is None else self.region.load()

    @property
    def population_total(self) -> int:
        """Population used for rates per 100k and the firefighter ratio (persons)."""
        if self.population is not None:
            return self.population
        return self.study_region.population_total
