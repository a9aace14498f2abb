"""Writing the dashboards: CSV tables, PNG charts and ``figures.json`` (R16).

The tables and figures come from :mod:`pairing.report.dashboard`; the charts
from :mod:`pairing.plotting`, which draws from the same tables. Kept apart
from :mod:`~pairing.report.dashboard` so that the charts may read the tables'
module without an import circle.
"""

from __future__ import annotations

from pathlib import Path

from .. import atomic
from ..cells import write_csv
from ..instance import Instance
from ..plan import Plan
from ..plotting import save_charts
from . import _frames as F
from .dashboard import dashboard_tables, headline

__all__ = ["write_dashboards"]


def write_dashboards(
    instance: Instance,
    plan: Plan,
    out_dir: str | Path,
    lang: str = "zh",
    *,
    charts: bool = True,
) -> dict[str, Path]:
    """Write the dashboard tables (CSV), charts (PNG) and ``figures.json``.

    Returns
    -------
    dict
        ``{name: path}``: CSV tables under their names, charts as
        ``chart:<name>``, and ``figures`` (the headline figures).
    """
    out_dir = Path(out_dir)
    paths: dict[str, Path] = {}
    tables = dashboard_tables(instance, plan)
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        write_csv(df, path, report=True)  # no cell runs as a formula
        paths[name] = path
    figures = headline(instance, plan)
    soft = F.soft(instance, plan)
    path = out_dir / "figures.json"
    atomic.write_json(path, {"figures": figures, "soft": soft})  # strict JSON
    paths["figures"] = path
    if not charts:
        return paths
    paths.update(save_charts(instance, plan, out_dir, tables=tables, lang=lang))
    return paths
