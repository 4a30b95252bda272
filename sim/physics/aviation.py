"""Helicopter physics: sunrise/sunset windows, flight and bucket-cycle times, aviation points.

Pure numpy and stdlib; no simpy. The simulation clock used by the daylight helpers is
*seconds since 00:00 China Standard Time (UTC+8) of a start date*, which is how the engine
counts time (`t_s`, `start`).

Solar times follow the NOAA Solar Calculator equations (NOAA Global Monitoring Laboratory,
"Solar Calculation Details" and its spreadsheet ``NOAA_Solar_Calculations_day.xls``), which
are the low-precision solar coordinates of Meeus, *Astronomical Algorithms* (2nd ed., 1998),
chapters 25 and 28. They are accurate to about one minute at Shaoguan's latitude. The event
time is refined by evaluating the sun's position at the event itself (three fixed-point
iterations) rather than only at noon, as the spreadsheet does.

Helicopter speeds follow ``DATA.md``, "Rescue helicopters": effective speed about 0.8 × cruise;
with a slung bucket about 120–150 km/h.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np

from sim.geo import haversine_m

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

#: China Standard Time (UTC+8, no daylight saving since 1991).
CST = timezone(timedelta(hours=8))
CST_OFFSET_H = 8.0

HOUR_S = 3600.0
DAY_S = 86400.0

#: Apparent altitude of the sun's centre at sunrise/sunset: −50′ (refraction 34′ + semi-diameter
#: 16′), the convention of NOAA and the almanacs.
SUNRISE_DEG = -0.833
#: Civil twilight: sun centre 6° below the horizon.
CIVIL_TWILIGHT_DEG = -6.0

#: Shaoguan city centre (WGS84), a default position for daylight windows (DATA.md, "City centre").
SHAOGUAN_LAT = 24.81
SHAOGUAN_LON = 113.60

#: Fraction of cruise speed achieved on a straight transit (climb, descent, routing).
#: ASSUMPTION from DATA.md, "Rescue helicopters" ("effective ≈ 0.8 × cruise").
FLIGHT_EFFICIENCY = 0.8
#: Speed with a slung water bucket (km/h). DATA.md, "Rescue helicopters": 120–150 km/h; midpoint.
BUCKET_SPEED_KPH = 130.0
#: Time to dip and fill a Bambi bucket at a water-intake point (s). ASSUMPTION.
BUCKET_FILL_S = 90.0
#: Time for the drop run over the fire line (s). ASSUMPTION.
BUCKET_DROP_S = 30.0

POINT_KINDS = frozenset({"landing", "water_intake", "heliport", "hospital"})

_JD_UNIX_EPOCH = 2440587.5
_JD_J2000 = 2451545.0


# --------------------------------------------------------------------------- solar position
def _julian_day(day: date, ut_h: float) -> float:
    """Julian day of `ut_h` hours UT on the civil date `day` (proleptic Gregorian)."""
    return day.toordinal() - date(1970, 1, 1).toordinal() + _JD_UNIX_EPOCH + ut_h / 24.0


def solar_declination_eot(jd: float) -> tuple[float, float]:
    """Return the sun's apparent declination and the equation of time at a Julian day.

    NOAA Solar Calculator equations (Meeus 1998, ch. 25 low-precision series).

    Parameters
    ----------
    jd
        Julian day (UT).

    Returns
    -------
    decl_deg, eot_min
        Apparent declination in degrees and equation of time in minutes
        (apparent minus mean solar time).
    """
    jc = (jd - _JD_J2000) / 36525.0
    l0 = (280.46646 + jc * (36000.76983 + jc * 0.0003032)) % 360.0
    m = 357.52911 + jc * (35999.05029 - 0.0001537 * jc)
    e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
    mr = math.radians(m)
    c = (
        math.sin(mr) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
        + math.sin(2 * mr) * (0.019993 - 0.000101 * jc)
        + math.sin(3 * mr) * 0.000289
    )
    true_long = l0 + c
    omega = math.radians(125.04 - 1934.136 * jc)
    app_long = true_long - 0.00569 - 0.00478 * math.sin(omega)
    eps0 = 23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0
    eps = math.radians(eps0 + 0.00256 * math.cos(omega))
    decl = math.degrees(math.asin(math.sin(eps) * math.sin(math.radians(app_long))))
    y = math.tan(eps / 2) ** 2
    l0r = math.radians(l0)
    eot_rad = (
        y * math.sin(2 * l0r)
        - 2 * e * math.sin(mr)
        + 4 * e * y * math.sin(mr) * math.cos(2 * l0r)
        - 0.5 * y * y * math.sin(4 * l0r)
        - 1.25 * e * e * math.sin(2 * mr)
    )
    return decl, 4.0 * math.degrees(eot_rad)


def _hour_angle_deg(lat_deg: float, decl_deg: float, altitude_deg: float) -> float:
    """Hour angle (degrees) at which the sun's centre reaches `altitude_deg`."""
    phi, dec = math.radians(lat_deg), math.radians(decl_deg)
    cos_h = (math.sin(math.radians(altitude_deg)) - math.sin(phi) * math.sin(dec)) / (
        math.cos(phi) * math.cos(dec)
    )
    if not -1.0 <= cos_h <= 1.0:
        msg = (
            f"the sun does not cross altitude {altitude_deg}° at latitude {lat_deg}° "
            f"(declination {decl_deg:.2f}°): polar day or night"
        )
        raise ValueError(msg)
    return math.degrees(math.acos(cos_h))


