"""The measure registry: evaluation against hand-computed values, verdicts at their boundaries,
scenario checks, and the wording of comparisons."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.results.measures import MEASURES, Context, TargetFacts, measure_of
from sim.results.stats import verdict
from sim.scenario import Target

CTX = Context(
    replications=4,
    horizon_days=365.25,
    population=1_000_000,
    full_time_staff=400,
    forest_area_ha=1000.0,
    fire_types=("forest_fire",),
)


def _target(**kw: object) -> dict[str, object]:
    return {"id": "t", "label": {"zh": "指标", "en": "target"}, **kw}


def _table(**cols: list[object]) -> dict[str, np.ndarray]:
    n = len(next(iter(cols.values())))
    base: dict[str, list[object]] = {
        "type": ["fire"] * n,
        "affected_people": [0] * n,
    }
    base.update(cols)
    return {k: np.asarray(v) for k, v in base.items()}


def test_time_share_by_hand() -> None:
    """Two replications: 2 of 3 met, then 1 of 2 (NaN = missed); mean 7/12 with a t-interval."""
    table = _table(
        replication=[0, 0, 0, 1, 1, 1],
        type=["fire", "fire", "fire", "fire", "fire", "flood"],
        first_arrival_h=[0.2, 0.49, 0.5, 0.1, np.nan, 0.1],
    )
    tg = Target.model_validate(
        _target(
            measure="first_arrival", incident_types=["fire"], threshold_h=0.5, required_share=0.5
        )
    )
    ctx = Context(2, 365.25, 1, 0, 1.0, ())
    e = MEASURES["first_arrival"].evaluate(table, tg, ctx)
    assert e["per_replication"] == [pytest.approx(2 / 3), pytest.approx(0.5)]
    assert e["share"] == pytest.approx(7 / 12)
    lo, hi = stats.t.interval(0.95, 1, loc=7 / 12, scale=stats.sem([2 / 3, 0.5]))
    assert e["ci95"] == [pytest.approx(max(lo, 0.0)), pytest.approx(min(hi, 1.0))]
    assert (e["n_incidents"], e["n_met"], e["n_never"]) == (5, 3, 1)
    assert e["share_pooled"] == pytest.approx(3 / 5)
    assert e["met"] is True  # 0.583 >= 0.5
    assert e["met_95"] is False  # the lower end is far below 0.5


def test_relief_counts_only_incidents_with_affected_people() -> None:
    """A relief target ignores incidents of its type that affect nobody."""
    table = _table(
        replication=[0, 0, 0],
        type=["flood"] * 3,
        affected_people=[100, 0, 50],
        relief_h=[2.0, np.nan, 9.0],
    )
    tg = Target.model_validate(_target(measure="relief", incident_types=["flood"], threshold_h=8))
    e = MEASURES["relief"].evaluate(table, tg, Context(1, 30, 1, 0, 1.0, ()))
    assert e["n_incidents"] == 2
    assert e["share"] == 0.5


def test_unit_arrival_reads_its_unit_type_column() -> None:
    """unit_arrival measures `<unit_type>_arrival_h`, not the first arrival."""
    table = _table(replication=[0, 0], first_arrival_h=[0.1, 0.1], comms_arrival_h=[0.5, 3.5])
    tg = Target.model_validate(
        _target(measure="unit_arrival", unit_type="comms", incident_types=["fire"], threshold_h=3)
    )
    m = MEASURES["unit_arrival"]
    assert m.column(tg) == "comms_arrival_h"
    assert m.evaluate(table, tg, Context(1, 30, 1, 0, 1.0, ()))["share"] == 0.5


def test_burn_ratio_interval_is_not_clipped_at_one() -> None:
    """Per-replication ratios 0.2, 0.9, 0.1, 0.95 ‰: mean 0.54 ‰ meets 1 ‰, the interval does not.

    Before the fix every interval was clipped to [0, 1], so this was reported as met with 95 %
    confidence.
    """
    ratios = [0.2, 0.9, 0.1, 0.95]  # ‰ of a 1,000 ha forest in one year = damaged ha
    table = _table(
        replication=[0, 1, 2, 3, 3],
        type=["forest_fire"] * 4 + ["fire"],
        burned_ha=[r / 0.3 for r in ratios] + [50.0],
        damaged_ha=[*ratios, 50.0],
    )
    tg = Target.model_validate(_target(measure="burn_ratio", max_per_mille=1.0))
    e = MEASURES["burn_ratio"].evaluate(table, tg, CTX)
    assert e["per_replication"] == [pytest.approx(r) for r in ratios]  # other types left out
    _, ref_hi = stats.t.interval(0.95, 3, loc=np.mean(ratios), scale=stats.sem(ratios))
    assert e["value"] == pytest.approx(0.5375)
    assert e["ci95"] == [0.0, pytest.approx(ref_hi)]
    assert ref_hi == pytest.approx(1.2532, abs=1e-4)
    assert e["met"] is True
    assert e["met_95"] is False
    assert e["damaged_ha_per_year"] == pytest.approx(0.5375)


def test_burn_ratio_counts_damaged_forest_with_median_and_years_above_the_limit() -> None:
    """The 受害率 uses damaged area, not the area burned over; a heavy-tailed year is visible.

    Damaged 0.1, 0.1, 0.2, 3.0 ha in four one-year replications of a 1,000 ha forest:
    mean 0.85 ‰ (meets 1 ‰), median 0.15 ‰, one year of four above 1 ‰ (Wilson interval
    [4.6 %, 69.9 %] for 1 of 4).
    """
    damaged = [0.1, 0.1, 0.2, 3.0]
    table = _table(
        replication=[0, 1, 2, 3],
        type=["forest_fire"] * 4,
        burned_ha=[d / 0.25 for d in damaged],
        damaged_ha=damaged,
    )
    tg = Target.model_validate(_target(measure="burn_ratio", max_per_mille=1.0))
    m = MEASURES["burn_ratio"]
    e = m.evaluate(table, tg, CTX)
    assert e["value"] == pytest.approx(0.85)
    assert e["median"] == pytest.approx(0.15)
    assert e["p_year_exceeds"] == 0.25
    assert [round(v, 3) for v in e["p_year_exceeds_ci95"]] == [0.046, 0.699]
    assert e["burned_over_ha_per_year"] == pytest.approx(3.4 / 0.25 / 4)
    assert e["met"] is True
    text = m.detail_text(e, "en")
    assert "median 0.150‰" in text
    assert "years above 1‰: 25.0%" in text
    assert "中位数 0.150‰" in m.detail_text(e, "zh")


def test_staff_ratio_is_a_count() -> None:
    """400 full-time staff for 1,000,000 people is 0.4 ‰: met at exactly the requirement."""
    tg = Target.model_validate(_target(measure="firefighter_ratio", required_per_mille=0.4))
    e = MEASURES["firefighter_ratio"].evaluate({}, tg, CTX)
    assert e["value"] == pytest.approx(0.4)
    assert e["ci95"] == [e["value"], e["value"]]
    assert (e["met"], e["met_95"]) == (True, True)


@pytest.mark.parametrize(
    ("name", "mean", "low", "high", "limit", "expected"),
    [
        ("first_arrival", 0.95, 0.95, 0.99, 0.95, (True, True)),  # boundary: >= is met
        ("first_arrival", 0.96, 0.9499, 0.99, 0.95, (True, False)),  # lower end just below
        ("first_arrival", 0.9499, 0.9, 0.99, 0.95, (False, False)),
        ("burn_ratio", 0.5, 0.1, 1.0, 1.0, (True, True)),  # boundary: <= is met
        ("burn_ratio", 0.5, 0.1, 1.0001, 1.0, (True, False)),  # upper end just above
        ("burn_ratio", 1.0001, 0.9, 1.2, 1.0, (False, False)),
        ("first_arrival", math.nan, math.nan, math.nan, 0.95, (False, False)),  # no incident
    ],
)
def test_verdict_boundaries(
    name: str, mean: float, low: float, high: float, limit: float, expected: tuple[bool, bool]
) -> None:
    """met uses the estimate, met_95 the pessimistic end of the interval; equality meets."""
    v = MEASURES[name].verdicts(mean, low, high, limit)
    assert (v["met"], v["met_95"]) == expected


def test_comparison_words_follow_the_direction() -> None:
    """A significant rise is better for a share and worse for the burned ratio."""
    up = {"diff": 0.02, "significant": True}
    assert verdict(up, lower_better=MEASURES["first_arrival"].lower_is_better) == "better"
    assert verdict(up, lower_better=MEASURES["burn_ratio"].lower_is_better) == "worse"
    assert verdict({"diff": 0.02, "significant": False}, lower_better=False) == "not significant"


def test_target_problems_name_the_key() -> None:
    """Each measure checks its own keys and the incident types it may cover."""
    facts = TargetFacts(
        incidents={"fire": {"fire": None}, "flood": {"affected_people": {"dist": "fixed"}}},
        unit_types=["engine"],
        unknown=lambda what, key, opts: f"unknown {what} {key!r}",
    )
    probs = dict(MEASURES["first_arrival"].target_problems({"max_per_mille": 1}, facts))
    assert (
        probs[("incident_types",)] == "required key is missing (measure 'first_arrival' needs it)"
    )
    assert probs[("max_per_mille",)] == "only used by measure 'burn_ratio', not by 'first_arrival'"
    probs = dict(MEASURES["relief"].target_problems({"incident_types": ["fire"]}, facts))
    assert "never needs relief" in probs[("incident_types", 0)]
    probs = dict(
        MEASURES["unit_arrival"].target_problems(
            {"incident_types": ["fire"], "threshold_h": 1, "unit_type": "comms"}, facts
        )
    )
    assert probs[("unit_type",)] == "unknown unit type 'comms'"
    probs = dict(MEASURES["firefighter_ratio"].target_problems({"threshold_h": 1}, facts))
    assert probs[("required_per_mille",)].startswith("required key is missing")
    assert "not used by measure 'firefighter_ratio'" in probs[("threshold_h",)]
    assert measure_of({"measure": "burn_ratio"}) is MEASURES["burn_ratio"]


def test_bar_places_ratios_relative_to_their_requirement() -> None:
    """Charts draw shares as they are and ratios as value / requirement (requirement at 1)."""
    share = {"measure": "first_arrival", "share": 0.8, "ci95": [0.7, 0.9], "required_share": 0.9}
    assert MEASURES["first_arrival"].bar(share) == (0.8, 0.7, 0.9, 0.9)
    burn = {"measure": "burn_ratio", "value": 0.5, "ci95": [0.25, 1.5], "max_per_mille": 2.0}
    assert MEASURES["burn_ratio"].bar(burn) == (0.25, 0.125, 0.75, 1.0)


def test_cleared_measures_the_end_of_work_on_scene() -> None:
    """`cleared`: share of incidents whose work on scene ended within the threshold (2 of 3)."""
    table = _table(replication=[0, 0, 0], cleared_h=[1.5, 3.9, np.nan])
    tg = Target.model_validate(
        _target(measure="cleared", incident_types=["fire"], threshold_h=4, required_share=0.6)
    )
    e = MEASURES["cleared"].evaluate(table, tg, Context(1, 30, 1, 0, 1.0, ()))
    assert e["share"] == pytest.approx(2 / 3)
    assert (e["n_incidents"], e["n_never"], e["met"]) == (3, 1, True)


def test_failure_count_by_hand() -> None:
    """A 100 % requirement judged by failures: 0, 2 and 1 failures in three one-year replications.

    Failures are incidents of the target's types with comms after 3 h or never (NaN); an
    incident of another type is not counted. Mean 1.0 a year; one year of three without a
    failure (Wilson [6.1 %, 79.2 %]); the interval's upper end is the t-interval's (wider than
    the exact Poisson 2.92 for 3 events in 3 years).
    """
    table = _table(
        replication=[0, 0, 1, 1, 1, 2, 2, 2],
        type=["flood", "flood", "flood", "flood", "flood", "flood", "flood", "fire"],
        comms_h=[0.5, 2.9, 3.0, np.nan, 1.0, 4.0, 0.2, 9.0],
    )
    tg = Target.model_validate(
        _target(
            measure="comms_established",
            incident_types=["flood"],
            threshold_h=3,
            max_failures_per_year=0,
        )
    )
    m = MEASURES["comms_established"]
    ctx = Context(3, 365.25, 1, 0, 1.0, ())
    e = m.evaluate(table, tg, ctx)
    assert e["per_replication"] == [0.0, 2.0, 1.0]
    assert (e["value"], e["failures"], e["n_incidents"], e["n_never"]) == (1.0, 3, 7, 1)
    assert e["failures_by_type"] == {"flood": 3}
    _, t_hi = stats.t.interval(0.95, 2, loc=1.0, scale=stats.sem([0.0, 2.0, 1.0]))
    assert e["ci95"] == [0.0, pytest.approx(t_hi)]
    assert e["p_year_without_failure"] == pytest.approx(1 / 3)
    assert [round(v, 3) for v in e["p_year_without_failure_ci95"]] == [0.061, 0.792]
    assert e["share_met_pooled"] == pytest.approx(4 / 7)
    assert (e["met"], e["met_95"]) == (False, False)
    # One failure a year allowed: the estimate meets it, the interval does not.
    loose = tg.model_copy(update={"max_failures_per_year": 1.0})
    assert (m.evaluate(table, loose, ctx)["met"], m.evaluate(table, loose, ctx)["met_95"]) == (
        True,
        False,
    )
    # Chart: the share of years without failure against e^-L (1 for the plan's 100 %).
    assert m.bar(e) == (pytest.approx(1 / 3), *e["p_year_without_failure_ci95"], 1.0)
    assert m.value_text(e) == "1.00/yr [0.00, 3.48], 33.3% of years none"
    assert "P(year without failure) 33.3%" in m.detail_text(e, "en")
    assert m.requirement_text(e, "en") == "≤ 0 incidents a year beyond 3 h"


def test_failure_count_without_failures_is_met_but_never_with_95_percent_confidence() -> None:
    """No failure in 30 years: met by the estimate; the upper end 3.689 / 30 stays above 0."""
    table = _table(replication=list(range(30)), type=["flood"] * 30, comms_h=[1.0] * 30)
    tg = Target.model_validate(
        _target(
            measure="comms_established",
            incident_types=["flood"],
            threshold_h=3,
            max_failures_per_year=0,
        )
    )
    e = MEASURES["comms_established"].evaluate(table, tg, Context(30, 365.25, 1, 0, 1.0, ()))
    assert (e["value"], e["failures"], e["p_year_without_failure"]) == (0.0, 0, 1.0)
    assert e["ci95"] == [0.0, pytest.approx(-math.log(0.025) / 30)]
    assert (e["met"], e["met_95"]) == (True, False)


def test_relief_households_reads_the_hand_out_column() -> None:
    """relief_households measures relief_done_h (every person served), only where people are."""
    table = _table(
        replication=[0, 0, 0],
        type=["flood"] * 3,
        affected_people=[100, 0, 2000],
        relief_h=[2.0, np.nan, 3.0],
        relief_done_h=[4.0, np.nan, 12.0],
    )
    tg = Target.model_validate(
        _target(measure="relief_households", incident_types=["flood"], threshold_h=8)
    )
    e = MEASURES["relief_households"].evaluate(table, tg, Context(1, 30, 1, 0, 1.0, ()))
    assert (e["n_incidents"], e["share"]) == (2, 0.5)
    first = MEASURES["relief"].evaluate(table, tg, Context(1, 30, 1, 0, 1.0, ()))
    assert first["share"] == 1.0  # the first truck came in time for both


def test_air_mission_share_is_taken_over_the_incidents_that_asked_for_an_aircraft() -> None:
    """Replication 0: 3 missions (1 in time, 1 late, 1 never reached) and an incident without a
    mission, which does not count: 1/3; replication 1: 2 of 2. Mean 2/3."""
    table = _table(
        replication=[0, 0, 0, 0, 1, 1],
        type=["f"] * 6,
        air_mission=["hoist", "medevac", "hoist", "", "bucket", "hoist"],
        first_air_h=[0.5, 2.0, np.nan, 0.1, 0.2, 0.9],
    )
    t = Target.model_validate(
        _target(measure="air_mission", incident_types=["f"], threshold_h=1.0, required_share=0.5)
    )
    ctx = Context(2, 365.25, 1, 0, 1.0, ())
    e = MEASURES["air_mission"].evaluate(table, t, ctx)
    assert e["per_replication"] == pytest.approx([1 / 3, 1.0])
    assert e["share"] == pytest.approx(2 / 3)
    assert e["n_incidents"] == 5
    assert e["n_never"] == 1
    del table["air_mission"]  # a table without missions: every incident of the types counts
    assert MEASURES["air_mission"].evaluate(table, t, ctx)["per_replication"] == pytest.approx(
        [0.5, 1.0]
    )


def test_effects_are_written_in_the_units_of_each_measure() -> None:
    """Sensitivity effects (μ*, no sign) keep each measure's unit: percentage points for shares,
    ‰ for ratios, failures a year for a 100 % requirement judged by its failures."""
    assert MEASURES["first_arrival"].format_effect(-0.0431) == "4.31 pp"
    assert MEASURES["burn_ratio"].format_effect(0.378) == "0.378‰"
    comms = MEASURES["comms_established"]
    assert comms.format_effect(-6.004) == "6.00/yr"
    assert (comms.effect_unit("en"), comms.effect_unit("zh")) == ("/yr", "次/年")
    assert comms.effect_scale() == 1.0


# --------------------------------------------------------------------------- what reports print


def test_share_texts_by_hand() -> None:
    """A time share: percentages to one decimal, differences in signed points (two decimals
    below one point, which common random numbers resolve), the requirement in both languages."""
    m = MEASURES["first_arrival"]
    entry = {"share": 0.8125, "ci95": [0.75, 0.875], "required_share": 0.9, "threshold_h": 0.5}
    assert m.value_text(entry) == "81.2% [75.0%, 87.5%]"
    assert m.format_value(0.8125) == "81.2%"
    assert m.format_value(None) == "—"
    assert m.format_interval(None) == "—"
    assert m.format_interval([0.1, None]) == "—"
    assert m.bar_text(entry) == "81.2%"
    assert m.requirement_text(entry, "en") == "≥ 90% of incidents < 0.5 h"
    assert m.requirement_text(entry, "zh") == "≥ 90% 的事件 < 0.5 小时"
    assert m.requirement_text(entry, "en", short=True) == "≥ 90% < 0.5 h"
    varied = {"threshold_h": None, "required_share": None}
    assert m.requirement_text(varied, "en") == "≥ varies of incidents < varies h"
    assert m.requirement_text(varied, "zh", short=True) == "≥ 随设置变化 < 随设置变化 h"
    assert m.format_diff({"diff": 0.026, "ci95": [0.011, 0.041]}) == "+2.6 pp [+1.1, +4.1]"
    assert m.format_diff({"diff": -0.004, "ci95": [-0.008, -0.001]}) == "-0.40 pp [-0.80, -0.10]"
    assert m.format_diff({"diff": 0.02, "ci95": [None, None]}) == "+2.0 pp"
    assert m.format_diff({"diff": 0.004, "ci95": None}) == "+0.40 pp"
    assert m.format_diff({"diff": None, "ci95": None}) == "—"
    assert m.format_diff({"diff": 0.0, "ci95": [0.0, 0.0]}) == "+0.0 pp [+0.0, +0.0]"
    assert m.detail_text(entry, "en") == ""
    assert m.op == "≥"
    assert m.axis_label("en") == "Share meeting (band = 95% CI)"
    assert m.axis_label("zh") == "达标比例（带 = 95% 置信区间）"
    assert (m.effect_scale(), m.effect_unit("en"), m.effect_unit("zh")) == (100.0, "pp", "百分点")
    assert m.format_effect(-0.0321) == "3.21 pp"
    assert m.format_effect(math.nan) == "—"
    assert m.format_effect(None) == "—"
    assert m.requirement_keys() == ("threshold_h", "required_share")
    assert m.share_required(entry) == 0.9


def test_ratio_texts_by_hand() -> None:
    """Ratios in ‰ to three decimals; a zero-width interval (an exact count) is not printed."""
    m = MEASURES["burn_ratio"]
    entry = {"value": 0.41234, "ci95": [0.2, 0.6], "max_per_mille": 1.0}
    assert m.value_text(entry) == "0.412‰ [0.200, 0.600]"
    assert m.value_text({"value": 0.5, "ci95": [0.5, 0.5]}) == "0.500‰"
    assert m.value_text({"value": 0.5}) == "0.500‰"
    assert m.value_text({"value": None}) == "—"
    assert m.format_interval([0.2, 0.6]) == "[0.200‰, 0.600‰]"
    assert m.format_interval([0.5, 0.5]) == "—"
    assert m.format_interval([None, 0.5]) == "—"
    assert m.format_value(None) == "—"
    assert m.format_diff({"diff": -0.1, "ci95": [-0.25, 0.05]}) == "-0.100‰ [-0.250, +0.050]"
    assert m.format_diff({"diff": 0.1, "ci95": [0.1, 0.1]}) == "+0.100‰"
    assert m.format_diff({"diff": 0.1}) == "+0.100‰"
    assert m.requirement_text(entry, "en") == "≤ 1‰ per year"
    assert m.requirement_text(entry, "zh") == "≤ 1‰/年"
    assert m.requirement_text({"max_per_mille": None}, "en") == "≤ varies per year"
    assert m.op == "≤"
    assert m.axis_label("en") == "damaged forest share per year (‰)"
    assert m.axis_label("zh") == "森林火灾受害率（年）（‰）"
    assert (m.effect_scale(), m.effect_unit("en"), m.format_effect(-0.01234)) == (
        1.0,
        "‰",
        "0.012‰",
    )
    staff = MEASURES["firefighter_ratio"]
    assert staff.requirement_text({"required_per_mille": 0.4}, "zh") == "≥ 0.4‰"
    assert staff.requirement_text({"required_per_mille": 0.4}, "en") == "≥ 0.4‰"


def test_burn_ratio_detail_by_hand() -> None:
    """The median, the share of years above the limit with its interval, hectares a year."""
    m = MEASURES["burn_ratio"]
    entry = {
        "max_per_mille": 1.0,
        "median": 0.25,
        "p_year_exceeds": 0.25,
        "p_year_exceeds_ci95": [0.05, 0.7],
        "damaged_ha_per_year": 1234.4,
        "burned_over_ha_per_year": 5000.6,
    }
    assert m.detail_text(entry, "en") == (
        "median 0.250‰; years above 1‰: 25.0% [5.0%, 70.0%]; "
        "damaged 1,234 ha/yr (burned over 5,001 ha/yr)"
    )
    assert m.detail_text(entry, "zh") == (
        "中位数 0.250‰；超过 1‰ 的年份 25.0% [5.0%, 70.0%]；年均受害 1,234 ha（过火 5,001 ha）"
    )
    assert m.detail_text({"median": 0.1, "max_per_mille": None, "p_year_exceeds": 0.0}, "en") == (
        "median 0.100‰; years above ?: 0.0% [—, —]"
    )
    assert m.detail_text({"median": 0.1, "damaged_ha_per_year": 3.0}, "en") == "median 0.100‰"
    assert m.detail_text({}, "en") == ""


def test_failure_count_texts_by_hand() -> None:
    """Failures a year to two decimals, the share of years without one, both languages."""
    m = MEASURES["comms_established"]
    entry = {
        "value": 0.5,
        "ci95": [0.125, 1.5],
        "max_failures_per_year": 0,
        "threshold_h": 3.0,
        "p_year_without_failure": 0.6,
        "p_year_without_failure_ci95": [0.3, 0.85],
        "n_incidents": 40,
        "failures": 2,
    }
    assert m.value_text(entry) == "0.50/yr [0.12, 1.50], 60.0% of years none"
    assert m.value_text(entry, lang="zh") == "0.50 次/年 [0.12, 1.50]，无失败年份 60.0%"
    assert m.value_text({"value": None}) == "— —"
    assert m.format_value(math.nan) == "—"
    assert m.format_interval([None, 1.0]) == "—"
    assert m.bar_text(entry) == "60.0% of years none (0.50/yr)"
    assert m.bar_text(entry, "zh") == "无失败年份 60.0%（0.50 次/年）"
    assert m.format_diff({"diff": -0.25, "ci95": [-0.5, 0.0]}) == "-0.25/yr [-0.50, +0.00]"
    assert m.format_diff({"diff": 0.25, "ci95": [0.25, 0.25]}) == "+0.25/yr"
    assert m.format_diff({"diff": 0.25, "ci95": [None, None]}) == "+0.25/yr"
    assert m.format_diff({"diff": None}) == "—"
    assert m.requirement_text(entry, "en") == "≤ 0 incidents a year beyond 3 h"
    assert m.requirement_text(entry, "zh") == "每年超过 3 小时的事件 ≤ 0 起"
    assert m.requirement_text(entry, "en", short=True) == "≤ 0/yr ≥ 3 h"
    assert m.requirement_text(entry, "zh", short=True) == "≤ 0 次/年 ≥ 3 h"
    varied = {"max_failures_per_year": None, "threshold_h": None}
    assert m.requirement_text(varied, "en") == "≤ varies incidents a year beyond varies h"
    assert m.detail_text(entry, "en") == (
        "P(year without failure) 60.0% [30.0%, 85.0%]; 2 of 40 incidents beyond the threshold"
    )
    assert m.detail_text(entry, "zh") == (
        "无失败年份的概率 60.0% [30.0%, 85.0%]；40 起事件中共 2 起未在阈值内"
    )
    assert m.detail_text({"p_year_without_failure": None}, "en") == ""
    assert m.axis_label("en") == "Incidents beyond the threshold per year (band = 95% CI)"
    assert m.axis_label("zh") == "每年超过阈值的事件数（带 = 95% 置信区间）"
    assert m.share_required(entry) == 1.0
    # The bar: the probability of a year without failure against e^−L (1 for L = 0).
    assert m.bar(entry) == (0.6, 0.3, 0.85, 1.0)
    assert m.bar({**entry, "max_failures_per_year": 2.0})[3] == pytest.approx(math.exp(-2.0))
    assert m.bar({"max_failures_per_year": None}) == (0.0, 0.0, 0.0, 1.0)


def test_registry_kinds_and_directions() -> None:
    """Which measures judge incidents one by one, their direction and the keys they read."""
    per_incident = {n for n, m in MEASURES.items() if m.per_incident}
    assert per_incident == set(MEASURES) - {"firefighter_ratio", "burn_ratio"}
    lower = {n for n, m in MEASURES.items() if m.lower_is_better}
    assert lower == {"comms_established", "burn_ratio"}
    assert MEASURES["firefighter_ratio"].requirement_keys() == ("required_per_mille",)
    assert MEASURES["burn_ratio"].limit({"max_per_mille": 2}) == 2.0
    assert MEASURES["burn_ratio"].value({"value": None}) is None
    assert MEASURES["first_arrival"].value({"share": 1}) == 1.0


def test_air_mission_share_leaves_out_other_types_with_missions() -> None:
    """A mission for an incident of another type does not enter the target's share."""
    table = _table(
        replication=[0, 0],
        type=["f", "g"],
        air_mission=["hoist", "hoist"],
        first_air_h=[0.5, 3.0],
    )
    t = Target.model_validate(
        _target(measure="air_mission", incident_types=["f"], threshold_h=1.0, required_share=0.5)
    )
    e = MEASURES["air_mission"].evaluate(table, t, Context(1, 365.25, 1, 0, 1.0, ()))
    assert (e["n_incidents"], e["share"]) == (1, 1.0)


