"""The search index: one entry per indexed page and its postings (term, weight).

Wagtail's database search backend does not split Chinese, so the guide keeps its own index:
terms are character bigrams and unigrams, pinyin, initials, typo variants and villagers' words
(`services_catalog.search.terms`). A search is one grouped query over `SearchTerm`
(`term IN (…)`, weights summed per page), the same on SQLite and PostgreSQL.

Rows are derived data: `search_index_rebuild()` (or `manage.py rebuild_guide_search`) can drop
and rebuild them at any time, and signals keep them current between rebuilds.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """A live page in the index. Its primary key is the page's id, so deleting the page deletes
    the entry and its terms by cascade."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("page"),
    )
    # Which model to load hits from, without a join to wagtailcore_page at query time.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The normalised title (text.squash): the bonus for a query contained in the title is a
    # LIKE on this column, and synonym terms are recomputed from it alone.
    title_key = models.CharField(max_length=255)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return self.title_key


class SearchTerm(models.Model):
    """A posting: `entry` has `term` with `weight`. Terms that come from synonyms are kept apart
    (`from_synonym`) so a synonym change replaces them without re-reading any page."""

    # No index of its own: the unique constraint's index starts with the entry.
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="terms", db_index=False)
    term = models.CharField(max_length=120)
    weight = models.PositiveSmallIntegerField()
    from_synonym = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "from_synonym", "term"], name="guide_search_term_once_per_source"
            ),
        ]
        # Covers the search query: PostgreSQL answers `term IN (…)` with entry and weight from
        # the index alone.
        indexes = [models.Index(fields=["term", "entry", "weight"], name="guide_search_term_lookup")]

    def __str__(self) -> str:
        return f"{self.term} ({self.weight})"
