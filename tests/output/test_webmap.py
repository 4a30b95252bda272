"""The interactive map page (sim.output.webmap): offline, every layer drawn, toggles, tooltips.

The Chromium tests load a run's ``map.html`` with a measuring script appended: it counts the
SVG paths of each layer (Leaflet gives every path its layer's class ``lyr-<id>``), switches
every layer on with the layer control, opens a tooltip, and lists the resources the page
loaded. Chromium's network log must hold no request from the page, and its console nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sim.model.compile import prepare
from sim.output.mapdata import KIND_STYLE, road_lines
from sim.output.webmap import MAP_NAME, map_data, render_map_page
from sim.results.schema import empty_table
from sim.workflows.common import load_network
from tests.helpers import SMALL, load_quietly

#: Run after the map is drawn; writes its findings as JSON into <pre id="measure">.
_MEASURE_JS = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    function count() {
      var out = {};
      document.querySelectorAll("path.lyr").forEach(function (p) {
        p.classList.forEach(function (c) {
          if (c.indexOf("lyr-") === 0) { out[c.slice(4)] = (out[c.slice(4)] || 0) + 1; }
        });
      });
      return out;
    }
    var before = count();
    var inputs = Array.prototype.slice.call(
      document.querySelectorAll(".leaflet-control-layers-overlays input"));
    var labels = inputs.map(function (i) { return i.parentNode.textContent.trim(); });
    inputs.forEach(function (i) { if (!i.checked) { i.click(); } });
    var all = count();
    var roads = inputs.filter(function (i) {
      return i.parentNode.textContent.indexOf("OpenStreetMap") >= 0; })[0];
    roads.click();
    var withoutRoads = count();
    var missed = document.querySelector("path.lyr-incidents-missed");
    missed.dispatchEvent(new MouseEvent("mouseover", {bubbles: true, clientX: 5, clientY: 5}));
    var tips = Array.prototype.map.call(document.querySelectorAll(".leaflet-tooltip"),
      function (t) { return t.textContent; });
    var res = performance.getEntriesByType("resource").map(function (e) { return e.name; });
    var pre = document.createElement("pre");
    pre.id = "measure";
    pre.textContent = JSON.stringify({before: before, all: all, withoutRoads: withoutRoads,
      labels: labels, tooltips: tips, resources: res});
    document.body.appendChild(pre);
  }, 300);
});
</script>
"""


@pytest.fixture
def chromium():
    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed: apt-get install chromium")


def _load(page: Path, tmp_path: Path) -> tuple[str, list[str], list[str]]:
    """Load a page headless; return (DOM, console lines, URLs of requests the page made)."""
    exe = shutil.which("chromium")
    assert exe is not None
    netlog = tmp_path / "netlog.json"
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         f"--log-net-log={netlog}", "--window-size=1200,900", "--virtual-time-budget=10000",
         "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    # requests of the page carry its site (file://) in their isolation key; the browser's own
    # background requests (update checks) carry another
    urls = [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start
        and str(e.get("params", {}).get("network_isolation_key", "")).startswith("file://")
    ]
    return proc.stdout, console, urls


def _measure(dom: str) -> dict:
    m = re.search(r'<pre id="measure">(.*?)</pre>', dom, re.S)
    assert m is not None, dom[-2000:]
    text = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return json.loads(text.replace("&amp;", "&"))


