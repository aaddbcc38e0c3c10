"""Keeping the search index current. Signals call the first three; the demo loader, the
catalogue import and `manage.py rebuild_guide_search` call `search_index_rebuild`.

All of them work inside the caller's transaction when there is one, so a rolled-back publish
or synonym edit leaves the index as it was.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Page

from . import text
from .models import SearchEntry, SearchTerm
from .registry import TermExtractor, term_extractor_for, term_extractors
from .synonyms import CompiledSynonym, synonym_table
from .terms import page_terms, synonym_terms

BATCH_SIZE = 2000
REBUILD_CHUNK = 500

_deferral = threading.local()


@dataclass(frozen=True)
class RebuildStats:
    pages: int
    terms: int
    seconds: float


def _rows(page: Page, extractor: TermExtractor, synonyms: tuple[CompiledSynonym, ...]):
    entry = SearchEntry(
        page_id=page.pk,
        content_type=ContentType.objects.get_for_model(extractor.model),
        title_key=text.squash(page.title)[:255],
    )
    terms = [
        SearchTerm(entry_id=page.pk, term=term, weight=weight)
        for term, weight in page_terms(page.title, extractor.texts(page)).items()
    ]
    terms += [
        SearchTerm(entry_id=page.pk, term=term, weight=weight, from_synonym=True)
        for term, weight in synonym_terms(entry.title_key, synonyms).items()
    ]
    return entry, terms


def _is_deferred() -> bool:
    if getattr(_deferral, "depth", 0):
        _deferral.dirty = True
        return True
    return False


def search_entry_refresh(*, page: Page) -> bool:
    """Re-index one page from the database: its entry and terms replaced, or removed when it is
    no longer live and public. Returns whether the page is in the index afterwards.

    About six queries (the page, its prefetched rows, view restrictions, synonyms, delete,
    insert). Pages of types without a term extractor are ignored."""
    extractor = term_extractor_for(page.specific_class or type(page))
    if extractor is None or _is_deferred():
        return False
    fresh = extractor.indexable_queryset().filter(pk=page.pk).first()
    with transaction.atomic():
        SearchTerm.objects.filter(entry_id=page.pk).delete()
        SearchEntry.objects.filter(pk=page.pk).delete()
        if fresh is None:
            return False
        entry, terms = _rows(fresh, extractor, synonym_table())
        entry.save(force_insert=True)
        SearchTerm.objects.bulk_create(terms, batch_size=BATCH_SIZE)
    return True


def search_entry_remove(*, page_id: int) -> None:
    """Take a page out of the index (unpublished or deleted). Two queries; nothing if absent."""
    if _is_deferred():
        return
    SearchTerm.objects.filter(entry_id=page_id).delete()
    SearchEntry.objects.filter(pk=page_id).delete()


@transaction.atomic
def search_synonym_terms_rebuild() -> int:
    """Replace every page's synonym terms after a synonym changed. Reads titles from the index,
    not the pages, so it stays cheap (a fraction of a second for thousands of pages).
    Returns how many synonym terms there are now."""
    if _is_deferred():
        return 0
    synonyms = synonym_table()
    SearchTerm.objects.filter(from_synonym=True).delete()
    rows = [
        SearchTerm(entry_id=entry_id, term=term, weight=weight, from_synonym=True)
        for entry_id, title_key in SearchEntry.objects.values_list("pk", "title_key").iterator()
        for term, weight in synonym_terms(title_key, synonyms).items()
    ]
    SearchTerm.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


@transaction.atomic
def search_index_rebuild(*, progress: Callable[[str], None] | None = None) -> RebuildStats:
    """Drop the whole index and rebuild it from every live, public page of every registered
    type. A few queries per 500 pages; run it after bulk loads that bypass signals (demo data,
    catalogue import, `bulk_create`)."""
    started = time.monotonic()
    SearchTerm.objects.all().delete()
    SearchEntry.objects.all().delete()
    synonyms = synonym_table()
    pages = terms = 0
    for extractor in term_extractors():
        queryset = extractor.indexable_queryset()
        total = queryset.count()
        entries: list[SearchEntry] = []
        rows: list[SearchTerm] = []
        for page in queryset.iterator(chunk_size=REBUILD_CHUNK):
            entry, page_rows = _rows(page, extractor, synonyms)
            entries.append(entry)
            rows.extend(page_rows)
            if len(entries) >= REBUILD_CHUNK:
                pages, terms = _flush(entries, rows, pages, terms)
                if progress:
                    progress(f"{extractor.model._meta.verbose_name_plural}: {pages} of {total} pages indexed")
        pages, terms = _flush(entries, rows, pages, terms)
    stats = RebuildStats(pages=pages, terms=terms, seconds=time.monotonic() - started)
    if progress:
        progress(f"search index rebuilt: {stats.pages} pages, {stats.terms} terms in {stats.seconds:.1f} s")
    return stats


def _flush(entries: list[SearchEntry], rows: list[SearchTerm], pages: int, terms: int) -> tuple[int, int]:
    SearchEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    SearchTerm.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    pages, terms = pages + len(entries), terms + len(rows)
    entries.clear()
    rows.clear()
    return pages, terms


@contextmanager
def search_index_deferred() -> Iterator[None]:
    """Within this block (in this thread) signals do not touch the index; on leaving it, if
    anything changed, the index is rebuilt once. For imports that publish many pages or save
    many synonyms: one rebuild instead of one per change."""
    _deferral.depth = getattr(_deferral, "depth", 0) + 1
    if _deferral.depth == 1:
        _deferral.dirty = False
    try:
        yield
    finally:
        _deferral.depth -= 1
    if _deferral.depth == 0 and _deferral.dirty:
        search_index_rebuild()
