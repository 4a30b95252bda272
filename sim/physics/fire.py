"""Forest-fire growth and containment: elliptical spread against held fire line.

Pure python and numpy; no simpy. The engine owns the clock and tells a `FireState` how long
to advance under which conditions (daylight, rain, line-building rate); this module does the
geometry and finds the instant the line catches the perimeter.

Model (see ``docs/fire-aviation.md`` for the planner's version)
-----------------------------------------------------------------
*Growth.* A fire starts at a point (or a circle of radius ``r0``) and grows as an ellipse
(Van Wagner 1969; Anderson 1983). The head advances at the rate of spread ``R`` (m/h), the back
at ``back_ratio · R``. Both are multiplied by ``night_factor`` between sunset and sunrise and by
``rain_factor`` while it rains. With ``h`` and ``k`` the head and back distances from the
ignition point,

    a = (h + k) / 2                      (semi-major axis)
    b = r0 + (a − r0) / LB               (semi-minor axis; b = a / LB when r0 = 0)
    P = π (a + b) [1 + 3η / (10 + √(4 − 3η))],  η = ((a − b)/(a + b))²   (Ramanujan 1914)
    A = π a b

*Containment.* The classic perimeter race (Parks 1964; Fried & Fried 1996; review by Hirsch
& Martell 1996): crews and aircraft build and hold fire line at a combined rate ``w`` (m/h);
the fire is contained at the first instant ``t`` at which the cumulative held line ``L(t)``
reaches the current perimeter ``P(t)``, with some line work being done (``w > 0``). After
that the fire stops growing; the model treats containment as 明火扑灭 (open flame out).

Within one `FireState.advance` step the conditions are constant, so ``a`` and ``b`` grow
linearly and ``L`` grows linearly. ``P`` is then a convex function of time (the perimeter is
a norm of ``(a, b)``) and ``L − P`` is concave: the crossing instant is found exactly (to a
relative precision of 1e-9) by bisection after locating the maximum, not by sub-stepping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.geo import SHAOGUAN_AREA_KM2 as SHAOGUAN_AREA_KM2
from sim.geo import SHAOGUAN_FOREST_HA as SHAOGUAN_FOREST_HA
from sim.geo import SHAOGUAN_FOREST_SHARE as SHAOGUAN_FOREST_SHARE

if TYPE_CHECKING:
    import numpy.typing as npt

HOUR_S = 3600.0
M2_PER_HA = 10_000.0
#: One surveyor's chain (US fireline production tables are in chains/hour).
CHAIN_M = 20.1168

# SHAOGUAN_FOREST_SHARE, SHAOGUAN_AREA_KM2 and SHAOGUAN_FOREST_HA (imported above) live with
# the geography now, as the shipped region's forest area; docs/fire-aviation.md finds them here.

#: Line built and held by one 20-person ground team (m/h). ASSUMPTION within the range of the
#: NWCG Incident Response Pocket Guide table "Sustained line production rates of 20-person
#: crews" (chains/h): timber litter & understory 6 (Type I) / 4 (Type II) ≈ 80–120 m/h;
#: hardwood litter 40 / 24 ≈ 480–800 m/h. South-China broadleaf/pine hill forest with a dense
#: fern and shrub layer is taken in between; Chinese teams also attack the flame edge directly
#: with blowers (风力灭火机) and pumps.
TEAM_LINE_M_PER_H = 200.0
#: Line held per bucket drop of a 3–5 t Bambi bucket (m). ASSUMPTION; the USFS/MTDC
#: "Airtanker drop guides" give line length by bucket, speed and coverage level for calibration.
LINE_PER_DROP_M = 30.0

#: Walking speed of a loaded forest-fire team off-trail in hill forest (km/h) and its climb
#: rate (m of ascent per hour) for Naismith's rule in `walk_in_s`. ASSUMPTION (Naismith's
#: unladen values are 5 km/h and 600 m/h).
WALK_IN_KPH = 3.0
CLIMB_M_PER_H = 400.0

#: Default detection-delay means (h). ASSUMPTION: a lookout/camera-covered area sees smoke in
#: about 15 min; elsewhere a fire is reported by villagers or patrols after about 2 h.
COVERED_MEAN_H = 0.25
UNCOVERED_MEAN_H = 2.0

_BISECT_ITERS = 200
_GOLDEN_ITERS = 200
_TIME_TOL_S = 1e-9
#: Longest horizon searched by `FireState.time_to_contain_s` (100 years): beyond that, never.
_MAX_HORIZON_S = 100 * 365.25 * 86400.0


# --------------------------------------------------------------------------- geometry
def ellipse_perimeter_m(a_m: float, b_m: float) -> float:
    """Return the perimeter of an ellipse by Ramanujan's second approximation.

    Parameters
    ----------
    a_m, b_m
        Semi-axes in metres (≥ 0).

    Returns
    -------
    perimeter_m
        Exact for a circle; relative error below 1e-6 for a/b ≤ 5, 1.2e-5 at a/b = 10 and at
        most 0.04 % (b = 0).
    """
    s = a_m + b_m
    if s <= 0.0:
        return 0.0
    eta = ((a_m - b_m) / s) ** 2
    return math.pi * s * (1.0 + 3.0 * eta / (10.0 + math.sqrt(4.0 - 3.0 * eta)))


def _perimeter_rate(a: float, b: float, da: float, db: float) -> float:
    """Time derivative of the Ramanujan perimeter when the semi-axes grow at (da, db)."""
    s = a + b
    if s <= 0.0:
        # Perimeter is homogeneous of degree 1, so from a point it grows at P(da, db).
        return ellipse_perimeter_m(da, db)
    d = a - b
    eta = (d / s) ** 2
    q = math.sqrt(4.0 - 3.0 * eta)
    f = 1.0 + 3.0 * eta / (10.0 + q)
    df_deta = (3.0 * (10.0 + q) + 4.5 * eta / q) / (10.0 + q) ** 2
    ds = da + db
    # s · dη/dt written with the bounded ratio d/s, so tiny fires do not underflow.
    r = d / s
    s_deta = 2.0 * r * ((da - db) - r * ds)
    return math.pi * (ds * f + df_deta * s_deta)


def _first_crossing(
    g: Callable[[float], float], dg: Callable[[float], float], t_max: float
) -> float | None:
    """First root of a concave function `g` on [0, t_max] with g(0) < 0, or None.

    Returns the smallest t found with g(t) >= 0 (to 1e-9 s), so the state at the returned
    time satisfies the containment inequality exactly in floating point.
    """
    hi: float | None = None
    if g(t_max) >= 0.0:
        hi = t_max
    elif dg(0.0) > 0.0 and dg(t_max) < 0.0:
        # Concave with an interior maximum: the line may overtake the perimeter and then fall
        # behind again (a circle of radius r0 turning into an ellipse). Golden-section search.
        lo, up = 0.0, t_max
        inv_phi = (math.sqrt(5.0) - 1.0) / 2.0
        x1, x2 = up - inv_phi * (up - lo), lo + inv_phi * (up - lo)
        g1, g2 = g(x1), g(x2)
        for _ in range(_GOLDEN_ITERS):
            if g1 >= 0.0 or g2 >= 0.0:
                break
            if g1 < g2:
                lo, x1, g1 = x1, x2, g2
                x2 = lo + inv_phi * (up - lo)
                g2 = g(x2)
            else:
                up, x2, g2 = x2, x1, g1
                x1 = up - inv_phi * (up - lo)
                g1 = g(x1)
            if up - lo <= _TIME_TOL_S:
                break
        if g1 >= 0.0:
            hi = x1
        elif g2 >= 0.0:
            hi = x2
    if hi is None:
        return None
    lo = 0.0
    for _ in range(_BISECT_ITERS):
        if hi - lo <= _TIME_TOL_S * max(1.0, hi):
            break
        mid = 0.5 * (lo + hi)
        if g(mid) >= 0.0:
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- fire state
@dataclass(slots=True)
class FireState:
    """One forest fire: elliptical growth and the race against held fire line.

    Parameters
    ----------
    ros_m_per_h
        Head rate of spread R in daylight without rain (m/h, ≥ 0); drawn per fire by the
        caller (see `sample_ros_m_per_h` for a default distribution).
    lb_ratio
        Length-to-breadth ratio LB of the grown ellipse (≥ 1). ASSUMPTION 2.0: moderate wind
        (≈ 10–20 km/h) in south-China broadleaf/pine forest gives about 1.5–2.5 in the Canadian
        FBP / Anderson (1983) relations.
    back_ratio
        Back spread as a fraction of head spread (0–1). ASSUMPTION 0.1.
    night_factor
        Spread multiplier between sunset and sunrise (0–1): higher humidity and lower wind.
        ASSUMPTION 0.4 (range 0.3–0.5).
    initial_radius_m
        Radius of the fire at ignition (m, ≥ 0); 0 means a point.

    Attributes
    ----------
    head_m, back_m
        Distance from the ignition point to the head and to the back of the fire (m).
    line_m
        Cumulative held fire line (m).
    t_s
        Time since ignition (s).
    contained_t_s
        Time since ignition at which the line caught the perimeter, or None.
    """

    ros_m_per_h: float
    lb_ratio: float = 2.0
    back_ratio: float = 0.1
    night_factor: float = 0.4
    initial_radius_m: float = 0.0
    head_m: float = field(init=False)
    back_m: float = field(init=False)
    line_m: float = field(init=False, default=0.0)
    t_s: float = field(init=False, default=0.0)
    contained_t_s: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        problems = []
        if not self.ros_m_per_h >= 0:
            problems.append(f"`ros_m_per_h` must be >= 0, got {self.ros_m_per_h!r}")
        if not self.lb_ratio >= 1:
            problems.append(f"`lb_ratio` must be >= 1, got {self.lb_ratio!r}")
        if not 0 <= self.back_ratio <= 1:
            problems.append(f"`back_ratio` must be in [0, 1], got {self.back_ratio!r}")
        if not 0 <= self.night_factor <= 1:
            problems.append(f"`night_factor` must be in [0, 1], got {self.night_factor!r}")
        if not self.initial_radius_m >= 0:
            problems.append(f"`initial_radius_m` must be >= 0, got {self.initial_radius_m!r}")
        if problems:
            msg = "FireState: " + "; ".join(problems)
            raise ValueError(msg)
        self.head_m = self.initial_radius_m
        self.back_m = self.initial_radius_m

    # ---- geometry
    def _axes(self, head_m: float, back_m: float) -> tuple[float, float]:
        a = 0.5 * (head_m + back_m)
        r0 = self.initial_radius_m
        return a, r0 + (a - r0) / self.lb_ratio

    @property
    def semi_axes_m(self) -> tuple[float, float]:
        """Semi-major and semi-minor axes (a, b) of the fire ellipse (m)."""
        return self._axes(self.head_m, self.back_m)

    @property
    def perimeter_m(self) -> float:
        """Current fire perimeter (m), Ramanujan's approximation."""
        return ellipse_perimeter_m(*self.semi_axes_m)

    @property
    def area_ha(self) -> float:
        """Current burned area π·a·b (ha)."""
        a, b = self.semi_axes_m
        return math.pi * a * b / M2_PER_HA

    @property
    def is_contained(self) -> bool:
        """Whether the fire has been contained."""
        return self.contained_t_s is not None

    # ---- dynamics
    def _spread_m_per_s(self, daylight: bool, rain_factor: float) -> tuple[float, float]:
        factor = (1.0 if daylight else self.night_factor) * rain_factor
        head = self.ros_m_per_h * factor / HOUR_S
        return head, head * self.back_ratio

    def _race(
        self, line_rate_m_per_h: float, daylight: bool, rain_factor: float
    ) -> tuple[Callable[[float], float], Callable[[float], float], float, float]:
        """Return g(τ) = line − perimeter, its derivative, and the head/back speeds."""
        vh, vb = self._spread_m_per_s(daylight, rain_factor)
        w = line_rate_m_per_h / HOUR_S
        h0, k0, l0 = self.head_m, self.back_m, self.line_m
        a0, b0 = self._axes(h0, k0)
        da = 0.5 * (vh + vb)
        db = da / self.lb_ratio

        def g(tau: float) -> float:
            return l0 + w * tau - ellipse_perimeter_m(a0 + da * tau, b0 + db * tau)

        def dg(tau: float) -> float:
            return w - _perimeter_rate(a0 + da * tau, b0 + db * tau, da, db)

        return g, dg, vh, vb

    @staticmethod
    def _check_conditions(line_rate_m_per_h: float, rain_factor: float) -> None:
        if not line_rate_m_per_h >= 0 or not rain_factor >= 0:
            msg = (
                "need `line_rate_m_per_h` >= 0 and `rain_factor` >= 0, "
                f"got {line_rate_m_per_h!r}, {rain_factor!r}"
            )
            raise ValueError(msg)

    def advance(
        self,
        dt_s: float,
        *,
        line_rate_m_per_h: float,
        daylight: bool,
        rain_factor: float = 1.0,
    ) -> bool:
        """Grow the fire and the held line for `dt_s` seconds of constant conditions.

        If the line catches the perimeter inside the step, the exact instant is stored in
        `contained_t_s` and the fire's size is frozen there. After containment the fire
        no longer grows; further calls only move the clock.

        Parameters
        ----------
        dt_s
            Step length (s, ≥ 0). Split steps at sunrise/sunset, arrivals and rain changes:
            conditions are taken as constant within a step.
        line_rate_m_per_h
            Combined rate at which crews and aircraft build and hold line (m/h, ≥ 0), e.g.
            from `line_rate_m_per_h`. Zero means nobody is working on the fire.
        daylight
            Whether the step is between sunrise and sunset (otherwise spread × `night_factor`).
        rain_factor
            Spread multiplier for rain (≥ 0; 1 = dry).

        Returns
        -------
        contained_now
            True if the fire was contained during this step (False if it was already
            contained before the step or is still free-burning).
        """
        if not dt_s >= 0:
            msg = f"`dt_s` must be >= 0, got {dt_s!r}"
            raise ValueError(msg)
        self._check_conditions(line_rate_m_per_h, rain_factor)
        if self.contained_t_s is not None:
            self.t_s += dt_s
            return False
        g, dg, vh, vb = self._race(line_rate_m_per_h, daylight, rain_factor)
        tau: float | None = None
        if line_rate_m_per_h > 0.0:
            tau = 0.0 if g(0.0) >= 0.0 else _first_crossing(g, dg, dt_s)
        step = dt_s if tau is None else tau
        self.head_m += vh * step
        self.back_m += vb * step
        self.line_m += line_rate_m_per_h / HOUR_S * step
        if tau is not None:
            self.contained_t_s = self.t_s + tau
        self.t_s += dt_s
        return tau is not None

    def time_to_contain_s(
        self, line_rate_m_per_h: float, daylight: bool, *, rain_factor: float = 1.0
    ) -> float:
        """Return how long from now containment would take if conditions stayed constant.

        Parameters
        ----------
        line_rate_m_per_h
            Combined held-line rate (m/h, ≥ 0).
        daylight
            Whether spread is at the day rate (otherwise × `night_factor`).
        rain_factor
            Spread multiplier for rain (≥ 0).

        Returns
        -------
        duration_s
            Seconds from `t_s` (not since ignition); 0 if already contained; ``inf`` if the
            line never catches the perimeter, which happens when `line_rate_m_per_h` does not
            exceed the perimeter growth rate (or is 0).
        """
        self._check_conditions(line_rate_m_per_h, rain_factor)
        if self.contained_t_s is not None:
            return 0.0
        if line_rate_m_per_h <= 0.0:
            return math.inf
        g, dg, _vh, _vb = self._race(line_rate_m_per_h, daylight, rain_factor)
        if g(0.0) >= 0.0:
            return 0.0
        tau = _first_crossing(g, dg, _MAX_HORIZON_S)
        return math.inf if tau is None else tau

    def perimeter_growth_m_per_h(self, daylight: bool, *, rain_factor: float = 1.0) -> float:
        """Return the current rate of perimeter growth (m/h) under the given conditions.

        Line must be built faster than this (asymptotically) for the fire to be contained.
        """
        vh, vb = self._spread_m_per_s(daylight, rain_factor)
        a, b = self.semi_axes_m
        da = 0.5 * (vh + vb)
        return _perimeter_rate(a, b, da, da / self.lb_ratio) * HOUR_S


