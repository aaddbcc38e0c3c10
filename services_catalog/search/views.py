"""The search page: one box, results best first, each saying where it is done for the villager."""

import unicodedata
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from portal.offices.selectors import place_from_request
from services_catalog.models import ServiceItemPage
from services_catalog.selectors import Route

from . import text
from .routing import service_item_routes
from .selectors import SearchHit, guide_search, search_common_words

MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class ResultRow:
    hit: SearchHit
    title_html: SafeString
    route: Route | None


def marked_title(title: str, hit: SearchHit) -> SafeString:
    """The title with the parts the query matched in <mark>: pairs of characters from the typed
    Chinese words and from the official words their synonyms stand for."""
    needles = [
        squashed for squashed in (text.squash(word) for word in (*hit.matched, *hit.means)) if squashed
    ]
    pairs = {pair for needle in needles for pair in text.bigrams(needle)}
    singles = {needle for needle in needles if len(needle) == 1}
    folded = [unicodedata.normalize("NFKC", char).lower() for char in title]
    covered = [char in singles for char in folded]
    for index in range(len(title) - 1):
        if folded[index] + folded[index + 1] in pairs:
            covered[index] = covered[index + 1] = True
    html, index = [], 0
    while index < len(title):
        end = index
        while end < len(title) and covered[end] == covered[index]:
            end += 1
        piece = escape(title[index:end])
        html.append(f"<mark>{piece}</mark>" if covered[index] else piece)
        index = end
    return mark_safe("".join(html))  # noqa: S308 - every piece is escaped above


@require_safe
def results(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    hits = guide_search(query) if query else []
    village = place_from_request(request)
    routes: dict[int, Route] = {}
    if village is not None and hits:
        items = [hit.page for hit in hits if isinstance(hit.page, ServiceItemPage)]
        routes = service_item_routes(items=items, township=village.parent)
    rows = [
        ResultRow(hit=hit, title_html=marked_title(hit.page.title, hit), route=routes.get(hit.page.pk))
        for hit in hits
    ]
    context = {
        "query": query,
        "rows": rows,
        "means": list(dict.fromkeys(means for hit in hits for means in hit.means)),
        "village": village,
        "common_words": search_common_words() if not hits else [],
    }
    return render(request, "guide_search/results.html", context)
