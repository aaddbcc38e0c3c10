"""12345 hotline work orders (12345工单) into the requests ledger: receiving and placing them.

A hotline system (through the api app's Open311 endpoint) posts a villager's request with its
own work-order number. `ledger_item_from_hotline` keeps it as a `HotlineOrder`, once per
(sender, reference): a repeated post returns the same order, so a hotline that retries after a
lost answer files one request. Where it goes:

1. a division code (`region_code`) of a village within the sender's jurisdiction with an
   active station and centre: a ledger item in that village, at once;
2. else the village's name in the address text (the longest name found; "村"/"社区" may be left
   out; a name two townships share is settled by the township's name in the text): the same;
3. else it waits in the township the code or the text points to, or else in the sender's whole
   jurisdiction (the county), for a person there to place it (`hotline_order_place`; who sees
   and places it: `ledger.policies.hotline_orders_visible_to` / `hotline_placing_capacity`).

From then on it is an ordinary ledger item (`Source.HOTLINE`): assigned, claimed, done and
closed only on the villager's word, through `ledger.services`. Nothing here closes anything.
"""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError, NotPermitted
from portal.offices.models import Office, OfficeKind
from portal.people.models import User
from portal.places.models import Region, RegionLevel

from . import services
from .models import HotlineOrder, HotlineOrderEvent, HotlinePlacing, Kind, Source
from .policies import hotline_placing_capacity

REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
"""A work-order number as hotlines write them: letters, digits and a few separators."""
ADDRESS_MAX_LENGTH = 200
_VILLAGE_SUFFIXES = ("社区", "村委会", "村")
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")
_HOTLINE = "hotline"
"""The capacity written on the events of what the hotline itself did (nobody's login)."""