@lru_cache(maxsize=4096)
def sun_times(
    lat_deg: float,
    lon_deg: float,
    day: date,
    *,
    twilight_deg: float = SUNRISE_DEG,
    utc_offset_h: float = CST_OFFSET_H,
) -> tuple[float, float]:
    """Return sunrise and sunset on a date, in China Standard Time hours.

    Uses the NOAA Solar Calculator equations (see the module docstring); the sun's
    declination and equation of time are re-evaluated at each event time until it settles.

    Parameters
    ----------
    lat_deg, lon_deg
        Position in WGS84 degrees (north and east positive).
    day
        Civil date in China Standard Time.
    twilight_deg
        Altitude of the sun's centre that defines the event, in degrees:
        −0.833 (default) for sunrise/sunset, −6 for civil dawn/dusk.
    utc_offset_h
        Offset of the local clock from UTC (h); default China Standard Time (8).

    Returns
    -------
    rise_h, set_h
        Local clock hours after 00:00 of `day`, e.g. ``(5.7, 19.2)`` in CST.

    Raises
    ------
    ValueError
        If the sun does not reach `twilight_deg` on that day (polar day or night).
    """
    events = []
    for sign in (-1.0, 1.0):
        t_h = 12.0  # first guess: local noon
        for _ in range(4):
            jd = _julian_day(day, t_h - utc_offset_h)
            decl, eot = solar_declination_eot(jd)
            ha = _hour_angle_deg(lat_deg, decl, twilight_deg)
            # Solar noon in CST minutes, then ± hour angle at 4 min per degree.
            t_min = 720.0 - 4.0 * lon_deg - eot + utc_offset_h * 60.0 + sign * 4.0 * ha
            t_h = t_min / 60.0
        events.append(t_h)
    return events[0], events[1]


def _day_and_hour(t_s: float) -> tuple[int, float]:
    k = math.floor(t_s / DAY_S)
    return k, (t_s - k * DAY_S) / HOUR_S


def _window_s(
    k: int,
    start: date,
    lat: float,
    lon: float,
    twilight_deg: float,
    utc_offset_h: float = CST_OFFSET_H,
) -> tuple[float, float]:
    """Daylight window of day `k` after `start`, in seconds since 00:00 local of `start`."""
    rise_h, set_h = sun_times(
        lat, lon, start + timedelta(days=k), twilight_deg=twilight_deg, utc_offset_h=utc_offset_h
    )
    return k * DAY_S + rise_h * HOUR_S, k * DAY_S + set_h * HOUR_S