def test_burn_ratio_of_the_target_types_over_two_year_runs() -> None:
    """Only the target's fire types count (not every fire type of the scenario); a fire never
    contained (NaN damage) counts 0 ha, not 1; a year exactly at the limit is not above it.

    Two replications of two years, forest 1,000 ha: damaged 2.0 and 4.0 ha of forest_fire →
    1.0 and 2.0 ‰ a year; the grass fire's 100 ha is not counted."""
    table = _table(
        replication=[0, 0, 1, 1],
        type=["forest_fire", "forest_fire", "forest_fire", "grass_fire"],
        burned_ha=[2.0, np.nan, 4.0, 100.0],
        damaged_ha=[2.0, np.nan, 4.0, 100.0],
    )
    ctx = Context(2, 730.5, 1, 0, 1000.0, ("forest_fire", "grass_fire"))
    tg = Target.model_validate(
        _target(measure="burn_ratio", incident_types=["forest_fire"], max_per_mille=1.0)
    )
    e = MEASURES["burn_ratio"].evaluate(table, tg, ctx)
    assert e["incident_types"] == ["forest_fire"]
    assert e["per_replication"] == [pytest.approx(1.0), pytest.approx(2.0)]
    assert e["burned_over_ha_per_year"] == pytest.approx(1.5)
    assert e["p_year_exceeds"] == 0.5  # 1.0 ‰ is at the limit, not above it
    every = MEASURES["burn_ratio"].evaluate(
        table, Target.model_validate(_target(measure="burn_ratio", max_per_mille=1.0)), ctx
    )
    assert every["per_replication"] == [pytest.approx(1.0), pytest.approx(52.0)]


