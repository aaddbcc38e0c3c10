"""The catalogue carries an item's own procedural law (程序依据, optional column) and refuses
《行政许可法》 for an item that is not a licence (issue 18, gap 7)."""

import pytest

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import ServiceItemPage

from .files import catalogue_data, import_data, workbook_bytes

pytestmark = pytest.mark.django_db

OWN_LAW = "《社会救助暂行办法》第十一条"


def test_an_item_s_own_law_is_imported(county_home, world):
    data = catalogue_data()
    data["items"][0]["procedure_basis"] = OWN_LAW
    report = import_data(county_home, data)
    assert report.ok, report.problems
    assert ServiceItemPage.objects.get(item_code="120115-JF-001").procedure_basis == OWN_LAW
    assert ServiceItemPage.objects.get(item_code="120115-JF-002").procedure_basis == ""


def test_the_licensing_law_for_a_benefit_is_refused_with_its_row(county_home, world):
    data = catalogue_data()
    data["items"][0]["procedure_basis"] = "《中华人民共和国行政许可法》第三十二条"
    report = import_data(county_home, data)
    assert not report.ok
    assert [(p.sheet, p.row, p.column) for p in report.problems] == [("items", 2, "procedure_basis")]


def test_the_licensing_law_for_a_licence_is_accepted(county_home, world):
    data = catalogue_data()
    # A licence's code carries XK (services_catalog.item_codes): rename the item on every sheet.
    code = data["items"][0]["item_code"]
    for rows in data.values():
        for row in rows:
            if row.get("item_code") == code:
                row["item_code"] = code.replace("-JF-", "-XK-")
    data["items"][0]["item_type"] = "行政许可"
    data["items"][0]["procedure_basis"] = "《中华人民共和国行政许可法》第三十二条"
    assert import_data(county_home, data).ok


def test_a_file_written_before_the_column_existed_still_imports(county_home, world, monkeypatch):
    without = tuple(column for column in fmt.COLUMNS[fmt.ITEMS] if column.key != "procedure_basis")
    with monkeypatch.context() as patch:
        patch.setitem(fmt.COLUMNS, fmt.ITEMS, without)
        source = workbook_bytes(catalogue_data())
    report = catalogue_import(actor=None, source=source, county_home=county_home)
    assert report.ok, report.problems
