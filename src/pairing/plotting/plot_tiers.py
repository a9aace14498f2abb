from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report.dashboard import LEADING_TIERS, tier_severity
from ._text import (
    TIER_COLOURS,
    font_kwargs,
    label_axes,
    legend_prop,
    region_label,
    word,
)


def plot_tiers(
    instance: Instance,
    plan: Plan,
    data: pd.DataFrame | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    lang: str = "en",
) -> plt.Axes:
    """
    Plots the mean severity of the villages each tier leads, per prefecture
    (R9: heavier villages should go to higher tiers).

    Parameters
    ----------
    instance, plan
        The instance and its plan.
    data
        :func:`pairing.report.dashboard.tier_severity`, when already computed.
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
    >>> from pairing.plotting import plot_tiers
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> ax = plot_tiers(instance, plan, ax=Figure().add_subplot())
    >>> ax.has_data()
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    df = tier_severity(instance, plan) if data is None else data
    x = np.arange(len(df))
    width = 0.8 / len(LEADING_TIERS)
    for k, tier in enumerate(LEADING_TIERS):
        ax.bar(
            x + (k - 1) * width,
            df[f"mean_severity_{tier}"].fillna(0.0),
            width,
            color=TIER_COLOURS[tier],
            label=word(tier, lang),
        )
    labels = [
        region_label(r, n, lang)
        for r, n in zip(df["prefecture_id"], df["name"], strict=True)
    ]
    ax.set_xticks(x, labels, rotation=45, ha="right", **font_kwargs(lang))
    label_axes(ax, lang, title, "tiers", y="severity")
    ax.legend(prop=legend_prop(lang))
    return ax
