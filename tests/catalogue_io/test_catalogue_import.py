"""`catalogue_import`: a clean file is written whole, a file with any problem not at all, and
importing what is already there changes nothing.

Page tree after importing `catalogue_data()` (see files.py):

    root
    └── 宝坻区 (CountyHomePage, /baodi/)
        └── 办事指南 (ServiceGuideIndexPage, slug "guide", created by the import)
            ├── 120115-jf-001  最低生活保障审核确认
            ├── 120115-jf-002  高龄津贴申领
            └── 120115-gg-003  就业登记
"""

import datetime
from unittest import mock

import pytest
from wagtail.models import Page, PageLogEntry

from portal.errors import DomainError, NotPermitted
from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.models import ImportPhase
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import (
    Delegation,
    DelegationMode,
    ItemType,
    Material,
    ServiceGuideIndexPage,
    ServiceItemPage,
    Synonym,
)

from .files import catalogue_data, csv_folder, database_counts, import_data, workbook_bytes


class TestAGoodFile:
    def test_it_creates_live_items_under_a_new_guide_page(self, county_home, world):
        report = import_data(county_home)

        assert report.ok and report.written and report.guide_created
        guide = ServiceGuideIndexPage.objects.child_of(county_home).get()
        assert (guide.title, guide.slug, guide.live) == ("办事指南", "guide", True)
        items = ServiceItemPage.objects.child_of(guide).order_by("item_code")
        assert [(item.item_code, item.slug, item.live) for item in items] == [
            ("120115-GG-003", "120115-gg-003", True),
            ("120115-JF-001", "120115-jf-001", True),
            ("120115-JF-002", "120115-jf-002", True),
        ]

    def test_it_sets_every_field_of_an_item(self, county_home, world):
        import_data(county_home)

        item = ServiceItemPage.objects.get(item_code="120115-JF-001")
        assert item.title == "最低生活保障审核确认"
        assert item.item_type == ItemType.BENEFIT
        assert item.department == world.d1
        assert sorted(event.name for event in item.life_events.all()) == ["社会保障", "社会救助"]
        assert (item.for_individuals, item.for_organisations) == (True, False)
        assert item.condition_lines == ["具有本区户籍", "家庭人均收入低于当地低保标准"]
        assert item.step_lines[0] == "申请人向村级代办员提出申请"
        assert [basis.text for basis in item.legal_bases.all()] == [
            "《社会救助暂行办法》第九条",
            "《天津市最低生活保障办法》第六条",
        ]
        assert [(p.name, p.working_days, p.legal_basis) for p in item.special_procedures.all()] == [
            ("公示", 7, "《最低生活保障审核确认办法》第二十一条")
        ]
        assert (item.legal_limit_days, item.promised_limit_days, item.is_immediate) == (30, 20, False)
        assert (item.fee, item.visits, item.village_proxy, item.online) == ("不收费", 0, True, True)
        assert (item.delivery, item.needs_second_approval) == ("村级代办员送达；邮寄", True)
        assert item.certificate_valid_months == 12
        assert (item.certificate_name, item.consult_phone, item.complaint_phone) == (
            "最低生活保障金领取证",
            "022-29240101",
            "12345",
        )
        employment = ServiceItemPage.objects.get(item_code="120115-GG-003")
        assert (employment.for_individuals, employment.for_organisations, employment.is_immediate) == (
            True,
            True,
            True,
        )
        assert employment.department == world.d2

    def test_materials_follow_the_order_column(self, county_home, world):
        import_data(county_home)

        item = ServiceItemPage.objects.get(item_code="120115-JF-001")
        assert [
            (m.name, m.form, m.copies, m.required, m.may_be_missing, m.notes) for m in item.materials.all()
        ] == [
            ("居民身份证", Material.Form.BOTH, 1, True, False, ""),
            ("户口簿", Material.Form.COPY, 1, True, False, ""),
            ("家庭收入情况声明", Material.Form.ORIGINAL, 1, False, True, "村级代办员可代填"),
        ]

    def test_delegations_get_their_centres_mode_and_dates(self, county_home, world):
        import_data(county_home)

        dibao = Delegation.objects.get(item__item_code="120115-JF-001")
        assert dibao.department == world.d1
        assert dibao.mode == DelegationMode.ENTRUSTMENT
        assert dibao.document_number == "宝坻政发〔2024〕12号"
        assert (dibao.valid_from, dibao.valid_until, dibao.revoked_on) == (
            datetime.date(2024, 3, 1),
            None,
            None,
        )
        assert set(dibao.centres.all()) == {world.centre_a, world.centre_b}
        elderly = Delegation.objects.get(item__item_code="120115-JF-002")
        assert elderly.mode == DelegationMode.AUTHORISATION
        assert elderly.valid_until == datetime.date(2026, 12, 31)
        # 全部: every centre of the county.
        assert set(elderly.centres.all()) == {world.centre_a, world.centre_b}

    def test_synonyms_are_created(self, county_home, world):
        import_data(county_home)

        assert dict(Synonym.objects.values_list("phrase", "means")) == {
            "低保": "最低生活保障",
            "高龄补贴": "高龄津贴",
        }

    def test_the_report_counts_every_sheet(self, county_home, world):
        report = import_data(county_home)

        assert report.as_dict()["counts"] == {
            "items": {"created": 3, "updated": 0, "unchanged": 0, "deleted": 0},
            "materials": {"created": 6, "updated": 0, "unchanged": 0, "deleted": 0},
            "delegations": {"created": 2, "updated": 0, "unchanged": 0, "deleted": 0},
            "synonyms": {"created": 2, "updated": 0, "unchanged": 0, "deleted": 0},
        }

    def test_an_existing_guide_page_is_used(self, county_home, world):
        guide = county_home.add_child(instance=ServiceGuideIndexPage(title="服务指南", slug="services"))

        report = import_data(county_home)

        assert not report.guide_created
        assert ServiceItemPage.objects.child_of(guide).count() == 3

    def test_a_csv_folder_imports_like_the_workbook(self, county_home, world, tmp_path):
        report = catalogue_import(
            actor=None, source=csv_folder(catalogue_data(), tmp_path / "catalogue"), county_home=county_home
        )

        assert report.written
        assert ServiceItemPage.objects.count() == 3
        assert Material.objects.count() == 6

    def test_headers_may_be_plain_keys(self, county_home, world):
        report = catalogue_import(
            actor=None, source=workbook_bytes(catalogue_data(), bilingual=False), county_home=county_home
        )

        assert report.written

    def test_each_import_is_logged_on_the_county_home(self, county_home, world):
        import_data(county_home)

        entry = PageLogEntry.objects.get(page=county_home, action="cunban.catalogue.import")
        assert entry.data["counts"]["items"]["created"] == 3

    def test_progress_is_reported_for_checking_and_writing(self, county_home, world):
        calls = []

        import_data(county_home, progress=lambda done, total, phase: calls.append((done, total, phase)))

        checks = [call for call in calls if call[2] == ImportPhase.CHECK]
        writes = [call for call in calls if call[2] == ImportPhase.WRITE]
        # 3 items + 6 materials + 2 delegations + 2 synonyms rows; 3 + 2 + 2 records to write.
        assert checks[0] == (0, 13, ImportPhase.CHECK) and checks[-1] == (13, 13, ImportPhase.CHECK)
        assert len(checks) == 14
        assert writes[0] == (0, 7, ImportPhase.WRITE) and writes[-1] == (7, 7, ImportPhase.WRITE)


