"""Villager-facing pages of the service guide. Thin: selectors fetch, templates show."""

from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.template.response import TemplateResponse

from portal.offices.models import Office, OfficeKind
from portal.offices.selectors import place_contact_from_request

from . import selectors
from .guide_cache import policies_version
from .models import LifeEvent


def _place_context(request, item) -> dict:
    """What the page says for the villager's own village: where, by whose authority, who helps."""
    contact = place_contact_from_request(request)
    if contact is None:
        return {"village": None}
    route = selectors.service_item_route(item=item, township=contact.village.parent, centre=contact.centre)
    return {"village": contact.village, "contact": contact, "route": route}


def service_item(request, page):
    # The guide's rows are read inside a template fragment cached per published revision, so
    # a warm page costs no queries for them.
    context = {
        "page": page,
        "self": page,
        "request": request,
        "policies_version": policies_version(),
        # Lazy: read only when the cached fragment is stale.
        "materials": selectors.service_item_materials_with_forms(page),
        # Outside the fragment: records start and end by date, and change without a revision.
        "delegations": selectors.service_item_delegations_in_force(page),
        **_place_context(request, page),
    }
    return TemplateResponse(request, "services_catalog/service_item_page.html", context)


def service_item_checklist(request, page):
    prefetch_related_objects([page], "materials")
    context = {"page": page, "self": page, **_place_context(request, page)}
    return TemplateResponse(request, "services_catalog/service_item_checklist.html", context)


def guide_index(request, page):
    """Browse by life event (?event=slug) or by department (?department=id)."""
    event_slug = request.GET.get("event", "")
    department_id = request.GET.get("department", "")
    context = {"page": page, "self": page}
    if event_slug:
        event = LifeEvent.objects.filter(slug=event_slug).first()
        context.update(event=event, items=list(selectors.service_items_for_event(event)) if event else [])
    elif department_id.isdigit():
        department = Office.objects.filter(pk=department_id, kind=OfficeKind.DEPARTMENT).first()
        context.update(
            department=department,
            items=list(selectors.service_items_for_department(department)) if department else [],
        )
    else:
        context.update(
            events=list(selectors.life_events_in_use()),
            departments=list(selectors.departments_with_items()),
            a_to_z=selectors.service_items_a_to_z(page),
        )
    return render(request, "services_catalog/service_guide_index_page.html", context)
