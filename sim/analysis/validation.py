"""Validation of the model against known answers and public figures, check by check.

Each check compares one number of the model with a reference that does not come from the model
(a queueing formula, a documented road distance, published fire or call statistics), states the
rule that decides the verdict, and cites the source. The workflow `sim.workflows.validate`
runs the simulations and writes ``docs/validation.md`` from these checks.

Reference figures (sources also in ``DATA.md``, "Forest fire sizes" and "119 call volumes"):

* Erlang C (Erlang 1917): the mean wait in queue of an M/M/c system.
* ``sim/data/reference_routes.csv``: road distances and travel times with their sources.
* 广西 forest fires 2016–2021 (何蕓 2022): 2,309 fires, 19,249.52 ha burned over, 5,866.88 ha
  damaged, 1,489 一般 (< 1 ha damaged) and 820 较大 (1–100 ha damaged) fires, no 重大 or 特大.
* 119 calls: 广东 2023 177,000 and 1 January – 31 October 2024 167,000 (广东省消防救援总队);
  广东 2019 shares fire 31 %, rescue 41 %, social assistance 28 %; road traffic 5.0 % of the
  nation's calls (国家消防救援局, 1 October – 12 November 2024); 广东 population 127.06 million
  at the end of 2023 (广东省统计局).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.geo import DATA
from sim.model.dispatch import Fleet
from sim.model.engine import Demand, simulate
from sim.model.incidents import STREAM_ARRIVALS, STREAM_ON_SCENE, IncidentSet, stream
from sim.results.stats import mean_ci, wilson_interval

Verdict = Literal["ok", "off"]
HOUR_S = 3600.0

# --------------------------------------------------------------------------- reference figures

#: 广西 2016–2021 forest fires (何蕓 2022, 广西国有高峰林场; DATA.md, "Forest fire sizes").
GX_FIRES = 2309
GX_BURNED_OVER_HA = 19249.52
GX_DAMAGED_HA = 5866.88
GX_FIRES_DAMAGED_1HA = 820  # 较大森林火灾: 1–100 ha damaged
GX_FIRES_DAMAGED_100HA = 0  # no 重大 (≥ 100 ha) or 特大 fire
GX_SOURCE = (
    "何蕓 2022, 广西 2016–2021 森林火灾 (广西国有高峰林场), copy at "
    "http://www.victorzhang.cn/page/2022/0905/14125381.shtml"
)
#: 广东 119 calls handled by the fire and rescue service (DATA.md, "119 call volumes").
GD_CALLS_2023 = 177_000
GD_CALLS_2024_TO_OCT31 = 167_000
GD_DAYS_2024_TO_OCT31 = 305  # 1 January – 31 October 2024 (a leap year)
GD_POPULATION_2023 = 127_060_000
GD_CALLS_SOURCE = (
    "广东省政府新闻办 2024-11-07 (广东省消防救援总队): 16.7万 calls to 31 Oct 2024, 17.7万 in "
    "2023, copy at http://31lp341.a899.cn/html/41b199050.html; population: 2023年广东省国民经济和"
    "社会发展统计公报, https://www.xkb.com.cn/articleDetail/300332"
)
GD_SHARES_2019 = {"fire": 0.31, "rescue": 0.41, "social_assistance": 0.28}
GD_SHARES_SOURCE = (
    "信息时报 2019-11-10 (广东省消防救援总队): first ten months of 2019, 8.4万 calls, fire 31 %, "
    "rescue 41 %, social assistance 28 %, copy at http://www.kcqsx.com/heyuan/201911/742576.html"
)
CN_ROAD_TRAFFIC_SHARE = 12_000 / 240_000
CN_ROAD_SOURCE = (
    "国家消防救援局 press conference 2024-11-22 (澎湃新闻): 1 Oct – 12 Nov 2024, 24万 calls, "
    "1.2万 traffic accidents, copy at http://usamodel.cn/newsDetail_forward_29423471"
)

#: Tolerances of the verdicts (stated on the page).
ROUTE_TOLERANCE = 0.25  # docs/network.md: expect route times right to about ±20–30 %
FIRE_MEAN_TOLERANCE = 0.30
FIRE_SHARE_TOLERANCE_PP = 7.0
FIRE_LARGE_MAX_SHARE = 0.005
CALLS_TOLERANCE = 0.20
CALL_SHARE_TOLERANCE_PP = 10.0
ROAD_SHARE_TOLERANCE_PP = 3.0


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison of the model with a reference.

    Attributes
    ----------
    section
        Which part of the page (``"queue"``, ``"routes"``, ``"fires"``, ``"calls"``).
    item
        What is compared, in words.
    model, reference
        The two numbers as written on the page (units included).
    verdict
        ``"ok"`` when the rule holds, ``"off"`` when not.
    rule
        The rule that decides the verdict, in words.
    source
        Where the reference comes from.
    """

    section: str
    item: str
    model: str
    reference: str
    verdict: Verdict
    rule: str
    source: str