class TestAFileWithProblems:
    @pytest.fixture
    def bad_data(self):
        data = catalogue_data()
        items, materials, delegations, synonyms = (data[sheet] for sheet in fmt.SHEETS)
        items[0]["name"] = ""  # items row 2: missing required value
        items[0]["promised_limit_days"] = 40  # row 2: promised > legal (30)
        items[1]["item_type"] = "行政审批"  # row 3: unknown item type
        items[1]["life_events"] = "养老；退休"  # row 3: unknown life event
        items[1]["visits"] = "两次"  # row 3: not a whole number
        items[1]["online"] = "可以"  # row 3: not yes/no
        items[2]["department"] = "宝坻区教育局"  # row 4: unknown department
        items[2]["conditions"] = "在法定劳动年龄内\n法律、法规规定的其他条件"  # row 4: catch-all
        items.append(
            {**items[2], "department": "宝坻区人力资源和社会保障局", "conditions": "在法定劳动年龄内"}
        )  # row 5: duplicate code
        materials[0]["copies"] = "-1"  # materials row 2
        materials.append({**materials[0], "item_code": "120115-XX-999", "copies": 1})  # row 8: unknown item
        delegations[0]["townships"] = "郝各庄镇；王卜庄镇"  # delegations row 2: unknown township
        delegations[0]["valid_until"] = "2024-02-01"  # row 2: before valid_from
        delegations[1]["department"] = "宝坻区人力资源和社会保障局"  # row 3: not the item's department
        delegations[1]["valid_from"] = "2024/05/01"  # row 3: bad date
        delegations[1]["mode"] = "下放"  # row 3: unknown mode
        synonyms.append({"phrase": "低保", "means": "低保金"})  # synonyms row 4: duplicate phrase
        return data

    def test_every_problem_is_reported_with_sheet_row_and_column(self, county_home, world, bad_data):
        report = import_data(county_home, bad_data)

        places = {(problem.sheet, problem.row, problem.column) for problem in report.problems}
        assert places == {
            ("items", 2, "name"),
            ("items", 2, "promised_limit_days"),
            ("items", 3, "item_type"),
            ("items", 3, "life_events"),
            ("items", 3, "visits"),
            ("items", 3, "online"),
            ("items", 4, "department"),
            ("items", 4, "conditions"),
            ("items", 5, "item_code"),
            ("materials", 2, "copies"),
            ("materials", 8, "item_code"),
            ("delegations", 2, "townships"),
            ("delegations", 2, "valid_until"),
            ("delegations", 3, "department"),
            ("delegations", 3, "valid_from"),
            ("delegations", 3, "mode"),
            ("synonyms", 4, "phrase"),
        }
        assert len(report.problems) == len(places)

    def test_the_messages_say_what_is_wrong(self, county_home, world, bad_data):
        report = import_data(county_home, bad_data)

        messages = {
            (problem.sheet, problem.row, problem.column): problem.message for problem in report.problems
        }
        assert messages[("items", 2, "name")] == "A value is required."
        assert messages[("items", 2, "promised_limit_days")] == (
            "The promised time limit (40 working days) is longer than the legal one (30)."
        )
        assert "“行政审批” is not one of: 行政许可、行政给付" in messages[("items", 3, "item_type")]
        assert "“退休”" in messages[("items", 3, "life_events")]
        assert messages[("items", 3, "online")] == "“可以” is not yes or no: write 是 or 否."
        assert messages[("items", 4, "department")] == "宝坻区 has no county department named “宝坻区教育局”."
        assert "catch-all" in messages[("items", 4, "conditions")]
        assert messages[("items", 5, "item_code")] == "The item code “120115-GG-003” is already on row 4."
        assert (
            messages[("materials", 8, "item_code")]
            == "No item with the code “120115-XX-999” is on the items sheet."
        )
        assert messages[("delegations", 2, "townships")] == "宝坻区 has no township named “王卜庄镇”."
        assert (
            messages[("delegations", 2, "valid_until")]
            == "The end date 2024-02-01 is before the start date 2024-03-01."
        )
        assert messages[("delegations", 3, "department")] == (
            "Only the item's holding department (宝坻区民政局) can delegate it."
        )
        assert (
            messages[("delegations", 3, "valid_from")] == "“2024/05/01” is not a date written as YYYY-MM-DD."
        )
        assert messages[("synonyms", 4, "phrase")] == "The phrase “低保” is already on row 2."

    def test_problems_are_listed_sheet_by_sheet_top_to_bottom(self, county_home, world, bad_data):
        report = import_data(county_home, bad_data)

        order = [(fmt.SHEETS.index(problem.sheet), problem.row) for problem in report.problems]
        assert order == sorted(order)

    def test_nothing_is_written(self, county_home, world, bad_data):
        before = database_counts()

        report = import_data(county_home, bad_data)

        assert not report.written
        assert database_counts() == before
        assert not ServiceGuideIndexPage.objects.exists()
        assert all(counts.created == counts.updated == 0 for counts in report.counts.values())

    def test_one_bad_row_keeps_a_changed_catalogue_from_being_written(self, county_home, world):
        import_data(county_home)
        before = database_counts()
        data = catalogue_data()
        data[fmt.ITEMS][0]["name"] = "最低生活保障审核确认（新）"  # a good change…
        data[fmt.SYNONYMS][1]["means"] = ""  # …and one bad cell elsewhere

        report = import_data(county_home, data)

        assert [(p.sheet, p.row, p.column) for p in report.problems] == [("synonyms", 3, "means")]
        assert database_counts() == before
        assert ServiceItemPage.objects.get(item_code="120115-JF-001").title == "最低生活保障审核确认"

    def test_a_refusal_while_writing_rolls_everything_back(self, county_home, world):
        """The checks mirror the models' rules; should a model still refuse a record, the
        items already written in the same import are rolled back with it."""
        before = database_counts()
        with mock.patch(
            "services_catalog.catalogue_io.services.importing.delegation_save",
            side_effect=DomainError("Refused by the model."),
        ):
            report = import_data(county_home)

        assert [(p.sheet, p.row, p.message) for p in report.problems] == [
            ("delegations", 2, "Refused by the model.")
        ]
        assert database_counts() == before

    def test_missing_and_unknown_columns_are_reported_on_row_1(self, county_home, world):
        data = catalogue_data()
        for row in data[fmt.MATERIALS]:
            row.pop("notes")
        workbook = workbook_bytes(data)
        # Rename the materials header cell of `notes` by dropping it and adding a stray column.
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(workbook))
        sheet = book["materials"]
        sheet.cell(row=1, column=8, value="remarks/说明")
        sheet.cell(row=2, column=9, value="stray")
        buffer = BytesIO()
        book.save(buffer)

        report = catalogue_import(actor=None, source=buffer.getvalue(), county_home=county_home)

        assert {(p.sheet, p.row, p.column) for p in report.problems} == {
            ("materials", 1, "H"),
            ("materials", 1, "notes"),
            ("materials", 2, "I"),
        }

    def test_a_missing_sheet_is_reported(self, county_home, world):
        data = catalogue_data()
        del data[fmt.SYNONYMS]

        report = import_data(county_home, data)

        assert [(p.sheet, p.row, p.message) for p in report.problems] == [
            ("synonyms", None, "The workbook has no sheet named “synonyms”.")
        ]

    def test_a_file_that_is_not_a_workbook_is_reported(self, county_home, world):
        report = catalogue_import(actor=None, source=b"item_code,name\n", county_home=county_home)

        assert len(report.problems) == 1
        assert "not an XLSX workbook" in report.problems[0].message

    def test_an_item_code_of_another_county_is_refused(self, county_home, world):
        from cms.models import CountyHomePage
        from tests.factories import RegionFactory

        other = RegionFactory(code="120114000000", name="武清区")
        other_home = Page.get_first_root_node().add_child(
            instance=CountyHomePage(title="武清区", slug="wuqing", region=other)
        )
        guide = other_home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))
        taken = ServiceItemPage(
            title="武清低保",
            slug="taken",
            item_code="120115-JF-001",
            item_type=ItemType.BENEFIT,
            department=world.d1,
            conditions="具有本区户籍",
            steps="申请",
            legal_limit_days=30,
            promised_limit_days=20,
        )
        guide.add_child(instance=taken)

        report = import_data(county_home)

        assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
            (
                "items",
                2,
                "item_code",
                "The item code “120115-JF-001” belongs to “武清低保” of another county.",
            )
        ]