@dataclass(frozen=True)
class Placing:
    """Where an order goes: a village to register it in, or the region where it waits."""

    region: Region
    village: Region | None
    how: str
    note: str = ""


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    """The name without its 村/社区 (镇/乡/街道), when two characters or more remain."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _placeable(village: Region) -> bool:
    """Has the village an active station and its township an active centre?"""
    offices = Office.objects.active().filter(
        region_id__in=[village.pk, village.parent_id], kind__in=[OfficeKind.STATION, OfficeKind.CENTRE]
    )
    return {office.kind for office in offices} == {OfficeKind.STATION, OfficeKind.CENTRE}


def _named_in(address: str, regions: list[Region], suffixes: tuple[str, ...]) -> list[Region]:
    """The regions whose name (or short name) the address contains, the longest match winning:
    a village called 郝各庄村 is not found in "西郝各庄村" when 西郝各庄村 is found too."""
    found: dict[Region, str] = {}
    for region in regions:
        for name in (region.name, _short(region.name, suffixes)):
            if name in address and len(name) > len(found.get(region, "")):
                found[region] = name
    return [
        region
        for region, text in found.items()
        if not any(
            other != region and len(longer) > len(text) and text in longer for other, longer in found.items()
        )
    ]


def place(*, within: Region, region_code: str, address: str) -> Placing:
    """Where a hotline order goes (the rules in the module's docstring). Reads only."""
    notes = []
    code = (region_code or "").strip()
    if code:
        region = Region.objects.within(within).filter(code=code).select_related("parent").first()
        if region is None:
            notes.append("region_code_unknown")
        elif region.level == RegionLevel.VILLAGE and _placeable(region):
            return Placing(region, region, HotlinePlacing.REGION_CODE)
        elif region.level == RegionLevel.VILLAGE:
            return Placing(region.parent or within, None, HotlinePlacing.WAITING, "village_without_station")
        else:
            within = region
    address = "".join((address or "").split())
    if address:
        inside = Region.objects.within(within)
        villages = _named_in(address, list(inside.filter(level=RegionLevel.VILLAGE)), _VILLAGE_SUFFIXES)
        townships = _named_in(address, list(inside.filter(level=RegionLevel.TOWNSHIP)), _TOWNSHIP_SUFFIXES)
        if len(villages) > 1 and townships:
            villages = [v for v in villages if any(t.pk == v.parent_id for t in townships)]
        if len(villages) == 1 and _placeable(villages[0]):
            return Placing(villages[0], villages[0], HotlinePlacing.ADDRESS)
        parents = {village.parent_id for village in villages if village.parent_id is not None}
        if len(parents) == 1:
            township = Region.objects.get(pk=parents.pop())
            return Placing(township, None, HotlinePlacing.WAITING, "village_unclear")
        if len(townships) == 1:
            return Placing(townships[0], None, HotlinePlacing.WAITING, "township_named")
    return Placing(within, None, HotlinePlacing.WAITING, ";".join(notes) or "no_place")


def _check_reference(sender: str, reference: str) -> str:
    if not sender or len(sender) > 40:
        raise DomainError(_("The hotline system is not known."))
    reference = (reference or "").strip()
    if not REFERENCE_PATTERN.match(reference):
        raise DomainError(
            _(
                "Give the hotline's work-order number: 1 to 64 letters, digits, dots, dashes, colons or slashes."
            )
        )
    return reference


def _register_item(order: HotlineOrder, village: Region, placed_by: User | None, who, how: str) -> None:
    item, _created = services._create(
        actor=None,
        village=village,
        villager_name=order.villager_name,
        villager_mobile=order.villager_mobile,
        need=order.need,
        kind=order.kind,
        photo=None,
        client_token=None,
        source=Source.HOTLINE,
        registered_for=services.RegisteredFor(
            placed_by=placed_by,
            who=who,
            data={"hotline_order": order.pk, "hotline_reference": order.reference, "placing": how},
        ),
    )
    before = order.placing
    order.item = item
    order.region = village
    order.placing = how
    order.placed_by = placed_by
    order.placed_at = item.registered_at
    order.version += 1
    order.save(update_fields=["item", "region", "placing", "placed_by", "placed_at", "version"])
    HotlineOrderEvent.objects.create(
        order=order,
        act="place",
        from_state=before,
        to_state=how,
        actor=placed_by,
        actor_role=who.value if hasattr(who, "value") else str(who),
        actor_office=item.office,
        data={"item": item.number, "placing": how},
        at=order.placed_at,
    )


@transaction.atomic
def ledger_item_from_hotline(
    *,
    sender: str,
    reference: str,
    within: Region,
    villager_name: str,
    villager_mobile: str,
    need: str,
    kind: str = Kind.NEED,
    region_code: str = "",
    address: str = "",
) -> tuple[HotlineOrder, bool]:
    """Receive a hotline work order; returns (order, created). The same (sender, reference)
    returns the order already received, whatever else the repeat says. `within` is the sender's
    jurisdiction (a county or township): nothing is placed outside it."""
    reference = _check_reference(sender, reference)
    existing = HotlineOrder.objects.filter(sender=sender, reference=reference).select_related("item").first()
    if existing is not None:
        return existing, False
    name, mobile = services._clean_person(villager_name, villager_mobile)
    need = services._clean_need(need)
    if kind not in Kind.values:
        raise DomainError(_("Choose whether it is a need or a small wish."))
    address = " ".join((address or "").split())
    if len(address) > ADDRESS_MAX_LENGTH:
        raise DomainError(_("Give the address in at most %(n)s characters.") % {"n": ADDRESS_MAX_LENGTH})
    placing = place(within=within, region_code=region_code, address=address)
    now = timezone.now()
    order = HotlineOrder(
        sender=sender,
        reference=reference,
        kind=kind,
        region=placing.region,
        address=address,
        villager_name=name,
        villager_mobile=mobile,
        need=need,
        received_at=now,
        placing=HotlinePlacing.WAITING,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:  # the same order posted twice at once: the first one is it
        return HotlineOrder.objects.select_related("item").get(sender=sender, reference=reference), False
    HotlineOrderEvent.objects.create(
        order=order,
        act="receive",
        to_state=HotlinePlacing.WAITING,
        actor=None,
        actor_role=_HOTLINE,
        data={"region": placing.region.code, "placing": placing.how, "note": placing.note},
        at=now,
    )
    if placing.village is not None:
        _register_item(order, placing.village, None, _HOTLINE, placing.how)
    return order, True


@transaction.atomic
def hotline_order_place(
    *, actor: User, order: HotlineOrder, village: Region, expected_version: int | None = None
) -> HotlineOrder:
    """A person places a waiting hotline order in a village of their township (its centre's
    supervisor) or of their region (an administrator): it becomes that village's ledger item."""
    locked = HotlineOrder.objects.select_for_update().select_related("region").get(pk=order.pk)
    if locked.item_id is not None or (expected_version is not None and locked.version != expected_version):
        raise services.LedgerItemChanged(
            _("Hotline order %(reference)s has been placed already. Nothing was done.")
            % {"reference": locked.reference}
        )
    if village.level != RegionLevel.VILLAGE:
        raise DomainError(_("Choose a village (村/社区)."))
    who = hotline_placing_capacity(actor, locked, village)
    if who is None:
        raise NotPermitted(
            _("You may not place hotline order %(reference)s in %(village)s.")
            % {"reference": locked.reference, "village": village.name}
        )
    _register_item(locked, village, actor, who, HotlinePlacing.BY_HAND)
    return locked
