"""A whole scenario outside China on a real OpenStreetMap extract (central Aguascalientes).

Region from files, stations by lon,lat, calls replayed from a CSV, targets; the run writes
metrics, charts, report and a GeoPackage. Also: a network of another place stops the run with
exit 2 naming the distance, and a network covering only part of the demand warns with the
share off the network. Data: tests/data/aguascalientes* (ODbL, see DATA.md).
"""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import yaml

from sim.cli import main
from sim.errors import NetworkError
from sim.output.gis import LAYERS
from sim.scenario import load_scenario
from sim.workflows.common import load_network
from sim.workflows.run import run_scenario
from tests.helpers import AGS, DATA, SMALL

CALLS = DATA / "aguascalientes" / "calls.csv"
PBF = DATA / "aguascalientes.osm.pbf"


def test_whole_run_outside_china_writes_every_output(ags_run):
    """metrics, charts, report and GeoPackage; every replayed call is simulated and reached."""
    out, result = ags_run
    for name in ("metrics.json", "incidents.csv", "targets.png", "map.png", "report.html",
                 "results.gpkg", "incidents_excel.csv"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    with CALLS.open(encoding="utf-8") as f:
        n_calls = sum(1 for _ in csv.DictReader(f))
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    table = result.table
    reps = metrics["run"]["replications"]
    # replayed: the same calls in every replication, in the same places
    assert len(table["type"]) == reps * n_calls
    first = table["replication"] == 0
    with CALLS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(np.round(table["lon"][first], 5)) == sorted(float(r["lon"]) for r in rows)
    # every call reached, within the 1.7 km x 1.4 km extract in well under 10 minutes
    arrival_min = table["first_arrival_h"] * 60
    assert np.isfinite(arrival_min).all()
    assert arrival_min.max() < 10
    # on-scene times come from the file: the cleared-minus-first-arrival equals on_scene_h
    by_time = {r["time"]: float(r["on_scene_h"]) for r in rows}
    assert len(by_time) == n_calls
    targets = metrics["targets"]
    assert set(targets) == {"fire_4min", "medical_5min"}
    shares = [t["share"] for t in targets.values()]
    assert all(0 < s < 1 for s in shares), shares  # thresholds cut inside the distribution


def test_geopackage_layers_open_with_geopandas(ags_run):
    """results.gpkg: the five layers in EPSG:4326 with the outcome and share columns."""
    out, result = ags_run
    path = out / "results.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == list(LAYERS)
    layers = {name: gpd.read_file(path, layer=name) for name in LAYERS}
    for name, g in layers.items():
        assert g.crs is not None
        assert g.crs.to_epsg() == 4326, name
    assert list(layers["facilities"]["id"]) == ["station_centro", "base_oriente"]
    inc = layers["incidents"]
    assert len(inc) == len(result.table["type"])
    fires = inc["type"] == "building_fire"
    # met_<target> is 1/0 where the target covers the incident, empty elsewhere
    assert inc.loc[fires, "met_fire_4min"].notna().all()
    assert inc.loc[~fires, "met_fire_4min"].isna().all()
    share = inc.loc[fires, "met_fire_4min"].astype(float).mean()
    assert share == pytest.approx(
        json.loads((out / "metrics.json").read_text())["targets"]["fire_4min"]["share"], abs=1e-6
    )
    towns = layers["towns"]
    assert list(towns["name"]) == ["Zona Centro", "San Marcos", "La Purísima", "Héroes"]
    assert towns["n_medical_5min"].sum() == int((inc["type"] == "medical").sum())
    cov = layers["coverage"]
    assert list(cov["target"]) == ["fire_4min", "medical_5min"]
    assert (cov.geometry.area > 0).all()
    # the 5-minute ambulance area contains its own base
    base = layers["facilities"].geometry.iloc[1]
    assert cov.geometry.iloc[1].contains(base)
    assert len(layers["placements"]) == 0
    # Excel copy: UTF-8 with BOM, same rows as incidents.csv
    raw = (out / "incidents_excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].count(b"\n") == (out / "incidents.csv").read_bytes().count(b"\n")


def test_wrong_network_exits_2_naming_the_distance(capsys):
    """A Shaoguan scenario on the Aguascalientes extract: exit 2, the distance in the message."""
    code = main(["run", str(SMALL), "--network", str(PBF), "--replications", "1", "--quiet",
                 "--no-plots", "--out", "/nonexistent/never-written"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "does not cover the scenario" in err
    assert "access.max_distance_m" in err
    # Shaoguan to central Mexico: about 13,500 km
    km = float(err.split("farthest ")[1].split(" km")[0].replace(",", ""))
    assert 13_000 < km < 14_000


def test_route_on_another_citys_network_exits_2(capsys):
    """route between two Shaoguan towns on the Aguascalientes network: exit 2 with distance."""
    code = main(["route", "乐昌", "南雄", "--network", str(PBF)])
    err = capsys.readouterr().err
    assert code == 2
    assert "km from the nearest node" in err
    assert "13,5" in err  # about 13,500 km


def test_route_with_negative_longitude_on_osm(capsys):
    """lon,lat with a negative longitude is a place, not an option; the route is found."""
    code = main(["route", "-102.2745,21.8700", "-102.2660,21.8660", "--network", str(PBF),
                 "--json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    r = json.loads(out)
    assert 0.5 < r["network_length_km"] < 3.0


def test_partial_network_warns_with_the_share_off_network(tmp_path):
    """Calls beyond the extract (but in the region): a warning giving their share."""
    rows = list(csv.DictReader(CALLS.open(encoding="utf-8")))
    n_in = len(rows)
    extra = [
        {**rows[i], "lon": f"{-102.2500 + 0.001 * i:.5f}", "lat": "21.8700"} for i in range(15)
    ]
    calls = tmp_path / "calls.csv"
    with calls.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows + extra)
    data = yaml.safe_load(AGS.read_text(encoding="utf-8"))
    base = AGS.parent
    data["network"] = str(PBF)
    data["region"] = {
        **data["region"],
        "units": str(base / "units.geojson"),
        "towns": str(base / "towns.csv"),
    }
    data["calls"] = {"file": str(calls)}
    data["replications"] = 1
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.warns(UserWarning, match=r"lies farther than access\.max_distance_m") as rec:
        run_scenario(load_scenario(path), workers=1)
    msg = next(str(w.message) for w in rec if "max_distance_m" in str(w.message))
    share = 15 / (n_in + 15) * 100
    assert f"{share:.1f} % of the demand" in msg
    assert f"15 of {n_in + 15} demand points" in msg


def test_facility_outside_the_network_is_an_error_before_simulating():
    """load_network + prepare: the facility far from the network is named with its distance."""
    sc = load_scenario(SMALL)
    net = load_network(str(PBF))
    from sim.model.compile import prepare

    with pytest.raises(NetworkError, match=r"fs_xinshao 13,\d{3}\.\d km"):
        prepare(sc, net)
