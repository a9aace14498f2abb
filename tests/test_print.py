"""The annexes and rosters print like the provincial office's own tables (R16).

Each sheet is rendered by LibreOffice (headless) to PDF and read back with
poppler: Annex 1's 27 province leaders fit on at most 2 pages, every page
repeats the header and holds every column (fitted to the page width), and
no cell's text is cut off. The workbooks themselves carry the print setup:
A4, fitted to the width, page numbers, the header frozen and repeated, 序号
and counts stored as numbers.
"""

from __future__ import annotations

import math
import re

import openpyxl
import pandas as pd
import pytest
from office import Office, pdf_pages

import pairing
from pairing.report._workbook import Sheet, write_workbook
from pairing.report.annex import annex_sheets
from pairing.report.roster import roster_sheets

ROWS_PER_PAGE = 30
"""Fewest table rows a printed page holds (A4, 10-point text)."""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):
    """Every annex sheet and two rosters, one sheet per workbook, and their PDFs."""
    work = tmp_path_factory.mktemp("print")
    # 8,000 households: all 27 province-tier leaders (smaller provinces get
    # fewer, so that leaders never take a village's every household, R8)
    inst = pairing.generate(households=8000, seed=1)
    plan = pairing.solve(inst, time_limit=20, seed=0)
    assert pairing.validate(inst, plan).ok
    sheets: dict[str, Sheet] = {}
    for key, laid in annex_sheets(inst, plan, "zh", "编制日期：测试").items():
        for i, sheet in enumerate(laid):
            sheets[f"{key}_{i}"] = sheet
    rosters = roster_sheets(inst, plan, "zh")
    for pid in sorted(rosters)[:2]:
        for i, sheet in enumerate(rosters[pid]):
            sheets[f"roster_{pid}_{i}"] = sheet
    books = []
    for name, sheet in sheets.items():
        path = work / f"{name}.xlsx"
        write_workbook(path, [sheet])
        books.append(path)
    office = Office(work / "profile")
    pdfs = office.convert(books, "pdf", work / "pdf")
    return {
        name: (sheet, book, pdf)
        for (name, sheet), book, pdf in zip(sheets.items(), books, pdfs, strict=True)
    }


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _shown(value) -> str | None:
    """A cell as printed: numbers with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value) or None


def test_annex1_of_27_leaders_prints_on_at_most_2_pages(printed):
    sheet, _, pdf = printed["annex1_0"]
    assert len(sheet.frame) - 1 == 27  # the 27 province-tier leaders
    assert len(pdf_pages(pdf)) <= 2


def test_every_page_repeats_the_header_and_holds_every_column(printed):
    for name, (sheet, _, pdf) in printed.items():
        pages = pdf_pages(pdf)
        cols = [_flat(str(c)) for c in sheet.frame.columns]
        for k, page in enumerate(pages, start=1):
            flat = _flat(page)
            missing = [c for c in cols if c not in flat]
            assert not missing, f"{name} page {k}: no column {missing}"
        rows = len(sheet.frame)
        assert len(pages) <= math.ceil(rows / ROWS_PER_PAGE) + 1, (name, len(pages))
        assert f"第{len(pages)}页" in _flat(pages[-1])  # page numbers


def test_no_cell_text_is_cut(printed):
    for name, (sheet, _, pdf) in printed.items():
        text = _flat("".join(pdf_pages(pdf)))
        values = [sheet.title, sheet.label, sheet.subtitle, *sheet.notes]
        frame = sheet.frame
        for col in frame.columns:
            values += pd.unique(frame[col].map(_shown)).tolist()
        cut = [v for v in values if isinstance(v, str) and _flat(v) not in text]
        assert not cut, f"{name}: cut or missing {cut[:10]}"


def test_the_workbooks_carry_the_print_setup(printed):
    for name, (sheet, book, _) in printed.items():
        ws = openpyxl.load_workbook(book).worksheets[0]
        head = next(r[0].row for r in ws.iter_rows() if r[0].value == "序号")
        # readers that trust the sheet's dimension (read-only mode) see every row
        quick = openpyxl.load_workbook(book, read_only=True).worksheets[0]
        assert quick.max_row == ws.max_row >= head + len(sheet.frame), name
        assert ws.print_title_rows == f"${head}:${head}", name
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith(str(head + 1))
        setup = ws.page_setup
        # fitToWidth 1 is the file format's default, so it may be left out
        assert setup.paperSize == 9 and setup.fitToWidth in (None, 1), name
        assert setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        n = len(sheet.frame) - (1 if sheet.total else 0)
        body = list(ws.iter_rows(min_row=head + 1, max_row=head + n))
        assert [r[0].value for r in body] == list(range(1, n + 1)), name  # 序号
        for j, col in enumerate(sheet.frame.columns):
            values = sheet.frame[col].iloc[:n]
            if pd.api.types.is_numeric_dtype(values.infer_objects()):
                kinds = {r[j].data_type for r in body if r[j].value is not None}
                assert kinds <= {"n"}, (name, col, kinds)
        assert all(c.border.left.style == "thin" for c in body[-1]), name
        if sheet.total:
            total = list(ws.iter_rows(min_row=head + n + 1, max_row=head + n + 1))[0]
            assert total[0].value == "合计" and total[0].font.b


def test_the_cut_check_sees_a_cut(tmp_path, monkeypatch):
    """Columns forced too narrow: the rendered text loses characters, and the
    check above would say so (it can fail)."""
    from pairing.report import _workbook

    monkeypatch.setattr(_workbook, "MAX_WIDTH", 3)
    frame = pd.DataFrame(
        {
            "序号": [1, 2],
            "单位": ["延边朝鲜族自治州人民政府", "长白山保护开发区管理委员会"],
        }
    ).assign(编号=["UP0001", "UP0002"])
    path = tmp_path / "narrow.xlsx"
    write_workbook(path, [Sheet("t", frame, "标题")])
    (pdf,) = Office(tmp_path / "profile").convert([path], "pdf", tmp_path)
    text = _flat("".join(pdf_pages(pdf)))
    assert "延边朝鲜族自治州人民政府" not in text and "UP0001" in text
