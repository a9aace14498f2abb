"""``index.html``: the report's front page, opening offline (R16).

The page is self-contained: inline CSS, no script, no external asset. It
links only to files of the report folder by relative path (annexes,
rosters, CSV tables, the graph) and shows the PNG charts with ``<img>``
tags pointing at the local files.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ._labels import TITLES, pick

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;
padding:.2em .6em;text-align:right}th{background:#f3f3f3}td.k{text-align:left}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}
"""

_WORDS = {
    "figures": ("主要数据", "Key figures"),
    "annexes": ("附件", "Annexes"),
    "rosters": ("各市（州）包保花名册", "Rosters per prefecture"),
    "tables": ("数据表（CSV）", "Tables (CSV)"),
    "charts": ("图表", "Charts"),
    "graph": (
        "包保关系图（可用 Gephi、yEd 打开）",
        "Graph of the plan (opens in Gephi, yEd)",
    ),
    "figure": ("指标", "figure"),
    "value": ("数值", "value"),
}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return zh if lang == "zh" else en


def _link(path: Path, root: Path, text: str | None = None) -> str:
    rel = path.relative_to(root).as_posix()
    return f'<a href="{html.escape(rel, quote=True)}">{html.escape(text or rel)}</a>'


def index_html(
    out_dir: Path,
    files: dict[str, Path],
    figures: dict[str, Any],
    lang: str = "zh",
    region_names: dict[str, str] | None = None,
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
        Headline figures, shown as a table.
    lang
        ``zh`` or ``en``.
    region_names
        Prefecture id → name, for the roster links.
    """
    names = region_names or {}
    title = pick(TITLES, "report", lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">'
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<h2>{_w('figures', lang)}</h2><table>",
        f"<tr><th>{_w('figure', lang)}</th><th>{_w('value', lang)}</th></tr>",
    ]
    for k, v in figures.items():
        shown = "—" if v is None else (f"{v:,}" if isinstance(v, int) else str(v))
        parts.append(
            f'<tr><td class="k">{html.escape(k)}</td><td>{html.escape(shown)}</td></tr>'
        )
    parts.append("</table>")
    annexes = [(k, p) for k, p in files.items() if k.startswith("annex")]
    if annexes:
        parts.append(f"<h2>{_w('annexes', lang)}</h2><ul>")
        for k, p in annexes:
            parts.append(
                f"<li>{_link(p, out_dir, pick(TITLES, k, lang))} ({p.name})</li>"
            )
        parts.append("</ul>")
    rosters = [(k, p) for k, p in files.items() if k.startswith("roster:")]
    if rosters:
        parts.append(f"<h2>{_w('rosters', lang)}</h2><ul>")
        for k, p in rosters:
            pid = k.split(":", 1)[1]
            label = f"{names.get(pid, pid)} ({pid})"
            parts.append(f"<li>{_link(p, out_dir, label)}</li>")
        parts.append("</ul>")
    graphs = [(k, p) for k, p in files.items() if k.startswith("graph")]
    if graphs:
        parts.append(f"<h2>{_w('graph', lang)}</h2><ul>")
        parts += [f"<li>{_link(p, out_dir)}</li>" for _, p in graphs]
        parts.append("</ul>")
    charts = [(k, p) for k, p in files.items() if k.startswith("chart:")]
    if charts:
        parts.append(f"<h2>{_w('charts', lang)}</h2>")
        for k, p in charts:
            rel = html.escape(p.relative_to(out_dir).as_posix(), quote=True)
            parts.append(f'<figure><img src="{rel}" alt="{html.escape(k)}"></figure>')
    tables = [(k, p) for k, p in files.items() if p.suffix in (".csv", ".json")]
    if tables:
        parts.append(f"<h2>{_w('tables', lang)}</h2><ul>")
        parts += [f"<li>{_link(p, out_dir)}</li>" for _, p in tables]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
