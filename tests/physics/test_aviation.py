"""Tests for sim.aviation: sun times, daylight windows, flight and bucket times, aviation points."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.geo import haversine_m
from sim.physics import aviation as av
from sim.physics.aviation import (
    CST,
    bucket_cycle_s,
    daylight_end_s,
    load_aviation_points,
    nearest_point,
    next_daylight_start_s,
    sun_times,
    transit_speed_m_per_s,
)

LAT, LON = 24.8, 113.6  # Shaoguan
START = date(2025, 2, 15)
H = 3600.0
DAY = 86400.0

# Reference times (CST) from an independent ephemeris: PyEphem 4.2.1 (VSOP87 theory),
# observer 24.8 N 113.6 E, elevation 0, pressure 0 (no extra refraction), horizon −0:34 with the
# upper limb for sunrise/sunset and −6° with the centre for civil twilight. Produced once by
# ``python /tmp/ephem_check.py`` (see docs/fire-aviation.md); ephem is not a project dependency.
EPHEM_REF = {
    date(2025, 6, 21): ("05:37:02", "19:17:43", "05:11:16", "19:43:30"),
    date(2025, 12, 21): ("07:05:38", "17:41:36", "06:40:40", "18:06:34"),
    date(2025, 3, 20): ("06:29:46", "18:36:41", "06:07:01", "18:59:28"),
    date(2025, 9, 23): ("06:14:32", "18:21:05", "05:51:45", "18:43:50"),
    date(2024, 2, 29): ("06:49:03", "18:27:23", "06:26:08", "18:50:19"),
    date(2030, 1, 15): ("07:12:01", "17:57:57", "06:47:32", "18:22:27"),
}


def _h(hms: str) -> float:
    hh, mm, ss = (int(x) for x in hms.split(":"))
    return hh + mm / 60 + ss / 3600


def _spencer_sun_times(lat: float, lon: float, day: date, alt_deg: float) -> tuple[float, float]:
    """Independent method: Spencer (1971) Fourier series for declination and equation of time.

    As in NOAA's "General Solar Position Calculations" note and Duffie & Beckman, *Solar
    Engineering of Thermal Processes*, eq. 1.5.3 and 1.6.1b. Returns CST hours.
    """
    out = []
    doy = day.timetuple().tm_yday
    for sign, guess_h in ((-1, 6.0), (1, 18.0)):
        gamma = 2 * math.pi / 365 * (doy - 1 + (guess_h - 8 - 12) / 24)
        eot = 229.18 * (
            0.000075
            + 0.001868 * math.cos(gamma)
            - 0.032077 * math.sin(gamma)
            - 0.014615 * math.cos(2 * gamma)
            - 0.040849 * math.sin(2 * gamma)
        )
        decl = (
            0.006918
            - 0.399912 * math.cos(gamma)
            + 0.070257 * math.sin(gamma)
            - 0.006758 * math.cos(2 * gamma)
            + 0.000907 * math.sin(2 * gamma)
            - 0.002697 * math.cos(3 * gamma)
            + 0.00148 * math.sin(3 * gamma)
        )
        phi = math.radians(lat)
        cos_ha = (math.sin(math.radians(alt_deg)) - math.sin(phi) * math.sin(decl)) / (
            math.cos(phi) * math.cos(decl)
        )
        ha = math.degrees(math.acos(cos_ha))
        utc_min = 720 - 4 * (lon - sign * ha) - eot
        out.append(utc_min / 60 + 8)
    return out[0], out[1]


# --------------------------------------------------------------------------- sun times
@pytest.mark.parametrize("day", sorted(EPHEM_REF))
def test_sun_times_match_independent_ephemeris_within_one_minute(day: date) -> None:
    rise_ref, set_ref, dawn_ref, dusk_ref = (_h(x) for x in EPHEM_REF[day])
    rise_h, set_h = sun_times(LAT, LON, day)
    dawn_h, dusk_h = sun_times(LAT, LON, day, twilight_deg=-6.0)
    for got, ref in ((rise_h, rise_ref), (set_h, set_ref), (dawn_h, dawn_ref), (dusk_h, dusk_ref)):
        assert abs(got - ref) * 60 < 1.0


def test_sun_times_agree_with_spencer_series_within_three_minutes_all_year() -> None:
    worst_min = 0.0
    for k in range(0, 2 * 366, 5):
        day = date(2025, 1, 1) + timedelta(days=k)
        for alt in (av.SUNRISE_DEG, av.CIVIL_TWILIGHT_DEG):
            ours = sun_times(LAT, LON, day, twilight_deg=alt)
            theirs = _spencer_sun_times(LAT, LON, day, alt)
            worst_min = max(
                worst_min, *(abs(a - b) * 60 for a, b in zip(ours, theirs, strict=True))
            )
    assert worst_min < 3.0


def test_solstice_values_for_shaoguan() -> None:
    rise_jun, set_jun = sun_times(LAT, LON, date(2025, 6, 21))
    rise_dec, set_dec = sun_times(LAT, LON, date(2025, 12, 21))
    # about 05:37 / 19:18 in June and 07:06 / 17:42 in December (CST)
    assert 5.5 < rise_jun < 5.75
    assert 19.15 < set_jun < 19.4
    assert 7.0 < rise_dec < 7.2
    assert 17.6 < set_dec < 17.8
    # day length at 24.8 N: about 13.7 h in June, 10.6 h in December
    assert (set_jun - rise_jun) == pytest.approx(13.68, abs=0.05)
    assert (set_dec - rise_dec) == pytest.approx(10.60, abs=0.05)


def test_civil_twilight_brackets_sunrise_and_sunset() -> None:
    for k in range(0, 365, 30):
        day = date(2025, 1, 1) + timedelta(days=k)
        rise_h, set_h = sun_times(LAT, LON, day)
        dawn_h, dusk_h = sun_times(LAT, LON, day, twilight_deg=-6.0)
        assert 18 < (rise_h - dawn_h) * 60 < 30
        assert 18 < (dusk_h - set_h) * 60 < 30


def test_sunrise_moves_later_to_the_west() -> None:
    rise_e, set_e = sun_times(LAT, 114.7, START)
    rise_w, set_w = sun_times(LAT, 112.9, START)
    # 1.8 degrees of longitude = 7.2 minutes
    assert (rise_w - rise_e) * 60 == pytest.approx(7.2, abs=0.3)
    assert (set_w - set_e) * 60 == pytest.approx(7.2, abs=0.3)


def test_polar_night_raises() -> None:
    with pytest.raises(ValueError, match="polar"):
        sun_times(80.0, 20.0, date(2025, 12, 21))


# --------------------------------------------------------------------------- daylight helpers
def test_fire_at_23h_waits_for_next_sunrise() -> None:
    t_fire = 23 * H
    rise_next_h, _ = sun_times(LAT, LON, START + timedelta(days=1))
    t_go = next_daylight_start_s(t_fire, START, LAT, LON)
    assert t_go == pytest.approx(DAY + rise_next_h * H)
    assert 6 * H < t_go - DAY < 7.5 * H  # mid-February sunrise is around 07:00


def test_next_daylight_start_cases() -> None:
    rise_h, _set_h = sun_times(LAT, LON, START)
    assert next_daylight_start_s(3 * H, START, LAT, LON) == pytest.approx(rise_h * H)
    assert next_daylight_start_s(10 * H, START, LAT, LON) == 10 * H
    # the previous evening (negative time) waits for this morning's sunrise
    assert next_daylight_start_s(-2 * H, START, LAT, LON) == pytest.approx(rise_h * H)
    # day 40 of the run: uses that day's own sunrise
    day40 = START + timedelta(days=40)
    rise40_h, _ = sun_times(LAT, LON, day40)
    assert next_daylight_start_s(40 * DAY + 1 * H, START, LAT, LON) == pytest.approx(
        40 * DAY + rise40_h * H
    )


def test_daylight_end_cases() -> None:
    _, set_h = sun_times(LAT, LON, START)
    _, set_next_h = sun_times(LAT, LON, START + timedelta(days=1))
    assert daylight_end_s(3 * H, START, LAT, LON) == pytest.approx(set_h * H)  # before sunrise
    assert daylight_end_s(12 * H, START, LAT, LON) == pytest.approx(set_h * H)
    assert daylight_end_s(21 * H, START, LAT, LON) == pytest.approx(DAY + set_next_h * H)


def test_daylight_across_new_year_uses_the_new_date() -> None:
    start = date(2025, 12, 31)
    rise_h, _ = sun_times(LAT, LON, date(2026, 1, 1))
    assert next_daylight_start_s(DAY + 2 * H, start, LAT, LON) == pytest.approx(DAY + rise_h * H)
    assert av.datetime_cst(DAY + rise_h * H, start).date() == date(2026, 1, 1)
    assert av.datetime_cst(0.0, start).tzinfo == CST


def _is_day(t_s: float) -> bool:
    """Daylight by the definition: between that date's sunrise and sunset of `sun_times`."""
    k = math.floor(t_s / DAY)
    rise_h, set_h = sun_times(LAT, LON, START + timedelta(days=k))
    return k * DAY + rise_h * H <= t_s < k * DAY + set_h * H


