"""Keeping the index current: publish, unpublish, delete, synonyms, rebuilds."""

from io import StringIO

import pytest
from django.core.management import call_command

from services_catalog.models import Synonym
from services_catalog.search.models import SearchEntry, SearchTerm
from services_catalog.search.selectors import guide_search
from services_catalog.search.services import (
    search_entry_refresh,
    search_index_deferred,
    search_index_rebuild,
)

from .conftest import EXTREME_POVERTY, HOUSING, ITEMS, LOW_INCOME


def titles(query: str) -> list[str]:
    return [hit.page.title for hit in guide_search(query)]


def test_publishing_indexes_the_item(catalogue, world):
    item = catalogue.add_item("困难残疾人生活补贴发放", department=world.d1)
    assert SearchEntry.objects.filter(pk=item.pk).exists()
    assert titles("困难残疾人生活补贴")[0] == item.title


def test_a_draft_is_not_indexed(catalogue, world):
    draft = catalogue.add_item("困难残疾人生活补贴发放", department=world.d1, publish=False)
    assert not SearchEntry.objects.filter(pk=draft.pk).exists()


def test_unpublishing_removes_the_item(catalogue):
    item = catalogue.items[LOW_INCOME]
    item.unpublish()
    assert not SearchEntry.objects.filter(pk=item.pk).exists()
    assert not SearchTerm.objects.filter(entry_id=item.pk).exists()
    assert LOW_INCOME not in titles("低保")
    assert LOW_INCOME not in titles("dibao")


def test_deleting_removes_the_item(catalogue):
    item = catalogue.items[HOUSING]
    item.delete()
    assert not SearchEntry.objects.filter(pk=item.pk).exists()
    assert HOUSING not in titles("盖房子")


def test_republishing_a_new_title_replaces_the_old_terms(catalogue):
    item = catalogue.items[EXTREME_POVERTY]
    item.title = "特困人员救助供养审核确认"
    item.save_revision().publish()
    assert titles("供养审核")[0] == item.title
    assert SearchEntry.objects.get(pk=item.pk).title_key == "特困人员救助供养审核确认"


def test_a_new_synonym_takes_effect_at_once(catalogue):
    assert EXTREME_POVERTY not in titles("五保")
    Synonym.objects.create(phrase="五保", means="特困人员")
    assert titles("五保")[0] == EXTREME_POVERTY
    assert titles("wubao")[0] == EXTREME_POVERTY
    assert titles("wb")[0] == EXTREME_POVERTY


def test_a_changed_synonym_moves_its_terms(catalogue):
    synonym = Synonym.objects.get(phrase="盖房子")
    synonym.means = "特困人员"  # a deliberate mistake by an administrator, then fixed
    synonym.save()
    assert titles("gfz")[0] == EXTREME_POVERTY
    synonym.means = "宅基地建房"
    synonym.save()
    assert titles("gfz")[0] == HOUSING


def test_a_deleted_synonym_stops_working(catalogue):
    Synonym.objects.filter(phrase="盖房子").delete()
    assert titles("gaifangzi") == []
    assert not SearchTerm.objects.filter(term="盖房子").exists()


def test_synonym_terms_are_kept_apart_from_page_terms(catalogue):
    item = catalogue.items[LOW_INCOME]
    assert SearchTerm.objects.filter(entry_id=item.pk, term="dibao", from_synonym=True).exists()
    assert not SearchTerm.objects.filter(entry_id=item.pk, term="dibao", from_synonym=False).exists()


def test_a_full_rebuild_gives_the_same_index(catalogue):
    def snapshot():
        return set(SearchTerm.objects.values_list("entry_id", "term", "weight", "from_synonym"))

    before = snapshot()
    lines = []
    stats = search_index_rebuild(progress=lines.append)
    assert snapshot() == before
    assert stats.pages == len(ITEMS) and stats.terms == len(before)
    assert "8 pages" in lines[-1]


def test_the_rebuild_command_prints_progress(catalogue):
    SearchTerm.objects.all().delete()
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("rebuild_guide_search", stdout=out)
    assert "search index rebuilt: 8 pages" in out.getvalue()
    assert titles("低保")[0] == LOW_INCOME


def test_changes_inside_a_deferred_block_rebuild_once_at_the_end(catalogue, world, monkeypatch):
    from services_catalog.search import services

    rebuilds = []
    monkeypatch.setattr(services, "search_index_rebuild", lambda: rebuilds.append(search_index_rebuild()))
    with search_index_deferred():
        Synonym.objects.create(phrase="五保", means="特困人员")
        Synonym.objects.create(phrase="补残疾证", means="残疾人证")
        item = catalogue.add_item("困难残疾人生活补贴发放", department=world.d1)
        assert not SearchEntry.objects.filter(pk=item.pk).exists()
        assert not SearchTerm.objects.filter(term="五保").exists()
    assert len(rebuilds) == 1
    assert SearchTerm.objects.filter(term="五保", from_synonym=True).exists()
    assert titles("五保")[0] == EXTREME_POVERTY
    assert titles("困难残疾人生活补贴")[0] == item.title


def test_a_deferred_block_without_changes_does_not_rebuild(catalogue, monkeypatch):
    from services_catalog.search import services

    monkeypatch.setattr(services, "search_index_rebuild", lambda: pytest.fail("rebuilt for nothing"))
    with search_index_deferred():
        titles("低保")


def test_refreshing_a_page_of_an_unregistered_type_does_nothing(catalogue):
    assert search_entry_refresh(page=catalogue.guide) is False
    assert not SearchEntry.objects.filter(pk=catalogue.guide.pk).exists()