def test_failure_count_per_year_of_a_two_year_run() -> None:
    """Two failures in one two-year replication: 1.0 a year; the entry names its types and unit."""
    table = _table(replication=[0, 0, 0], type=["flood"] * 3, comms_h=[4.0, np.nan, 1.0])
    tg = Target.model_validate(
        _target(
            measure="comms_established",
            incident_types=["flood"],
            threshold_h=3,
            max_failures_per_year=0,
        )
    )
    e = MEASURES["comms_established"].evaluate(table, tg, Context(1, 730.5, 1, 0, 1.0, ()))
    assert (e["value"], e["per_replication"], e["failures"]) == (1.0, [1.0], 2)
    assert (e["incident_types"], e["unit"], e["threshold_h"]) == (["flood"], "failures_per_year", 3)


def test_unit_type_problems_only_for_a_given_unknown_type() -> None:
    """No unit type given: only 'required key is missing'; an unknown one is reported with the
    known types."""
    facts = TargetFacts(
        incidents={"fire": {}},
        unit_types=["engine", "boat"],
        unknown=lambda what, key, opts: f"unknown {what} {key!r}; known: {', '.join(opts)}",
    )
    m = MEASURES["unit_arrival"]
    probs = m.target_problems({"incident_types": ["fire"], "threshold_h": 1}, facts)
    assert probs == [(("unit_type",), "required key is missing (measure 'unit_arrival' needs it)")]
    probs = m.target_problems(
        {"incident_types": ["fire"], "threshold_h": 1, "unit_type": "comms"}, facts
    )
    assert probs == [(("unit_type",), "unknown unit type 'comms'; known: engine, boat")]


