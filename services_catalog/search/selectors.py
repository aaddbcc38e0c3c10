"""Searching the guide in villagers' words.

A search costs three queries, however many hits: the synonyms, the ranking (one grouped query
over the postings), and the hits' pages (one per page type among the hits, with their
`select_related` joined).
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, IntegerField, Max, Sum, Value, When
from django.db.models.functions import Length
from wagtail.models import Page

from services_catalog.models import Synonym

from .models import SearchTerm
from .registry import term_extractor_for, term_extractors
from .synonyms import synonym_table
from .terms import BONUS_PER_WORD_MATCHED, ParsedQuery, parse_query

# Hits scoring below this share of the best hit are noise: a shared character or a department
# name, not what the villager meant.
RELATIVE_CUTOFF = 0.2


@dataclass(frozen=True)
class SearchHit:
    """A page that matched, its score, and what of the query it matched.

    `matched` are the words of the query as typed (normalised) that this page matched;
    `means` are the official words those words stand for, when a synonym expanded them."""

    page: Page
    score: int
    matched: tuple[str, ...]
    means: tuple[str, ...]


def _ranking(parsed: ParsedQuery, limit: int):
    """The one grouped query: postings of the query's terms, weights summed per page, plus a
    bonus when the title contains the whole query or a synonym's official words, plus (for
    several words) a bonus per word the page matched. Best first."""
    integer = IntegerField()
    bonus = Max(
        Case(
            *(
                When(entry__title_key__contains=needle, then=Value(points))
                for needle, points in parsed.title_bonuses
            ),
            default=Value(0),
            output_field=integer,
        )
    )
    word_flags = {}
    if len(parsed.words) > 1:
        word_flags = {
            f"word_{index}": Max(
                Case(When(term__in=sorted(word.terms), then=Value(1)), default=Value(0), output_field=integer)
            )
            for index, word in enumerate(parsed.words)
        }
    score = F("base") + F("bonus")
    for name in word_flags:
        score += F(name) * BONUS_PER_WORD_MATCHED
    boosts = [
        When(
            entry__content_type_id=ContentType.objects.get_for_model(extractor.model).pk,
            then=Value(extractor.boost),
        )
        for extractor in term_extractors()
        if extractor.boost != 100
    ]
    if boosts:
        score = score * Case(*boosts, default=Value(100), output_field=integer) / 100
    return (
        SearchTerm.objects.filter(term__in=parsed.terms)
        .values("entry_id", "entry__content_type_id")
        .annotate(base=Sum("weight", output_field=integer), bonus=bonus, **word_flags)
        .annotate(score=score)
        .order_by("-score", "entry_id")[:limit]
    )


def guide_search(query: str, *, limit: int = 20) -> list[SearchHit]:
    """Live pages that match `query`, best first: specific pages with their extractor's
    `select_related` loaded (a service item's department). Three queries; none per hit."""
    parsed = parse_query(query, synonym_table())
    if not parsed.words:
        return []
    rows = list(_ranking(parsed, limit))
    if not rows:
        return []
    # Rows come best first, so dropping weak ones after the LIMIT equals a HAVING before it,
    # without the database computing the score twice.
    floor = max(parsed.min_score, rows[0]["score"] * RELATIVE_CUTOFF)
    rows = [row for row in rows if row["score"] >= floor]
    if not rows:
        return []
    pages = _pages_by_pk(rows)
    hits = []
    for row in rows:
        page = pages.get(row["entry_id"])
        if page is None:  # unpublished since it was indexed, or its type no longer registered
            continue
        if len(parsed.words) > 1:
            words = [word for index, word in enumerate(parsed.words) if row[f"word_{index}"]]
        else:
            words = parsed.words
        hits.append(
            SearchHit(
                page=page,
                score=row["score"],
                matched=tuple(word.typed for word in words),
                means=tuple(dict.fromkeys(means for word in words for means in word.means)),
            )
        )
    return hits


def _pages_by_pk(rows: list[dict]) -> dict[int, Page]:
    by_type: dict[int, list[int]] = {}
    for row in rows:
        by_type.setdefault(row["entry__content_type_id"], []).append(row["entry_id"])
    pages: dict[int, Page] = {}
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        extractor = term_extractor_for(model) if model is not None else None  # None: model removed
        if extractor is not None:
            pages.update((page.pk, page) for page in extractor.hits_queryset().filter(pk__in=pks))
    return pages


def search_common_words(*, limit: int = 12) -> list[str]:
    """Villagers' words to suggest (低保, 医保 …): the synonyms' phrases, shortest first. One query."""
    return list(Synonym.objects.order_by(Length("phrase"), "phrase").values_list("phrase", flat=True)[:limit])