def next_daylight_start_s(
    t_s: float,
    start: date,
    lat: float,
    lon: float,
    *,
    twilight_deg: float = SUNRISE_DEG,
    utc_offset_h: float = CST_OFFSET_H,
) -> float:
    """Return `t_s` if it is daylight, otherwise the next sunrise.

    Parameters
    ----------
    t_s
        Seconds since 00:00 local time of `start`; may be negative or span many days.
    start
        The simulation's start date (local clock).
    lat, lon
        Position in WGS84 degrees.
    twilight_deg
        Sun altitude that defines day, see `sun_times`.
    utc_offset_h
        Offset of the local clock from UTC (h); default CST.

    Returns
    -------
    t_start_s
        Earliest time ≥ `t_s` at which flying by day is allowed, same clock as `t_s`.
    """
    k, _ = _day_and_hour(t_s)
    rise_s, set_s = _window_s(k, start, lat, lon, twilight_deg, utc_offset_h)
    if t_s < rise_s:
        return rise_s
    if t_s < set_s:
        return t_s
    return _window_s(k + 1, start, lat, lon, twilight_deg, utc_offset_h)[0]


def daylight_end_s(
    t_s: float,
    start: date,
    lat: float,
    lon: float,
    *,
    twilight_deg: float = SUNRISE_DEG,
    utc_offset_h: float = CST_OFFSET_H,
) -> float:
    """Return the sunset that ends the current daylight period.

    At night this is the sunset of the *next* daylight period, so that
    ``next_daylight_start_s(t) <= daylight_end_s(t)`` always holds.

    Parameters
    ----------
    t_s
        Seconds since 00:00 local time of `start`; may be negative or span many days.
    start
        The simulation's start date (local clock).
    lat, lon
        Position in WGS84 degrees.
    twilight_deg
        Sun altitude that defines day, see `sun_times`.
    utc_offset_h
        Offset of the local clock from UTC (h); default CST.

    Returns
    -------
    t_end_s
        Sunset time, same clock as `t_s`.
    """
    k, _ = _day_and_hour(t_s)
    _rise_s, set_s = _window_s(k, start, lat, lon, twilight_deg, utc_offset_h)
    if t_s < set_s:
        return set_s
    return _window_s(k + 1, start, lat, lon, twilight_deg, utc_offset_h)[1]


def datetime_cst(t_s: float, start: date) -> datetime:
    """Return the CST wall-clock time of simulation time `t_s` (seconds since `start` 00:00)."""
    return datetime(start.year, start.month, start.day, tzinfo=CST) + timedelta(seconds=t_s)


# --------------------------------------------------------------------------- flight times
def transit_speed_m_per_s(cruise_kph: float, efficiency: float = FLIGHT_EFFICIENCY) -> float:
    """Return the effective speed of a straight-line transit flight.

    Parameters
    ----------
    cruise_kph
        Type's cruise speed in km/h (> 0), e.g. 232 for a Ka-32A11BC.
    efficiency
        Effective speed as a fraction of cruise, in (0, 1]; default 0.8 (DATA.md, "Rescue
        helicopters") covers climb, descent and routing around terrain.

    Returns
    -------
    speed_m_per_s
        ``efficiency · cruise_kph / 3.6``; a flight of d metres takes d / speed seconds
        (launch delay and time on scene not included).
    """
    if cruise_kph <= 0 or not 0 < efficiency <= 1:
        msg = f"need `cruise_kph` > 0 and 0 < `efficiency` <= 1, got {cruise_kph!r}, {efficiency!r}"
        raise ValueError(msg)
    return efficiency * cruise_kph / 3.6


