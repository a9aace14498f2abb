from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report.dashboard import cadre_loads
from ._text import label_axes


def plot_load(
    instance: Instance,
    plan: Plan,
    data: pd.DataFrame | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    lang: str = "en",
) -> plt.Axes:
    """
    Plots how many cadres carry 0, 1, 2 … households, over the cadres of the
    units that carry households (R5, R12).

    Parameters
    ----------
    instance, plan
        The instance and its plan.
    data
        :func:`pairing.report.dashboard.cadre_loads`, when already computed.
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
    >>> from pairing.plotting import plot_load
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> ax = plot_load(instance, plan, ax=Figure().add_subplot())
    >>> ax.has_data()
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    df = cadre_loads(instance, plan) if data is None else data
    ax.bar(df["load"], df["cadres"], color="tab:blue")
    ax.set_xticks(df["load"])
    label_axes(ax, lang, title, "load", x="per_cadre", y="cadres")
    return ax
