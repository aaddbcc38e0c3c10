"""Read-side queries for the service guide: routing, listings, the villager's place."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from pypinyin import lazy_pinyin
from wagtail.models import Page

from portal.errors import required
from portal.offices.models import Office, OfficeKind
from portal.places.models import Region, RegionLevel

from .models import Delegation, ItemFormVersion, LifeEvent, Material, ServiceItemPage


@dataclass(frozen=True)
class Route:
    """Where an application for an item goes, and by whose authority.

    `delegation` is None when the holding department handles the item itself; `mode` is then
    None too. Callers that file work must store all three: later changes to delegation records
    never move work already routed."""

    office: Office
    mode: str | None
    delegation: Delegation | None

    @property
    def is_delegated(self) -> bool:
        return self.delegation is not None


def service_item_route(
    *, item: ServiceItemPage, township: Region, on: datetime.date | None = None, centre: Office | None = None
) -> Route:
    """The office that handles `item` for residents of `township` on date `on` (default today).

    A delegation in force on that date to the township's centre routes to the centre; otherwise
    the holding department handles it. Expired, revoked and future-dated records do not route.
    One query, two when the township's centre is not passed in (`centre`, if the caller has it)."""
    on = on or timezone.localdate()
    if township.level == RegionLevel.VILLAGE:
        township = required(township.parent, "village.parent")
    delegation = (
        Delegation.objects.in_force_on(on)
        .filter(item=item, centres__region=township, centres__kind=OfficeKind.CENTRE, centres__is_active=True)
        .select_related("department")
        .order_by("-valid_from", "-pk")
        .first()
    )
    if delegation is None:
        return Route(office=item.department, mode=None, delegation=None)
    if centre is None or centre.region_id != township.pk:
        centre = Office.objects.get(region=township, kind=OfficeKind.CENTRE)
    return Route(office=centre, mode=delegation.mode, delegation=delegation)


def service_items_live() -> QuerySet[ServiceItemPage]:
    """Published items with what a listing shows, ordered by title."""
    return ServiceItemPage.objects.live().select_related("department").order_by("title")


def service_items_for_event(event: LifeEvent) -> QuerySet[ServiceItemPage]:
    return service_items_live().filter(life_events=event)


def service_items_for_department(department: Office) -> QuerySet[ServiceItemPage]:
    return service_items_live().filter(department=department)


def life_events_in_use() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(items__live=True).distinct().order_by("sort_order", "name")


def departments_with_items() -> QuerySet[Office]:
    return (
        Office.objects.filter(kind=OfficeKind.DEPARTMENT, service_items__live=True)
        .distinct()
        .order_by("name")
    )


def service_item_for_display(page_id: int) -> ServiceItemPage:
    """One item with every row its page shows, in a fixed number of queries."""
    return (
        ServiceItemPage.objects.select_related("department")
        .prefetch_related("materials", "legal_bases", "special_procedures", "life_events")
        .get(pk=page_id)
    )


def delegations_for_item(item: ServiceItemPage) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(item=item)
        .select_related("department")
        .prefetch_related(Prefetch("centres", queryset=Office.objects.select_related("region")))
    )


@dataclass(frozen=True)
class DelegationInForce:
    """A delegation record as the item page shows it: mode, document, dates, townships."""

    mode: str
    document_number: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    townships: list[str]


def service_item_delegations_in_force(
    item: ServiceItemPage, on: datetime.date | None = None
) -> list[DelegationInForce]:
    """The delegation records that route new work for `item` on `on` (default today), with the
    names of their townships: what the item page says about who decides it and until when,
    before a villager has chosen a village. One query (the townships joined in)."""
    on = on or timezone.localdate()
    rows = (
        Delegation.objects.in_force_on(on)
        .filter(item=item)
        .order_by("-valid_from", "pk", "centres__region__code")
        .values_list(
            "pk",
            "mode",
            "document_number",
            "valid_from",
            "valid_until",
            "centres__region__name",
            "centres__is_active",
        )
    )
    records: dict[int, DelegationInForce] = {}
    for pk, mode, document_number, valid_from, valid_until, township, centre_active in rows:
        record = records.setdefault(
            pk,
            DelegationInForce(
                mode=mode,
                document_number=document_number,
                valid_from=valid_from,
                valid_until=valid_until,
                townships=[],
            ),
        )
        if township and centre_active:
            record.townships.append(township)
    return list(records.values())


def service_item_materials_with_forms(item: ServiceItemPage) -> QuerySet[Material]:
    """The item's material rows with their blank forms and filled samples (documents) joined:
    the guide lists them in one query, not one per attached document. Lazy."""
    return item.materials.select_related("blank_form", "sample")


@dataclass(frozen=True)
class LetterGroup:
    """The items whose title's first character reads with `letter` (拼音首字母); "#" for titles
    that start with a digit or another sign."""

    letter: str
    items: list[ServiceItemPage]

    @property
    def anchor(self) -> str:
        return self.letter if self.letter != "#" else "other"


def _title_sort_key(title: str) -> tuple[str, str]:
    syllables = lazy_pinyin(title, errors="default")
    first = (syllables[0][:1] if syllables else "").upper()
    letter = first if "A" <= first <= "Z" else "#"
    return letter, " ".join(syllables).lower()


def service_items_a_to_z(guide: Page) -> list[LetterGroup]:
    """The live items of `guide` grouped by the first letter of the title's pinyin, A to Z:
    what a villager who knows the name's sound but not its department scans. One query; the
    pinyin is computed in memory (pypinyin), not stored."""
    items = (
        ServiceItemPage.objects.live().child_of(guide).only("title", "url_path", "path", "depth", "summary")
    )
    keyed = sorted(((_title_sort_key(item.title), item) for item in items), key=lambda pair: pair[0])
    groups: list[LetterGroup] = []
    for (letter, _reading), item in keyed:
        if not groups or groups[-1].letter != letter:
            groups.append(LetterGroup(letter=letter, items=[]))
        groups[-1].items.append(item)
    # Letters first, then the group of other signs.
    return sorted(groups, key=lambda group: (group.letter == "#", group.letter))


def item_form_current(item_id: int) -> ItemFormVersion | None:
    """The form new filings of an item ask for: its last published version, None when the item
    has no form (or its form was taken off)."""
    latest = ItemFormVersion.objects.filter(item_id=item_id).order_by("-number").first()
    return latest if latest is not None and latest.definition else None


def county_villages(county_code_prefix: str = "") -> dict[str, str]:
    """Village codes and names ("大钟庄村（大钟庄镇）"), the places an address field may name."""
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent").order_by("code")
    if county_code_prefix:
        villages = villages.filter(code__startswith=county_code_prefix)
    return {v.code: f"{v.name}（{v.parent.name}）" if v.parent is not None else v.name for v in villages}
