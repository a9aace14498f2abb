"""The R16 reports of a plan: annexes, rosters, dashboards, graph, index page.

::

    from pairing.report import write_report

    files = write_report(instance, plan, "reports/2015-12")
    files["index"]          # reports/2015-12/index.html

``write_report`` writes, into ``out_dir``:

* ``annex1_leaders.xlsx`` — Annex 1 省级领导脱贫攻坚包片任务分工表;
* ``annex2_province_units.xlsx`` — Annex 2 省直部门（单位）脱贫攻坚包保任务分配表;
* ``roster_<prefecture_id>.xlsx`` — one consolidated roster per prefecture
  (an id that is no safe file name gets a readable prefix and a short hash;
  ``index.html`` lists every roster with its prefecture);
* ``dashboard/*.csv``, ``dashboard/*.png``, ``dashboard/figures.json`` —
  coverage and load per region and the R9–R12 figures;
* ``plan.graphml`` — the plan's graph (households aggregated);
* ``index.html`` — written last, linking all of the above; it opens offline.

The folder is built whole and swapped in at once (:func:`pairing.atomic.folder`,
kind ``report``): at every instant ``out_dir`` holds the previous complete
report or the new one, never a mix, and a file pairing did not write there is
kept. No cell of a workbook or CSV file runs as a formula
(:mod:`pairing.cells`), and no text from the instance is parsed as markup in
the page or the charts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic
from .._frozen import FrozenDict
from ..errors import Stopped
from ..instance import Instance
from ..plan import Plan
from . import _frames as F
from ._facts import facts
from ._labels import check_lang
from .annex import annex1 as annex1
from .annex import annex2 as annex2
from .annex import write_annexes
from .dashboard import dashboard_tables, headline
from .roster import rosters as rosters
from .roster import write_rosters

__all__ = ["ReportFiles", "annex1", "annex2", "rosters", "write_report"]


@dataclass(frozen=True)
class ReportFiles(Mapping[str, Path]):
    """What :func:`write_report` wrote: every file by key, and the seconds.

    Reads as the mapping of files (``files["index"]``); :attr:`seconds` is
    the time each part took (``annexes``, ``rosters``, ``dashboards``,
    ``graph``, ``total``).

    Examples
    --------
    >>> from pathlib import Path
    >>> r = ReportFiles({"index": Path("r/index.html")}, {"total": 1.5})
    >>> r["index"].name, r.seconds["total"], list(r)
    ('index.html', 1.5, ['index'])
    """

    files: Mapping[str, Path] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", FrozenDict(self.files))
        object.__setattr__(self, "seconds", FrozenDict(self.seconds))

    def __getitem__(self, key: str) -> Path:
        return self.files[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def write_report(
    instance: Instance,
    plan: Plan,
    out_dir: str | Path,
    lang: str = "zh",
    *,
    graph: bool = True,
    charts: bool = True,
    force: bool = False,
    stop: Callable[[], bool] | None = None,
) -> ReportFiles:
    """Write every R16 report of a plan into ``out_dir``.

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        The plan (as solved or loaded with :meth:`pairing.plan.Plan.load`).
    out_dir
        The report folder: new, empty, or a report folder pairing wrote. It
        is built under a hidden name and replaces the old one whole once
        complete; any file pairing did not write there is kept.
    lang
        ``zh`` (Chinese headers, the default) or ``en``. Charts use Chinese
        only when a CJK font is installed.
    graph
        Write ``plan.graphml`` (households aggregated).
    charts
        Draw the PNG charts. Whatever is left out is said on ``index.html``.
    force
        Also write into a folder that is not a report folder pairing wrote
        (keeping every file in it).
    stop
        A stopping criterion (:mod:`pairing.stop`), checked between files:
        when it says stop, :class:`pairing.errors.Stopped` is raised and
        nothing is written.

    Returns
    -------
    ReportFiles
        Every file written, by key: ``annex1``, ``annex2``,
        ``roster:<prefecture_id>``, the dashboard tables by name,
        ``chart:<name>``, ``figures``, ``graph``, ``index``; and the seconds
        each part took (``.seconds``).

    Raises
    ------
    InputError
        When the plan names ids the instance does not have.
    pairing.atomic.OutputRefused
        When ``out_dir`` may not be written (see :func:`pairing.atomic.folder`).
    pairing.errors.Stopped
        When ``stop`` asked to stop.
    ValueError
        When ``lang`` is neither ``zh`` nor ``en``.

    Examples
    --------
    >>> import pairing, tempfile
    >>> from pairing.report import write_report
    >>> instance = pairing.generate(households=2000, seed=5)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> out = tempfile.mkdtemp() + "/report"
    >>> files = write_report(instance, plan, out, lang="en", charts=False)
    >>> files["index"].name, "total" in files.seconds
    ('index.html', True)
    """
    check_lang(lang)
    out_dir = Path(out_dir)
    seconds: dict[str, float] = {}
    # the joins are computed once for this call: they travel with its own
    # view of the plan, so nothing is shared with other calls or threads
    view = F.memoised(instance, plan)
    with atomic.folder(out_dir, "report", force=force) as tmp:
        files = _write_report(instance, view, tmp, lang, graph, charts, stop, seconds)
    return ReportFiles(
        {k: out_dir / p.relative_to(tmp) for k, p in files.items()},
        {k: round(v, 3) for k, v in seconds.items()},
    )


def _write_report(
    instance: Instance,
    plan: Plan,
    out_dir: Path,
    lang: str,
    graph: bool,
    charts: bool,
    stop: Callable[[], bool] | None,
    seconds: dict[str, float],
) -> dict[str, Path]:
    # start-up time: the dashboards' charts import matplotlib and the graph
    # networkx (a second together; the index page's text helpers live with
    # the charts), so ``import pairing.report`` does not
    from ._dashfiles import write_dashboards
    from .html import index_html

    def check() -> None:
        if stop is not None and stop():
            raise Stopped("the report was stopped before it was complete")

    t0 = time.perf_counter()
    about = facts(instance, plan)
    stamp = about.stamp(lang)
    files: dict[str, Path] = {}
    check()
    files.update(write_annexes(instance, plan, out_dir, lang, stamp))
    seconds["annexes"] = time.perf_counter() - t0
    t = time.perf_counter()
    check()
    files.update(write_rosters(instance, plan, out_dir, lang, stamp, stop=stop))
    seconds["rosters"] = time.perf_counter() - t
    t = time.perf_counter()
    dash = out_dir / "dashboard"
    dash.mkdir(exist_ok=True)
    check()
    files.update(write_dashboards(instance, plan, dash, lang, charts=charts))
    seconds["dashboards"] = time.perf_counter() - t
    check()
    if graph:
        t = time.perf_counter()
        from ..graph import graph_tables, write_graph  # networkx: see above

        files["graph"] = write_graph(
            graph_tables(instance, plan), out_dir / "plan.graphml"
        )
        seconds["graph"] = time.perf_counter() - t
    tables = dashboard_tables(instance, plan)
    check()
    index = out_dir / "index.html"
    page = index_html(
        out_dir,
        files,
        headline(instance, plan),
        lang,
        facts=about,
        coverage=tables["coverage_prefecture"],
        r9=tables["r9_tier_severity"],
        notes=_left_out(lang, graph=graph, charts=charts),
    )
    atomic.write_text(index, page)
    files["index"] = index
    seconds["total"] = time.perf_counter() - t0
    return files


def _left_out(lang: str, *, graph: bool, charts: bool) -> list[str]:
    """What the caller asked the report to leave out, said on the page."""
    zh = lang == "zh"
    notes = []
    if not charts:
        notes.append(
            "图表未绘制（调用时 charts=False）；数据表仍在 dashboard/ 下。"
            if zh
            else "Charts were not drawn (charts=False); the tables are in dashboard/."
        )
    if not graph:
        notes.append(
            "包保关系图未生成（调用时 graph=False）。"
            if zh
            else "The graph was not written (graph=False)."
        )
    return notes
