"""Which page types the search indexes, and what text each one contributes.

The indexer always indexes a page's title (bigrams, pinyin, initials, synonyms). A page type
adds its other texts by registering a term extractor, usually in its app's `ready()`:

    from services_catalog.search.registry import Weight
    from services_catalog.search.signals import index_page_type

    index_page_type(
        PolicyPage,
        texts=lambda page: [(page.document_number, Weight.FIELD), (page.summary, Weight.SUMMARY)],
        select_related=["issuer"],
    )

`index_page_type` registers the extractor here and connects the signals that keep the page
type's entries current (published, unpublished, deleted); this module only keeps the table, so
the indexing services can read it without importing the signals. Run `manage.py rebuild_guide_search` once after adding a type, to index
the pages published before it was registered.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from django.db.models import QuerySet
from wagtail.models import Page


class Weight(IntEnum):
    """How much one character bigram of an extracted text counts (a title bigram counts 12)."""

    SUMMARY = 4
    FIELD = 2
    DETAIL = 1


TextsFunction = Callable[[Page], Iterable[tuple[str, int]]]


@dataclass(frozen=True)
class TermExtractor:
    """What the index reads from pages of `model` besides the title.

    `texts(page)` yields (text, weight) pairs, weight usually a `Weight`. `select_related` and
    `prefetch_related` name what it reads, so indexing many pages costs a few queries;
    `select_related` is also applied to search hits, which the results page shows.
    `boost` (percent) scales a page type's scores: service items are what villagers come to
    do, so a policy page that explains an item ranks below the item itself."""

    model: type[Page]
    texts: TextsFunction
    select_related: Sequence[str] = field(default_factory=tuple)
    prefetch_related: Sequence[str] = field(default_factory=tuple)
    boost: int = 100

    def hits_queryset(self) -> QuerySet:
        """Pages as search hits show them: live, specific, with `select_related` joined."""
        return self.model.objects.live().select_related(*self.select_related)

    def indexable_queryset(self) -> QuerySet:
        """Pages that belong in the index (live, public, not aliases), with what `texts` reads.

        Costs one query for Wagtail's view restrictions when evaluated, besides its own."""
        return (
            self.hits_queryset()
            .public()
            .filter(alias_of__isnull=True)
            .prefetch_related(*self.prefetch_related)
            .order_by("pk")
        )


_extractors: dict[type[Page], TermExtractor] = {}


def register_term_extractor(
    model: type[Page],
    *,
    texts: TextsFunction,
    select_related: Sequence[str] = (),
    prefetch_related: Sequence[str] = (),
    boost: int = 100,
) -> TermExtractor:
    """What the index reads from pages of `model`; registering the same model again replaces it.
    Use `signals.index_page_type`, which also keeps the index current."""
    extractor = TermExtractor(
        model=model,
        texts=texts,
        select_related=tuple(select_related),
        prefetch_related=tuple(prefetch_related),
        boost=boost,
    )
    _extractors[model] = extractor
    return extractor


def term_extractor_for(model: type) -> TermExtractor | None:
    return _extractors.get(model)


def term_extractors() -> list[TermExtractor]:
    return list(_extractors.values())
