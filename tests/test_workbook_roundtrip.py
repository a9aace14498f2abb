"""Instance workbooks survive a spreadsheet program: one re-saved by LibreOffice
(booleans become ``TRUE()``/``FALSE()`` formula cells with cached values)
loads as the same instance; real formulas are still refused, naming the cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from office import Office

import pairing
from pairing.errors import InputError
from pairing.io import _constant, load_instance, save_instance


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return Office(tmp_path_factory.mktemp("lo-profile"))


@pytest.fixture(scope="module")
def instance() -> pairing.Instance:
    return pairing.generate(households=2000, seed=4)


def _resave(office: Office, book: Path, out: Path) -> Path:
    (made,) = office.convert([book], "xlsx:Calc MS Excel 2007 XML", out)
    return made


def test_a_workbook_resaved_by_libreoffice_loads_as_the_same_instance(
    office, instance, tmp_path
):
    book = tmp_path / "instance.xlsx"
    save_instance(instance, book, format="xlsx")
    resaved = _resave(office, book, tmp_path / "lo")
    # LibreOffice did write booleans as constant formulas: the test means something
    wb = openpyxl.load_workbook(resaved)
    formulas = {
        str(c.value).upper()
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }
    assert formulas & {"=TRUE()", "=FALSE()"}, formulas
    loaded = load_instance(resaved)
    assert pairing.fingerprint(loaded) == pairing.fingerprint(instance)
    assert loaded.v_poor.sum() == instance.v_poor.sum()
    assert loaded.cadres["is_head"].sum() == instance.cadres["is_head"].sum()


def test_real_formulas_in_a_resaved_workbook_are_still_refused(
    office, instance, tmp_path
):
    book = tmp_path / "instance.xlsx"
    save_instance(instance, book, format="xlsx")
    wb = openpyxl.load_workbook(book)
    wb["villages"]["E3"] = "=1+1"  # severity of the second village
    wb["cadres"]["C2"] = "=A1"  # rank of the first cadre
    wb.save(book)
    resaved = _resave(office, book, tmp_path / "lo")
    with pytest.raises(InputError) as info:
        load_instance(resaved)
    formulas = [p for p in info.value.problems if "formula" in p.found]
    found = {(p.table, p.column, p.found, p.file) for p in formulas}
    assert found == {  # the TRUE()/FALSE() cells are fine
        (
            "villages",
            "severity",
            "a formula in cell E3",
            "instance.xlsx, sheet villages",
        ),
        ("cadres", "rank", "a formula in cell C2", "instance.xlsx, sheet cadres"),
    }


def test_constant_formulas_without_a_cached_value_read_as_the_constant(
    instance, tmp_path
):
    """openpyxl writes formulas with no cached value: the constant itself counts."""
    book = tmp_path / "instance.xlsx"
    save_instance(instance, book, format="xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["villages"]
    head = [c.value for c in ws[1]]
    poor = head.index("poor") + 1
    values = [ws.cell(row=r, column=poor).value for r in range(2, 6)]
    for r, v in zip(range(2, 6), values, strict=True):
        ws.cell(row=r, column=poor).value = "=TRUE()" if v else "=false"
    sev = head.index("severity") + 1
    ws.cell(row=2, column=sev).value = "=0.25"
    wb.save(book)
    loaded = load_instance(book)
    assert list(loaded.villages["poor"].iloc[:4]) == values
    assert loaded.villages["severity"].iat[0] == 0.25


@pytest.mark.parametrize(
    ("formula", "text"),
    [
        ("=TRUE()", "true"),
        ("=false", "false"),
        ("= FALSE ( )", "false"),
        ("=1", "1"),
        ("=-2.50", "-2.5"),
        ("=1e3", "1000"),
        ('="0990101"', "0990101"),
        ('="a""b"', 'a"b'),
        ("=1+1", None),
        ("=A1", None),
        ("=SUM(A1:A2)", None),
        ('=HYPERLINK("http://e.x")', None),
        ("=TRUE()+0", None),
        ("=cmd|' /C calc'!A0", None),
    ],
)
def test_only_constants_count_as_values(formula, text):
    assert _constant(formula) == text
