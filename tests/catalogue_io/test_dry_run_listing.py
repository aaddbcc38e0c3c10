"""Issue 18, gap 14: a dry run lists, per item, what an import would change (added, changed
fields old → new, unchanged, removed material lines), in the report, the command's output and
the back office's run page."""

import io

from django.core.management import call_command
from django.urls import reverse

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.models import ImportRun
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.catalogue_io.services.importing import ChangeKind

from .files import catalogue_data, csv_folder, import_data, workbook_bytes


def _changed_catalogue() -> dict:
    data = catalogue_data()
    data[fmt.ITEMS][0]["promised_limit_days"] = 15  # 低保: 20 → 15
    data[fmt.ITEMS][0]["online"] = "否"
    data[fmt.ITEMS][0]["offline_reason"] = "须入户调查"
    data[fmt.MATERIALS] = [m for m in data[fmt.MATERIALS] if m["name"] != "家庭收入情况声明"]
    data[fmt.ITEMS].append({**data[fmt.ITEMS][2], "item_code": "120115-GG-004", "name": "失业登记"})
    return data


def test_the_dry_run_lists_each_item_and_each_changed_field(county_home, world):
    import_data(county_home)

    report = import_data(county_home, _changed_catalogue(), dry_run=True)

    assert report.ok and not report.written
    items = {change.key: change for change in report.changes if change.sheet == fmt.ITEMS}
    assert {code: change.kind for code, change in items.items()} == {
        "120115-JF-001": ChangeKind.CHANGED,
        "120115-JF-002": ChangeKind.UNCHANGED,
        "120115-GG-003": ChangeKind.UNCHANGED,
        "120115-GG-004": ChangeKind.ADDED,
    }
    fields = {(f.field, f.old, f.new) for f in items["120115-JF-001"].fields}
    assert ("promised_limit_days", "20", "15") in fields
    assert ("online", "是", "否") in fields
    assert ("offline_reason", "", "须入户调查") in fields
    removed = [f for f in items["120115-JF-001"].fields if f.field == "materials 3"]
    assert removed and removed[0].old.startswith("家庭收入情况声明") and removed[0].new == ""
    assert items["120115-GG-004"].title == "失业登记"
    synonyms = {change.key: change.kind for change in report.changes if change.sheet == fmt.SYNONYMS}
    assert synonyms == {"低保": ChangeKind.UNCHANGED, "高龄补贴": ChangeKind.UNCHANGED}


def test_the_command_prints_the_listing(county_home, world, tmp_path):
    import_data(county_home)
    folder = csv_folder(_changed_catalogue(), tmp_path / "catalogue")
    out = io.StringIO()

    call_command("import_catalogue", str(folder), "--dry-run", stdout=out, stderr=io.StringIO())

    text = out.getvalue()
    assert "changed items 120115-JF-001 最低生活保障审核确认" in text
    assert "    promised_limit_days: 20 → 15" in text
    assert "added items 120115-GG-004 失业登记" in text
    assert "unchanged items 120115-JF-002" in text


def test_the_back_office_run_page_lists_the_changes(county_home, world, login, client):
    import_data(county_home)
    run = ImportRun.objects.create(
        county=world.county, original_name="c.xlsx", dry_run=True, status=ImportRun.Status.DONE
    )
    report = catalogue_import(
        actor=None, source=workbook_bytes(_changed_catalogue()), county_home=county_home, dry_run=True
    )
    run.report = report.as_dict()
    run.save()
    login(world.county_admin)

    page = client.get(reverse("catalogue_io:run", args=[run.pk])).content.decode()

    assert "record by record" in page
    assert "promised_limit_days" in page and "20 → 15" in page
