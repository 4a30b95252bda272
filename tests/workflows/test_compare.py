"""The compare command's results: exactly zero against itself, sensible signs, county table."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.cli import main
from sim.workflows.compare import compare_scenarios
from tests.helpers import AGS, SMALL, ags_variant


def _compare(tmp_path: Path, *scenarios: Path | str, extra: tuple[str, ...] = ()) -> dict:
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            *map(str, scenarios),
            "--out",
            str(out),
            "--no-plots",
            "--quiet",
            "--replications",
            "3",
            "--workers",
            "1",
            "--lang",
            "en",
            *extra,
        ]
    )
    assert code == 0
    assert (out / "report.html").is_file()
    assert (out / "report.md").is_file()
    assert not (out / "INCOMPLETE").exists()
    return json.loads((out / "comparison.json").read_text(encoding="utf-8"))


def test_compare_with_itself_is_exactly_zero(tmp_path, capsys):
    """The same scenario twice: every paired difference is exactly 0 with the interval [0, 0]."""
    c = _compare(tmp_path, SMALL, SMALL)
    labels = [s["label"] for s in c["scenarios"]]
    assert len(set(labels)) == 2, labels  # same `name` still gets distinct labels
    other = labels[1]
    assert c["replications"] == 3
    for tid, t in c["targets"].items():
        d = t["diff_vs_reference"][other]
        assert d["diff"] == 0.0, tid
        assert d["ci95"] == [0.0, 0.0], tid
        assert d["significant"] is False
        if t["measure"] != "firefighter_ratio":
            assert d["n_pairs"] == 3
            assert d["per_replication"] == [0.0, 0.0, 0.0]
            a, b = t["by_scenario"][labels[0]], t["by_scenario"][other]
            assert a["per_replication"] == b["per_replication"]
    for name, r in c["response_times"].items():
        for metric in ("mean_h", "p90_h"):
            d = r["diff_vs_reference"][other][metric]
            assert d["diff"] in (0.0, None), name
            if d["diff"] is not None:
                assert d["ci95"] == [0.0, 0.0]
    rows = list(csv.DictReader((tmp_path / "cmp" / "comparison.csv").open(encoding="utf-8")))
    diffs = [r["diff_vs_reference"] for r in rows if r["section"] in {"target", "first_arrival"}]
    assert diffs
    assert set(diffs) <= {"0", ""}
    printed = capsys.readouterr().out
    assert "+0.0 pp" in printed


def _variant(tmp_path: Path) -> Path:
    """small_test plus a two-engine station at 犁市镇 (浈江, north of the city).

    犁市 (about 27,000 residents, sim/data/towns.csv) lies on the city's northern edge, beyond
    the stations' 30-minute reach for part of its territory; its building fires are reached
    late.
    """
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["name"] = "plus_lishi"
    data["facilities"].append(
        {
            "id": "fs_lishi",
            "kind": "fire_station",
            "name": "犁市消防救援站",
            "location": {"town": "犁市镇"},
            "units": {"engine": {"count": 2, "crew": 5, "turnout_s": 60}},
            "full_time_staff": 30,
        }
    )
    path = tmp_path / "plus_lishi.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_extra_station_gives_sensible_signs(tmp_path):
    """A station where fires are reached late: fire share up, fire arrival down.

    Water targets are unchanged.
    """
    c = _compare(tmp_path, SMALL, _variant(tmp_path))
    ref, other = (s["label"] for s in c["scenarios"])
    assert (ref, other) == ("small_test", "plus_lishi")
    fire = c["targets"]["building_fire_arrival"]["diff_vs_reference"][other]
    assert fire["diff"] > 0
    assert all(d >= 0 for d in fire["per_replication"])
    mean_fire = c["response_times"]["building_fire"]["diff_vs_reference"][other]["mean_h"]
    assert mean_fire["diff"] < 0
    assert all(d <= 0 for d in mean_fire["per_replication"])
    # Engines do not serve water rescues or deliver relief: those are untouched, pair by pair.
    for tid in ("inland_water_arrival", "initial_relief"):
        d = c["targets"][tid]["diff_vs_reference"][other]
        assert d["per_replication"] == [0.0, 0.0, 0.0], tid
    ratio = c["targets"]["firefighter_ratio"]["diff_vs_reference"][other]
    assert ratio["diff"] == pytest.approx(30 / 2_855_131 * 1000, abs=1e-6)
    # A count without sampling error has the interval [value, value]: 40 + 30 + 10 = 80 posts
    # in small_test, 110 with fs_lishi, per 2,855,131 residents: 0.02802 and 0.038527 per mille,
    # in comparison.json and in comparison.csv's ci95 columns.
    rows = list(csv.DictReader((tmp_path / "cmp" / "comparison.csv").open(encoding="utf-8")))
    for label, posts in ((ref, 80), (other, 110)):
        v = posts / 2_855_131 * 1000
        blk = c["targets"]["firefighter_ratio"]["by_scenario"][label]
        assert blk.get("ci95") == pytest.approx([v, v], abs=1e-6)
        row = next(
            r
            for r in rows
            if (r["section"], r["item"], r["scenario"]) == ("target", "firefighter_ratio", label)
        )
        assert [row["ci95_low"], row["ci95_high"]] == [f"{v:.6f}".rstrip("0")] * 2
    assert c["notes"] == []  # same incidents: common random numbers hold


@pytest.mark.parametrize("reference_first", [True, False])
def test_verdict_words_follow_the_sign_and_the_direction(tmp_path, reference_first):
    """A station where fires are reached late, 20 replications: the building-fire share rises
    by 2.6 points [1.1, 4.1] (t ≈ 3.5 with seed 12345) and the mean first arrival falls by
    1.7 min [0.9, 2.5]; both are "better" for the scenario with the station (a share: higher is
    better; a time: lower is better) and "worse" the other way round. The 90th percentile's
    interval contains 0: "not significant"."""
    small, lishi = SMALL, _variant(tmp_path)
    order = (small, lishi) if reference_first else (lishi, small)
    c = _compare(tmp_path, *order, extra=("--replications", "20"))
    other = c["scenarios"][1]["label"]
    word = "better" if reference_first else "worse"
    share = c["targets"]["building_fire_arrival"]["diff_vs_reference"][other]
    assert c["targets"]["building_fire_arrival"]["lower_is_better"] is False
    assert share["diff"] == pytest.approx(0.0258 if reference_first else -0.0258, abs=5e-4)
    assert share["significant"] is True
    assert share["verdict"] == word
    fire = c["response_times"]["building_fire"]["diff_vs_reference"][other]
    assert fire["mean_h"]["diff"] == pytest.approx(-0.0282 if reference_first else 0.0282, abs=5e-4)
    assert fire["mean_h"]["verdict"] == word
    assert fire["p90_h"]["verdict"] == "not significant"
    assert c["targets"]["firefighter_ratio"]["diff_vs_reference"][other]["verdict"] == word
    assert c["method"] == (
        "paired differences over replications with common random numbers; "
        "t-interval (95 %) of d_r = x_scenario,r - x_reference,r"
    )
    # comparison.csv carries the same difference and interval in its named columns.
    rows = list(csv.DictReader((tmp_path / "cmp" / "comparison.csv").open(encoding="utf-8")))
    row = next(
        r
        for r in rows
        if (r["section"], r["item"], r["scenario"]) == ("target", "building_fire_arrival", other)
    )
    assert float(row["diff_vs_reference"]) == pytest.approx(share["diff"], abs=1e-6)
    assert float(row["diff_ci95_low"]) == pytest.approx(share["ci95"][0], abs=1e-6)
    assert float(row["diff_ci95_high"]) == pytest.approx(share["ci95"][1], abs=1e-6)
    by_sc = c["response_times"]["building_fire"]["by_scenario"][other]
    assert by_sc["mean_h"] > 0
    assert by_sc["n"] > 0
    staff = {s["label"]: s["full_time_staff"] for s in c["scenarios"]}
    assert (
        staff["plus_lishi"] - staff["small_test"] == 30
    )  # the added station fs_lishi has 30 posts


def test_county_table_is_consistent(tmp_path):
    """Per-county counts add up to the incidents of each target and shares lie in [0, 1]."""
    c = _compare(tmp_path, SMALL, SMALL)
    ref = c["reference"]
    for tid in ("building_fire_arrival", "inland_water_arrival"):
        n = sum(row[ref]["targets"][tid]["n"] for row in c["counties"].values())
        assert n == c["targets"][tid]["by_scenario"][ref]["n_incidents"]
    rows = list(csv.DictReader((tmp_path / "cmp" / "comparison.csv").open(encoding="utf-8")))
    for cname, row in c["counties"].items():
        got = next(
            r["value"]
            for r in rows
            if (r["section"], r["item"], r["metric"], r["scenario"])
            == ("county", cname, "any_target_missed_share", ref)
        )
        want = row[ref]["any_target_missed_share"]
        assert (got == "") if want is None else float(got) == pytest.approx(want, abs=1e-6)
    # Incidents under any time target, per county, add up to those under some target.
    any_n = sum(row[ref]["any_target_n"] for row in c["counties"].values())
    assert any_n >= max(
        c["targets"][t]["by_scenario"][ref]["n_incidents"]
        for t in c["targets"]
        if c["targets"][t]["by_scenario"][ref].get("n_incidents") is not None
    )
    for row in c["counties"].values():
        for t in row[ref]["targets"].values():
            for k in ("missed_share", "pop_beyond_share", "pop_no_sample_share"):
                assert t[k] is None or 0.0 <= t[k] <= 1.0
            assert t["pop_beyond_share"] + t["pop_no_sample_share"] <= 1.0 + 1e-9
    pops = np.array([row[ref]["population"] for row in c["counties"].values()])
    assert pops.sum() == pytest.approx(2_855_131, abs=10)


def test_compare_on_a_loaded_region_maps_its_units(tmp_path):
    """Aguascalientes with a second station in the east: the per-unit table and the county maps
    are the region's two units, and the east's missed fire share falls."""
    east = {
        "id": "station_oriente",
        "kind": "fire_station",
        "name": "Estación Oriente",
        "location": {"lon": -102.2600, "lat": 21.8680},
        "units": {"engine": {"count": 1, "crew": 4, "turnout_s": 60}},
    }
    variant = ags_variant(tmp_path, {"facilities": [east]}, name="ags_east")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the network's dropped-component notice
        res = compare_scenarios([AGS, variant], replications=2, workers=1, out=tmp_path / "cmp")
    c = res.comparison
    units = ["Centro Poniente", "Centro Oriente"]
    assert list(c["counties"]) == units
    fire = {
        lab: c["counties"]["Centro Oriente"][lab]["targets"]["fire_4min"]["missed_share"]
        for lab in ("aguascalientes", "ags_east")
    }
    assert fire["ags_east"] < fire["aguascalientes"]
    assert (tmp_path / "cmp" / "county_maps.png").stat().st_size > 10_000
    assert (tmp_path / "cmp" / "county_change.png").stat().st_size > 10_000
    html = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert "各行政单元公平性" in html
    assert "浈江区" not in html