# --------------------------------------------------------------------------- suppression inputs
def unit_line_rate_m_per_h(
    fireline_m_per_h: float, *, line_per_drop_m: float = 0.0, cycle_s: float = math.inf
) -> float:
    """Return the line one unit holds per hour: its ground line plus its bucket drops.

    Parameters
    ----------
    fireline_m_per_h
        Line built and held by the unit's crew on the ground (m/h, ≥ 0); 0 for aircraft.
        ASSUMPTION for a 20-person forest team: `TEAM_LINE_M_PER_H`.
    line_per_drop_m
        Line held by one bucket drop (m, ≥ 0); 0 for ground units and for aircraft that
        cannot fly now (night). ASSUMPTION: `LINE_PER_DROP_M`.
    cycle_s
        Bucket round trip (s, > 0; `sim.physics.aviation.bucket_cycle_s`).

    Returns
    -------
    rate_m_per_h
        ``fireline_m_per_h + line_per_drop_m · 3600 / cycle_s``.
    """
    if fireline_m_per_h < 0 or line_per_drop_m < 0 or not cycle_s > 0:
        msg = (
            "need `fireline_m_per_h` >= 0, `line_per_drop_m` >= 0 and `cycle_s` > 0; got "
            f"{fireline_m_per_h!r}, {line_per_drop_m!r}, {cycle_s!r}"
        )
        raise ValueError(msg)
    return fireline_m_per_h + line_per_drop_m * HOUR_S / cycle_s


