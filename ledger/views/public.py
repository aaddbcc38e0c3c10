"""Public ledger pages (no login): the wish form, the villager's own item page where they confirm
it is done (销号) or say it is not, and the promise lists of each village and township, on
screen and as one A4 page for the notice board.

The wish form and the villager's pages are `never_cache` (a CSRF token, personal data). The
promise lists hold no token and no personal data beyond masked names, so shared caches may keep
them a minute (`public, max-age=0, s-maxage=60`, varying on the cookies that choose language and
text size); a browser asks again each time, so a villager who has just confirmed sees it red.
"""

import datetime
import uuid
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_cookie

from approvals.tracking import CODE_DIGITS, code_sent_answer
from approvals.tracking_session import browser_value
from portal.errors import DomainError
from portal.offices.models import OfficeKind
from portal.offices.selectors import station_contact
from portal.people.identity import mask_name
from portal.places.models import Region, RegionLevel
from portal.printing.responses import pdf_response
from portal.throttle.client_address import client_address
from portal.web.forms import Form
from portal.web.site import site_url

from .. import forms, printing, public, selectors, services
from ..models import LedgerEvent, LedgerItem, Source
from ..states import Act, State

PUBLIC_PAGE_SIZE = 50
SHARED_MAX_AGE = 60
PUBLIC_CACHE_CONTROL = f"public, max-age=0, s-maxage={SHARED_MAX_AGE}"


# -- the wish form -------------------------------------------------------------------------------


def _wish_villages(request):
    """Every village with a station; narrowed to one township when the form was reached from
    a township's or village's page (?village=<code> or ?township=<code>)."""
    villages = selectors.villages_for_wishes()
    township = request.GET.get("township", "")
    if len(township) == 12 and township.isdigit():
        narrowed = villages.filter(parent__code=township)
        if narrowed.exists():
            return narrowed
    return villages


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def wish_form(request):
    villages = _wish_villages(request)
    status = 200
    if request.method == "POST":
        form = forms.WishForm(request.POST, request.FILES, villages=villages)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.ledger_item_submit(
                    village=data["village"],
                    villager_name=data["name"],
                    villager_mobile=data["mobile"],
                    need=data["need"],
                    kind=data["kind"],
                    photo=data["photo"],
                    client_token=data["client_token"],
                    address=client_address(request),
                )
            except public.PublicLimitReached as error:
                form.add_error(None, str(error))
                status = 429
            except DomainError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                public.allow(request.session, item.pk)
                messages.success(
                    request,
                    _(
                        "Your request is registered. Keep its number %(number)s: it has been sent to your mobile too."
                    )
                    % {"number": item.number},
                )
                return redirect("promises:item", number=item.number)
        else:
            status = 400
    else:
        form = forms.WishForm(villages=villages, initial={"client_token": uuid.uuid4()})
        code = request.GET.get("village", "")
        chosen = villages.filter(code=code).first() if len(code) == 12 and code.isdigit() else None
        if chosen is not None:
            form.fields["village"].initial = chosen.pk
    # A browser cannot be sent a file back: say so when the page comes back with one chosen.
    photo_lost = request.method == "POST" and status >= 400 and bool(request.FILES)
    return render(request, "ledger/wish_form.html", {"form": form, "photo_lost": photo_lost}, status=status)


# -- the villager's own item ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request):
    refused = ""
    status = 200
    if request.method == "POST":
        form = forms.LookupForm(request.POST)
        if form.is_valid():
            try:
                item = public.lookup(
                    number=form.cleaned_data["number"],
                    last4=form.cleaned_data["last4"],
                    address=client_address(request),
                )
            except public.LookupRefused as error:
                refused = str(error)
            else:
                public.allow(request.session, item.pk)
                return redirect("promises:item", number=item.number)
        status = 400
        number = public.normalise_number(request.POST.get("number", ""))
    else:
        form = forms.LookupForm()
        number = public.normalise_number(request.GET.get("number", ""))
    return render(
        request, "ledger/track_form.html", {"form": form, "number": number, "refused": refused}, status=status
    )


class CodeRequestForm(Form):
    number = django_forms.CharField(label=gettext_lazy("Request number"), max_length=40)


class CodeEntryForm(CodeRequestForm):
    code = django_forms.CharField(label=gettext_lazy("Code from the text message"), max_length=20)


