"""`catalogue_export`: the import format, exactly, so that exporting and importing back is a no-op."""

import csv
from io import BytesIO

from openpyxl import load_workbook

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.export import catalogue_export, catalogue_export_to_folder
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import Material, ServiceItemPage, Synonym

from .files import database_counts, import_data


def sheet_rows(workbook: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(BytesIO(workbook), read_only=True)[sheet].iter_rows(values_only=True))


def test_the_workbook_has_the_four_sheets_with_bilingual_headers(county_home, world):
    import_data(county_home)

    workbook = catalogue_export(county_home=county_home)

    assert load_workbook(BytesIO(workbook), read_only=True).sheetnames == list(fmt.SHEETS)
    assert sheet_rows(workbook, "items")[0][:3] == (
        "item_code/事项编码",
        "name/事项名称",
        "item_type/事项类型",
    )
    assert sheet_rows(workbook, "synonyms") == [
        ("phrase/常用说法", "means/规范用语"),
        ("低保", "最低生活保障"),
        ("高龄补贴", "高龄津贴"),
    ]


def test_cells_are_written_in_the_format(county_home, world):
    import_data(county_home)

    workbook = catalogue_export(county_home=county_home)

    items = {
        row[0]: dict(zip([fmt.header_key(c) for c in sheet_rows(workbook, "items")[0]], row, strict=True))
        for row in sheet_rows(workbook, "items")[1:]
    }
    dibao = items["120115-JF-001"]
    assert dibao["item_type"] == "行政给付"
    assert dibao["department"] == "宝坻区民政局"
    assert dibao["life_events"] == "社会保障；社会救助"
    assert dibao["conditions"] == "具有本区户籍\n家庭人均收入低于当地低保标准"
    assert dibao["special_procedures"] == "公示|7|《最低生活保障审核确认办法》第二十一条"
    assert (dibao["legal_limit_days"], dibao["immediate"], dibao["village_proxy"]) == (30, "否", "是")
    assert items["120115-GG-003"]["applicant_scope"] == "个人；法人；其他组织"
    materials = sheet_rows(workbook, "materials")
    assert materials[1:4] == [
        ("120115-GG-003", 1, "劳动合同", "原件和复印件", 2, "是", "否", None),
        ("120115-JF-001", 1, "居民身份证", "原件和复印件", 1, "是", "否", None),
        ("120115-JF-001", 2, "户口簿", "复印件", 1, "是", "否", None),
    ]
    delegations = sheet_rows(workbook, "delegations")
    # 全部 is written out as the townships it meant, in division-code order.
    assert delegations[1] == (
        "120115-JF-001",
        "宝坻区民政局",
        "霍各庄镇；郝各庄镇",
        "委托",
        "宝坻政发〔2024〕12号",
        "2024-03-01",
        None,
        None,
        None,
    )
    assert delegations[2][2:4] == ("霍各庄镇；郝各庄镇", "授权")


def test_only_published_items_are_exported(county_home, world):
    import_data(county_home)
    ServiceItemPage.objects.get(item_code="120115-GG-003").unpublish()

    workbook = catalogue_export(county_home=county_home)

    assert [row[0] for row in sheet_rows(workbook, "items")[1:]] == ["120115-JF-001", "120115-JF-002"]
    assert "120115-GG-003" not in {row[0] for row in sheet_rows(workbook, "materials")[1:]}


def test_exporting_and_importing_the_workbook_changes_nothing(county_home, world):
    import_data(county_home)
    before = database_counts()
    published = dict(ServiceItemPage.objects.values_list("item_code", "last_published_at"))
    material_ids = set(Material.objects.values_list("pk", flat=True))

    report = catalogue_import(
        actor=None, source=catalogue_export(county_home=county_home), county_home=county_home
    )

    assert report.written, report.problems
    assert all(counts.created == counts.updated == counts.deleted == 0 for counts in report.counts.values())
    assert database_counts() == before
    assert dict(ServiceItemPage.objects.values_list("item_code", "last_published_at")) == published
    assert set(Material.objects.values_list("pk", flat=True)) == material_ids


def test_exporting_and_importing_a_csv_folder_changes_nothing(county_home, world, tmp_path):
    import_data(county_home)
    before = database_counts()

    files = catalogue_export_to_folder(county_home=county_home, path=tmp_path / "export")
    report = catalogue_import(actor=None, source=tmp_path / "export", county_home=county_home)

    assert sorted(path.name for path in files) == [
        "delegations.csv",
        "items.csv",
        "materials.csv",
        "synonyms.csv",
    ]
    assert report.written, report.problems
    assert all(counts.created == counts.updated == 0 for counts in report.counts.values())
    assert database_counts() == before


def test_the_csv_files_are_plain_utf8_with_bilingual_headers(county_home, world, tmp_path):
    import_data(county_home)

    catalogue_export_to_folder(county_home=county_home, path=tmp_path)

    raw = (tmp_path / "synonyms.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(raw.decode("utf-8").splitlines())) == [
        ["phrase/常用说法", "means/规范用语"],
        ["低保", "最低生活保障"],
        ["高龄补贴", "高龄津贴"],
    ]


def test_an_edited_export_imports_the_edit(county_home, world):
    """The round trip a county actually makes: download, change a cell, upload."""
    import_data(county_home)
    book = load_workbook(BytesIO(catalogue_export(county_home=county_home)))
    sheet = book["items"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "120115-JF-002":
            row[1].value = "高龄津贴申领（八十周岁以上）"
    buffer = BytesIO()
    book.save(buffer)

    report = catalogue_import(actor=None, source=buffer.getvalue(), county_home=county_home)

    assert report.counts["items"].updated == 1 and report.counts["items"].unchanged == 2
    assert ServiceItemPage.objects.get(item_code="120115-JF-002").title == "高龄津贴申领（八十周岁以上）"


def test_a_cell_that_looks_like_a_formula_stays_text(county_home, world):
    import_data(county_home)
    Synonym.objects.create(phrase="=1+1", means="公式")

    workbook = catalogue_export(county_home=county_home)

    # Quoted, so that no spreadsheet program evaluates it (issue 16, finding 5); the import
    # takes the quote off again.
    assert ("'=1+1", "公式") in sheet_rows(workbook, "synonyms")
    Synonym.objects.all().delete()
    catalogue_import(actor=None, source=workbook, county_home=county_home)
    assert Synonym.objects.filter(phrase="=1+1", means="公式").exists()