def _verdict(ok: bool) -> Verdict:
    return "ok" if ok else "off"


# --------------------------------------------------------------------------- M/M/c and Erlang C


def erlang_c(lam_per_h: float, mu_per_h: float, c: int) -> tuple[float, float]:
    """Return (probability of waiting, mean wait in queue in h) of an M/M/c queue (Erlang C).

    Parameters
    ----------
    lam_per_h, mu_per_h
        Arrival and service rates (1/h), ``lam_per_h < c · mu_per_h``.
    c
        Servers.
    """
    a = lam_per_h / mu_per_h
    if not 0 < a < c:
        msg = f"need 0 < lam/mu < c, got lam/mu={a!r}, c={c!r}"
        raise ValueError(msg)
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu_per_h - lam_per_h)


def _mmc_fleet(c: int) -> Fleet:
    """c units of one type at one facility, zero travel everywhere (an abstract network)."""
    zero = np.zeros((1, 1))
    return Fleet(
        type_names=("server",),
        facility_ids=("queue",),
        facility_names=("queue",),
        facility_kinds=("fire_station",),
        facility_node=np.zeros(1, dtype=np.int64),
        facility_access_s=np.zeros(1),
        unit_type=np.zeros(c, dtype=np.int64),
        unit_facility=np.zeros(c, dtype=np.int64),
        unit_turnout_s=np.zeros(c),
        unit_crew=np.ones(c, dtype=np.int64),
        unit_capacity_people=np.zeros(c, dtype=np.int64),
        unit_profile=np.zeros(c, dtype=np.int64),
        unit_labels=tuple(f"queue/server#{k + 1}" for k in range(c)),
        travel_out_s={"light": zero, "heavy": zero},
        travel_back_s={"light": zero, "heavy": zero},
        units_of_type=(np.arange(c),),
    )


def mmc_waits(
    lam_per_h: float, mu_per_h: float, c: int, *, hours: float, replications: int, seed: int
) -> tuple[list[float], list[float]]:
    """Simulate an M/M/c queue with the engine; per replication: mean wait (h), share waiting.

    Each incident needs one of `c` identical units that travel in no time; work on scene is
    exponential with rate `mu_per_h`, arrivals Poisson with rate `lam_per_h` over `hours`.
    """
    fleet = _mmc_fleet(c)
    demand = Demand(units=np.ones((1, 1), dtype=np.int64), priority=np.array([1]))
    waits, shares = [], []
    for r in range(replications):
        arrivals = stream(seed, r, "validation:mmc", STREAM_ARRIVALS)
        n = int(arrivals.poisson(lam_per_h * hours))
        t = np.sort(arrivals.uniform(0, hours, n))  # a Poisson process given its count
        work = stream(seed, r, "validation:mmc", STREAM_ON_SCENE).exponential(1 / mu_per_h, n)
        inc = IncidentSet(
            t_s=t * HOUR_S,
            type_idx=np.zeros(n, dtype=np.int64),
            lon=np.zeros(n),
            lat=np.zeros(n),
            on_scene_s=work * HOUR_S,
            people=np.zeros(n, dtype=np.int64),
            type_names=("call",),
        )
        out = simulate(
            fleet,
            inc,
            np.zeros(n, dtype=np.int64),
            np.zeros(n),
            demand,
            relief=None,
            until_s=(hours + 1000.0 / mu_per_h) * HOUR_S,
        )
        wait_h = (out.first_dispatch_s - inc.t_s) / HOUR_S
        waits.append(float(np.mean(wait_h)))
        shares.append(float(np.mean(wait_h > 1e-9)))
    return waits, shares