def _code_page(request, form, entry, *, number: str, sent: str = "", refused: str = ""):
    context = {
        "form": form,
        "entry": entry,
        "number": number,
        "sent": sent,
        "refused": refused,
        "code_digits": CODE_DIGITS,
        "send_url": reverse("promises:code"),
        "enter_url": reverse("promises:code_enter"),
        "back_url": reverse("promises:track"),
    }
    return render(request, "approvals/track_code.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track_code(request):
    """Ask for a code by text message to the mobile on file: the same answer for every number."""
    sent, refused = "", ""
    if request.method == "POST":
        form = CodeRequestForm(request.POST)
        number = public.normalise_number(request.POST.get("number", ""))
        if form.is_valid():
            try:
                public.code_send(
                    number=form.cleaned_data["number"],
                    address=client_address(request),
                    browser=browser_value(request.session),
                )
            except public.LookupRefused as refusal:
                refused = str(refusal)
            else:
                sent = code_sent_answer()
    else:
        form = CodeRequestForm()
        number = public.normalise_number(request.GET.get("number", ""))
    return _code_page(request, form, CodeEntryForm(), number=number, sent=sent, refused=refused)


@never_cache
@require_POST
def track_code_enter(request):
    form = CodeEntryForm(request.POST)
    number = public.normalise_number(request.POST.get("number", ""))
    refused = ""
    if form.is_valid():
        try:
            item = public.code_open(
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
                browser=browser_value(request.session),
            )
        except public.LookupRefused as refusal:
            refused = str(refusal)
        else:
            public.allow(request.session, item.pk)
            return redirect("promises:item", number=item.number)
    return _code_page(request, CodeRequestForm(), form, number=number, refused=refused)


@dataclass(frozen=True)
class Step:
    at: datetime.datetime
    text: str


def _day(value) -> str:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value) if value else "-"


def _actor(event: LedgerEvent) -> str:
    """Who acted, in the villager's words: an office or a role, never a staff member's name."""
    office = event.actor_office
    if office is None:
        return _("You")
    if office.kind == OfficeKind.STATION:
        return _("Your village assistant")
    return office.name


def _step_text(event: LedgerEvent, item: LedgerItem) -> str:
    data = event.data or {}
    texts = {
        Act.REGISTER: lambda: (
            _("You sent the request online (登记).")
            if data.get("source") == Source.PUBLIC_FORM
            else _("Your village assistant registered the request (登记).")
        ),
        Act.ASSIGN: lambda: (
            _("%(who)s assigned it (交办): %(promise)s, promised by %(date)s.")
            % {
                "who": _actor(event),
                "promise": data.get("promise", ""),
                "date": _day(data.get("promised_on")),
            }
        ),
        Act.CLAIM: lambda: (
            _("%(who)s took it on (认领): %(promise)s, promised by %(date)s.")
            % {
                "who": _actor(event),
                "promise": data.get("promise", ""),
                "date": _day(data.get("promised_on")),
            }
        ),
        Act.NOTE: lambda: _("Progress: %(note)s") % {"note": event.comment},
        Act.MARK_DONE: lambda: _("%(who)s marked it done (办结).") % {"who": _actor(event)},
        Act.CONFIRM: lambda: _("You confirmed it is done (销号)."),
        Act.RECORD_CONFIRMATION: lambda: _(
            "Your village assistant recorded that you confirmed it is done (销号)."
        ),
        Act.NOT_DONE: lambda: _("You said it is not done: %(comment)s") % {"comment": event.comment},
        Act.RECORD_NOT_DONE: lambda: (
            _("Your village assistant passed on that it is not done: %(comment)s")
            % {"comment": event.comment}
        ),
        Act.CANCEL: lambda: _("It was cancelled (撤销): %(reason)s") % {"reason": event.comment},
    }
    return texts[event.act]()


def _villager_item(request, number: str) -> LedgerItem | None:
    return selectors.villager_item(public.normalise_number(number), public.allowed(request.session))


def _to_lookup(number: str):
    return HttpResponseRedirect(
        reverse("promises:track") + "?" + urlencode({"number": public.normalise_number(number)})
    )


@never_cache
@require_safe
def item_page(request, number: str):
    item = _villager_item(request, number)
    if item is None:
        return _to_lookup(number)
    return _item_page(request, item, forms.VillagerAnswerForm())


def _item_page(request, item: LedgerItem, form, status: int = 200):
    contact = station_contact(item.village)
    steps = [Step(event.at, _step_text(event, item)) for event in selectors.timeline(item, with_people=False)]
    return render(
        request,
        "ledger/villager_item.html",
        {
            "item": item,
            "name": mask_name(item.villager_name),
            "who": selectors.responsible_label(item) if item.promised_on else "",
            "overdue": item.is_overdue(),
            "steps": steps,
            "form": form,
            "station": contact.station,
            "assistant_mobiles": [user.mobile for user in contact.assistants if user.mobile],
            "list_url": reverse("promises:list", args=[item.village.code]),
        },
        status=status,
    )