@settings(max_examples=300, deadline=None)
@given(t_s=st.floats(min_value=-3 * DAY, max_value=400 * DAY, allow_nan=False))
def test_daylight_helpers_are_consistent(t_s: float) -> None:
    t_go = next_daylight_start_s(t_s, START, LAT, LON)
    t_end = daylight_end_s(t_s, START, LAT, LON)
    assert t_s <= t_go < t_end
    assert t_end - t_go <= 14 * H
    assert _is_day(t_go)
    assert not _is_day(t_end)
    assert _is_day(0.5 * (t_go + t_end))
    assert (t_go == t_s) == _is_day(t_s)
    if t_go > t_s:  # night until the next sunrise
        assert not _is_day(0.5 * (t_s + t_go))


# --------------------------------------------------------------------------- flight and bucket
def test_transit_speed_formula() -> None:
    """0.8 × cruise: a Ka-32 (232 km/h) covers 100 km in 100,000 / 51.56 s = 32.3 min."""
    assert transit_speed_m_per_s(232) == pytest.approx(0.8 * 232 / 3.6)
    assert 100_000 / transit_speed_m_per_s(232) / 60 == pytest.approx(32.33, abs=0.01)
    assert transit_speed_m_per_s(232, efficiency=1.0) == pytest.approx(232 / 3.6)
    with pytest.raises(ValueError, match="cruise_kph"):
        transit_speed_m_per_s(0)
    with pytest.raises(ValueError, match="efficiency"):
        transit_speed_m_per_s(232, efficiency=1.2)