#: Confidence level of the queue checks: a formula outside the 99 % interval is a finding; at
#: 95 % one correct engine in twenty would be flagged by chance.
QUEUE_LEVEL = 0.99


def queue_checks(
    lam_per_h: float, mu_per_h: float, c: int, waits: Sequence[float], shares: Sequence[float]
) -> list[Check]:
    """Erlang C against the engine's replications: the formula must lie in the 99 % interval."""
    p_wait, wq = erlang_c(lam_per_h, mu_per_h, c)
    src = "Erlang C formula (Erlang 1917); the engine of sim.model.engine on a zero-travel network"
    out = []
    for item, ref, values, unit in (
        ("mean wait in queue", wq, waits, 60.0),
        ("probability of waiting", p_wait, shares, 100.0),
    ):
        m, lo, hi = mean_ci(values, QUEUE_LEVEL)
        fmt = "{:.2f} min" if unit == 60.0 else "{:.1f} %"
        out.append(
            Check(
                section="queue",
                item=f"M/M/{c}, λ = {lam_per_h:g}/h, μ = {mu_per_h:g}/h: {item}",
                model=f"{fmt.format(m * unit)} [{fmt.format(lo * unit)}, {fmt.format(hi * unit)}]",
                reference=fmt.format(ref * unit),
                verdict=_verdict(lo <= ref <= hi),
                rule=f"formula inside the {QUEUE_LEVEL:.0%} t-interval over replications",
                source=src,
            )
        )
    return out


# --------------------------------------------------------------------------- routes


@dataclass(frozen=True, slots=True)
class ReferenceRoute:
    """One row of ``sim/data/reference_routes.csv`` (None where the source gives no figure)."""

    origin: str
    destination: str
    road_km: float | None
    time_h: float | None
    source: str
    confidence: str


def load_reference_routes() -> tuple[ReferenceRoute, ...]:
    """Read ``sim/data/reference_routes.csv`` (``from,to,road_km,time_h,source,confidence``)."""
    text = (DATA / "reference_routes.csv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append(
            ReferenceRoute(
                origin=row["from"],
                destination=row["to"],
                road_km=float(row["road_km"]) if row["road_km"].strip() else None,
                time_h=float(row["time_h"]) if row["time_h"].strip() else None,
                source=row["source"],
                confidence=row["confidence"],
            )
        )
    return tuple(rows)


def route_checks(
    routes: Sequence[ReferenceRoute], route_of: Callable[[str, str], Mapping[str, Any]]
) -> list[Check]:
    """Model road distance and light-vehicle time against each documented figure.

    `route_of(from, to)` returns the model's route record (``length_km``, ``travel_time_h``,
    ``refs``; `sim.workflows.route.route_between`).
    """
    out = []
    for ref in routes:
        r = route_of(ref.origin, ref.destination)
        roads = ", ".join(r.get("refs") or ()) or "local roads"
        for key, value, unit in (
            ("length_km", ref.road_km, "km"),
            ("travel_time_h", ref.time_h, "h"),
        ):
            if value is None:
                continue
            model = float(r[key])
            rel = model / value - 1.0
            what = "road distance" if unit == "km" else "light-vehicle time"
            out.append(
                Check(
                    section="routes",
                    item=f"{ref.origin} → {ref.destination}: {what} (model via {roads})",
                    model=f"{model:.1f} {unit} ({rel:+.0%})"
                    if unit == "km"
                    else f"{model:.2f} {unit} ({rel:+.0%})",
                    reference=f"{value:g} {unit} (confidence {ref.confidence})",
                    verdict=_verdict(abs(rel) <= ROUTE_TOLERANCE),
                    rule=f"within ±{ROUTE_TOLERANCE:.0%} of the reference",
                    source=ref.source,
                )
            )
    return out


