"""One truth per figure: every R9–R13 figure has one value wherever it is shown
(``summary.json``, ``pairing validate``, ``figures.json``, the CSV tables, the
charts, ``index.html``), because all of them read :mod:`pairing.metrics`."""

from __future__ import annotations

import json
import re
from html import unescape

import matplotlib

matplotlib.use("Agg")  # this test draws on a canvas of its own, shows nothing

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import pairing  # noqa: E402
from pairing.metrics import LEAD_TIERS, spearman  # noqa: E402
from pairing.plan import Plan  # noqa: E402
from pairing.plotting import plot_strength  # noqa: E402
from pairing.plotting._text import figure_text  # noqa: E402
from pairing.report import write_report  # noqa: E402


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("truth")
    inst = pairing.generate(households=4300, seed=3)
    plan = pairing.solve(inst, time_limit=20, seed=0)
    plan.save(work / "plan")
    loaded = Plan.load(work / "plan")
    files = write_report(inst, loaded, work / "report", graph=False)
    return inst, plan, loaded, files


def _picks(soft: dict) -> dict[str, object]:
    r10, r12 = soft["R10"], soft["R12"]
    return {
        "r9": soft["R9"]["inverted_share"],
        **{f"r10_{t}": r10["strength_severity_by_tier"][t] for t in LEAD_TIERS},
        "r10_rank": r10["rank_severity"],
        "r11_kept": soft["R11"]["kept"],
        "r11_keepable": soft["R11"]["keepable"],
        "r12_mean": r12["mean_load_active"],
        "r12_max": r12["max_load"],
        "r12_idle": r12["idle_while_full"],
        "r12_km": r12["mean_travel_km"],
        "r13": soft["R13"]["honoured"],
    }


def test_summary_validator_and_figures_json_agree(made):
    inst, plan, loaded, files = made
    truth = _picks(plan.info["soft"])
    assert _picks(loaded.info["soft"]) == truth  # summary.json
    report = pairing.validate(inst, loaded)
    assert report.ok
    assert _picks(report.soft) == truth  # pairing validate
    data = json.loads(files["figures"].read_text(encoding="utf-8"))
    assert _picks(data["soft"]) == truth
    flat = data["figures"]
    assert flat["r9_inverted_share"] == truth["r9"]
    for t in LEAD_TIERS:
        assert flat[f"r10_spearman_{t}"] == truth[f"r10_{t}"]
    assert flat["r10_spearman_cadres"] == truth["r10_rank"]
    assert (flat["r11_kept"], flat["r11_keepable"]) == (
        truth["r11_kept"],
        truth["r11_keepable"],
    )
    assert flat["r12_mean_load"] == truth["r12_mean"]
    assert flat["r12_mean_km"] == truth["r12_km"]
    # the validator prints what the summary prints
    soft_lines = plan.summary().split("Soft rules", 1)[1]
    assert soft_lines.strip() in report.summary()


def _same(value, figure) -> bool:
    """A CSV value against a figure: NaN where the figure is undefined (None)."""
    if figure is None:
        return value is None or value != value
    return value == pytest.approx(figure, abs=1e-12)


def test_the_csv_tables_give_the_same_figures(made):
    _, plan, _, files = made
    truth = _picks(plan.info["soft"])
    corr = pd.read_csv(files["r10_correlations"]).set_index("tier")["spearman"]
    for t in LEAD_TIERS:
        assert _same(corr[t], truth[f"r10_{t}"]), t
    assert _same(corr["cadres"], truth["r10_rank"])
    units = pd.read_csv(files["r10_strength_severity"])
    for t in LEAD_TIERS:  # a reader recomputing R10 from the table finds the figure
        mine = units[units["tier"] == t]
        rho = spearman(mine["strength"], mine["severity"])
        assert _same(rho, truth[f"r10_{t}"]), t
    r9 = pd.read_csv(files["r9_tier_severity"])
    assert r9["inverted_pairs"].sum() / r9["pairs"].sum() == pytest.approx(truth["r9"])
    teams = pd.read_csv(files["r11_continuity"])
    assert int(teams["kept"].sum()) == truth["r11_kept"]
    assert int(teams["keepable"].sum()) == truth["r11_keepable"]
    assert truth["r11_keepable"] > 0  # the instance has resident teams to keep


def test_the_chart_and_the_page_show_the_same_figures(made):
    inst, plan, loaded, files = made
    truth = _picks(plan.info["soft"])
    ax = Figure().add_subplot()
    plot_strength(inst, loaded, ax=ax)
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    for t in LEAD_TIERS:
        assert f"ρ = {figure_text(truth[f'r10_{t}'])}" in legend
    page = unescape(re.sub(r"<[^>]+>", " ", files["index"].read_text("utf-8")))
    for key in ("r10_province", "r10_prefecture", "r10_county", "r10_rank"):
        assert figure_text(truth[key]) in page, key
    assert f"{100 * truth['r9']:.2f}%" in page
    assert figure_text(truth["r12_mean"]) in page