def test_point_differences_keep_their_decimals_by_size() -> None:
    """Two decimals only while the largest of value and ends is below one point."""
    m = MEASURES["first_arrival"]
    assert m.format_diff({"diff": -0.002, "ci95": [-0.012, 0.008]}) == "-0.2 pp [-1.2, +0.8]"
    assert m.format_diff({"diff": 0.002, "ci95": [-0.008, 0.012]}) == "+0.2 pp [-0.8, +1.2]"
    assert m.format_diff({"diff": 0.00992, "ci95": None}) == "+0.99 pp"  # 0.992 points
    assert m.format_diff({"diff": 0.01, "ci95": None}) == "+1.0 pp"
    assert m.format_diff({"diff": 0.015, "ci95": None}) == "+1.5 pp"
    assert m.format_diff({"diff": 0.5, "ci95": [0.25, 0.75]}) == "+50.0 pp [+25.0, +75.0]"


def test_texts_with_half_an_interval() -> None:
    """An interval with one end unknown is not printed (never 'None')."""
    burn, comms = MEASURES["burn_ratio"], MEASURES["comms_established"]
    assert burn.format_diff({"diff": 0.1, "ci95": [None, 0.2]}) == "+0.100‰"
    assert burn.value_text({"value": 0.5, "ci95": [None, 0.7]}) == "0.500‰"
    assert comms.format_diff({"diff": 0.5, "ci95": [None, 0.7]}) == "+0.50/yr"