def test_the_network_check_detects_a_request(tmp_path, chromium):
    """The detector works: a page loading a remote image is caught (so the test can fail)."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">'
                    "<script>console.error('boom')</script></body></html>",
                    encoding="utf-8")  # fmt: skip
    _dom, console, urls = _load(page, tmp_path)
    assert urls == ["http://127.0.0.1:9/x.png"]
    assert any("boom" in line for line in console)


def test_map_page_draws_every_layer_offline(ags_run, tmp_path, chromium):
    """Aguascalientes' map.html in Chromium: every layer's paths, toggles that add and remove
    them, a tooltip, no network request, no console message."""
    folder, result = ags_run
    prep, table = result.prepared, result.table
    page = tmp_path / MAP_NAME
    html_text = (folder / MAP_NAME).read_text(encoding="utf-8")
    page.write_text(html_text.replace("</body>", _MEASURE_JS + "</body>"), encoding="utf-8")
    dom, console, urls = _load(page, tmp_path)
    assert urls == []
    assert console == []
    got = _measure(dom)
    assert got["resources"] == []  # not even a file next to the page
    # expected paths, counted from the run's inputs and its incident table
    first = table["replication"] == 0
    kind = np.asarray(table["type"])
    limit_h = np.where(kind == "building_fire", 0.0667, 0.0833)  # the two targets
    met = np.asarray(table["first_arrival_h"], dtype=float) < limit_h
    expected = {
        "units": 2,
        "outline": 1,
        "roads": len(road_lines(prep.net)),
        "incidents-met": int((first & met).sum()),
        "incidents-missed": int((first & ~met).sum()),
        "towns": 4,
        "facilities-fire_station": 1,
        "facilities-rescue_base": 1,
    }
    assert got["before"] == expected  # coverage areas start switched off
    coverage = {"coverage-0": 1, "coverage-1": 1}  # one area per time target
    assert got["all"] == expected | coverage
    assert got["withoutRoads"] == {k: v for k, v in (expected | coverage).items() if k != "roads"}
    assert len(got["labels"]) == 10
    assert any("道路" in lab for lab in got["labels"])
    assert any("覆盖范围：火灾4分钟到场" in lab for lab in got["labels"])
    # the hovered incident's tooltip names its type, the outcome and the target it missed
    tip = [t for t in got["tooltips"] if "未达标" in t]
    assert tip
    assert re.search(r"(建筑火灾|医疗急救) · 未达标", tip[0])
    # the four towns: most populous per unit carries a permanent name
    assert {"Zona Centro", "La Purísima"} <= set(got["tooltips"])


def test_map_page_escapes_names_from_files(tmp_path):
    """A name with markup stays text: the JSON block cannot be closed from the data."""
    data = {
        "title": "</script><script>alert(1)</script>",
        "region": "R & <b>",
        "bounds": [[0, 0], [1, 1]],
        "leaflet": "1.9.4",
        "attribution": "",
        "note": "",
        "layers": [],
    }
    page = render_map_page(data, lang="en")
    assert "<script>alert(1)" not in page
    assert "R &amp; &lt;b&gt;" in page
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    assert json.loads(block.group(1))["title"] == data["title"]


def test_map_data_of_shaoguan(tmp_path):
    """Shaoguan's page data: ten counties, 105 towns with the ten seats named, the embedded
    roads, every facility kind of the scenario, and each layer labelled in Chinese."""
    sc = load_quietly(SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prep = prepare(sc, load_network(sc.network))
    data = map_data(prep, empty_table(), lang="zh")
    layers = {ly["id"]: ly for ly in data["layers"]}
    assert len(layers["units"]["data"]["features"]) == 10
    towns = layers["towns"]["data"]["features"]
    assert len(towns) == 105
    labels = sorted(f["properties"]["label"] for f in towns if "label" in f["properties"])
    assert labels == sorted(c.name_short for c in prep.region.counties)
    kinds = Counter(f.kind for f in sc.facilities)
    for kind, n in kinds.items():
        assert len(layers[f"facilities-{kind}"]["data"]["features"]) == n
        assert KIND_STYLE[kind][2]["zh"] in layers[f"facilities-{kind}"]["label"]
    assert "乡镇级近似路网" in layers["roads"]["label"]
    w, s, e, n = prep.region.outline.bounds
    assert data["bounds"] == [[s, w], [n, e]]


def test_map_page_is_reproducible(ags_run, tmp_path):
    """The same run gives the same bytes (no clock, no random ids)."""
    _, result = ags_run
    a = render_map_page(map_data(result.prepared, result.table), lang="zh")
    b = render_map_page(map_data(result.prepared, result.table), lang="zh")
    assert a == b
    assert "Leaflet 1.9.4" in a
    assert "https://" not in a.split('id="map-data"')[1]  # the data links nowhere
