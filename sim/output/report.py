"""Reports of run, compare and sweep folders: a self-contained ``report.html`` and a ``report.md``.

Both files are rendered from the same list of blocks (headings, paragraphs, tables, images).
The HTML embeds every PNG as a base64 ``data:`` URI, uses inline CSS only and no script, so it
opens offline and can be mailed or pasted into a 可行性研究报告; the Markdown links the PNG
files next to it. Every user-provided string (scenario names and titles, labels, facility
names) is escaped. Nothing here imports matplotlib: the charts are read from disk. Neither file
contains a clock time, so they are as reproducible as the PNGs they embed.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import geo
from sim.analysis.compare import county_equity
from sim.analysis.sensitivity import NEGLIGIBLE_SHARE
from sim.analysis.sweep import format_value, short_key, statement
from sim.model.staffing import firefighter_posts, posts_by_role
from sim.output.fonts import font_face_css
from sim.results.measures import MEASURES, TimeShare, per_incident_targets
from sim.results.stats import MEAN_INTERVAL_METHOD, RATE_INTERVAL_METHOD, SHARE_INTERVAL_METHOD

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sim.model.runner import Prepared
    from sim.scenario import Scenario

#: `NEGLIGIBLE_SHARE` in per cent, for the report's note.
NEGLIGIBLE_PCT = round(NEGLIGIBLE_SHARE * 100)
KIND_LABEL = {
    "fire_station": ("消防救援站", "Fire-rescue station"),
    "township_team": ("乡镇专职消防队", "Township team"),
    "rescue_base": ("救援基地", "Rescue base"),
    "water_rescue_base": ("水域救援点", "Water-rescue base"),
    "depot": ("物资储备库", "Relief depot"),
    "helicopter_base": ("直升机基地", "Helicopter base"),
    "regional_centre": ("区域应急救援中心", "Regional centre"),
    "mutual_aid": ("增援力量", "Mutual aid"),
    "village_store": ("村级应急物资储备点", "Village relief store"),
}
WHERE_LABEL = {
    "population": ("按人口分布", "by population"),
    "river": ("沿河流", "along rivers"),
    "forest": ("林区", "forest areas"),
    "points": ("指定地点", "given points"),
}
CHART_CAPTION = {
    "targets.png": (
        "规划指标达成情况：条形为达标比例，误差线为 95% 置信区间，深蓝竖线为要求。",
        "Plan targets: bars are shares meeting the target, whiskers the 95% CI, the dark line the "
        "requirement.",
    ),
    "response_times.png": (
        "到场时间分布：曲线上一点 (x, y) 表示 y 比例的事件在 x 小时内到达。",
        "Response times: a point (x, y) means a share y of incidents was reached within x hours.",
    ),
    "map.png": (
        "事件分布与目标达成（第 1 次重复）：绿点达标，红叉未达标，符号为设施。",
        "Incidents by target outcome (replication 1): green met, red crosses missed; symbols are "
        "facilities.",
    ),
    "utilisation.png": (
        "各类力量利用率：忙碌时间占比，括号内为单元数。",
        "Unit utilisation: share of time busy; number of units in brackets.",
    ),
    "forest_fires.png": (
        "森林火灾：过火面积与控制（扑灭）时间分布，竖线为 24 小时。",
        "Forest fires: burned area and time to containment; the line marks 24 h.",
    ),
    "forest_fire_map.png": (
        "森林火灾位置与结果（含航空取水/起降点）。",
        "Forest fires by outcome, with aviation points.",
    ),
    "compare_targets.png": (
        "各方案指标达成情况（95% 置信区间；深蓝竖线为要求）。",
        "Targets by scenario (95% CI; the dark line is the requirement).",
    ),
    "compare_diffs.png": (
        "与参照方案的配对差值及 95% 置信区间。区间不含 0（绿/红）才说明差异不是随机波动。",
        "Paired differences to the reference with 95% CIs. Only an interval that excludes 0 "
        "(green/red) shows a difference that is not noise.",
    ),
    "compare_response_times.png": (
        "到场时间分布对比：◆ 为指标要求（阈值，要求比例），曲线须从其上方通过。",
        "Response-time distributions: ◆ marks the requirement (threshold, required share); "
        "the curve must pass above it.",
    ),
    "county_maps.png": (
        "各县（市、区）未达标事件比例（任一时间类指标未达标即计入）。",
        "Share of target incidents missing any time target, by county.",
    ),
    "county_change.png": (
        "未达标事件比例相对参照方案的变化（百分点）。",
        "Change in the missed share against the reference (percentage points).",
    ),
    "sweep_targets.png": (
        "各指标达标比例随参数的变化：带为 95% 置信区间，虚线为要求，● 为 95% 置信达标。",
        "Target shares against the parameter: bands are 95% CIs, the dashed line the "
        "requirement, ● met with 95% confidence.",
    ),
}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _pair(lang: str, pair: tuple[str, str]) -> str:
    return pair[0] if lang == "zh" else pair[1]


def pct(v: float | None, digits: int = 1) -> str:
    """Format a share as a percentage ("—" for None)."""
    return "—" if v is None else f"{v:.{digits}%}"


def hours(v: float | None) -> str:
    """Format a time in hours: minutes below 2 h, hours above ("—" for None)."""
    if v is None:
        return "—"
    return f"{v * 60:.0f} min" if v < 2 else f"{v:.1f} h"


def req_text(t: Mapping[str, Any], lang: str, *, short: bool = False) -> str:
    """Requirement of a target entry, as its measure writes it ("varies" when a sweep varies it)."""
    return MEASURES[t["measure"]].requirement_text(t, lang, short=short)


def value_text(t: Mapping[str, Any], lang: str = "en") -> str:
    """Estimate of a target entry with its interval, as its measure writes it."""
    return MEASURES[t["measure"]].value_text(t, lang=lang)


def interval_methods(lang: str) -> str:
    """How the report's intervals are computed, in one sentence (from `sim.results.stats`)."""
    k = 0 if lang == "zh" else 1
    head = _t(lang, "置信区间：", "Intervals: ")
    sep = "；" if lang == "zh" else "; "
    end = "。" if lang == "zh" else "."
    parts = (SHARE_INTERVAL_METHOD[k], RATE_INTERVAL_METHOD[k], MEAN_INTERVAL_METHOD[k])
    return head + sep.join(parts) + end


def diff_cell(t: Mapping[str, Any], d: Mapping[str, Any]) -> Cell:
    """A paired difference, marked ``ok`` / ``bad`` when it is significantly better / worse."""
    text = MEASURES[t["measure"]].format_diff(d)
    return Cell(text, {"better": "ok", "worse": "bad"}.get(d.get("verdict", ""), ""))


