"""report.html / report.md (run, compare, sweep): self-contained, escaped, clean in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.output.report import Doc, md_escape, render_html
from tests.helpers import SCENARIO_DATA, SMALL, WATER_TEAMS

COMMON = ("--replications", "2", "--workers", "1", "--quiet")
EVIL = "<script>alert(1)</script> & co"
SENS = SCENARIO_DATA / "valid" / "sensitivity_small.yaml"


class _Page(HTMLParser):
    """Collects tags, link attributes, image sources and the text of h1 and title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self.imgs: list[str] = []
        self.html_lang: str | None = None
        self.charset: str | None = None
        self.h1 = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        for key in ("src", "href", "srcset", "action", "data"):
            if key in a:
                self.links.append((tag, key, a[key] or ""))
        if tag == "img":
            self.imgs.append(a.get("src") or "")
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and "charset" in a:
            self.charset = a["charset"]
        if tag == "h1":
            self._in = "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in = None

    def handle_data(self, data):
        if self._in == "h1":
            self.h1 += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _check_folder(folder: Path, lang: str) -> _Page:
    html_path = folder / "report.html"
    md_path = folder / "report.md"
    page = _parse(html_path)
    assert page.charset == "utf-8"
    assert page.html_lang == ("zh-CN" if lang == "zh" else "en")
    assert "script" not in page.tags
    for tag, key, value in page.links:
        assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), (tag, key, value[:80])
    text = html_path.read_text(encoding="utf-8")
    assert "http://" not in text
    assert "https://" not in text
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert pngs, "charts expected"
    assert len(page.imgs) == len(pngs)  # every chart in the folder is embedded
    assert all(src.startswith("data:image/png;base64,") for src in page.imgs)
    md = md_path.read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert sorted(linked) == pngs
    assert all((folder / name).is_file() for name in linked)
    return page


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """One run (zh), one compare (en), one sweep (zh) and one sensitivity (zh) folder."""
    root = tmp_path_factory.mktemp("reports")
    run, cmp_, sw, sens = root / "run", root / "cmp", root / "sweep", root / "sens"
    assert main(["run", str(SMALL), "--out", str(run), *COMMON]) == 0
    assert (
        main(["compare", str(SMALL), str(SMALL), "--out", str(cmp_), "--lang", "en", *COMMON]) == 0
    )
    assert (
        main(["sweep", str(SMALL), "--set", f"{WATER_TEAMS}=1,2", "--out", str(sw), *COMMON]) == 0
    )
    assert main(["sensitivity", str(SENS), "--trajectories", "2", "--out", str(sens), *COMMON]) == 0
    return {
        "run": (run, "zh"),
        "compare": (cmp_, "en"),
        "sweep": (sw, "zh"),
        "sensitivity": (sens, "zh"),
    }


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "sensitivity"])
def test_report_is_self_contained(folders, kind):
    """No http(s) src/href, every PNG embedded as a data URI, charset and lang set, no script."""
    folder, lang = folders[kind]
    page = _check_folder(folder, lang)
    assert page.h1.strip()


def test_report_contents(folders):
    """The run report has the targets, assumptions, equity tables and its definition, in Chinese."""
    text = (folders["run"][0] / "report.html").read_text(encoding="utf-8")
    for needle in (
        "规划指标",
        "场景假设",
        "建筑火灾首车到场时间",
        "building_fire_arrival",
        "超出目标的人口",
        "公平性表的定义",
        "浈江新韶消防救援站",
        "水罐消防车",
    ):
        assert needle in text, needle
    cmp_text = (folders["compare"][0] / "report.html").read_text(encoding="utf-8")
    assert "paired" in cmp_text
    assert "+0.0 pp [+0.0, +0.0]" in cmp_text  # compared with itself
    sw_text = (folders["sweep"][0] / "report.md").read_text(encoding="utf-8")
    assert (
        "以 95% 置信度达标的最小设置为" in sw_text or "没有任何设置能以 95% 置信度达标" in sw_text
    )
    sens_text = (folders["sensitivity"][0] / "report.md").read_text(encoding="utf-8")
    for needle in (
        "## 1. 应优先核实的假设",
        "建筑火灾首车到场时间 (building_fire_arrival)",
        "μ\\* \\[95% CI\\]",
        "消防车出动时间（倍数） (engine_turnout)",
        "English: ",  # the advice in the other language too
        "tornado_building_fire_arrival.png",
        "test range: 1 to 15 times",  # every input's source
    ):
        assert needle in sens_text, needle


