"""The interactive map page of a run (``map.html``): vector layers over the study region.

One self-contained HTML file that works offline: Leaflet 1.9.4 (vendored under
``sim/output/vendor/leaflet/``, BSD 2-Clause; see DATA.md) and its stylesheet are inlined, its
images become data URIs, and the map has no tile layer - only the vector layers below, drawn
as SVG. A Content-Security-Policy forbids every network request, so a page that tried one
would show an error instead of leaking the planner's data. Chinese text renders with the same
embedded font subset as the report (`sim.output.fonts`).

Layers (each with a tooltip and a toggle in the layer control):

* region outline and administrative units (name, population);
* rivers (a loaded region's, or Shaoguan's);
* roads of the run's network by class (name or reference);
* towns (name, unit, population);
* coverage areas of today's resources within each time target's threshold (the GeoPackage's
  ``coverage`` layer; off at first);
* incidents of one replication in three layers by outcome: covered by no time target, met
  every time target that covers them, missed one (type, onset, first arrival, targets missed);
* facilities, one layer per kind (name, units), on top.
"""

from __future__ import annotations

import base64
import html
import json
import math
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import mapping

from sim.analysis.compare import any_target_missed
from sim.output.fonts import font_face_css
from sim.output.mapdata import (
    KIND_STYLE,
    MET_COLOUR,
    MISSED_COLOUR,
    OTHER_COLOUR,
    is_embedded,
    road_lines,
    road_style,
)
from sim.results.measures import TimeShare, measure_of, per_incident_targets

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

    from sim.model.compile import Prepared

MAP_NAME = "map.html"
VENDOR = files("sim.output") / "vendor" / "leaflet"
LEAFLET_VERSION = "1.9.4"
#: Decimal places of coordinates in the page: 1e-5 degrees is about 1 m.
COORD_DECIMALS = 5
#: Outline and unit boundaries are simplified to this tolerance (degrees, about 20 m) so that
#: the page stays small; the GeoPackage keeps the full geometry.
SIMPLIFY_DEG = 2e-4
#: Nothing may be fetched: scripts, styles, images and fonts are inline or data URIs.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)
#: Colours of the coverage areas, one per time target (colour-blind friendly, Okabe-Ito).
COVERAGE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")

PAGE_CSS = """
html,body{margin:0;height:100%;font-family:"Report CJK","Noto Sans CJK SC","Microsoft YaHei",\
"PingFang SC",Arial,sans-serif;color:#1d2733}
header{height:44px;box-sizing:border-box;padding:8px 14px;background:#1d3557;color:#fff;\
font-size:17px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
header small{font-size:12px;opacity:.8;margin-left:1em}
#map{position:absolute;top:44px;bottom:0;left:0;right:0;background:#f4f6f8}
.leaflet-container{font-family:inherit}
.swatch{display:inline-block;width:12px;height:12px;margin:0 5px -1px 2px;border-radius:2px;\
border:1px solid #666}
.swatch.dot{border-radius:50%}
.swatch.line{height:3px;margin-bottom:3px;border:none}
.leaflet-control-layers{max-height:75vh;overflow-y:auto;font-size:12px}
.note{background:rgba(255,255,255,.9);padding:4px 8px;font-size:11px;max-width:380px}
.place-label{background:rgba(255,255,255,.8);border:none;box-shadow:none;padding:0 3px;\
font-size:12px;font-weight:600}
.place-label:before{display:none}
"""

