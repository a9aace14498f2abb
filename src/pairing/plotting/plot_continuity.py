from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report import _frames as F
from ..report.dashboard import continuity
from ._text import font_kwargs, label_axes, legend_prop, region_label, word


def plot_continuity(
    instance: Instance,
    plan: Plan,
    data: pd.DataFrame | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    lang: str = "en",
) -> plt.Axes:
    """
    Plots, per prefecture, the resident teams whose unit kept its village and
    those it did not (R11).

    Parameters
    ----------
    instance, plan
        The instance and its plan.
    data
        :func:`pairing.report.dashboard.continuity`, when already computed.
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
    >>> from pairing.plotting import plot_continuity
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> ax = plot_continuity(instance, plan, ax=Figure().add_subplot())
    >>> ax.has_data()
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    df = continuity(instance, plan) if data is None else data
    g = df.groupby("prefecture_id")["kept"].agg(["sum", "size"])
    x = np.arange(len(g))
    kept = g["sum"].to_numpy()
    broken = g["size"].to_numpy() - kept
    ax.bar(x, kept, color="tab:green", label=word("kept", lang))
    ax.bar(x, broken, bottom=kept, color="tab:gray", label=word("broken", lang))
    names = dict(
        zip(
            instance.region_index.to_numpy(dtype=object).astype(str),
            F.region_names(instance),
            strict=True,
        )
    )
    labels = [region_label(str(r), names.get(str(r), str(r)), lang) for r in g.index]
    ax.set_xticks(x, labels, rotation=45, ha="right", **font_kwargs(lang))
    label_axes(ax, lang, title, "continuity", y="teams")
    ax.legend(prop=legend_prop(lang))
    return ax
