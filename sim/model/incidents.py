"""Incident generation: non-homogeneous Poisson arrivals, spatial sampling, on-scene times.

Pure numpy (plus shapely point-in-polygon for forest sampling). Nothing here reads files or
imports simpy: the runner prepares a `Geography` and the random streams, and this module turns
an incident model into arrays.

Random streams
--------------
Every (replication, incident type, purpose) triple has its own ``np.random.Generator``, derived
from the scenario seed with ``SeedSequence(seed, spawn_key=(replication, crc32(type), purpose))``.
Keying by the type *name* (not its position in the file) keeps common random numbers when two
compared scenarios list different incident types: a scenario that only changes facilities sees
exactly the same incidents.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from sim.errors import ScenarioError
from sim.physics.fire import detection_delay_s

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sim.scenario import IncidentType, Scenario
    from sim.scenario.calls import CallTable

HOUR_S = 3600.0
DAY_S = 86400.0
DAYS_PER_YEAR = 365.25

#: Purposes of the random streams; appending new ones keeps old streams unchanged.
STREAM_ARRIVALS = 0
STREAM_LOCATIONS = 1
STREAM_ON_SCENE = 2
STREAM_PEOPLE = 3
STREAM_FIRE_SPREAD = 4
STREAM_DETECTION = 5
STREAM_RAIN = 6
#: Days after ignition for which rain days are drawn (fires are not followed longer).
RAIN_DAYS = 16


def stream(seed: int, replication: int, name: str, purpose: int) -> np.random.Generator:
    """Return the random generator of one (replication, name, purpose) stream."""
    key = (replication, zlib.crc32(name.encode("utf-8")), purpose)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@dataclass(frozen=True, slots=True)
class Geography:
    """Spatial inputs for incident sampling, prepared once per scenario by the runner.

    Attributes
    ----------
    town_names, town_counties
        Names of the township seats and their counties.
    town_lon, town_lat
        Seat coordinates (WGS84 degrees).
    town_weight
        Population of each town (persons), summing to the study-area population.
    town_radius_m
        Radius of the disc around each seat in which population-model incidents are scattered.
    county_polygons
        ``{county name: shapely geometry}`` in WGS84; may be empty (then forest points fall back
        to discs around towns).
    rivers
        ``{river name: (array[(n, 2)] of lon/lat vertices, ...)}``.
    resolve_point
        Function mapping a location mapping (``{town: ...}`` or ``{lon, lat}``) to (lon, lat).
    forest
        Forest polygons (shapely), or None: forest incidents then fall anywhere in the
        counties away from towns.
    regions
        Memo of the union of county polygons per county selection (forest sampling); the union
        is the same for every replication, so it is built once per `Geography`.
    """

    town_names: tuple[str, ...]
    town_counties: tuple[str, ...]
    town_lon: np.ndarray
    town_lat: np.ndarray
    town_weight: np.ndarray
    town_radius_m: np.ndarray
    county_polygons: dict[str, Any]
    rivers: dict[str, tuple[np.ndarray, ...]]
    resolve_point: Callable[[Any], tuple[float, float]]
    forest: Any = None
    regions: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    def region(self, counties: Sequence[str] | None) -> Any:
        """Return the union of the polygons of `counties` (all counties when None or empty)."""
        key = tuple(c for c in self.county_polygons if not counties or c in counties)
        if key not in self.regions:
            self.regions[key] = shapely.union_all([self.county_polygons[c] for c in key])
        return self.regions[key]

    def forest_region(self, counties: Sequence[str] | None) -> Any:
        """Return the forest inside `counties` (empty when there is no forest layer)."""
        key = ("<forest>", *(c for c in self.county_polygons if not counties or c in counties))
        if key not in self.regions:
            self.regions[key] = (
                shapely.intersection(self.region(counties), self.forest)
                if self.forest is not None
                else shapely.Polygon()
            )
        return self.regions[key]


@dataclass(frozen=True, slots=True)
class IncidentSet:
    """All incidents of one replication, sorted by onset time (struct of arrays).

    Attributes
    ----------
    t_s
        Onset times (s from the horizon start).
    type_idx
        Index into ``type_names``.
    lon, lat
        Incident positions (WGS84 degrees).
    on_scene_s
        Work time on scene (s).
    people
        Affected people (0 when the type has no relief need).
    type_names
        Incident type ids in scenario order.
    detect_s
        Forest fires: delay from ignition to the call (s); 0 elsewhere.
    ros_m_per_h
        Forest fires: head rate of spread (m/h); NaN elsewhere.
    rain_days
        Forest fires: bool array (incidents, `RAIN_DAYS`), whether calendar day k after the
        ignition day is rainy; False elsewhere.
    surge
        Whether the incident was injected by a surge day (extreme event).
    """

    t_s: np.ndarray
    type_idx: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    on_scene_s: np.ndarray
    people: np.ndarray
    type_names: tuple[str, ...]
    detect_s: np.ndarray | None = None
    ros_m_per_h: np.ndarray | None = None
    rain_days: np.ndarray | None = None
    surge: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.t_s.size)


def _month_starts(start: date, horizon_days: float) -> list[tuple[float, int]]:
    """Return ``(offset_days, month_index)`` for each calendar month overlapping the horizon."""
    out: list[tuple[float, int]] = []
    d = start
    while (d - start).days < horizon_days:
        out.append(((d - start).days, d.month - 1))
        nxt = (d.replace(day=1) + timedelta(days=32)).replace(day=1)
        d = nxt
    return out


def hourly_intensity(
    start: date, horizon_days: float, seasonality: Sequence[float], diurnal: Sequence[float]
) -> np.ndarray:
    """Return the relative arrival intensity of every hour of the horizon.

    Monthly and hourly factors are normalised so that a full calendar year has mean 1: an
    incident type with ``rate`` R per year then produces R incidents per year on average.

    Parameters
    ----------
    start
        Calendar date of the horizon start.
    horizon_days
        Length of the horizon (days).
    seasonality
        12 relative monthly intensities (January first).
    diurnal
        24 relative hourly intensities (00:00 first).

    Returns
    -------
    weights
        Read-only array of length ``ceil(horizon_days * 24)``; mean over a calendar year is 1.
        Every replication asks for the same profiles, so each distinct one is computed once
        and shared.
    """
    return _hourly_intensity(start, float(horizon_days), tuple(seasonality), tuple(diurnal))


@lru_cache(maxsize=256)
def _hourly_intensity(
    start: date, horizon_days: float, seasonality: tuple[float, ...], diurnal: tuple[float, ...]
) -> np.ndarray:
    """Compute `hourly_intensity` (memoised by it)."""
    n_hours = int(np.ceil(horizon_days * 24))
    season = np.asarray(seasonality, dtype=float)
    days_in_month = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    season = season / (season @ days_in_month / days_in_month.sum())
    hours = np.asarray(diurnal, dtype=float)
    hours = hours / hours.mean()
    month_of_hour = np.empty(n_hours, dtype=np.int64)
    starts = _month_starts(start, horizon_days)
    for k, (offset_days, month) in enumerate(starts):
        lo = int(offset_days * 24)
        hi = int(starts[k + 1][0] * 24) if k + 1 < len(starts) else n_hours
        month_of_hour[lo:hi] = month
    hour_of_day = np.arange(n_hours) % 24
    out = season[month_of_hour] * hours[hour_of_day]
    out.flags.writeable = False  # shared between calls
    return out


def annual_rate(inc: IncidentType, population: int) -> float:
    """Return the expected number of incidents per year for one incident type."""
    if inc.rate.per_year is not None:
        return float(inc.rate.per_year)
    per_100k = inc.rate.per_100k_per_year
    assert per_100k is not None  # the schema requires exactly one of the two forms
    return float(per_100k) * population / 100_000.0


def sample_arrivals(
    rng: np.random.Generator, rate_per_year: float, weights: np.ndarray, horizon_days: float
) -> np.ndarray:
    """Sample onset times (s) of a Poisson process with piecewise-constant hourly intensity.

    The count is Poisson with mean ``rate × horizon × mean(weights)``; given the count, times are
    i.i.d. from the normalised intensity (exact for a piecewise-constant rate).
    """
    hours = weights.size
    frac_last = horizon_days * 24 - (hours - 1)  # the last hour may be partial
    w = weights.astype(float).copy()
    w[-1] *= frac_last
    expected = rate_per_year / (DAYS_PER_YEAR * 24) * w.sum()
    n = int(rng.poisson(expected))
    if n == 0:
        return np.empty(0)
    cdf = np.cumsum(w)
    u = rng.random(n) * cdf[-1]
    hour = np.searchsorted(cdf, u, side="right")
    within = (u - (cdf[hour] - w[hour])) / w[hour]
    within = np.where(hour == hours - 1, within * frac_last, within)
    return np.sort((hour + within) * HOUR_S)


def sample_duration_s(rng: np.random.Generator, spec: Any, n: int) -> np.ndarray:
    """Sample ``n`` on-scene durations (s) from a `Duration` spec (hours in the spec)."""
    return sample_amount(rng, spec, n, suffix="_h") * HOUR_S


def sample_amount(rng: np.random.Generator, spec: Any, n: int, *, suffix: str = "") -> np.ndarray:
    """Sample ``n`` values from a fixed / exponential / lognormal / gamma spec by mean and sd."""
    dist = spec.dist
    if dist == "fixed":
        return np.full(n, float(getattr(spec, "value" + suffix)))
    mean = float(getattr(spec, "mean" + suffix))
    if dist == "exponential":
        return rng.exponential(mean, n)
    sd = float(getattr(spec, "sd" + suffix))
    if dist == "lognormal":
        sigma2 = np.log1p((sd / mean) ** 2)
        return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), n)
    if dist == "gamma":
        shape = (mean / sd) ** 2
        return rng.gamma(shape, sd**2 / mean, n)
    msg = f"unknown distribution {dist!r}"  # pragma: no cover - the schema rejects it first
    raise ValueError(msg)


def _offset(
    lon: np.ndarray, lat: np.ndarray, dx_m: np.ndarray, dy_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    m_per_deg = 111_320.0
    return lon + dx_m / (m_per_deg * np.cos(np.radians(lat))), lat + dy_m / m_per_deg


def _in_counties(geo: Geography, counties: Sequence[str] | None) -> np.ndarray:
    if not counties:
        return np.ones(len(geo.town_names), dtype=bool)
    wanted = set(counties)
    return np.array([c in wanted for c in geo.town_counties])


def sample_population(
    rng: np.random.Generator, geo: Geography, n: int, counties: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Sample points: a town ∝ population, then uniformly in a disc around its seat."""
    w = geo.town_weight * _in_counties(geo, counties)
    town = rng.choice(w.size, size=n, p=w / w.sum())
    r = geo.town_radius_m[town] * np.sqrt(rng.random(n))
    theta = rng.random(n) * 2 * np.pi
    return _offset(geo.town_lon[town], geo.town_lat[town], r * np.cos(theta), r * np.sin(theta))