#: The page's own script: builds each layer from the JSON block, with tooltips and toggles.
APP_JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("map-data").textContent);
  var map = L.map("map", {zoomSnap: 0.25, preferCanvas: false});
  map.attributionControl.setPrefix("Leaflet " + D.leaflet);
  map.attributionControl.addAttribution(D.attribution);
  function tip(lines) {
    var div = document.createElement("div");
    lines.forEach(function (t, i) {
      if (i) { div.appendChild(document.createElement("br")); }
      div.appendChild(document.createTextNode(t));
    });
    return div;
  }
  var overlays = {};
  D.layers.forEach(function (ly, i) {
    var pane = "pane-" + ly.id;
    map.createPane(pane).style.zIndex = String(410 + i);
    var cls = "lyr lyr-" + ly.id;
    var opts = {
      pane: pane,
      className: cls,
      style: function (f) { return Object.assign({}, ly.style, f.properties.style || {}); },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, Object.assign(
          {pane: pane, className: cls}, ly.style, f.properties.style || {}));
      },
      onEachFeature: function (f, layer) {
        if (f.properties.label) {
          layer.bindTooltip(tip([f.properties.label]), {permanent: true, direction: "right",
                                                 offset: [5, 0], className: "place-label"});
        } else if (f.properties.tip) {
          layer.bindTooltip(tip(f.properties.tip), {sticky: ly.geometry !== "point"});
        }
      }
    };
    var layer = L.geoJSON(ly.data, opts);
    if (ly.on) { layer.addTo(map); }
    overlays[ly.label] = layer;
  });
  L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
  L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
  var note = L.control({position: "bottomright"});
  note.onAdd = function () {
    var div = L.DomUtil.create("div", "note");
    div.appendChild(document.createTextNode(D.note));
    return div;
  };
  note.addTo(map);
  map.fitBounds(D.bounds, {padding: [12, 12]});
})();
"""


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _round(coords: Any) -> Any:
    """Round nested coordinate sequences to `COORD_DECIMALS`."""
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), COORD_DECIMALS) for c in coords]
    return [_round(c) for c in coords]


def _feature(geom: Any, tip: list[str], style: dict[str, Any] | None = None) -> dict[str, Any]:
    g = mapping(geom)
    props: dict[str, Any] = {"tip": tip}
    if style:
        props["style"] = style
    return {
        "type": "Feature",
        "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])},
        "properties": props,
    }


def _point(lon: float, lat: float, tip: list[str], style: dict[str, Any] | None = None) -> Any:
    return _feature(shapely.Point(float(lon), float(lat)), tip, style)


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _swatch(colour: str, shape: str = "") -> str:
    return f'<span class="swatch {shape}" style="background:{html.escape(colour)}"></span>'


def _layer(
    layer_id: str,
    label: str,
    geometry: str,
    features: list[dict[str, Any]],
    style: dict[str, Any],
    *,
    on: bool = True,
    swatch: str = "",
) -> dict[str, Any]:
    """One overlay: its id (CSS class ``lyr-<id>``), label (HTML, escaped), geometry kind."""
    return {
        "id": layer_id,
        "label": swatch + html.escape(label) + f" ({len(features):,})",
        "geometry": geometry,
        "data": _collection(features),
        "style": style,
        "on": on,
    }


def _hours(h: float) -> str:
    """Minutes below 2 h, hours above ("—" when it never happened)."""
    if not math.isfinite(h):
        return "—"
    return f"{h * 60:.1f} min" if h < 2 else f"{h:.1f} h"


def region_layers(prep: Prepared, lang: str) -> list[dict[str, Any]]:
    """Outline, units and rivers of the study region."""
    region = prep.region
    units = []
    for c in region.counties:
        geom = region.county_shapes.get(c.name)
        if geom is None:
            continue
        units.append(
            _feature(
                geom.simplify(SIMPLIFY_DEG, preserve_topology=True),
                [region.unit_label(c.name, lang), _t(lang, "人口", "Population")
                 + f" {c.population_2020:,}"],
            )
        )  # fmt: skip
    outline = _feature(
        region.outline.boundary.simplify(SIMPLIFY_DEG),
        [_t(lang, f"研究区域：{region.name}", f"Study region: {region.name_en}")],
    )
    rivers = [
        _feature(shapely.MultiLineString([p for p in parts if len(p) >= 2]), [name])
        for name, parts in region.rivers.items()
        if any(len(p) >= 2 for p in parts)
    ]
    unit_word = region.unit_words
    layers = [
        _layer(
            "units",
            _t(lang, f"{unit_word[0]}（人口）", f"{unit_word[1].capitalize()}s (population)"),
            "polygon",
            units,
            {"color": "#7a6a58", "weight": 1, "fillColor": "#efe9dc", "fillOpacity": 0.5},
            swatch=_swatch("#efe9dc"),
        ),
        _layer(
            "outline",
            _t(lang, "研究区域边界", "Study region boundary"),
            "line",
            [outline],
            {"color": "#4e4236", "weight": 2.5, "fill": False},
            swatch=_swatch("#4e4236", "line"),
        ),
    ]
    if rivers:
        layers.append(
            _layer(
                "rivers",
                _t(lang, "河流", "Rivers"),
                "line",
                rivers,
                {"color": "#3a86c8", "weight": 2, "opacity": 0.85},
                swatch=_swatch("#3a86c8", "line"),
            )
        )
    return layers


def road_layer(prep: Prepared, lang: str) -> dict[str, Any]:
    """The run's roads: one feature per (class, road name), styled by class."""
    net = prep.net
    embedded = is_embedded(net)
    features = []
    for (cls, name), lines in sorted(
        road_lines(net).items(), key=lambda kv: road_style(kv[0][0], embedded)[2]
    ):
        colour, width, _z, zh, en = road_style(cls, embedded)
        tip = [_t(lang, zh, en)] + ([name] if name else [])
        geom = shapely.MultiLineString([xy for xy in lines if len(xy) >= 2])
        features.append(
            _feature(geom, tip, {"color": colour, "weight": round(width * 1.3 + 0.4, 2)})
        )
    source = _t(lang, "乡镇级近似路网", "approximate network") if embedded else "OpenStreetMap"
    return _layer(
        "roads",
        _t(lang, f"道路（{source}）", f"Roads ({source})"),
        "line",
        features,
        {"opacity": 0.9},
        swatch=_swatch("#c2185b", "line"),
    )


