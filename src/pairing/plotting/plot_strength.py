from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report import _frames as F
from ..report.dashboard import LEADING_TIERS, strength_severity
from ._text import TIER_COLOURS, figure_text, label_axes, legend_prop, word


def plot_strength(
    instance: Instance,
    plan: Plan,
    data: pd.DataFrame | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    lang: str = "en",
) -> plt.Axes:
    """
    Plots each unit's strength against the total severity of the villages it
    leads (0 when it leads none), coloured by tier (R10), with Spearman's rho
    per tier in the legend: the figure of ``summary.json`` and
    ``pairing validate`` (:func:`pairing.metrics.soft_figures`).

    Parameters
    ----------
    instance, plan
        The instance and its plan.
    data
        :func:`pairing.report.dashboard.strength_severity`, when already
        computed.
    title
        Title to add to the plot.
    ax
        Axes object to draw the plot on. One will be created if not provided.
    lang
        ``zh`` or ``en``.

    Examples
    --------
    >>> import pairing
    >>> from matplotlib.figure import Figure
    >>> from pairing.plotting import plot_strength
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> ax = plot_strength(instance, plan, ax=Figure().add_subplot())
    >>> ax.has_data()
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5))
    df = strength_severity(instance, plan) if data is None else data
    rho = F.soft(instance, plan)["R10"]["strength_severity_by_tier"]
    for tier in LEADING_TIERS:
        sel = df[df["tier"] == tier]
        if sel.empty:
            continue
        ax.scatter(
            sel["strength"],
            sel["severity"],
            s=12,
            alpha=0.7,
            color=TIER_COLOURS[tier],
            label=f"{word(tier, lang)} (ρ = {figure_text(rho.get(tier))})",
        )
    label_axes(ax, lang, title, "strength", x="unit_strength", y="carried")
    if len(df):
        ax.legend(prop=legend_prop(lang))
    return ax