def sample_river(
    rng: np.random.Generator,
    geo: Geography,
    n: int,
    rivers: Sequence[str] | None,
    max_distance_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample points uniformly along river lines, offset up to ``max_distance_m`` sideways."""
    names = [r for r in (rivers or sorted(geo.rivers)) if r in geo.rivers]
    segs = [(part[:-1], part[1:]) for name in names for part in geo.rivers[name] if len(part) >= 2]
    a = np.concatenate([s[0] for s in segs])
    b = np.concatenate([s[1] for s in segs])
    coslat = np.cos(np.radians((a[:, 1] + b[:, 1]) / 2))
    seg_len = np.hypot((b[:, 0] - a[:, 0]) * coslat, b[:, 1] - a[:, 1])
    k = rng.choice(seg_len.size, size=n, p=seg_len / seg_len.sum())
    f = rng.random(n)
    lon = a[k, 0] + f * (b[k, 0] - a[k, 0])
    lat = a[k, 1] + f * (b[k, 1] - a[k, 1])
    side = rng.uniform(-max_distance_m, max_distance_m, n)
    theta = rng.random(n) * 2 * np.pi
    return _offset(lon, lat, side * np.cos(theta), side * np.sin(theta))


#: The forest sampler gives up after this many tries per incident, plus `MAX_FOREST_DRAWS`.
MAX_FOREST_DRAWS_PER_POINT = 10_000
MAX_FOREST_DRAWS = 1_000_000


def sample_forest(
    rng: np.random.Generator,
    geo: Geography,
    n: int,
    counties: Sequence[str] | None,
    min_distance_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample points uniformly inside the counties, at least ``min_distance_m`` from any seat.

    Shaoguan is 74.5 % forest; without a land-cover layer offline, "forest" is approximated as
    "inside the county and away from settlements" (rejection sampling).
    """

    polys = [p for c, p in geo.county_polygons.items() if not counties or c in counties]
    out_lon: list[np.ndarray] = []
    out_lat: list[np.ndarray] = []
    if not polys:  # no polygons shipped: scatter around towns instead, outside the town discs
        return sample_population(rng, geo, n, counties)
    region = geo.region(counties)
    if geo.forest is not None:
        wooded = geo.forest_region(counties)
        if not wooded.is_empty:  # no forest in those counties: anywhere in them
            region = wooded
    w, s, e, nb = region.bounds
    tl, tt = np.radians(geo.town_lon), np.radians(geo.town_lat)
    got = 0
    drawn = 0
    while got < n:
        if drawn > MAX_FOREST_DRAWS_PER_POINT * n + MAX_FOREST_DRAWS:
            # The validator refuses distances no point reaches; this stops a search whose
            # target area, though not empty, is too small to hit (a bug or a hand-made scenario).
            msg = (
                f"forest incidents: only {got} of {n} points found {min_distance_m:,.0f} m from "
                f"every town seat after {drawn:,} tries; lower where.min_distance_from_town_m"
            )
            raise ScenarioError(msg)
        m = max(64, 3 * (n - got))
        drawn += m
        lon = rng.uniform(w, e, m)
        lat = rng.uniform(s, nb, m)
        keep = shapely.contains_xy(region, lon, lat)
        lon, lat = lon[keep], lat[keep]
        if lon.size:
            # Distance to the nearest seat by haversine on all pairs (towns ≈ 110, cheap).
            la, ph = np.radians(lon)[:, None], np.radians(lat)[:, None]
            h = np.sin((tt - ph) / 2) ** 2 + np.cos(ph) * np.cos(tt) * np.sin((tl - la) / 2) ** 2
            d = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h)).min(axis=1)
            far = d >= min_distance_m
            out_lon.append(lon[far])
            out_lat.append(lat[far])
            got += int(far.sum())
    return np.concatenate(out_lon)[:n], np.concatenate(out_lat)[:n]


