"""The scenario schema: frozen pydantic models of every section, with their constants."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

from sim import geo
from sim.errors import PlaceError
from sim.results.measures import MEASURES

__all__ = [
    "DEFAULT_PER_PERSON",
    "DEFAULT_TRUCK_UNIT",
    "Access",
    "AirSpec",
    "Amount",
    "Assumption",
    "Aviation",
    "AviationPoint",
    "BoatSpec",
    "ClosureRuleSpec",
    "Detection",
    "Disruption",
    "Duration",
    "Escalation",
    "ExponentialAmount",
    "ExponentialDuration",
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
    "Location",
    "LognormalAmount",
    "LognormalDuration",
    "MutualAid",
    "Point",
    "PointsWhere",
    "PopulationWhere",
    "Rate",
    "Relief",
    "Reserve",
    "RiverWhere",
    "Scenario",
    "StaticClosure",
    "Surge",
    "Target",
    "UnitSpec",
    "UnitType",
    "Where",
]

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
        default=232.0,
        gt=0,
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
        default=130.0, gt=0, description="Speed with a slung water bucket (km/h), 120–150."
    )
    fill_s: Float = Field(
        default=90.0, ge=0, description="Time to fill the bucket at a water point (s)."
    )
    drop_s: Float = Field(default=30.0, ge=0, description="Time to position and drop (s).")
    line_per_drop_m: Float = Field(
        default=30.0, ge=0, description="Fire line held by one bucket drop (m); ASSUMPTION 20–40."
    )


class BoatSpec(_Model):
    """A boat carried by a road unit (water-rescue team with an assault boat, 冲锋舟)."""

    speed_kph: Float = Field(
        default=25.0, gt=0, description="Boat speed on the river in flood (km/h)."
    )
    launch_s: Float = Field(
        default=600.0, ge=0, description="Unloading and launching at the bank (s)."
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
        description="Forest fire line built and held per unit on scene (m/h); 0 = none.",
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
        elif self.town is not None:
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
        default=0.9,
        ge=0,
        le=1,
        description="Share of forest under lookout/camera coverage (-); plan ≥ 0.9.",
    )
    covered_mean_h: Float = Field(
        default=0.25, gt=0, description="Mean detection delay where covered (h)."
    )
    uncovered_mean_h: Float = Field(
        default=2.0, gt=0, description="Mean detection delay elsewhere (h)."
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
        default=4.0, gt=0, description="Interval between reinforcement requests (h)."
    )
    units: dict[str, Annotated[int, Strict(), Field(ge=1)]] = Field(
        description="Unit type id → number requested each round."
    )
    max_rounds: Int = Field(default=3, ge=1, description="Most reinforcement rounds per fire.")


class FireSpec(_Model):
    """Forest-fire growth (elliptical spread) and suppression parameters."""

    ros_m_per_h: Amount = Field(
        description="Head rate of spread per fire (m/h), drawn once per fire."
    )
    lb_ratio: Float = Field(
        default=2.0, ge=1, description="Length-to-breadth ratio of the ellipse (-)."
    )
    back_ratio: Float = Field(default=0.1, ge=0, le=1, description="Back spread / head spread (-).")
    night_factor: Float = Field(
        default=0.4, ge=0, le=1, description="Spread multiplier at night (-)."
    )
    initial_radius_m: Float = Field(default=0.0, ge=0, description="Size at ignition (m).")
    detection: Detection = Field(default_factory=Detection, description="Detection delay model.")
    walk_speed_kph: Float = Field(
        default=2.0, gt=0, description="Ground crews walk in from the road at this speed (km/h)."
    )
    max_walk_m: Float = Field(
        default=2000.0,
        ge=0,
        description=(
            "Forest tracks come this close (m); farther access is driven at `access.speed_kph`."
        ),
    )
    walk_circuity: Float = Field(default=1.3, ge=1, description="Walking path / straight line (-).")
    step_min: Float = Field(
        default=10.0, gt=0, le=60, description="Time step of the growth/suppression race (min)."
    )
    rain: FireRain = Field(
        default_factory=lambda: FireRain(), description="Rain days slow the spread."
    )
    max_area_ha: Float = Field(
        default=3000.0,
        gt=0,
        description=(
            "A free-burning fire stops growing at this size (ridges, rivers, fuel breaks) (ha); "
            "ASSUMPTION."
        ),
    )
    escalation: Escalation | None = Field(
        default=None, description="Extended attack: more units while the fire is not contained."
    )


class ClosureRuleSpec(_Model):
    """Which roads an event closes: a kind of road within a radius, each with a probability."""

    kind: Literal["bridge", "mountain_link", "any"] = Field(
        description="Bridges, mountain links, or any road."
    )
    radius_m: Float = Field(
        gt=0, description="Roads whose midpoint is this close to the event (m)."
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
        description=(
            "Forest fire: growth and containment race; `on_scene` becomes mop-up after containment."
        ),
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


class Reserve(_Model):
    """Replenishment of depots from the provincial reserve."""

    lead_time_h: Float = Field(
        default=48.0, gt=0, description="Order to delivery at the depot (h)."
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
        description=(
            "Daily consumption per affected person (item → quantity); "
            "replaces `per_person` × 1 day."
        ),
    )
    days_of_need: Float = Field(
        default=1.0,
        gt=0,
        description="Days of need a disaster's relief must cover (with `per_person_per_day`).",
    )
    reserve: Reserve | None = Field(
        default=None, description="Provincial reserve that refills depots after a lead time."
    )
    local_delivery_h: Float = Field(
        default=0.5,
        ge=0,
        description="Village stores: from request to supplies in hand in their own town (h).",
    )
    village_radius_m: Float = Field(
        default=5000.0, gt=0, description="A village store serves disasters this close to it (m)."
    )
    helicopter_capacity_people: Int = Field(
        default=150,
        ge=1,
        description="People served by one helicopter relief flight to a cut-off place.",
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

    between: tuple[str, str] = Field(
        description="Two town names joined by a direct road (`name` or `name/county`)."
    )
    reason: str = Field(default="", description="Why (free text).")


class MutualAid(_Model):
    """Military, armed police and social rescue forces (facilities of kind `mutual_aid`)."""

    threshold_people: Int | None = Field(
        default=None,
        ge=1,
        description=(
            "Also call them at once for events affecting at least this many people; "
            "else only when local units are exhausted."
        ),
    )


class Surge(_Model):
    """An extreme-event day: extra incidents in some counties (typhoon, rainstorm)."""

    day: Float = Field(ge=0, description="Start, in days from the horizon start.")
    duration_h: Float = Field(
        default=24.0, gt=0, description="Window over which the extra incidents occur (h)."
    )
    counties: tuple[str, ...] | None = Field(
        default=None, description="Counties hit (all if omitted)."
    )
    incidents: dict[str, Annotated[int, Strict(), Field(ge=1)]] = Field(
        min_length=1, description="Incident type id → extra incidents in the window."
    )
    label: str = Field(default="", description="Name of the event.")

    _check_counties = field_validator("counties")(_resolve_counties)


class Target(_Model):
    """A performance target evaluated in ``metrics.json``."""

    id: str = Field(min_length=1, description="Unique id; key in `metrics.json`.")
    label: Label = Field(description="Display label (e.g. the plan's indicator name).")
    measure: Literal[tuple(MEASURES)] = Field(  # type: ignore[valid-type]  # the measure registry
        description="What is measured (a measure of `sim.results.measures`)."
    )
    unit_type: str | None = Field(
        default=None,
        description="`unit_arrival`: the unit type whose arrival counts (e.g. comms vehicle).",
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
        description=(
            "`burn_ratio`: burned forest area per year / forest area must not exceed this (‰)."
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
    low: Float = Field(description="Lowest value (or factor, with `mode: factor`).")
    high: Float = Field(description="Highest value (or factor); greater than `low`.")
    distribution: Literal["uniform", "triangular", "loguniform"] = Field(
        default="uniform",
        description=(
            "How likely values in [low, high] are: `uniform`, `triangular` (with `peak`), "
            "`loguniform` (low > 0)."
        ),
    )
    peak: Float | None = Field(
        default=None,
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
    targets: tuple[Target, ...] = Field(description="Performance targets, unique `id`s.")
    assumptions: tuple[Assumption, ...] = Field(
        default=(),
        description="Uncertain inputs with their ranges and sources, for `sensitivity`.",
    )

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