class TestImportingAgain:
    def test_the_same_file_changes_nothing(self, county_home, world, good_workbook):
        catalogue_import(actor=None, source=good_workbook, county_home=county_home)
        before = database_counts()
        pages = {
            page.item_code: (page.last_published_at, page.latest_revision_created_at, page.latest_revision_id)
            for page in ServiceItemPage.objects.all()
        }
        material_ids = list(Material.objects.order_by("pk").values_list("pk", flat=True))

        report = catalogue_import(actor=None, source=good_workbook, county_home=county_home)

        assert report.written
        assert database_counts() == before
        assert {
            page.item_code: (page.last_published_at, page.latest_revision_created_at, page.latest_revision_id)
            for page in ServiceItemPage.objects.all()
        } == pages
        assert list(Material.objects.order_by("pk").values_list("pk", flat=True)) == material_ids
        assert {sheet: (c.created, c.updated, c.unchanged) for sheet, c in report.counts.items()} == {
            "items": (0, 0, 3),
            "materials": (0, 0, 6),
            "delegations": (0, 0, 2),
            "synonyms": (0, 0, 2),
        }

    def test_an_unchanged_catalogue_is_compared_in_a_fixed_number_of_queries(
        self, county_home, world, django_assert_num_queries
    ):
        import_data(county_home)

        # Checking (7): townships, departments, centres, life events, item codes of other
        # counties, addresses held by other items, stored delegation keys. Writing (12): savepoint, county home locked, items,
        # their materials, legal bases, special procedures and life events, delegations, their
        # centres, synonyms, the guide page, release savepoint. None of them per row.
        with django_assert_num_queries(19):
            report = import_data(county_home)

        assert report.counts["items"].unchanged == 3

    def test_a_changed_row_updates_only_that_item(self, county_home, world):
        import_data(county_home)
        revisions = {page.item_code: page.revisions.count() for page in ServiceItemPage.objects.all()}
        published = {page.item_code: page.last_published_at for page in ServiceItemPage.objects.all()}
        data = catalogue_data()
        data[fmt.ITEMS][1]["promised_limit_days"] = 5
        data[fmt.MATERIALS][4]["name"] = "社会保障卡"  # the second material of the same item

        report = import_data(county_home, data)

        assert report.counts["items"].updated == 1 and report.counts["items"].unchanged == 2
        assert report.counts["materials"].updated == 1 and report.counts["materials"].unchanged == 5
        for page in ServiceItemPage.objects.all():
            if page.item_code == "120115-JF-002":
                assert page.revisions.count() == revisions[page.item_code] + 1
                assert page.promised_limit_days == 5
                assert [m.name for m in page.materials.all()] == ["居民身份证", "社会保障卡"]
            else:
                assert page.revisions.count() == revisions[page.item_code]
                assert page.last_published_at == published[page.item_code]

    def test_a_removed_material_is_deleted_and_counted(self, county_home, world):
        import_data(county_home)
        data = catalogue_data()
        del data[fmt.MATERIALS][2]

        report = import_data(county_home, data)

        assert report.counts["materials"].deleted == 1
        assert [m.name for m in ServiceItemPage.objects.get(item_code="120115-JF-001").materials.all()] == [
            "居民身份证",
            "户口簿",
        ]

    def test_a_changed_delegation_is_updated_in_place(self, county_home, world):
        import_data(county_home)
        delegation = Delegation.objects.get(item__item_code="120115-JF-001")
        data = catalogue_data()
        data[fmt.DELEGATIONS][0].update(
            townships="郝各庄镇", revoked_on="2025-01-01", revoked_reason="收回区级办理"
        )

        report = import_data(county_home, data, actor=world.county_admin)

        assert report.counts["delegations"].updated == 1 and report.counts["delegations"].unchanged == 1
        delegation.refresh_from_db()
        assert list(delegation.centres.all()) == [world.centre_a]
        assert (delegation.revoked_on, delegation.revoked_reason, delegation.revoked_by) == (
            datetime.date(2025, 1, 1),
            "收回区级办理",
            world.county_admin,
        )

    def test_an_unpublished_item_in_the_file_is_published_again(self, county_home, world):
        import_data(county_home)
        page = ServiceItemPage.objects.get(item_code="120115-GG-003")
        page.unpublish()

        report = import_data(county_home)

        assert report.counts["items"].updated == 1
        assert ServiceItemPage.objects.get(item_code="120115-GG-003").live

    def test_attached_documents_of_a_material_survive_an_update(self, county_home, world):
        from wagtail.documents.models import Document

        import_data(county_home)
        document = Document.objects.create(title="低保申请表")
        Material.objects.filter(name="家庭收入情况声明").update(blank_form=document)
        data = catalogue_data()
        data[fmt.MATERIALS][2]["notes"] = "村级代办员可代填，须本人签字"

        import_data(county_home, data)

        material = Material.objects.get(name="家庭收入情况声明")
        assert (material.notes, material.blank_form) == ("村级代办员可代填，须本人签字", document)


