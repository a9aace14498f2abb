from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..graph import coverage_by_region
from ..instance import Instance
from ..plan import Plan
from ..report import _frames as F
from ._text import (
    TIER_COLOURS,
    chart_lang,
    font_kwargs,
    legend_prop,
    region_label,
    word,
)


def plot_coverage(
    instance: Instance,
    plan: Plan,
    data: pd.DataFrame | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    lang: str = "en",
) -> plt.Axes:
    """
    Plots, per prefecture, its poor households split by who covers them (the
    tier of the cadre's unit, or a leader), and the mean load per cadre.

    Parameters
    ----------
    instance
        The instance.
    plan
        The plan.
    data
        :func:`pairing.graph.coverage_by_region` at prefecture level, when
        already computed.
    title
        Title to add to the plot.
    ax
        Axes object to draw the plot on. One will be created if not provided.
    lang
        ``zh`` for Chinese words (when a CJK font is installed) or ``en``.

    Examples
    --------
    >>> import pairing
    >>> from matplotlib.figure import Figure
    >>> from pairing.plotting import plot_coverage
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> ax = plot_coverage(instance, plan, ax=Figure().add_subplot())
    >>> ax.has_data()
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    cov = coverage_by_region(instance, plan, "prefecture") if data is None else data
    hf = F.households(instance, plan)
    n = len(instance.regions)
    tier = np.where(hf["u"] >= 0, instance.u_tier[np.maximum(hf["u"], 0)], 4)
    pref = hf["prefecture"].to_numpy()
    rows = instance.region_index.get_indexer(
        pd.Index(cov["region_id"].to_numpy(dtype=object))
    )
    y = np.arange(len(cov))
    left = np.zeros(len(cov))
    for t, key in enumerate(("province", "prefecture", "county", "social", "leader")):
        sel = (tier == t) & (pref >= 0)
        counts = np.bincount(pref[sel], minlength=n)[rows]
        if counts.sum() == 0:
            continue
        label = word("by_leader", lang) if key == "leader" else word(key, lang)
        ax.barh(y, counts, left=left, color=TIER_COLOURS[key], label=label)
        left += counts
    labels = [
        region_label(r, nm, lang)
        for r, nm in zip(cov["region_id"], cov["name"], strict=True)
    ]
    ax.set_yticks(y, labels, **font_kwargs(lang))
    ax.invert_yaxis()
    ax.set_xlabel(
        f"{word('households', lang)}（{word('bar_end', lang)}）"
        if chart_lang(lang) == "zh"
        else f"{word('households', lang)} ({word('bar_end', lang)})",
        **font_kwargs(lang),
    )
    unit = word("per_cadre_short", lang)
    for yi, (x, m) in enumerate(zip(left, cov["mean_load"], strict=True)):
        ax.annotate(
            f"{m:.1f} {unit}",
            (x, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            **font_kwargs(lang),
        )
    ax.margins(x=0.12)
    ax.set_title(title or word("coverage", lang), **font_kwargs(lang))
    ax.legend(loc="lower right", prop=legend_prop(lang))
    return ax
