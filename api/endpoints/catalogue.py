"""The catalogue: published items with their full guide, and the change log for syncing.

Public (a key is optional: with one the call counts on the client's limit and is audited;
without, on the address's). Everything is read through services_catalog's selectors."""

import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router

from portal.offices.models import Office, OfficeKind
from portal.places.models import Region, RegionLevel
from services_catalog.models import ServiceItemPage
from services_catalog.selectors import (
    delegations_for_item,
    item_form_current,
    service_item_for_display,
    service_item_route,
    service_items_live,
)

from .. import schemas
from ..auth import caller
from ..cursors import cursor_make, cursor_read
from ..errors import not_found
from ..selectors import catalogue_changes, catalogue_items

router = Router(tags=["catalogue"])


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value) if value is not None else None


def _office(office: Office) -> dict:
    return {
        "name": office.name,
        "short_name": office.short_name,
        "kind": office.kind,
        "region_code": office.region.code,
        "phone": office.phone,
    }


def _summary(item: ServiceItemPage) -> dict:
    return {
        "item_code": item.item_code,
        "title": item.title,
        "item_type": item.item_type,
        "department": item.department.name,
        "summary": item.summary,
        "online": item.online,
        "is_immediate": item.is_immediate,
        "promised_limit_days": item.promised_limit_days,
        "legal_limit_days": item.legal_limit_days,
        "url": reverse("api-v1:catalogue_item", args=[item.item_code]),
        "guide_url": item.url or "",
    }


@router.get("/items", response={200: schemas.ItemPage, **schemas.PUBLIC_ERRORS}, url_name="catalogue_items")
def items(request, query: Query[schemas.ItemsQuery]):
    """Published service items (政务服务事项), by id, a page at a time. No key needed."""
    caller(request)
    limit = query.limit
    after = cursor_read("items", query.cursor)
    page = catalogue_items(after[1] if after else None, limit + 1)
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [_summary(item) for item in page],
        "next_cursor": cursor_make("items", None, page[-1].pk) if more else None,
    }


def _handled_by(item: ServiceItemPage) -> list[dict]:
    """Which office handles new applications for each township of the item's county today:
    `service_item_route`, the filing's own rule, asked once per township."""
    county = item.department.region
    townships = list(Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP).order_by("code"))
    centres = {
        centre.region_id: centre
        for centre in Office.objects.filter(region__in=townships, kind=OfficeKind.CENTRE).select_related(
            "region"
        )
    }
    today = timezone.localdate()
    rows = []
    for township in townships:
        route = service_item_route(item=item, township=township, on=today, centre=centres.get(township.pk))
        rows.append(
            {
                "township_code": township.code,
                "township": township.name,
                "office": _office(route.office),
                "delegation_mode": route.mode,
            }
        )
    return rows


@router.get(
    "/items/{item_code}",
    response={200: schemas.ItemDetail, **schemas.PUBLIC_ERRORS},
    url_name="catalogue_item",
)
def item(request, item_code: str):
    """One published item with its whole guide (办事指南): conditions, materials, steps, time
    limits, fees, the application form, delegations and who handles it in each township."""
    caller(request)
    page = service_items_live().filter(item_code=item_code).values_list("pk", flat=True).first()
    if page is None:
        raise not_found()
    detail = service_item_for_display(page)
    detail.department = Office.objects.select_related("region").get(pk=detail.department_id)
    form = item_form_current(detail.pk)
    today = timezone.localdate()
    delegations = []
    for delegation in delegations_for_item(detail):
        in_force = (
            delegation.valid_from <= today
            and (delegation.valid_until is None or delegation.valid_until >= today)
            and (delegation.revoked_on is None or delegation.revoked_on > today)
        )
        delegations.append(
            {
                "mode": delegation.mode,
                "document_number": delegation.document_number,
                "department": delegation.department.name,
                "valid_from": delegation.valid_from,
                "valid_until": delegation.valid_until,
                "revoked_on": delegation.revoked_on,
                "in_force": in_force,
                "centres": [centre.name for centre in delegation.centres.all()],
            }
        )
    return {
        **_summary(detail),
        "for_individuals": detail.for_individuals,
        "for_organisations": detail.for_organisations,
        "conditions": detail.condition_lines,
        "steps": detail.step_lines,
        "fee": detail.fee,
        "fee_basis": detail.fee_basis,
        "visits": detail.visits,
        "village_proxy": detail.village_proxy,
        "offline_reason": detail.offline_reason,
        "delivery": detail.delivery,
        "certificate_name": detail.certificate_name,
        "certificate_valid_months": detail.certificate_valid_months,
        "consult_phone": detail.consult_phone,
        "complaint_phone": detail.complaint_phone,
        "legal_bases": [basis.text for basis in detail.legal_bases.all()],
        "life_events": [event.name for event in detail.life_events.all()],
        "materials": [
            {
                "name": material.name,
                "form": material.form,
                "copies": material.copies,
                "required": material.required,
                "may_be_missing": material.may_be_missing,
                "notes": material.notes,
            }
            for material in detail.materials.all()
        ],
        "special_procedures": [
            {"name": p.name, "working_days": p.working_days, "legal_basis": p.legal_basis}
            for p in detail.special_procedures.all()
        ],
        "application_form": (
            {"version": form.number, "published_at": _local(form.published_at), "definition": form.definition}
            if form is not None
            else None
        ),
        "delegations": delegations,
        "handled_by": _handled_by(detail),
        "last_published_at": _local(detail.last_published_at),
    }


@router.get(
    "/changes", response={200: schemas.ChangePage, **schemas.PUBLIC_ERRORS}, url_name="catalogue_changes"
)
def changes(request, query: Query[schemas.ChangesQuery]):
    """Items changed at or after `since`, oldest change first: published, changed, delegated,
    given a new form, or withdrawn (unpublished or deleted: `withdrawn` true). A provincial
    platform keeps the last `changed_at` it saw and asks again from there."""
    caller(request)
    limit = query.limit
    after = cursor_read("changes", query.cursor)
    position = (datetime.datetime.fromisoformat(after[0]), after[1]) if after else None
    rows = catalogue_changes(query.since, position, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "changes": [
            {
                "item_code": row.item_code,
                "title": row.title,
                "changed_at": _local(row.changed_at),
                "withdrawn": row.withdrawn,
                "url": None if row.withdrawn else reverse("api-v1:catalogue_item", args=[row.item_code]),
            }
            for row in rows
        ],
        "next_cursor": cursor_make("changes", rows[-1].changed_at.isoformat(), rows[-1].item_id)
        if more
        else None,
    }