def sample_points(
    rng: np.random.Generator, geo: Geography, n: int, points: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Sample among listed points with their weights."""
    xy = np.array([geo.resolve_point(p) for p in points], dtype=float)
    w = np.array([float(p.weight) for p in points])
    k = rng.choice(len(points), size=n, p=w / w.sum())
    return xy[k, 0], xy[k, 1]


def sample_external(rng: np.random.Generator, where: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample points uniformly in a disc of `where.spread_km` around a place outside the city."""
    r = float(where.spread_km) * 1000.0 * np.sqrt(rng.random(n))
    theta = rng.random(n) * 2 * np.pi
    lon0 = np.full(n, float(where.lon))
    lat0 = np.full(n, float(where.lat))
    return _offset(lon0, lat0, r * np.cos(theta), r * np.sin(theta))


def sample_locations(
    rng: np.random.Generator,
    geo: Geography,
    where: Any,
    n: int,
    *,
    counties: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dispatch on the spatial model of an incident type.

    `counties` (surge days) restricts any model to those counties: directly for population and
    forest, by rejection for rivers and points.
    """
    if n == 0:
        return np.empty(0), np.empty(0)
    model = where.model
    if model == "external":  # outside the city: county restrictions of surge days do not apply
        return sample_external(rng, where, n)
    if model == "population":
        return sample_population(rng, geo, n, counties or where.counties)
    if model == "forest":
        return sample_forest(
            rng, geo, n, counties or where.counties, where.min_distance_from_town_m
        )
    if counties:
        return _sample_within(rng, geo, where, n, counties)
    if model == "river":
        return sample_river(rng, geo, n, where.rivers, where.max_distance_m)
    if model == "points":
        return sample_points(rng, geo, n, where.points)
    msg = f"unknown spatial model {model!r}"  # pragma: no cover - the schema rejects it first
    raise ValueError(msg)


def _sample_within(
    rng: np.random.Generator, geo: Geography, where: Any, n: int, counties: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Sample a river or points model, keeping only points inside `counties` (rejection)."""

    polys = [p for c, p in geo.county_polygons.items() if c in counties]
    if not polys:
        return sample_locations(rng, geo, where, n)
    region = geo.region(counties)
    lon_out: list[np.ndarray] = []
    lat_out: list[np.ndarray] = []
    got = 0
    for _ in range(200):
        lon, lat = sample_locations(rng, geo, where, max(16, 4 * (n - got)))
        keep = shapely.contains_xy(region, lon, lat)
        lon_out.append(lon[keep])
        lat_out.append(lat[keep])
        got += int(keep.sum())
        if got >= n:
            break
    else:  # the model has (almost) nothing in those counties: fall back to the whole area
        return sample_locations(rng, geo, where, n)
    return np.concatenate(lon_out)[:n], np.concatenate(lat_out)[:n]


def replayed_calls(
    calls: CallTable, name: str, start: date, horizon_days: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the calls of one type inside the horizon as onsets, positions and given values.

    Returns
    -------
    t_s, lon, lat, on_scene_h, people
        Onset (s from 00:00 of `start`, local clock), WGS84 position, the file's on-scene
        time (h; NaN where not given) and affected people (-1 where not given), in time order.
    """
    t0 = np.datetime64(start.isoformat(), "s")
    t_s = (calls.time - t0).astype("timedelta64[s]").astype(float)
    keep = (calls.type == name) & (t_s >= 0) & (t_s < horizon_days * DAY_S)
    order = np.argsort(t_s[keep], kind="stable")
    return (
        t_s[keep][order],
        calls.lon[keep][order],
        calls.lat[keep][order],
        calls.on_scene_h[keep][order],
        calls.people[keep][order],
    )


def generate_incidents(
    scenario: Scenario,
    geo: Geography,
    population: int,
    replication: int,
    *,
    calls: CallTable | None = None,
) -> IncidentSet:
    """Generate every incident of one replication.

    Parameters
    ----------
    scenario
        The validated scenario (rates, seasonality, spatial models, durations).
    geo
        Spatial inputs prepared by the runner.
    population
        Study-area population (persons) for rates per 100,000.
    replication
        Replication index; selects the random streams.
    calls
        Historical calls: the types found in it are replayed (the same onsets and places in
        every replication; on-scene times and affected people from the file where given,
        else drawn), the other types generated. Surge days still add to every type.

    Returns
    -------
    incidents
        All incidents of the replication in onset order (ties broken by type order).
    """
    horizon_days = float(scenario.horizon_days)
    parts: list[tuple[np.ndarray, ...]] = []
    names = tuple(scenario.incidents)
    # (type index, type, stream key, onsets, counties or None, surge?)
    batches: list[tuple[int, IncidentType, str, np.ndarray, tuple[str, ...] | None, bool]] = []
    replayed = set(calls.type) if calls is not None else set()
    given: dict[str, tuple[np.ndarray, ...]] = {}
    for k, (name, inc) in enumerate(scenario.incidents.items()):
        if calls is not None and name in replayed:
            t, *rest = replayed_calls(calls, name, scenario.start_date, horizon_days)
            given[name] = tuple(rest)
            batches.append((k, inc, name, t, None, False))
            continue
        weights = hourly_intensity(scenario.start_date, horizon_days, inc.seasonality, inc.diurnal)
        t = sample_arrivals(
            stream(scenario.seed, replication, name, STREAM_ARRIVALS),
            annual_rate(inc, population),
            weights,
            horizon_days,
        )
        batches.append((k, inc, name, t, None, False))
    for j, ev in enumerate(scenario.surge):
        # Surge streams are keyed by the event and type, so adding a surge day leaves every
        # ordinary incident unchanged (common random numbers with the scenario without it).
        for name, count in ev.incidents.items():
            key = f"surge{j}:{name}"
            lo = ev.day * DAY_S
            hi = min(lo + ev.duration_h * HOUR_S, horizon_days * DAY_S)
            t = (
                np.sort(
                    stream(scenario.seed, replication, key, STREAM_ARRIVALS).uniform(lo, hi, count)
                )
                if hi > lo
                else np.empty(0)
            )
            batches.append((names.index(name), scenario.incidents[name], key, t, ev.counties, True))
    for k, inc, key, t, counties, is_surge in batches:
        n = t.size
        replay = given.get(key) if not is_surge else None
        if replay is not None:
            lon, lat = replay[0], replay[1]
        else:
            lon, lat = sample_locations(
                stream(scenario.seed, replication, key, STREAM_LOCATIONS),
                geo,
                inc.where,
                n,
                counties=counties,
            )
        dur = sample_duration_s(
            stream(scenario.seed, replication, key, STREAM_ON_SCENE), inc.on_scene, n
        )
        if replay is not None:
            dur = np.where(np.isnan(replay[2]), dur, replay[2] * HOUR_S)
        if inc.affected_people is not None:
            people = np.maximum(
                1,
                np.rint(
                    sample_amount(
                        stream(scenario.seed, replication, key, STREAM_PEOPLE),
                        inc.affected_people,
                        n,
                    )
                ),
            ).astype(np.int64)
        else:
            people = np.zeros(n, dtype=np.int64)
        if replay is not None:
            people = np.where(replay[3] >= 0, replay[3], people).astype(np.int64)
        detect = np.zeros(n)
        ros = np.full(n, np.nan)
        rain = np.zeros((n, RAIN_DAYS), dtype=bool)
        if inc.fire is not None:
            rain = (
                stream(scenario.seed, replication, key, STREAM_RAIN).random((n, RAIN_DAYS))
                < inc.fire.rain.daily_probability
            )
            f = inc.fire
            ros = np.maximum(
                0.0,
                sample_amount(
                    stream(scenario.seed, replication, key, STREAM_FIRE_SPREAD), f.ros_m_per_h, n
                ),
            )
            detect = detection_delay_s(
                stream(scenario.seed, replication, key, STREAM_DETECTION),
                n,
                coverage=f.detection.coverage,
                covered_mean_h=f.detection.covered_mean_h,
                uncovered_mean_h=f.detection.uncovered_mean_h,
            )
        surge = np.full(n, is_surge, dtype=bool)
        parts.append(
            (t, np.full(n, k, dtype=np.int64), lon, lat, dur, people, detect, ros, rain, surge)
        )
    cols = [np.concatenate([p[i] for p in parts]) for i in range(10)]
    t_all, k_all, surge_all = cols[0], cols[1], cols[9]
    # Ordinary incidents first at equal times, so surge days never reorder them.
    order = np.lexsort((surge_all, k_all, t_all))
    (
        t_all,
        k_all,
        lon_all,
        lat_all,
        dur_all,
        people_all,
        detect_all,
        ros_all,
        rain_all,
        surge_all,
    ) = (c[order] for c in cols)
    return IncidentSet(
        t_s=t_all,
        type_idx=k_all,
        lon=lon_all,
        lat=lat_all,
        on_scene_s=dur_all,
        people=people_all,
        type_names=names,
        detect_s=detect_all,
        ros_m_per_h=ros_all,
        rain_days=rain_all,
        surge=surge_all,
    )


def town_weights(
    town_counties: Sequence[str],
    town_population: Sequence[float],
    county_population: Mapping[str, float],
) -> np.ndarray:
    """Split each county's population over its towns in proportion to the towns' populations.

    Parameters
    ----------
    town_counties
        County name of every town.
    town_population
        Resident population of every town (persons; ``sim/data/towns.csv`` column
        ``population``). A county whose towns all have 0 is split equally over its towns.
    county_population
        Population to distribute per county (persons): the 2020 census, rescaled when the
        scenario sets another total.

    Returns
    -------
    weights
        Persons per town; each county's towns add up to its entry of `county_population`.
    """
    w = np.asarray(town_population, dtype=float)
    counties = np.asarray(town_counties)
    out = np.zeros(w.size)
    for county, pop in county_population.items():
        mask = counties == county
        if not mask.any():
            continue
        share = w[mask] if w[mask].sum() > 0 else np.ones(int(mask.sum()))
        out[mask] = pop * share / share.sum()
    return out