def test_user_strings_are_escaped(tmp_path):
    """A title with <script> and & and a facility name with markup are shown as text, not markup."""
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["title"] = {"zh": EVIL, "en": EVIL}
    data["description"] = "<img src=x onerror=alert(2)>"
    data["facilities"][0]["name"] = "<b>新韶</b> & 站"
    path = tmp_path / "evil.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--no-plots", *COMMON]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    page = _parse(out / "report.html")
    assert "script" not in page.tags
    assert "b" not in page.tags
    assert page.imgs == []
    assert EVIL in page.h1  # the parser decodes the entities back to the literal title
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert "&lt;b&gt;新韶&lt;/b&gt; &amp; 站" in text
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in md
    assert "\\<script\\>alert(1)\\</script\\> \\& co" in md


def test_md_escape_and_render():
    """Markdown escaping covers table pipes and HTML; rendered HTML escapes headings and cells."""
    assert md_escape("a|b <c> & [d]") == "a\\|b \\<c\\> \\& \\[d\\]"
    doc = Doc(title="T <1>", lang="en")
    doc.h(2, "<h>")
    doc.table(["<c>"], [["x & y"]])
    out = render_html(doc)
    assert "<h2>&lt;h&gt;</h2>" in out
    assert "<th>&lt;c&gt;</th>" in out
    assert "<th>x &amp; y</th>" in out
    assert out.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_relative_out_folder_embeds_the_charts(tmp_path, monkeypatch):
    """--out given relative to the working directory: every chart is still embedded and linked."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(SMALL), "--out", "rel/run", *COMMON]) == 0
    _check_folder(Path("rel/run"), "zh")


def test_report_is_reproducible(tmp_path):
    """The same seed twice gives byte-identical report.html and report.md (no clock time)."""
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert main(["run", str(SMALL), "--out", str(out), "--no-plots", *COMMON]) == 0
    for name in ("report.html", "report.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# --------------------------------------------------------------------------- headless Chromium


def _chromium_console(html_file: Path, profile: Path) -> tuple[str, str]:
    """Load a page in headless Chromium; return (DOM, console messages logged to stderr)."""
    exe = shutil.which("chromium")
    assert exe is not None
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        html_file.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    console = "\n".join(line for line in proc.stderr.splitlines() if ":CONSOLE" in line)
    return proc.stdout, console


@pytest.fixture
def chromium():
    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed: apt-get install chromium")


def test_chromium_detects_a_console_error(tmp_path, chromium):
    """The detector works: a page with a deliberate script error is reported."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
        "<body><p>x</p><script>notDefinedAnywhere();</script></body></html>",
        encoding="utf-8",
    )
    dom, console = _chromium_console(bad, tmp_path / "profile")
    assert "<p>x</p>" in dom
    assert "notDefinedAnywhere" in console


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "sensitivity"])
def test_report_has_no_console_errors_in_chromium(folders, tmp_path, chromium, kind):
    """report.html loads in headless Chromium with no console message and the page is rendered."""
    folder, _lang = folders[kind]
    dom, console = _chromium_console(folder / "report.html", tmp_path / "profile")
    assert console == ""
    assert "<h1>" in dom
    assert dom.count("<img") == len(list(folder.glob("*.png")))


def test_every_facility_kind_and_measure_has_labels():
    """Report labels cover every facility kind and target measure the scenario schema allows."""
    import typing

    from sim.output.report import KIND_LABEL
    from sim.results.measures import MEASURES
    from sim.scenario import Facility, Target

    kinds = set(typing.get_args(Facility.model_fields["kind"].annotation))
    measures = set(typing.get_args(Target.model_fields["measure"].annotation))
    assert kinds <= set(KIND_LABEL), kinds - set(KIND_LABEL)
    assert measures == set(MEASURES)
    assert all(all(m.label) for m in MEASURES.values())


# --------------------------------------------------------------------------- embedded CJK font