def walk_in_s(
    dist_m: npt.ArrayLike,
    *,
    climb_m: npt.ArrayLike = 0.0,
    speed_kph: npt.ArrayLike = WALK_IN_KPH,
    climb_m_per_h: float = CLIMB_M_PER_H,
) -> Any:
    """Return the time a ground team needs to walk from the road end to the fire.

    Naismith's rule (Naismith 1892; see Scarf 2007, *Journal of Sports Sciences*, "Route choice in
    mountain navigation, Naismith's rule, and the equivalence of distance and climb"): one
    hour per `speed_kph` km of horizontal distance plus one hour per `climb_m_per_h` m of
    ascent. The original 5 km/h and 600 m/h are for unladen hill walkers on paths; a
    forest-fire team carrying blowers, pumps and tools off-trail is slower.
    ASSUMPTION: 3 km/h and 400 m/h.

    Parameters
    ----------
    dist_m
        Horizontal walking distance (m, ≥ 0), e.g. the straight line from the nearest road
        node to the fire times a winding factor chosen by the caller; scalar or array.
    climb_m
        Total ascent (m, ≥ 0); 0 when no elevation data are available.
    speed_kph, climb_m_per_h
        Flat walking speed (km/h, > 0; scalar or array like `dist_m`) and climb rate (m/h, > 0).

    Returns
    -------
    time_s
        Walking time in seconds (a float for scalar inputs, else an array). NaN distances or
        speeds (no walk) give NaN.
    """
    d = np.asarray(dist_m, dtype=float)
    c = np.asarray(climb_m, dtype=float)
    v = np.asarray(speed_kph, dtype=float)
    if (d < 0).any() or (c < 0).any() or (v <= 0).any() or climb_m_per_h <= 0:
        msg = (
            "need `dist_m` >= 0, `climb_m` >= 0, `speed_kph` > 0 and `climb_m_per_h` > 0; got "
            f"{dist_m!r}, {climb_m!r}, {speed_kph!r}, {climb_m_per_h!r}"
        )
        raise ValueError(msg)
    t = (d / 1000.0 / v + c / climb_m_per_h) * HOUR_S
    return float(t) if t.ndim == 0 else t


