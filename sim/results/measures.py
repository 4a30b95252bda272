"""Target measures: one registry that knows how each kind of plan target is measured and judged.

A scenario's ``targets`` name a measure (``measure: first_arrival``); everything that evaluates,
judges, prints, charts or compares a target asks the measure registered under that name
(`MEASURES`), never branches on the name itself. A measure knows

* which keys a target of its kind needs and which incident types it may cover
  (`Measure.target_problems`, used by the scenario validator);
* how to evaluate it from the incident table (`Measure.evaluate`): the ``metrics.json`` entry
  with the value, its 95 % interval, the per-replication values and the verdicts ``met`` (the
  estimate meets the requirement) and ``met_95`` (the whole interval does);
* its direction (≥ or ≤), the key of its requirement, the range its values can take (only
  shares are bounded to [0, 1]) and how its values, intervals, requirements and differences are
  written.

To add a measure, register an instance in `MEASURES` (see ``docs/architecture.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.results.schema import unit_arrival_column
from sim.results.stats import mean_ci, rate_interval, share_interval, wilson_interval

Direction = Literal[">=", "<="]
#: A problem with one target: the key path inside the target and the message.
Problem = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True, slots=True)
class Context:
    """Run-level facts a measure may need besides the incident table.

    Attributes
    ----------
    replications
        Replications in the table (0 .. replications − 1).
    horizon_days
        Simulated period of each replication (days).
    population
        Population of the study area (persons).
    full_time_staff
        Full-time firefighters (专职消防人员) of all facilities: posts of firefighter roles at
        staffed facilities, ``full_time_staff`` elsewhere (persons).
    forest_area_ha
        Forest area of the study area (ha); NaN when the region gives none (the loader then
        refuses ``burn_ratio`` targets).
    fire_types
        Incident types that are forest fires (have a ``fire`` block).
    """

    replications: int
    horizon_days: float
    population: int
    full_time_staff: int
    forest_area_ha: float
    fire_types: tuple[str, ...]

    @property
    def years(self) -> float:
        """Length of one replication in years (365.25 days)."""
        return float(self.horizon_days) / 365.25


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """What the scenario validator knows when it checks a target (raw, unvalidated data).

    Attributes
    ----------
    incidents
        Incident type id → its raw mapping from the scenario file.
    unit_types
        Unit type ids of the scenario, or None when ``unit_types`` itself is invalid.
    unknown
        Writes the message for an unknown id: ``unknown(what, id, known ids)``.
    region
        Name of the study region, or None when it could not be loaded (then the checks that
        need it are skipped: the region's own problem is reported).
    forest_area_ha
        Forest area of the region (ha), None when the region gives none.
    """

    incidents: Mapping[str, Any]
    unit_types: Sequence[str] | None
    unknown: Callable[..., str]
    region: str | None = None
    forest_area_ha: float | None = None


def _get(target: Any, key: str) -> Any:
    """Read a target field from a validated `Target` or a ``metrics.json``-style mapping."""
    if isinstance(target, Mapping):
        return target.get(key)
    return getattr(target, key, None)


@dataclass(frozen=True, slots=True)
class Measure:
    """Base of every measure: requirement, direction and text; subclasses evaluate.

    Attributes
    ----------
    name
        Name used in scenario files (``measure:``) and ``metrics.json``.
    label
        (zh, en) what is measured, for tables.
    direction
        {">=", "<="}: the value must be at least / at most the requirement.
    limit_key
        Target key holding the requirement (``required_share``, ``required_per_mille``, ...).
    value_key
        {"share", "value"}: key of the estimate in ``metrics.json``.
    keys
        Target keys this measure uses besides ``id``, ``label``, ``measure``.
    required
        Of `keys`, those a target must give.
    bounds
        Range the value can take; intervals are clipped to it.
    note
        Why other keys do not apply (appended to "not used by measure" messages).
    """

    name: str
    label: tuple[str, str]
    direction: Direction
    limit_key: str
    value_key: Literal["share", "value"]
    keys: tuple[str, ...]
    required: tuple[str, ...]
    bounds: tuple[float, float]
    note: str = ""
    #: Fields of the ``metrics.json`` entry besides the value and interval that comparisons and
    #: sweeps keep (what `detail_text` and `bar` read).
    extra_keys: tuple[str, ...] = ()

    # -- kinds -------------------------------------------------------------------------------
    @property
    def per_incident(self) -> bool:
        """Whether the measure judges incidents one by one against a time threshold."""
        return False

    @property
    def lower_is_better(self) -> bool:
        """Whether a smaller value is better."""
        return self.direction == "<="

    # -- scenario checks ---------------------------------------------------------------------
    def target_problems(self, target: Mapping[str, Any], facts: TargetFacts) -> list[Problem]:
        """Return the problems of one raw target of this measure (key path, message)."""
        problems: list[Problem] = [
            ((key,), f"required key is missing (measure {self.name!r} needs it)")
            for key in self.required
            if target.get(key) is None
        ]
        for key in sorted(_OPTIONAL_KEYS - set(self.keys)):
            if target.get(key) is None:
                continue
            users = [m.name for m in MEASURES.values() if key in m.keys]
            if self.note:
                problems.append(((key,), f"not used by measure {self.name!r} ({self.note})"))
            else:
                which = " or ".join(repr(u) for u in users)
                problems.append(((key,), f"only used by measure {which}, not by {self.name!r}"))
        return problems

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(
        self, table: Mapping[str, np.ndarray], target: Any, ctx: Context
    ) -> dict[str, Any]:
        """Return the ``metrics.json`` fields of a target (without ``label`` and ``measure``)."""
        raise NotImplementedError

    def met(self, value: float | None, limit: float | None) -> bool:
        """Whether `value` meets the requirement `limit` (False when either is unknown)."""
        if value is None or limit is None or math.isnan(value):  # no incident: not met
            return False
        return bool(value >= limit) if self.direction == ">=" else bool(value <= limit)

    def verdicts(
        self, mean: float, low: float, high: float, limit: float | None
    ) -> dict[str, bool]:
        """``met`` from the estimate; ``met_95`` from the interval's pessimistic end."""
        worst = low if self.direction == ">=" else high
        return {"met": self.met(mean, limit), "met_95": self.met(worst, limit)}

    # -- reading entries ---------------------------------------------------------------------
    def value(self, entry: Mapping[str, Any]) -> float | None:
        """The estimate of a ``metrics.json``-style entry."""
        v = entry.get(self.value_key)
        return None if v is None else float(v)

    def limit(self, entry: Any) -> float | None:
        """The requirement of a target or entry (None when a sweep varies it)."""
        v = _get(entry, self.limit_key)
        return None if v is None else float(v)

    def requirement_keys(self) -> tuple[str, ...]:
        """Target keys that make up the requirement (a sweep may vary them)."""
        return (self.limit_key,)

    def bar(self, entry: Mapping[str, Any]) -> tuple[float, float, float, float]:
        """Place an entry on a chart axis: (value, low, high, requirement).

        Shares are drawn as they are; other values relative to their requirement, so that the
        requirement is at 1.
        """
        v = self.value(entry) or 0.0
        ci = entry.get("ci95") or [None, None]
        lo, hi = (v if c is None else float(c) for c in ci)
        limit = self.limit(entry)
        if self.value_key == "share" or not limit:
            return v, lo, hi, (limit if limit is not None else 0.0)
        return v / limit, lo / limit, hi / limit, 1.0

    # -- effects (sensitivity) ----------------------------------------------------------------
    def effect_scale(self) -> float:
        """Factor from the value's units to the units effects are shown in (shares: 100, pp)."""
        return 100.0 if self.value_key == "share" else 1.0

    def effect_unit(self, lang: str) -> str:
        """Unit of a change of the value, as shown (``百分点`` / ``pp`` for shares)."""
        if self.value_key == "share":
            return "百分点" if lang == "zh" else "pp"
        return "‰"

    def format_effect(self, v: float | None) -> str:
        """Write the size of a change of the value (no sign): ``3.2 pp``, ``0.123‰``."""
        if v is None or not math.isfinite(v):
            return "—"
        x = abs(v) * self.effect_scale()
        return f"{x:.2f} pp" if self.value_key == "share" else f"{x:.3f}‰"

    # -- text --------------------------------------------------------------------------------
    @property
    def op(self) -> str:
        """The comparison sign as text: ``≥`` or ``≤``."""
        return "≥" if self.direction == ">=" else "≤"

    def format_value(self, v: float | None, *, lang: str = "en") -> str:
        """Write one value."""
        raise NotImplementedError

    def format_interval(self, ci: Sequence[float | None] | None) -> str:
        """Write an interval (``—`` when unknown or of zero width for exact values)."""
        raise NotImplementedError

    def format_diff(self, d: Mapping[str, Any]) -> str:
        """Write a paired difference with its interval."""
        raise NotImplementedError

    def value_text(self, entry: Mapping[str, Any], *, lang: str = "en") -> str:
        """Estimate with its interval, for compact tables."""
        raise NotImplementedError

    def requirement_text(self, entry: Mapping[str, Any], lang: str, *, short: bool = False) -> str:
        """The requirement in words (``≥ 90% < 0.5 h``, ``≥ 0.4‰``); "varies" when unknown."""
        raise NotImplementedError

    def detail_text(self, entry: Mapping[str, Any], lang: str) -> str:
        """What a table row cannot hold (median, probabilities of a year); "" when nothing."""
        return ""

    def bar_text(self, entry: Mapping[str, Any], lang: str = "en") -> str:
        """Short text next to the bar `bar` draws (the value it places)."""
        return self.format_value(self.value(entry), lang=lang)

    def axis_label(self, lang: str) -> str:
        """Label of a chart axis carrying this measure's values (with the interval band)."""
        if self.value_key == "share":
            return (
                "达标比例（带 = 95% 置信区间）" if lang == "zh" else "Share meeting (band = 95% CI)"
            )
        return f"{self.label[0]}（‰）" if lang == "zh" else f"{self.label[1]} (‰)"


def _varies(lang: str) -> str:
    return "随设置变化" if lang == "zh" else "varies"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _pp(v: float | None, ci: Sequence[float | None] | None = None) -> str:
    """A difference of shares in percentage points, with its interval."""
    if v is None:
        return "—"
    lo, hi = (None, None) if not ci else (ci[0], ci[1])
    # Two decimals for sub-point differences, which common random numbers resolve.
    big = max(abs(v), abs(lo), abs(hi)) if lo is not None and hi is not None else abs(v)
    nd = 2 if 0 < big * 100 < 1 else 1
    out = f"{v * 100:+.{nd}f} pp"
    if lo is not None and hi is not None:
        out += f" [{lo * 100:+.{nd}f}, {hi * 100:+.{nd}f}]"
    return out


@dataclass(frozen=True, slots=True)
class TimeShare(Measure):
    """Share of a target's incidents where a time from onset stays below a threshold.

    Each replication gives one share; an incident where the measured event never happened
    (NaN: unserved, relief never arrived) counts as missed and is never dropped from the
    denominator. The estimate is the mean share over replications; its interval is the hull of
    the t-interval over replications and the Wilson interval of the pooled counts
    (`sim.results.stats.share_interval`), so 100 % in every replication is not reported as
    certain. ``share_pooled`` pools all incidents.

    Attributes
    ----------
    column_name
        Incident-table column measured (hours from onset); None for `UnitArrival`.
    needs
        Incident types must have this block in the scenario (``"affected_people"``,
        ``"fire"``), or None.
    chart
        Whether the run's response-time chart draws this target (fire containment has a chart
        of its own).
    """

    column_name: str | None = None
    needs: str | None = None
    chart: bool = True

    @property
    def per_incident(self) -> bool:
        return True

    def column(self, target: Any) -> str:
        """The incident-table column this target measures."""
        assert self.column_name is not None  # set for every registered instance
        return self.column_name

    def mask(self, table: Mapping[str, np.ndarray], target: Any) -> np.ndarray:
        """Incidents the target covers: its types (relief: only those with affected people)."""
        m = np.isin(table["type"], list(_get(target, "incident_types") or ()))
        if self.needs == "affected_people":
            m &= np.asarray(table["affected_people"]) > 0
        return m

    def met_by_incident(self, table: Mapping[str, np.ndarray], target: Any) -> np.ndarray:
        """Whether each incident met the threshold (never happened = missed)."""
        x = np.asarray(table[self.column(target)], dtype=float)
        return np.nan_to_num(x, nan=np.inf) < float(_get(target, "threshold_h") or 0.0)

    def share_required(self, target: Any) -> float | None:
        """Share of incidents that must meet the threshold (None when a sweep varies it)."""
        return self.limit(target)

    def target_problems(self, target: Mapping[str, Any], facts: TargetFacts) -> list[Problem]:
        problems = Measure.target_problems(self, target, facts)
        kinds = target.get("incident_types")
        if kinds == []:
            problems.append((("incident_types",), "expected at least one incident type, got []"))
        problems += _needs_problems(self.name, self.needs, kinds, facts)
        return problems

    def evaluate(
        self, table: Mapping[str, np.ndarray], target: Any, ctx: Context
    ) -> dict[str, Any]:
        col = np.asarray(table[self.column(target)], dtype=float)
        mask = self.mask(table, target)
        met = self.met_by_incident(table, target) & mask
        rep = np.asarray(table["replication"])
        shares = []
        for r in range(ctx.replications):
            sel = mask & (rep == r)
            n = int(sel.sum())
            shares.append(float(met[sel].mean()) if n else math.nan)
        n_all = int(mask.sum())
        mean, lo, hi = share_interval(shares, int(met[mask].sum()), n_all)
        entry: dict[str, Any] = {
            "incident_types": list(_get(target, "incident_types") or ()),
            "threshold_h": _get(target, "threshold_h"),
            "required_share": _get(target, "required_share"),
            "share": mean,
            "ci95": [lo, hi],
            "share_pooled": float(met[mask].mean()) if n_all else math.nan,
            "n_incidents": n_all,
            "n_met": int(met[mask].sum()),
            "n_never": int((mask & np.isnan(col)).sum()),
            "per_replication": shares,
        }
        return entry | self.verdicts(mean, lo, hi, self.limit(target))

    def requirement_keys(self) -> tuple[str, ...]:
        return ("threshold_h", self.limit_key)

    def format_value(self, v: float | None, *, lang: str = "en") -> str:
        return _pct(v)

    def format_interval(self, ci: Sequence[float | None] | None) -> str:
        if not ci or ci[0] is None or ci[1] is None:
            return "—"
        return f"[{ci[0]:.1%}, {ci[1]:.1%}]"

    def format_diff(self, d: Mapping[str, Any]) -> str:
        return _pp(d["diff"], d["ci95"])

    def value_text(self, entry: Mapping[str, Any], *, lang: str = "en") -> str:
        return f"{_pct(entry.get('share'))} {self.format_interval(entry.get('ci95'))}"

    def requirement_text(self, entry: Mapping[str, Any], lang: str, *, short: bool = False) -> str:
        limit = self.limit(entry)
        share = _varies(lang) if limit is None else f"{limit:.0%}"
        th = _get(entry, "threshold_h")
        th_s = _varies(lang) if th is None else f"{th:g}"
        if short:
            return f"≥ {share} < {th_s} h"
        if lang == "zh":
            return f"≥ {share} 的事件 < {th_s} 小时"
        return f"≥ {share} of incidents < {th_s} h"


@dataclass(frozen=True, slots=True)
class UnitArrival(TimeShare):
    """Share of incidents where the first unit of one type arrives within the threshold."""

    def column(self, target: Any) -> str:
        return unit_arrival_column(str(_get(target, "unit_type")))

    def target_problems(self, target: Mapping[str, Any], facts: TargetFacts) -> list[Problem]:
        problems = TimeShare.target_problems(self, target, facts)
        ut = target.get("unit_type")
        known = facts.unit_types
        if ut is not None and known is not None and ut not in known:
            problems.append((("unit_type",), facts.unknown("unit type", ut, known)))
        return problems


@dataclass(frozen=True, slots=True)
class AirMissionArrival(TimeShare):
    """Share of the incidents that asked for an aircraft whose first aircraft arrived in time.

    The denominator is the incidents of the target's types with a helicopter mission (column
    ``air_mission`` not empty); an aircraft that never came counts as missed. Tables without
    that column (scenarios without aircraft rules) count every incident of the types.
    """

    def mask(self, table: Mapping[str, np.ndarray], target: Any) -> np.ndarray:
        m = TimeShare.mask(self, table, target)
        if "air_mission" in table:
            m &= np.asarray(table["air_mission"], dtype=object) != ""
        return m


@dataclass(frozen=True, slots=True)
class Ratio(Measure):
    """A ratio in per mille: one value per run, or one per replication with a t-interval.

    Attributes
    ----------
    unit
        Unit written in ``metrics.json`` (``per_mille`` or ``per_mille_per_year``).
    suffix
        (zh, en) added to requirement texts (``/年``).
    """

    unit: str = "per_mille"
    suffix: tuple[str, str] = ("", "")

    def format_value(self, v: float | None, *, lang: str = "en") -> str:
        return "—" if v is None else f"{v:.3f}‰"

    def format_interval(self, ci: Sequence[float | None] | None) -> str:
        if not ci or ci[0] is None or ci[1] is None or ci[0] == ci[1]:
            return "—"
        return f"[{ci[0]:.3f}‰, {ci[1]:.3f}‰]"

    def format_diff(self, d: Mapping[str, Any]) -> str:
        out = f"{d['diff']:+.3f}‰"
        ci = d.get("ci95") or [None, None]
        if ci[0] is not None and ci[0] != ci[1]:
            out += f" [{ci[0]:+.3f}, {ci[1]:+.3f}]"
        return out

    def value_text(self, entry: Mapping[str, Any], *, lang: str = "en") -> str:
        v = entry.get("value")
        if v is None:
            return "—"
        ci = entry.get("ci95") or [None, None]
        if ci[0] is not None and ci[1] is not None and ci[0] != ci[1]:
            return f"{v:.3f}‰ [{ci[0]:.3f}, {ci[1]:.3f}]"
        return f"{v:.3f}‰"

    def requirement_text(self, entry: Mapping[str, Any], lang: str, *, short: bool = False) -> str:
        limit = self.limit(entry)
        lim = _varies(lang) if limit is None else f"{limit:g}‰"
        return f"{self.op} {lim}" + (self.suffix[0] if lang == "zh" else self.suffix[1])


@dataclass(frozen=True, slots=True)
class StaffRatio(Ratio):
    """Full-time staff per 1,000 residents (‰): a count, without sampling error.

    Staffed facilities count the posts of their roles with ``counts_as_firefighter``, the
    others their ``full_time_staff`` (`Context.full_time_staff`).
    """

    def evaluate(
        self, table: Mapping[str, np.ndarray], target: Any, ctx: Context
    ) -> dict[str, Any]:
        value = ctx.full_time_staff / ctx.population * 1000.0
        ok = self.met(value, self.limit(target))
        return {
            "value": value,
            "unit": self.unit,
            "ci95": [value, value],
            self.limit_key: self.limit(target),
            "full_time_staff": ctx.full_time_staff,
            "population": ctx.population,
            "met": ok,
            "met_95": ok,
        }


@dataclass(frozen=True, slots=True)
class BurnRatio(Ratio):
    """Damaged forest area per year over the forest area (‰), per replication.

    The plan's 森林火灾受害率 counts damaged forest (受害森林面积, column ``damaged_ha``), not the
    area burned over (过火面积, ``burned_ha``). A few large fires make the yearly ratio heavy-
    tailed, so besides the mean (t-interval) the entry gives the median over replications and
    the probability that a year exceeds the limit (Wilson interval over replications).
    """

    def target_problems(self, target: Mapping[str, Any], facts: TargetFacts) -> list[Problem]:
        problems = Measure.target_problems(self, target, facts)
        problems += _needs_problems(self.name, "fire", target.get("incident_types"), facts)
        if not any(
            isinstance(v, Mapping) and v.get("fire") is not None for v in facts.incidents.values()
        ):
            problems.append((("measure",), "no incident type has a `fire` block"))
        if facts.region is not None and facts.forest_area_ha is None:
            problems.append(
                (
                    ("measure",),
                    f"burn_ratio needs the forest area of the region {facts.region}, which "
                    "gives none: add region.forest (forest polygons) or region.forest_area_ha",
                )
            )
        return problems

    def evaluate(
        self, table: Mapping[str, np.ndarray], target: Any, ctx: Context
    ) -> dict[str, Any]:
        kinds = list(_get(target, "incident_types") or ctx.fire_types)
        mask = np.isin(table["type"], kinds)
        damaged = np.nan_to_num(np.asarray(table["damaged_ha"], dtype=float), nan=0.0)
        burned = np.nan_to_num(np.asarray(table["burned_ha"], dtype=float), nan=0.0)
        rep = np.asarray(table["replication"])
        scale = 1000.0 / ctx.years / ctx.forest_area_ha
        per_rep = [float(damaged[mask & (rep == r)].sum()) * scale for r in range(ctx.replications)]
        burned_per_year = [
            float(burned[mask & (rep == r)].sum()) / ctx.years for r in range(ctx.replications)
        ]
        mean, lo, hi = mean_ci(per_rep, bounds=self.bounds)
        limit = self.limit(target)
        entry: dict[str, Any] = {
            "incident_types": kinds,
            "value": mean,
            "unit": self.unit,
            "ci95": [lo, hi],
            self.limit_key: limit,
            "median": float(np.median(per_rep)) if per_rep else math.nan,
        }
        if limit is not None and per_rep:
            over = sum(1 for v in per_rep if v > limit)
            entry["p_year_exceeds"] = over / len(per_rep)
            entry["p_year_exceeds_ci95"] = list(wilson_interval(over, len(per_rep)))
        return entry | {
            "damaged_ha_per_year": mean * ctx.forest_area_ha / 1000.0,
            "burned_over_ha_per_year": float(np.mean(burned_per_year))
            if burned_per_year
            else math.nan,
            "forest_area_ha": ctx.forest_area_ha,
            "per_replication": per_rep,
            **self.verdicts(mean, lo, hi, limit),
        }

    def detail_text(self, entry: Mapping[str, Any], lang: str) -> str:
        med = entry.get("median")
        if med is None:
            return ""
        zh = lang == "zh"
        parts = [f"中位数 {med:.3f}‰" if zh else f"median {med:.3f}‰"]
        p = entry.get("p_year_exceeds")
        if p is not None:
            ci = entry.get("p_year_exceeds_ci95") or [None, None]
            limit = self.limit(entry)
            lim = "?" if limit is None else f"{limit:g}‰"
            parts.append(
                (f"超过 {lim} 的年份 {_pct(p)} " if zh else f"years above {lim}: {_pct(p)} ")
                + f"[{_pct(ci[0])}, {_pct(ci[1])}]"
            )
        dmg, over = entry.get("damaged_ha_per_year"), entry.get("burned_over_ha_per_year")
        if dmg is not None and over is not None:
            parts.append(
                f"年均受害 {dmg:,.0f} ha（过火 {over:,.0f} ha）"
                if zh
                else f"damaged {dmg:,.0f} ha/yr (burned over {over:,.0f} ha/yr)"
            )
        return ("；" if zh else "; ").join(parts)


@dataclass(frozen=True, slots=True)
class FailureCount(TimeShare):
    """A 100 % requirement judged by its failures: incidents missing the threshold, per year.

    A share that must be 100 % is met or not by single incidents, so it is reported as what a
    planner can weigh: the expected number of failures (incidents of the target's types where
    the measured event did not happen within ``threshold_h``) per year, with an interval (the
    hull of the t-interval over replications and the exact Poisson interval of the pooled
    count, `sim.results.stats.rate_interval`), and the probability that a year has none (share
    of replications without a failure, Wilson interval). The requirement is at most
    ``max_failures_per_year`` (0 for the plan's 100 %): ``met`` when the estimate is within it,
    ``met_95`` when the upper end of the interval is — which a requirement of 0 never is after
    any finite number of replications.
    """

    def share_required(self, target: Any) -> float | None:
        return 1.0

    def axis_label(self, lang: str) -> str:
        if lang == "zh":
            return "每年超过阈值的事件数（带 = 95% 置信区间）"
        return "Incidents beyond the threshold per year (band = 95% CI)"

    def evaluate(
        self, table: Mapping[str, np.ndarray], target: Any, ctx: Context
    ) -> dict[str, Any]:
        col = np.asarray(table[self.column(target)], dtype=float)
        mask = self.mask(table, target)
        failed = mask & ~self.met_by_incident(table, target)
        rep = np.asarray(table["replication"])
        counts = [int((failed & (rep == r)).sum()) for r in range(ctx.replications)]
        per_year = [c / ctx.years for c in counts]
        total = int(sum(counts))
        mean, lo, hi = rate_interval(per_year, total, ctx.years * ctx.replications)
        free = sum(1 for c in counts if c == 0)
        n_all = int(mask.sum())
        limit = self.limit(target)
        entry: dict[str, Any] = {
            "incident_types": list(_get(target, "incident_types") or ()),
            "threshold_h": _get(target, "threshold_h"),
            self.limit_key: limit,
            "value": mean,
            "unit": "failures_per_year",
            "ci95": [lo, hi],
            "failures": total,
            "failures_by_type": {
                str(k): int((failed & (np.asarray(table["type"]) == k)).sum())
                for k in _get(target, "incident_types") or ()
            },
            "p_year_without_failure": free / ctx.replications if ctx.replications else math.nan,
            "p_year_without_failure_ci95": list(wilson_interval(free, ctx.replications)),
            "share_met_pooled": float(1.0 - failed[mask].mean()) if n_all else math.nan,
            "n_incidents": n_all,
            "n_never": int((mask & np.isnan(col)).sum()),
            "per_replication": per_year,
        }
        return entry | self.verdicts(mean, lo, hi, limit)

    def bar(self, entry: Mapping[str, Any]) -> tuple[float, float, float, float]:
        """The probability of a year without failure; at most L failures a year is, for Poisson
        failures, at least e^−L of years without one (1 for the plan's 100 %)."""
        p = entry.get("p_year_without_failure")
        v = 0.0 if p is None else float(p)
        ci = entry.get("p_year_without_failure_ci95") or [None, None]
        lo, hi = (v if c is None else float(c) for c in ci)
        limit = self.limit(entry)
        return v, lo, hi, (math.exp(-limit) if limit is not None else 1.0)

    def bar_text(self, entry: Mapping[str, Any], lang: str = "en") -> str:
        p = _pct(entry.get("p_year_without_failure"))
        v = self.format_value(self.value(entry), lang=lang)
        return f"无失败年份 {p}（{v}）" if lang == "zh" else f"{p} of years none ({v})"

    def format_value(self, v: float | None, *, lang: str = "en") -> str:
        if v is None or math.isnan(v):
            return "—"
        return f"{v:.2f} 次/年" if lang == "zh" else f"{v:.2f}/yr"

    def format_interval(self, ci: Sequence[float | None] | None) -> str:
        if not ci or ci[0] is None or ci[1] is None:
            return "—"
        return f"[{ci[0]:.2f}, {ci[1]:.2f}]"

    def format_diff(self, d: Mapping[str, Any]) -> str:
        if d.get("diff") is None:
            return "—"
        out = f"{d['diff']:+.2f}/yr"
        ci = d.get("ci95") or [None, None]
        if ci[0] is not None and ci[1] is not None and ci[0] != ci[1]:
            out += f" [{ci[0]:+.2f}, {ci[1]:+.2f}]"
        return out

    def value_text(self, entry: Mapping[str, Any], *, lang: str = "en") -> str:
        out = f"{self.format_value(entry.get('value'), lang=lang)} "
        out += self.format_interval(entry.get("ci95"))
        p = entry.get("p_year_without_failure")
        if p is not None:
            out += f"，无失败年份 {_pct(p)}" if lang == "zh" else f", {_pct(p)} of years none"
        return out

    def requirement_text(self, entry: Mapping[str, Any], lang: str, *, short: bool = False) -> str:
        limit = self.limit(entry)
        lim = _varies(lang) if limit is None else f"{limit:g}"
        th = _get(entry, "threshold_h")
        th_s = _varies(lang) if th is None else f"{th:g}"
        if short:
            return f"≤ {lim}/yr ≥ {th_s} h" if lang != "zh" else f"≤ {lim} 次/年 ≥ {th_s} h"
        if lang == "zh":
            return f"每年超过 {th_s} 小时的事件 ≤ {lim} 起"
        return f"≤ {lim} incidents a year beyond {th_s} h"

    def detail_text(self, entry: Mapping[str, Any], lang: str) -> str:
        p = entry.get("p_year_without_failure")
        if p is None:
            return ""
        ci = entry.get("p_year_without_failure_ci95") or [None, None]
        n, fails = entry.get("n_incidents"), entry.get("failures")
        if lang == "zh":
            return (
                f"无失败年份的概率 {_pct(p)} [{_pct(ci[0])}, {_pct(ci[1])}]；"
                f"{n} 起事件中共 {fails} 起未在阈值内"
            )
        return (
            f"P(year without failure) {_pct(p)} [{_pct(ci[0])}, {_pct(ci[1])}]; "
            f"{fails} of {n} incidents beyond the threshold"
        )


def _needs_problems(name: str, needs: str | None, kinds: Any, facts: TargetFacts) -> list[Problem]:
    """Incident types a measure covers must have the block it measures."""
    if needs is None or not isinstance(kinds, list):
        return []
    why = {
        "affected_people": "has no affected_people, so it never needs relief",
        "fire": "has no `fire` block, so it is never contained or burns forest",
    }[needs]
    return [
        (("incident_types", j), f"incident type {key!r} {why}")
        for j, key in enumerate(kinds)
        # ids are text; anything else (a number, a mapping) is reported by the schema
        if isinstance(key, str)
        and isinstance(facts.incidents.get(key), Mapping)
        and facts.incidents[key].get(needs) is None
    ]


_TIME_KEYS = ("incident_types", "threshold_h", "required_share")


def _time_share(
    name: str,
    label: tuple[str, str],
    column: str | None,
    kind: type[TimeShare] | None = None,
    **kw: Any,
) -> TimeShare:
    """A share of incidents meeting a time threshold (≥ ``required_share``)."""
    kind = kind or (UnitArrival if column is None else TimeShare)
    extra = ("unit_type",) if column is None else ()
    return kind(
        name=name,
        label=label,
        direction=">=",
        limit_key="required_share",
        value_key="share",
        keys=(*_TIME_KEYS, *extra),
        required=("incident_types", "threshold_h", *extra),
        bounds=(0.0, 1.0),
        column_name=column,
        **kw,
    )


#: Every measure a target may name, by name. Order: how the docs list them.
MEASURES: Mapping[str, Measure] = {
    m.name: m
    for m in (
        _time_share("first_arrival", ("首车到场", "first unit on scene"), "first_arrival_h"),
        _time_share(
            "all_arrived", ("所需力量全部到场", "all required units on scene"), "all_arrived_h"
        ),
        _time_share(
            "relief", ("初步救助物资送达", "first relief delivered"), "relief_h",
            needs="affected_people",
        ),
        _time_share(
            "contained", ("火灾扑灭（控制）", "fire contained"), "contained_h",
            needs="fire", chart=False,
        ),
        _time_share("unit_arrival", ("指定力量到场", "given unit type on scene"), None),
        _time_share("cleared", ("现场处置完毕", "work on scene finished"), "cleared_h"),
        _time_share(
            "air_mission",
            ("直升机任务到场", "first aircraft on scene, incidents that asked for one"),
            "first_air_h", AirMissionArrival,
        ),
        _time_share(
            "relief_households",
            ("初步救助物资发放到户", "first supplies in every affected household"),
            "relief_done_h",
            needs="affected_people",
        ),
        FailureCount(
            name="comms_established",
            label=(
                "现场应急通信建立（失败次数）",
                "communications established on scene (failures)",
            ),
            direction="<=",
            limit_key="max_failures_per_year",
            value_key="value",
            keys=("incident_types", "threshold_h", "max_failures_per_year"),
            required=("incident_types", "threshold_h", "max_failures_per_year"),
            bounds=(0.0, math.inf),
            column_name="comms_h",
            extra_keys=(
                "failures",
                "p_year_without_failure",
                "p_year_without_failure_ci95",
                "share_met_pooled",
            ),
        ),
        StaffRatio(
            name="firefighter_ratio",
            label=("专职消防人员/总人口", "full-time firefighters per population"),
            direction=">=",
            limit_key="required_per_mille",
            value_key="value",
            keys=("required_per_mille",),
            required=("required_per_mille",),
            bounds=(0.0, math.inf),
            note="it compares staff per 1,000 residents",
            unit="per_mille",
        ),
        BurnRatio(
            name="burn_ratio",
            label=("森林火灾受害率（年）", "damaged forest share per year"),
            direction="<=",
            limit_key="max_per_mille",
            value_key="value",
            keys=("incident_types", "max_per_mille"),
            required=("max_per_mille",),
            bounds=(0.0, math.inf),
            unit="per_mille_per_year",
            suffix=("/年", " per year"),
            extra_keys=(
                "median",
                "p_year_exceeds",
                "p_year_exceeds_ci95",
                "damaged_ha_per_year",
                "burned_over_ha_per_year",
            ),
        ),
    )
}  # fmt: skip

#: Keys some measure uses; a target giving one its measure does not use is an error.
_OPTIONAL_KEYS = frozenset(k for m in MEASURES.values() for k in m.keys) - {"required_share"}


def measure_of(target: Any) -> Measure:
    """Return the registered measure of a target, ``metrics.json`` entry or comparison entry."""
    return MEASURES[str(_get(target, "measure"))]


def per_incident_targets(targets: Sequence[Any]) -> list[Any]:
    """Return the targets whose measure judges incidents one by one (time thresholds)."""
    return [t for t in targets if measure_of(t).per_incident]


def arrival_unit_types(targets: Sequence[Any]) -> tuple[str, ...]:
    """Unit types whose first arrival some target measures (each once, in target order)."""
    kinds = [str(_get(t, "unit_type")) for t in targets if isinstance(measure_of(t), UnitArrival)]
    return tuple(dict.fromkeys(kinds))