def town_layer(prep: Prepared, lang: str) -> dict[str, Any]:
    """The region's towns with their unit and population."""
    region = prep.region
    seats = {t.code: c for c, t in region.unit_seats().items()}
    features = []
    for t in region.towns:
        name = _t(lang, t.name, t.pinyin or t.name)
        tip = [name, region.unit_label(t.county, lang)]
        if t.population is not None:
            tip.append(_t(lang, "人口", "Population") + f" {t.population:,}")
        feature = _point(t.lon, t.lat, tip)
        if t.code in seats:  # seats carry a permanent name (Shaoguan: the county's)
            unit = next(c for c in region.counties if c.name == seats[t.code])
            feature["properties"]["label"] = (
                _t(lang, unit.name_short, unit.pinyin) if region.builtin else name
            )
        features.append(feature)
    return _layer(
        "towns",
        _t(lang, "乡镇（地点）", "Towns"),
        "point",
        features,
        {"radius": 3, "color": "#263238", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 1},
        swatch=_swatch("#ffffff", "dot"),
    )


def facility_layers(prep: Prepared, lang: str) -> list[dict[str, Any]]:
    """Facilities, one layer per kind (in `KIND_STYLE` order), with the units they hold."""
    sc = prep.scenario
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for i, f in enumerate(sc.facilities):
        units = ", ".join(
            f"{_t(lang, sc.unit_types[k].label.zh, sc.unit_types[k].label.en)}×{u.count}"
            for k, u in f.units.items()
            if u.count
        )
        label = KIND_STYLE.get(f.kind, ("o", "#333333", {"zh": f.kind, "en": f.kind}))[2][lang]
        tip = [f.name, label] + ([units] if units else [])
        by_kind.setdefault(f.kind, []).append(
            _point(prep.facility_lon[i], prep.facility_lat[i], tip)
        )
    order = [k for k in KIND_STYLE if k in by_kind] + sorted(set(by_kind) - set(KIND_STYLE))
    layers = []
    for kind in order:
        _marker, colour, names = KIND_STYLE.get(kind, ("o", "#333333", {"zh": kind, "en": kind}))
        layers.append(
            _layer(
                f"facilities-{kind}",
                _t(lang, f"设施：{names['zh']}", f"Facilities: {names['en']}"),
                "point",
                by_kind[kind],
                {"radius": 7, "color": "#ffffff", "weight": 1.5, "fillColor": colour,
                 "fillOpacity": 0.95},
                swatch=_swatch(colour, "dot"),
            )
        )  # fmt: skip
    return layers


