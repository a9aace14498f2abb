"""The national synthetic set: figures, region trees, feasibility, streaming.

No cluster here (``tests/test_national_run.py`` plans sets on Dask).
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pairing
from pairing.cli import main
from pairing.generate import (
    JILIN,
    MIN_HOUSEHOLDS,
    _at_most_two,
    generate_with_reference,
)
from pairing.marker import read_marker
from pairing.national import figures
from pairing.national import generate as national_generate
from pairing.national.divisions import COUNTY_COUNTS, members_p, province
from pairing.national.generate import generate_national, province_seed, sizes

CODES = [f.code for f in figures.resolve()]


# -- figures ------------------------------------------------------------------------


def test_figures_sum_to_the_national_totals():
    rows = figures.resolve()
    assert len(rows) == 22 and len(set(CODES)) == 22
    assert sum(r.villages for r in rows) == figures.NATIONAL_VILLAGES
    assert sum(r.households for r in rows) == figures.NATIONAL_HOUSEHOLDS
    people = sum(r.people for r in rows)
    assert abs(people - figures.NATIONAL_PEOPLE) <= 0.02 * figures.NATIONAL_PEOPLE
    assert all(r.villages > 0 and r.households > 0 for r in rows)


def test_published_figures_are_kept_and_sourced():
    by = {r.code: r for r in figures.resolve()}
    for pub in figures.PUBLISHED:
        row = by[pub.code]
        if pub.villages is not None:
            assert row.villages == pub.villages and row.how["villages"] == "published"
        else:
            assert row.how["villages"] == "national share"
        if pub.households is not None:
            assert row.households == pub.households
        found = (pub.villages, pub.households, pub.people, pub.poverty_counties)
        if any(v is not None for v in found):  # every published figure has a source
            assert pub.source in figures.SOURCES
    assert by["220000"].households == 430_000 and by["220000"].villages == 1_500
    assert by["520000"].villages == 9_000 and by["510000"].villages == 11_501


def test_members_prior_is_tilted_to_the_mean():
    for mean in (1.97, 2.5, 3.04, 4.0):
        p = np.array(members_p(mean))
        assert p.sum() == pytest.approx(1.0) and (p > 0).all()
        assert (np.arange(1, 6) * p).sum() == pytest.approx(mean, abs=1e-6)


# -- region trees -------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_region_trees_have_each_provinces_shape(code):
    p = province(code)
    assert province(code) is p  # one tree per province, whatever the seed
    areas, counties = p.areas, p.counties
    assert areas["id"].is_unique and counties["id"].is_unique
    assert set(counties["area"]) <= set(areas["id"])
    if code == JILIN.code:
        assert p is JILIN
        return
    sizes_ = counties.groupby("area", sort=False).size().to_numpy()
    assert tuple(sizes_) == COUNTY_COUNTS[code]
    # GB/T 2260 style: province, two-digit area, two-digit county
    assert all(len(i) == 6 and i.startswith(code[:2]) for i in counties["id"])
    assert all(i.endswith("00") for i in areas["id"])
    assert (counties["id"].str[:4] == counties["area"].str[:4]).all()
    key = {r.code: r.key_counties for r in figures.resolve()}[code]
    assert int(counties["key"].sum()) == key
    assert p.name == {r.code: r.name for r in figures.resolve()}[code]


def test_region_trees_are_synthetic_and_deterministic():
    a = province("530000").counties
    b = pairing.national.divisions._tree("530000", "云南", 88)[1]
    pd.testing.assert_frame_equal(a, b)
    assert a["name"].str.startswith("云南").all()  # no real place names


# -- feasibility by construction ------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_every_province_keeps_its_hidden_witness(code):
    """The reference pairing keeps R1, R2, R4, R5 (capacity), R6 and R8."""
    fig = {r.code: r for r in figures.resolve()}[code]
    households = max(MIN_HOUSEHOLDS, round(0.002 * fig.households))
    inst, ref = generate_with_reference(households, 5, province=province(code))
    assert len(inst.households) == households
    rv = inst.village_index.get_indexer(ref["village_id"].to_numpy(dtype=object))
    ru = inst.unit_index.get_indexer(ref["unit_id"].to_numpy(dtype=object))
    assert sorted(rv) == sorted(inst.poor_villages)  # R1
    tier = inst.u_tier[ru]
    pref, cty = tier == 1, tier == 2
    assert (inst.u_region[ru[pref]] == inst.v_prefecture[rv[pref]]).all()  # R2
    assert (inst.u_region[ru[cty]] == inst.v_county[rv[cty]]).all()
    n = np.bincount(ru, minlength=len(inst.units))
    lead = inst.u_tier < 3
    assert ((n >= inst.u_min) & (n <= inst.u_max))[lead].all()  # R4
    load = np.bincount(ru, weights=inst.v_households[rv], minlength=len(inst.units))
    assert (inst.u_capacity >= load).all()  # R5
    prov = tier == 0
    assert inst.v_key[rv[prov]].mean() >= inst.rules.province_key_county_share  # R6
    least = np.where(inst.u_tier == 0, 5, 2)
    assert (inst.u_cadres[n > 0] >= least[n > 0]).all()  # R8
    # every area has a poor village; the region tree is the province's
    assert set(inst.v_prefecture[inst.poor_villages]) == set(
        np.flatnonzero(inst.r_level == 1)
    )


def test_at_most_two_villages_per_province_unit():
    owner = np.array([0, 1, 2, 0, 0, 0, 1])
    out = _at_most_two(owner, 4)
    assert np.bincount(out, minlength=4).max() <= 2
    assert (out[:3] == owner[:3]).all()  # the first round is kept
    same = np.array([0, 1, 0])
    assert (_at_most_two(same, 2) == same).all()


# -- the set on disk ------------------------------------------------------------------


def test_sizes_follow_the_share():
    for fig, households in sizes(0.01):
        assert households == max(MIN_HOUSEHOLDS, round(0.01 * fig.households))
    assert [f.code for f, _ in sizes(1.0, ["52", "220000"])] == ["520000", "220000"]
    with pytest.raises(pairing.InputError):
        sizes(0.0)
    with pytest.raises(pairing.InputError):
        sizes(0.5, ["99"])


def test_generate_national_layout(tmp_path):
    out = tmp_path / "set"
    entries = generate_national(out, share=0.001, seed=3, provinces=["64", "54"])
    assert [e.code for e in entries] == ["640000", "540000"]
    assert read_marker(out).kind == "national"
    index = json.loads((out / "national.json").read_text(encoding="utf-8"))
    assert [p["code"] for p in index["provinces"]] == ["640000", "540000"]
    assert index["totals"]["households"] == sum(e.households for e in entries)
    assert set(index["sources"]) == set(figures.SOURCES)
    for e in entries:
        assert read_marker(out / e.code).kind == "instance"
        inst = pairing.load_instance(out / e.code)
        assert len(inst.households) == e.households
        assert int(inst.v_poor.sum()) == e.poor_villages
        assert e.seed == province_seed(3, e.code)
        region = inst.regions.loc[inst.regions["level"] == "province", "region_id"]
        assert region.tolist() == [e.code]


def test_generation_is_deterministic_per_seed_and_province(tmp_path):
    generate_national(tmp_path / "a", share=0.001, seed=1, provinces=["64", "46"])
    generate_national(tmp_path / "b", share=0.001, seed=1, provinces=["46"])
    generate_national(tmp_path / "c", share=0.001, seed=2, provinces=["46"])

    def fp(folder: str) -> str:
        return pairing.fingerprint(pairing.load_instance(tmp_path / folder / "460000"))

    assert fp("a") == fp("b") != fp("c")


def test_generation_is_streamed(tmp_path, monkeypatch):
    """When a province is generated, the previous one is no longer in memory."""
    made: list[weakref.ref] = []
    alive_at_start: list[bool] = []
    real = national_generate.generate

    def spy(*args, **kwargs):
        gc.collect()
        alive_at_start.append(any(r() is not None for r in made))
        inst = real(*args, **kwargs)
        made.append(weakref.ref(inst))
        return inst

    monkeypatch.setattr(national_generate, "generate", spy)
    generate_national(tmp_path / "set", share=0.001, provinces=["64", "46", "63"])
    assert alive_at_start == [False, False, False]


def test_cli_generate_national(tmp_path, capsys):
    out = tmp_path / "set"
    args = ["generate", "--national", "--out", str(out), "--share", "0.001"]
    assert main([*args, "--provinces", "64,46"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["460000", "640000"]
    assert "460000 海南省" in capsys.readouterr().out
    assert main([*args, "--households", "5000"]) == 2
    assert "--households does not go with --national" in capsys.readouterr().err
    assert main([*args, "--provinces", "99"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--national", "--out", str(out), "--share", "2"])
    assert exc.value.code == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    assert main(["generate", "--national", "--out", str(tmp_path / "mine")]) == 2
    assert (tmp_path / "mine" / "notes.txt").read_text() == "x"


def test_national_set_has_no_personal_data(tmp_path):
    generate_national(tmp_path / "set", share=0.001, provinces=["52"])
    inst = pairing.load_instance(tmp_path / "set" / "520000")
    assert inst.households["household_id"].str.fullmatch(r"H\d{7}").all()
    names = pd.concat([inst.units["name"], inst.leaders["name"], inst.regions["name"]])
    assert not names.str.contains("[=+@]", regex=True).any()


def test_generator_docs_cite_every_source():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "generator.md").read_text(
        encoding="utf-8"
    )
    for _title, address in figures.SOURCES.values():
        if address:
            assert address in doc, address