def bucket_cycle_s(
    dist_to_water_m: float,
    *,
    bucket_speed_kph: float = BUCKET_SPEED_KPH,
    fill_s: float = BUCKET_FILL_S,
    drop_s: float = BUCKET_DROP_S,
) -> float:
    """Return the time of one bucket round trip fire → water-intake point → fire.

    Parameters
    ----------
    dist_to_water_m
        Straight-line distance from the fire to the nearest water-intake point (m, ≥ 0).
    bucket_speed_kph
        Speed with the slung bucket, km/h; 120–150 per DATA.md, "Rescue helicopters".
    fill_s
        Hover-and-dip time at the water (s). ASSUMPTION.
    drop_s
        Drop run over the line (s). ASSUMPTION.

    Returns
    -------
    cycle_s
        ``2 · dist / speed + fill_s + drop_s`` in seconds.
    """
    if dist_to_water_m < 0 or bucket_speed_kph <= 0 or fill_s < 0 or drop_s < 0:
        msg = (
            "need `dist_to_water_m` >= 0, `bucket_speed_kph` > 0, `fill_s` >= 0, `drop_s` >= 0; "
            f"got {dist_to_water_m!r}, {bucket_speed_kph!r}, {fill_s!r}, {drop_s!r}"
        )
        raise ValueError(msg)
    return 2.0 * dist_to_water_m / (bucket_speed_kph / 3.6) + fill_s + drop_s


def fuel_stops(legs_m: Sequence[float], usable_m: float) -> list[int]:
    """Return the fuel stops made before or during each leg of a flight that starts full.

    A leg that does not fit in the fuel left starts with a stop (refuel where the aircraft is);
    a leg longer than the usable range needs stops on the way as well.

    Parameters
    ----------
    legs_m
        Distances flown, in order (m ≥ 0); time hovering on scene enters as the distance the
        same fuel would fly (hover time × transit speed).
    usable_m
        Usable range on full tanks: range × (1 − reserve share) (m > 0; inf = no limit).

    Returns
    -------
    stops
        Number of fuel stops for each leg.
    """
    if not usable_m > 0:
        msg = f"`usable_m` must be > 0, got {usable_m!r}"
        raise ValueError(msg)
    fuel = usable_m
    out = []
    for leg in legs_m:
        n = 0
        if leg > fuel + 1e-9 and fuel < usable_m:  # top up before the leg
            n += 1
            fuel = usable_m
        while leg > fuel + 1e-9:  # longer than a full tank: stops on the way
            leg -= fuel
            n += 1
            fuel = usable_m
        fuel -= leg
        out.append(n)
    return out


def nearest_point(
    lon: float,
    lat: float,
    points_lon: npt.ArrayLike,
    points_lat: npt.ArrayLike,
) -> tuple[int, float]:
    """Return the nearest of a set of points by great-circle (haversine) distance.

    Parameters
    ----------
    lon, lat
        Query position, WGS84 degrees.
    points_lon, points_lat
        Candidate positions (equal-length 1-D arrays, at least one point).

    Returns
    -------
    index, dist_m
        Position of the nearest candidate in the arrays and its distance in metres.
    """
    plon = np.atleast_1d(np.asarray(points_lon, dtype=float))
    plat = np.atleast_1d(np.asarray(points_lat, dtype=float))
    if plon.shape != plat.shape or plon.size == 0:
        msg = f"need equal-length non-empty point arrays, got {plon.shape} and {plat.shape}"
        raise ValueError(msg)
    d = np.atleast_1d(haversine_m(lon, lat, plon, plat))
    i = int(np.argmin(d))
    return i, float(d[i])


# --------------------------------------------------------------------------- aviation points
@dataclass(frozen=True, slots=True)
class AviationPoint:
    """A heliport, landing point or water-intake point (row of ``aviation_points.csv``)."""

    id: str
    kind: str
    name: str
    lon: float
    lat: float
    source: str
    note: str


@cache
def load_aviation_points() -> tuple[AviationPoint, ...]:
    """Return the default aviation points shipped in ``sim/data/aviation_points.csv``.

    Returns
    -------
    points
        Records in file order; `kind` is one of ``landing``, ``water_intake``, ``heliport``.

    Raises
    ------
    ValueError
        If a row has an unknown kind.
    """
    text = (files("sim") / "data" / "aviation_points.csv").read_text(encoding="utf-8")
    points = []
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] not in POINT_KINDS:
            msg = (
                f"aviation_points.csv: row {row['id']!r} has kind {row['kind']!r} "
                f"(allowed: {sorted(POINT_KINDS)})"
            )
            raise ValueError(msg)
        points.append(
            AviationPoint(
                id=row["id"],
                kind=row["kind"],
                name=row["name"],
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                source=row["source"],
                note=row["note"],
            )
        )
    return tuple(points)
