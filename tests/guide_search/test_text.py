"""Text into terms: normalising, pinyin, typo tolerance. No database."""

import pytest

from services_catalog.search import text
from services_catalog.search.synonyms import _compile
from services_catalog.search.terms import parse_query


def test_normalise_folds_width_case_and_punctuation():
    assert text.normalise("农村宅基地和建房（规划许可）审批") == "农村宅基地和建房 规划许可 审批"
    assert text.normalise("ＤＩＢＡＯ，  低保!") == "dibao 低保"
    assert text.normalise("绿 ü") == "绿 v"


def test_runs_split_characters_from_letters():
    assert list(text.runs("低保db 2024年")) == [(True, "低保"), (False, "db"), (False, "2024"), (True, "年")]


@pytest.mark.parametrize(
    ("typed", "syllables"),
    [
        ("dibao", ["di", "bao"]),
        ("gaifangzi", ["gai", "fang", "zi"]),
        ("canjiren", ["can", "ji", "ren"]),
        ("xian", ["xian"]),
        ("gaifangz", None),
        ("db", None),
    ],
)
def test_typed_pinyin_splits_into_fewest_syllables(typed, syllables):
    assert text.segment(typed) == syllables


@pytest.mark.parametrize(
    ("typed", "word", "expected"),
    [
        ("dibo", "dibao", True),  # one letter missing
        ("dbiao", "dibao", True),  # neighbours swapped
        ("dibaoo", "dibao", True),  # one letter extra
        ("gaifangz", "gaifangzi", True),
        ("dibao", "dibao", False),  # not a typo
        ("dbo", "dibao", False),  # two letters missing
        ("yibo", "yibao", True),
        ("yb", "yibao", False),
        ("abd", "abc", False),  # words under five letters get no typo tolerance
    ],
)
def test_one_typo_apart(typed, word, expected):
    assert text.one_typo_apart(typed, word) is expected


@pytest.mark.parametrize("typed", ["dibo", "dbiao", "dibaoo", "dibai"])
def test_fuzzy_terms_of_a_typo_meet_the_words_variants(typed):
    assert text.fuzzy_query_terms(typed) & text.fuzzy_index_terms("dibao")


def test_fuzzy_terms_are_prefixed_and_only_for_long_words():
    assert all(term.startswith(text.FUZZY_PREFIX) for term in text.fuzzy_index_terms("gaifangzi"))
    assert text.fuzzy_index_terms("yibo") == set()


def test_official_words_fit_a_title_that_phrases_them_a_little_differently():
    assert text.fits("宅基地建房", text.squash("农村宅基地和建房（规划许可）审批"))
    assert text.fits("最低生活保障", "最低生活保障审核确认")
    assert not text.fits("医疗保险", "城乡居民基本养老保险参保登记")
    assert not text.fits("低确认", "最低生活保障审核确认")  # six other characters between 低 and 确


def test_a_query_containing_a_villagers_word_also_searches_the_official_words():
    table = _compile((("低保", "最低生活保障"), ("盖房子", "宅基地建房")))
    parsed = parse_query("我家想盖房子", table)
    assert parsed.means == ["宅基地建房"]
    assert {"宅基地建房", "宅基", "建房", "盖房子"} <= set(parsed.terms)


def test_typed_pinyin_expands_exact_words_before_typos():
    table = _compile((("低保", "最低生活保障"), ("医保", "基本医疗保险")))
    assert parse_query("dibao", table).means == ["最低生活保障"]
    assert parse_query("yibao", table).means == ["基本医疗保险"]
    assert parse_query("dibo", table).means == ["最低生活保障"]
    assert parse_query("db", table).means == ["最低生活保障"]


def test_a_query_of_punctuation_has_no_words():
    assert parse_query("？？ …", ()).words == []
