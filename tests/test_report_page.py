"""``index.html`` end to end in headless Chromium (R16): the page loads offline,
says what the plan is in the report's language, and every link and image in
it opens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import Browser

import pairing
from pairing.report import write_report
from pairing.report.dashboard import headline

LINKS = """Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"""
IMAGES = """Array.from(document.images).map(i => [i.src, i.complete, i.naturalWidth,
  i.closest('figure') && i.closest('figure').querySelector('figcaption')
    ? i.closest('figure').querySelector('figcaption').innerText : ''])"""
FOLLOW = """(href => { const x = new XMLHttpRequest(); x.open('GET', href, false);
  x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();
  return x.responseText.length; })"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("page")
    inst = pairing.generate(households=4300, seed=2)
    plan = pairing.solve(inst, time_limit=20, seed=0)
    assert pairing.validate(inst, plan).ok
    out = {}
    for lang in ("zh", "en"):
        files = write_report(inst, plan, work / lang, lang=lang)
        out[lang] = (files, headline(inst, plan))
    return inst, plan, out


def _read(index: Path):
    with Browser(index.as_uri()) as b:
        b.loaded()
        return (
            b.evaluate("document.body.innerText"),
            b.evaluate(LINKS),
            b.evaluate(IMAGES),
            {h: b.evaluate(f"{FOLLOW}({h!r})") for h in b.evaluate(LINKS)},
        )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_reads_as_a_report(report, lang):
    inst, plan, out = report
    files, figures = out[lang]
    text, links, images, followed = _read(files["index"])
    fp = pairing.fingerprint(inst)[:12]
    words = {
        "zh": [
            "方案状态",
            "差距",
            "已证明的最优界",
            "编制日期",
            "数据指纹",
            "各市（州）情况",
        ],
        "en": ["Status", "Gap", "Best bound proved", "Date", "Instance fingerprint"],
    }[lang]
    for w in [*words, fp]:
        assert w in text, w
    status = {"optimal": ("最优", "optimal"), "feasible": ("可行", "feasible")}
    assert status[plan.status][lang == "en"] in text
    assert f"{100 * plan.gap:.2f}%" in text
    # names and labels, never raw keys or ids where a name exists
    for key in figures:
        if "_" in key:  # a key, not a word
            assert key not in text, f"raw key {key} on the page"
    prefectures = inst.regions[inst.regions["level"] == "prefecture"]
    for name in prefectures["name"]:
        assert name in text
    if lang == "zh":  # every figure's label is Chinese
        table = text[text.index("主要数据") : text.index("各市（州）情况")]
        rows = [r.split("\t") for r in table.splitlines()[2:] if "\t" in r]
        assert len(rows) >= 20
        assert all(re.search(r"[\u4e00-\u9fff]", r[0]) for r in rows), rows
    # every chart has a caption, every image loaded
    charts = [k for k in files if k.startswith("chart:")]
    assert len(images) == len(charts) == 5
    for src, complete, width, caption in images:
        assert complete and width > 0, src
        assert len(caption) > 30, src


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_link_opens_offline(report, lang):
    _, _, out = report
    files, _ = out[lang]
    root = files["index"].parent.resolve()
    text, links, images, followed = _read(files["index"])
    targets = {*links, *(src for src, *_ in images)}
    assert targets
    for url in targets:
        assert url.startswith("file://"), f"not a local file: {url}"
        path = Path(url.removeprefix("file://")).resolve()
        assert root in path.parents, f"outside the report: {url}"
    for href, size in followed.items():
        assert size > 0, f"{href} did not open"
    linked = {Path(h.removeprefix("file://")).resolve() for h in links}
    for key, path in files.items():
        if key != "index" and not key.startswith("chart:"):
            assert path.resolve() in linked, f"{key} is not linked from the page"