def test_bucket_cycle_by_hand() -> None:
    """Two legs to the water and back at the bucket speed, plus fill and drop: 10 km at
    130 km/h is 276.9 s each way, so a cycle is 553.8 + 90 + 30 = 673.8 s."""
    assert bucket_cycle_s(0) == pytest.approx(120.0)
    assert bucket_cycle_s(10_000) == pytest.approx(673.846, abs=1e-3)
    assert bucket_cycle_s(10_000, bucket_speed_kph=150, fill_s=60, drop_s=20) == pytest.approx(
        2 * 10_000 / (150 / 3.6) + 80
    )
    with pytest.raises(ValueError, match="dist_to_water_m"):
        bucket_cycle_s(-5)


def test_nearest_point_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    plon, plat = rng.uniform(112.9, 114.7, 50), rng.uniform(23.9, 25.5, 50)
    for lon, lat in zip(rng.uniform(112.9, 114.7, 20), rng.uniform(23.9, 25.5, 20), strict=True):
        i, d = nearest_point(lon, lat, plon, plat)
        brute = [haversine_m(lon, lat, x, y) for x, y in zip(plon, plat, strict=True)]
        assert i == int(np.argmin(brute))
        assert d == pytest.approx(min(brute))
    assert nearest_point(113.6, 24.8, [113.6], [24.8]) == (0, 0.0)
    with pytest.raises(ValueError, match="non-empty"):
        nearest_point(113.6, 24.8, [], [])