# --------------------------------------------------------------------------- document model


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: text and an optional status class (``ok``, ``bad``, ``muted``)."""

    text: str
    cls: str = ""


@dataclass(slots=True)
class Doc:
    """Blocks of a report, rendered to HTML and Markdown."""

    title: str
    lang: str
    blocks: list[tuple[Any, ...]] = field(default_factory=list)

    def h(self, level: int, text: str) -> None:
        """Add a heading (level 2 or 3)."""
        self.blocks.append(("h", level, text))

    def p(self, text: str, cls: str = "") -> None:
        """Add a paragraph."""
        self.blocks.append(("p", text, cls))

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[str | Cell]]) -> None:
        """Add a table (first column is a row header)."""
        self.blocks.append(
            (
                "table",
                list(columns),
                [[c if isinstance(c, Cell) else Cell(str(c)) for c in r] for r in rows],
            )
        )

    def link(self, href: str, text: str) -> None:
        """Add a paragraph that links a file next to the report (a relative path)."""
        self.blocks.append(("link", href, text))

    def img(self, path: Path, caption: str) -> None:
        """Add an image: a PNG next to the report.

        The path is absolute or relative to the working directory.
        """
        self.blocks.append(("img", Path(path).resolve(), caption))


CSS = """
body{font-family:"Report CJK","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",\
"PingFang SC","Hiragino Sans GB",
"WenQuanYi Micro Hei",Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;\
color:#1d2733;line-height:1.5}
h1{font-size:1.6em;border-bottom:3px solid #1d3557;padding-bottom:.3em}
h2{font-size:1.25em;color:#1d3557;border-bottom:1px solid #ccd;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.05em;color:#1d3557}
table{border-collapse:collapse;margin:.8em 0;font-size:.88em}
th,td{border:1px solid #c9ced6;padding:.3em .55em;text-align:left;vertical-align:top}
th{background:#eef1f6}
tbody th{white-space:normal;min-width:7em;max-width:24em}
tr:nth-child(even) td{background:#fafbfc}
td.ok{color:#17663d;font-weight:bold}
td.bad{color:#b3131d;font-weight:bold}
td.muted{color:#777}
p.note{font-size:.88em;color:#444;background:#f6f7f9;border-left:4px solid #8d99ae;\
padding:.4em .8em}
p.warn{font-size:.9em;background:#fff4e5;border-left:4px solid #e69f00;padding:.4em .8em}
div.scroll{overflow-x:auto}
p.good{font-size:.9em;background:#eaf6ef;border-left:4px solid #2a9d8f;padding:.4em .8em}
figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #e0e3e8}
figcaption{font-size:.85em;color:#444;margin-top:.3em}
"""


def render_html(doc: Doc) -> str:
    """Render a document as one self-contained HTML page (images embedded as data URIs)."""
    e = html.escape
    lang = "zh-CN" if doc.lang == "zh" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(doc.title)}</title>",
        "<style>{FONT}" + CSS + "</style>",
        "</head>",
        "<body>",
        f"<h1>{e(doc.title)}</h1>",
    ]
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            parts.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
        elif kind == "p":
            cls = f' class="{e(b[2])}"' if b[2] else ""
            parts.append(f"<p{cls}>{e(b[1])}</p>")
        elif kind == "table":
            parts.append('<div class="scroll"><table>')
            parts.append(
                "<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in b[1]) + "</tr></thead>"
            )
            parts.append("<tbody>")
            for row in b[2]:
                cells = []
                for i, c in enumerate(row):
                    tag = "th" if i == 0 else "td"
                    cls = f' class="{e(c.cls)}"' if c.cls else ""
                    cells.append(f"<{tag}{cls}>{e(c.text)}</{tag}>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</tbody></table></div>")
        elif kind == "link":
            parts.append(f'<p class="good"><a href="{e(b[1])}">{e(b[2])}</a></p>')
        elif kind == "img":
            data = base64.b64encode(Path(b[1]).read_bytes()).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{e(b[2])}">'
                f"<figcaption>{e(b[2])}</figcaption></figure>"
            )
    parts += ["</body>", "</html>", ""]
    page = "\n".join(parts)
    # The page's own characters decide the font subset (markup and base64 are ASCII, cheap).
    return page.replace("<style>{FONT}", "<style>" + font_face_css(page), 1)


def md_escape(s: str) -> str:
    """Escape Markdown/HTML specials so user text is shown literally."""
    out = s.replace("\\", "\\\\")
    for ch in "`*[]<>&|":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def render_md(doc: Doc, folder: Path) -> str:
    """Render a document as Markdown with links to the PNG files next to it."""
    lines = [f"# {md_escape(doc.title)}", ""]
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            lines += ["#" * b[1] + " " + md_escape(b[2]), ""]
        elif kind == "p":
            text = md_escape(b[1])
            lines += [f"> {text}" if b[2] else text, ""]
        elif kind == "table":
            lines.append("| " + " | ".join(md_escape(c) for c in b[1]) + " |")
            lines.append("|" + "|".join("---" for _ in b[1]) + "|")
            for row in b[2]:
                cells = []
                for c in row:
                    t = md_escape(c.text)
                    cells.append(f"**{t}**" if c.cls == "bad" else t)
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        elif kind == "link":
            lines += [f"[{md_escape(b[2])}]({b[1]})", ""]
        elif kind == "img":
            full = Path(b[1])
            home = folder.resolve()
            rel = full.relative_to(home) if full.is_relative_to(home) else full
            lines += [f"![{md_escape(b[2])}]({rel.as_posix()})", "", f"*{md_escape(b[2])}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(doc: Doc, folder: Path) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    h = folder / "report.html"
    m = folder / "report.md"
    h.write_text(render_html(doc), encoding="utf-8")
    m.write_text(render_md(doc, folder), encoding="utf-8")
    return h, m


# --------------------------------------------------------------------------- shared sections


def scenario_title(sc: Scenario, lang: str) -> str:
    """The scenario's title in `lang`, or its name."""
    if sc.title is not None:
        return sc.title.zh if lang == "zh" else sc.title.en
    return sc.name


def _kinds_text(sc: Scenario, lang: str) -> str:
    counts: dict[str, int] = {}
    for f in sc.facilities:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{_pair(lang, KIND_LABEL.get(k, (k, k)))} {n}" for k, n in counts.items())


def _units_text(sc: Scenario, lang: str) -> str:
    counts = dict.fromkeys(sc.unit_types, 0)
    for f in sc.facilities:
        for t, spec in f.units.items():
            counts[t] = counts.get(t, 0) + spec.count
    sep = "，" if lang == "zh" else ", "
    return sep.join(
        f"{(sc.unit_types[t].label.zh if lang == 'zh' else sc.unit_types[t].label.en)} {n}"
        for t, n in counts.items()
    )


def assumption_rows(
    sc: Scenario, prep: Prepared | None, metrics: Mapping[str, Any] | None, lang: str
) -> list[list[str]]:
    """Rows (item, value) of the scenario assumptions table."""
    run = (metrics or {}).get("run", {})
    staff = firefighter_posts(sc)
    pop = prep.population if prep is not None else sc.population_total
    net = sc.network + (
        f"（{run['network_nodes']} 个节点）"
        if lang == "zh" and run.get("network_nodes")
        else f" ({run['network_nodes']} nodes)"
        if run.get("network_nodes")
        else ""
    )
    return [
        [_t(lang, "场景名称", "Scenario name"), sc.name],
        [
            _t(lang, "模拟时长", "Horizon"),
            _t(
                lang,
                f"{sc.horizon_days:g} 天，自 {sc.start_date} 起",
                f"{sc.horizon_days:g} days from {sc.start_date}",
            ),
        ],
        [_t(lang, "重复次数 / 随机种子", "Replications / seed"), f"{sc.replications} / {sc.seed}"],
        [_t(lang, "路网", "Road network"), net],
        [_t(lang, "人口", "Population"), f"{pop:,}"],
        [_t(lang, "设施（按类型）", "Facilities by kind"), _kinds_text(sc, lang)],
        [_t(lang, "救援单元（按类型）", "Units by type"), _units_text(sc, lang)],
        [_t(lang, "专职消防人员", "Full-time firefighters"), f"{staff:,}"],
        *(
            [[_t(lang, "岗位（按角色）", "Posts by role"), _posts_text(sc, lang)]]
            if sc.staffing is not None
            else []
        ),
        [
            _t(lang, "道路外接驳", "Off-road access leg"),
            _t(
                lang,
                f"{sc.access.speed_kph:g} km/h，绕行系数 {sc.access.circuity:g}",
                f"{sc.access.speed_kph:g} km/h, circuity {sc.access.circuity:g}",
            ),
        ],
    ]


def incident_rows(
    sc: Scenario, prep: Prepared | None, metrics: Mapping[str, Any] | None, lang: str
) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of the incident-type table (expected and simulated rates)."""
    pop = prep.population if prep is not None else sc.population_total
    by_type = (metrics or {}).get("response_times", {}).get("by_type", {})
    cols = [
        _t(lang, "事件类型", "Incident type"),
        _t(lang, "年发生率（期望）", "Expected per year"),
        _t(lang, "模拟（次/年）", "Simulated per year"),
        _t(lang, "空间分布", "Where"),
        _t(lang, "优先级", "Priority"),
        _t(lang, "所需力量", "Units required"),
        _t(lang, "受灾人数", "Affected people"),
    ]
    rows = []
    for name, inc in sc.incidents.items():
        per_100k = inc.rate.per_100k_per_year
        if inc.rate.per_year is not None or per_100k is None:
            exp = f"{inc.rate.per_year:g}"
        else:
            exp = _t(
                lang,
                f"{per_100k:g}/10万人 → {per_100k * pop / 1e5:,.1f}",
                f"{per_100k:g} per 100k → {per_100k * pop / 1e5:,.1f}",
            )
        sim_rate = by_type.get(name, {}).get("incidents_per_year")
        units = "，".join if lang == "zh" else ", ".join
        need = (
            units(
                f"{(sc.unit_types[t].label.zh if lang == 'zh' else sc.unit_types[t].label.en)}"
                f" × {n}"
                for t, n in inc.units.items()
            )
            or "—"
        )
        aff = "—"
        if inc.affected_people is not None:
            aff = _t(
                lang, f"平均 {inc.affected_people.mean:g} 人", f"mean {inc.affected_people.mean:g}"
            )
        rows.append(
            [
                f"{inc.label.zh if lang == 'zh' else inc.label.en} ({name})",
                exp,
                "—" if sim_rate is None else f"{sim_rate:,.1f}",
                _pair(lang, WHERE_LABEL.get(inc.where.model, (inc.where.model, inc.where.model))),
                str(inc.priority),
                need,
                aff,
            ]
        )
    return cols, rows


def facility_rows(sc: Scenario, lang: str) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of the facility appendix table."""
    cols = [
        _t(lang, "编号", "Id"),
        _t(lang, "名称", "Name"),
        _t(lang, "类型", "Kind"),
        _t(lang, "位置", "Location"),
        _t(lang, "单元", "Units"),
        _t(lang, "专职人员", "Staff"),
    ]
    rows = []
    for f in sc.facilities:
        loc = f.location
        where = getattr(loc, "town", None) or f"{loc.lon:.4f}, {loc.lat:.4f}"
        if getattr(loc, "county", None):
            where = f"{loc.county} {where}"
        sep = "，" if lang == "zh" else ", "
        units = (
            sep.join(
                f"{(sc.unit_types[t].label.zh if lang == 'zh' else sc.unit_types[t].label.en)}"
                f" {s.count}"
                for t, s in f.units.items()
            )
            or "—"
        )
        if f.stock:
            units += ("；储备 " if lang == "zh" else "; stock ") + sep.join(
                f"{k} {v:,}" for k, v in f.stock.items()
            )
        rows.append(
            [
                f.id,
                f.name,
                _pair(lang, KIND_LABEL.get(f.kind, (f.kind, f.kind))),
                where,
                units,
                str(_facility_posts(sc, f)),
            ]
        )
    return cols, rows


def _facility_posts(sc: Scenario, f: Any) -> int:
    """Staff of a facility: its posts when it has staff, else ``full_time_staff``."""
    if not f.staff:
        return int(f.full_time_staff)
    return sum(posts_by_role(sc.model_copy(update={"facilities": (f,)})).values())


def _posts_text(sc: Scenario, lang: str) -> str:
    assert sc.staffing is not None
    sep = "，" if lang == "zh" else ", "
    return sep.join(
        f"{sc.staffing.roles[r].label.zh if lang == 'zh' else sc.staffing.roles[r].label.en} {n}"
        for r, n in posts_by_role(sc).items()
        if n
    )


def target_rows(
    sc: Scenario, metrics: Mapping[str, Any], lang: str
) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of the targets table (met / not met, share, CI, required)."""
    cols = [
        _t(lang, "指标", "Target"),
        _t(lang, "衡量", "Measure"),
        _t(lang, "要求", "Required"),
        _t(lang, "达标比例 / 数值", "Share / value"),
        _t(lang, "95% 置信区间", "95% CI"),
        _t(lang, "达标（点估计）", "Met (estimate)"),
        _t(lang, "达标（95% 置信）", "Met (95% confidence)"),
    ]
    rows: list[list[Any]] = []
    yes, no = _t(lang, "是", "yes"), _t(lang, "否", "no")
    for tg in sc.targets:
        m = metrics["targets"][tg.id]
        label = f"{tg.label.zh if lang == 'zh' else tg.label.en} ({tg.id})"
        req = req_text(m, lang)
        if tg.incident_types:
            label += f" [{', '.join(tg.incident_types)}]"
        measure = MEASURES[tg.measure]
        val = measure.format_value(measure.value(m), lang=lang)
        if "n_incidents" in m:
            val += _t(lang, f"（n={m['n_incidents']}）", f" (n={m['n_incidents']})")
        ci = measure.format_interval(m["ci95"])
        rows.append(
            [
                label,
                _pair(lang, measure.label),
                req,
                val,
                ci,
                Cell(yes, "ok") if m["met"] else Cell(no, "bad"),
                Cell(yes, "ok") if m["met_95"] else Cell(no, "bad"),
            ]
        )
    return cols, rows


def equity_heading(
    number: str, region: geo.Region, lang: str, suffix: tuple[str, str] = ("", "")
) -> str:
    """``4. 各县（市、区）公平性`` / ``4. Equity by county`` (by unit in a loaded region)."""
    zh, en = region.unit_words
    return _t(lang, f"{number} 各{zh}公平性{suffix[0]}", f"{number} Equity by {en}{suffix[1]}")


def equity_definition(lang: str, region: geo.Region | None = None) -> str:
    """Plain-language definition of the equity columns (Shaoguan's wording by default)."""
    region = region or geo.shaoguan_region()
    zh, en = region.unit_words
    if region.builtin:
        pop_zh = (
            "乡镇人口为模型假设：各县 2020 年七普人口按乡镇的村（居）委会数分摊"
            "（DATA.md“Township populations”），与事件生成所用的相同。"
        )
        pop_en = (
            "Town populations are a model estimate: each county's 2020 census population split "
            "over its towns by their village and residents' committees (DATA.md, \"Township "
            'populations"), the same split the incident generator uses.'
        )
    else:
        pop_zh = (
            f"地点人口取自区域的地点文件，按各{zh}人口缩放（无人口时在{zh}内平均分摊），"
            "与事件生成所用的相同。"
        )
        pop_en = (
            f"Town populations come from the region's towns file, scaled to each {en}'s "
            f"population (split equally within the {en} where the file gives none), the same "
            "split the incident generator uses."
        )
    return _t(
        lang,
        f"公平性表的定义：事件按其所在{zh}统计（边界多边形）。“P90”为该指标所衡量时间"
        "（首车到场、全部力量到场或初步救助）在已到达事件中的第 90 百分位；"
        f"“未达标”为该{zh}此类事件中未在阈值内到达的比例（始终未到达的计为未达标，各次重复合并计算）；"
        "“超出目标的人口”为居住在“该地此类事件中达标的不足一半”（即典型事件未达标）的乡镇（地点）"
        f"中的人口占该{zh}人口的比例；事件归属于驻地最近的乡镇（地点）。{pop_zh}"
        "“无样本人口”为模拟中没有发生此类事件的乡镇人口占比，这部分人口的时间未知，"
        "不计入“超出目标”。",
        f"Equity table definitions: incidents are counted in the {en} whose boundary contains "
        "them. 'P90' is the 90th percentile of the target's measured time (first arrival, all "
        "units on scene, or first relief) over incidents where it happened. 'Missed' is the share "
        f"of the {en}'s incidents of the target's types that did not meet the threshold (never "
        "reached counts as missed; replications pooled). 'Pop. beyond' (population beyond the "
        f"target) is the share of the {en}'s population living in towns where fewer "
        "than half of the simulated incidents of the target's types met the threshold, i.e. where "
        "the typical incident misses it; an incident belongs to the town with the nearest seat. "
        f"{pop_en} 'No sample' is the share of population in towns with no such incident in the "
        "simulation; their times are unknown and are not counted as beyond the target.",
    )


def equity_tables(
    doc: Doc, sc: Scenario, equity_by_label: Mapping[str, Mapping[str, Any]], lang: str
) -> None:
    """Add one per-county table per time target.

    Each table shows P90, missed and population beyond per scenario / point. Incident counts
    and the no-sample share are shown once when every scenario has the same (as under common
    random numbers), otherwise once per scenario.
    """

    labels = list(equity_by_label)
    multi = len(labels) > 1
    region = sc.study_region
    short = {c.name: region.unit_label(c.name, lang) for c in region.counties}
    first = equity_by_label[labels[0]]["counties"]
    for tg in per_incident_targets(sc.targets):
        measure = MEASURES[tg.measure]
        assert isinstance(measure, TimeShare)  # every per-incident measure is one
        required = measure.share_required(tg)
        doc.h(
            3,
            f"{tg.label.zh if lang == 'zh' else tg.label.en} ({tg.id}): "
            + measure.requirement_text(tg, lang),
        )

        def cell(lab: str, cname: str, key: str, tid: str = tg.id) -> Any:
            t = equity_by_label[lab]["counties"][cname]["targets"].get(tid)
            return None if t is None else t[key]

        shared = all(
            cell(lab, c, k) == cell(labels[0], c, k)
            for lab in labels
            for c in first
            for k in ("n", "pop_no_sample_share")
        )
        unit_zh, unit_en = region.unit_words
        cols = [_t(lang, unit_zh, unit_en.capitalize()), _t(lang, "人口", "Population")]
        if shared:
            cols += [_t(lang, "事件数", "Incidents"), _t(lang, "无样本人口", "No sample")]
        for lab in labels:
            pre = f"{lab}: " if multi else ""
            if not shared:
                cols += [
                    pre + _t(lang, "事件数", "Incidents"),
                    pre + _t(lang, "无样本人口", "No sample"),
                ]
            cols += [
                pre + "P90",
                pre + _t(lang, "未达标", "Missed"),
                pre + _t(lang, "超出目标的人口", "Pop. beyond"),
            ]
        rows: list[list[Any]] = []
        for cname in first:
            row: list[Any] = [short.get(cname, cname), f"{first[cname]['population']:,}"]
            if shared:
                n0 = cell(labels[0], cname, "n")
                row += [
                    "—" if n0 is None else str(n0),
                    Cell(pct(cell(labels[0], cname, "pop_no_sample_share"), 0), "muted"),
                ]
            for lab in labels:
                t = equity_by_label[lab]["counties"][cname]["targets"].get(tg.id)
                if t is None:
                    row += ["—"] * (3 if shared else 5)
                    continue
                if not shared:
                    row += [str(t["n"]), Cell(pct(t["pop_no_sample_share"], 0), "muted")]
                missed = t["missed_share"]
                row += [
                    hours(t["p90_h"]),
                    Cell(
                        pct(missed),
                        "bad"
                        if missed is not None and required is not None and missed > 1 - required
                        else "",
                    ),
                    Cell(
                        pct(t["pop_beyond_share"]),
                        "bad" if (t["pop_beyond_share"] or 0) > 0 else "",
                    ),
                ]
            rows.append(row)
        doc.table(cols, rows)
    doc.p(equity_definition(lang, region), "note")


def _charts(doc: Doc, charts: Sequence[Path], lang: str) -> None:
    if not charts:
        doc.p(
            _t(lang, "本次运行未生成图表（--no-plots）。", "No charts in this run (--no-plots)."),
            "note",
        )
        return
    for c in charts:
        cap = CHART_CAPTION.get(Path(c).name, ("", ""))
        doc.img(Path(c), _pair(lang, cap) or Path(c).stem)


# --------------------------------------------------------------------------- run


def run_doc(
    prep: Prepared,
    metrics: Mapping[str, Any],
    table: Mapping[str, Any],
    charts: Sequence[Path],
    *,
    lang: str = "zh",
    map_page: bool = False,
) -> Doc:
    """Build the report of one run folder (linking ``map.html`` when `map_page`)."""
    sc = prep.scenario
    doc = Doc(
        title=_t(
            lang,
            f"{scenario_title(sc, lang)}：仿真结果报告",
            f"{scenario_title(sc, lang)}: simulation report",
        ),
        lang=lang,
    )
    run = metrics["run"]
    doc.p(
        _t(
            lang,
            f"场景 {sc.name}，{run['replications']} 次独立重复，每次模拟 {sc.horizon_days:g} 天，"
            f"平均每次 {run['incidents_per_replication_mean']:,.1f} 起事件。",
            f"Scenario {sc.name}: {run['replications']} independent replications of "
            f"{sc.horizon_days:g} days, {run['incidents_per_replication_mean']:,.1f} incidents per "
            "replication on average.",
        )
    )
    doc.p(interval_methods(lang), "note")
    if sc.description:
        doc.p(sc.description, "note")
    doc.h(2, _t(lang, "1. 规划指标", "1. Targets"))
    cols, rows = target_rows(sc, metrics, lang)
    doc.table(cols, rows)
    for tid, m in metrics["targets"].items():
        detail = MEASURES[m["measure"]].detail_text(m, lang)
        if detail:
            doc.p(f"{m['label'][lang]} ({tid}): {detail}")
    doc.p(
        _t(
            lang,
            "“达标（95% 置信）”要求置信区间不利的一端满足要求（“≥”类指标为下限，"
            "森林火灾受害率、每年失败次数等“≤”类指标为上限）；只有点估计达标时，"
            "结论对随机波动敏感，应增加重复次数。要求 100% 的指标按失败次数判断："
            "有限次重复无法以 95% 置信证明“从不失败”，上限给出不能排除的每年失败次数。",
            "'Met (95% confidence)' requires the pessimistic end of the CI to meet the requirement "
            "(the lower end for ≥ targets, the upper end for ≤ targets such as the damaged forest "
            "ratio and failures per year); when only the estimate meets it, the conclusion is "
            "sensitive to noise: add replications. A 100 % requirement is judged by its failures: "
            "no finite run can show 'never fails' with 95 % confidence; the upper end says how "
            "many failures a year cannot be ruled out.",
        ),
        "note",
    )
    uns = metrics["unserved"]
    if uns["incidents_without_any_arrival"] or uns["relief_never_arrived"]:
        doc.p(
            _t(
                lang,
                f"模拟结束时仍有 {uns['incidents_without_any_arrival']} 起事件无任何力量到场，"
                f"{uns['relief_never_arrived']} 起灾害的救助物资未送达（计为未达标）。",
                f"At the end of the run {uns['incidents_without_any_arrival']} incidents had no "
                f"unit on scene and {uns['relief_never_arrived']} disasters had no relief "
                "delivered (counted as missed).",
            ),
            "warn",
        )
    doc.h(2, _t(lang, "2. 场景假设", "2. Scenario assumptions"))
    doc.table(
        [_t(lang, "项目", "Item"), _t(lang, "取值", "Value")],
        assumption_rows(sc, prep, metrics, lang),
    )
    cols, rows = incident_rows(sc, prep, metrics, lang)
    doc.table(cols, rows)
    resources(doc, sc, metrics, lang)
    doc.h(2, _t(lang, "3. 图表", "3. Charts"))
    if map_page:
        doc.link(
            "map.html",
            _t(
                lang,
                "交互地图（map.html，离线可用）：区域、道路、设施、事件结果与覆盖范围，可悬停查看、切换图层",
                "Interactive map (map.html, works offline): region, roads, facilities, incident "
                "outcomes and coverage areas, with tooltips and layer toggles",
            ),
        )
    _charts(doc, charts, lang)
    doc.h(2, equity_heading("4.", prep.region, lang))
    equity_tables(doc, sc, {sc.name: county_equity(prep, table)}, lang)
    doc.h(2, _t(lang, "附录：设施", "Appendix: facilities"))
    cols, rows = facility_rows(sc, lang)
    doc.table(cols, rows)
    return doc


def resources(doc: Doc, sc: Scenario, metrics: Mapping[str, Any], lang: str) -> None:
    """Staff by role, aircraft availability and missions, and costs (when the run has them)."""
    staff = metrics.get("staffing", {}).get("by_role", {})
    if staff:
        doc.p(_t(lang, "人员（按角色，全部设施）：", "Staff by role (all facilities):"))
        roles = sc.staffing.roles if sc.staffing is not None else {}
        cols = [
            _t(lang, "角色", "Role"),
            _t(lang, "岗位", "Posts"),
            _t(lang, "排班在岗（平均）", "Rostered (mean)"),
            _t(lang, "实际在岗（平均）", "On duty (mean)"),
            _t(lang, "出勤利用率", "Utilisation"),
            _t(lang, "加班（小时/年）", "Overtime (h/yr)"),
            _t(lang, "召回（小时/年）", "Call-back (h/yr)"),
        ]
        rows = []
        for role, e in staff.items():
            lab = roles[role].label if role in roles else None
            name = (lab.zh if lang == "zh" else lab.en) if lab else role
            rows.append(
                [
                    name,
                    f"{e['posts']:,}",
                    f"{e['rostered_mean']:.1f}",
                    f"{e['on_duty_mean']:.1f}",
                    pct(e.get("utilisation"), 2),
                    f"{e['overtime_h_per_year']:,.0f}",
                    f"{e['callback_h_per_year']:,.0f}",
                ]
            )
        doc.table(cols, rows)
    air = metrics.get("aircraft", {})
    for tname, e in air.get("by_unit_type", {}).items():
        lab = sc.unit_types[tname].label
        missions = air.get("missions_per_year", {})
        doc.p(
            _t(
                lang,
                f"{lab.zh}：{e['units']} 架，技术可用率 {pct(e['availability_mean'])}，"
                f"每架年停场 {e['downtime_days_per_unit_per_year']:.0f} 天；"
                f"禁飞天数 {air.get('no_fly_days_per_year', 0):.0f} 天/年；任务（次/年）："
                + "，".join(f"{k} {v:.0f}" for k, v in missions.items()),
                f"{lab.en}: {e['units']} aircraft, technical availability "
                f"{pct(e['availability_mean'])}, {e['downtime_days_per_unit_per_year']:.0f} days "
                f"out of service per aircraft and year; {air.get('no_fly_days_per_year', 0):.0f} "
                "no-fly days a year; missions per year: "
                + ", ".join(f"{k} {v:.0f}" for k, v in missions.items()),
            )
        )
    cov = metrics.get("coverage")
    unit = (
        sc.unit_types[cov["unit_type"]].label if cov and cov["unit_type"] in sc.unit_types else None
    )
    dispatch_rules(
        doc, metrics, lang, unit_label=None if unit is None else _t(lang, unit.zh, unit.en)
    )
    costs = metrics.get("costs")
    if costs:
        doc.p(
            _t(
                lang,
                f"年成本：装备 {costs['units_per_year'] / 1e4:,.0f} 万元，人员 "
                f"{costs['staff_per_year'] / 1e4:,.0f} 万元，合计 "
                f"{costs['total_per_year'] / 1e4:,.0f} 万元。",
                f"Cost per year: units {costs['units_per_year'] / 1e4:,.0f}, staff "
                f"{costs['staff_per_year'] / 1e4:,.0f}, total {costs['total_per_year'] / 1e4:,.0f}"
                " (10,000 yuan).",
            )
        )


def dispatch_rules(
    doc: Doc, metrics: Mapping[str, Any], lang: str, unit_label: str | None = None
) -> None:
    """Coverage over time and what the command-centre rules did (when the run has them);
    `unit_label` names the counted unit type (default: its id)."""
    cov = metrics.get("coverage")
    if cov:
        unit = unit_label or cov["unit_type"]
        lo, hi = cov["ci95"]
        h = int(cov["min_hour"])
        low = cov["by_hour"][h]
        thr = f"{cov['threshold_h'] * 60:g}"
        doc.p(
            _t(
                lang,
                f"覆盖率：可用{unit}在 {thr} 分钟内可达的人口比例（按时间加权）平均 "
                f"{pct(cov['share_mean'])}（95% 置信区间 {pct(lo)}–{pct(hi)}），"
                f"最低在 {h}:00–{h + 1}:00（{pct(low)}）；逐时变化见 coverage.png。",
                f"Coverage: share of the population an available {unit} reaches "
                f"within {thr} min (time-weighted) {pct(cov['share_mean'])} on average (95 % CI "
                f"{pct(lo)}-{pct(hi)}), lowest at {h}:00-{h + 1}:00 ({pct(low)}); by hour in "
                "coverage.png.",
            )
        )
    disp = metrics.get("dispatch", {})
    if "cover_moves_per_year" in disp:
        r, d, c = (
            disp["reassigned_per_year"],
            disp["diverted_per_year"],
            disp["cover_moves_per_year"],
        )
        doc.p(
            _t(
                lang,
                f"指挥中心调度规则（每年）：返回途中改派 {r:,.1f} 次，途中改派 {d:,.1f} 次，"
                f"移防备勤 {c:,.1f} 次；每次出动见 trips.csv。",
                f"Command-centre rules per year: {r:,.1f} units sent on while driving home, "
                f"{d:,.1f} diverted en route, {c:,.1f} cover moves; every trip in trips.csv.",
            )
        )


def write_run_report(
    out: Path,
    prep: Prepared,
    metrics: Mapping[str, Any],
    table: Mapping[str, Any],
    charts: Sequence[Path],
    *,
    lang: str = "zh",
    map_page: bool = False,
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` of a run folder (linking ``map.html``)."""
    return write_doc(run_doc(prep, metrics, table, charts, lang=lang, map_page=map_page), out)


# --------------------------------------------------------------------------- compare


def _paired_cell(d: Mapping[str, Any], scale: float, lower_better: bool) -> Cell | str:
    """A paired difference with its interval (scaled), marked when significant."""
    if d.get("diff") is None:
        return "—"
    txt = f"{d['diff'] * scale:+.2f}"
    if d["ci95"][0] is not None:
        txt += f" [{d['ci95'][0] * scale:+.2f}, {d['ci95'][1] * scale:+.2f}]"
    good = d["diff"] < 0 if lower_better else d["diff"] > 0
    return Cell(txt, "" if not d["significant"] else ("ok" if good else "bad"))


def compare_dispatch(
    doc: Doc, disp: Mapping[str, Any], labels: Sequence[str], ref: str, lang: str
) -> None:
    """The command-centre measures of a comparison: top-priority first arrival, coverage over
    time (paired differences) and the rules' actions per year."""
    doc.p(_t(lang, "指挥中心调度规则：", "Command-centre dispatch rules:"))
    cols = [_t(lang, "指标", "Measure"), *labels]
    cols += [f"{lab} − {ref}" for lab in labels[1:]]
    top = disp["top_priority_first_arrival"]
    types = ", ".join(top["types"])
    row: list[Cell | str] = [
        _t(
            lang,
            f"最高优先级事件平均首车到场（分钟；{types}）",
            f"Top-priority mean first arrival (min; {types})",
        )
    ]
    for lab in labels:
        m = top["by_scenario"][lab]["mean_h"]
        row.append("—" if m is None else f"{m * 60:.2f}")
    row += [_paired_cell(top["diff_vs_reference"][lab], 60.0, True) for lab in labels[1:]]
    rows = [row]
    cov = disp.get("coverage")
    if cov:
        thr = f"{cov['threshold_h'] * 60:g}"
        unit = cov.get("unit_label") or {"zh": cov["unit_type"], "en": cov["unit_type"]}
        row = [
            _t(
                lang,
                f"{thr} 分钟内可用{unit['zh']}覆盖人口比例（时间加权，%）",
                f"Population within {thr} min of an available {unit['en']} (%)",
            )
        ]
        for lab in labels:
            b = cov["by_scenario"][lab]
            row.append(
                f"{b['share_mean'] * 100:.2f} [{b['ci95'][0] * 100:.2f}, {b['ci95'][1] * 100:.2f}]"
            )
        row += [_paired_cell(cov["diff_vs_reference"][lab], 100.0, False) for lab in labels[1:]]
        rows.append(row)
    names = {
        "reassigned": ("返回途中改派（次/年）", "Sent on while driving home (per year)"),
        "diverted": ("途中改派（次/年）", "Diverted en route (per year)"),
        "cover_moves": ("移防备勤（次/年）", "Cover moves (per year)"),
    }
    for k, (zh, en) in names.items():
        row = [_t(lang, zh, en)]
        row += [f"{disp['actions_per_year'][lab][k]:.1f}" for lab in labels]
        row += ["" for _ in labels[1:]]
        rows.append(row)
    doc.table(cols, rows)


def compare_doc(
    comparison: Mapping[str, Any],
    scenarios: Mapping[str, Scenario],
    preps: Mapping[str, Prepared],
    metrics: Mapping[str, Mapping[str, Any]],
    charts: Sequence[Path],
    *,
    lang: str = "zh",
) -> Doc:
    """Build the report of a compare folder."""
    labels = [s["label"] for s in comparison["scenarios"]]
    ref = comparison["reference"]
    rsc = scenarios[ref]
    doc = Doc(
        title=_t(lang, "方案比较：", "Scenario comparison: ") + " vs ".join(labels), lang=lang
    )
    doc.p(
        _t(
            lang,
            f"所有方案使用相同的随机种子（{comparison['seed']}）和重复次数（{comparison['replications']}），"
            "即公共随机数：第 r 次重复中各方案面对完全相同的事件。差值为配对差值：对每次重复计算 "
            f"d_r = 方案值 − 参照方案（{ref}）值，再取均值及 95% t 置信区间。区间不含 0 时，"
            "差异不是随机波动造成的。",
            f"All scenarios use the same seed ({comparison['seed']}) and number of replications "
            f"({comparison['replications']}): common random numbers, so replication r of every "
            "scenario faces exactly the same incidents. Differences are paired: d_r = scenario "
            f"value − reference ({ref}) value per replication, then the mean and its 95% "
            "t-interval. An interval that excludes 0 means the difference is not noise.",
        )
    )
    doc.p(interval_methods(lang), "note")
    for n in comparison.get("notes", []):
        doc.p(n, "warn")
    doc.h(2, _t(lang, "1. 规划指标与配对差值", "1. Targets and paired differences"))
    cols = [_t(lang, "指标", "Target"), _t(lang, "要求", "Required")]
    cols += [f"{lab}" for lab in labels]
    cols += [_t(lang, f"{lab} − {ref}", f"{lab} − {ref}") for lab in labels[1:]]
    rows: list[list[Any]] = []
    for tid, t in comparison["targets"].items():
        lab_t = f"{t['label'][lang]} ({tid})"
        row: list[Any] = [lab_t, req_text(t, lang, short=True)]
        for lab in labels:
            b = t["by_scenario"].get(lab)
            if b is None:
                row.append("—")
                continue
            txt = value_text(t | b, lang)
            mark = _t(
                lang, " 达标" if b["met_95"] else " 未达标", " met" if b["met_95"] else " not met"
            )
            row.append(Cell(txt + mark, "ok" if b["met_95"] else "bad"))
        for lab in labels[1:]:
            d = t["diff_vs_reference"].get(lab)
            if d is None or d["diff"] is None:
                row.append("—")
                continue
            row.append(diff_cell(t, d))
        rows.append(row)
    doc.table(cols, rows)
    doc.p(
        _t(
            lang,
            "“达标”指 95% 置信达标（“≥”类指标置信区间下限 ≥ 要求；森林火灾受害率、每年失败次数等"
            "“≤”类指标置信区间上限 ≤ 上限值）。比例的差值单位为百分点（pp），方括号内为 95% "
            "置信区间；绿色为显著改善，红色为显著变差，无颜色表示与随机波动无法区分。",
            "'met' means met with 95% confidence (CI low ≥ required; for ≤ targets such as the "
            "damaged forest ratio and failures per year, CI high ≤ the maximum). Differences of "
            "shares are in percentage points (pp), with the 95% CI in brackets; green = "
            "significantly better, red = significantly worse, no colour = not distinguishable "
            "from noise.",
        ),
        "note",
    )

    doc.h(2, _t(lang, "2. 首车到场时间（按事件类型）", "2. First-arrival times by incident type"))
    cols = [_t(lang, "事件类型", "Incident type")]
    cols += [f"{lab}: " + _t(lang, "平均 / P90", "mean / P90") for lab in labels]
    cols += [f"{lab} − {ref}: " + _t(lang, "平均（分钟）", "mean (min)") for lab in labels[1:]]
    cols += [f"{lab} − {ref}: P90" + _t(lang, "（分钟）", " (min)") for lab in labels[1:]]
    rows = []
    for name, r in comparison["response_times"].items():
        row = [f"{r['label'][lang]} ({name})"]
        for lab in labels:
            b = r["by_scenario"][lab]
            row.append(
                "—"
                if b["mean_h"] is None
                else f"{b['mean_h'] * 60:.1f} / {b['p90_h'] * 60:.1f} min"
            )
        for metric in ("mean_h", "p90_h"):
            for lab in labels[1:]:
                d = r["diff_vs_reference"][lab][metric]
                if d["diff"] is None:
                    row.append("—")
                    continue
                txt = f"{d['diff'] * 60:+.1f}"
                if d["ci95"][0] is not None:
                    txt += f" [{d['ci95'][0] * 60:+.1f}, {d['ci95'][1] * 60:+.1f}]"
                cls = "" if not d["significant"] else ("ok" if d["diff"] < 0 else "bad")
                row.append(Cell(txt, cls))
        rows.append(row)
    doc.table(cols, rows)
    doc.p(
        _t(
            lang,
            "时间为已到达事件的平均值与第 90 百分位（分钟）；差值为各次重复的配对差值，"
            "负值表示更快。",
            "Times are the mean and 90th percentile over incidents that were reached (minutes); "
            "differences are paired over replications, negative = faster.",
        ),
        "note",
    )
    if comparison.get("dispatch"):
        compare_dispatch(doc, comparison["dispatch"], labels, ref, lang)

    doc.h(2, _t(lang, "3. 图表与地图", "3. Charts and maps"))
    _charts(doc, charts, lang)

    doc.h(2, equity_heading("4.", rsc.study_region, lang))
    eq = {
        lab: {"counties": {c: row[lab] for c, row in comparison["counties"].items()}}
        for lab in labels
    }
    equity_tables(doc, rsc, eq, lang)

    doc.h(2, _t(lang, "5. 场景假设", "5. Scenario assumptions"))
    cols = [_t(lang, "项目", "Item"), *labels]
    per = [
        assumption_rows(scenarios[lab], preps.get(lab), metrics.get(lab), lang) for lab in labels
    ]
    rows = []
    for i in range(len(per[0])):
        rows.append([per[0][i][0]] + [p[i][1] for p in per])
    title_row = [_t(lang, "标题", "Title")] + [
        scenario_title(scenarios[lab], lang) for lab in labels
    ]
    file_row = [_t(lang, "场景文件", "Scenario file")] + [
        s["file"] for s in comparison["scenarios"]
    ]
    doc.table(cols, [title_row, file_row, *rows])
    cols, rows = incident_rows(rsc, preps.get(ref), metrics.get(ref), lang)
    doc.p(_t(lang, f"事件类型（参照方案 {ref}）：", f"Incident types (reference {ref}):"))
    doc.table(cols, rows)
    for lab in labels:
        doc.h(3, _t(lang, f"设施：{lab}", f"Facilities: {lab}"))
        cols, rows = facility_rows(scenarios[lab], lang)
        doc.table(cols, rows)
    return doc


# --------------------------------------------------------------------------- sweep


def sweep_doc(
    sweep: Mapping[str, Any],
    base: Scenario,
    base_prep: Prepared | None,
    base_metrics: Mapping[str, Any] | None,
    selected: tuple[str, Mapping[str, Any], Scenario] | None,
    charts: Sequence[Path],
    *,
    lang: str = "zh",
) -> Doc:
    """Build the report of a sweep folder.

    Parameters
    ----------
    selected
        ``(point label, county equity, scenario)`` of the point whose equity table is shown.
    """
    keys = [p["key"] for p in sweep["parameters"]]
    doc = Doc(
        title=_t(
            lang,
            f"{scenario_title(base, lang)}：参数扫描（{', '.join(keys)}）",
            f"{scenario_title(base, lang)}: sweep of {', '.join(keys)}",
        ),
        lang=lang,
    )
    if sweep["mode"] == "until_met":
        um = sweep["until_met"]
        which = ", ".join(sweep.get("stop_targets") or [])
        stop = (
            _t(
                lang,
                f"所选指标（{which}）均已以 95% 置信达标"
                if which
                else "所有时间类指标均已以 95% 置信达标",
                f"the selected targets ({which}) were met with 95% confidence"
                if which
                else "every time target was met with 95% confidence",
            )
            if um["stopped_because"] == "met"
            else _t(
                lang,
                f"已达到最大步数 {um['max_steps']}",
                f"the maximum of {um['max_steps']} steps was reached",
            )
        )
        doc.p(
            _t(
                lang,
                f"逐步搜索：{keys[0]} 自 {format_value(um['start'])} 起每步增加 "
                f"{format_value(um['step'])}，"
                f"共运行 {len(sweep['points'])} 个设置后停止，原因：{stop}。",
                f"Upward search: {keys[0]} from {format_value(um['start'])} in steps of "
                f"{format_value(um['step'])}; stopped after {len(sweep['points'])} settings "
                f"because {stop}.",
            )
        )
    else:
        vals = "；".join if lang == "zh" else "; ".join
        doc.p(
            _t(lang, "网格扫描：", "Grid sweep: ")
            + vals(
                f"{p['key']} ∈ {{{', '.join(format_value(v) for v in p['values'])}}}"
                for p in sweep["parameters"]
            )
            + _t(
                lang, f"，共 {len(sweep['points'])} 个设置。", f", {len(sweep['points'])} settings."
            )
        )
    doc.p(
        _t(
            lang,
            f"每个设置使用相同的随机种子（{sweep['seed']}）与重复次数（{sweep['replications']}），即公共随机数："
            "各设置面对相同的事件，只有扫描的参数不同。“达标”指 95% 置信达标："
            "时间类指标的置信区间下限 ≥ 要求比例；专职消防人员比例 ≥ 要求；"
            "森林火灾受害率、每年失败次数的置信区间上限 ≤ 上限值。",
            f"Every setting uses the same seed ({sweep['seed']}) and replications "
            f"({sweep['replications']}): common random numbers, so settings face the same "
            "incidents and differ only by the parameter. 'Met' means met with 95% confidence: the "
            "lower end of a time target's CI reaches the required share; the firefighter ratio "
            "reaches its requirement; the upper end of the CI of the damaged forest ratio and of "
            "failures per year stays within its maximum.",
        )
    )
    doc.p(interval_methods(lang), "note")
    doc.h(
        2,
        _t(
            lang, "1. 结论：满足各指标的最小设置", "1. Result: smallest setting meeting each target"
        ),
    )
    for tid in [
        *sweep["targets"],
        "all_time_targets",
        *(["selected_targets"] if sweep.get("stop_targets") else []),
    ]:
        t = sweep["targets"].get(tid)
        doc.p(
            statement(
                tid,
                sweep["smallest_meeting"][tid],
                t,
                lang=lang,
                until_met=sweep["mode"] == "until_met",
            ),
            "good" if sweep["smallest_meeting"][tid]["met"] else "warn",
        )
    doc.h(2, _t(lang, "2. 各设置的指标", "2. Targets at each setting"))
    cols = [short_key(k) for k in keys]
    for tid, t in sweep["targets"].items():
        cols.append(f"{t['label'][lang]} ({tid}) {req_text(t, lang, short=True)}")
    rows: list[list[Any]] = []
    for pt in sweep["points"]:
        row: list[Any] = [format_value(pt["setting"][k]) for k in keys]
        for _tid, t in pt["targets"].items():
            row.append(Cell(value_text(t, lang), "ok" if t["met_95"] else "bad"))
        rows.append(row)
    doc.table(cols, rows)
    doc.h(2, _t(lang, "3. 图表与地图", "3. Charts and maps"))
    _charts(doc, charts, lang)
    if selected is not None:
        label, eq, sc = selected
        doc.h(
            2,
            equity_heading(
                "4.", sc.study_region, lang, (f"（设置 {label}）", f" (setting {label})")
            ),
        )
        doc.p(
            _t(
                lang,
                "所示设置为满足全部时间类指标（或 --target 所选指标）的最小设置；若无，"
                "则为扫描中最后一个设置。",
                "Shown for the smallest setting that meets every time target (or the --target "
                "ones), or the last setting if none does.",
            ),
            "note",
        )
        equity_tables(doc, sc, {label: eq}, lang)
    doc.h(2, _t(lang, "5. 场景假设（基准）", "5. Scenario assumptions (base)"))
    doc.p(
        _t(
            lang,
            f"扫描的参数（{', '.join(keys)}）在各设置中取不同值；其余与基准场景相同。",
            f"The swept keys ({', '.join(keys)}) vary between settings; everything else is the "
            "base scenario.",
        ),
        "note",
    )
    doc.table(
        [_t(lang, "项目", "Item"), _t(lang, "取值", "Value")],
        assumption_rows(base, base_prep, base_metrics, lang),
    )
    cols, rows = incident_rows(base, base_prep, base_metrics, lang)
    doc.table(cols, rows)
    doc.h(3, _t(lang, "设施（基准）", "Facilities (base)"))
    cols, rows = facility_rows(base, lang)
    doc.table(cols, rows)
    return doc


# --------------------------------------------------------------------------- sensitivity


def _effect_cells(r: Mapping[str, Any], t: Mapping[str, Any]) -> list[str | Cell]:
    """Morris: μ* [95 % CI], μ, σ in the target's units; Sobol: S1 and ST with intervals."""
    measure = MEASURES[t["measure"]]
    muted = "muted" if r["negligible"] else ""
    if "mu_star" in r:
        lo, hi = r["mu_star_ci95"]
        return [
            Cell(
                f"{measure.format_effect(r['mu_star'])} "
                f"[{measure.format_effect(max(lo, 0.0))}, {measure.format_effect(hi)}]",
                muted,
            ),
            Cell(("+" if r["mu"] >= 0 else "−") + measure.format_effect(r["mu"]), muted),
            Cell(measure.format_effect(r["sigma"]), muted),
        ]
    return [
        Cell(f"{r['S1']:.3f} [{r['S1_ci95'][0]:.3f}, {r['S1_ci95'][1]:.3f}]", muted),
        Cell(f"{r['ST']:.3f} [{r['ST_ci95'][0]:.3f}, {r['ST_ci95'][1]:.3f}]", muted),
    ]


def sensitivity_doc(
    sens: Mapping[str, Any], base: Scenario, charts: Sequence[Path], *, lang: str = "zh"
) -> Doc:
    """Build the report of a sensitivity folder: what to measure first, then target by target.

    The section "what to measure first" is given in the report's language and, below it, in
    the other one (planners and consultants often read different languages).
    """
    morris = sens["method"] == "morris"
    method = "Morris" if morris else "Sobol"
    doc = Doc(
        title=_t(
            lang,
            f"{scenario_title(base, lang)}：全局敏感性分析（{method}）",
            f"{scenario_title(base, lang)}: global sensitivity analysis ({method})",
        ),
        lang=lang,
    )
    d = sens["design"]
    k = len(sens["inputs"])
    if morris:
        design = _t(
            lang,
            f"Morris 筛选法：{k} 个假设，{d['trajectories']} 条轨迹 × {k + 1} 个点，"
            f"{d['levels']} 个水平，共 {d['points']} 个样本点",
            f"Morris screening: {k} assumptions, {d['trajectories']} trajectories × {k + 1} "
            f"points, {d['levels']} levels, {d['points']} points",
        )
    else:
        design = _t(
            lang,
            f"Sobol 指数（Saltelli 抽样）：{k} 个假设，基样本 {d['samples']}，"
            f"共 {d['points']} 个样本点",
            f"Sobol indices (Saltelli sampling): {k} assumptions, base sample {d['samples']}, "
            f"{d['points']} points",
        )
    doc.p(
        design
        + _t(
            lang,
            f"；每个样本点 {sens['replications']} 次重复 × {sens['horizon_days']:g} 天，"
            f"种子 {sens['seed']}（公共随机数：各样本点面对相同的事件，只有假设取值不同）。"
            "抽样与估计由 SALib 完成。",
            f"; {sens['replications']} replications × {sens['horizon_days']:g} days per point, "
            f"seed {sens['seed']} (common random numbers: points face the same incidents and "
            "differ only by the assumptions). Sampling and estimators by SALib.",
        )
    )
    doc.p(
        _t(
            lang,
            "μ*：输入在其取值范围内变化时指标的平均绝对变化（指标单位，比例为百分点），"
            "用于排序；μ 的符号表示方向（正 = 输入增大使指标增大）；σ 大说明影响随其他假设变化"
            "（非线性或交互作用）。μ* 的区间为自助法 95% 置信区间。",
            "μ*: mean absolute change of the target across an input's range (target units; "
            "percentage points for shares), used for the ranking; the sign of μ gives the "
            "direction (+ = raising the input raises the target); a large σ means the effect "
            "depends on the other assumptions (non-linearity or interaction). μ* intervals are "
            "bootstrap 95% intervals.",
        )
        if morris
        else _t(
            lang,
            "S1：一阶效应（该输入单独解释的方差比例）；ST：总效应（含与其他输入的交互）。"
            "区间为自助法 95% 置信区间。",
            "S1: first-order index (share of the variance the input explains alone); ST: total "
            "index (with its interactions). Intervals are bootstrap 95% intervals.",
        ),
        "note",
    )
    other = "en" if lang == "zh" else "zh"
    doc.h(2, _t(lang, "1. 应优先核实的假设", "1. What to measure first"))
    for line in sens["what_to_measure"][lang]:
        doc.p(line, "good")
    # The other language below, one paragraph per target as above (one block was hard to read).
    for k, line in enumerate(sens["what_to_measure"][other]):
        doc.p((_t(lang, "English: ", "中文：") if k == 0 else "") + line, "note")
    doc.h(2, _t(lang, "2. 各指标的影响排序", "2. Ranking of the inputs per target"))
    names = {i["id"]: i["label"][lang] for i in sens["inputs"]}
    by_name = {Path(c).stem: c for c in charts}
    for n, (tid, t) in enumerate(sens["targets"].items(), start=1):
        measure = MEASURES[t["measure"]]
        b = t["base"]
        base_text = measure.value_text({measure.value_key: b["value"], "ci95": b["ci95"]})
        doc.h(3, f"2.{n} {t['label'][lang]} ({tid})")
        a = t["analysis"]
        share = t.get("met_share")
        share_text = "—" if share is None else f"{share:.0%}"
        doc.p(
            _t(
                lang,
                f"要求 {t['requirement']['zh']}；基准估计 {base_text}；"
                f"样本点中达标的比例 {share_text}；指标在样本点间的范围 "
                + (
                    f"{measure.format_value(a['range'][0])} – {measure.format_value(a['range'][1])}"
                    if a.get("analysed")
                    else "—"
                )
                + "。",
                f"Required {t['requirement']['en']}; baseline estimate {base_text}; share of "
                f"points meeting it {share_text}; range over the points "
                + (
                    f"{measure.format_value(a['range'][0])} – {measure.format_value(a['range'][1])}"
                    if a.get("analysed")
                    else "—"
                )
                + ".",
            )
        )
        if not a.get("analysed"):
            doc.p(a.get("reason", ""), "warn")
            continue
        cols = [_t(lang, "排序", "Rank"), _t(lang, "假设", "Assumption")]
        cols += ["μ* [95% CI]", "μ", "σ"] if morris else ["S1 [95% CI]", "ST [95% CI]"]
        rows = [
            [
                str(r["rank"]),
                Cell(f"{names[r['id']]} ({r['id']})", "muted" if r["negligible"] else ""),
                *_effect_cells(r, t),
            ]
            for r in a["inputs"]
        ]
        doc.table(cols, rows)
        chart = by_name.get(f"tornado_{tid}")
        if chart is not None:
            doc.img(
                Path(chart),
                _t(
                    lang,
                    f"{t['label']['zh']}：各假设的影响（龙卷风图）。灰色 = 可忽略或方向不定。",
                    f"{t['label']['en']}: effect of each assumption (tornado chart). Grey = "
                    "negligible or without a clear direction.",
                ),
            )
    doc.p(
        _t(
            lang,
            f"灰色行：影响小于该指标最大影响的 {NEGLIGIBLE_PCT}%（可忽略）。",
            f"Grey rows: effect below {NEGLIGIBLE_PCT}% of the largest for that target "
            "(negligible).",
        ),
        "note",
    )
    doc.h(2, _t(lang, "3. 假设及其取值范围", "3. The assumptions and their ranges"))
    cols = [
        _t(lang, "假设", "Assumption"),
        _t(lang, "设置路径", "Setting(s)"),
        _t(lang, "基准值", "Baseline"),
        _t(lang, "范围", "Range"),
        _t(lang, "分布", "Distribution"),
        _t(lang, "来源", "Source"),
    ]
    rows = []
    for i in sens["inputs"]:
        rng = f"{i['low']:g} – {i['high']:g}" + (" (×)" if i["mode"] == "factor" else "")
        dist = i["distribution"] + (f", peak {i['peak']:g}" if "peak" in i else "")
        rows.append(
            [
                f"{i['label'][lang]} ({i['id']})",
                "; ".join(i["path"]) + _t(lang, f"（{i['settings']} 处）", f" ({i['settings']})"),
                i["base"],
                rng,
                dist,
                i["source"],
            ]
        )
    doc.table(cols, rows)
    doc.p(
        _t(
            lang,
            "参考文献：Morris (1991) Technometrics 33:161–174；Campolongo, Cariboni & Saltelli "
            "(2007) Environ. Model. Softw. 22:1509–1518；Saltelli et al. (2010) Comput. Phys. "
            "Commun. 181:259–270；SALib：Herman & Usher (2017) JOSS 2(9):97。",
            "References: Morris (1991) Technometrics 33:161–174; Campolongo, Cariboni & Saltelli "
            "(2007) Environ. Model. Softw. 22:1509–1518; Saltelli et al. (2010) Comput. Phys. "
            "Commun. 181:259–270; SALib: Herman & Usher (2017) JOSS 2(9):97.",
        ),
        "note",
    )
    return doc