#: Measures, after the fonts load, the advance of a Chinese string in the page's body font and
#: whether the embedded family covers it; writes the numbers into the DOM for --dump-dom.
_MEASURE_JS = """
<script>
const PROBE = %s;
document.fonts.ready.then(() => {
  const probe = document.createElement("span");
  probe.style.font = "100px " + getComputedStyle(document.body).fontFamily;
  probe.style.whiteSpace = "nowrap";
  probe.textContent = PROBE;
  document.body.appendChild(probe);
  const w = probe.getBoundingClientRect().width / PROBE.length;
  const ok = document.fonts.check('100px "Report CJK"', PROBE);
  const out = document.createElement("div");
  out.id = "cjk-measure";
  out.textContent = "em_per_char=" + (w / 100).toFixed(4) + " check=" + ok;
  document.body.appendChild(out);
});
</script>
"""


def _cjk_em_per_char(html_text: str, probe: str, tmp_path: Path, name: str) -> tuple[float, str]:
    page = tmp_path / f"{name}.html"
    js = _MEASURE_JS % json.dumps(probe)
    page.write_text(html_text.replace("</body>", js + "</body>"), encoding="utf-8")
    exe = shutil.which("chromium")
    assert exe is not None
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / ('profile-' + name)}", "--virtual-time-budget=10000",
         "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    m = re.search(r'id="cjk-measure">em_per_char=([\d.]+) check=(\w+)<', proc.stdout)
    assert m is not None, proc.stdout[-500:]
    return float(m.group(1)), m.group(2)


def _system_has_cjk_font() -> bool:
    exe = shutil.which("fc-list")
    if exe is None:
        return False
    out = subprocess.run([exe, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def test_chinese_in_report_renders_with_the_embedded_font(folders, tmp_path, chromium):
    """Every Chinese character of the title is one em wide in the embedded Noto Sans CJK SC.

    Without a font that has the glyphs, Chromium draws boxes whose advance is not one em; so
    the same page with its @font-face removed must measure differently on a machine without a
    system CJK font (this machine, and CI): the check fails exactly when Chinese is boxes.
    """
    folder, _lang = folders["run"]
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert "@font-face" in text
    assert "data:font/woff;base64," in text
    title = re.search(r"<h1>(.*?)</h1>", text).group(1)
    probe = "".join(ch for ch in title if "\u4e00" <= ch <= "\u9fff")[:8]
    assert len(probe) >= 4, title  # the zh report has a Chinese title
    em, check = _cjk_em_per_char(text, probe, tmp_path, "embedded")
    assert check == "true"
    assert em == pytest.approx(1.0, abs=0.01)  # CJK ideographs are one em wide in Noto CJK
    stripped = re.sub(r"@font-face\{[^}]*\}", "", text, count=1)
    em_without, _ = _cjk_em_per_char(stripped, probe, tmp_path, "stripped")
    if not _system_has_cjk_font():
        assert em_without != pytest.approx(1.0, abs=0.01)  # boxes: the test can fail


def test_embedded_font_is_a_small_deterministic_subset():
    """The subset holds only the page's characters: small, and the same bytes every time."""
    from sim.output.fonts import subset_woff

    a = subset_woff("韶关市应急救援 Report 2025")
    b = subset_woff("韶关市应急救援 Report 2025")
    assert a == b
    assert a[:4] == b"wOFF"
    assert len(a) < 40_000
    assert len(subset_woff("韶关市应急救援 Report 2025" + "一二三四五六七八九十")) > len(a)


def test_run_report_links_the_map_page(folders):
    """report.html and report.md link map.html, which sits next to them."""
    folder = folders["run"][0]
    assert (folder / "map.html").is_file()
    assert '<a href="map.html">' in (folder / "report.html").read_text(encoding="utf-8")
    assert "](map.html)" in (folder / "report.md").read_text(encoding="utf-8")


def test_equity_table_follows_the_loaded_region(ags_run):
    """Aguascalientes' report: the equity tables list its two units with their populations,
    under a heading for units, and no Shaoguan county."""
    folder, _ = ags_run
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert "4. 各行政单元公平性" in text
    assert "各县" not in text
    section = text.split("4. 各行政单元公平性", 1)[1].split("附录", 1)[0]
    rows = re.findall(r"<tr><th>([^<]+)</th><td>([\d,]+)</td>", section)
    # one table per time target (fire_4min, medical_5min), each with the two units in file order
    assert rows == [("Centro Poniente", "60,000"), ("Centro Oriente", "80,000")] * 2
    for county in ("浈江区", "乐昌市", "韶关"):
        assert county not in section
    assert "地点人口取自区域的地点文件" in section  # the region's definition, not Shaoguan's
