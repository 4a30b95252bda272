"""Region maps (sim.output.plots.maps and the run map of charts): the loaded region, roads,
place names without overlaps, scale bar and north arrow."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from matplotlib.collections import LineCollection

from sim.model.compile import prepare
from sim.output.mapdata import road_segments
from sim.output.plots import plt
from sim.output.plots.charts import plot_incident_map
from sim.output.plots.maps import degrees, nice_scale_m, region_extent, spread_colocated
from sim.results.schema import empty_table
from sim.workflows.common import load_network
from sim.workflows.run import facility_table
from tests.helpers import SMALL, load_quietly


@pytest.mark.parametrize(
    ("width_m", "expected_m"),
    [(3_000, 500), (1_000, 200), (200_000, 20_000), (190_000, 20_000), (99, 10), (4, 1)],
)
def test_scale_bar_length_is_a_round_fifth_of_the_width(width_m, expected_m):
    """The largest 1, 2 or 5 x 10^k not above a fifth of the map width."""
    assert nice_scale_m(width_m) == expected_m


def test_degree_ticks_name_the_hemisphere():
    """Longitudes west of Greenwich are written as °W, with the decimals the step needs."""
    fig, ax = plt.subplots()
    ax.set_xlim(-102.281, -102.244)
    ax.set_ylim(24.0, 25.5)
    ax.set_xticks([-102.28, -102.27, -102.26])
    ax.set_yticks([24.0, 24.25, 24.5])
    assert degrees(-102.27, "EW", ax.xaxis) == "102.27°W"
    assert degrees(24.25, "NS", ax.yaxis) == "24.25°N"
    assert degrees(113.5, "EW", ax.xaxis) == "113.50°E"
    plt.close(fig)


def _texts(ax):
    """Annotations drawn on the map (place names, scale, north), not titles or tick labels."""
    return [t for t in ax.texts if t.get_text()]


def _no_overlaps(ax, texts):
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, texts, strict=True), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())


def test_run_map_draws_the_loaded_region(ags_run):
    """Aguascalientes: its window (not Shaoguan's), the OSM roads, its towns and units named
    without overlaps, a 500 m scale bar and a north arrow."""
    _, result = ags_run
    prep = result.prepared
    fig, ax = plot_incident_map(result.table, prep.scenario, facility_table(prep),
                                region=prep.region, net=prep.net)  # fmt: skip
    w, s, e, n = region_extent(prep.region)
    assert ax.get_xlim() == pytest.approx((w, e))
    assert ax.get_ylim() == pytest.approx((s, n))
    assert -102.29 < w < e < -102.24  # the region's units, 3.7 km across
    roads = [c for c in ax.collections if isinstance(c, LineCollection)]
    drawn = sum(len(c.get_segments()) for c in roads)
    assert drawn == sum(len(v) for v in road_segments(prep.net).values()) > 500
    texts = _texts(ax)
    words = {t.get_text() for t in texts}
    assert {"Zona Centro", "San Marcos", "La Purísima", "Héroes"} <= words
    assert {"Centro Poniente", "Centro Oriente"} <= words
    assert "0    250    500 m" in words  # the region is 3.7 km wide
    assert "N" in words
    assert not any("乐昌" in word or "韶关" in word for word in words)
    places = [t for t in texts if t.get_text() != "N"]
    _no_overlaps(ax, places)
    plt.close(fig)


def test_run_map_of_shaoguan_names_the_county_seats():
    """Shaoguan's run map: the ten county names at their seats, a 20 km bar, the roads of the
    embedded network, no overlapping names."""
    sc = load_quietly(SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prep = prepare(sc, load_network(sc.network))
    fig, ax = plot_incident_map(empty_table(), sc, facility_table(prep), region=prep.region,
                                net=prep.net)  # fmt: skip
    words = {t.get_text() for t in _texts(ax)}
    counties = {c.name_short for c in prep.region.counties}
    assert len(counties) == 10
    assert counties <= words
    assert "0    10    20 km" in words
    roads = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in roads) > 300
    _no_overlaps(ax, [t for t in _texts(ax) if t.get_text() in counties])
    plt.close(fig)


def test_colocated_facilities_are_all_visible():
    """A station and a depot in one town are drawn at distinct points around it."""
    fig, ax = plt.subplots()
    ax.set_xlim(113.0, 114.0)
    ax.set_ylim(24.0, 25.0)
    lon, lat = spread_colocated(ax, np.array([113.5, 113.5, 113.2]), np.array([24.5, 24.5, 24.2]))
    assert (lon[0], lat[0]) != (lon[1], lat[1])
    assert (lon[2], lat[2]) == (113.2, 24.2)  # alone: not moved
    centre = np.array([113.5, 24.5])
    for k in (0, 1):  # both within a few points of the town
        assert np.hypot(lon[k] - centre[0], lat[k] - centre[1]) < 0.05
    plt.close(fig)