# --------------------------------------------------------------------------- forest fires


def fire_checks(burned_ha: np.ndarray, damaged_ha: np.ndarray) -> list[Check]:
    """Simulated fire sizes (one value per fire) against the 广西 2016–2021 statistics."""
    b = np.nan_to_num(np.asarray(burned_ha, dtype=float), nan=0.0)
    d = np.nan_to_num(np.asarray(damaged_ha, dtype=float), nan=0.0)
    n = b.size
    ref_mean = GX_BURNED_OVER_HA / GX_FIRES
    mean = float(b.mean()) if n else math.nan
    ref_share = GX_FIRES_DAMAGED_1HA / GX_FIRES
    share = float((d >= 1.0).mean()) if n else math.nan
    large = int((d >= 100.0).sum())
    _, ref_large_hi = wilson_interval(GX_FIRES_DAMAGED_100HA, GX_FIRES)
    return [
        Check(
            section="fires",
            item=f"mean area burned over per fire (过火面积), {n} simulated fires",
            model=f"{mean:.2f} ha",
            reference=f"{ref_mean:.2f} ha ({GX_BURNED_OVER_HA:,.2f} ha / {GX_FIRES:,} fires)",
            verdict=_verdict(abs(mean / ref_mean - 1.0) <= FIRE_MEAN_TOLERANCE),
            rule=f"within ±{FIRE_MEAN_TOLERANCE:.0%} of the reference",
            source=GX_SOURCE,
        ),
        Check(
            section="fires",
            item="share of fires with ≥ 1 ha damaged forest (较大 or worse)",
            model=f"{share:.1%}",
            reference=f"{ref_share:.1%} ({GX_FIRES_DAMAGED_1HA} of {GX_FIRES:,})",
            verdict=_verdict(abs(share - ref_share) * 100 <= FIRE_SHARE_TOLERANCE_PP),
            rule=f"within ±{FIRE_SHARE_TOLERANCE_PP:g} percentage points",
            source=GX_SOURCE,
        ),
        Check(
            section="fires",
            item="share of fires with ≥ 100 ha damaged forest (重大 or worse)",
            model=f"{large / n if n else math.nan:.2%} ({large} of {n})",
            reference=f"none of {GX_FIRES:,} (below {ref_large_hi:.2%} with 95 % confidence)",
            verdict=_verdict(n > 0 and large / n <= FIRE_LARGE_MAX_SHARE),
            rule=f"at most {FIRE_LARGE_MAX_SHARE:.1%}",
            source=GX_SOURCE,
        ),
    ]


# --------------------------------------------------------------------------- 119 calls


def expected_calls_per_year(population: float) -> tuple[float, float]:
    """广东's 119 calls per resident scaled to `population`: (2023 rate, 2024 annualised rate)."""
    per_2023 = GD_CALLS_2023 / GD_POPULATION_2023
    per_2024 = GD_CALLS_2024_TO_OCT31 * 366 / GD_DAYS_2024_TO_OCT31 / GD_POPULATION_2023
    return per_2023 * population, per_2024 * population


