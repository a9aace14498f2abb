from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report import _frames as F
from ..tiers import LEVEL_NAMES, TIER_NAMES
from ._text import TIER_COLOURS, font_kwargs, legend_prop, region_label, word


def plot_pairings(
    instance: Instance,
    plan: Plan,
    prefecture_id: str,
    title: str | None = None,
    ax: plt.Axes | None = None,
    lang: str = "en",
) -> plt.Axes:
    """
    Plots one prefecture's pairings: its poor villages at their positions
    (sized by households), each joined to its lead unit by a line coloured by
    the unit's tier; villages with scattered households are grey dots.

    Villages or units without positions (``x_km``, ``y_km``) are left out.

    Parameters
    ----------
    instance, plan
        The instance and its plan.
    prefecture_id
        The prefecture to draw.
    title
        Title to add to the plot.
    ax
        Axes object to draw the plot on. One will be created if not provided.
    lang
        ``zh`` or ``en``.

    Raises
    ------
    KeyError
        When ``prefecture_id`` is not a prefecture of the instance.

    Examples
    --------
    >>> import pairing
    >>> from matplotlib.figure import Figure
    >>> from pairing.plotting import plot_pairings
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> ax = plot_pairings(instance, plan, "220100", ax=Figure().add_subplot())
    >>> ax.has_data()
    True
    """
    inst = instance
    p = inst.region_index.get_indexer(pd.Index([prefecture_id]))[0]
    if p < 0 or inst.r_level[p] != 1:
        raise KeyError(f"{prefecture_id} is not a prefecture of the instance")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7))
    lf = F.leads(inst, plan)
    lf = lf[lf["prefecture"] == p]
    hf = F.households(inst, plan)
    scattered = np.unique(hf.loc[hf["scattered"] & (hf["prefecture"] == p), "v"])
    vxy, uxy = inst.v_xy, inst.u_xy
    sx, sy = vxy[scattered].T
    ax.scatter(sx, sy, s=6, color="lightgray", label=word("scattered", lang))
    v, u = lf["v"].to_numpy(), lf["u"].to_numpy()
    tiers = np.asarray(TIER_NAMES)[inst.u_tier[u]]
    for tier in LEVEL_NAMES:  # the tiers that lead villages
        sel = tiers == tier
        if not sel.any():
            continue
        a, b = vxy[v[sel]], uxy[u[sel]]
        ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
        colour = TIER_COLOURS[tier]
        segs = np.stack([a[ok], b[ok]], axis=1)
        if len(segs):
            from matplotlib.collections import LineCollection

            # an (N, 2, 2) array is a documented ``segments`` argument; the
            # matplotlib stubs only list sequences
            lines = LineCollection(
                segs,  # type: ignore[arg-type]
                colors=colour,
                linewidths=0.6,
                alpha=0.5,
            )
            ax.add_collection(lines)
        ax.scatter(
            a[:, 0],
            a[:, 1],
            s=10 + 2 * np.sqrt(inst.v_households[v[sel]]),
            color=colour,
            edgecolor="black",
            linewidth=0.3,
            label=f"{word('village', lang)} ← {word(tier, lang)}",
            zorder=3,
        )
        ax.scatter(
            b[:, 0],
            b[:, 1],
            marker="s",
            s=25,
            color=colour,
            edgecolor="black",
            zorder=4,
        )
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    shown = region_label(prefecture_id, str(F.region_names(inst)[p]), lang)
    ax.set_title(title or f"{word('pairings', lang)}: {shown}", **font_kwargs(lang))
    ax.legend(loc="best", fontsize=8, prop=legend_prop(lang))
    return ax
