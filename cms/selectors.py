"""Read-side queries for policy and news pages. Listings never run a query per row.

A row's link comes from `pageurl`, which needs only the row's own `url_path` and the site root
paths Wagtail caches on the request, so listing a page of twenty costs the same as listing one.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Manager, QuerySet

from services_catalog.models import ServiceItemPage

from .models import CountyHomePage, NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage

LIST_PAGE_SIZE = 20


def policies_live_in(index: PolicyIndexPage) -> QuerySet[PolicyPage]:
    """Live policies under `index`, newest effective date first (the body is not loaded)."""
    return PolicyPage.objects.live().child_of(index).defer("body").order_by("-effective_date", "-pk")


def policy_list_page(*, index: PolicyIndexPage, number: str | int | None) -> PaginatorPage:
    """One page of `policies_live_in(index)`; a missing or wrong number gives the nearest page.
    Two queries: the count and the rows."""
    return Paginator(policies_live_in(index), LIST_PAGE_SIZE).get_page(number)


def news_live_in(index: NewsIndexPage) -> QuerySet[NewsPage]:
    """Live news under `index`, newest first (the body is not loaded)."""
    return NewsPage.objects.live().child_of(index).defer("body").order_by("-date", "-pk")


def news_list_page(*, index: NewsIndexPage, number: str | int | None) -> PaginatorPage:
    return Paginator(news_live_in(index), LIST_PAGE_SIZE).get_page(number)


def policy_attachments(policy: PolicyPage):
    """The policy's attachments with their documents, in one query.

    Works on a preview too: there `policy` was rebuilt from a revision and its attachments are
    in memory, which `select_related` leaves alone."""
    return policy.attachments.select_related("document").order_by("sort_order")


def policy_service_items(policy: PolicyPage) -> list:
    """The live service items the policy governs, by title (one query, in memory on a preview)."""
    return sorted((item for item in policy.related_items.all() if item.live), key=lambda item: item.title)


def live_policies(policies: Iterable[PolicyPage]) -> list[PolicyPage]:
    """Live policies from `policies` (a related manager, queryset or list), newest in force first.

    Filters in memory, so `item.related_policies` prefetched by the caller costs no query and
    an unprefetched one costs exactly one."""
    if isinstance(policies, Manager):  # a related manager: its prefetch cache, or one query
        policies = policies.all()
    live = [policy for policy in policies if policy.live]
    return sorted(live, key=lambda policy: (policy.effective_date, policy.pk), reverse=True)


def service_items_in_county_of(page) -> QuerySet:
    """The service items an editor may link from a policy placed at or under `page`: those of
    the same county home. None when `page` is not inside a county (or not saved yet)."""
    if page is None or page.pk is None:
        return ServiceItemPage.objects.none()
    county = CountyHomePage.objects.ancestor_of(page, inclusive=True).first()
    if county is None:
        return ServiceItemPage.objects.none()
    return ServiceItemPage.objects.descendant_of(county).order_by("title")


FRONT_PAGE_LATEST = 3


@dataclass(frozen=True)
class CountyFront:
    """What the villagers' home page says about the county: its name, and its latest policies
    and news with links to their lists. The lists are evaluated by the caller (one query each)."""

    county_name: str
    policies_index: PolicyIndexPage | None
    news_index: NewsIndexPage | None
    latest_policies: list[PolicyPage]
    latest_news: list[NewsPage]


def county_front(*, root_page_id: int | None) -> CountyFront | None:
    """The county whose home page is the site's root (or the first county, when the root is
    another page), for the front page. Five queries, whatever the number of pages; the home
    page is served from the page cache, so they run once per content change."""
    homes = CountyHomePage.objects.live().select_related("region").order_by("pk")
    home = (homes.filter(pk=root_page_id).first() if root_page_id else None) or homes.first()
    if home is None:
        return None
    policies_index = (
        PolicyIndexPage.objects.live().child_of(home).only("title", "url_path", "path", "depth").first()
    )
    news_index = (
        NewsIndexPage.objects.live().child_of(home).only("title", "url_path", "path", "depth").first()
    )
    return CountyFront(
        county_name=home.region.name,
        policies_index=policies_index,
        news_index=news_index,
        latest_policies=list(policies_live_in(policies_index)[:FRONT_PAGE_LATEST]) if policies_index else [],
        latest_news=list(news_live_in(news_index)[:FRONT_PAGE_LATEST]) if news_index else [],
    )