def incident_layers(
    prep: Prepared, table: Mapping[str, np.ndarray], lang: str, replication: int | None
) -> list[dict[str, Any]]:
    """Incidents of one replication in three layers by outcome (no time target, met, missed),
    each with type, onset, town, first arrival and the targets missed."""
    sc = prep.scenario
    relevant, missed = any_target_missed(table, sc)
    rep = np.asarray(table["replication"])
    sel = np.ones(rep.size, dtype=bool) if replication is None else rep == replication
    misses: dict[str, np.ndarray] = {}
    first = np.asarray(table["first_arrival_h"], dtype=float)
    for tg in per_incident_targets(sc.targets):
        from_table = _target_missed(table, tg)
        if from_table is not None:
            misses[tg.label.zh if lang == "zh" else tg.label.en] = from_table
    kinds = np.asarray(table["type"])
    t_h = np.asarray(table["t_h"], dtype=float)
    town = np.asarray(table["town"])
    which = (
        _t(lang, f"第 {replication + 1} 次重复", f"replication {replication + 1}")
        if replication is not None
        else _t(lang, "全部重复", "all replications")
    )
    groups = (
        ("incidents-other", sel & ~relevant, _t(lang, "无时间目标", "no time target"),
         OTHER_COLOUR, {"radius": 2.5, "fillOpacity": 0.55, "weight": 0}),
        ("incidents-met", sel & relevant & ~missed, _t(lang, "达标", "target met"),
         MET_COLOUR, {"radius": 4, "fillOpacity": 0.9, "weight": 0.6}),
        ("incidents-missed", sel & relevant & missed, _t(lang, "未达标", "target missed"),
         MISSED_COLOUR, {"radius": 5, "fillOpacity": 0.95, "weight": 0.8}),
    )  # fmt: skip
    layers = []
    for layer_id, mask, outcome, colour, style in groups:
        if not mask.any():  # no toggle for an empty outcome
            continue
        features = []
        for i in np.flatnonzero(mask):
            inc = sc.incidents.get(str(kinds[i]))
            label = (inc.label.zh if lang == "zh" else inc.label.en) if inc else str(kinds[i])
            tip = [
                f"{label} · {outcome}",
                _t(
                    lang, f"第 {t_h[i] / 24:.1f} 天，{town[i]}", f"day {t_h[i] / 24:.1f}, {town[i]}"
                ),
                _t(lang, "首车到场 ", "first arrival ") + _hours(first[i]),
            ]
            missed_names = [name for name, m in misses.items() if m[i]]
            if missed_names:
                tip.append(_t(lang, "未达标：", "missed: ") + "; ".join(missed_names))
            features.append(_point(table["lon"][i], table["lat"][i], tip))
        layers.append(
            _layer(
                layer_id,
                _t(lang, f"事件：{outcome}（{which}）", f"Incidents: {outcome} ({which})"),
                "point",
                features,
                {"color": "#ffffff", "fillColor": colour, **style},
                swatch=_swatch(colour, "dot"),
            )
        )
    return layers


def _target_missed(table: Mapping[str, np.ndarray], tg: Any) -> np.ndarray | None:
    """Per incident: covered by a time target and missed it (None for other measures)."""
    m = measure_of(tg)
    if not isinstance(m, TimeShare):
        return None
    return np.asarray(m.mask(table, tg) & ~m.met_by_incident(table, tg))


def coverage_layers(
    prep: Prepared, coverage: gpd.GeoDataFrame | None, lang: str
) -> list[dict[str, Any]]:
    """Areas today's resources reach within each time target's threshold (off at first)."""
    if coverage is None or len(coverage) == 0:
        return []
    out = []
    for k, (row, geom) in enumerate(zip(coverage.itertuples(), coverage.geometry, strict=True)):
        if geom is None or geom.is_empty:
            continue
        colour = COVERAGE_COLOURS[k % len(COVERAGE_COLOURS)]
        label = row.label_zh if lang == "zh" else row.label_en
        limit = _hours(float(row.threshold_h))
        tip = [
            f"{label} < {limit}",
            _t(lang, f"力量类型：{row.unit_types}", f"unit types: {row.unit_types}"),
            _t(
                lang,
                f"覆盖 {row.nodes_covered:,} / {row.nodes_total:,} 个路网节点",
                f"{row.nodes_covered:,} of {row.nodes_total:,} road nodes reached",
            ),
        ]
        feature = _feature(geom.simplify(SIMPLIFY_DEG / 4, preserve_topology=True), tip)
        out.append(
            _layer(
                f"coverage-{k}",
                _t(lang, f"覆盖范围：{label}（< {limit}）", f"Coverage: {label} (< {limit})"),
                "polygon",
                [feature],
                {"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": 0.18},
                on=False,
                swatch=_swatch(colour),
            )
        )  # fmt: skip
    return out