def test_bar_of_an_entry_without_value_or_requirement() -> None:
    """No estimate is drawn at 0; a share whose requirement a sweep varies has its line at 0."""
    m = MEASURES["first_arrival"]
    assert m.bar({"share": None, "ci95": [None, None], "required_share": 0.9}) == (
        0.0,
        0.0,
        0.0,
        0.9,
    )
    assert m.bar({"share": 0.5, "ci95": [0.4, 0.6], "required_share": None}) == (0.5, 0.4, 0.6, 0.0)


def test_burn_ratio_target_problems_add_up() -> None:
    """A missing limit and a covered type without a fire block are both reported."""
    facts = TargetFacts(
        incidents={"flood": {"fire": None}, "forest_fire": {"fire": {"x": 1}}},
        unit_types=None,
        unknown=lambda what, key, opts: "",
    )
    probs = MEASURES["burn_ratio"].target_problems({"incident_types": ["flood"]}, facts)
    assert probs == [
        (("max_per_mille",), "required key is missing (measure 'burn_ratio' needs it)"),
        (
            ("incident_types", 0),
            "incident type 'flood' has no `fire` block, so it is never contained or burns forest",
        ),
    ]


def test_burn_ratio_needs_some_fire_type() -> None:
    """No incident type has a fire block: the measure says so under `measure`."""
    facts = TargetFacts(
        incidents={"flood": {"fire": None}, "storm": {}},
        unit_types=None,
        unknown=lambda what, key, opts: "",
    )
    probs = MEASURES["burn_ratio"].target_problems({"max_per_mille": 1}, facts)
    assert probs == [(("measure",), "no incident type has a `fire` block")]
