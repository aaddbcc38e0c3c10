"""可网上申请 (online_filing, optional column): villagers may start the item themselves; only
for an item that is both 网上可办 and 村级代办, and it goes out with the export."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.export import catalogue_export
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import ServiceItemPage

from .files import catalogue_data, import_data, workbook_bytes

pytestmark = pytest.mark.django_db


def _item(code: str) -> ServiceItemPage:
    return ServiceItemPage.objects.get(item_code=code)


def test_the_flag_is_imported_and_empty_means_no(county_home, world):
    data = catalogue_data()
    data["items"][0]["online_filing"] = "是"
    report = import_data(county_home, data)
    assert report.ok, report.problems
    assert _item("120115-JF-001").online_filing is True
    assert _item("120115-JF-002").online_filing is False


@pytest.mark.parametrize("column", ["online", "village_proxy"])
def test_the_flag_needs_online_and_village_proxy(county_home, world, column):
    data = catalogue_data()
    data["items"][0]["online_filing"] = "是"
    data["items"][0][column] = "否"
    report = import_data(county_home, data)
    assert not report.ok
    assert [(p.sheet, p.row, p.column) for p in report.problems] == [("items", 2, "online_filing")]


def test_the_export_writes_the_flag_and_imports_back_unchanged(county_home, world):
    data = catalogue_data()
    data["items"][0]["online_filing"] = "是"
    import_data(county_home, data)

    workbook = catalogue_export(county_home=county_home)
    rows = list(load_workbook(BytesIO(workbook), read_only=True)["items"].iter_rows(values_only=True))
    column = rows[0].index("online_filing/可网上申请")
    assert {row[0]: row[column] for row in rows[1:]} == {
        "120115-JF-001": "是",
        "120115-JF-002": "否",
        "120115-GG-003": "否",
    }

    report = catalogue_import(actor=None, source=workbook, county_home=county_home)
    assert report.written, report.problems
    assert all(counts.created == counts.updated == 0 for counts in report.counts.values())


def test_a_file_without_the_column_still_imports(county_home, world, monkeypatch):
    without = tuple(column for column in fmt.COLUMNS[fmt.ITEMS] if column.key != "online_filing")
    with monkeypatch.context() as patch:
        patch.setitem(fmt.COLUMNS, fmt.ITEMS, without)
        source = workbook_bytes(catalogue_data())
    report = catalogue_import(actor=None, source=source, county_home=county_home)
    assert report.ok, report.problems
    assert _item("120115-JF-001").online_filing is False
