"""``index.html``: the report's front page, opening offline (R16).

The page says what the plan is (status, objective, bound and gap, the date,
the instance's fingerprint), gives the key figures in the report's language
with the rule each serves, a table per prefecture (coverage, load, R9, the
roster), every chart with a caption saying what it shows, and links to
every file of the report. It is self-contained: inline CSS, no script, no
external asset; links are relative paths inside the report folder. No user
text is parsed as markup: every name is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..plotting._text import figure_text
from ._facts import ReportFacts
from ._labels import TITLES, pick
from ._words import CAPTIONS, FIGURES, PREFECTURE_COLUMNS, TABLES, WORDS

_CSS = """
.id{color:#777;font-size:.85em}
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC","SimHei",
sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px
solid #b22;padding-bottom:.2em;margin-top:2em}p.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #bbb;
padding:.25em .6em}th{background:#f1eeee;text-align:center}
td{text-align:right;white-space:nowrap}
p.lead{font-size:1.05em}p.note{color:#555;font-size:.88em}
td.k,th.k{text-align:left}td.r{font-size:.85em;color:#666;text-align:center}
table.facts td{text-align:left}tr.total td{font-weight:bold;background:#faf7f7}
figure{margin:1.2em 0;page-break-inside:avoid}img{max-width:100%;
border:1px solid #ddd}figcaption{color:#444;font-size:.92em;margin-top:.3em}
.ok{color:#176117;font-weight:bold}.warn{color:#a33;font-weight:bold}
footer{margin-top:3em;color:#777;font-size:.85em}
"""


def _w(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(path: Path, root: Path, text: str | None = None) -> str:
    rel = path.relative_to(root).as_posix()
    return f'<a href="{_e(rel)}">{_e(text or rel)}</a>'


def _facts_table(facts: ReportFacts, lang: str) -> list[str]:
    status = facts.status_text(lang)
    css = "ok" if facts.status == "optimal" else ("warn" if facts.status else "")
    gap = "—" if facts.gap is None else f"{100 * facts.gap:.2f}%"
    rows = [
        ("status", f'<span class="{css}">{_e(status)}</span>'),
        ("method", _e(facts.method_text(lang))),
        ("objective", _e(_number(facts.objective))),
        ("bound", _e(_number(facts.bound))),
        ("gap", f"{_e(gap)} <small>{_e(_w('gap_note', lang))}</small>"),
        ("date", _e(facts.date_text(lang))),
        (
            "fingerprint",
            f'<code title="{_e(facts.fingerprint)}">{_e(facts.short_fingerprint)}'
            f"</code> <small>{_e(_w('fingerprint_note', lang))}</small>",
        ),
    ]
    out = ['<table class="facts">']
    out += [
        f'<tr><th class="k">{_e(_w(k, lang))}</th><td>{v}</td></tr>' for k, v in rows
    ]
    return [*out, "</table>"]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _figures_table(figures: Mapping[str, Any], lang: str) -> list[str]:
    out = [
        "<table>",
        f'<tr><th class="k">{_e(_w("figure", lang))}</th>'
        f"<th>{_e(_w('value', lang))}</th><th>{_e(_w('rule', lang))}</th></tr>",
    ]
    for key, (zh, en, rule, kind) in FIGURES.items():
        if key not in figures:
            continue
        value = figures[key]
        if kind == "share":
            shown = "n/a" if value is None else f"{100 * float(value):.2f}%"
        else:
            shown = figure_text(value)
        label = zh if lang == "zh" else en
        out.append(
            f'<tr><td class="k">{_e(label)}</td><td>{_e(shown)}</td>'
            f'<td class="r">{_e(rule)}</td></tr>'
        )
    return [*out, "</table>"]


def _prefecture_table(
    coverage: pd.DataFrame,
    r9: pd.DataFrame,
    figures: Mapping[str, Any],
    rosters: Mapping[str, Path],
    root: Path,
    lang: str,
) -> list[str]:
    share = r9.set_index("prefecture_id")["inverted_share"]
    cols = list(PREFECTURE_COLUMNS)
    head = "".join(
        f'<th class="{"k" if i == 0 else ""}">{_e(pick(PREFECTURE_COLUMNS, c, lang))}'
        "</th>"
        for i, c in enumerate(cols)
    )
    out = ["<table>", f"<tr>{head}</tr>"]
    for row in coverage.to_dict("records"):  # one row per prefecture
        pid = str(row["region_id"])
        roster = rosters.get(pid)
        cells = [
            f'{_e(row["name"])} <span class="id">({_e(pid)})</span>',
            f"{int(row['poor_villages']):,}",
            f"{int(row['led_villages']):,}",
            f"{int(row['households']):,}",
            f"{int(row['covered_households']):,}",
            f"{100 * float(row['coverage']):.1f}%",
            f"{int(row['by_leaders']):,}",
            f"{int(row['cadres_used']):,}",
            figure_text(float(row["mean_load"])),
            f"{int(row['max_load']):,}",
            f"{100 * float(share.get(pid, 0.0)):.1f}%",
            _link(roster, root, _w("roster", lang)) if roster else "—",
        ]
        tds = "".join(
            f'<td class="{"k" if i == 0 else ""}">{c}</td>' for i, c in enumerate(cells)
        )
        out.append(f"<tr>{tds}</tr>")
    out.append(_prefecture_total(coverage, figures, lang))
    out.append("</table>")
    shared = int(coverage["cadres_used"].sum()) - int(figures.get("cadres_used", 0))
    if shared > 0:
        out.append(
            f'<p class="note">{_e(_w("shared_cadres", lang).format(n=shared))}</p>'
        )
    return out


def _prefecture_total(
    coverage: pd.DataFrame, figures: Mapping[str, Any], lang: str
) -> str:
    """The 合计 row: sums over the prefectures; persons and figures province-wide
    (a cadre may cover households of two prefectures), as in the key figures."""
    hh = int(coverage["households"].sum())
    covered = int(coverage["covered_households"].sum())
    leaders = int(coverage["by_leaders"].sum())
    share = figures.get("r9_inverted_share")
    cells = [
        _e(pick(TITLES, "total", lang)),
        f"{int(coverage['poor_villages'].sum()):,}",
        f"{int(coverage['led_villages'].sum()):,}",
        f"{hh:,}",
        f"{covered:,}",
        f"{100 * covered / hh:.1f}%" if hh else "—",
        f"{leaders:,}",
        figure_text(figures.get("cadres_used")),
        figure_text(figures.get("r12_mean_load")),
        figure_text(figures.get("r12_max_load")),
        "—" if share is None else f"{100 * float(share):.1f}%",
        "",
    ]
    tds = "".join(
        f'<td class="{"k" if i == 0 else ""}">{c}</td>' for i, c in enumerate(cells)
    )
    return f'<tr class="total">{tds}</tr>'


def _lead(figures: Mapping[str, Any], lang: str) -> str:
    """One sentence a reader of the page takes away first."""
    v, led = figures.get("poor_villages", 0), figures.get("lead_pairs", 0)
    h, hp = figures.get("households", 0), figures.get("household_pairs", 0)
    d = figures.get("dispatched", 0)
    if lang == "zh":
        text = (
            f"全省 {v:,} 个建档立卡贫困村中 {led:,} 个落实了包村单位，"
            f"{h:,} 户贫困户中 {hp:,} 户落实了帮扶责任人，首批派出干部 {d:,} 名。"
        )
    else:
        text = (
            f"{led:,} of {v:,} poor villages have a lead unit, {hp:,} of {h:,} "
            f"poor households a responsible person; {d:,} cadres go first."
        )
    return f'<p class="lead">{_e(text)}</p>'


def _charts(files: Mapping[str, Path], root: Path, lang: str) -> list[str]:
    out = []
    for key, path in files.items():
        if not key.startswith("chart:"):
            continue
        name = key.split(":", 1)[1]
        title, caption = (pick(CAPTIONS[name], k, lang) for k in ("title", "caption"))
        rel = _e(path.relative_to(root).as_posix())
        out.append(
            f'<figure><img src="{rel}" alt="{_e(title)}">'
            f"<figcaption><b>{_e(title)}</b>：{_e(caption)}</figcaption></figure>"
            if lang == "zh"
            else f'<figure><img src="{rel}" alt="{_e(title)}">'
            f"<figcaption><b>{_e(title)}</b>: {_e(caption)}</figcaption></figure>"
        )
    return out


def _files(files: Mapping[str, Path], root: Path, lang: str) -> list[str]:
    out = [f"<h2>{_e(_w('annexes', lang))}</h2><ul>"]
    for key in ("annex1", "annex2"):
        if key in files:
            p = files[key]
            out.append(
                f"<li>{_link(p, root, pick(TITLES, key, lang))} ({_e(p.name)})</li>"
            )
    out.append("</ul>")
    tables = [(k, p) for k, p in files.items() if p.suffix in (".csv", ".json")]
    if tables:
        out.append(f"<h2>{_e(_w('tables', lang))}</h2><ul>")
        for key, p in tables:
            label = pick(TABLES[key], "label", lang) if key in TABLES else p.stem
            out.append(f"<li>{_link(p, root, label)} ({_e(p.name)})</li>")
        out.append("</ul>")
    if "graph" in files:
        out.append(f"<h2>{_e(_w('graph', lang))}</h2><ul>")
        out.append(f"<li>{_link(files['graph'], root)}</li></ul>")
    return out


def index_html(
    out_dir: Path,
    files: Mapping[str, Path],
    figures: Mapping[str, Any],
    lang: str = "zh",
    *,
    facts: ReportFacts,
    coverage: pd.DataFrame,
    r9: pd.DataFrame,
    notes: list[str] | None = None,
) -> str:
    """The front page's HTML.

    Parameters
    ----------
    out_dir
        The report folder; every linked path lies in it.
    files
        The report's files by key (as :func:`pairing.report.write_report`
        returns them).
    figures
        :func:`pairing.report.dashboard.headline`.
    lang
        ``zh`` or ``en``.
    facts
        Status, gap, bound, date and fingerprint.
    coverage, r9
        The per-prefecture dashboard tables (coverage and R9).
    notes
        Lines saying what the report leaves out and why (no part is left
        out silently).
    """
    title = pick(TITLES, "report", lang)
    rosters = {
        k.split(":", 1)[1]: p for k, p in files.items() if k.startswith("roster:")
    }
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        '<head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(facts.stamp(lang))}</p>',
        _lead(figures, lang),
        f"<h2>{_e(_w('plan', lang))}</h2>",
        *_facts_table(facts, lang),
        f"<h2>{_e(_w('figures', lang))}</h2>",
        *_figures_table(figures, lang),
        f"<h2>{_e(_w('prefectures', lang))}</h2>",
        *_prefecture_table(coverage, r9, figures, rosters, out_dir, lang),
    ]
    charts = _charts(files, out_dir, lang)
    if charts:
        parts += [f"<h2>{_e(_w('charts', lang))}</h2>", *charts]
    parts += _files(files, out_dir, lang)
    if notes:
        parts.append(f"<h2>{_e(_w('left_out', lang))}</h2><ul>")
        parts += [f"<li>{_e(n)}</li>" for n in notes]
        parts.append("</ul>")
    parts.append(
        f"<footer>{_e(_w('made_by', lang).format(version=__version__))}</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
