"""Issue 18, gap 14: item codes are checked on import and in the item editor, by one rule
(services_catalog.item_codes); a refused code names the row and says what is wrong, and the
page's address comes from the checked code."""

import pytest

from services_catalog.catalogue_io import format as fmt
from services_catalog.item_codes import item_code_problem, item_code_slug
from services_catalog.models import ItemType, ServiceGuideIndexPage, ServiceItemPage

from .files import catalogue_data, database_counts, import_data

COUNTY = "120115000000"

# (code, words the message must contain)
BAD_CODES = [
    ("abc", "is not an item code"),
    ("120115 XK 002", "contains a space"),
    ("120116-XK-002", "another county's code"),
    ("120115-XK-0O2", "letter(s) O where a digit belongs"),
    ("１２０１１５-XK-002", "full-width character “１”"),
    ("120115－XK－002", "full-width character “－”"),
    ("120115-ХК-002", "CYRILLIC CAPITAL LETTER HA"),  # Cyrillic Х and К
    ("120115-XK-OO2", "letter(s) O where a digit belongs"),
    ("120115-xk-002", "write the type code in capitals"),
    ("120115-AB-002", "“AB” is not a type code"),
    ("120115-XK-2", "must be three to five digits"),
    ("12O115-XK-002", "six digits of the county code"),
    ("120115-XK-002\u200b", "ZERO WIDTH SPACE"),
    ("120115\u3000XK-002", "contains a space"),
]


class TestTheRule:
    @pytest.mark.parametrize(("code", "words"), BAD_CODES)
    def test_a_bad_code_is_refused_with_what_is_wrong(self, code, words):
        problem = item_code_problem(code, county_code=COUNTY, item_type=ItemType.LICENSING)
        assert problem is not None and words in problem, problem

    def test_a_good_code_passes(self):
        assert item_code_problem("120115-XK-002", county_code=COUNTY, item_type=ItemType.LICENSING) is None
        assert item_code_problem("120115-JF-016", county_code="120115", item_type=ItemType.BENEFIT) is None

    def test_the_type_code_must_name_the_items_type(self):
        problem = item_code_problem("120115-XK-002", county_code=COUNTY, item_type=ItemType.BENEFIT)
        assert problem is not None and "its code is JF" in problem

    def test_the_address_is_the_code_in_lower_case(self):
        assert item_code_slug("120115-XK-002") == "120115-xk-002"


class TestTheImport:
    @pytest.mark.parametrize(("code", "words"), BAD_CODES)
    def test_each_bad_code_is_refused_with_its_row_and_nothing_is_written(
        self, county_home, world, code, words
    ):
        data = catalogue_data()
        data[fmt.ITEMS][1]["item_code"] = code  # 高龄津贴, 行政给付, row 3
        data[fmt.ITEMS][1]["item_type"] = "行政许可"
        before = database_counts()

        report = import_data(county_home, data)

        assert not report.ok
        problems = [p for p in report.problems if p.column == "item_code" and p.sheet == fmt.ITEMS]
        assert [p.row for p in problems] == [3], report.problems
        assert words in problems[0].message
        assert database_counts() == before

    def test_a_junk_code_cannot_take_the_real_items_address(self, county_home, world):
        """The junk code (120115 XK 002) once took /guide/120115-xk-002/ and the real item landed
        on -2/: a code is refused before it gets an address, and an address held by another
        item refuses the row instead of moving the item."""
        import_data(county_home)
        guide = ServiceGuideIndexPage.objects.child_of(county_home).get()
        squatter = ServiceItemPage.objects.get(item_code="120115-GG-003")
        squatter.slug = "120115-jf-004"
        squatter.save_revision().publish()
        data = catalogue_data()
        data[fmt.ITEMS].append({**data[fmt.ITEMS][0], "item_code": "120115-JF-004", "name": "新事项"})

        report = import_data(county_home, data)

        assert [(p.row, p.column) for p in report.problems] == [(5, "item_code")]
        assert "/guide/120115-jf-004/" in report.problems[0].message
        assert not ServiceItemPage.objects.child_of(guide).filter(slug__startswith="120115-jf-004-").exists()

    def test_new_items_get_the_code_as_address(self, county_home, world):
        import_data(county_home)
        assert set(ServiceItemPage.objects.values_list("item_code", "slug")) == {
            ("120115-JF-001", "120115-jf-001"),
            ("120115-JF-002", "120115-jf-002"),
            ("120115-GG-003", "120115-gg-003"),
        }
