"""``PLANS/index.html``: the national roll-up as a page that opens offline.

The style of ``pairing report``'s front page (the same inline CSS; no
script, no external asset). One row per province — status, villages,
households, units with a task, cadres responsible for households,
dispatched cadres (R8), gap, seconds — and the national total; then every
province without a plan with its causes (R15), and how the totals were
checked. Every text is escaped; links are relative paths into the folder.
"""

from __future__ import annotations

import html
from typing import Any

from .. import __version__
from ..report.html import _CSS

__all__ = ["national_page"]

COLUMNS = (
    ("villages", "贫困村 villages"),
    ("households", "贫困户 households"),
    ("units_with_task", "帮扶单位 units with a task"),
    ("units", "单位 units"),
    ("cadres_responsible", "帮扶责任人 cadres responsible"),
    ("cadres", "干部 cadres"),
    ("dispatched", "首批派出 dispatched (R8)"),
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _n(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def _gap(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.2f}%"


def _row(row: dict[str, Any]) -> str:
    ok = row["status"] in ("planned", "skipped")
    css = "ok" if ok else "warn"
    code = _e(row["code"])
    link = f'<a href="{code}/summary.json">{code}</a>' if ok else code
    cells = [
        f'<td class="k">{link}</td>',
        f'<td class="k">{_e(row["name"])}</td>',
        f'<td class="k"><span class="{css}">{_e(row["status"])}</span></td>',
        *(f"<td>{_e(_n(row[k]) if ok else '—')}</td>" for k, _ in COLUMNS),
        f"<td>{_e(_gap(row['gap']) if ok else '—')}</td>",
        f"<td>{_e(format(row['solve_seconds'], ',.1f'))}</td>",
        f"<td>{_e(format(row['wall_seconds'], ',.1f'))}</td>",
        f"<td>{_e(row['attempts'])}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _table(data: dict[str, Any]) -> list[str]:
    head = [
        "省份 code",
        "名称 name",
        "状态 status",
        *(label for _, label in COLUMNS),
        "差距 gap",
        "求解 solve s",
        "任务 task s",
        "次数 attempts",
    ]
    t = data["totals"]
    total = [
        '<tr class="total"><td class="k" colspan="3">全国 national</td>',
        *(f"<td>{_e(_n(t[k]))}</td>" for k, _ in COLUMNS),
        f"<td>{_e(_gap(t['gap']))}</td>",
        f"<td>{_e(format(t['solve_seconds'], ',.1f'))}</td>",
        f"<td>{_e(format(t['wall_seconds'], ',.1f'))}</td>",
        "<td></td></tr>",
    ]
    return [
        "<table>",
        "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>",
        *(_row(r) for r in data["provinces"]),
        "".join(total),
        "</table>",
    ]


def _failures(data: dict[str, Any]) -> list[str]:
    bad = [r for r in data["provinces"] if r["status"] not in ("planned", "skipped")]
    if not bad:
        return []
    out = ["<h2>未能编制 Provinces without a plan (R15)</h2><ul>"]
    for r in bad:
        causes = "".join(f"<li>{_e(c)}</li>" for c in r["causes"])
        head = f"{_e(r['code'])} {_e(r['name'])}: {_e(r['status'])}"
        out.append(f"<li>{head}<ul>{causes}</ul></li>")
    return [*out, "</ul>"]


def national_page(data: dict[str, Any]) -> str:
    """The page's HTML for a roll-up (``PLANS/national.json``'s content)."""
    title = "全国结对帮扶汇总 National pairing roll-up"
    n_ok = sum(1 for r in data["provinces"] if r["status"] in ("planned", "skipped"))
    checked = data.get("check", {})
    verdict = (
        '<span class="ok">equal to the sums of the provinces\' plans</span>'
        if checked.get("ok")
        else '<span class="warn">do not match the provinces\' plans '
        "(see national.json)</span>"
    )
    peaks = data.get("peak_rss_mb_by_worker", {})
    peak = max(peaks.values(), default=0.0)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(n_ok)} / {_e(len(data["provinces"]))} provinces '
        f"planned · {_e(format(data['wall_seconds'], ',.1f'))} s on "
        f"{_e(data['workers'])} workers ({_e(data['scheduler'])}) · peak worker "
        f"memory {_e(format(peak, ',.0f'))} MB</p>",
        '<p class="lead">Every province is planned on its own (every rule is '
        "stated inside one province), validated independently and written to "
        f"its folder. The national totals are {verdict}.</p>",
        "<h2>各省 Provinces</h2>",
        *_table(data),
        *_failures(data),
        '<p class="note">Gap: of the sum of the provinces\' objectives to the sum '
        "of their bounds. Seconds: the solve's own, and the task's (load, solve, "
        "validate, write). Per province, <code>pairing report INSTANCE PLAN "
        "--out DIR</code> makes the R16 reports.</p>",
        f"<footer>pairing {_e(__version__)}</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