def call_checks(
    incidents_per_year: Mapping[str, float],
    categories: Mapping[str, str | None],
    population: float,
) -> list[Check]:
    """The model's yearly incidents by 119 category against public call figures.

    Parameters
    ----------
    incidents_per_year
        Incident type → mean incidents per year in the run.
    categories
        Incident type → its ``call_category`` (``fire``, ``rescue``, ``road_traffic``,
        ``social_assistance``; None when not given: left out of the shares and named).
    population
        Population of the study area (persons).
    """
    total = float(sum(incidents_per_year.values()))
    low, high = expected_calls_per_year(population)
    by_cat: dict[str, float] = {}
    unclassified = []
    for name, n in incidents_per_year.items():
        cat = categories.get(name)
        if cat is None:
            unclassified.append(name)
            continue
        key = "rescue" if cat == "road_traffic" else cat
        by_cat[key] = by_cat.get(key, 0.0) + n
    classified = sum(by_cat.values())
    note = f" ({', '.join(unclassified)} without call_category left out)" if unclassified else ""
    out = [
        Check(
            section="calls",
            item="incidents per year (all types)",
            model=f"{total:,.0f}",
            reference=f"{low:,.0f}–{high:,.0f} (广东 2023 and 2024 calls per resident × "
            f"{population:,.0f})",
            verdict=_verdict(low * (1 - CALLS_TOLERANCE) <= total <= high * (1 + CALLS_TOLERANCE)),
            rule=f"within the range widened by ±{CALLS_TOLERANCE:.0%}",
            source=GD_CALLS_SOURCE,
        )
    ]
    for cat, ref in GD_SHARES_2019.items():
        share = by_cat.get(cat, 0.0) / classified if classified else math.nan
        out.append(
            Check(
                section="calls",
                item=f"share of {cat.replace('_', ' ')} calls{note}",
                model=f"{share:.1%}",
                reference=f"{ref:.0%} (广东 2019)",
                verdict=_verdict(abs(share - ref) * 100 <= CALL_SHARE_TOLERANCE_PP),
                rule=f"within ±{CALL_SHARE_TOLERANCE_PP:g} percentage points",
                source=GD_SHARES_SOURCE,
            )
        )
    road = sum(
        n for name, n in incidents_per_year.items() if categories.get(name) == "road_traffic"
    )
    road_share = road / total if total else math.nan
    out.append(
        Check(
            section="calls",
            item=f"road traffic calls: {road:,.0f} a year, share of all calls",
            model=f"{road_share:.1%}",
            reference=f"{CN_ROAD_TRAFFIC_SHARE:.1%} (China, autumn 2024) ≈ "
            f"{CN_ROAD_TRAFFIC_SHARE * low:,.0f}–{CN_ROAD_TRAFFIC_SHARE * high:,.0f} a year",
            verdict=_verdict(
                abs(road_share - CN_ROAD_TRAFFIC_SHARE) * 100 <= ROAD_SHARE_TOLERANCE_PP
            ),
            rule=f"within ±{ROAD_SHARE_TOLERANCE_PP:g} percentage points",
            source=CN_ROAD_SOURCE,
        )
    )
    return out


def markdown(checks: Sequence[Check], *, intro: Sequence[str] = ()) -> str:
    """Write the checks as the validation page (sections in a fixed order, no clock time)."""
    titles = {
        "queue": "1. The engine against queueing theory (M/M/c, Erlang C)",
        "routes": "2. Route times against documented distances",
        "fires": "3. Forest-fire sizes against South-China statistics",
        "calls": "4. Call volumes against public 119 figures",
    }
    n_ok = sum(1 for c in checks if c.verdict == "ok")
    lines = ["# Validation (generated)", "", *intro, ""]
    lines += [f"**{n_ok} of {len(checks)} checks ok.**", ""]
    for key, title in titles.items():
        rows = [c for c in checks if c.section == key]
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["No reference figures.", ""]
            continue
        lines += [
            "| check | model | reference | verdict | rule | source |",
            "|---|---|---|---|---|---|",
        ]
        for c in rows:
            cells = (c.item, c.model, c.reference, f"**{c.verdict}**", c.rule, c.source)
            lines.append("| " + " | ".join(s.replace("|", "\\|") for s in cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