def detection_delay_s(
    rng: np.random.Generator,
    n: int,
    *,
    coverage: float,
    covered_mean_h: float = COVERED_MEAN_H,
    uncovered_mean_h: float = UNCOVERED_MEAN_H,
) -> npt.NDArray[np.float64]:
    """Draw the delays from ignition to the fire being reported.

    With probability `coverage` a fire starts where lookouts or cameras see it and is
    reported after an exponential delay with mean `covered_mean_h`; otherwise after an
    exponential delay with mean `uncovered_mean_h`. ASSUMPTION (two-class mixture; the plan's
    target is ≥ 90 % lookout/camera coverage of key areas).

    The two uniform and exponential streams are drawn in a fixed order, so with the same
    generator state a higher `coverage` never gives any fire a longer delay (common random
    numbers for scenario comparisons).

    Parameters
    ----------
    rng
        Random generator (its own stream, e.g. ``sim.incidents.stream(...)``).
    n
        Number of fires.
    coverage
        Share of fires that start in covered areas, in [0, 1].
    covered_mean_h, uncovered_mean_h
        Mean delays (h, > 0).

    Returns
    -------
    delay_s
        Array of `n` delays in seconds.
    """
    if not 0 <= coverage <= 1 or covered_mean_h <= 0 or uncovered_mean_h <= 0 or n < 0:
        msg = (
            "need 0 <= `coverage` <= 1, positive means and n >= 0; got "
            f"coverage={coverage!r}, covered_mean_h={covered_mean_h!r}, "
            f"uncovered_mean_h={uncovered_mean_h!r}, n={n!r}"
        )
        raise ValueError(msg)
    u = rng.random(n)
    e = rng.standard_exponential(n)
    mean_h = np.where(u < coverage, covered_mean_h, uncovered_mean_h)
    return e * mean_h * HOUR_S


def sample_ros_m_per_h(
    rng: np.random.Generator, n: int, *, median_m_per_h: float = 60.0, log_sd: float = 0.8
) -> npt.NDArray[np.float64]:
    """Draw head rates of spread from a log-normal distribution.

    ASSUMPTION: median 60 m/h (1 m/min) with log-sd 0.8 (90th percentile ≈ 170 m/h,
    99th ≈ 390 m/h). Chinese suppression guidance quotes 0.1–0.7 m/min (6–42 m/h) for young
    surface fires and 10–20 m/min when a fire turns into a crown fire (王鹏 2021, 初期森林火灾
    扑救机制); sustained crown fires are outside this model.

    Parameters
    ----------
    rng
        Random generator.
    n
        Number of fires.
    median_m_per_h, log_sd
        Median (m/h, > 0) and standard deviation of ln R (≥ 0).

    Returns
    -------
    ros_m_per_h
        Array of `n` rates (m/h).
    """
    if median_m_per_h <= 0 or log_sd < 0:
        msg = f"need `median_m_per_h` > 0 and `log_sd` >= 0, got {median_m_per_h!r}, {log_sd!r}"
        raise ValueError(msg)
    return median_m_per_h * np.exp(log_sd * rng.standard_normal(n))
