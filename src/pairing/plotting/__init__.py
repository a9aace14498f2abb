"""Matplotlib charts of a plan (R16 dashboards), in the manner of PyVRP's
``pyvrp.plotting``: one function per chart, each drawing on a given ``ax`` or
a new one.

Chinese words are used with ``lang="zh"`` only when a CJK font is installed
(Noto Sans CJK, WenQuanYi, SimHei …); otherwise charts fall back to English
and show region ids rather than Chinese names, so no glyph is ever missing.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from .. import atomic
from ..instance import Instance
from ..plan import Plan
from ._text import chart_lang as chart_lang
from ._text import cjk_font as cjk_font
from .plot_continuity import plot_continuity as plot_continuity
from .plot_coverage import plot_coverage as plot_coverage
from .plot_load import plot_load as plot_load
from .plot_pairings import plot_pairings as plot_pairings
from .plot_strength import plot_strength as plot_strength
from .plot_tiers import plot_tiers as plot_tiers

__all__ = [
    "CHARTS",
    "chart_lang",
    "cjk_font",
    "plot_continuity",
    "plot_coverage",
    "plot_load",
    "plot_pairings",
    "plot_strength",
    "plot_tiers",
    "save_charts",
]

CHARTS = {
    "coverage": (plot_coverage, "coverage_prefecture"),
    "r9_tiers": (plot_tiers, "r9_tier_severity"),
    "r10_strength": (plot_strength, "r10_strength_severity"),
    "r11_continuity": (plot_continuity, "r11_continuity"),
    "r12_load": (plot_load, "r12_cadre_loads"),
}
"""Chart file stem → (plot function, dashboard table it draws)."""


def save_charts(
    instance: Instance,
    plan: Plan,
    out_dir: str | Path,
    tables: dict[str, pd.DataFrame] | None = None,
    lang: str = "en",
) -> dict[str, Path]:
    """Draw every dashboard chart to ``<out_dir>/<name>.png`` (no pyplot, Agg canvas).

    Names and ids from the instance are shown as they are: never parsed as
    mathtext (:func:`pairing.cells.mathtext_safe`) nor handed to LaTeX (the
    charts are drawn with ``text.usetex`` off, whatever the user's settings).

    Returns
    -------
    dict
        ``{"chart:<name>": path}``.

    Examples
    --------
    >>> import pairing, tempfile
    >>> from pairing.plotting import save_charts
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> paths = save_charts(instance, plan, tempfile.mkdtemp())
    >>> sorted(paths)[0], paths["chart:r12_load"].suffix
    ('chart:coverage', '.png')
    """
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: any backend, no global state

    out_dir = Path(out_dir)
    tables = tables or {}
    paths: dict[str, Path] = {}
    for name, (plot, table) in CHARTS.items():
        with matplotlib.rc_context({"text.usetex": False, "text.parse_math": True}):
            fig = Figure(figsize=(8, 5))
            ax = fig.add_subplot()
            plot(instance, plan, data=tables.get(table), ax=ax, lang=lang)
            fig.tight_layout()
            path = out_dir / f"{name}.png"
            atomic.write_file(path, partial(fig.savefig, dpi=110, format="png"))
        paths[f"chart:{name}"] = path
    return paths