@never_cache
@require_POST
def answer(request, number: str):
    """The villager's answer: done (销号) or not done (back to work, with what they said)."""
    item = _villager_item(request, number)
    if item is None:
        return _to_lookup(number)
    form = forms.VillagerAnswerForm(request.POST)
    if form.is_valid():
        done = form.cleaned_data["answer"] == "done"
        try:
            services.ledger_item_villager_answer(item=item, done=done, comment=form.cleaned_data["comment"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Thank you: it is closed (销号) and shows in red on the public list.")
                if done
                else _("Thank you: it is back in progress, with what you said."),
            )
            return redirect("promises:item", number=item.number)
    return _item_page(request, item, form, status=400)


# -- the promise lists ---------------------------------------------------------------------------

public_page = [vary_on_cookie, cache_control(public=True, max_age=0, s_maxage=SHARED_MAX_AGE), require_safe]


def _public(view):
    for decorator in reversed(public_page):
        view = decorator(view)
    return view


def _region(code: str) -> Region:
    region = selectors.promise_region(code)
    if region is None:
        raise Http404
    return region


SHOW_CHOICES = ("", "open", "overdue", "closed")


def _shown(queryset, show: str, today: datetime.date):
    if show == "open":
        return queryset.filter(state__in=[State.IN_PROGRESS, State.DONE])
    if show == "overdue":
        return queryset.filter(state=State.IN_PROGRESS, promised_on__lt=today)
    if show == "closed":
        return queryset.filter(state=State.CLOSED)
    return queryset


def _count_for(summary: selectors.PublicSummary, show: str) -> int:
    return {"": summary.promised, "open": summary.open, "overdue": summary.overdue, "closed": summary.closed}[
        show
    ]


@_public
def promises_index(request):
    """The townships with a centre, each linking to its list."""
    townships = Region.objects.filter(
        level=RegionLevel.TOWNSHIP, offices__kind=OfficeKind.CENTRE, offices__is_active=True
    ).order_by("code")
    return render(request, "ledger/promises_index.html", {"townships": list(townships)})


@_public
def promise_list(request, region_code: str):
    region = _region(region_code)
    today = timezone.localdate()
    show = request.GET.get("show", "")
    if show not in SHOW_CHOICES:
        show = ""
    summary = selectors.public_summary(region, today=today)
    paginator = Paginator(
        _shown(selectors.public_promises(region, today=today), show, today), PUBLIC_PAGE_SIZE
    )
    paginator.__dict__["count"] = _count_for(summary, show)  # the summary counted it already
    page = paginator.get_page(request.GET.get("page"))
    is_township = region.level == RegionLevel.TOWNSHIP
    township = region if is_township else region.parent
    return render(
        request,
        "ledger/promise_list.html",
        {
            "region": region,
            "township": township,
            "is_township": is_township,
            "villages": list(selectors.public_villages(region)) if is_township else [],
            "summary": summary,
            "page": page,
            "rows": selectors.public_rows(page.object_list, today=today),
            "show": show,
            "today": today,
            "wish_url": reverse("promises:wish_form")
            + "?"
            + urlencode({"township": township.code, **({} if is_township else {"village": region.code})}),
        },
    )


@_public
def promise_print(request, region_code: str):
    """One A4 page for the notice board: the most recent promises that fit, a QR to the live list."""
    region = _region(region_code)
    today = timezone.localdate()
    summary = selectors.public_summary(region, today=today)
    items = list(selectors.public_promises(region, today=today, most_recent=True)[: printing.MAX_ROWS])
    with translation.override(printing.PAPER_LANGUAGE):
        rows = selectors.public_rows(items, today=today)
        data = printing.promise_list_pdf(
            region=region,
            rows=rows,
            summary=summary,
            url=site_url(reverse("promises:list", args=[region.code])),
            today=today,
        )
    response = pdf_response(data, f"promises-{region.code}-{today:%Y%m%d}.pdf")
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


urlpatterns = [
    path("wishes/new/", wish_form, name="wish_form"),
    path("wishes/track/", track, name="track"),
    path("wishes/track/code/", track_code, name="code"),
    path("wishes/track/code/enter/", track_code_enter, name="code_enter"),
    path("wishes/<str:number>/", item_page, name="item"),
    path("wishes/<str:number>/answer/", answer, name="answer"),
    path("promises/", promises_index, name="index"),
    path("promises/<str:region_code>/", promise_list, name="list"),
    path("promises/<str:region_code>/print.pdf", promise_print, name="print"),
]