# --------------------------------------------------------------------------- aviation points
def test_aviation_points_file() -> None:
    from shapely.geometry import Point

    from sim.geo import county_polygons

    points = load_aviation_points()
    ids = [p.id for p in points]
    assert len(ids) == len(set(ids))
    kinds = [p.kind for p in points]
    assert kinds.count("heliport") == 1
    assert kinds.count("landing") == 4
    assert kinds.count("water_intake") >= 10
    polygons = list(county_polygons().values())
    for p in points:
        assert 112.85 <= p.lon <= 114.75, p.id
        assert 23.89 <= p.lat <= 25.52, p.id
        assert any(poly.contains(Point(p.lon, p.lat)) for poly in polygons), p.id
        assert p.source, p.id
        assert p.note, p.id
    heliport = next(p for p in points if p.kind == "heliport")
    assert haversine_m(heliport.lon, heliport.lat, 113.693, 24.775) < 1_000
    landing = {p.id: p for p in points if p.kind == "landing"}
    assert landing["LP-E"].lon == max(p.lon for p in landing.values())
    assert landing["LP-W"].lon == min(p.lon for p in landing.values())
    assert landing["LP-S"].lat == min(p.lat for p in landing.values())
    reservoirs = {"南水水库", "乐昌峡水库", "锦江水库", "小坑水库", "横江水库"}
    assert all(any(r in p.name for p in points) for r in reservoirs)


def test_every_forest_point_has_water_within_reach() -> None:
    """No point of the city is absurdly far from a dip point (bucket cycles stay < 1 h)."""
    from shapely.geometry import Point

    from sim.geo import county_polygons

    polygons = list(county_polygons().values())
    water = [p for p in load_aviation_points() if p.kind == "water_intake"]
    wlon, wlat = np.array([p.lon for p in water]), np.array([p.lat for p in water])
    grid_lon, grid_lat = np.meshgrid(np.linspace(112.9, 114.7, 25), np.linspace(23.95, 25.5, 25))
    inside = [
        (x, y)
        for x, y in zip(grid_lon.ravel(), grid_lat.ravel(), strict=True)
        if any(poly.contains(Point(x, y)) for poly in polygons)
    ]
    assert len(inside) > 300
    worst_m = max(nearest_point(x, y, wlon, wlat)[1] for x, y in inside)
    assert worst_m < 40_000
    assert bucket_cycle_s(worst_m) < H


def test_fuel_stops_by_hand() -> None:
    """Usable range 500 km, starting full: legs that fit need no stop; a leg that does not fit
    in what is left starts with a refuel; a leg longer than the range needs stops on the way."""
    km = 1000.0
    assert av.fuel_stops([200 * km, 200 * km], 500 * km) == [0, 0]
    assert av.fuel_stops([250 * km, 100 * km, 250 * km], 500 * km) == [0, 0, 1]
    assert av.fuel_stops([1200 * km], 500 * km) == [2]  # 500 + 500 + 200
    assert av.fuel_stops([300 * km, 1200 * km], 500 * km) == [0, 3]  # refuel, then 2 more
    assert av.fuel_stops([100 * km], math.inf) == [0]
    with pytest.raises(ValueError, match="usable_m"):
        av.fuel_stops([1.0], 0.0)