class TestDryRun:
    def test_it_reports_what_would_change_and_writes_nothing(self, county_home, world):
        before = database_counts()

        report = import_data(county_home, dry_run=True)

        assert report.ok and not report.written and report.guide_created
        assert report.counts["items"].created == 3
        assert database_counts() == before


class TestPermission:
    @pytest.mark.parametrize("name", ["township_admin_a", "editor", "officer_d1", "clerk_a", "outsider"])
    def test_only_county_administrators_may_import(self, county_home, world, name):
        with pytest.raises(NotPermitted):
            import_data(county_home, actor=getattr(world, name))
        assert not ServiceItemPage.objects.exists()

    def test_a_county_administrator_may_import(self, county_home, world):
        report = import_data(county_home, actor=world.county_admin)

        assert report.written
        revision = ServiceItemPage.objects.get(item_code="120115-JF-001").latest_revision
        assert revision.user == world.county_admin

    def test_an_administrator_of_another_county_may_not(self, county_home, world):
        from portal.offices.models import OfficeKind
        from portal.people.roles import Role
        from portal.people.services import membership_create
        from tests.factories import OfficeFactory, RegionFactory, UserFactory

        other = RegionFactory(code="120114000000", name="武清区")
        office = OfficeFactory(name="武清区政务服务办公室", kind=OfficeKind.DEPARTMENT, region=other)
        admin = UserFactory(username="wuqing_admin")
        membership_create(actor=None, user=admin, office=office, role=Role.ADMINISTRATOR)

        with pytest.raises(NotPermitted):
            import_data(county_home, actor=admin)