def map_data(
    prep: Prepared,
    table: Mapping[str, np.ndarray],
    *,
    coverage: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    replication: int | None = 0,
) -> dict[str, Any]:
    """Everything the page shows, as one JSON-ready mapping (layers bottom to top)."""
    region = prep.region
    w, s, e, n = (float(v) for v in region.outline.bounds)
    sc = prep.scenario
    title = sc.title.zh if (sc.title and lang == "zh") else (sc.title.en if sc.title else sc.name)
    osm = not is_embedded(prep.net)
    attribution = html.escape(
        _t(lang, f"区域：{region.name}", f"Region: {region.name_en}")
        + (_t(lang, "；道路 © OpenStreetMap 贡献者（ODbL）",
              "; roads © OpenStreetMap contributors (ODbL)") if osm else "")
    )  # fmt: skip
    layers = [
        *region_layers(prep, lang),
        *coverage_layers(prep, coverage, lang),
        road_layer(prep, lang),
        *incident_layers(prep, table, lang, replication),
        town_layer(prep, lang),
        *facility_layers(prep, lang),
    ]
    return {
        "title": title,
        "region": region.name if lang == "zh" else region.name_en,
        "bounds": [[s, w], [n, e]],
        "leaflet": LEAFLET_VERSION,
        "attribution": attribution,
        "note": _t(
            lang,
            "离线矢量地图（无底图）。悬停查看详情，右上角切换图层。",
            "Offline vector map (no base tiles). Hover for details; toggle layers top right.",
        ),
        "layers": layers,
    }


def _vendor_text(name: str) -> str:
    return (VENDOR / name).read_text(encoding="utf-8")


def leaflet_css() -> str:
    """Leaflet's stylesheet with its images as data URIs (nothing to fetch)."""
    css = _vendor_text("leaflet.css")
    for img in ("layers-2x.png", "layers.png", "marker-icon.png"):
        data = base64.b64encode((VENDOR / "images" / img).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{img})", f"url(data:image/png;base64,{data})")
    return css


def leaflet_js() -> str:
    """Leaflet's script without its source-map comment (the map file is not shipped)."""
    js = _vendor_text("leaflet.js")
    return "\n".join(ln for ln in js.splitlines() if not ln.startswith("//# sourceMappingURL="))


def render_map_page(data: Mapping[str, Any], *, lang: str = "zh") -> str:
    """The self-contained HTML page for `map_data`'s mapping."""
    # "<" never occurs outside strings in JSON; escaped it cannot close the script element
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    e = html.escape
    title = f"{data['region']} · {data['title']}"
    heading = _t(lang, "交互地图", "Interactive map")
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)} · {e(heading)}</title>",
            "<style>{FONT}" + leaflet_css() + PAGE_CSS + "</style>",
            "</head>",
            "<body>",
            f"<header>{e(title)}<small>{e(heading)}</small></header>",
            '<div id="map"></div>',
            "<script>" + leaflet_js() + "</script>",
            f'<script type="application/json" id="map-data">{payload}</script>',
            "<script>" + APP_JS + "</script>",
            "</body>",
            "</html>",
            "",
        ]
    )
    # the page's own characters decide the font subset, as in the report
    return page.replace("<style>{FONT}", "<style>" + font_face_css(page), 1)


def write_map_page(
    path: Path,
    prep: Prepared,
    table: Mapping[str, np.ndarray],
    *,
    coverage: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    replication: int | None = 0,
) -> Path:
    """Write ``map.html`` (see the module docstring) and return its path."""
    data = map_data(prep, table, coverage=coverage, lang=lang, replication=replication)
    path.write_text(render_map_page(data, lang=lang), encoding="utf-8")
    return path
