"""The search page: one box, results best first, each saying where it is done for the villager.

The search boxes post their query here (`results`, POST), and the answer is a redirect to the
results' URL: /search/?q=低保. A query that looks like a resident ID number or a mobile number
is never put in a URL: the redirect goes to /search/?refused=id, which says (Chinese first) not
to search by ID number and does not repeat it. So the number stays out of the address bar, the
browser's history, the Referer sent to the next page and the web server's access log (a POST's
body is not logged). The boxes also carry a `pattern` that stops such a query in the browser
before it is sent at all. An ID-like `?q=` typed into the address bar is answered the same way,
without echoing it. Cunban's code logs no search query. Issue 16, finding 17.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.offices.selectors import place_from_request
from services_catalog.models import ServiceItemPage
from services_catalog.selectors import Route

from . import text
from .routing import service_item_routes
from .selectors import SearchHit, guide_search, search_common_words

MAX_QUERY_LENGTH = 100

# Eleven or more digits in a row once spaces, dashes and dots are taken out: an 18-character
# resident ID number (the last may be X), an old 15-digit one, or an 11-digit mobile. No item or
# word of the guide has such a number in it.
_ID_LIKE = re.compile(r"\d{11,}")
_SEPARATORS = re.compile(r"[\s\-.·_/+()（）]")
# The same rule for the browser (the pattern attribute is anchored and has the v flag).
ID_LIKE_PATTERN = r"(?!.*[0-9０-９]{11}).*"


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


def looks_like_id_number(query: str) -> bool:
    """Is this query a resident ID number or a mobile number (full-width digits too)?"""
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", query))
    return bool(_ID_LIKE.search(folded))


@csrf_exempt  # a search changes nothing; the token would stop the home page being cached whole
@require_http_methods(["GET", "HEAD", "POST"])
def results(request):
    if request.method == "POST":
        typed = request.POST.get("q", "").strip()
        query = typed[:MAX_QUERY_LENGTH]
        if looks_like_id_number(query):
            return HttpResponseRedirect(reverse("guide_search:results") + "?refused=id", status=303)
        # A cut query says so on the results page (the address carries only what was searched).
        params = {"q": query, **({"cut": "1"} if len(typed) > MAX_QUERY_LENGTH else {})}
        suffix = "?" + urlencode(params) if query else ""
        return HttpResponseRedirect(reverse("guide_search:results") + suffix, status=303)
    typed = request.GET.get("q", "").strip()
    query = typed[:MAX_QUERY_LENGTH]
    query_cut = len(typed) > MAX_QUERY_LENGTH or (bool(query) and request.GET.get("cut") == "1")
    if looks_like_id_number(query):
        # Typed into the address bar: off the address (the page's own links would repeat it).
        return HttpResponseRedirect(reverse("guide_search:results") + "?refused=id")
    if request.GET.get("refused") == "id":
        # Not echoed, not searched: the page only says why.
        return render(
            request,
            "guide_search/results.html",
            {"query": "", "refused_id": True, "rows": [], "id_like_pattern": ID_LIKE_PATTERN},
        )
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
        "query_cut": query_cut,
        "max_query_length": MAX_QUERY_LENGTH,
        "rows": rows,
        "means": list(dict.fromkeys(means for hit in hits for means in hit.means)),
        "village": village,
        "common_words": search_common_words() if not hits else [],
        "id_like_pattern": ID_LIKE_PATTERN,
    }
    return render(request, "guide_search/results.html", context)
